package dev.notify.channel.sse.internal;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServletSinkTest {

    /** A Servlet 6.0 stream: bytes only. */
    public static class PlainStream extends ServletOutputStream {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int arrayWrites;

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setWriteListener(WriteListener listener) {
        }

        @Override
        public void write(int b) {
            bytes.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            arrayWrites++;
            bytes.write(b, off, len);
        }
    }

    /** A stream with the public {@code write(ByteBuffer)} of Servlet 6.1 and Jetty's ee10 output. */
    public static class BufferStream extends PlainStream {
        int bufferWrites;
        IOException failWith;

        public void write(ByteBuffer buffer) throws IOException {
            if (failWith != null) {
                throw failWith;
            }
            bufferWrites++;
            byte[] b = new byte[buffer.remaining()];
            buffer.get(b);
            bytes.writeBytes(b);
        }
    }

    private static byte[] frame(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aStreamWithWriteByteBufferGetsTheFrameAsItIsAndNeedsNoFlush() throws IOException {
        BufferStream out = new BufferStream();
        ServletSink sink = new ServletSink(null, out, null);

        boolean flush = sink.write(frame("data: one\n\n"));

        assertThat(flush).isFalse();
        assertThat(out.bufferWrites).isEqualTo(1);
        assertThat(out.arrayWrites).isZero();
        assertThat(out.bytes.toString(StandardCharsets.UTF_8)).isEqualTo("data: one\n\n");
    }

    @Test
    void aServlet60StreamGetsTheBytesAndAsksForAFlush() throws IOException {
        PlainStream out = new PlainStream();
        ServletSink sink = new ServletSink(null, out, null);

        boolean flush = sink.write(frame("data: two\n\n"));

        assertThat(flush).isTrue();
        assertThat(out.arrayWrites).isEqualTo(1);
        assertThat(out.bytes.toString(StandardCharsets.UTF_8)).isEqualTo("data: two\n\n");
    }

    @Test
    void aFailedDirectWriteSurfacesAsTheIOExceptionItWas() {
        BufferStream out = new BufferStream();
        out.failWith = new IOException("broken pipe");
        ServletSink sink = new ServletSink(null, out, null);

        assertThatThrownBy(() -> sink.write(frame("data: three\n\n"))).isSameAs(out.failWith);
    }

    @Test
    void theSharedFrameIsNotConsumedByOneStream() throws IOException {
        byte[] shared = frame("data: all\n\n");
        BufferStream a = new BufferStream();
        BufferStream b = new BufferStream();

        new ServletSink(null, a, null).write(shared);
        new ServletSink(null, b, null).write(shared);

        assertThat(a.bytes.toByteArray()).isEqualTo(shared);
        assertThat(b.bytes.toByteArray()).isEqualTo(shared);
    }
}
