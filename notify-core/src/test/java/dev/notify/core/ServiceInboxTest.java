package dev.notify.core;

import dev.notify.api.EventLogEntry;
import dev.notify.api.InboxStats;
import dev.notify.api.spi.HubSignal;
import dev.notify.api.spi.NotificationStore;
import dev.notify.api.spi.Subscriber;
import dev.notify.api.spi.SubscriptionRequest;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class ServiceInboxTest {

    @Test
    void countsReadBeforeAReadCommittedNeverReachTheUserAfterTheCountsReadAfterIt() throws Exception {
        CountDownLatch firstReading = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        AtomicInteger reads = new AtomicInteger();
        // a store whose first counts read (one unread: a publish's push) is slow, and answers after
        // the user's "mark read" already changed the counts to none unread
        NotificationStore store = (NotificationStore) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {NotificationStore.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "stats" -> {
                        if (reads.getAndIncrement() == 0) {
                            firstReading.countDown();
                            releaseFirst.await(5, TimeUnit.SECONDS);
                            yield new InboxStats(1, 1, 0);
                        }
                        yield new InboxStats(1, 0, 1);
                    }
                    case "mark" -> 1;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        LocalSubscriberHub hub = new LocalSubscriberHub(Clock.systemUTC(), 3);
        List<Long> unreadPushed = new CopyOnWriteArrayList<>();
        hub.subscribe(new SubscriptionRequest("ws", "c1", "u1", Set.of()), new Subscriber() {
            @Override
            public void onEvent(EventLogEntry entry) {
            }

            @Override
            public void onSignal(HubSignal signal) {
                if (signal instanceof HubSignal.StatsChanged s) {
                    unreadPushed.add(s.stats().unread());
                }
            }
        });
        ServiceInbox inbox = new ServiceInbox(store, hub, Clock.systemUTC());

        Thread afterPublish = new Thread(() -> inbox.pushStats("u1"));
        afterPublish.start();
        assertThat(firstReading.await(5, TimeUnit.SECONDS)).isTrue();
        Thread markRead = new Thread(() -> inbox.mark("u1", List.of("n1"), true));
        markRead.start();
        markRead.join(300); // unordered, the read's push (0 unread) would go out now, before the publish's (1)
        releaseFirst.countDown();
        afterPublish.join(5000);
        markRead.join(5000);

        assertThat(unreadPushed).containsExactly(1L, 0L);
    }
}
