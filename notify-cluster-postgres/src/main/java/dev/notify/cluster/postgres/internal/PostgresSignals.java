package dev.notify.cluster.postgres.internal;

import dev.notify.api.spi.ClusterContext;
import dev.notify.api.spi.ClusterMessage;
import dev.notify.api.spi.ClusterSignals;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code LISTEN}/{@code NOTIFY} on two connections of its own: one that only listens, on a thread
 * that waits in {@link PGConnection#getNotifications(int)}, and one that sends with
 * {@code pg_notify} (a waiting listener holds its connection, so sending on it would wait too).
 *
 * <p>Faults: a broken listening connection is closed and opened again with exponential backoff
 * and jitter (100 ms up to the configured maximum) and {@code LISTEN}s again, which is all a
 * database restart needs; once back it asks the host to {@linkplain ClusterContext#resync resync},
 * since whatever was sent meanwhile is lost. A send that fails drops that hint (the other nodes'
 * polls find the change) and the next send opens a new connection, at most once per backoff step,
 * so a database that is down costs the sender thread no more than one connect attempt now and then.
 * An idle listener checks its connection every few seconds, as a half-open TCP connection says nothing.
 */
public final class PostgresSignals implements ClusterSignals {

    private static final System.Logger LOG = System.getLogger(PostgresSignals.class.getName());
    private static final Duration MIN_BACKOFF = Duration.ofMillis(100);
    private static final int WAIT_MS = 2_000;
    private static final long CHECK_EVERY_NANOS = Duration.ofSeconds(5).toNanos();

    private final String url;
    private final Optional<String> user;
    private final Optional<String> password;
    private final String channel;
    private final Duration maxBackoff;
    private final ClusterContext context;
    private final AtomicLong reconnects = new AtomicLong();
    private volatile boolean connected;
    private volatile boolean closed;
    private volatile Thread listener;
    private volatile Connection listening;
    // the sender's connection and its backoff; guarded by this
    private Connection sending;
    private PreparedStatement notify;
    private long sendRetryAtNanos;
    private Duration sendBackoff = MIN_BACKOFF;
    private boolean warnedSend;

    public PostgresSignals(String url, Optional<String> user, Optional<String> password, String channel, Duration maxBackoff,
                           ClusterContext context) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.channel = channel;
        this.maxBackoff = maxBackoff.compareTo(MIN_BACKOFF) < 0 ? MIN_BACKOFF : maxBackoff;
        this.context = context;
    }

    /** Listens once before returning (so a node that starts hears from the first publish on), then on its own thread. */
    public void start() {
        Connection c = null;
        try {
            c = listen();
        } catch (SQLException e) {
            // not fatal: the store reports an unreachable database; signals follow when it is back
            LOG.log(System.Logger.Level.WARNING, "cannot LISTEN on " + channel + " yet (" + e.getMessage() + "); retrying in the background");
        }
        context.metrics().gauge("notify.cluster.reconnects", reconnects::get, "engine", "postgres");
        Connection first = c;
        Thread t = new Thread(() -> run(first), "notify-cluster-listen");
        t.setDaemon(true);
        listener = t;
        t.start();
    }

    private Connection open(String purpose) throws SQLException {
        Properties p = new Properties();
        user.ifPresent(u -> p.setProperty("user", u));
        password.ifPresent(pw -> p.setProperty("password", pw));
        p.setProperty("ApplicationName", "notify " + purpose + " " + context.nodeId());
        p.setProperty("connectTimeout", "5");
        p.setProperty("tcpKeepAlive", "true");
        return DriverManager.getConnection(url, p);
    }

    private Connection listen() throws SQLException {
        Connection c = open("listen");
        try (Statement s = c.createStatement()) {
            s.execute("LISTEN " + channel);
        } catch (SQLException e) {
            closeQuietly(c);
            throw e;
        }
        c.setAutoCommit(true);
        listening = c;
        connected = true;
        return c;
    }

    private void run(Connection first) {
        Connection c = first;
        Duration backoff = MIN_BACKOFF;
        boolean lost = false;
        while (!closed) {
            if (c == null) {
                try {
                    c = listen();
                    backoff = MIN_BACKOFF;
                    if (lost) {
                        LOG.log(System.Logger.Level.INFO, "listening on " + channel + " again");
                    }
                    // whatever was sent while no one listened is lost: catch up from the store
                    context.resync(lost ? "the LISTEN connection was re-established" : "the LISTEN connection was established late");
                    lost = false;
                } catch (SQLException e) {
                    if (closed) {
                        return;
                    }
                    sleep(backoff);
                    backoff = next(backoff);
                    continue;
                }
            }
            try {
                receive(c);
            } catch (SQLException | RuntimeException e) {
                if (closed) {
                    return;
                }
                connected = false;
                reconnects.incrementAndGet();
                if (!lost) {
                    LOG.log(System.Logger.Level.WARNING, "the LISTEN connection on " + channel + " broke (" + e.getMessage()
                            + "); reconnecting with backoff, other nodes' changes are seen at the poll interval meanwhile");
                }
                lost = true;
                closeQuietly(c);
                listening = null;
                c = null;
            }
        }
        closeQuietly(c);
    }

    /** Hands notifications to the host until the connection breaks (throws) or the engine closes. */
    private void receive(Connection c) throws SQLException {
        PGConnection pg = c.unwrap(PGConnection.class);
        long checked = System.nanoTime();
        while (!closed) {
            PGNotification[] ns = pg.getNotifications(WAIT_MS);
            if (ns != null && ns.length > 0) {
                for (PGNotification n : ns) {
                    handle(n.getParameter());
                }
                checked = System.nanoTime();
            } else if (System.nanoTime() - checked > CHECK_EVERY_NANOS) {
                if (!c.isValid(5)) {
                    throw new SQLException("connection no longer valid");
                }
                checked = System.nanoTime();
            }
        }
    }

    private void handle(String payload) {
        try {
            context.received(ClusterMessage.parse(payload));
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "ignoring a notification on " + channel + " that is not Notify's: " + e.getMessage());
        }
    }

    @Override
    public synchronized void send(ClusterMessage message) {
        if (closed) {
            return;
        }
        String payload = message.toWire();
        try {
            if (notify == null) {
                if (System.nanoTime() < sendRetryAtNanos) {
                    return; // the database was unreachable a moment ago: drop the hint rather than wait
                }
                sending = open("notify");
                notify = sending.prepareStatement("SELECT pg_notify(?, ?)");
                if (warnedSend) {
                    LOG.log(System.Logger.Level.INFO, "sending cluster signals on " + channel + " again");
                }
                warnedSend = false;
                sendBackoff = MIN_BACKOFF;
            }
            notify.setString(1, channel);
            notify.setString(2, payload);
            notify.execute();
        } catch (SQLException e) {
            if (!warnedSend) {
                LOG.log(System.Logger.Level.WARNING, "cannot send cluster signals on " + channel + " (" + e.getMessage()
                        + "); other nodes see changes at their poll interval until it works again");
                warnedSend = true;
            }
            closeQuietly(sending);
            sending = null;
            notify = null;
            sendRetryAtNanos = System.nanoTime() + sendBackoff.toNanos();
            sendBackoff = next(sendBackoff);
        }
    }

    @Override
    public boolean connected() {
        return connected;
    }

    @Override
    public String describe() {
        return "postgres LISTEN/NOTIFY on channel " + channel;
    }

    @Override
    public void close() {
        closed = true;
        connected = false;
        Thread t = listener;
        if (t != null) {
            try {
                t.join(WAIT_MS + 1000L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeQuietly(listening);
        synchronized (this) {
            closeQuietly(sending);
            sending = null;
            notify = null;
        }
    }

    private Duration next(Duration backoff) {
        Duration doubled = backoff.multipliedBy(2);
        return doubled.compareTo(maxBackoff) > 0 ? maxBackoff : doubled;
    }

    private static void sleep(Duration d) {
        // jitter: nodes that lost the database together should not all knock at the same instant
        long ms = d.toMillis() + ThreadLocalRandom.current().nextLong(d.toMillis() / 2 + 1);
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                // closing a broken connection: nothing to do
            }
        }
    }
}
