package dev.notify.store.jdbc;

import dev.notify.testkit.PostgresServer;

import dev.notify.api.Audience;
import dev.notify.api.DeliveryAttempt;
import dev.notify.api.DeliveryRecord;
import dev.notify.api.DeliveryResult;
import dev.notify.api.DeliveryStatus;
import dev.notify.api.Notification;
import dev.notify.api.Priority;
import dev.notify.api.spi.Lease;
import dev.notify.api.spi.NewDelivery;
import dev.notify.api.spi.PublishRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Claims on PostgreSQL")
class ClaimConcurrencyTest {

    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    private static JdbcNotificationStore store;

    @BeforeAll
    static void open() {
        store = JdbcNotificationStore.open(JdbcStoreConfig.builder().jdbcUrl(PostgresServer.shared().createDatabase()).poolSize(8).build());
    }

    @AfterAll
    static void close() {
        store.close();
    }

    /** Saves {@code notifications} notifications with {@code perNotification} webhook deliveries each; returns the delivery ids. */
    private static Set<Long> publish(String prefix, int notifications, int perNotification, Instant due) {
        Set<Long> ids = ConcurrentHashMap.newKeySet();
        List<PublishRequest> batch = new ArrayList<>();
        for (int i = 0; i < notifications; i++) {
            Notification n = Notification.builder().id(prefix + i).recipient("u" + (i % 50))
                    .priority(Priority.values()[i % 4]).createdAt(T0).build();
            List<NewDelivery> rows = new ArrayList<>();
            for (int j = 0; j < perNotification; j++) {
                rows.add(new NewDelivery("webhook", "ep" + j, due));
            }
            batch.add(new PublishRequest(n, "bench", List.of(Audience.user("u" + (i % 50))), rows, Optional.empty()));
            if (batch.size() == 100) {
                store.saveAll(batch).forEach(r -> r.deliveries().forEach(d -> ids.add(d.id())));
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            store.saveAll(batch).forEach(r -> r.deliveries().forEach(d -> ids.add(d.id())));
        }
        return ids;
    }

    @Test
    void fourClaimersDeliverTwentyThousandDeliveriesExactlyOnce() throws Exception {
        Set<Long> expected = publish("many-", 2_000, 10, T0);
        assertThat(expected).hasSize(20_000);
        Instant now = T0.plusSeconds(1);

        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<Long>>> claimers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                String node = "node-" + i;
                claimers.add(pool.submit(() -> {
                    start.await();
                    List<Long> delivered = new ArrayList<>();
                    for (List<DeliveryRecord> claimed; !(claimed = store.claimDue(now, 100, new Lease(node, now.plusSeconds(60)))).isEmpty(); ) {
                        for (DeliveryRecord d : claimed) {
                            store.recordAttempt(DeliveryAttempt.of(d.id(), 1, now, Duration.ofMillis(1), DeliveryResult.sent()),
                                    DeliveryStatus.SENT, Optional.empty());
                            delivered.add(d.id());
                        }
                    }
                    return delivered;
                }));
            }
            start.countDown();
            List<Long> all = new ArrayList<>();
            List<Integer> perClaimer = new ArrayList<>();
            for (Future<List<Long>> f : claimers) {
                List<Long> mine = f.get(5, TimeUnit.MINUTES);
                perClaimer.add(mine.size());
                all.addAll(mine);
            }

            assertThat(all).hasSize(20_000).doesNotHaveDuplicates();
            assertThat(Set.copyOf(all)).isEqualTo(expected);
            assertThat(perClaimer).as("every claimer did a share of the work").allSatisfy(n -> assertThat(n).isPositive());
            assertThat(store.countByStatus().get(DeliveryStatus.SENT)).isGreaterThanOrEqualTo(20_000L);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theRowsOfAClaimerThatStoppedMidLeaseAreTakenOverAfterTheLease() {
        Instant due = T0.plus(Duration.ofDays(1));
        Set<Long> expected = publish("lease-", 30, 5, due);
        Instant now = due.plusSeconds(1);

        List<DeliveryRecord> lost = new ArrayList<>();
        for (List<DeliveryRecord> c; !(c = store.claimDue(now, 40, new Lease("dying-node", now.plusSeconds(60)))).isEmpty(); ) {
            lost.addAll(c);
        }
        // dying-node stops here: it never records an attempt nor releases its rows.
        assertThat(lost.stream().map(DeliveryRecord::id).collect(Collectors.toSet())).isEqualTo(expected);

        assertThat(store.claimDue(now.plusSeconds(59), 1000, new Lease("survivor", now.plusSeconds(120))))
                .as("while the lease holds").isEmpty();
        List<DeliveryRecord> taken = store.claimDue(now.plusSeconds(60), 1000, new Lease("survivor", now.plusSeconds(120)));

        assertThat(taken.stream().map(DeliveryRecord::id).collect(Collectors.toSet())).isEqualTo(expected);
        assertThat(taken).extracting(DeliveryRecord::priority).isSortedAccordingTo((a, b) -> b.compareTo(a));
    }
}
