package dev.notify.channel.ws.internal;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RecentIdsTest {

    @Test
    void forgetTheOldestBeyondCapacity() {
        RecentIds ids = new RecentIds();
        for (long i = 1; i <= RecentIds.CAPACITY + 10; i++) {
            ids.add(i);
        }
        assertThat(ids.contains(1)).isFalse();
        assertThat(ids.contains(10)).isFalse();
        assertThat(ids.contains(11)).isTrue();
        assertThat(ids.contains(RecentIds.CAPACITY + 10)).isTrue();
    }

    @Test
    void agreeWithASetOfTheLastThousandIdsAdded() {
        // ids out of order, repeated, and many beyond capacity: the primitive table's probing and
        // deletion must remember exactly the last CAPACITY distinct ids, as a plain set would
        java.util.Random random = new java.util.Random(42);
        RecentIds ids = new RecentIds();
        java.util.LinkedHashSet<Long> model = new java.util.LinkedHashSet<>();
        for (int n = 0; n < 20_000; n++) {
            long id = 1 + random.nextInt(3_000);
            ids.add(id);
            if (model.add(id) && model.size() > RecentIds.CAPACITY) {
                model.remove(model.iterator().next());
            }
            if (n % 97 == 0) {
                for (long probe = 1; probe <= 3_000; probe++) {
                    assertThat(ids.contains(probe)).as("id %d after %d adds", probe, n + 1).isEqualTo(model.contains(probe));
                }
            }
        }
    }
}
