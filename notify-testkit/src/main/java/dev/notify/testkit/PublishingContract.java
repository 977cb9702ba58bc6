package dev.notify.testkit;

import dev.notify.api.Api;
import dev.notify.api.Audience;
import dev.notify.api.DeliveryRecord;
import dev.notify.api.DeliveryStatus;
import dev.notify.api.EventLogEntry;
import dev.notify.api.EventLogSlice;
import dev.notify.api.InboxQuery;
import dev.notify.api.InboxStats;
import dev.notify.api.Notification;
import dev.notify.api.NotificationType;
import dev.notify.api.Priority;
import dev.notify.api.spi.NewDelivery;
import dev.notify.api.spi.PublishRequest;
import dev.notify.api.spi.PublishResult;
import dev.notify.api.spi.Retention;
import dev.notify.api.spi.StoreException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The store contract for publishing: {@code save} and {@code saveAll} (all or nothing, duplicate
 * ids refused), idempotency keys per publisher scope, and {@code find} returning a notification
 * exactly as saved.
 *
 * <p>Part of {@link NotificationStoreContract}, which runs it against a fresh store for every
 * test: a store implementation extends that, not this.
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.2")
public abstract class PublishingContract extends StoreContractSupport {

    @Nested
    @DisplayName("save")
    class Save {

        @Test
        @DisplayName("stores the notification and returns its events and deliveries")
        void storesTheNotificationAndReturnsItsEventsAndDeliveries() {
            Notification n = notification().recipients(List.of("u1", "u2")).topic("task:abc").priority(Priority.HIGH).build();

            PublishResult result = store().save(request(n, webhook("ep1", T0), new NewDelivery("recording", "u1", t(5))));

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
            PublishResult result = store().save(request(n, webhook("ep1", T0), webhook("ep2", T0)));

            assertThat(store().deliveries(n.id()))
                    .usingRecursiveFieldByFieldElementComparatorIgnoringFields("createdAt", "updatedAt")
                    .containsExactlyInAnyOrderElementsOf(result.deliveries());
            for (DeliveryRecord d : result.deliveries()) {
                assertThat(store().delivery(d.id())).get().usingRecursiveComparison()
                        .ignoringFields("createdAt", "updatedAt").isEqualTo(d);
            }
        }

        @Test
        @DisplayName("puts the notification into the inbox of every recipient and nobody else")
        void fillsTheRecipientsInboxes() {
            store().save(request(toUsers(T0, "u1", "u2")));

            assertThat(store().stats("u1")).isEqualTo(new InboxStats(1, 1, 0));
            assertThat(store().stats("u2")).isEqualTo(new InboxStats(1, 1, 0));
            assertThat(store().stats("u3")).isEqualTo(InboxStats.EMPTY);
        }

        @Test
        @DisplayName("stores a topic broadcast without recipients, deliveries or inbox items")
        void storesATopicBroadcast() {
            Notification n = notification().topic("news").build();

            PublishResult result = store().save(request(n));

            assertThat(result.events()).singleElement().extracting(EventLogEntry::audience).isEqualTo(Audience.topic("news"));
            assertThat(result.deliveries()).isEmpty();
            assertThat(store().find(n.id())).isPresent();
            assertThat(store().deliveries(n.id())).isEmpty();
        }

        @Test
        @DisplayName("rejects a notification id that is already stored and changes nothing")
        void rejectsAnExistingIdAtomically() {
            Notification first = notification().recipient("u1").build();
            store().save(request(first, webhook("ep1", T0)));
            long latest = store().latestSequence();
            Notification clash = first.toBuilder().recipients(List.of("u2")).title("other").build();

            assertThatThrownBy(() -> store().save(request(clash, webhook("ep2", T0))))
                    .isInstanceOfAny(IllegalArgumentException.class, StoreException.class);

            assertThat(store().find(first.id())).get().extracting(Notification::title).isEqualTo("hello");
            assertThat(store().deliveries(first.id())).hasSize(1);
            assertThat(store().latestSequence()).isEqualTo(latest);
            assertThat(store().stats("u2")).isEqualTo(InboxStats.EMPTY);
            assertThat(store().deliveriesTo("webhook", "ep2", Optional.empty(), 10).items()).isEmpty();
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

            List<PublishResult> results = store().saveAll(List.of(request(a, webhook("ep1", T0)), request(b), request(c)));

            assertThat(results).extracting(r -> r.notification().id()).containsExactly(a.id(), b.id(), c.id());
            assertThat(results).noneMatch(PublishResult::duplicate);
            assertThat(results.get(0).deliveries()).hasSize(1);
            List<Long> sequences = results.stream().flatMap(r -> r.events().stream()).map(EventLogEntry::sequence)
                    .collect(Collectors.toList());
            assertThat(sequences).hasSize(3).isSorted().doesNotHaveDuplicates();
            assertThat(store().find(b.id())).isPresent();
            assertThat(store().stats("u1").total()).isEqualTo(2);
        }

        @Test
        @DisplayName("stores nothing at all when its second request is rejected")
        void isAllOrNothing() {
            Notification existing = toUsers(T0, "u9");
            store().save(request(existing));
            long latest = store().latestSequence();
            Notification a = toUsers(T0, "u1");
            Notification clash = existing.toBuilder().recipients(List.of("u2")).build();
            Notification c = toUsers(T0, "u3");

            assertThatThrownBy(() -> store().saveAll(List.of(
                    request(a, webhook("ep1", T0)), request(clash, webhook("ep2", T0)), request(c, webhook("ep3", T0)))))
                    .isInstanceOfAny(IllegalArgumentException.class, StoreException.class);

            assertThat(store().find(a.id())).isEmpty();
            assertThat(store().find(c.id())).isEmpty();
            assertThat(store().latestSequence()).isEqualTo(latest);
            assertThat(store().stats("u1")).isEqualTo(InboxStats.EMPTY);
            assertThat(store().stats("u2")).isEqualTo(InboxStats.EMPTY);
            assertThat(store().stats("u3")).isEqualTo(InboxStats.EMPTY);
            assertThat(store().claimDue(t(100), 10, lease("node-a", t(200)))).isEmpty();
            assertThat(store().readAfter(0, "u1", Set.of(), 10).entries()).isEmpty();
        }

        @Test
        @DisplayName("stores nothing when two requests of the batch share an id")
        void rejectsABatchWithTwiceTheSameId() {
            Notification a = toUsers(T0, "u1");

            assertThatThrownBy(() -> store().saveAll(List.of(request(a), request(a))))
                    .isInstanceOfAny(IllegalArgumentException.class, StoreException.class);

            assertThat(store().find(a.id())).isEmpty();
            assertThat(store().latestSequence()).isZero();
        }

        @Test
        @DisplayName("releases the idempotency keys of a rejected batch")
        void forgetsTheKeysOfARejectedBatch() {
            Notification existing = toUsers(T0, "u9");
            store().save(request(existing));
            Notification keyed = notification().recipient("u1").idempotencyKey("k1").build();

            assertThatThrownBy(() -> store().saveAll(List.of(request(keyed), request(existing))))
                    .isInstanceOfAny(IllegalArgumentException.class, StoreException.class);

            PublishResult retry = store().save(request(keyed));
            assertThat(retry.duplicate()).isFalse();
            assertThat(store().find(keyed.id())).isPresent();
        }

        @Test
        @DisplayName("of nothing stores nothing")
        void ofNothing() {
            assertThat(store().saveAll(List.of())).isEmpty();
            assertThat(store().latestSequence()).isZero();
        }

        @Test
        @DisplayName("treats a key repeated inside the batch as a duplicate of the first")
        void deduplicatesInsideTheBatch() {
            Notification first = notification().recipient("u1").idempotencyKey("k").build();
            Notification second = notification().recipient("u1").idempotencyKey("k").build();

            List<PublishResult> results = store().saveAll(List.of(request(first), request(second)));

            assertThat(results.get(0).duplicate()).isFalse();
            assertThat(results.get(1).duplicate()).isTrue();
            assertThat(results.get(1).notification().id()).isEqualTo(first.id());
            assertThat(store().find(second.id())).isEmpty();
            assertThat(store().stats("u1").total()).isEqualTo(1);
        }
    }

    @Nested
    @DisplayName("idempotency")
    class Idempotency {

        @Test
        @DisplayName("returns the first notification for the same key in the same scope and stores nothing new")
        void sameKeySameScopeIsADuplicate() {
            Notification first = notification().recipient("u1").idempotencyKey("order-42").build();
            store().save(request(first, webhook("ep1", T0)));
            long latest = store().latestSequence();
            Notification again = notification().recipient("u1").idempotencyKey("order-42").title("again").build();

            PublishResult result = store().save(request(again, webhook("ep1", T0)));

            assertThat(result.duplicate()).isTrue();
            assertSameNotification(result.notification(), first);
            assertThat(result.events()).isEmpty();
            assertThat(result.deliveries()).isEmpty();
            assertThat(store().find(again.id())).isEmpty();
            assertThat(store().latestSequence()).isEqualTo(latest);
            assertThat(store().stats("u1").total()).isEqualTo(1);
            assertThat(store().deliveriesTo("webhook", "ep1", Optional.empty(), 10).items()).hasSize(1);
        }

        @Test
        @DisplayName("stores only the new keys of a batch whose other keys were stored before (a re-delivered stream batch)")
        void aBatchMixingStoredAndNewKeysStoresOnlyTheNewOnes() {
            List<PublishRequest> earlier = new ArrayList<>();
            for (int i = 0; i < 600; i += 2) {
                earlier.add(request(notification().recipient("u1").idempotencyKey("entry-" + i).build()));
            }
            List<PublishResult> stored = store().saveAll(earlier);
            List<Notification> again = new ArrayList<>();
            List<PublishRequest> batch = new ArrayList<>();
            for (int i = 0; i < 600; i++) {
                Notification n = notification().recipient("u1").idempotencyKey("entry-" + i).build();
                again.add(n);
                batch.add(request(n));
            }

            List<PublishResult> results = store().saveAll(batch);

            for (int i = 0; i < 600; i++) {
                PublishResult r = results.get(i);
                assertThat(r.duplicate()).as("entry-" + i).isEqualTo(i % 2 == 0);
                assertThat(r.notification().id()).isEqualTo(i % 2 == 0 ? stored.get(i / 2).notification().id() : again.get(i).id());
            }
            assertThat(store().stats("u1").total()).isEqualTo(600);
        }

        @Test
        @DisplayName("stores each key once when batches sharing keys are published at the same time, in any order")
        void batchesSharingKeysAtTheSameTimeStoreEachKeyOnce() throws Exception {
            int threads = 4;
            int keys = 40;
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
            try {
                java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(threads);
                List<java.util.concurrent.Future<List<PublishResult>>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    List<PublishRequest> batch = new ArrayList<>();
                    for (int i = 0; i < keys; i++) {
                        batch.add(request(notification().recipient("u1").idempotencyKey("shared-" + i).build()));
                    }
                    java.util.Collections.shuffle(batch, new java.util.Random(t)); // each batch takes its keys in its own order
                    done.add(pool.submit(() -> {
                        start.await();
                        return store().saveAll(batch);
                    }));
                }
                Map<String, List<String>> storedIdsByKey = new LinkedHashMap<>();
                Map<String, Set<String>> answeredIdsByKey = new LinkedHashMap<>();
                for (java.util.concurrent.Future<List<PublishResult>> f : done) {
                    for (PublishResult r : f.get(60, java.util.concurrent.TimeUnit.SECONDS)) {
                        String key = r.notification().idempotencyKey().orElseThrow();
                        answeredIdsByKey.computeIfAbsent(key, k -> new java.util.HashSet<>()).add(r.notification().id());
                        if (!r.duplicate()) {
                            storedIdsByKey.computeIfAbsent(key, k -> new ArrayList<>()).add(r.notification().id());
                        }
                    }
                }
                assertThat(storedIdsByKey).hasSize(keys).allSatisfy((k, ids) -> assertThat(ids).as(k).hasSize(1));
                assertThat(answeredIdsByKey).allSatisfy((k, ids) -> assertThat(ids).as("every answer for " + k + " names the stored one")
                        .containsExactly(storedIdsByKey.get(k).get(0)));
                assertThat(store().stats("u1").total()).isEqualTo(keys);
            } finally {
                pool.shutdownNow();
            }
        }

        @Test
        @DisplayName("stores a new notification for the same key in another scope")
        void otherScopeIsNew() {
            store().save(request(notification().recipient("u1").idempotencyKey("k").build()));
            Notification other = notification().recipient("u1").idempotencyKey("k").build();

            PublishResult result = store().save(new PublishRequest(other, "publisher-2", audiencesOf(other), List.of(), Optional.empty()));

            assertThat(result.duplicate()).isFalse();
            assertThat(result.notification().id()).isEqualTo(other.id());
            assertThat(store().find(other.id())).isPresent();
        }

        @Test
        @DisplayName("stores a new notification for another key, and never deduplicates without a key")
        void otherKeyOrNoKeyIsNew() {
            store().save(request(notification().recipient("u1").idempotencyKey("k1").build()));

            assertThat(store().save(request(notification().recipient("u1").idempotencyKey("k2").build())).duplicate()).isFalse();
            assertThat(store().save(request(notification().recipient("u1").build())).duplicate()).isFalse();
            assertThat(store().save(request(notification().recipient("u1").build())).duplicate()).isFalse();
            assertThat(store().stats("u1").total()).isEqualTo(4);
        }

        @Test
        @DisplayName("lets a key be reused once pruning passed the idempotency window")
        void keyIsReusableAfterTheWindow() {
            Retention retention = new Retention(Duration.ofDays(7), 1_000_000, Duration.ofHours(1));
            Notification first = notification().recipient("u1").idempotencyKey("k").createdAt(T0).build();
            store().save(request(first));

            store().prune(T0.plus(Duration.ofMinutes(30)), retention);
            assertThat(store().save(request(notification().recipient("u1").idempotencyKey("k").build())).duplicate())
                    .as("inside the window").isTrue();

            store().prune(T0.plus(Duration.ofMinutes(61)), retention);
            Notification later = notification().recipient("u1").idempotencyKey("k").createdAt(t(3660)).build();
            PublishResult result = store().save(request(later));
            assertThat(result.duplicate()).as("after the window").isFalse();
            assertThat(result.notification().id()).isEqualTo(later.id());
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

            store().save(request(n));

            assertSameNotification(store().find(n.id()).orElseThrow(), n);
            assertSameNotification(store().inbox(InboxQuery.firstPage("u1")).items().get(0).notification(), n);
            EventLogSlice slice = store().readAfter(0, "u1", Set.of("task:abc123"), 10);
            assertThat(slice.entries()).hasSize(2)
                    .allSatisfy(e -> assertSameNotification(e.notification(), n));
        }

        @Test
        @DisplayName("returns a minimal notification with its empty and absent fields")
        void roundTripsAMinimalNotification() {
            Notification n = Notification.builder().topic("t").createdAt(T0).build();

            store().save(request(n));

            Notification found = store().find(n.id()).orElseThrow();
            assertSameNotification(found, n);
            assertThat(found.recipients()).isEmpty();
            assertThat(found.data()).isEmpty();
            assertThat(found.metadata()).isEmpty();
            assertThat(found.channels()).isEmpty();
            assertThat(found.scheduledAt()).isEmpty();
            assertThat(found.title()).isEmpty();
        }

        @Test
        @DisplayName("returns every field exactly as saved when the notifications are stored in one batch")
        void roundTripsEveryFieldOfABatch() {
            // a batch takes another path than a single save in some stores (PostgreSQL copies its rows as escaped text)
            String[] awkward = {"tab\there", "back\\slash", "\\N", "\\", "cr\rlf\r\n", "new\nline", "\\t not a tab", "",
                    "日本語 ✓ 🚀", "\"quoted\" 'single'", "end with backslash\\", "\u0001\u001f control", "comma, semi; pipe|"};
            List<Notification> batch = new ArrayList<>();
            for (int i = 0; i < awkward.length; i++) {
                String a = awkward[i];
                Notification.Builder b = notification().recipient("u" + i).title(a).body(a + "|" + i).event("ev." + i)
                        .data(Map.of("v", a, "n", i)).metadata("m", a).createdAt(t(i));
                if (i % 2 == 0) {
                    b.topic("topic:" + i).idempotencyKey("key-" + a + "-" + i).scheduledAt(t(600 + i)).expiresAt(t(3600 + i))
                            .template("tpl").channels(List.of("sse", "webhook")).priority(Priority.HIGH);
                } else {
                    b.collapseKey("collapse-" + i).transactional(true);
                }
                batch.add(b.build());
            }
            List<PublishRequest> requests = new ArrayList<>();
            for (Notification n : batch) {
                requests.add(request(n));
            }

            store().saveAll(requests);

            for (Notification n : batch) {
                assertSameNotification(store().find(n.id()).orElseThrow(), n);
            }
        }

        @Test
        @DisplayName("answers a look-up by an id with a NUL character with nothing or an IllegalArgumentException, never a store failure")
        void aNulCharacterInAnIdIsTheCallersErrorNotTheStores() {
            // PostgreSQL keeps no U+0000 in text; a store failure would read as "the database is away, try again" (503)
            for (Runnable lookUp : List.<Runnable>of(
                    () -> assertThat(store().find("no\u0000such")).isEmpty(),
                    () -> assertThat(store().deliveries("no\u0000such")).isEmpty(),
                    () -> assertThat(store().mark("u\u00001", List.of("n\u00001"), true, T0)).isZero())) {
                Throwable t = org.assertj.core.api.Assertions.catchThrowable(lookUp::run);
                if (t != null) {
                    assertThat(t).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("U+0000");
                }
            }
        }

        @Test
        @DisplayName("finds nothing for an unknown id")
        void unknownIdIsEmpty() {
            assertThat(store().find("no-such-id")).isEmpty();
        }
    }
}
