package dev.notify.core;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConcurrentLongSetTest {

    @Test
    void addsRemovesAndAnswersLikeASet() {
        ConcurrentLongSet set = new ConcurrentLongSet();
        assertThat(set.add(7)).isTrue();
        assertThat(set.add(7)).isFalse();
        assertThat(set.contains(7)).isTrue();
        assertThat(set.add(0)).isTrue();
        assertThat(set.add(-3)).isTrue();
        assertThat(set.size()).isEqualTo(3);
        assertThat(set.remove(7)).isTrue();
        assertThat(set.remove(7)).isFalse();
        assertThat(set.contains(7)).isFalse();
        assertThat(set.contains(0)).isTrue();
        assertThat(set.size()).isEqualTo(2);
        assertThatThrownBy(() -> set.add(Long.MIN_VALUE)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void agreesWithAHashSetThroughGrowthRemovalAndShrinking() {
        ConcurrentLongSet set = new ConcurrentLongSet();
        Set<Long> expected = new HashSet<>();
        Random random = new Random(42);
        // dense sequential ids (how delivery ids arrive) mixed with random ones, with a burst and a drain
        for (int round = 0; round < 3; round++) {
            for (long id = round * 100_000L; id < round * 100_000L + 50_000; id++) {
                assertThat(set.add(id)).isEqualTo(expected.add(id));
                long r = random.nextLong() % 1_000_000;
                assertThat(set.add(r)).isEqualTo(expected.add(r));
            }
            for (int i = 0; i < 80_000; i++) {
                long v = random.nextBoolean() ? round * 100_000L + random.nextInt(50_000) : random.nextLong() % 1_000_000;
                assertThat(set.remove(v)).isEqualTo(expected.remove(v));
            }
            assertThat(set.size()).isEqualTo(expected.size());
            for (long v : expected) {
                assertThat(set.contains(v)).isTrue();
            }
        }
        for (Long v : expected.toArray(new Long[0])) {
            assertThat(set.remove(v)).isTrue();
        }
        assertThat(set.size()).isZero();
        for (long id = 0; id < 300_000; id += 7) {
            assertThat(set.contains(id)).isFalse();
        }
    }

    @Test
    void threadsAddingAndRemovingDisjointValuesLoseNothing() throws Exception {
        ConcurrentLongSet set = new ConcurrentLongSet();
        int threads = 4;
        int perThread = 20_000;
        CountDownLatch done = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            long base = t * 1_000_000L;
            new Thread(() -> {
                for (long i = 0; i < perThread; i++) {
                    set.add(base + i);
                }
                for (long i = 0; i < perThread; i += 2) {
                    set.remove(base + i);
                }
                done.countDown();
            }).start();
        }
        done.await();
        assertThat(set.size()).isEqualTo(threads * perThread / 2);
        for (int t = 0; t < threads; t++) {
            assertThat(set.contains(t * 1_000_000L + 1)).isTrue();
            assertThat(set.contains(t * 1_000_000L + 2)).isFalse();
        }
    }
}
