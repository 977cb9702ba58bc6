package dev.notify.store.jdbc;

import dev.notify.api.Audience;
import dev.notify.api.Notification;
import dev.notify.api.spi.NewDelivery;
import dev.notify.api.spi.PublishRequest;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The process {@link DurabilityTest} kills: publishes from several threads in a loop and prints
 * each id once {@code save} has returned. Arguments: a JDBC URL, or {@code h2:<data dir>}.
 */
public final class DurabilityChild {

    public static void main(String[] args) {
        JdbcStoreConfig config = args[0].startsWith("h2:")
                ? JdbcStoreConfig.h2(java.nio.file.Path.of(args[0].substring(3)))
                : JdbcStoreConfig.builder().jdbcUrl(args[0]).build();
        JdbcNotificationStore store = JdbcNotificationStore.open(config);
        System.out.println("ready");
        System.out.flush();
        for (int t = 0; t < 4; t++) {
            int thread = t;
            new Thread(() -> {
                for (int i = 0; ; i++) {
                    Notification n = Notification.builder().id("d-" + thread + "-" + i)
                            .recipients(List.of("alice", "bob")).topic("task:t" + thread).createdAt(Instant.now()).build();
                    store.save(new PublishRequest(n, "child", List.of(Audience.user("alice"), Audience.user("bob"),
                            Audience.topic("task:t" + thread)), List.of(new NewDelivery("webhook", "ep1", n.createdAt()),
                            new NewDelivery("webhook", "ep2", n.createdAt())), Optional.empty()));
                    System.out.println(n.id());
                }
            }).start();
        }
    }
}
