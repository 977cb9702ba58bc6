package dev.notify.server.internal;

import dev.notify.api.spi.ClusterSignals;
import dev.notify.api.spi.JsonCodec;
import dev.notify.core.InProcessSignals;
import dev.notify.core.NotificationService;
import dev.notify.web.Problems;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /metrics} (Prometheus text) and {@code GET /health} (liveness and readiness, with a
 * database round trip); {@code /health/live} and {@code /health/ready} answer each part alone.
 * Unauthenticated, as scrapers and load balancers expect; they reveal no user data.
 */
public final class OpsServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private final transient NotificationService service;
    private final transient PrometheusMeterRegistry prometheus;
    private final transient JsonCodec json;
    private final transient BooleanSupplier draining;

    /** Ops endpoints over the service and its Prometheus registry. */
    public OpsServlet(NotificationService service, PrometheusMeterRegistry prometheus, BooleanSupplier draining) {
        this.service = service;
        this.prometheus = prometheus;
        this.json = service.json();
        this.draining = draining;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
        String path = req.getServletPath() + (req.getPathInfo() == null ? "" : req.getPathInfo());
        switch (path) {
            case "/metrics" -> metrics(res);
            case "/health" -> health(res, true, true);
            case "/health/live" -> health(res, true, false);
            case "/health/ready" -> health(res, false, true);
            default -> Problems.write(res, 404, "Not Found", "no endpoint at " + path, Map.of());
        }
    }

    private void metrics(HttpServletResponse res) throws IOException {
        byte[] text = prometheus.scrape().getBytes(StandardCharsets.UTF_8);
        res.setStatus(200);
        res.setContentType("text/plain; version=0.0.4; charset=utf-8");
        res.setContentLength(text.length);
        res.getOutputStream().write(text);
    }

    private void health(HttpServletResponse res, boolean live, boolean ready) throws IOException {
        Map<String, Object> out = new LinkedHashMap<>();
        boolean up = true;
        if (live) {
            out.put("live", true);
        }
        if (ready) {
            Map<String, Object> checks = new LinkedHashMap<>();
            boolean open = service.isOpen() && !draining.getAsBoolean();
            checks.put("service", open ? "UP" : "SHUTTING_DOWN");
            String db;
            try {
                long t0 = System.nanoTime();
                service.store().latestSequence();
                db = "UP (" + (System.nanoTime() - t0) / 1_000_000 + " ms)";
            } catch (RuntimeException e) {
                db = "DOWN: " + e.getMessage();
                open = false;
            }
            checks.put("database", db);
            checks.put("store", service.store().describe());
            ClusterSignals signals = service.clusterSignals();
            if (!(signals instanceof InProcessSignals)) {
                // a degraded node still serves (streams read the log at the poll interval), so this never fails readiness
                String engine = signals.describe().split(" ", 2)[0];
                checks.put("cluster", engine + ": " + (signals.connected() ? "up" : "down"));
            }
            out.put("ready", open);
            out.put("checks", checks);
            up = open;
        }
        out.put("status", up ? "UP" : "DOWN");
        Http.writeJson(res, json, up ? 200 : 503, out);
    }
}
