package dev.notify.server.security;

import dev.notify.server.TestServer;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue #13 item 4: an open SSE stream ends, with a final event saying why, when its credential expires. */
class StreamExpiryTest {

    @Test
    void anSseStreamEndsWithAReauthenticateEventWhenItsJwtExpires() throws Exception {
        try (TestServer server = TestServer.start();
             Socket socket = new Socket(server.baseUri().getHost(), server.baseUri().getPort())) {
            Instant expires = Instant.now().plusSeconds(3);
            socket.setSoTimeout(15_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /api/v1/notifications/stream HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n"
                    + "Authorization: Bearer " + server.jwt("u-expiring", expires) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));

            List<String> lines = new ArrayList<>();
            String line;
            while ((line = in.readLine()) != null && !line.equals("0")) {
                lines.add(line);
            }

            assertThat(lines.get(0)).contains("200");
            assertThat(lines).contains("event: connected");
            assertThat(lines).anySatisfy(l -> assertThat(l).isEqualTo("event: reauthenticate"));
            assertThat(lines.get(lines.size() - 1)).as("the stream's last frame").isEmpty();
            assertThat(Instant.now()).isAfterOrEqualTo(expires.minus(Duration.ofMillis(1000))).isBefore(expires.plusSeconds(5));
        }
    }
}
