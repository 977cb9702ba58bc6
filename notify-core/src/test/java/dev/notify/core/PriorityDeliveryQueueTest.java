package dev.notify.core;

import dev.notify.api.Priority;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PriorityDeliveryQueueTest {

    @Test
    void takesCriticalBeforeHighBeforeNormalBeforeLow() throws Exception {
        PriorityDeliveryQueue<String> q = new PriorityDeliveryQueue<>(10);
        q.offer(Priority.LOW, "low");
        q.offer(Priority.NORMAL, "normal");
        q.offer(Priority.CRITICAL, "critical");
        q.offer(Priority.HIGH, "high");

        assertThat(List.of(q.take(), q.take(), q.take(), q.take())).containsExactly("critical", "high", "normal", "low");
    }

    @Test
    void keepsFirstInFirstOutInsideOneLevel() throws Exception {
        PriorityDeliveryQueue<Integer> q = new PriorityDeliveryQueue<>(1000);
        for (int i = 0; i < 1000; i++) {
            q.offer(i % 2 == 0 ? Priority.NORMAL : Priority.HIGH, i);
        }
        List<Integer> taken = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            taken.add(q.take());
        }
        List<Integer> high = taken.subList(0, 500);
        List<Integer> normal = taken.subList(500, 1000);
        assertThat(high).allMatch(i -> i % 2 == 1).isSorted();
        assertThat(normal).allMatch(i -> i % 2 == 0).isSorted();
    }

    @Test
    void refusesOffersWhenFullInsteadOfDropping() {
        PriorityDeliveryQueue<String> q = new PriorityDeliveryQueue<>(2);
        assertThat(q.offer(Priority.LOW, "a")).isTrue();
        assertThat(q.offer(Priority.LOW, "b")).isTrue();
        assertThat(q.offer(Priority.CRITICAL, "c")).isFalse();
        assertThat(q.size()).isEqualTo(2);
        assertThat(q.hasRoomFor(1)).isFalse();
        assertThat(q.offerAccepted(Priority.CRITICAL, "accepted")).isTrue();
        assertThat(q.size()).isEqualTo(3);
    }

    @Test
    void anElementTakenAndHeldCountsAgainstTheCapacityUntilItIsUnheld() throws Exception {
        PriorityDeliveryQueue<String> q = new PriorityDeliveryQueue<>(2);
        q.offer(Priority.NORMAL, "a");
        q.offer(Priority.NORMAL, "b");
        assertThat(q.takeAndHold()).isEqualTo("a");
        assertThat(q.size()).isEqualTo(1);
        assertThat(q.offer(Priority.NORMAL, "c")).as("a parked element still fills the queue").isFalse();
        assertThat(q.hasRoomFor(1)).isFalse();
        assertThat(q.room()).isZero();
        q.unhold();
        assertThat(q.offer(Priority.NORMAL, "c")).isTrue();
        assertThat(q.take()).as("take() holds nothing").isEqualTo("b");
        assertThat(q.room()).isEqualTo(1);
    }

    @Test
    void takeBlocksUntilAnElementArrives() throws Exception {
        PriorityDeliveryQueue<String> q = new PriorityDeliveryQueue<>(2);
        CountDownLatch taken = new CountDownLatch(1);
        String[] got = new String[1];
        Thread t = new Thread(() -> {
            try {
                got[0] = q.take();
                taken.countDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        t.start();
        assertThat(taken.await(50, TimeUnit.MILLISECONDS)).isFalse();
        q.offer(Priority.NORMAL, "x");
        assertThat(taken.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(got[0]).isEqualTo("x");
    }

    @Test
    void closingRefusesOffersAndLetsTakersFinishWhatIsLeft() throws Exception {
        PriorityDeliveryQueue<String> q = new PriorityDeliveryQueue<>(4);
        q.offer(Priority.NORMAL, "left");
        q.close();
        assertThat(q.offer(Priority.NORMAL, "late")).isFalse();
        assertThat(q.take()).isEqualTo("left");
        assertThat(q.take()).isNull();
        assertThat(q.poll(1, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void rejectsNonsenseArguments() {
        assertThatThrownBy(() -> new PriorityDeliveryQueue<String>(0)).isInstanceOf(IllegalArgumentException.class);
        PriorityDeliveryQueue<String> q = new PriorityDeliveryQueue<>(1);
        assertThatThrownBy(() -> q.offer(Priority.LOW, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> q.offer(null, "x")).isInstanceOf(NullPointerException.class);
    }

    @Test
    void keepsPriorityOrderWhileProducersAndConsumersRunConcurrently() throws Exception {
        PriorityDeliveryQueue<long[]> q = new PriorityDeliveryQueue<>(200_000);
        int producers = 4;
        int perProducer = 20_000;
        Priority[] ps = Priority.values();
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int id = p;
            threads.add(new Thread(() -> {
                for (int i = 0; i < perProducer; i++) {
                    Priority pr = ps[i % 4];
                    q.offer(pr, new long[]{id, i, pr.ordinal()});
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        // Everything is in: takes must come out level by level, each producer's items in order.
        List<long[]> out = new ArrayList<>();
        long[] e;
        while ((e = q.poll(0, TimeUnit.MILLISECONDS)) != null) {
            out.add(e);
        }
        assertThat(out).hasSize(producers * perProducer);
        for (int i = 1; i < out.size(); i++) {
            assertThat(out.get(i)[2]).isLessThanOrEqualTo(out.get(i - 1)[2]);
        }
        long[][] lastSeen = new long[producers][4];
        for (long[] x : lastSeen) {
            java.util.Arrays.fill(x, -1);
        }
        for (long[] x : out) {
            assertThat(x[1]).isGreaterThan(lastSeen[(int) x[0]][(int) x[2]]);
            lastSeen[(int) x[0]][(int) x[2]] = x[1];
        }
    }
}
