package com.example.notify.file;

import dev.notify.api.DeliveryResult;
import dev.notify.api.Notification;
import dev.notify.api.spi.Channel;
import dev.notify.api.spi.ChannelContext;
import dev.notify.api.spi.ChannelKind;
import dev.notify.api.spi.Delivery;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Appends each delivery to a file as one line of JSON (JSON Lines), for example:
 *
 * <pre>{@code
 * {"delivery":"01J.../file/u1","id":"01J...","target":"u1","attempt":1,"type":"info","event":"task.progress",
 *  "priority":"high","topic":"task:abc123","title":"Import running","body":"50% done","data":{"percent":50},
 *  "createdAt":"2024-01-15T10:30:00Z","deliveredAt":"2024-01-15T10:30:00.012Z"}
 * }</pre>
 * (one line in the file; wrapped here). It is a {@link ChannelKind#PUSH} channel: the engine
 * stores one delivery per recipient and retries a failed append with backoff.
 *
 * <p>Thread-safe: the engine calls {@link #deliver} from several of the channel's threads at once.
 * The JSON is built outside the lock and each line is written with one {@code write} under it, so
 * lines never interleave; the file is opened in append mode, so another process appending to the
 * same file does not overwrite them either.
 *
 * <p>A blocking {@link Channel}, not an {@code AsyncChannel}, on purpose: an append to a local file
 * takes microseconds and Java has no non-blocking file write worth the complexity, so the attempt
 * is over before an asynchronous one would have been set up. The engine runs it on the channel's
 * own bounded threads, so even a disk that stalls (a hung network mount) delays only this channel;
 * such an attempt times out, is retried, and its thread is interrupted.
 */
public final class FileChannel implements Channel {

    private final Path file;
    private final ChannelContext context;
    private final Object lock = new Object();
    private OutputStream out;   // guarded by lock; null once closed

    private FileChannel(Path file, ChannelContext context, OutputStream out) {
        this.file = file;
        this.context = context;
        this.out = out;
    }

    /**
     * Opens {@code file} for appending, creating it and its parent folders if needed.
     *
     * @throws IllegalArgumentException when the file cannot be opened, naming the configuration key
     */
    static FileChannel open(Path file, ChannelContext context) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                    StandardOpenOption.WRITE);
            return new FileChannel(file, context, out);
        } catch (IOException e) {
            throw new IllegalArgumentException("channels." + FileChannelProvider.NAME + "." + FileChannelProvider.PATH + " = '"
                    + file + "' cannot be opened for appending: " + e, e);
        }
    }

    /** The file this channel appends to. */
    public Path file() {
        return file;
    }

    @Override
    public String name() {
        return FileChannelProvider.NAME;
    }

    @Override
    public ChannelKind kind() {
        return ChannelKind.PUSH;
    }

    @Override
    public DeliveryResult deliver(Delivery delivery) {
        byte[] line;
        try {
            // the host's codec escapes quotes, control characters and newlines, so a line is always one line
            line = (context.json().toJson(record(delivery)) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (RuntimeException e) {
            // the same notification would fail the same way again: no point retrying
            return DeliveryResult.failed("cannot write the delivery as JSON: " + e.getMessage());
        }
        synchronized (lock) {
            if (out == null) {
                // only during shutdown; the engine keeps the delivery and it is retried after a restart
                return DeliveryResult.retryLater("the file channel is closed");
            }
            try {
                out.write(line);
                out.flush();
                return DeliveryResult.sent();
            } catch (IOException e) {
                // a full disk or a removed mount may recover: retry with backoff
                return DeliveryResult.retryLater("cannot append to " + file + ": " + e.getMessage());
            }
        }
    }

    private Map<String, Object> record(Delivery delivery) {
        Notification n = delivery.notification();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("delivery", delivery.key());
        r.put("id", n.id());
        r.put("target", delivery.target());
        r.put("attempt", delivery.attempt());
        r.put("type", n.type().wireName());
        r.put("event", n.event());
        r.put("priority", n.priority().wireName());
        n.topic().ifPresent(t -> r.put("topic", t));
        r.put("title", n.title());
        r.put("body", n.body());
        r.put("data", n.data());
        r.put("createdAt", n.createdAt().toString());
        r.put("deliveredAt", context.clock().instant().toString());
        return r;
    }

    /** Closes the file. Idempotent; deliveries after it are answered with "retry later". */
    @Override
    public void close() {
        synchronized (lock) {
            if (out == null) {
                return;
            }
            try {
                out.close();
            } catch (IOException e) {
                context.logger().log(System.Logger.Level.WARNING, "could not close " + file + ": " + e.getMessage());
            } finally {
                out = null;
            }
        }
    }
}
