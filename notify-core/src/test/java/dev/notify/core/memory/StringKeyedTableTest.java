package dev.notify.core.memory;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;

class StringKeyedTableTest {

    /** A value that carries its key. */
    private record Entry(String key, int n) {
    }

    @Test
    void putGetRemoveByIdentity() {
        StringKeyedTable<Entry> table = new StringKeyedTable<>(Entry::key);
        Entry a = new Entry("a", 1);
        assertThat(table.putIfAbsent(a)).isNull();
        assertThat(table.putIfAbsent(new Entry("a", 2))).isSameAs(a);
        assertThat(table.get("a")).isSameAs(a);
        assertThat(table.get("b")).isNull();
        assertThat(table.remove(new Entry("a", 1))).as("an equal but other value is not removed").isFalse();
        assertThat(table.remove(a)).isTrue();
        assertThat(table.get("a")).isNull();
        assertThat(table.size()).isZero();
    }

    @Test
    void agreesWithAHashMapThroughGrowthRemovalAndShrinking() {
        StringKeyedTable<Entry> table = new StringKeyedTable<>(Entry::key);
        Map<String, Entry> expected = new HashMap<>();
        Random random = new Random(7);
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 60_000; i++) {
                Entry e = new Entry("k" + random.nextInt(100_000), i);
                Entry present = expected.putIfAbsent(e.key(), e);
                assertThat(table.putIfAbsent(e)).isSameAs(present);
            }
            for (int i = 0; i < 70_000; i++) {
                Entry e = expected.get("k" + random.nextInt(100_000));
                if (e != null) {
                    assertThat(table.remove(e)).isTrue();
                    expected.remove(e.key());
                }
            }
            assertThat(table.size()).isEqualTo(expected.size());
            assertThat(table.values()).containsExactlyInAnyOrderElementsOf(expected.values());
            for (int k = 0; k < 100_000; k++) {
                assertThat(table.get("k" + k)).isSameAs(expected.get("k" + k));
            }
        }
    }

    @Test
    void threadsAddingAndRemovingDisjointKeysLoseNothing() throws Exception {
        StringKeyedTable<Entry> table = new StringKeyedTable<>(Entry::key);
        int threads = 4;
        int perThread = 20_000;
        CountDownLatch done = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            int id = t;
            new Thread(() -> {
                Entry[] mine = new Entry[perThread];
                for (int i = 0; i < perThread; i++) {
                    mine[i] = new Entry(id + "-" + i, i);
                    table.putIfAbsent(mine[i]);
                }
                for (int i = 0; i < perThread; i += 2) {
                    table.remove(mine[i]);
                }
                done.countDown();
            }).start();
        }
        done.await();
        assertThat(table.size()).isEqualTo(threads * perThread / 2);
        assertThat(table.get("3-1")).isNotNull();
        assertThat(table.get("3-2")).isNull();
    }
}
