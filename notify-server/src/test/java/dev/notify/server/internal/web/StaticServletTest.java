package dev.notify.server.internal.web;

import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue #13 item 7: unauthenticated requests for files that do not exist cost no memory that stays. */
class StaticServletTest {

    @Test
    void requestsForMissingFilesLeaveNothingCached() throws Exception {
        StaticServlet servlet = new StaticServlet();
        Server jetty = new Server();
        ServerConnector connector = new ServerConnector(jetty);
        connector.setHost("127.0.0.1");
        jetty.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.addServlet(new ServletHolder(servlet), "/");
        jetty.setHandler(context);
        jetty.start();
        try {
            HttpClient client = HttpClient.newHttpClient();
            URI base = URI.create("http://127.0.0.1:" + connector.getLocalPort());
            assertThat(client.send(HttpRequest.newBuilder(base.resolve("/notify-client.js")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
            for (int i = 0; i < 300; i++) {
                String name = "/ui/x" + UUID.randomUUID() + ".js";
                HttpResponse<Void> r = client.send(HttpRequest.newBuilder(base.resolve(name)).build(), HttpResponse.BodyHandlers.discarding());
                assertThat(r.statusCode()).isEqualTo(404);
            }

            assertThat(servlet.cachedNames()).containsExactly("notify-client.js");
        } finally {
            jetty.stop();
        }
    }
}
