package dev.notify.core.examples;

import dev.notify.api.DeliveryResult;
import dev.notify.api.InboxItem;
import dev.notify.api.InboxQuery;
import dev.notify.api.Notification;
import dev.notify.api.NotificationType;
import dev.notify.api.Priority;
import dev.notify.api.spi.Channel;
import dev.notify.api.spi.ChannelKind;
import dev.notify.api.spi.Delivery;
import dev.notify.core.NotificationService;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The library examples of README.md, verbatim between the {@code // README:...} markers, so the
 * README never shows code that does not compile or run.
 */
class ReadmeExamplesTest {

    // README:channel
    /** A channel of your own: here it prints; yours might post to Slack. */
    static final class ConsoleChannel implements Channel {
        final List<String> printed = new CopyOnWriteArrayList<>();

        @Override
        public String name() {
            return "console";
        }

        @Override
        public ChannelKind kind() {
            return ChannelKind.PUSH;     // one delivery per recipient, retried on failure
        }

        @Override
        public DeliveryResult deliver(Delivery d) {
            printed.add(d.target() + ": " + d.notification().title() + " - " + d.notification().body());
            return DeliveryResult.sent();
        }
    }
    // README:end

    @Test
    void basicUsage() throws Exception {
        ConsoleChannel console = new ConsoleChannel();
        // README:basic
        try (NotificationService notify = NotificationService.builder()
                .channel(console)             // or .discoverChannels() to load every channel jar on the classpath
                .build()) {

            String id = notify.notify(Notification.builder()
                    .recipient("alice")
                    .type(NotificationType.SUCCESS)
                    .priority(Priority.HIGH)
                    .event("task.completed")
                    .topic("task:abc123")
                    .title("Import finished")
                    .body("42 rows imported")
                    .data(Map.of("task_id", "abc123", "rows", 42))
                    .build());

            // the in-app inbox keeps it, with read/unread state
            List<InboxItem> inbox = notify.inbox().list(InboxQuery.firstPage("alice")).items();
            notify.inbox().mark("alice", List.of(id), true);
        }
        // README:end
        assertThat(console.printed).containsExactly("alice: Import finished - 42 rows imported");
    }

    @Test
    void usingTemplates() throws Exception {
        ConsoleChannel console = new ConsoleChannel();
        try (NotificationService notify = NotificationService.builder().channel(console).build()) {
            // README:templates
            notify.registerTemplate("welcome",
                    "Welcome, {{name}}!",                                  // title
                    "Hi {{name}}, your {{plan}} plan is ready.");          // body

            notify.notify(Notification.builder()
                    .recipient("bob")
                    .template("welcome")
                    .data(Map.of("name", "Bob", "plan", "Pro"))
                    .build());
            // A missing variable ({{name}} without "name" in data) throws TemplateException
            // at publish time and stores nothing: never a half-rendered message.
            // README:end
        }
        assertThat(console.printed).containsExactly("bob: Welcome, Bob! - Hi Bob, your Pro plan is ready.");
    }

    @Test
    void batch() throws Exception {
        ConsoleChannel console = new ConsoleChannel();
        try (NotificationService notify = NotificationService.builder().channel(console).build()) {
            // README:batch
            List<String> ids = notify.batchNotify(List.of(               // one transaction: all or nothing
                    Notification.builder().recipient("carol").title("Invoice #1").build(),
                    Notification.builder().recipient("dave").title("Invoice #2").build(),
                    Notification.builder().recipient("erin").title("Invoice #3").priority(Priority.LOW).build()));
            // README:end
            assertThat(ids).hasSize(3);
        }
        assertThat(console.printed).hasSize(3);
    }

    @Test
    void broadcasting() throws Exception {
        ConsoleChannel console = new ConsoleChannel();
        try (NotificationService notify = NotificationService.builder().channel(console).build()) {
            // README:broadcast
            // Everyone: one notification per 10,000 recipients, stored in one transaction.
            notify.notifyAll(List.of("alice", "bob", "carol"),
                    Notification.builder().type(NotificationType.WARNING).title("Maintenance at 22:00"));

            // Every live subscriber of a topic (SSE, WebSocket, polling clients): one event-log
            // entry however many subscribers there are.
            notify.broadcast("task:abc123", Notification.builder()
                    .event("task.progress")
                    .data(Map.of("percent", 50, "message", "Processing...")));
            // README:end
        }
        assertThat(console.printed).hasSize(3);
    }
}
