package dev.notify.core.memory;

import dev.notify.api.DeliveryAttempt;
import dev.notify.api.DeliveryRecord;
import dev.notify.api.DeliveryResult;
import dev.notify.api.DeliveryStatus;
import dev.notify.api.InboxItem;
import dev.notify.api.InboxQuery;
import dev.notify.api.Notification;
import dev.notify.api.spi.Lease;
import dev.notify.api.spi.NotificationStore;
import dev.notify.api.spi.PublishRequest;
import dev.notify.testkit.NotificationStoreContract;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The in-memory store against the store contract every implementation passes, plus its own compact structures. */
class InMemoryNotificationStoreTest extends NotificationStoreContract {

    @Override
    protected NotificationStore createStore() {
        return new InMemoryNotificationStore();
    }

    private PublishRequest leased(Notification n, Lease lease) {
        return new PublishRequest(n, SCOPE, audiencesOf(n), List.of(webhook("ep1", n.createdAt())), Optional.of(lease));
    }

    @Nested
    @DisplayName("compact attempts")
    class CompactAttempts {

        @Test
        @DisplayName("a first attempt that simply succeeded reads back equal, and the delivery was updated at its end")
        void plainFirstSuccess() {
            DeliveryRecord d = saveOneDelivery(dev.notify.api.Priority.NORMAL, T0);
            DeliveryAttempt sent = DeliveryAttempt.of(d.id(), 1, t(1).plusNanos(7), Duration.ofNanos(1_500_000_123L),
                    DeliveryResult.sent());

            store.recordAttempt(sent, DeliveryStatus.SENT, Optional.empty());

            assertThat(store.attempts(d.id())).containsExactly(sent);
            assertThat(store.delivery(d.id())).get().extracting(DeliveryRecord::updatedAt)
                    .isEqualTo(t(1).plusNanos(7).plus(Duration.ofNanos(1_500_000_123L)));
        }

        @Test
        @DisplayName("a success after a retry keeps both attempts, in order")
        void successAfterRetry() {
            DeliveryRecord d = saveOneDelivery(dev.notify.api.Priority.NORMAL, T0);
            DeliveryAttempt first = attempt(d.id(), 1, t(1), DeliveryResult.retryLater("busy"));
            DeliveryAttempt second = attempt(d.id(), 2, t(5), DeliveryResult.sent());

            store.recordAttempt(first, DeliveryStatus.RETRYING, Optional.of(t(4)));
            store.recordAttempt(second, DeliveryStatus.SENT, Optional.empty());

            assertThat(store.attempts(d.id())).containsExactly(first, second);
            assertThat(store.delivery(d.id())).get().extracting(DeliveryRecord::updatedAt).isEqualTo(t(5).plusMillis(15));
        }
    }

    @Nested
    @DisplayName("lease buckets")
    class LeaseBuckets {

        @Test
        @DisplayName("a lease taken after its second's bucket went idle and was dropped still protects, then lapses")
        void leaseAfterIdleBucketWasDropped() {
            Notification first = notification().recipient("u1").build();
            long d1 = store.save(leased(first, new Lease("node-a", t(60)))).deliveries().get(0).id();
            markSent(d1, t(1));
            // nothing leased in that bucket any more: this claim drops it
            assertThat(store.claimDue(t(2), 10, new Lease("node-a", t(62)))).isEmpty();

            Notification second = notification().recipient("u1").build();
            long d2 = store.save(leased(second, new Lease("node-a", t(60).plusMillis(100)))).deliveries().get(0).id();

            assertThat(store.claimDue(t(59), 10, new Lease("node-b", t(120)))).isEmpty();
            assertThat(store.claimDue(t(61), 10, new Lease("node-b", t(120))))
                    .extracting(DeliveryRecord::id).containsExactly(d2);
        }

        @Test
        @DisplayName("of two leases in one bucket, only the one still held is reclaimed when they lapse")
        void releasedLeaseStaysReleased() {
            long done = store.save(leased(notification().recipient("u1").build(), new Lease("node-a", t(60)))).deliveries().get(0).id();
            long held = store.save(leased(notification().recipient("u1").build(), new Lease("node-a", t(60)))).deliveries().get(0).id();
            markSent(done, t(1));

            assertThat(store.claimDue(t(61), 10, new Lease("node-b", t(120)))).extracting(DeliveryRecord::id).containsExactly(held);
            assertThat(store.delivery(done)).get().extracting(DeliveryRecord::status).isEqualTo(DeliveryStatus.SENT);
        }
    }

    @Nested
    @DisplayName("delivery table")
    class DeliveryTableChunks {

        @Test
        @DisplayName("deliveries pruned by the thousand free their chunks; later ones are still stored and found")
        void prunedChunksAreFreedAndTheTableKeepsWorking() {
            List<Long> old = new java.util.ArrayList<>();
            for (int i = 0; i < 10_000; i++) {
                DeliveryRecord d = saveOneDelivery(dev.notify.api.Priority.NORMAL, T0);
                markSent(d.id(), t(1));
                old.add(d.id());
            }
            DeliveryRecord kept = saveOneDelivery(dev.notify.api.Priority.NORMAL, T0);

            store.prune(t(1).plus(Duration.ofDays(8)), new dev.notify.api.spi.Retention(Duration.ofDays(7), 1_000_000,
                    Duration.ofHours(1), Duration.ofDays(7), Duration.ofDays(90)));

            assertThat(store.delivery(old.get(0))).isEmpty();
            assertThat(store.delivery(old.get(9_999))).isEmpty();
            assertThat(store.delivery(kept.id())).isPresent();
            DeliveryRecord later = saveOneDelivery(dev.notify.api.Priority.NORMAL, T0);
            assertThat(later.id()).isGreaterThan(kept.id());
            assertThat(store.delivery(later.id())).isPresent();
            assertThat(store.claimDue(t(2), 10, new Lease("node-a", t(60))))
                    .extracting(DeliveryRecord::id).containsExactly(kept.id(), later.id());
        }
    }

    @Nested
    @DisplayName("inbox arrays")
    class InboxArrays {

        @Test
        @DisplayName("read marks stay with their notifications when an older one is inserted before them")
        void readMarksFollowInsertions() {
            Notification newer = toUsers(t(10), "u1");
            Notification newest = toUsers(t(20), "u1");
            store.save(request(newer));
            store.save(request(newest));
            assertThat(store.mark("u1", List.of(newer.id()), true, t(30))).isEqualTo(1);

            Notification older = toUsers(t(5), "u1");
            store.save(request(older));

            List<InboxItem> page = store.inbox(new InboxQuery("u1", false, Optional.empty(), 10)).items();
            assertThat(page).extracting(i -> i.notification().id()).containsExactly(newest.id(), newer.id(), older.id());
            assertThat(page).extracting(InboxItem::read).containsExactly(false, true, false);
            assertThat(store.stats("u1").unread()).isEqualTo(2);
        }

        @Test
        @DisplayName("another user's notification id neither marks nor deletes anything")
        void foreignIds() {
            Notification mine = toUsers(t(1), "u1");
            Notification theirs = toUsers(t(1), "u2");
            store.save(request(mine));
            store.save(request(theirs));

            assertThat(store.mark("u1", List.of(theirs.id()), true, t(2))).isZero();
            assertThat(store.delete("u1", List.of(theirs.id()))).isZero();
            assertThat(store.delete("u1", List.of(mine.id()))).isEqualTo(1);
            assertThat(store.stats("u1").total()).isZero();
            assertThat(store.stats("u2").unread()).isEqualTo(1);
        }
    }
}
