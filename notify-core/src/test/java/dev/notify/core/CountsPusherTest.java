package dev.notify.core;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class CountsPusherTest {

    private final List<String> pushed = new CopyOnWriteArrayList<>();
    private final List<String> threads = new CopyOnWriteArrayList<>();

    @Test
    void pushesOffTheCallersThreadAndOnceForAUserAskedForManyTimesWhileAPushRuns() throws Exception {
        CountDownLatch firstStarted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch all = new CountDownLatch(3);
        CountsPusher pusher = new CountsPusher(user -> {
            threads.add(Thread.currentThread().getName());
            if (user.equals("slow")) {
                firstStarted.countDown();
                await(release);
            }
            pushed.add(user);
            all.countDown();
        });

        pusher.accept("slow");
        await(firstStarted);
        for (int i = 0; i < 100; i++) {
            pusher.accept("u1");
            pusher.accept("u2");
        }
        assertThat(pushed).as("the caller did not wait for the slow read").isEmpty();
        release.countDown();

        await(all);
        Thread.sleep(100);
        assertThat(pushed).containsExactlyInAnyOrder("slow", "u1", "u2");
        assertThat(threads).allMatch(t -> t.equals("notify-counts"));
    }

    @Test
    void aPushThatThrowsDoesNotStopTheNextOnes() throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        CountsPusher pusher = new CountsPusher(user -> {
            if (user.equals("bad")) {
                throw new IllegalStateException("store down");
            }
            pushed.add(user);
            done.countDown();
        });
        pusher.accept("bad");
        pusher.accept("good");
        await(done);
        assertThat(pushed).containsExactly("good");
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(10, TimeUnit.SECONDS)).as("timed out").isTrue();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
