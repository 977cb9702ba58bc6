package dev.notify.api.spi;

import dev.notify.api.Api;
import dev.notify.api.Audience;
import dev.notify.api.Notification;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Everything one publish stores, in one transaction: the notification, an inbox item per
 * recipient, an event-log entry per audience, and a delivery row per (push channel, target).
 *
 * @param notification the validated, rendered notification
 * @param idempotencyScope who the idempotency key belongs to (the publisher's key id); keys of
 *        different scopes never collide
 * @param audiences the event-log entries to append, in order
 * @param deliveries the delivery rows to create
 * @param lease when present, deliveries due now are created already claimed by this lease, so
 *        the publishing node can deliver them at once without another node claiming them too
 * @param collapseMarksUnread when the notification has a {@linkplain Notification#collapseKey()
 *        collapse key} and replaces a recipient's inbox item, whether the item becomes unread again
 *        (true) or keeps its read state (false)
 * @param notInInbox recipients whose inbox does not get the notification (their preferences opted out)
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public record PublishRequest(Notification notification, String idempotencyScope, List<Audience> audiences,
                             List<NewDelivery> deliveries, Optional<Lease> lease, boolean collapseMarksUnread,
                             Set<String> notInInbox) {

    /** Validates and copies the components. */
    public PublishRequest {
        Objects.requireNonNull(notification, "notification");
        Objects.requireNonNull(idempotencyScope, "idempotencyScope");
        audiences = List.copyOf(audiences);
        deliveries = List.copyOf(deliveries);
        Objects.requireNonNull(lease, "lease");
        notInInbox = Set.copyOf(notInInbox);
    }

    /** A request that fills every recipient's inbox. */
    public PublishRequest(Notification notification, String idempotencyScope, List<Audience> audiences,
                          List<NewDelivery> deliveries, Optional<Lease> lease, boolean collapseMarksUnread) {
        this(notification, idempotencyScope, audiences, deliveries, lease, collapseMarksUnread, Set.of());
    }

    /** Whether {@code user}'s inbox gets the notification. */
    public boolean inInbox(String user) {
        return notInInbox.isEmpty() || !notInInbox.contains(user);
    }

    /** A request whose collapsing inbox items become unread again, as before collapse keys existed. */
    public PublishRequest(Notification notification, String idempotencyScope, List<Audience> audiences,
                          List<NewDelivery> deliveries, Optional<Lease> lease) {
        this(notification, idempotencyScope, audiences, deliveries, lease, true, Set.of());
    }
}
