package dev.notify.testkit;

import dev.notify.api.Api;
import dev.notify.api.Audience;
import dev.notify.api.DeliveryAttempt;
import dev.notify.api.DeliveryRecord;
import dev.notify.api.DeliveryResult;
import dev.notify.api.DeliveryStatus;
import dev.notify.api.EventLogSlice;
import dev.notify.api.InboxItem;
import dev.notify.api.Notification;
import dev.notify.api.Page;
import dev.notify.api.Priority;
import dev.notify.api.spi.Lease;
import dev.notify.api.spi.NewDelivery;
import dev.notify.api.spi.NotificationStore;
import dev.notify.api.spi.PublishRequest;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every part of the store contract builds on: the store under test, test time starting at
 * {@link #T0} (every instant is passed in explicitly, with at most microsecond precision, since SQL
 * timestamps keep no more), and builders for notifications, requests, deliveries and attempts.
 * A store implementation extends {@link NotificationStoreContract}, whose tests and whose
 * subclasses' own tests use these helpers.
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.2")
public abstract class StoreContractSupport {

    /** The start of test time; microsecond precision on purpose. */
    protected static final Instant T0 = Instant.parse("2030-01-01T00:00:00.123456Z");

    /** The idempotency scope most tests publish in. */
    protected static final String SCOPE = "publisher-1";

    /** The store under test, made fresh for the current test. */
    protected abstract NotificationStore store();

    private int idCounter;

    /** {@link #T0} plus some seconds. */
    protected static Instant t(long seconds) {
        return T0.plusSeconds(seconds);
    }

    /** A builder for a notification with a readable unique id, created at {@link #T0}. */
    protected Notification.Builder notification() {
        return Notification.builder().id("n-" + (++idCounter)).createdAt(T0).title("hello");
    }

    /** A notification to these users, created at {@code createdAt}. */
    protected Notification toUsers(Instant createdAt, String... users) {
        return notification().recipients(List.of(users)).createdAt(createdAt).build();
    }

    /** A request with one audience per recipient and one for the topic, in the publisher's scope. */
    protected static PublishRequest request(Notification n, NewDelivery... deliveries) {
        return new PublishRequest(n, SCOPE, audiencesOf(n), List.of(deliveries), Optional.empty());
    }

    /** The event-log audiences a service would append for {@code n}. */
    protected static List<Audience> audiencesOf(Notification n) {
        List<Audience> audiences = new ArrayList<>();
        n.recipients().forEach(u -> audiences.add(Audience.user(u)));
        n.topic().ifPresent(t -> audiences.add(Audience.topic(t)));
        return audiences;
    }

    /** A delivery row of the {@code webhook} channel. */
    protected static NewDelivery webhook(String endpoint, Instant dueAt) {
        return new NewDelivery("webhook", endpoint, dueAt);
    }

    /** Saves a notification to {@code u1} with one webhook delivery due at {@code dueAt}; returns the delivery. */
    protected DeliveryRecord saveOneDelivery(Priority priority, Instant dueAt) {
        Notification n = notification().recipient("u1").priority(priority).build();
        return store().save(request(n, webhook("ep1", dueAt))).deliveries().get(0);
    }

    /** A lease of {@code owner} until {@code until}. */
    protected static Lease lease(String owner, Instant until) {
        return new Lease(owner, until);
    }

    /** An attempt of 15 ms starting at {@code at}. */
    protected static DeliveryAttempt attempt(long deliveryId, int number, Instant at, DeliveryResult result) {
        return DeliveryAttempt.of(deliveryId, number, at, Duration.ofMillis(15), result);
    }

    /** Records a sent first attempt. */
    protected void markSent(long deliveryId, Instant at) {
        store().recordAttempt(attempt(deliveryId, 1, at, DeliveryResult.sent()), DeliveryStatus.SENT, Optional.empty());
    }

    /** Records a failed-for-good first attempt, making a dead letter. */
    protected void markFailed(long deliveryId, Instant at) {
        store().recordAttempt(attempt(deliveryId, 1, at, DeliveryResult.failed("gone").withStatusCode(410)),
                DeliveryStatus.FAILED, Optional.empty());
    }

    /** Records a first attempt to retry at {@code next}. */
    protected void markRetrying(long deliveryId, Instant at, Instant next) {
        store().recordAttempt(attempt(deliveryId, 1, at, DeliveryResult.retryLater("busy").withStatusCode(503)),
                DeliveryStatus.RETRYING, Optional.of(next));
    }

    /** The ids of these deliveries, in order. */
    protected static List<Long> ids(List<DeliveryRecord> records) {
        return records.stream().map(DeliveryRecord::id).collect(Collectors.toList());
    }

    /** The ids of these inbox items' notifications, in order. */
    protected static List<String> notificationIds(List<InboxItem> items) {
        return items.stream().map(i -> i.notification().id()).collect(Collectors.toList());
    }

    /** The ids of the notifications of this slice's entries, in order. */
    protected static List<String> eventIds(EventLogSlice slice) {
        return slice.entries().stream().map(e -> e.notification().id()).collect(Collectors.toList());
    }

    /** Follows cursors to the end, failing on a runaway cursor; returns every item in order. */
    protected static <T> List<T> allPages(Function<Optional<String>, Page<T>> fetch, int limit, int expectedItems) {
        List<T> all = new ArrayList<>();
        Optional<String> cursor = Optional.empty();
        int maxPages = expectedItems / limit + 2;
        for (int pages = 0; ; pages++) {
            assertThat(pages).as("pages followed (a cursor that never ends?)").isLessThan(maxPages);
            Page<T> page = fetch.apply(cursor);
            assertThat(page.items()).as("page size").hasSizeLessThanOrEqualTo(limit);
            all.addAll(page.items());
            if (page.nextCursor().isEmpty()) {
                return all;
            }
            cursor = page.nextCursor();
        }
    }

    /** Asserts that {@code actual} is {@code expected} as stored: every field, numbers by value. */
    protected static void assertSameNotification(Notification actual, Notification expected) {
        assertThat(actual.id()).isEqualTo(expected.id());
        assertThat(actual.type()).isEqualTo(expected.type());
        assertThat(actual.event()).isEqualTo(expected.event());
        assertThat(actual.topic()).isEqualTo(expected.topic());
        assertThat(actual.priority()).isEqualTo(expected.priority());
        assertThat(actual.recipients()).containsExactlyElementsOf(expected.recipients());
        assertThat(actual.title()).isEqualTo(expected.title());
        assertThat(actual.body()).isEqualTo(expected.body());
        assertThat(normalized(actual.data())).as("data").isEqualTo(normalized(expected.data()));
        assertThat(actual.template()).isEqualTo(expected.template());
        assertThat(actual.channels()).containsExactlyElementsOf(expected.channels());
        assertThat(actual.scheduledAt()).isEqualTo(expected.scheduledAt());
        assertThat(actual.expiresAt()).isEqualTo(expected.expiresAt());
        assertThat(actual.idempotencyKey()).isEqualTo(expected.idempotencyKey());
        assertThat(actual.metadata()).isEqualTo(expected.metadata());
        assertThat(actual.createdAt()).isEqualTo(expected.createdAt());
        assertThat(actual.broadcast()).as("broadcast").isEqualTo(expected.broadcast());
        assertThat(actual.collapseKey()).as("collapse key").isEqualTo(expected.collapseKey());
        assertThat(actual.transactional()).as("transactional").isEqualTo(expected.transactional());
    }

    /** A JSON-like tree with every number as a canonical {@link BigDecimal}, so 50, 50L and 50.0 compare equal. */
    private static Object normalized(Object value) {
        if (value instanceof Map) {
            Map<Object, Object> out = new LinkedHashMap<>();
            ((Map<?, ?>) value).forEach((k, v) -> out.put(k, normalized(v)));
            return out;
        }
        if (value instanceof List) {
            List<Object> out = new ArrayList<>();
            ((List<?>) value).forEach(v -> out.add(normalized(v)));
            return out;
        }
        if (value instanceof Number) {
            BigDecimal d = new BigDecimal(value.toString()).stripTrailingZeros();
            return d.signum() == 0 ? BigDecimal.ZERO : d;
        }
        return value;
    }
}
