package dev.notify.testkit;

import dev.notify.api.Api;
import dev.notify.api.DeliveryRecord;
import dev.notify.api.EventLogEntry;
import dev.notify.api.EventLogSlice;
import dev.notify.api.Notification;
import dev.notify.api.Priority;
import dev.notify.api.spi.NewDelivery;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The store contract under concurrency: concurrent claimers never share a leased delivery, and
 * concurrent publishes get distinct sequences that are all readable.
 *
 * <p>Part of {@link NotificationStoreContract}, which runs it against a fresh store for every
 * test: a store implementation extends that, not this.
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.2")
public abstract class ConcurrencyContract extends StoreContractSupport {

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
            store().save(request(n, rows.toArray(new NewDelivery[0])));
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
                        batch = store().claimDue(t(1), 7, lease(owner, t(600)));
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
                        store().save(request(n)).events().forEach(e -> sequences.add(e.sequence()));
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
            EventLogSlice slice = store().readAfter(0, "u1", Set.of(), threads * perThread);
            assertThat(slice.entries()).hasSize(threads * perThread);
            assertThat(slice.entries().stream().map(EventLogEntry::sequence).collect(Collectors.toSet())).isEqualTo(all);
        } finally {
            pool.shutdownNow();
        }
    }
}
