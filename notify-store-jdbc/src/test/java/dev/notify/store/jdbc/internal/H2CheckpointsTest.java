package dev.notify.store.jdbc.internal;

import com.zaxxer.hikari.HikariDataSource;
import dev.notify.api.Audience;
import dev.notify.api.Notification;
import dev.notify.api.spi.NewDelivery;
import dev.notify.api.spi.PublishRequest;
import dev.notify.api.spi.PublishResult;
import dev.notify.api.spi.StoreException;
import dev.notify.store.jdbc.JdbcStoreConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * H2 commits in memory and writes to its file when a checkpoint runs ({@link Durability}). These
 * tests hold the checkpoint thread at its next checkpoint to see what callers and readers get
 * meanwhile. (That acknowledged publishes survive a SIGKILL is {@code DurabilityTest}'s part.)
 */
@DisplayName("H2 checkpoints")
class H2CheckpointsTest {

    @TempDir
    Path dir;

    private HikariDataSource dataSource;
    private Durability.H2Checkpoints durability;
    private Database db;
    private Publisher publisher;
    private EventLogTable eventLog;
    private GroupCommitter<List<PublishRequest>, List<PublishResult>> committer;

    /** Checkpoints the thread may start; each one it reaches waits for a permit. */
    private final Semaphore permits = new Semaphore(0);
    private final AtomicInteger waiting = new AtomicInteger();
    private volatile SQLException failure;

    @BeforeEach
    void open() {
        String url = JdbcStoreConfig.h2(dir).effectiveJdbcUrl();
        dataSource = Startup.openPool(url, url, Dialect.H2, null, null, 10, Duration.ofSeconds(10), dir);
        Startup.migrate(dataSource, Dialect.H2, url);
        durability = (Durability.H2Checkpoints) Durability.forH2(dataSource);
        durability.beforeCheckpoint = () -> {
            waiting.incrementAndGet();
            permits.acquire();
            waiting.decrementAndGet();
            if (failure != null) {
                throw failure;
            }
        };
        db = new Database(dataSource, Dialect.H2, durability);
        publisher = new Publisher(db, Duration.ofHours(1));
        eventLog = new EventLogTable(db);
        committer = new GroupCommitter<>(group -> {
            List<PublishRequest> all = new ArrayList<>();
            group.forEach(all::addAll);
            List<PublishResult> results = publisher.commitAll(all);
            List<List<PublishResult>> out = new ArrayList<>();
            int from = 0;
            for (List<PublishRequest> requests : group) {
                out.add(results.subList(from, from + requests.size()));
                from += requests.size();
            }
            return out;
        }, durability, 64, List::size, 100, "test-committer");
    }

    @AfterEach
    void close() {
        permits.release(1_000);
        committer.close();
        durability.close();
        dataSource.close();
    }

    @Test
    void answersALargeGroupOnlyOnceACheckpointHasWrittenItAndHidesItsEventsUntilThen() throws Exception {
        CompletableFuture<List<PublishResult>> publish = CompletableFuture.supplyAsync(() -> committer.submit(requests("a", 150)));
        awaitCheckpointWaiting(1);

        assertThat(committedNotifications()).as("committed, visible to SQL").isEqualTo(150);
        assertThat(publish).as("not answered before its checkpoint").isNotDone();
        assertThat(eventLog.readAll(0, 1_000).entries()).as("event-log readers see only what is on disk").isEmpty();
        assertThat(eventLog.latestSequence()).isZero();
        assertThat(eventLog.readAfter(0, "alice", java.util.Set.of(), 1_000).entries()).isEmpty();

        permits.release();
        assertThat(publish.get(30, TimeUnit.SECONDS)).hasSize(150);
        assertThat(eventLog.readAll(0, 1_000).entries()).hasSize(150);
        assertThat(eventLog.latestSequence()).isEqualTo(150);
    }

    @Test
    void executesTheNextGroupWhileTheLargeOneBeforeItIsWritten() throws Exception {
        CompletableFuture<List<PublishResult>> first = CompletableFuture.supplyAsync(() -> committer.submit(requests("a", 150)));
        awaitCheckpointWaiting(1);
        CompletableFuture<List<PublishResult>> second = CompletableFuture.supplyAsync(() -> committer.submit(requests("b", 150)));

        // The first group's checkpoint has not started writing, yet the second group gets committed.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (committedNotifications() < 300 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(committedNotifications()).isEqualTo(300);
        assertThat(first).isNotDone();
        assertThat(second).isNotDone();

        permits.release(2);
        assertThat(first.get(30, TimeUnit.SECONDS)).hasSize(150);
        assertThat(second.get(30, TimeUnit.SECONDS)).hasSize(150);
    }

    @Test
    void blockingWritesReturnOnlyAfterTheirCheckpoint() throws Exception {
        CompletableFuture<List<PublishResult>> save = CompletableFuture.supplyAsync(() -> publisher.saveAll(requests("s", 1)));
        awaitCheckpointWaiting(1);
        assertThat(committedNotifications()).isEqualTo(1);
        assertThat(save).isNotDone();

        permits.release();
        assertThat(save.get(30, TimeUnit.SECONDS)).hasSize(1);
    }

    @Test
    void aFailedWriteFailsItsCallersWithAClearMessage() throws Exception {
        failure = new SQLException("No space left on device");
        CompletableFuture<List<PublishResult>> publish = CompletableFuture.supplyAsync(() -> committer.submit(requests("a", 150)));
        awaitCheckpointWaiting(1);
        permits.release();

        assertThatThrownBy(publish::join).hasCauseInstanceOf(StoreException.class)
                .cause().hasMessage("the transaction was committed, but writing it to the H2 file failed: No space left on device");

        // The next checkpoint succeeds and writes what the failed one did not.
        failure = null;
        CompletableFuture<List<PublishResult>> next = CompletableFuture.supplyAsync(() -> committer.submit(requests("b", 150)));
        awaitCheckpointWaiting(1);
        permits.release();
        assertThat(next.get(30, TimeUnit.SECONDS)).hasSize(150);
        assertThat(eventLog.latestSequence()).isEqualTo(300);
    }

    @Test
    void aFailedWriteFailsABlockingCallerWithWhatItWasDoing() throws Exception {
        failure = new SQLException("No space left on device");
        CompletableFuture<List<PublishResult>> save = CompletableFuture.supplyAsync(() -> publisher.saveAll(requests("s", 1)));
        awaitCheckpointWaiting(1);
        permits.release();

        assertThatThrownBy(save::join).hasCauseInstanceOf(StoreException.class).cause().hasMessage(
                "storing 1 notification(s) failed: the transaction was committed, but writing it to the H2 file failed: No space left on device");
    }

    @Test
    void smallGroupsAreWrittenByTheCommitterItselfWithoutWaitingForTheCheckpointThread() {
        List<PublishResult> results = committer.submit(requests("small", 3));

        assertThat(results).hasSize(3);
        assertThat(waiting.get()).as("the checkpoint thread was not asked").isZero();
        assertThat(eventLog.readAll(0, 10).entries()).hasSize(3);
    }

    private void awaitCheckpointWaiting(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (waiting.get() < count) {
            assertThat(System.nanoTime()).as("a checkpoint was asked for").isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    private long committedNotifications() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM notify_notification")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static List<PublishRequest> requests(String prefix, int count) {
        List<PublishRequest> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Notification n = Notification.builder().id(prefix + "-" + i).recipient("alice").title("t").createdAt(Instant.now()).build();
            out.add(new PublishRequest(n, "test", List.of(Audience.user("alice")),
                    List.of(new NewDelivery("webhook", "ep1", n.createdAt())), Optional.empty()));
        }
        return out;
    }
}
