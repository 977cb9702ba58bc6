package dev.notify.testkit;

import dev.notify.api.Api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A receiver on a loopback port that accepts every connection, reads what it is sent and never
 * answers: the most common fault of a webhook endpoint in production. All connections are served
 * by one selector thread, so a test or benchmark with hundreds of hanging attempts does not pay
 * for hundreds of threads of its own.
 *
 * <pre>{@code
 * try (HangingServer hanging = HangingServer.start()) {
 *     register("http://127.0.0.1:" + hanging.port() + "/hook");
 *     ...
 * }
 * }</pre>
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.3")
public final class HangingServer implements AutoCloseable {

    private final Selector selector;
    private final ServerSocketChannel server;
    private final AtomicInteger accepted = new AtomicInteger();

    private HangingServer() throws IOException {
        selector = Selector.open();
        server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
        Thread t = new Thread(this::loop, "hanging-server");
        t.setDaemon(true);
        t.start();
    }

    /** Starts one on a free loopback port. */
    public static HangingServer start() {
        try {
            return new HangingServer();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The loopback port it listens on. */
    public int port() {
        try {
            return ((InetSocketAddress) server.getLocalAddress()).getPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Connections accepted so far. */
    public int accepted() {
        return accepted.get();
    }

    private void loop() {
        ByteBuffer sink = ByteBuffer.allocate(64 * 1024);
        try {
            while (selector.isOpen()) {
                selector.select();
                for (SelectionKey key : selector.selectedKeys()) {
                    if (key.isAcceptable()) {
                        SocketChannel c = server.accept();
                        if (c != null) {
                            accepted.incrementAndGet();
                            c.configureBlocking(false);
                            c.register(selector, SelectionKey.OP_READ);
                        }
                    } else if (key.isReadable()) {
                        sink.clear();
                        if (((SocketChannel) key.channel()).read(sink) < 0) {
                            key.channel().close(); // the client gave up
                        }
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException | ClosedSelectorException e) {
            // closed
        }
    }

    /** Stops listening and closes every connection it holds. */
    @Override
    public void close() throws IOException {
        for (SelectionKey key : selector.keys()) {
            key.channel().close();
        }
        selector.close();
        server.close();
    }
}
