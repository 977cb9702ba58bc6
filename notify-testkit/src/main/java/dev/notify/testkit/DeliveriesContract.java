package dev.notify.testkit;

import dev.notify.api.Api;
import dev.notify.api.DeliveryAttempt;
import dev.notify.api.DeliveryRecord;
import dev.notify.api.DeliveryResult;
import dev.notify.api.DeliveryStatus;
import dev.notify.api.Notification;
import dev.notify.api.Priority;
import dev.notify.api.spi.NewDelivery;
import dev.notify.api.spi.PublishRequest;
import dev.notify.api.spi.PublishResult;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * The store contract for deliveries: {@code claimDue} by priority with leases,
 * {@code recordAttempt} with retries and dead letters, {@code release}, the listings,
 * {@code cancel}, dead letters with replay, and {@code countByStatus}.
 *
 * <p>Part of {@link NotificationStoreContract}, which runs it against a fresh store for every
 * test: a store implementation extends that, not this.
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.2")
public abstract class DeliveriesContract extends StoreContractSupport {

    @Nested
    @DisplayName("claimDue")
    class ClaimDue {

        @Test
        @DisplayName("claims only deliveries that are due, including one due exactly now")
        void claimsOnlyDueDeliveries() {
            DeliveryRecord now = saveOneDelivery(Priority.NORMAL, t(10));
            DeliveryRecord past = saveOneDelivery(Priority.NORMAL, T0);
            saveOneDelivery(Priority.NORMAL, t(11));

            List<DeliveryRecord> claimed = store().claimDue(t(10), 10, lease("node-a", t(60)));

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

            List<DeliveryRecord> claimed = store().claimDue(t(10), 10, lease("node-a", t(60)));

            assertThat(ids(claimed)).containsExactly(critical.id(), high.id(), normal.id(), low.id());
            assertThat(claimed.get(0).priority()).isEqualTo(Priority.CRITICAL);
        }

        @Test
        @DisplayName("claims the oldest due first within one priority")
        void claimsOldestDueFirst() {
            DeliveryRecord third = saveOneDelivery(Priority.HIGH, t(3));
            DeliveryRecord first = saveOneDelivery(Priority.HIGH, t(1));
            DeliveryRecord second = saveOneDelivery(Priority.HIGH, t(2));

            assertThat(ids(store().claimDue(t(10), 10, lease("node-a", t(60))))).containsExactly(first.id(), second.id(), third.id());
        }

        @Test
        @DisplayName("claims at most limit, the most urgent first, and the rest on the next claim")
        void respectsTheLimit() {
            DeliveryRecord a = saveOneDelivery(Priority.LOW, T0);
            DeliveryRecord b = saveOneDelivery(Priority.CRITICAL, T0);
            DeliveryRecord c = saveOneDelivery(Priority.NORMAL, T0);

            assertThat(ids(store().claimDue(t(1), 2, lease("node-a", t(60))))).containsExactly(b.id(), c.id());
            assertThat(ids(store().claimDue(t(1), 2, lease("node-a", t(60))))).containsExactly(a.id());
            assertThat(store().claimDue(t(1), 2, lease("node-a", t(60)))).isEmpty();
        }

        @Test
        @DisplayName("does not hand out a delivery again while its lease holds")
        void leasedDeliveriesAreNotClaimedAgain() {
            saveOneDelivery(Priority.NORMAL, T0);
            assertThat(store().claimDue(t(1), 10, lease("node-a", t(60)))).hasSize(1);

            assertThat(store().claimDue(t(30), 10, lease("node-b", t(90)))).isEmpty();
            assertThat(store().claimDue(t(59), 10, lease("node-a", t(90)))).isEmpty();
        }

        @Test
        @DisplayName("lets another owner claim a delivery whose lease lapsed")
        void lapsedLeasesAreClaimable() {
            DeliveryRecord d = saveOneDelivery(Priority.NORMAL, T0);
            store().claimDue(t(1), 10, lease("node-a", t(60)));

            List<DeliveryRecord> taken = store().claimDue(t(61), 10, lease("node-b", t(120)));

            assertThat(ids(taken)).containsExactly(d.id());
            assertThat(store().claimDue(t(62), 10, lease("node-a", t(120)))).as("node-b holds it now").isEmpty();
        }

        @Test
        @DisplayName("creates deliveries due now already leased when saved with a lease, and the others claimable")
        void saveWithALeaseLeasesTheDueDeliveries() {
            Notification n = notification().recipient("u1").createdAt(T0).build();
            PublishResult result = store().save(new PublishRequest(n, SCOPE, audiencesOf(n),
                    List.of(webhook("ep1", T0), webhook("ep2", t(10))), Optional.of(lease("node-a", t(60)))));
            DeliveryRecord dueNow = result.deliveries().get(0);
            DeliveryRecord later = result.deliveries().get(1);

            assertThat(store().claimDue(T0, 10, lease("node-b", t(90)))).as("the due one is leased to node-a").isEmpty();
            assertThat(ids(store().claimDue(t(20), 10, lease("node-b", t(90))))).as("the later one was not leased")
                    .containsExactly(later.id());
            assertThat(ids(store().claimDue(t(61), 10, lease("node-b", t(120))))).as("node-a's lease lapsed")
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
            store().cancel(cancelled.notificationId());

            assertThat(store().claimDue(t(1000), 10, lease("node-a", t(2000)))).isEmpty();
        }

        @Test
        @DisplayName("claims nothing from an empty store")
        void claimsNothingWhenEmpty() {
            assertThat(store().claimDue(T0, 10, lease("node-a", t(60)))).isEmpty();
        }
    }

    @Nested
    @DisplayName("recordAttempt")
    class RecordAttempt {

        @Test
        @DisplayName("makes a sent delivery terminal")
        void sentIsTerminal() {
            DeliveryRecord d = saveOneDelivery(Priority.NORMAL, T0);
            store().claimDue(t(1), 10, lease("node-a", t(60)));

            DeliveryRecord after = store().recordAttempt(attempt(d.id(), 1, t(1), DeliveryResult.sent().withStatusCode(200)),
                    DeliveryStatus.SENT, Optional.empty()).orElseThrow();

            assertThat(after.status()).isEqualTo(DeliveryStatus.SENT);
            assertThat(after.attempts()).isEqualTo(1);
            assertThat(after.nextAttemptAt()).isEmpty();
            assertThat(store().delivery(d.id())).get().extracting(DeliveryRecord::status).isEqualTo(DeliveryStatus.SENT);
            assertThat(store().claimDue(t(1000), 10, lease("node-b", t(2000)))).isEmpty();
        }

        @Test
        @DisplayName("makes a failed delivery a dead letter with its error")
        void failedIsTerminal() {
            DeliveryRecord d = saveOneDelivery(Priority.NORMAL, T0);

            DeliveryRecord after = store().recordAttempt(attempt(d.id(), 1, t(1), DeliveryResult.failed("endpoint answered 400")),
                    DeliveryStatus.FAILED, Optional.empty()).orElseThrow();

            assertThat(after.status()).isEqualTo(DeliveryStatus.FAILED);
            assertThat(after.lastError()).contains("endpoint answered 400");
            assertThat(after.nextAttemptAt()).isEmpty();
            assertThat(ids(store().deadLetters(Optional.empty(), 10).items())).containsExactly(d.id());
            assertThat(store().claimDue(t(1000), 10, lease("node-b", t(2000)))).isEmpty();
        }

        @Test
        @DisplayName("schedules a retrying delivery for its next attempt and counts the attempts")
        void retryingIsDueAgainLater() {
            DeliveryRecord d = saveOneDelivery(Priority.NORMAL, T0);
            store().claimDue(t(1), 10, lease("node-a", t(60)));

            DeliveryRecord after = store().recordAttempt(attempt(d.id(), 1, t(1), DeliveryResult.retryLater("busy")),
                    DeliveryStatus.RETRYING, Optional.of(t(30))).orElseThrow();

            assertThat(after.status()).isEqualTo(DeliveryStatus.RETRYING);
            assertThat(after.attempts()).isEqualTo(1);
            assertThat(after.nextAttemptAt()).contains(t(30));
            assertThat(after.lastError()).contains("busy");
            assertThat(store().claimDue(t(29), 10, lease("node-a", t(90)))).isEmpty();
            List<DeliveryRecord> retry = store().claimDue(t(30), 10, lease("node-a", t(90)));
            assertThat(ids(retry)).containsExactly(d.id());
            assertThat(retry.get(0).status()).isEqualTo(DeliveryStatus.RETRYING);

            DeliveryRecord second = store().recordAttempt(attempt(d.id(), 2, t(30), DeliveryResult.sent()),
                    DeliveryStatus.SENT, Optional.empty()).orElseThrow();
            assertThat(second.attempts()).isEqualTo(2);
            assertThat(second.status()).isEqualTo(DeliveryStatus.SENT);
        }

        @Test
        @DisplayName("releases the lease, so a retry due before the lease ends is claimable")
        void releasesTheLease() {
            DeliveryRecord d = saveOneDelivery(Priority.NORMAL, T0);
            store().claimDue(t(1), 10, lease("node-a", t(60)));

            markRetrying(d.id(), t(1), t(5));

            assertThat(ids(store().claimDue(t(5), 10, lease("node-b", t(90))))).containsExactly(d.id());
        }

        @Test
        @DisplayName("logs every attempt in order with status code, error and response")
        void logsAttempts() {
            DeliveryRecord d = saveOneDelivery(Priority.NORMAL, T0);
            DeliveryAttempt first = attempt(d.id(), 1, t(1),
                    DeliveryResult.retryLater("server error").withStatusCode(503).withResponse("{\"error\":\"down ✗\"}"));
            DeliveryAttempt second = attempt(d.id(), 2, t(31), DeliveryResult.sent().withStatusCode(204));

            store().recordAttempt(first, DeliveryStatus.RETRYING, Optional.of(t(30)));
            store().recordAttempt(second, DeliveryStatus.SENT, Optional.empty());

            List<DeliveryAttempt> attempts = store().attempts(d.id());
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
            store().claimDue(t(1), 10, lease("node-a", t(60)));
            store().cancel(d.notificationId());

            Optional<DeliveryRecord> after = store().recordAttempt(attempt(d.id(), 1, t(2), DeliveryResult.sent()),
                    DeliveryStatus.SENT, Optional.empty());

            assertThat(after).get().extracting(DeliveryRecord::status).isEqualTo(DeliveryStatus.CANCELLED);
            assertThat(store().delivery(d.id())).get().extracting(DeliveryRecord::status).isEqualTo(DeliveryStatus.CANCELLED);
            assertThat(store().attempts(d.id())).hasSize(1);
            assertThat(store().claimDue(t(1000), 10, lease("node-b", t(2000)))).isEmpty();
        }

        @Test
        @DisplayName("returns empty for an unknown delivery, which has no attempts")
        void unknownDelivery() {
            assertThat(store().recordAttempt(attempt(987_654, 1, T0, DeliveryResult.sent()), DeliveryStatus.SENT, Optional.empty()))
                    .isEmpty();
            assertThat(store().attempts(987_654)).isEmpty();
        }
    }

    @Nested
    @DisplayName("release")
    class Release {

        @Test
        @DisplayName("hands a claimed delivery back, due again at the given time, without counting an attempt")
        void makesTheDeliveryClaimableAgain() {
            DeliveryRecord d = saveOneDelivery(Priority.NORMAL, T0);
            store().claimDue(t(1), 10, lease("node-a", t(60)));

            store().release(d.id(), t(5));

            assertThat(store().claimDue(t(4), 10, lease("node-b", t(90)))).isEmpty();
            List<DeliveryRecord> claimed = store().claimDue(t(5), 10, lease("node-b", t(90)));
            assertThat(ids(claimed)).containsExactly(d.id());
            assertThat(claimed.get(0).attempts()).isZero();
            assertThat(store().attempts(d.id())).isEmpty();
        }

        @Test
        @DisplayName("ignores an unknown id")
        void ignoresUnknownIds() {
            assertThatCode(() -> store().release(987_654, T0)).doesNotThrowAnyException();
        }
    }

    @Nested
    @DisplayName("listing deliveries")
    class ListingDeliveries {

        @Test
        @DisplayName("finds a delivery by id, and nothing for an unknown one")
        void findsById() {
            DeliveryRecord d = saveOneDelivery(Priority.HIGH, T0);

            assertThat(store().delivery(d.id())).get().usingRecursiveComparison().ignoringFields("createdAt", "updatedAt").isEqualTo(d);
            assertThat(store().delivery(987_654)).isEmpty();
        }

        @Test
        @DisplayName("lists every delivery of a notification, and none of an unknown one")
        void listsPerNotification() {
            Notification n = notification().recipient("u1").build();
            PublishResult r = store().save(request(n, webhook("ep1", T0), webhook("ep2", T0), new NewDelivery("recording", "u1", T0)));
            saveOneDelivery(Priority.NORMAL, T0);

            assertThat(ids(store().deliveries(n.id()))).containsExactlyInAnyOrderElementsOf(ids(r.deliveries()));
            assertThat(store().deliveries("no-such-id")).isEmpty();
        }

        @Test
        @DisplayName("pages through one target's deliveries newest first, without duplicates or gaps")
        void pagesPerTargetNewestFirst() {
            List<Long> toEp1 = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                Notification n = toUsers(t(i), "u1");
                PublishResult r = store().save(request(n, webhook("ep1", t(i)), webhook("ep2", t(i)), new NewDelivery("other", "ep1", t(i))));
                toEp1.add(r.deliveries().get(0).id());
            }
            List<Long> newestFirst = new ArrayList<>(toEp1);
            Collections.reverse(newestFirst);

            List<DeliveryRecord> all = allPages(c -> store().deliveriesTo("webhook", "ep1", c, 2), 2, 5);

            assertThat(ids(all)).containsExactlyElementsOf(newestFirst);
            assertThat(all).allSatisfy(d -> {
                assertThat(d.channel()).isEqualTo("webhook");
                assertThat(d.target()).isEqualTo("ep1");
            });
            assertThat(store().deliveriesTo("webhook", "nobody", Optional.empty(), 10).items()).isEmpty();
            assertThat(store().deliveriesTo("webhook", "nobody", Optional.empty(), 10).nextCursor()).isEmpty();
        }
    }

    @Nested
    @DisplayName("cancel")
    class Cancel {

        @Test
        @DisplayName("cancels the pending and retrying deliveries and leaves sent and failed ones alone")
        void cancelsOnlyPendingAndRetrying() {
            Notification n = notification().recipient("u1").build();
            List<DeliveryRecord> d = store().save(request(n,
                    webhook("ep1", T0), webhook("ep2", T0), webhook("ep3", T0), webhook("ep4", t(100)))).deliveries();
            markSent(d.get(0).id(), t(1));
            markFailed(d.get(1).id(), t(1));
            markRetrying(d.get(2).id(), t(1), t(30));

            List<DeliveryRecord> cancelled = store().cancel(n.id());

            assertThat(ids(cancelled)).containsExactlyInAnyOrder(d.get(2).id(), d.get(3).id());
            assertThat(cancelled).allSatisfy(c -> assertThat(c.status()).isEqualTo(DeliveryStatus.CANCELLED));
            assertThat(store().delivery(d.get(0).id())).get().extracting(DeliveryRecord::status).isEqualTo(DeliveryStatus.SENT);
            assertThat(store().delivery(d.get(1).id())).get().extracting(DeliveryRecord::status).isEqualTo(DeliveryStatus.FAILED);
            assertThat(store().delivery(d.get(3).id())).get().extracting(DeliveryRecord::status).isEqualTo(DeliveryStatus.CANCELLED);
            assertThat(store().claimDue(t(1000), 10, lease("node-a", t(2000)))).isEmpty();
        }

        @Test
        @DisplayName("cancels a leased delivery too")
        void cancelsLeasedDeliveries() {
            DeliveryRecord d = saveOneDelivery(Priority.NORMAL, T0);
            store().claimDue(t(1), 10, lease("node-a", t(60)));

            assertThat(ids(store().cancel(d.notificationId()))).containsExactly(d.id());
            assertThat(store().claimDue(t(61), 10, lease("node-b", t(120)))).isEmpty();
        }

        @Test
        @DisplayName("cancels nothing the second time, nor for an unknown notification")
        void cancelsNothingTwice() {
            DeliveryRecord d = saveOneDelivery(Priority.NORMAL, T0);
            store().cancel(d.notificationId());

            assertThat(store().cancel(d.notificationId())).isEmpty();
            assertThat(store().cancel("no-such-id")).isEmpty();
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

            List<DeliveryRecord> all = allPages(c -> store().deadLetters(c, 2), 2, 5);

            assertThat(ids(all)).containsExactlyElementsOf(failed);
            assertThat(all).allSatisfy(d -> assertThat(d.status()).isEqualTo(DeliveryStatus.FAILED));
        }

        @Test
        @DisplayName("replays a dead letter: pending, attempts reset, due now, history kept")
        void replaysADeadLetter() {
            DeliveryRecord d = saveOneDelivery(Priority.NORMAL, T0);
            markRetrying(d.id(), t(1), t(2));
            store().recordAttempt(attempt(d.id(), 2, t(2), DeliveryResult.failed("gone")), DeliveryStatus.FAILED, Optional.empty());

            DeliveryRecord replayed = store().replay(d.id(), t(100)).orElseThrow();

            assertThat(replayed.status()).isEqualTo(DeliveryStatus.PENDING);
            assertThat(replayed.attempts()).isZero();
            assertThat(replayed.nextAttemptAt()).contains(t(100));
            assertThat(store().attempts(d.id())).hasSize(2);
            assertThat(store().deadLetters(Optional.empty(), 10).items()).isEmpty();
            assertThat(store().claimDue(t(99), 10, lease("node-a", t(200)))).isEmpty();
            assertThat(ids(store().claimDue(t(100), 10, lease("node-a", t(200))))).containsExactly(d.id());
        }

        @Test
        @DisplayName("replays nothing that is not a dead letter")
        void replaysOnlyFailedDeliveries() {
            DeliveryRecord pending = saveOneDelivery(Priority.NORMAL, T0);
            DeliveryRecord sent = saveOneDelivery(Priority.NORMAL, T0);
            markSent(sent.id(), t(1));

            assertThat(store().replay(pending.id(), t(5))).isEmpty();
            assertThat(store().replay(sent.id(), t(5))).isEmpty();
            assertThat(store().replay(987_654, t(5))).isEmpty();
            assertThat(store().delivery(sent.id())).get().extracting(DeliveryRecord::status).isEqualTo(DeliveryStatus.SENT);
            assertThat(store().delivery(pending.id())).get().extracting(DeliveryRecord::nextAttemptAt).isEqualTo(Optional.of(T0));
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
            store().replay(replayed.id(), t(2));
            store().cancel(saveOneDelivery(Priority.NORMAL, T0).notificationId());

            Map<DeliveryStatus, Long> counts = store().countByStatus();

            assertThat(counts.getOrDefault(DeliveryStatus.PENDING, 0L)).isEqualTo(3);
            assertThat(counts.getOrDefault(DeliveryStatus.SENT, 0L)).isEqualTo(1);
            assertThat(counts.getOrDefault(DeliveryStatus.RETRYING, 0L)).isEqualTo(1);
            assertThat(counts.getOrDefault(DeliveryStatus.FAILED, 0L)).isEqualTo(1);
            assertThat(counts.getOrDefault(DeliveryStatus.CANCELLED, 0L)).isEqualTo(1);
        }

        @Test
        @DisplayName("counts nothing in an empty store")
        void countsNothingWhenEmpty() {
            assertThat(store().countByStatus().values()).allSatisfy(n -> assertThat(n).isZero());
        }
    }
}
