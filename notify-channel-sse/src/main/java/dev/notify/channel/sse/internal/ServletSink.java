package dev.notify.channel.sse.internal;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;

import java.io.IOException;

/** Connects an {@link SseConnection} to an async servlet response with non-blocking writes. */
final class ServletSink implements SseConnection.Sink, WriteListener, AsyncListener {

    private final AsyncContext async;
    private final ServletOutputStream out;
    private final SseConnection connection;
    private volatile boolean completed;

    ServletSink(AsyncContext async, ServletOutputStream out, SseConnection connection) {
        this.async = async;
        this.out = out;
        this.connection = connection;
    }

    @Override
    public boolean isReady() {
        return !completed && out.isReady();
    }

    @Override
    public void write(byte[] frame) throws IOException {
        out.write(frame);
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
