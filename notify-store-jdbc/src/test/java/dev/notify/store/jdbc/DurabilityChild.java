package dev.notify.store.jdbc;

import dev.notify.api.Audience;
import dev.notify.api.Notification;
import dev.notify.api.spi.NewDelivery;
import dev.notify.api.spi.PublishRequest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The process {@link DurabilityTest} kills: publishes from several threads in a loop and prints
 * each id once {@code save} or {@code saveAll} has returned. Arguments: a JDBC URL, or {@code h2:<data dir>}.
 */
public final class DurabilityChild {

    public static void main(String[] args) {
        JdbcStoreConfig config = args[0].startsWith("h2:")
                ? JdbcStoreConfig.h2(java.nio.file.Path.of(args[0].substring(3)))
                : JdbcStoreConfig.builder().jdbcUrl(args[0]).build();
        JdbcNotificationStore store = JdbcNotificationStore.open(config);
        System.out.println("ready");
        System.out.flush();
        // Four threads publish one at a time, two in batches large enough that, on H2, the next group
        // is executed while the one before is written (see Durability).
        for (int t = 0; t < 6; t++) {
            int thread = t;
            int batch = t < 4 ? 1 : 120;
            new Thread(() -> {
                for (int i = 0; ; i++) {
                    List<PublishRequest> requests = new ArrayList<>(batch);
                    for (int b = 0; b < batch; b++) {
                        requests.add(request("d-" + thread + "-" + i + "-" + b, "task:t" + thread));
                    }
                    if (batch == 1) {
                        store.save(requests.get(0));
                    } else {
                        store.saveAll(requests);
                    }
                    StringBuilder acknowledged = new StringBuilder();
                    for (PublishRequest r : requests) {
                        acknowledged.append(r.notification().id()).append('\n');
                    }
                    System.out.print(acknowledged);
                    System.out.flush();
                }
            }).start();
        }
    }

    private static PublishRequest request(String id, String topic) {
        Notification n = Notification.builder().id(id).recipients(List.of("alice", "bob")).topic(topic).createdAt(Instant.now()).build();
        return new PublishRequest(n, "child", List.of(Audience.user("alice"), Audience.user("bob"), Audience.topic(topic)),
                List.of(new NewDelivery("webhook", "ep1", n.createdAt()), new NewDelivery("webhook", "ep2", n.createdAt())),
                Optional.empty());
    }
}
