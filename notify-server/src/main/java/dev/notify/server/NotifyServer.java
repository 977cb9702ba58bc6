package dev.notify.server;

import dev.notify.api.spi.HubSignal;
import dev.notify.api.spi.NotificationStore;
import dev.notify.core.NotificationService;
import dev.notify.core.ServiceConfig;
import dev.notify.core.ShutdownReport;
import dev.notify.server.internal.AccessLog;
import dev.notify.server.internal.ApiServlet;
import dev.notify.server.internal.AuthFilter;
import dev.notify.server.internal.Authenticator;
import dev.notify.server.internal.ConnectionLimits;
import dev.notify.server.internal.CorsFilter;
import dev.notify.server.internal.JettyWebRegistry;
import dev.notify.server.internal.OperatorMetrics;
import dev.notify.server.internal.OpsServlet;
import dev.notify.server.internal.Plugins;
import dev.notify.server.internal.ProblemErrors;
import dev.notify.server.internal.RateLimitFilter;
import dev.notify.server.internal.RateLimits;
import dev.notify.server.internal.RequestIds;
import dev.notify.server.internal.Secrets;
import dev.notify.server.internal.StreamAdmission;
import dev.notify.server.internal.Stores;
import dev.notify.server.internal.web.WebUi;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.servlet.DispatcherType;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.servlet.ServletMapping;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.VirtualThreads;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;

/**
 * A running Notify server: embedded Jetty with the HTTP API, the engine, its store and the
 * channel plugins. {@link #start(ServerSettings)} returns once it listens; {@link #close()}
 * shuts it down gracefully (stop accepting, tell streams, drain deliveries, stop Jetty, close
 * the store).
 *
 * <pre>{@code
 * try (NotifyServer server = NotifyServer.start(ServerSettings.builder().port(0).build())) {
 *     System.out.println("listening on " + server.baseUri());
 * }
 * }</pre>
 */
public final class NotifyServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NotifyServer.class);

    private final ServerSettings settings;
    private final Server jetty;
    private final NotificationService service;
    private final NotificationStore store;
    private final Plugins plugins;
    private final Credentials credentials;
    private final AutoCloseable operatorMetrics;
    private volatile boolean draining;
    // the Redis Stream consumer of --redis-ingest-stream, or null
    private volatile dev.notify.cluster.redis.RedisStreamIngest ingest;
    private volatile ShutdownReport shutdownReport;

    private NotifyServer(ServerSettings settings, Server jetty, NotificationService service, NotificationStore store,
                         Plugins plugins, Credentials credentials, AutoCloseable operatorMetrics) {
        this.settings = settings;
        this.jetty = jetty;
        this.service = service;
        this.store = store;
        this.plugins = plugins;
        this.credentials = credentials;
        this.operatorMetrics = operatorMetrics;
    }

    /**
     * Starts a server and returns once it accepts connections.
     *
     * @throws IllegalArgumentException for invalid settings (an unknown channel, say), with a message naming the problem
     * @throws IllegalStateException when the server cannot start (port taken, database unreachable)
     */
    public static NotifyServer start(ServerSettings settings) {
        Path dataDir = settings.dataDir();
        try {
            Secrets.ownerOnlyDirectory(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data directory " + dataDir.toAbsolutePath(), e);
        }
        Credentials credentials = credentials(settings);
        Plugins plugins = Plugins.discover(settings.pluginsDir().orElse(null));
        plugins.problems().forEach(p -> LOG.error("{}", p));
        List<Plugins.Found> selected = plugins.select(settings.channels());

        NotificationStore store = Stores.open(settings);
        ownerOnlyFiles(dataDir);
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        String nodeId = settings.nodeId().orElseGet(() -> ServiceConfig.defaults().nodeId());
        // every series names its node, so the nodes of a cluster can be told apart on one dashboard
        prometheus.config().commonTags("node", nodeId);
        QueuedThreadPool pool = threadPool();
        AutoCloseable operatorMetrics = OperatorMetrics.bind(prometheus, pool, store);
        Server jetty = new Server(pool);
        NotificationService service = null;
        NotifyServer server = null;
        try {
            ServletContextHandler context = new ServletContextHandler(ServletContextHandler.NO_SESSIONS);
            context.setContextPath("/");
            JettyWebRegistry web = new JettyWebRegistry(context);
            dev.notify.api.spi.Config engine = settings.engineConfig();
            ServiceConfig defaults = ServiceConfig.defaults();
            // a shorter lease takes over a dead node's deliveries sooner, at the cost of more renewals
            ServiceConfig config = ServiceConfig.builder().config(engine).nodeId(nodeId)
                    .lease(engine.getDuration("cluster.lease", defaults.lease()))
                    .pollInterval(engine.getDuration("cluster.claim-interval", defaults.pollInterval()))
                    // the safety net under the cluster signal: how often the event log is read for other nodes' entries
                    .streamPollInterval(engine.getDuration("cluster.stream-poll-interval", defaults.streamPollInterval()))
                    .workers(settings.workers()).queueCapacity(settings.queueCapacity())
                    .maxConnectionsPerUser(settings.maxConnectionsPerUser()).build();
            service = NotificationService.builder().config(config).store(store).meterRegistry(prometheus).web(web).build();
            Authenticator auth = new Authenticator(credentials.apiKey(), credentials.jwtSecret(), settings.identityProvider(),
                    settings.jwtClockSkew(), config.clock());
            settings.identityProvider().ifPresent(idp -> LOG.info("accepting {} tokens of {} for {} (keys from {})",
                    idp.algorithms(), idp.issuer(), idp.audiences(), idp.jwksUrl()));
            ConnectionLimits limits = new ConnectionLimits(settings.maxConnections(), settings.headerTimeout());
            mountOwnEndpoints(context, web, service, prometheus, auth, limits, settings);
            registerTemplates(service, settings);
            registerChannels(service, selected);

            ServerConnector connector = new ServerConnector(jetty);
            connector.setHost(settings.host());
            connector.setPort(settings.port());
            // Jetty's default (0) leaves the JVM's listen backlog of 50: in a reconnect storm the kernel drops
            // every connect past it and the clients retry after 1, 3, 7, 15 s..., so 10,000 reconnects took
            // half a minute with the server idle (issue 15); the kernel caps this at net.core.somaxconn
            connector.setAcceptQueueSize(ACCEPT_QUEUE);
            jetty.addConnector(connector);
            limits.install(jetty, connector);
            jetty.setHandler(new RequestIds(context));
            // 404, 405 and Jetty's other own errors are problem documents too, like the API's
            ProblemErrors.install(jetty, context);
            jetty.setStopTimeout(Math.max(1000, Math.min(10_000, settings.shutdownTimeout().toMillis())));
            if (settings.accessLog()) {
                jetty.setRequestLog(new AccessLog());
            }
            server = new NotifyServer(settings, jetty, service, store, plugins, credentials, operatorMetrics);
            NotifyServer s = server;
            mount(context, new ServletHolder("ops", new OpsServlet(service, prometheus, () -> s.draining)),
                    "/metrics", "/health", "/health/*");
            jetty.start();
            service.advertise(server.baseUri().toString());
            LOG.info("Notify listening on {} with channels {} over {}", server.baseUri(), service.channelNames(), store.describe());
            LOG.info("node {}: cluster signals {}", config.nodeId(), service.clusterSignals().describe());
            server.ingest = dev.notify.server.internal.RedisIngest.start(engine, service, auth.apiKeyId(), config.nodeId()).orElse(null);
            return server;
        } catch (Exception e) {
            try {
                jetty.stop();
            } catch (Exception ignored) {
                // already failing; the original error matters
            }
            if (service != null) {
                service.close(Duration.ZERO);
            }
            store.close();
            plugins.close();
            closeQuietly(operatorMetrics);
            if (e instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("the server could not start: " + e.getMessage(), e);
        }
    }

    private static void mountOwnEndpoints(ServletContextHandler context, JettyWebRegistry web, NotificationService service,
                                          PrometheusMeterRegistry prometheus, Authenticator auth, ConnectionLimits limits,
                                          ServerSettings settings) {
        if (!settings.corsOrigins().isEmpty()) {
            FilterHolder cors = new FilterHolder(new CorsFilter(settings.corsOrigins()));
            cors.setAsyncSupported(true);
            context.addFilter(cors, "/*", EnumSet.of(DispatcherType.REQUEST));
        }
        FilterHolder authFilter = new FilterHolder(new AuthFilter(auth, service.json()));
        authFilter.setAsyncSupported(true);
        context.addFilter(authFilter, "/api/*", EnumSet.of(DispatcherType.REQUEST));
        RateLimits rateLimits = new RateLimits(settings.rateLimits(), service.meterRegistry());
        FilterHolder rateLimited = new FilterHolder(new RateLimitFilter(rateLimits));
        rateLimited.setAsyncSupported(true);
        context.addFilter(rateLimited, "/api/*", EnumSet.of(DispatcherType.REQUEST));
        FilterHolder admission = new FilterHolder(new StreamAdmission(limits));
        admission.setAsyncSupported(true);
        context.addFilter(admission, "/api/*", EnumSet.of(DispatcherType.REQUEST));

        ServletHolder api = new ServletHolder("api", new ApiServlet(service, auth, rateLimits, settings.maxBodyBytes(), settings.streamTokenTtl()));
        // the exact mapping wins over a channel's /api/v1/notifications/stream/* prefix
        mount(context, api, "/api/v1/*", "/api/v1/notifications/stream/connections");
        for (String own : List.of("/api/v1/*", "/api/v1/notifications/stream/connections", "/metrics", "/health", "/health/*")) {
            web.reserve(own, "the server");
        }
        WebUi.mount(context, web, auth, service.json(), service.config().clock(), settings.devTokens());
    }

    private static void mount(ServletContextHandler context, ServletHolder holder, String... pathSpecs) {
        holder.setAsyncSupported(true);
        context.getServletHandler().addServlet(holder);
        ServletMapping mapping = new ServletMapping();
        mapping.setServletName(holder.getName());
        mapping.setPathSpecs(pathSpecs);
        context.getServletHandler().addServletMapping(mapping);
    }

    /** Templates from the configuration: {@code templates.<name>.body} and optional {@code templates.<name>.title}. */
    private static void registerTemplates(NotificationService service, ServerSettings settings) {
        java.util.Map<String, String> templates = settings.engineConfig().node("templates").asMap();
        for (java.util.Map.Entry<String, String> e : templates.entrySet()) {
            if (!e.getKey().endsWith(".body")) {
                if (!e.getKey().endsWith(".title")) {
                    throw new IllegalArgumentException("templates." + e.getKey() + " is not a template key: use templates.<name>.body and templates.<name>.title");
                }
                continue;
            }
            String name = e.getKey().substring(0, e.getKey().length() - ".body".length());
            String title = templates.get(name + ".title");
            if (title != null) {
                service.registerTemplate(name, title, e.getValue());
            } else {
                service.registerTemplate(name, e.getValue());
            }
            LOG.info("template {} registered", name);
        }
    }

    private static void registerChannels(NotificationService service, List<Plugins.Found> selected) {
        for (Plugins.Found f : selected) {
            String name = f.provider().name();
            try {
                service.registerChannel(f.provider());
                LOG.info("channel plugin {} {} loaded from {}", name, f.provider().version(), f.origin());
            } catch (RuntimeException | LinkageError e) {
                LOG.error("channel plugin {} ({}) failed to start and is skipped: {}", name, f.origin(), e.toString());
            }
        }
    }

    /** The listen backlog asked of the kernel (Linux's default net.core.somaxconn since kernel 5.4; Node listens with 511). */
    static final int ACCEPT_QUEUE = 4096;

    private static QueuedThreadPool threadPool() {
        QueuedThreadPool pool = new QueuedThreadPool(200, 8);
        pool.setName("notify-http");
        if (VirtualThreads.areSupported()) {
            pool.setVirtualThreadsExecutor(VirtualThreads.getNamedVirtualThreadsExecutor("notify-vt"));
        }
        return pool;
    }

    private static Credentials credentials(ServerSettings settings) {
        Path dir = settings.dataDir().toAbsolutePath().normalize();
        String apiKey = settings.apiKey().orElse(null);
        String jwtSecret = settings.jwtSecret().orElse(null);
        if (apiKey == null) {
            Secrets.Loaded k = Secrets.loadOrGenerate(dir.resolve(Secrets.API_KEY_FILE), "nk_");
            apiKey = k.value();
            LOG.info(k.generated() ? "generated an API key for publishers: it is in {} (owner-only permissions)"
                    : "using the API key in {}", dir.resolve(Secrets.API_KEY_FILE));
        }
        if (jwtSecret == null) {
            Secrets.Loaded s = Secrets.loadOrGenerate(dir.resolve(Secrets.JWT_SECRET_FILE), "");
            jwtSecret = s.value();
            LOG.info(s.generated() ? "generated the HS256 secret for user JWTs: it is in {} (owner-only permissions)"
                    : "using the JWT secret in {}", dir.resolve(Secrets.JWT_SECRET_FILE));
        }
        return new Credentials(apiKey, jwtSecret);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.warn("could not unbind the JVM metrics", e);
        }
    }

    /** The base URI, such as {@code http://127.0.0.1:8080}. */
    public URI baseUri() {
        String host = settings.host();
        if (host.equals("0.0.0.0") || host.equals("::")) {
            host = "localhost";
        }
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port());
    }

    /** The listen backlog the connector asked of the kernel. */
    int acceptQueueSize() {
        for (Connector c : jetty.getConnectors()) {
            if (c instanceof ServerConnector sc) {
                return sc.getAcceptQueueSize();
            }
        }
        throw new IllegalStateException("the server has no connector");
    }

    /** The port the server listens on (the chosen one when the settings said 0). */
    public int port() {
        for (Connector c : jetty.getConnectors()) {
            if (c instanceof ServerConnector sc) {
                return sc.getLocalPort();
            }
        }
        throw new IllegalStateException("the server has no connector");
    }

    /** The engine. */
    public NotificationService service() {
        return service;
    }

    /** The settings the server runs with. */
    public ServerSettings settings() {
        return settings;
    }

    /** The API key publishers authenticate with (the configured or generated one). */
    public String apiKey() {
        return credentials.apiKey();
    }

    /** The HS256 secret user JWTs are signed with (the configured or generated one). */
    public String jwtSecret() {
        return credentials.jwtSecret();
    }

    /** What the last {@link #close()} could not deliver; empty before a close. */
    public java.util.Optional<ShutdownReport> shutdownReport() {
        return java.util.Optional.ofNullable(shutdownReport);
    }

    /**
     * Shuts down gracefully: stops accepting connections, tells every live stream that the server
     * is going away, drains deliveries within the settings' shutdown timeout, stops Jetty and closes
     * the store. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (draining) {
            return;
        }
        draining = true;
        LOG.info("shutting down: no new connections; draining deliveries for up to {}", settings.shutdownTimeout());
        for (Connector c : jetty.getConnectors()) {
            if (c instanceof ServerConnector sc) {
                sc.setAccepting(false);
            }
        }
        try {
            service.hub().signalAll(new HubSignal.ShuttingDown("server shutting down"));
        } catch (RuntimeException e) {
            LOG.warn("could not tell every stream about the shutdown", e);
        }
        if (ingest != null) {
            ingest.close(); // the batch in hand is stored and acknowledged first; the rest waits in the stream
        }
        shutdownReport = service.close(settings.shutdownTimeout());
        try {
            jetty.stop();
        } catch (Exception e) {
            LOG.warn("Jetty did not stop cleanly", e);
        }
        store.close();
        plugins.close();
        closeQuietly(operatorMetrics);
        ownerOnlyFiles(settings.dataDir());
        LOG.info("shut down: {} deliveries finished while draining, {} left for the next start", shutdownReport.delivered(),
                shutdownReport.unfinished().size());
    }

    /** The data directory is owner-only already; files H2 wrote since (its trace file) are made so too. */
    private static void ownerOnlyFiles(Path dataDir) {
        try {
            Secrets.ownerOnlyFiles(dataDir);
        } catch (IOException e) {
            LOG.warn("could not make the files in {} owner-only: {}", dataDir.toAbsolutePath(), e.toString());
        }
    }

    private record Credentials(String apiKey, String jwtSecret) {
        @Override
        public String toString() {
            return "Credentials[***]";
        }
    }
}
