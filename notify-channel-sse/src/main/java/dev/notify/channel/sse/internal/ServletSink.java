package dev.notify.channel.sse.internal;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;

/**
 * Connects an {@link SseConnection} to an async servlet response with non-blocking writes.
 *
 * <p>A frame goes out with the stream's {@code write(ByteBuffer)} where the container has one
 * (Servlet 6.1's {@code ServletOutputStream.write(ByteBuffer)}; Jetty's ee10 output stream has it
 * too): Jetty hands such a buffer to the socket at once instead of copying it into the response's
 * buffer and waiting for a flush, so a broadcast costs each stream one write instead of a write and
 * a flush, and no copy into a pooled buffer (fewer calls per stream; on the broadcast benchmark the
 * gain is inside the run-to-run spread, docs/benchmarks.md, session 13). Elsewhere
 * {@code write(byte[])} and {@code flush()}, as the Servlet 6.0 API offers.
 */
final class ServletSink implements SseConnection.Sink, WriteListener, AsyncListener {

    private static final MethodType WRITE_BUFFER = MethodType.methodType(void.class, ByteBuffer.class);
    private static final MethodType CALLED_AS = MethodType.methodType(void.class, ServletOutputStream.class, ByteBuffer.class);
    // the output stream class's public write(ByteBuffer), typed (ServletOutputStream, ByteBuffer); null where it has none
    private static final ClassValue<MethodHandle> DIRECT_WRITE = new ClassValue<>() {
        @Override
        protected MethodHandle computeValue(Class<?> type) {
            try {
                return MethodHandles.publicLookup().findVirtual(type, "write", WRITE_BUFFER).asType(CALLED_AS);
            } catch (NoSuchMethodException | IllegalAccessException e) {
                return null;
            }
        }
    };

    private final AsyncContext async;
    private final ServletOutputStream out;
    private final SseConnection connection;
    private final MethodHandle directWrite;
    private volatile boolean completed;

    ServletSink(AsyncContext async, ServletOutputStream out, SseConnection connection) {
        this.async = async;
        this.out = out;
        this.connection = connection;
        this.directWrite = DIRECT_WRITE.get(out.getClass());
    }

    @Override
    public boolean isReady() {
        return !completed && out.isReady();
    }

    @Override
    public boolean write(byte[] frame) throws IOException {
        if (directWrite == null) {
            out.write(frame);
            return true;
        }
        try {
            directWrite.invokeExact(out, ByteBuffer.wrap(frame));
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IOException(e);
        }
        return false;
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void complete() {
        if (completed) {
            return;
        }
        completed = true;
        try {
            async.complete();
        } catch (IllegalStateException e) {
            // already completed by the container (client gone, error dispatch)
        }
    }

    @Override
    public void execute(Runnable task) {
        async.start(task);
    }

    // WriteListener

    @Override
    public void onWritePossible() {
        connection.onWritePossible();
    }

    @Override
    public void onError(Throwable t) {
        connection.close();
    }

    // AsyncListener

    @Override
    public void onComplete(AsyncEvent event) {
        completed = true;
        connection.close();
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        connection.close();
    }

    @Override
    public void onError(AsyncEvent event) {
        connection.close();
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // not restarted
    }
}
