package dev.notify.bench.peers;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The JVM ceiling of the peers benchmark: a bare Jetty 12 async-servlet SSE broadcaster with
 * Jetty's defaults but the listen backlog, no store, no per-user state. {@code GET /stream} (Authorization: Bearer JWT,
 * its HS256 signature checked, as the Node peers do) joins the one broadcast; {@code POST
 * /publish} writes its body to every stream as one {@code bench.broadcast} event, from the
 * publishing request's thread, with blocking writes.
 *
 * <pre>java -Xmx1g -cp ... dev.notify.bench.peers.JettySseHub PORT</pre>
 */
public final class JettySseHub {

    private static final String SECRET = System.getenv().getOrDefault("JWT_SECRET", "bench-jwt-secret-0123456789abcdef0123456789");

    private final Set<AsyncContext> streams = ConcurrentHashMap.newKeySet();
    private final AtomicLong seq = new AtomicLong();

    public static void main(String[] args) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(Integer.parseInt(args[0]));
        // the one setting changed from Jetty's defaults, as notify-server changes it: a listen backlog of 50
        // makes a connect storm wait for the clients' SYN retries (seconds to minutes), which measures TCP, not Jetty
        connector.setAcceptQueueSize(4096);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        JettySseHub hub = new JettySseHub();
        context.addServlet(hub.new Stream(), "/stream");
        context.addServlet(hub.new Publish(), "/publish");
        server.setHandler(context);
        server.start();
        server.join();
    }

    private final class Stream extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            String auth = req.getHeader("Authorization");
            String user = auth == null || !auth.startsWith("Bearer ") ? null : verify(auth.substring(7));
            if (user == null) {
                resp.sendError(401);
                return;
            }
            resp.setContentType("text/event-stream");
            resp.setHeader("Cache-Control", "no-cache");
            AsyncContext async = req.startAsync();
            async.setTimeout(0);
            ServletOutputStream out = resp.getOutputStream();
            out.write(("retry: 3000\nevent: connected\ndata: {\"userId\":\"" + user + "\"}\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            streams.add(async);
        }
    }

    private final class Publish extends HttpServlet {
        @Override
        protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            String body = new String(req.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            byte[] frame = ("id: " + seq.incrementAndGet() + "\nevent: bench.broadcast\ndata: " + body + "\n\n").getBytes(StandardCharsets.UTF_8);
            for (AsyncContext a : streams) {
                try {
                    ServletOutputStream out = a.getResponse().getOutputStream();
                    out.write(frame);
                    out.flush();
                } catch (IOException | IllegalStateException e) {
                    streams.remove(a);
                }
            }
            resp.setStatus(202);
            resp.setContentType("application/json");
            resp.getOutputStream().write("{}".getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The {@code sub} of a token whose HS256 signature is right, else null (expiry and grants are not checked). */
    private static String verify(String token) {
        int dot = token.lastIndexOf('.');
        if (dot < 0) {
            return null;
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            String sig = Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(token.substring(0, dot).getBytes(StandardCharsets.US_ASCII)));
            if (!sig.equals(token.substring(dot + 1))) {
                return null;
            }
            String payload = new String(Base64.getUrlDecoder().decode(token.substring(token.indexOf('.') + 1, dot)), StandardCharsets.UTF_8);
            int s = payload.indexOf("\"sub\":\"") + 7;
            return payload.substring(s, payload.indexOf('"', s));
        } catch (java.security.GeneralSecurityException | IllegalArgumentException e) {
            return null;
        }
    }
}
