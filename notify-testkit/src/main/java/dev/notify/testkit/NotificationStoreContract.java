package dev.notify.testkit;

import dev.notify.api.Api;
import dev.notify.api.Audience;
import dev.notify.api.DeliveryAttempt;
import dev.notify.api.DeliveryRecord;
import dev.notify.api.DeliveryResult;
import dev.notify.api.DeliveryStatus;
import dev.notify.api.EventLogEntry;
import dev.notify.api.EventLogSlice;
import dev.notify.api.InboxItem;
import dev.notify.api.InboxQuery;
import dev.notify.api.InboxStats;
import dev.notify.api.Notification;
import dev.notify.api.NotificationType;
import dev.notify.api.Page;
import dev.notify.api.Priority;
import dev.notify.api.WebhookEndpoint;
import dev.notify.api.spi.Lease;
import dev.notify.api.spi.NewDelivery;
import dev.notify.api.spi.NotificationStore;
import dev.notify.api.spi.PublishRequest;
import dev.notify.api.spi.PublishResult;
import dev.notify.api.spi.Retention;
import dev.notify.api.spi.StoreException;
import dev.notify.api.spi.WebhookEndpointStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contract every {@link NotificationStore} passes. An implementation extends it and says how
 * to make a fresh, empty store:
 *
 * <pre>{@code
 * class PostgresStoreContractTest extends NotificationStoreContract {
 *     @Override
 *     protected NotificationStore createStore() {
 *         return JdbcNotificationStore.open(JdbcStoreConfig.builder()
 *                 .jdbcUrl(PostgresServer.shared().createDatabase()).build());
 *     }
 * }
 * }</pre>
 *
 * <p>Each test gets its own store from {@link #createStore()} and closes it afterwards. Time never
 * comes from a clock: every instant is passed in explicitly, starting at {@link #T0}, and all
 * instants have at most microsecond precision, since SQL timestamps keep no more.
 *
 * <p>Where the SPI leaves a choice, the contract fixes it as follows, so that every store behaves
 * alike:
 * <ul>
 *   <li>saving a notification whose id is already stored fails with {@link IllegalArgumentException}
 *       or {@link StoreException} and stores nothing (in a batch: nothing of the batch);</li>
 *   <li>with a lease, "due now" means due at or before the notification's {@code createdAt};</li>
 *   <li>the age of an event-log entry and of an idempotency key is that of the notification's
 *       {@code createdAt};</li>
 *   <li>a lease held until {@code u} has lapsed for a claim at {@code now} when {@code now} is not
 *       before {@code u} (the tests stay clear of the boundary either way);</li>
 *   <li>numbers in {@link Notification#data()} may come back as another {@link Number} type (a JSON
 *       column yields {@link BigDecimal}s); they must keep their value.</li>
 * </ul>
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.1")
public abstract class NotificationStoreContract {

    /** The start of test time; microsecond precision on purpose. */
    protected static final Instant T0 = Instant.parse("2030-01-01T00:00:00.123456Z");

    /** The idempotency scope most tests publish in. */
    protected static final String SCOPE = "publisher-1";

    /** A store made fresh for the current test. */
    protected NotificationStore store;

    /** A new, empty store; the contract closes it after each test. */
    protected abstract NotificationStore createStore();

    @BeforeEach
    void openStore() {
        store = createStore();
        assertThat(store).as("createStore()").isNotNull();
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    // =========================================================================================
    // helpers
    // =========================================================================================

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
        return store.save(request(n, webhook("ep1", dueAt))).deliveries().get(0);
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
        store.recordAttempt(attempt(deliveryId, 1, at, DeliveryResult.sent()), DeliveryStatus.SENT, Optional.empty());
    }

    /** Records a failed-for-good first attempt, making a dead letter. */
    protected void markFailed(long deliveryId, Instant at) {
        store.recordAttempt(attempt(deliveryId, 1, at, DeliveryResult.failed("gone").withStatusCode(410)),
                DeliveryStatus.FAILED, Optional.empty());
    }

    /** Records a first attempt to retry at {@code next}. */
    protected void markRetrying(long deliveryId, Instant at, Instant next) {
        store.recordAttempt(attempt(deliveryId, 1, at, DeliveryResult.retryLater("busy").withStatusCode(503)),
                DeliveryStatus.RETRYING, Optional.of(next));
    }

    private static List<Long> ids(List<DeliveryRecord> records) {
        return records.stream().map(DeliveryRecord::id).collect(Collectors.toList());
    }

    private static List<String> notificationIds(List<InboxItem> items) {
        return items.stream().map(i -> i.notification().id()).collect(Collectors.toList());
    }

    private static List<String> eventIds(EventLogSlice slice) {
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

    // =========================================================================================
    // tests
    // =========================================================================================

    @Nested
    @DisplayName("save")
    class Save {

        @Test
        @DisplayName("stores the notification and returns its events and deliveries")
        void storesTheNotificationAndReturnsItsEventsAndDeliveries() {
            Notification n = notification().recipients(List.of("u1", "u2")).topic("task:abc").priority(Priority.HIGH).build();

            PublishResult result = store.save(request(n, webhook("ep1", T0), new NewDelivery("recording", "u1", t(5))));

            assertThat(result.duplicate()).isFalse();
            assertSameNotification(result.notification(), n);
            assertThat(result.events()).extracting(EventLogEntry::audience)
                    .containsExactly(Audience.user("u1"), Audience.user("u2"), Audience.topic("task:abc"));
            assertThat(result.events()).allSatisfy(e -> assertThat(e.notification().id()).isEqualTo(n.id()));
            List<Long> sequences = result.events().stream().map(EventLogEntry::sequence).collect(Collectors.toList());
            assertThat(sequences).isSorted().doesNotHaveDuplicates().allSatisfy(s -> assertThat(s).isPositive());

            assertThat(result.deliveries()).hasSize(2);
            assertThat(ids(result.deliveries())).doesNotHaveDuplicates();
            DeliveryRecord webhook = result.deliveries().get(0);
            assertThat(webhook.notificationId()).isEqualTo(n.id());
            assertThat(webhook.channel()).isEqualTo("webhook");
            assertThat(webhook.target()).isEqualTo("ep1");
            assertThat(webhook.priority()).isEqualTo(Priority.HIGH);
            assertThat(webhook.status()).isEqualTo(DeliveryStatus.PENDING);
            assertThat(webhook.attempts()).isZero();
            assertThat(webhook.nextAttemptAt()).contains(T0);
            assertThat(webhook.lastError()).isEmpty();
            DeliveryRecord recording = result.deliveries().get(1);
            assertThat(recording.channel()).isEqualTo("recording");
            assertThat(recording.target()).isEqualTo("u1");
            assertThat(recording.nextAttemptAt()).contains(t(5));
        }

        @Test
        @DisplayName("stores exactly the deliveries it returned")
        void storesWhatItReturned() {
            Notification n = notification().recipient("u1").build();
            PublishResult result = store.save(request(n, webhook("ep1", T0), webhook("ep2", T0)));

            assertThat(store.deliveries(n.id()))
                    .usingRecursiveFieldByFieldElementComparatorIgnoringFields("createdAt", "updatedAt")
                    .containsExactlyInAnyOrderElementsOf(result.deliveries());
            for (DeliveryRecord d : result.deliveries()) {
                assertThat(store.delivery(d.id())).get().usingRecursiveComparison()
                        .ignoringFields("createdAt", "updatedAt").isEqualTo(d);
            }
        }

        @Test
        @DisplayName("puts the notification into the inbox of every recipient and nobody else")
        void fillsTheRecipientsInboxes() {
            store.save(request(toUsers(T0, "u1", "u2")));

            assertThat(store.stats("u1")).isEqualTo(new InboxStats(1, 1, 0));
            assertThat(store.stats("u2")).isEqualTo(new InboxStats(1, 1, 0));
            assertThat(store.stats("u3")).isEqualTo(InboxStats.EMPTY);
        }

        @Test
        @DisplayName("stores a topic broadcast without recipients, deliveries or inbox items")
        void storesATopicBroadcast() {
            Notification n = notification().topic("news").build();

            PublishResult result = store.save(request(n));

            assertThat(result.events()).singleElement().extracting(EventLogEntry::audience).isEqualTo(Audience.topic("news"));
            assertThat(result.deliveries()).isEmpty();
            assertThat(store.find(n.id())).isPresent();
            assertThat(store.deliveries(n.id())).isEmpty();
        }

        @Test
        @DisplayName("rejects a notification id that is already stored and changes nothing")
        void rejectsAnExistingIdAtomically() {
            Notification first = notification().recipient("u1").build();
            store.save(request(first, webhook("ep1", T0)));
            long latest = store.latestSequence();
            Notification clash = first.toBuilder().recipients(List.of("u2")).title("other").build();

            assertThatThrownBy(() -> store.save(request(clash, webhook("ep2", T0))))
                    .isInstanceOfAny(IllegalArgumentException.class, StoreException.class);

            assertThat(store.find(first.id())).get().extracting(Notification::title).isEqualTo("hello");
            assertThat(store.deliveries(first.id())).hasSize(1);
            assertThat(store.latestSequence()).isEqualTo(latest);
            assertThat(store.stats("u2")).isEqualTo(InboxStats.EMPTY);
            assertThat(store.deliveriesTo("webhook", "ep2", Optional.empty(), 10).items()).isEmpty();
        }
    }

    @Nested
    @DisplayName("saveAll")
    class SaveAll {

        @Test
        @DisplayName("stores every request and returns the results in request order")
        void storesEveryRequestInOrder() {
            Notification a = toUsers(T0, "u1");
            Notification b = toUsers(t(1), "u2");
            Notification c = toUsers(t(2), "u1");

            List<PublishResult> results = store.saveAll(List.of(request(a, webhook("ep1", T0)), request(b), request(c)));

            assertThat(results).extracting(r -> r.notification().id()).containsExactly(a.id(), b.id(), c.id());
            assertThat(results).noneMatch(PublishResult::duplicate);
            assertThat(results.get(0).deliveries()).hasSize(1);
            List<Long> sequences = results.stream().flatMap(r -> r.events().stream()).map(EventLogEntry::sequence)
                    .collect(Collectors.toList());
            assertThat(sequences).hasSize(3).isSorted().doesNotHaveDuplicates();
            assertThat(store.find(b.id())).isPresent();
            assertThat(store.stats("u1").total()).isEqualTo(2);
        }

        @Test
        @DisplayName("stores nothing at all when its second request is rejected")
        void isAllOrNothing() {
            Notification existing = toUsers(T0, "u9");
            store.save(request(existing));
            long latest = store.latestSequence();
            Notification a = toUsers(T0, "u1");
            Notification clash = existing.toBuilder().recipients(List.of("u2")).build();
            Notification c = toUsers(T0, "u3");

            assertThatThrownBy(() -> store.saveAll(List.of(
                    request(a, webhook("ep1", T0)), request(clash, webhook("ep2", T0)), request(c, webhook("ep3", T0)))))
                    .isInstanceOfAny(IllegalArgumentException.class, StoreException.class);

            assertThat(store.find(a.id())).isEmpty();
            assertThat(store.find(c.id())).isEmpty();
            assertThat(store.latestSequence()).isEqualTo(latest);
            assertThat(store.stats("u1")).isEqualTo(InboxStats.EMPTY);
            assertThat(store.stats("u2")).isEqualTo(InboxStats.EMPTY);
            assertThat(store.stats("u3")).isEqualTo(InboxStats.EMPTY);
            assertThat(store.claimDue(t(100), 10, lease("node-a", t(200)))).isEmpty();
            assertThat(store.readAfter(0, "u1", Set.of(), 10).entries()).isEmpty();
        }

        @Test
        @DisplayName("stores nothing when two requests of the batch share an id")
        void rejectsABatchWithTwiceTheSameId() {
            Notification a = toUsers(T0, "u1");

            assertThatThrownBy(() -> store.saveAll(List.of(request(a), request(a))))
                    .isInstanceOfAny(IllegalArgumentException.class, StoreException.class);

            assertThat(store.find(a.id())).isEmpty();
            assertThat(store.latestSequence()).isZero();
        }

        @Test
        @DisplayName("releases the idempotency keys of a rejected batch")
        void forgetsTheKeysOfARejectedBatch() {
            Notification existing = toUsers(T0, "u9");
            store.save(request(existing));
            Notification keyed = notification().recipient("u1").idempotencyKey("k1").build();

            assertThatThrownBy(() -> store.saveAll(List.of(request(keyed), request(existing))))
                    .isInstanceOfAny(IllegalArgumentException.class, StoreException.class);

            PublishResult retry = store.save(request(keyed));
            assertThat(retry.duplicate()).isFalse();
            assertThat(store.find(keyed.id())).isPresent();
        }

        @Test
        @DisplayName("of nothing stores nothing")
        void ofNothing() {
            assertThat(store.saveAll(List.of())).isEmpty();
            assertThat(store.latestSequence()).isZero();
        }

        @Test
        @DisplayName("treats a key repeated inside the batch as a duplicate of the first")
        void deduplicatesInsideTheBatch() {
            Notification first = notification().recipient("u1").idempotencyKey("k").build();
            Notification second = notification().recipient("u1").idempotencyKey("k").build();

            List<PublishResult> results = store.saveAll(List.of(request(first), request(second)));

            assertThat(results.get(0).duplicate()).isFalse();
            assertThat(results.get(1).duplicate()).isTrue();
            assertThat(results.get(1).notification().id()).isEqualTo(first.id());
            assertThat(store.find(second.id())).isEmpty();
            assertThat(store.stats("u1").total()).isEqualTo(1);
        }
    }

    @Nested
    @DisplayName("idempotency")
    class Idempotency {

        @Test
        @DisplayName("returns the first notification for the same key in the same scope and stores nothing new")
        void sameKeySameScopeIsADuplicate() {
            Notification first = notification().recipient("u1").idempotencyKey("order-42").build();
            store.save(request(first, webhook("ep1", T0)));
            long latest = store.latestSequence();
            Notification again = notification().recipient("u1").idempotencyKey("order-42").title("again").build();

            PublishResult result = store.save(request(again, webhook("ep1", T0)));

            assertThat(result.duplicate()).isTrue();
            assertSameNotification(result.notification(), first);
            assertThat(result.events()).isEmpty();
            assertThat(result.deliveries()).isEmpty();
            assertThat(store.find(again.id())).isEmpty();
            assertThat(store.latestSequence()).isEqualTo(latest);
            assertThat(store.stats("u1").total()).isEqualTo(1);
            assertThat(store.deliveriesTo("webhook", "ep1", Optional.empty(), 10).items()).hasSize(1);
        }

        @Test
        @DisplayName("stores a new notification for the same key in another scope")
        void otherScopeIsNew() {
            store.save(request(notification().recipient("u1").idempotencyKey("k").build()));
            Notification other = notification().recipient("u1").idempotencyKey("k").build();

            PublishResult result = store.save(new PublishRequest(other, "publisher-2", audiencesOf(other), List.of(), Optional.empty()));

            assertThat(result.duplicate()).isFalse();
            assertThat(result.notification().id()).isEqualTo(other.id());
            assertThat(store.find(other.id())).isPresent();
        }

        @Test
        @DisplayName("stores a new notification for another key, and never deduplicates without a key")
        void otherKeyOrNoKeyIsNew() {
            store.save(request(notification().recipient("u1").idempotencyKey("k1").build()));

            assertThat(store.save(request(notification().recipient("u1").idempotencyKey("k2").build())).duplicate()).isFalse();
            assertThat(store.save(request(notification().recipient("u1").build())).duplicate()).isFalse();
            assertThat(store.save(request(notification().recipient("u1").build())).duplicate()).isFalse();
            assertThat(store.stats("u1").total()).isEqualTo(4);
        }

        @Test
        @DisplayName("lets a key be reused once pruning passed the idempotency window")
        void keyIsReusableAfterTheWindow() {
            Retention retention = new Retention(Duration.ofDays(7), 1_000_000, Duration.ofHours(1));
            Notification first = notification().recipient("u1").idempotencyKey("k").createdAt(T0).build();
            store.save(request(first));

            store.prune(T0.plus(Duration.ofMinutes(30)), retention);
            assertThat(store.save(request(notification().recipient("u1").idempotencyKey("k").build())).duplicate())
                    .as("inside the window").isTrue();

            store.prune(T0.plus(Duration.ofMinutes(61)), retention);
            Notification later = notification().recipient("u1").idempotencyKey("k").createdAt(t(3660)).build();
            PublishResult result = store.save(request(later));
            assertThat(result.duplicate()).as("after the window").isFalse();
            assertThat(result.notification().id()).isEqualTo(later.id());
        }
    }

    @Nested
    @DisplayName("readAll (tailing the whole log)")
    class ReadAll {

        @Test
        @DisplayName("returns every audience's entries in sequence order after the given one")
        void returnsEveryAudienceInOrder() {
            store.save(request(notification().recipients(List.of("u1", "u2")).topic("news").build()));
            store.save(request(notification().recipient("u3").build()));

            EventLogSlice all = store.readAll(0, 100);
            assertThat(all.entries()).hasSize(4);
            assertThat(all.entries()).extracting(EventLogEntry::sequence).isSorted().doesNotHaveDuplicates();
            assertThat(all.entries()).extracting(EventLogEntry::audience)
                    .containsExactly(Audience.user("u1"), Audience.user("u2"), Audience.topic("news"), Audience.user("u3"));
            assertThat(all.latestSequence()).isEqualTo(all.entries().get(3).sequence());

            long second = all.entries().get(1).sequence();
            assertThat(store.readAll(second, 100).entries()).extracting(EventLogEntry::sequence)
                    .containsExactly(all.entries().get(2).sequence(), all.entries().get(3).sequence());
            assertThat(store.readAll(0, 2).entries()).hasSize(2);
            assertThat(store.readAll(all.latestSequence(), 10).entries()).isEmpty();
        }

        @Test
        @DisplayName("says when entries after the requested sequence were pruned")
        void reportsPruning() {
            store.save(request(toUsers(T0, "u1")));
            store.save(request(toUsers(t(3600), "u1")));
            store.prune(t(3600).plus(java.time.Duration.ofDays(7)).minusSeconds(1),
                    new Retention(java.time.Duration.ofDays(7), 1_000_000, java.time.Duration.ofHours(1)));

            EventLogSlice s = store.readAll(0, 10);
            assertThat(s.pruned()).isTrue();
            assertThat(s.entries()).hasSize(1);
        }

        @Test
        @DisplayName("refuses a negative sequence and a limit below one")
        void refusesBadArguments() {
            assertThatThrownBy(() -> store.readAll(-1, 10)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.readAll(0, 0)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    @DisplayName("find")
    class Find {

        @Test
        @DisplayName("returns every field exactly as saved")
        void roundTripsEveryField() {
            Map<String, Object> nested = new LinkedHashMap<>();
            nested.put("deep", Arrays.asList(1, "two", null, true, Map.of("deeper", List.of())));
            nested.put("empty", Map.of());
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("task_id", "abc123");
            data.put("percent", 50);
            data.put("big", 9_007_199_254_740_993L);
            data.put("negative", -7);
            data.put("ratio", 3.25);
            data.put("ok", true);
            data.put("no", false);
            data.put("nothing", null);
            data.put("unicode", "日本語 ✓ émoji 🚀 \"quoted\" \\ back\nslash");
            data.put("list", Arrays.asList(1, 2.5, "x", null, List.of(List.of())));
            data.put("nested", nested);
            Notification n = notification()
                    .type(NotificationType.WARNING)
                    .event("task.progress")
                    .topic("task:abc123")
                    .priority(Priority.CRITICAL)
                    .recipients(List.of("u2", "u1", "ü-3"))
                    .title("Überschrift ✓")
                    .body("line one\nline two — ünïcödé 🚀")
                    .data(data)
                    .template("welcome")
                    .channels(List.of("webhook", "sse", "ws"))
                    .scheduledAt(t(60))
                    .expiresAt(t(3600))
                    .idempotencyKey("key-ü-1")
                    .metadata("source", "billing")
                    .metadata("ünï", "cödé ✓")
                    .createdAt(T0)
                    .build();

            store.save(request(n));

            assertSameNotification(store.find(n.id()).orElseThrow(), n);
            assertSameNotification(store.inbox(InboxQuery.firstPage("u1")).items().get(0).notification(), n);
            EventLogSlice slice = store.readAfter(0, "u1", Set.of("task:abc123"), 10);
            assertThat(slice.entries()).hasSize(2)
                    .allSatisfy(e -> assertSameNotification(e.notification(), n));
        }

        @Test
        @DisplayName("returns a minimal notification with its empty and absent fields")
        void roundTripsAMinimalNotification() {
            Notification n = Notification.builder().topic("t").createdAt(T0).build();

            store.save(request(n));

            Notification found = store.find(n.id()).orElseThrow();
            assertSameNotification(found, n);
            assertThat(found.recipients()).isEmpty();
            assertThat(found.data()).isEmpty();
            assertThat(found.metadata()).isEmpty();
            assertThat(found.channels()).isEmpty();
            assertThat(found.scheduledAt()).isEmpty();
            assertThat(found.title()).isEmpty();
        }

        @Test
        @DisplayName("finds nothing for an unknown id")
        void unknownIdIsEmpty() {
            assertThat(store.find("no-such-id")).isEmpty();
        }
    }

    @Nested
    @DisplayName("the event log")
    class TheEventLog {

        @Test
        @DisplayName("starts empty at sequence 0")
        void startsEmpty() {
            assertThat(store.latestSequence()).isZero();
            EventLogSlice slice = store.readAfter(0, "u1", Set.of("*"), 10);
            assertThat(slice.entries()).isEmpty();
            assertThat(slice.latestSequence()).isZero();
            assertThat(slice.pruned()).isFalse();
        }

        @Test
        @DisplayName("numbers entries with strictly increasing sequences, latestSequence being the last")
        void sequencesIncrease() {
            List<Long> sequences = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                store.save(request(toUsers(t(i), "u1", "u2"))).events().forEach(e -> sequences.add(e.sequence()));
            }

            assertThat(sequences).hasSize(10).isSorted().doesNotHaveDuplicates();
            assertThat(store.latestSequence()).isEqualTo(sequences.get(9));
        }

        @Test
        @DisplayName("gives a user only their own entries, oldest first")
        void readsPerUser() {
            Notification a = toUsers(T0, "u1");
            Notification b = toUsers(t(1), "u2");
            Notification c = toUsers(t(2), "u1", "u2");
            store.saveAll(List.of(request(a), request(b), request(c)));

            EventLogSlice slice = store.readAfter(0, "u1", Set.of(), 10);

            assertThat(eventIds(slice)).containsExactly(a.id(), c.id());
            assertThat(slice.entries()).allSatisfy(e -> assertThat(e.audience()).isEqualTo(Audience.user("u1")));
            assertThat(slice.latestSequence()).isEqualTo(store.latestSequence());
            assertThat(eventIds(store.readAfter(0, "u2", Set.of(), 10))).containsExactly(b.id(), c.id());
        }

        @Test
        @DisplayName("gives topic entries only to readers of that topic")
        void readsPerTopic() {
            Notification a = notification().topic("task:a").build();
            Notification b = notification().topic("task:b").build();
            Notification other = notification().topic("other").build();
            store.saveAll(List.of(request(a), request(b), request(other)));

            assertThat(eventIds(store.readAfter(0, "u1", Set.of("task:a"), 10))).containsExactly(a.id());
            assertThat(eventIds(store.readAfter(0, "u1", Set.of("task:a", "other"), 10))).containsExactly(a.id(), other.id());
            assertThat(eventIds(store.readAfter(0, "u1", Set.of(), 10))).isEmpty();
            assertThat(eventIds(store.readAfter(0, "u1", Set.of("task"), 10))).isEmpty();
        }

        @Test
        @DisplayName("matches prefix* patterns, and * matches every topic")
        void readsTopicPatterns() {
            Notification a = notification().topic("task:a").build();
            Notification b = notification().topic("task:b").build();
            Notification other = notification().topic("other").build();
            Notification mine = toUsers(T0, "u1");
            store.saveAll(List.of(request(a), request(b), request(other), request(mine)));

            assertThat(eventIds(store.readAfter(0, "u1", Set.of("task:*"), 10))).containsExactly(a.id(), b.id(), mine.id());
            assertThat(eventIds(store.readAfter(0, "u2", Set.of("task:*"), 10))).containsExactly(a.id(), b.id());
            assertThat(eventIds(store.readAfter(0, "u2", Set.of("*"), 10))).containsExactly(a.id(), b.id(), other.id());
            assertThat(eventIds(store.readAfter(0, "u2", Set.of("task:*", "task:a"), 10)))
                    .as("an entry matched twice is returned once").containsExactly(a.id(), b.id());
        }

        @Test
        @DisplayName("returns both the user's and the topic's entry of a notification addressed both ways")
        void readsUserAndTopicEntries() {
            Notification n = notification().recipient("u1").topic("task:a").build();
            store.save(request(n));

            EventLogSlice slice = store.readAfter(0, "u1", Set.of("task:a"), 10);

            assertThat(slice.entries()).extracting(EventLogEntry::audience)
                    .containsExactly(Audience.user("u1"), Audience.topic("task:a"));
        }

        @Test
        @DisplayName("returns only entries after the given sequence, at most limit, and resumes without gaps")
        void readsAfterASequenceWithALimit() {
            List<String> published = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                Notification n = toUsers(t(i), "u1");
                published.add(n.id());
                store.save(request(n));
                store.save(request(toUsers(t(i), "u2")));
            }

            EventLogSlice first = store.readAfter(0, "u1", Set.of(), 3);
            assertThat(eventIds(first)).containsExactlyElementsOf(published.subList(0, 3));
            long resumeAfter = first.entries().get(2).sequence();
            EventLogSlice second = store.readAfter(resumeAfter, "u1", Set.of(), 3);
            assertThat(eventIds(second)).containsExactlyElementsOf(published.subList(3, 6));
            EventLogSlice last = store.readAfter(second.entries().get(2).sequence(), "u1", Set.of(), 3);
            assertThat(eventIds(last)).containsExactly(published.get(6));
            assertThat(store.readAfter(store.latestSequence(), "u1", Set.of("*"), 3).entries()).isEmpty();
        }

        @Test
        @DisplayName("reports the log's latest sequence even when nothing matches")
        void reportsTheLatestSequence() {
            store.save(request(toUsers(T0, "u2")));

            EventLogSlice slice = store.readAfter(0, "u1", Set.of("nothing"), 10);

            assertThat(slice.entries()).isEmpty();
            assertThat(slice.latestSequence()).isEqualTo(store.latestSequence()).isPositive();
        }

        @Test
        @DisplayName("refuses a negative sequence and a limit that is not positive")
        void refusesBadArguments() {
            assertThatThrownBy(() -> store.readAfter(-1, "u1", Set.of(), 10)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.readAfter(0, "u1", Set.of(), 0)).isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        @DisplayName("prunes entries older than the maximum age and flags readers who missed them")
        void prunesByAge() {
            Notification old = toUsers(T0, "u1");
            Notification recent = toUsers(t(600), "u1");
            PublishResult oldResult = store.save(request(old));
            store.save(request(recent));
            long latest = store.latestSequence();

            long removed = store.prune(t(3600), new Retention(Duration.ofMinutes(55), 1_000_000, Duration.ofHours(24)));

            assertThat(removed).isEqualTo(1);
            EventLogSlice fromStart = store.readAfter(0, "u1", Set.of(), 10);
            assertThat(eventIds(fromStart)).containsExactly(recent.id());
            assertThat(fromStart.pruned()).isTrue();
            EventLogSlice afterPruned = store.readAfter(oldResult.events().get(0).sequence(), "u1", Set.of(), 10);
            assertThat(eventIds(afterPruned)).containsExactly(recent.id());
            assertThat(afterPruned.pruned()).isFalse();
            assertThat(store.latestSequence()).isEqualTo(latest);
        }

        @Test
        @DisplayName("prunes all but the newest entries beyond the maximum count")
        void prunesByCount() {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                Notification n = toUsers(t(i), "u1");
                ids.add(n.id());
                store.save(request(n));
            }

            long removed = store.prune(t(10), new Retention(Duration.ofDays(7), 2, Duration.ofHours(24)));

            assertThat(removed).isEqualTo(3);
            EventLogSlice slice = store.readAfter(0, "u1", Set.of(), 10);
            assertThat(eventIds(slice)).containsExactlyElementsOf(ids.subList(3, 5));
            assertThat(slice.pruned()).isTrue();
        }

        @Test
        @DisplayName("prunes nothing within retention, and the log goes on numbering after a prune")
        void keepsNumberingAfterPruning() {
            store.save(request(toUsers(T0, "u1")));
            assertThat(store.prune(t(10), Retention.DEFAULT)).isZero();
            assertThat(store.readAfter(0, "u1", Set.of(), 10).pruned()).isFalse();

            store.save(request(toUsers(t(1), "u1")));
            long before = store.latestSequence();
            store.prune(t(10), new Retention(Duration.ofDays(7), 1, Duration.ofHours(24)));
            PublishResult next = store.save(request(toUsers(t(2), "u1")));

            assertThat(next.events().get(0).sequence()).isGreaterThan(before);
            assertThat(store.latestSequence()).isEqualTo(next.events().get(0).sequence());
        }
    }

    @Nested
    @DisplayName("claimDue")
    class ClaimDue {

        @Test
        @DisplayName("claims only deliveries that are due, including one due exactly now")
        void claimsOnlyDueDeliveries() {
            DeliveryRecord now = saveOneDelivery(Priority.NORMAL, t(10));
            DeliveryRecord past = saveOneDelivery(Priority.NORMAL, T0);
            saveOneDelivery(Priority.NORMAL, t(11));

            List<DeliveryRecord> claimed = store.claimDue(t(10), 10, lease("node-a", t(60)));

            assertThat(ids(claimed)).containsExactly(past.id(), now.id());
            assertThat(claimed).allSatisfy(d -> assertThat(d.status()).isEqualTo(DeliveryStatus.PENDING));
        }

        @Test
        @DisplayName("claims critical before high before normal before low")
        void claimsByPriority() {
            DeliveryRecord low = saveOneDelivery(Priority.LOW, T0);
            DeliveryRecord normal = saveOneDelivery(Priority.NORMAL, T0);
            DeliveryRecord critical = saveOneDelivery(Priority.CRITICAL, t(5));
            DeliveryRecord high = saveOneDelivery(Priority.HIGH, T0);

            List<DeliveryRecord> claimed = store.claimDue(t(10), 10, lease("node-a", t(60)));

            assertThat(ids(claimed)).containsExactly(critical.id(), high.id(), normal.id(), low.id());
            assertThat(claimed.get(0).priority()).isEqualTo(Priority.CRITICAL);
        }

        @Test
        @DisplayName("claims the oldest due first within one priority")
        void claimsOldestDueFirst() {
            DeliveryRecord third = saveOneDelivery(Priority.HIGH, t(3));
            DeliveryRecord first = saveOneDelivery(Priority.HIGH, t(1));
            DeliveryRecord second = saveOneDelivery(Priority.HIGH, t(2));

            assertThat(ids(store.claimDue(t(10), 10, lease("node-a", t(60))))).containsExactly(first.id(), second.id(), third.id());
        }

        @Test
        @DisplayName("claims at most limit, the most urgent first, and the rest on the next claim")
        void respectsTheLimit() {
            DeliveryRecord a = saveOneDelivery(Priority.LOW, T0);
            DeliveryRecord b = saveOneDelivery(Priority.CRITICAL, T0);
            DeliveryRecord c = saveOneDelivery(Priority.NORMAL, T0);

            assertThat(ids(store.claimDue(t(1), 2, lease("node-a", t(60))))).containsExactly(b.id(), c.id());
            assertThat(ids(store.claimDue(t(1), 2, lease("node-a", t(60))))).containsExactly(a.id());
            assertThat(store.claimDue(t(1), 2, lease("node-a", t(60)))).isEmpty();
        }

        @Test
        @DisplayName("does not hand out a delivery again while its lease holds")
        void leasedDeliveriesAreNotClaimedAgain() {
            saveOneDelivery(Priority.NORMAL, T0);
            assertThat(store.claimDue(t(1), 10, lease("node-a", t(60)))).hasSize(1);

            assertThat(store.claimDue(t(30), 10, lease("node-b", t(90)))).isEmpty();
            assertThat(store.claimDue(t(59), 10, lease("node-a", t(90)))).isEmpty();
        }

        @Test
        @DisplayName("lets another owner claim a delivery whose lease lapsed")
        void lapsedLeasesAreClaimable() {
            DeliveryRecord d = saveOneDelivery(Priority.NORMAL, T0);
            store.claimDue(t(1), 10, lease("node-a", t(60)));

            List<DeliveryRecord> taken = store.claimDue(t(61), 10, lease("node-b", t(120)));

            assertThat(ids(taken)).containsExactly(d.id());
            assertThat(store.claimDue(t(62), 10, lease("node-a", t(120)))).as("node-b holds it now").isEmpty();
        }

        @Test
        @DisplayName("creates deliveries due now already leased when saved with a lease, and the others claimable")
        void saveWithALeaseLeasesTheDueDeliveries() {
            Notification n = notification().recipient("u1").createdAt(T0).build();
            PublishResult result = store.save(new PublishRequest(n, SCOPE, audiencesOf(n),
                    List.of(webhook("ep1", T0), webhook("ep2", t(10))), Optional.of(lease("node-a", t(60)))));
            DeliveryRecord dueNow = result.deliveries().get(0);
            DeliveryRecord later = result.deliveries().get(1);

            assertThat(store.claimDue(T0, 10, lease("node-b", t(90)))).as("the due one is leased to node-a").isEmpty();
            assertThat(ids(store.claimDue(t(20), 10, lease("node-b", t(90))))).as("the later one was not leased")
                    .containsExactly(later.id());
            assertThat(ids(store.claimDue(t(61), 10, lease("node-b", t(120))))).as("node-a's lease lapsed")
                    .containsExactly(dueNow.id());
        }

        @Test
        @DisplayName("never claims sent, failed or cancelled deliveries")
        void skipsTerminalDeliveries() {
            DeliveryRecord sent = saveOneDelivery(Priority.NORMAL, T0);
            DeliveryRecord failed = saveOneDelivery(Priority.NORMAL, T0);
            DeliveryRecord cancelled = saveOneDelivery(Priority.NORMAL, T0);
            markSent(sent.id(), t(1));
            markFailed(failed.id(), t(1));
            store.cancel(cancelled.notificationId());

            assertThat(store.claimDue(t(1000), 10, lease("node-a", t(2000)))).isEmpty();
        }

        @Test
        @DisplayName("claims nothing from an empty store")
        void claimsNothingWhenEmpty() {
            assertThat(store.claimDue(T0, 10, lease("node-a", t(60)))).isEmpty();
        }
    }

    @Nested
    @DisplayName("recordAttempt")
    class RecordAttempt {

        @Test
        @DisplayName("makes a sent delivery terminal")
        void sentIsTerminal() {
            DeliveryRecord d = saveOneDelivery(Priority.NORMAL, T0);
            store.claimDue(t(1), 10, lease("node-a", t(60)));

            DeliveryRecord after = store.recordAttempt(attempt(d.id(), 1, t(1), DeliveryResult.sent().withStatusCode(200)),
                    DeliveryStatus.SENT, Optional.empty()).orElseThrow();

            assertThat(after.status()).isEqualTo(DeliveryStatus.SENT);
            assertThat(after.attempts()).isEqualTo(1);
            assertThat(after.nextAttemptAt()).isEmpty();
            assertThat(store.delivery(d.id())).get().extracting(DeliveryRecord::status).isEqualTo(DeliveryStatus.SENT);
            assertThat(store.claimDue(t(1000), 10, lease("node-b", t(2000)))).isEmpty();
        }

        @Test
        @DisplayName("makes a failed delivery a dead letter with its error")
        void failedIsTerminal() {
            DeliveryRecord d = saveOneDelivery(Priority.NORMAL, T0);

            DeliveryRecord after = store.recordAttempt(attempt(d.id(), 1, t(1), DeliveryResult.failed("endpoint answered 400")),
                    DeliveryStatus.FAILED, Optional.empty()).orElseThrow();

            assertThat(after.status()).isEqualTo(DeliveryStatus.FAILED);
            assertThat(after.lastError()).contains("endpoint answered 400");
            assertThat(after.nextAttemptAt()).isEmpty();
            assertThat(ids(store.deadLetters(Optional.empty(), 10).items())).containsExactly(d.id());
            assertThat(store.claimDue(t(1000), 10, lease("node-b", t(2000)))).isEmpty();
        }

        @Test
        @DisplayName("schedules a retrying delivery for its next attempt and counts the attempts")
        void retryingIsDueAgainLater() {
            DeliveryRecord d = saveOneDelivery(Priority.NORMAL, T0);
            store.claimDue(t(1), 10, lease("node-a", t(60)));

            DeliveryRecord after = store.recordAttempt(attempt(d.id(), 1, t(1), DeliveryResult.retryLater("busy")),
                    DeliveryStatus.RETRYING, Optional.of(t(30))).orElseThrow();

            assertThat(after.status()).isEqualTo(DeliveryStatus.RETRYING);
            assertThat(after.attempts()).isEqualTo(1);
            assertThat(after.nextAttemptAt()).contains(t(30));
            assertThat(after.lastError()).contains("busy");
            assertThat(store.claimDue(t(29), 10, lease("node-a", t(90)))).isEmpty();
            List<DeliveryRecord> retry = store.claimDue(t(30), 10, lease("node-a", t(90)));
            assertThat(ids(retry)).containsExactly(d.id());
            assertThat(retry.get(0).status()).isEqualTo(DeliveryStatus.RETRYING);

            DeliveryRecord second = store.recordAttempt(attempt(d.id(), 2, t(30), DeliveryResult.sent()),
                    DeliveryStatus.SENT, Optional.empty()).orElseThrow();
            assertThat(second.attempts()).isEqualTo(2);
            assertThat(second.status()).isEqualTo(DeliveryStatus.SENT);
        }

        @Test
        @DisplayName("releases the lease, so a retry due before the lease ends is claimable")
        void releasesTheLease() {
            DeliveryRecord d = saveOneDelivery(Priority.NORMAL, T0);
            store.claimDue(t(1), 10, lease("node-a", t(60)));

            markRetrying(d.id(), t(1), t(5));

            assertThat(ids(store.claimDue(t(5), 10, lease("node-b", t(90))))).containsExactly(d.id());
        }

        @Test
        @DisplayName("logs every attempt in order with status code, error and response")
        void logsAttempts() {
            DeliveryRecord d = saveOneDelivery(Priority.NORMAL, T0);
            DeliveryAttempt first = attempt(d.id(), 1, t(1),
                    DeliveryResult.retryLater("server error").withStatusCode(503).withResponse("{\"error\":\"down ✗\"}"));
            DeliveryAttempt second = attempt(d.id(), 2, t(31), DeliveryResult.sent().withStatusCode(204));

            store.recordAttempt(first, DeliveryStatus.RETRYING, Optional.of(t(30)));
            store.recordAttempt(second, DeliveryStatus.SENT, Optional.empty());

            List<DeliveryAttempt> attempts = store.attempts(d.id());
            assertThat(attempts).hasSize(2);
            assertThat(attempts.get(0)).isEqualTo(first);
            assertThat(attempts.get(0).statusCode()).isEqualTo(OptionalInt.of(503));
            assertThat(attempts.get(0).error()).contains("server error");
            assertThat(attempts.get(0).response()).contains("{\"error\":\"down ✗\"}");
            assertThat(attempts.get(1)).isEqualTo(second);
            assertThat(attempts.get(1).error()).isEmpty();
            assertThat(attempts.get(1).response()).isEmpty();
        }

        @Test
        @DisplayName("keeps a delivery cancelled meanwhile cancelled, but still logs the attempt")
        void cancelledStaysCancelled() {
            DeliveryRecord d = saveOneDelivery(Priority.NORMAL, T0);
            store.claimDue(t(1), 10, lease("node-a", t(60)));
            store.cancel(d.notificationId());

            Optional<DeliveryRecord> after = store.recordAttempt(attempt(d.id(), 1, t(2), DeliveryResult.sent()),
                    DeliveryStatus.SENT, Optional.empty());

            assertThat(after).get().extracting(DeliveryRecord::status).isEqualTo(DeliveryStatus.CANCELLED);
            assertThat(store.delivery(d.id())).get().extracting(DeliveryRecord::status).isEqualTo(DeliveryStatus.CANCELLED);
            assertThat(store.attempts(d.id())).hasSize(1);
            assertThat(store.claimDue(t(1000), 10, lease("node-b", t(2000)))).isEmpty();
        }

        @Test
        @DisplayName("returns empty for an unknown delivery, which has no attempts")
        void unknownDelivery() {
            assertThat(store.recordAttempt(attempt(987_654, 1, T0, DeliveryResult.sent()), DeliveryStatus.SENT, Optional.empty()))
                    .isEmpty();
            assertThat(store.attempts(987_654)).isEmpty();
        }
    }

    @Nested
    @DisplayName("release")
    class Release {

        @Test
        @DisplayName("hands a claimed delivery back, due again at the given time, without counting an attempt")
        void makesTheDeliveryClaimableAgain() {
            DeliveryRecord d = saveOneDelivery(Priority.NORMAL, T0);
            store.claimDue(t(1), 10, lease("node-a", t(60)));

            store.release(d.id(), t(5));

            assertThat(store.claimDue(t(4), 10, lease("node-b", t(90)))).isEmpty();
            List<DeliveryRecord> claimed = store.claimDue(t(5), 10, lease("node-b", t(90)));
            assertThat(ids(claimed)).containsExactly(d.id());
            assertThat(claimed.get(0).attempts()).isZero();
            assertThat(store.attempts(d.id())).isEmpty();
        }

        @Test
        @DisplayName("ignores an unknown id")
        void ignoresUnknownIds() {
            assertThatCode(() -> store.release(987_654, T0)).doesNotThrowAnyException();
        }
    }

    @Nested
    @DisplayName("listing deliveries")
    class ListingDeliveries {

        @Test
        @DisplayName("finds a delivery by id, and nothing for an unknown one")
        void findsById() {
            DeliveryRecord d = saveOneDelivery(Priority.HIGH, T0);

            assertThat(store.delivery(d.id())).get().usingRecursiveComparison().ignoringFields("createdAt", "updatedAt").isEqualTo(d);
            assertThat(store.delivery(987_654)).isEmpty();
        }

        @Test
        @DisplayName("lists every delivery of a notification, and none of an unknown one")
        void listsPerNotification() {
            Notification n = notification().recipient("u1").build();
            PublishResult r = store.save(request(n, webhook("ep1", T0), webhook("ep2", T0), new NewDelivery("recording", "u1", T0)));
            saveOneDelivery(Priority.NORMAL, T0);

            assertThat(ids(store.deliveries(n.id()))).containsExactlyInAnyOrderElementsOf(ids(r.deliveries()));
            assertThat(store.deliveries("no-such-id")).isEmpty();
        }

        @Test
        @DisplayName("pages through one target's deliveries newest first, without duplicates or gaps")
        void pagesPerTargetNewestFirst() {
            List<Long> toEp1 = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                Notification n = toUsers(t(i), "u1");
                PublishResult r = store.save(request(n, webhook("ep1", t(i)), webhook("ep2", t(i)), new NewDelivery("other", "ep1", t(i))));
                toEp1.add(r.deliveries().get(0).id());
            }
            List<Long> newestFirst = new ArrayList<>(toEp1);
            Collections.reverse(newestFirst);

            List<DeliveryRecord> all = allPages(c -> store.deliveriesTo("webhook", "ep1", c, 2), 2, 5);

            assertThat(ids(all)).containsExactlyElementsOf(newestFirst);
            assertThat(all).allSatisfy(d -> {
                assertThat(d.channel()).isEqualTo("webhook");
                assertThat(d.target()).isEqualTo("ep1");
            });
            assertThat(store.deliveriesTo("webhook", "nobody", Optional.empty(), 10).items()).isEmpty();
            assertThat(store.deliveriesTo("webhook", "nobody", Optional.empty(), 10).nextCursor()).isEmpty();
        }
    }

    @Nested
    @DisplayName("retention of deliveries and notifications")
    class RetentionOfDeliveriesAndNotifications {

        private static final Duration DAY = Duration.ofDays(1);

        /** Events and idempotency keys kept long; deliveries for an hour; notifications for {@code notificationMaxAge}. */
        private Retention retention(Duration notificationMaxAge) {
            return new Retention(Duration.ofDays(7), 1_000_000, Duration.ofHours(24), Duration.ofHours(1), notificationMaxAge);
        }

        @Test
        @DisplayName("the three-argument constructor and DEFAULT keep sent deliveries for 7 days and notifications for 90")
        void defaults() {
            Retention r = new Retention(Duration.ofDays(1), 10, Duration.ofHours(1));
            assertThat(r.deliveryMaxAge()).isEqualTo(Duration.ofDays(7));
            assertThat(r.notificationMaxAge()).isEqualTo(Duration.ofDays(90));
            assertThat(Retention.DEFAULT.deliveryMaxAge()).isEqualTo(Duration.ofDays(7));
            assertThat(Retention.DEFAULT.notificationMaxAge()).isEqualTo(Duration.ofDays(90));
        }

        @Test
        @DisplayName("removes a sent delivery and its attempts past deliveryMaxAge and keeps a recent one")
        void removesOldSentDeliveries() {
            DeliveryRecord old = saveOneDelivery(Priority.NORMAL, T0);
            markRetrying(old.id(), t(1), t(2));
            store.recordAttempt(attempt(old.id(), 2, t(2), DeliveryResult.sent()), DeliveryStatus.SENT, Optional.empty());
            DeliveryRecord recent = saveOneDelivery(Priority.NORMAL, T0);
            markSent(recent.id(), t(200));
            assertThat(store.attempts(old.id())).hasSize(2);

            store.prune(t(3700), retention(Duration.ofDays(90)));

            assertThat(store.delivery(old.id())).isEmpty();
            assertThat(store.attempts(old.id())).isEmpty();
            assertThat(store.deliveries(old.notificationId())).isEmpty();
            assertThat(store.delivery(recent.id())).get().extracting(DeliveryRecord::status).isEqualTo(DeliveryStatus.SENT);
            assertThat(store.attempts(recent.id())).hasSize(1);
            assertThat(ids(store.deliveriesTo("webhook", "ep1", Optional.empty(), 10).items())).containsExactly(recent.id());
            assertThat(store.countByStatus().getOrDefault(DeliveryStatus.SENT, 0L)).isEqualTo(1);
            assertThat(store.find(old.notificationId())).as("the notification is younger than notificationMaxAge").isPresent();
            assertThat(store.stats("u1").total()).isEqualTo(2);
        }

        @Test
        @DisplayName("never removes a pending or retrying delivery, nor its notification")
        void keepsPendingAndRetryingDeliveries() {
            DeliveryRecord pending = saveOneDelivery(Priority.NORMAL, T0);
            DeliveryRecord retrying = saveOneDelivery(Priority.NORMAL, T0);
            markRetrying(retrying.id(), t(1), t(500));
            Notification mixed = notification().recipient("u2").build();
            List<DeliveryRecord> m = store.save(request(mixed, webhook("ep2", T0), webhook("ep3", T0))).deliveries();
            markFailed(m.get(0).id(), t(1));
            Instant muchLater = T0.plus(Duration.ofDays(400));

            store.prune(muchLater, retention(DAY));

            assertThat(store.find(mixed.id())).as("a notification with a pending delivery").isPresent();
            assertThat(ids(store.deadLetters(Optional.empty(), 10).items()))
                    .as("its dead letter stays with it").containsExactly(m.get(0).id());

            assertThat(store.delivery(pending.id())).get().extracting(DeliveryRecord::status).isEqualTo(DeliveryStatus.PENDING);
            assertThat(store.delivery(retrying.id())).get().extracting(DeliveryRecord::status).isEqualTo(DeliveryStatus.RETRYING);
            assertThat(store.attempts(retrying.id())).hasSize(1);
            assertThat(store.find(pending.notificationId())).isPresent();
            assertThat(store.find(retrying.notificationId())).isPresent();
            assertThat(ids(store.claimDue(muchLater, 10, lease("node-a", muchLater.plusSeconds(60)))))
                    .containsExactlyInAnyOrder(pending.id(), retrying.id(), m.get(1).id());
        }

        @Test
        @DisplayName("keeps a dead letter past deliveryMaxAge and removes it with its notification")
        void keepsDeadLettersUntilTheNotificationGoes() {
            DeliveryRecord dead = saveOneDelivery(Priority.NORMAL, T0);
            markFailed(dead.id(), t(1));
            Retention retention = retention(Duration.ofDays(30));

            store.prune(T0.plus(Duration.ofDays(29)), retention);

            assertThat(ids(store.deadLetters(Optional.empty(), 10).items())).containsExactly(dead.id());
            assertThat(store.attempts(dead.id())).hasSize(1);
            assertThat(store.find(dead.notificationId())).isPresent();

            store.prune(T0.plus(Duration.ofDays(31)), retention);

            assertThat(store.deadLetters(Optional.empty(), 10).items()).isEmpty();
            assertThat(store.delivery(dead.id())).isEmpty();
            assertThat(store.attempts(dead.id())).isEmpty();
            assertThat(store.find(dead.notificationId())).isEmpty();
            assertThat(store.countByStatus().getOrDefault(DeliveryStatus.FAILED, 0L)).isZero();
        }

        @Test
        @DisplayName("removes a notification past notificationMaxAge from find, the inbox, its stats and the log")
        void removesOldNotifications() {
            Notification old = toUsers(T0, "u1", "u2");
            List<DeliveryRecord> d = store.save(request(old, webhook("ep1", T0), webhook("ep2", T0))).deliveries();
            markSent(d.get(0).id(), t(1));
            markFailed(d.get(1).id(), t(1));
            store.mark("u2", List.of(old.id()), true, t(2));
            Notification recent = toUsers(t(200), "u1");
            store.save(request(recent));

            store.prune(t(86_400 + 150), new Retention(Duration.ofDays(7), 1_000_000, Duration.ofHours(24),
                    Duration.ofDays(7), DAY));

            assertThat(store.find(old.id())).isEmpty();
            assertThat(store.find(recent.id())).isPresent();
            assertThat(notificationIds(store.inbox(new InboxQuery("u1", false, Optional.empty(), 10)).items())).containsExactly(recent.id());
            assertThat(store.inbox(new InboxQuery("u2", false, Optional.empty(), 10)).items()).isEmpty();
            assertThat(store.stats("u1")).isEqualTo(new InboxStats(1, 1, 0));
            assertThat(store.stats("u2")).isEqualTo(new InboxStats(0, 0, 0));
            assertThat(store.deliveries(old.id())).isEmpty();
            assertThat(store.delivery(d.get(0).id())).isEmpty();
            assertThat(store.attempts(d.get(1).id())).isEmpty();
            assertThat(store.deadLetters(Optional.empty(), 10).items()).isEmpty();
            EventLogSlice log = store.readAfter(0, "u1", Set.of(), 10);
            assertThat(eventIds(log)).containsExactly(recent.id());
            assertThat(log.pruned()).isTrue();
        }
    }

    @Nested
    @DisplayName("cancel")
    class Cancel {

        @Test
        @DisplayName("cancels the pending and retrying deliveries and leaves sent and failed ones alone")
        void cancelsOnlyPendingAndRetrying() {
            Notification n = notification().recipient("u1").build();
            List<DeliveryRecord> d = store.save(request(n,
                    webhook("ep1", T0), webhook("ep2", T0), webhook("ep3", T0), webhook("ep4", t(100)))).deliveries();
            markSent(d.get(0).id(), t(1));
            markFailed(d.get(1).id(), t(1));
            markRetrying(d.get(2).id(), t(1), t(30));

            List<DeliveryRecord> cancelled = store.cancel(n.id());

            assertThat(ids(cancelled)).containsExactlyInAnyOrder(d.get(2).id(), d.get(3).id());
            assertThat(cancelled).allSatisfy(c -> assertThat(c.status()).isEqualTo(DeliveryStatus.CANCELLED));
            assertThat(store.delivery(d.get(0).id())).get().extracting(DeliveryRecord::status).isEqualTo(DeliveryStatus.SENT);
            assertThat(store.delivery(d.get(1).id())).get().extracting(DeliveryRecord::status).isEqualTo(DeliveryStatus.FAILED);
            assertThat(store.delivery(d.get(3).id())).get().extracting(DeliveryRecord::status).isEqualTo(DeliveryStatus.CANCELLED);
            assertThat(store.claimDue(t(1000), 10, lease("node-a", t(2000)))).isEmpty();
        }

        @Test
        @DisplayName("cancels a leased delivery too")
        void cancelsLeasedDeliveries() {
            DeliveryRecord d = saveOneDelivery(Priority.NORMAL, T0);
            store.claimDue(t(1), 10, lease("node-a", t(60)));

            assertThat(ids(store.cancel(d.notificationId()))).containsExactly(d.id());
            assertThat(store.claimDue(t(61), 10, lease("node-b", t(120)))).isEmpty();
        }

        @Test
        @DisplayName("cancels nothing the second time, nor for an unknown notification")
        void cancelsNothingTwice() {
            DeliveryRecord d = saveOneDelivery(Priority.NORMAL, T0);
            store.cancel(d.notificationId());

            assertThat(store.cancel(d.notificationId())).isEmpty();
            assertThat(store.cancel("no-such-id")).isEmpty();
        }
    }

    @Nested
    @DisplayName("dead letters")
    class DeadLetters {

        @Test
        @DisplayName("lists failed deliveries newest first, page by page, and nothing else")
        void listsFailedNewestFirst() {
            List<Long> failed = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                DeliveryRecord d = saveOneDelivery(Priority.NORMAL, t(i));
                markFailed(d.id(), t(10 + i));
                failed.add(0, d.id());
            }
            markSent(saveOneDelivery(Priority.NORMAL, T0).id(), t(20));
            markRetrying(saveOneDelivery(Priority.NORMAL, T0).id(), t(20), t(50));
            saveOneDelivery(Priority.NORMAL, T0);

            List<DeliveryRecord> all = allPages(c -> store.deadLetters(c, 2), 2, 5);

            assertThat(ids(all)).containsExactlyElementsOf(failed);
            assertThat(all).allSatisfy(d -> assertThat(d.status()).isEqualTo(DeliveryStatus.FAILED));
        }

        @Test
        @DisplayName("replays a dead letter: pending, attempts reset, due now, history kept")
        void replaysADeadLetter() {
            DeliveryRecord d = saveOneDelivery(Priority.NORMAL, T0);
            markRetrying(d.id(), t(1), t(2));
            store.recordAttempt(attempt(d.id(), 2, t(2), DeliveryResult.failed("gone")), DeliveryStatus.FAILED, Optional.empty());

            DeliveryRecord replayed = store.replay(d.id(), t(100)).orElseThrow();

            assertThat(replayed.status()).isEqualTo(DeliveryStatus.PENDING);
            assertThat(replayed.attempts()).isZero();
            assertThat(replayed.nextAttemptAt()).contains(t(100));
            assertThat(store.attempts(d.id())).hasSize(2);
            assertThat(store.deadLetters(Optional.empty(), 10).items()).isEmpty();
            assertThat(store.claimDue(t(99), 10, lease("node-a", t(200)))).isEmpty();
            assertThat(ids(store.claimDue(t(100), 10, lease("node-a", t(200))))).containsExactly(d.id());
        }

        @Test
        @DisplayName("replays nothing that is not a dead letter")
        void replaysOnlyFailedDeliveries() {
            DeliveryRecord pending = saveOneDelivery(Priority.NORMAL, T0);
            DeliveryRecord sent = saveOneDelivery(Priority.NORMAL, T0);
            markSent(sent.id(), t(1));

            assertThat(store.replay(pending.id(), t(5))).isEmpty();
            assertThat(store.replay(sent.id(), t(5))).isEmpty();
            assertThat(store.replay(987_654, t(5))).isEmpty();
            assertThat(store.delivery(sent.id())).get().extracting(DeliveryRecord::status).isEqualTo(DeliveryStatus.SENT);
            assertThat(store.delivery(pending.id())).get().extracting(DeliveryRecord::nextAttemptAt).isEqualTo(Optional.of(T0));
        }
    }

    @Nested
    @DisplayName("countByStatus")
    class CountByStatus {

        @Test
        @DisplayName("counts the deliveries in each status")
        void countsEachStatus() {
            saveOneDelivery(Priority.NORMAL, T0);
            saveOneDelivery(Priority.NORMAL, T0);
            markSent(saveOneDelivery(Priority.NORMAL, T0).id(), t(1));
            markRetrying(saveOneDelivery(Priority.NORMAL, T0).id(), t(1), t(30));
            markFailed(saveOneDelivery(Priority.NORMAL, T0).id(), t(1));
            DeliveryRecord replayed = saveOneDelivery(Priority.NORMAL, T0);
            markFailed(replayed.id(), t(1));
            store.replay(replayed.id(), t(2));
            store.cancel(saveOneDelivery(Priority.NORMAL, T0).notificationId());

            Map<DeliveryStatus, Long> counts = store.countByStatus();

            assertThat(counts.getOrDefault(DeliveryStatus.PENDING, 0L)).isEqualTo(3);
            assertThat(counts.getOrDefault(DeliveryStatus.SENT, 0L)).isEqualTo(1);
            assertThat(counts.getOrDefault(DeliveryStatus.RETRYING, 0L)).isEqualTo(1);
            assertThat(counts.getOrDefault(DeliveryStatus.FAILED, 0L)).isEqualTo(1);
            assertThat(counts.getOrDefault(DeliveryStatus.CANCELLED, 0L)).isEqualTo(1);
        }

        @Test
        @DisplayName("counts nothing in an empty store")
        void countsNothingWhenEmpty() {
            assertThat(store.countByStatus().values()).allSatisfy(n -> assertThat(n).isZero());
        }
    }

    @Nested
    @DisplayName("the inbox")
    class TheInbox {

        private List<String> publishTo(String user, int count) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                Notification n = toUsers(t(i), user);
                store.save(request(n));
                ids.add(n.id());
            }
            return ids;
        }

        @Test
        @DisplayName("lists a user's notifications newest first, as unread items of that user")
        void listsNewestFirst() {
            List<String> ids = publishTo("u1", 3);

            Page<InboxItem> page = store.inbox(InboxQuery.firstPage("u1"));

            assertThat(notificationIds(page.items())).containsExactly(ids.get(2), ids.get(1), ids.get(0));
            assertThat(page.items()).allSatisfy(i -> {
                assertThat(i.userId()).isEqualTo("u1");
                assertThat(i.read()).isFalse();
                assertThat(i.readAt()).isEmpty();
            });
            assertThat(page.nextCursor()).isEmpty();
        }

        @Test
        @DisplayName("pages with a cursor, without duplicates or gaps, even when newer ones arrive meanwhile")
        void pagesWithoutDuplicatesOrGaps() {
            List<String> ids = publishTo("u1", 25);
            List<String> newestFirst = new ArrayList<>(ids);
            Collections.reverse(newestFirst);

            Page<InboxItem> first = store.inbox(new InboxQuery("u1", false, Optional.empty(), 10));
            store.save(request(toUsers(t(1000), "u1")));
            List<InboxItem> rest = allPages(c -> store.inbox(new InboxQuery("u1", false, c, 10)), 10, 26);

            assertThat(first.nextCursor()).isPresent();
            List<InboxItem> pagedFromFirstCursor = allPagesFrom(first.nextCursor().get());
            List<String> seen = new ArrayList<>(notificationIds(first.items()));
            seen.addAll(notificationIds(pagedFromFirstCursor));
            assertThat(seen).containsExactlyElementsOf(newestFirst);
            assertThat(rest).hasSize(26);
        }

        private List<InboxItem> allPagesFrom(String cursor) {
            List<InboxItem> items = new ArrayList<>();
            Optional<String> c = Optional.of(cursor);
            for (int pages = 0; c.isPresent(); pages++) {
                assertThat(pages).isLessThan(10);
                Page<InboxItem> page = store.inbox(new InboxQuery("u1", false, c, 10));
                items.addAll(page.items());
                c = page.nextCursor();
            }
            return items;
        }

        @Test
        @DisplayName("lists only unread notifications when asked, paging through them too")
        void listsUnreadOnly() {
            List<String> ids = publishTo("u1", 6);
            store.mark("u1", List.of(ids.get(1), ids.get(3)), true, t(100));

            List<InboxItem> unread = allPages(c -> store.inbox(new InboxQuery("u1", true, c, 2)), 2, 4);

            assertThat(notificationIds(unread)).containsExactly(ids.get(5), ids.get(4), ids.get(2), ids.get(0));
            assertThat(unread).noneMatch(InboxItem::read);
        }

        @Test
        @DisplayName("counts total, unread and read")
        void countsStats() {
            List<String> ids = publishTo("u1", 4);
            store.mark("u1", List.of(ids.get(0)), true, t(100));

            assertThat(store.stats("u1")).isEqualTo(new InboxStats(4, 3, 1));
        }

        @Test
        @DisplayName("marks read and unread, counting only real changes")
        void marksReadAndUnread() {
            List<String> ids = publishTo("u1", 3);

            assertThat(store.mark("u1", List.of(ids.get(0), ids.get(1)), true, t(100))).isEqualTo(2);
            assertThat(store.mark("u1", List.of(ids.get(0), ids.get(2)), true, t(200))).isEqualTo(1);
            InboxItem first = itemOf("u1", ids.get(0));
            assertThat(first.read()).isTrue();
            assertThat(first.readAt()).as("the first mark counts").contains(t(100));

            assertThat(store.mark("u1", List.of(ids.get(0)), false, t(300))).isEqualTo(1);
            assertThat(store.mark("u1", List.of(ids.get(0)), false, t(300))).isZero();
            InboxItem unread = itemOf("u1", ids.get(0));
            assertThat(unread.read()).isFalse();
            assertThat(unread.readAt()).isEmpty();
            assertThat(store.stats("u1")).isEqualTo(new InboxStats(3, 1, 2));
        }

        @Test
        @DisplayName("ignores unknown ids when marking and deleting")
        void ignoresUnknownIds() {
            List<String> ids = publishTo("u1", 1);

            assertThat(store.mark("u1", List.of("no-such-id", ids.get(0)), true, t(100))).isEqualTo(1);
            assertThat(store.mark("u1", List.of("no-such-id"), true, t(100))).isZero();
            assertThat(store.delete("u1", List.of("no-such-id"))).isZero();
            assertThat(store.mark("nobody", List.of(ids.get(0)), true, t(100))).isZero();
            assertThat(store.markAllRead("nobody", t(100))).isZero();
            assertThat(store.stats("u1")).isEqualTo(new InboxStats(1, 0, 1));
        }

        @Test
        @DisplayName("marks everything read, counting what changed")
        void marksAllRead() {
            List<String> ids = publishTo("u1", 3);
            store.mark("u1", List.of(ids.get(0)), true, t(100));

            assertThat(store.markAllRead("u1", t(200))).isEqualTo(2);
            assertThat(store.markAllRead("u1", t(300))).isZero();
            assertThat(store.stats("u1")).isEqualTo(new InboxStats(3, 0, 3));
            assertThat(itemOf("u1", ids.get(0)).readAt()).contains(t(100));
            assertThat(itemOf("u1", ids.get(1)).readAt()).contains(t(200));
        }

        @Test
        @DisplayName("deletes notifications from the inbox, counting what was deleted")
        void deletes() {
            List<String> ids = publishTo("u1", 3);
            store.mark("u1", List.of(ids.get(0)), true, t(100));

            assertThat(store.delete("u1", List.of(ids.get(0), ids.get(1)))).isEqualTo(2);
            assertThat(store.delete("u1", List.of(ids.get(0)))).isZero();

            assertThat(notificationIds(store.inbox(InboxQuery.firstPage("u1")).items())).containsExactly(ids.get(2));
            assertThat(store.stats("u1")).isEqualTo(new InboxStats(1, 1, 0));
        }

        @Test
        @DisplayName("is empty for a user without notifications")
        void emptyForStrangers() {
            Page<InboxItem> page = store.inbox(InboxQuery.firstPage("nobody"));

            assertThat(page.items()).isEmpty();
            assertThat(page.nextCursor()).isEmpty();
            assertThat(store.stats("nobody")).isEqualTo(InboxStats.EMPTY);
        }

        private InboxItem itemOf(String user, String notificationId) {
            return store.inbox(new InboxQuery(user, false, Optional.empty(), InboxQuery.MAX_LIMIT)).items().stream()
                    .filter(i -> i.notification().id().equals(notificationId)).findFirst().orElseThrow();
        }
    }

    @Nested
    @DisplayName("inbox scoping")
    class InboxScoping {

        private Notification ofU1;
        private Notification ofU2;
        private Notification ofBoth;

        @BeforeEach
        void publish() {
            ofU1 = toUsers(T0, "u1");
            ofU2 = toUsers(t(1), "u2");
            ofBoth = toUsers(t(2), "u1", "u2");
            store.saveAll(List.of(request(ofU1), request(ofU2), request(ofBoth)));
        }

        @Test
        @DisplayName("lists only the user's own notifications")
        void listsOnlyOwnNotifications() {
            assertThat(notificationIds(store.inbox(InboxQuery.firstPage("u2")).items())).containsExactly(ofBoth.id(), ofU2.id());
        }

        @Test
        @DisplayName("does not let another user mark a notification read or unread")
        void othersCannotMark() {
            assertThat(store.mark("u2", List.of(ofU1.id()), true, t(100))).isZero();
            assertThat(store.stats("u1")).isEqualTo(new InboxStats(2, 2, 0));

            store.mark("u1", List.of(ofU1.id()), true, t(100));
            assertThat(store.mark("u2", List.of(ofU1.id()), false, t(200))).isZero();
            assertThat(store.stats("u1")).isEqualTo(new InboxStats(2, 1, 1));
        }

        @Test
        @DisplayName("counts only the user's own notifications among a mix of ids")
        void mixedIdsCountOnlyOwnOnes() {
            assertThat(store.mark("u2", List.of(ofU1.id(), ofU2.id()), true, t(100))).isEqualTo(1);
            assertThat(store.delete("u2", List.of(ofU1.id(), ofU2.id()))).isEqualTo(1);

            assertThat(store.stats("u1")).isEqualTo(new InboxStats(2, 2, 0));
            assertThat(store.stats("u2")).isEqualTo(new InboxStats(1, 1, 0));
        }

        @Test
        @DisplayName("does not let another user delete a notification")
        void othersCannotDelete() {
            assertThat(store.delete("u2", List.of(ofU1.id()))).isZero();

            assertThat(notificationIds(store.inbox(InboxQuery.firstPage("u1")).items())).contains(ofU1.id());
            assertThat(store.stats("u1").total()).isEqualTo(2);
        }

        @Test
        @DisplayName("keeps read state per user for a notification they share")
        void readStateIsPerUser() {
            assertThat(store.mark("u1", List.of(ofBoth.id()), true, t(100))).isEqualTo(1);

            assertThat(store.stats("u2")).isEqualTo(new InboxStats(2, 2, 0));
            assertThat(store.inbox(new InboxQuery("u2", true, Optional.empty(), 10)).items()).hasSize(2);

            assertThat(store.delete("u2", List.of(ofBoth.id()))).isEqualTo(1);
            assertThat(store.stats("u1")).isEqualTo(new InboxStats(2, 1, 1));
        }

        @Test
        @DisplayName("marks all read for one user only")
        void markAllReadIsPerUser() {
            assertThat(store.markAllRead("u2", t(100))).isEqualTo(2);

            assertThat(store.stats("u1")).isEqualTo(new InboxStats(2, 2, 0));
        }
    }

    @Nested
    @DisplayName("webhook endpoints")
    class WebhookEndpoints {

        private WebhookEndpoint endpoint(String id, Instant createdAt) {
            return new WebhookEndpoint(id, "https://hooks.example.com/" + id, "whsec_" + id, Optional.of("whsec_old"),
                    Optional.of(createdAt.plusSeconds(3600)), Set.of("task:*", "billing"), Set.of("task.*"), "für " + id,
                    true, 2, Optional.of(createdAt.plusSeconds(5)), createdAt, createdAt.plusSeconds(10));
        }

        private WebhookEndpointStore endpoints() {
            return store.webhookEndpoints();
        }

        @Test
        @DisplayName("stores an endpoint and finds it with every field")
        void createsAndFinds() {
            WebhookEndpoint ep = endpoint("ep1", T0);

            assertThat(endpoints().create(ep)).isEqualTo(ep);

            assertThat(endpoints().find("ep1")).contains(ep);
            WebhookEndpoint bare = new WebhookEndpoint("ep2", "http://localhost:9/x", "whsec_2", Optional.empty(), Optional.empty(),
                    Set.of(), Set.of(), "", false, 0, Optional.empty(), T0, T0);
            endpoints().create(bare);
            assertThat(endpoints().find("ep2")).contains(bare);
        }

        @Test
        @DisplayName("refuses to create an endpoint whose id exists")
        void refusesDuplicateIds() {
            endpoints().create(endpoint("ep1", T0));

            assertThatThrownBy(() -> endpoints().create(endpoint("ep1", t(1)))).isInstanceOf(IllegalArgumentException.class);
            assertThat(endpoints().find("ep1")).get().extracting(WebhookEndpoint::createdAt).isEqualTo(T0);
        }

        @Test
        @DisplayName("updates an existing endpoint, and nothing for an unknown id")
        void updates() {
            endpoints().create(endpoint("ep1", T0));
            WebhookEndpoint changed = new WebhookEndpoint("ep1", "https://new.example.com/", "whsec_new", Optional.empty(),
                    Optional.empty(), Set.of(), Set.of("task.completed"), "changed", false, 5, Optional.of(t(50)), T0, t(60));

            assertThat(endpoints().update(changed)).contains(changed);
            assertThat(endpoints().find("ep1")).contains(changed);
            assertThat(endpoints().update(endpoint("ep9", T0))).isEmpty();
            assertThat(endpoints().find("ep9")).isEmpty();
        }

        @Test
        @DisplayName("deletes an endpoint and says whether it existed")
        void deletes() {
            endpoints().create(endpoint("ep1", T0));

            assertThat(endpoints().delete("ep1")).isTrue();
            assertThat(endpoints().delete("ep1")).isFalse();
            assertThat(endpoints().find("ep1")).isEmpty();
            assertThat(endpoints().delete("never")).isFalse();
        }

        @Test
        @DisplayName("lists every endpoint, oldest first")
        void listsOldestFirst() {
            endpoints().create(endpoint("ep-b", t(2)));
            endpoints().create(endpoint("ep-a", t(1)));
            endpoints().create(endpoint("ep-c", t(3)));

            assertThat(endpoints().list()).extracting(WebhookEndpoint::id).containsExactly("ep-a", "ep-b", "ep-c");
            endpoints().delete("ep-b");
            assertThat(endpoints().list()).extracting(WebhookEndpoint::id).containsExactly("ep-a", "ep-c");
        }
    }

    @Nested
    @DisplayName("under concurrency")
    class UnderConcurrency {

        @Test
        @DisplayName("never hands the same delivery to two claimers while it is leased")
        void claimersNeverShareADelivery() throws Exception {
            int total = 300;
            List<NewDelivery> rows = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                rows.add(webhook("ep" + i, T0));
            }
            for (int i = 0; i < total / rows.size(); i++) {
                Notification n = notification().recipient("u1").priority(Priority.values()[i % 4]).build();
                store.save(request(n, rows.toArray(new NewDelivery[0])));
            }
            int threads = 4;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<List<Long>>> results = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    String owner = "node-" + i;
                    results.add(pool.submit(() -> {
                        start.await();
                        List<Long> mine = new ArrayList<>();
                        List<DeliveryRecord> batch;
                        do {
                            batch = store.claimDue(t(1), 7, lease(owner, t(600)));
                            mine.addAll(ids(batch));
                        } while (!batch.isEmpty());
                        return mine;
                    }));
                }
                start.countDown();
                List<Long> all = new ArrayList<>();
                for (Future<List<Long>> f : results) {
                    all.addAll(f.get(60, TimeUnit.SECONDS));
                }
                assertThat(all).hasSize(total).doesNotHaveDuplicates();
            } finally {
                pool.shutdownNow();
            }
        }

        @Test
        @DisplayName("gives concurrent publishes distinct sequences, every one of them readable")
        void concurrentSavesGetDistinctSequences() throws Exception {
            int threads = 4;
            int perThread = 50;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<List<Long>>> results = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    String prefix = "c" + i + "-";
                    results.add(pool.submit(() -> {
                        start.await();
                        List<Long> sequences = new ArrayList<>();
                        for (int j = 0; j < perThread; j++) {
                            Notification n = Notification.builder().id(prefix + j).recipient("u1").createdAt(T0).build();
                            store.save(request(n)).events().forEach(e -> sequences.add(e.sequence()));
                        }
                        return sequences;
                    }));
                }
                start.countDown();
                Set<Long> all = new HashSet<>();
                for (Future<List<Long>> f : results) {
                    List<Long> mine = f.get(60, TimeUnit.SECONDS);
                    assertThat(mine).as("one thread's sequences").isSorted();
                    all.addAll(mine);
                }
                assertThat(all).hasSize(threads * perThread);
                EventLogSlice slice = store.readAfter(0, "u1", Set.of(), threads * perThread);
                assertThat(slice.entries()).hasSize(threads * perThread);
                assertThat(slice.entries().stream().map(EventLogEntry::sequence).collect(Collectors.toSet())).isEqualTo(all);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Nested
    @DisplayName("the store itself")
    class TheStoreItself {

        @Test
        @DisplayName("describes itself for logs")
        void describesItself() {
            assertThat(store.describe()).isNotBlank();
        }

        @Test
        @DisplayName("can be closed twice without an exception")
        void closesIdempotently() {
            NotificationStore other = createStore();
            assertThatCode(() -> {
                other.close();
                other.close();
            }).doesNotThrowAnyException();
        }
    }
}
