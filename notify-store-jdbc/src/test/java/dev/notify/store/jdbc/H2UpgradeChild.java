package dev.notify.store.jdbc;

import dev.notify.api.Audience;
import dev.notify.api.Notification;
import dev.notify.api.spi.NewDelivery;
import dev.notify.api.spi.PublishRequest;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The process {@link H2UpgradeTest} runs with the previous H2 release on its classpath: it opens
 * the store in the data directory given as argument, publishes one notification and a pending
 * webhook delivery, closes the store and prints the H2 version that wrote the files.
 */
public final class H2UpgradeChild {

    public static void main(String[] args) {
        Path dataDir = Path.of(args[0]);
        try (JdbcNotificationStore store = JdbcNotificationStore.openH2(dataDir)) {
            Notification n = Notification.builder().id("written-by-old-h2").recipients(List.of("alice"))
                    .topic("task:upgrade").title("from before the upgrade").createdAt(Instant.now()).build();
            store.save(new PublishRequest(n, "old-server", List.of(Audience.user("alice")),
                    List.of(new NewDelivery("webhook", "ep1", n.createdAt())), Optional.empty()));
        }
        System.out.println("h2 " + org.h2.Driver.class.getPackage().getImplementationVersion());
    }
}
