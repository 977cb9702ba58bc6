package dev.notify.api.spi;

import dev.notify.api.Api;
import dev.notify.api.DeliveryAttempt;
import dev.notify.api.DeliveryRecord;
import dev.notify.api.Page;

import java.util.List;
import java.util.Optional;

/**
 * Read access to stored deliveries and their attempts, for channels that show their own delivery
 * log (the webhook channel's {@code GET /api/v1/webhooks/{id}/deliveries}). Every
 * {@link NotificationStore} is one; a channel reaches it through {@link ChannelContext#deliveryLog()}.
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.1")
public interface DeliveryLog {

    /** The deliveries of one channel to one target, newest first (a webhook endpoint's log). */
    Page<DeliveryRecord> deliveriesTo(String channel, String target, Optional<String> cursor, int limit);

    /** Every attempt of a delivery, in order. */
    List<DeliveryAttempt> attempts(long deliveryId);
}
