package dev.notify.server.internal.cli;

import dev.notify.server.NotifyServer;
import dev.notify.server.RateLimitSettings;
import dev.notify.server.ServerSettings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * The {@code serve} command, also what {@code java -jar notify-server.jar} runs with no
 * arguments. Every option is read, highest precedence first, from the flag ({@code --port 9090}),
 * the environment ({@code NOTIFY_PORT=9090}), the config file ({@code port=9090} in the
 * properties file given by {@code --config} or {@code NOTIFY_CONFIG}), then the default.
 *
 * <p>Channel settings ({@code channels.<name>.<key>}) come from {@code --set key=value}
 * (repeatable), environment variables {@code NOTIFY_CHANNELS__<NAME>__<KEY>} (double underscore
 * for a dot, single underscore for a dash: {@code NOTIFY_CHANNELS__SSE__HEARTBEAT_INTERVAL=10s})
 * and {@code channels.*} keys of the config file, with the same precedence.
 */
@Command(name = "notify-server", mixinStandardHelpOptions = true, sortOptions = false,
        versionProvider = ServeCommand.Version.class,
        description = {"Runs the Notify server: the HTTP API, the bundled channels and plugins, over embedded H2 or PostgreSQL.",
                "Every option can also be set as environment variable NOTIFY_<NAME> (NOTIFY_DATA_DIR) or as key <name>",
                "(data-dir) in the --config properties file. Precedence: flag, environment, config file, default."},
        subcommands = {CommandLine.HelpCommand.class, WatchCommand.class, PublishCommand.class})
public final class ServeCommand implements Callable<Integer> {

    /** What {@link #run} returns when the server runs on after it returned. */
    public static final int KEEP_RUNNING = -1;

    @Option(names = "--config", paramLabel = "FILE", description = "A properties file with any of these options as keys (port=9090) and channels.* keys.")
    Path configFile;

    @Option(names = "--port", paramLabel = "PORT", description = "HTTP port; 0 picks a free one. Default: ${DEFAULT-VALUE}.", defaultValue = "8080")
    int port;

    @Option(names = "--host", paramLabel = "ADDRESS", description = "Address to bind. Default: ${DEFAULT-VALUE} (all interfaces).", defaultValue = "0.0.0.0")
    String host;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Embedded H2 database, generated secrets. Default: ${DEFAULT-VALUE}.", defaultValue = "data")
    Path dataDir;

    @Option(names = "--db-url", paramLabel = "JDBC_URL", description = "jdbc:postgresql://host/db or jdbc:h2:...; default: embedded H2 in the data directory.")
    String dbUrl;

    @Option(names = "--db-user", paramLabel = "USER", description = "Database user.")
    String dbUser;

    @Option(names = "--db-password", paramLabel = "PASSWORD", description = "Database password (prefer NOTIFY_DB_PASSWORD: flags show in ps).")
    String dbPassword;

    @Option(names = "--api-key", paramLabel = "KEY", description = "The publishers' API key (16+ characters). Default: generated on first start into <data-dir>/api-key.")
    String apiKey;

    @Option(names = "--jwt-secret", paramLabel = "SECRET", description = "HS256 secret of user JWTs (32+ bytes). Default: generated on first start into <data-dir>/jwt-secret.")
    String jwtSecret;

    @Option(names = "--jwt-jwks-url", paramLabel = "URL", description = {"Also accept user JWTs signed by an identity provider with a key of this JWKS",
            "(Keycloak: <issuer>/protocol/openid-connect/certs, Auth0: https://<tenant>/.well-known/jwks.json). Needs --jwt-issuer and --jwt-audience."})
    String jwtJwksUrl;

    @Option(names = "--jwt-issuer", paramLabel = "ISSUER", description = "The iss claim the identity provider's tokens must carry, exactly.")
    String jwtIssuer;

    @Option(names = "--jwt-audience", paramLabel = "AUDIENCES", split = ",", description = "The aud values meaning 'for Notify', comma-separated; a token must carry one.")
    List<String> jwtAudience;

    @Option(names = "--jwt-algorithms", paramLabel = "ALGORITHMS", split = ",", defaultValue = "RS256,ES256",
            description = "Signature algorithms accepted from the identity provider (RS*, PS*, ES*; never HS256 or none). Default: ${DEFAULT-VALUE}.")
    List<String> jwtAlgorithms;

    @Option(names = "--jwt-user-claim", paramLabel = "CLAIM", defaultValue = "sub", description = "The claim of provider tokens holding the user id. Default: ${DEFAULT-VALUE}.")
    String jwtUserClaim;

    @Option(names = "--jwt-topics-claim", paramLabel = "CLAIM", defaultValue = "topics",
            description = "The claim of provider tokens listing topic grants (a list or a space-separated string). Default: ${DEFAULT-VALUE}.")
    String jwtTopicsClaim;

    @Option(names = "--jwt-scope-topics", paramLabel = "SCOPE=TOPICS", split = ",",
            description = "Topic grants implied by a scope of the scope/scp claim, topics separated by |: notify:tasks=task:*|build:*. Repeatable.")
    Map<String, String> jwtScopeTopics;

    @Option(names = "--jwt-jwks-cache-ttl", paramLabel = "DURATION", defaultValue = "5m", description = "How long fetched provider keys are used. Default: ${DEFAULT-VALUE}.")
    String jwtJwksCacheTtl;

    @Option(names = "--jwt-jwks-refresh-floor", paramLabel = "DURATION", defaultValue = "30s",
            description = "Shortest time between two key fetches caused by tokens naming an unknown kid. Default: ${DEFAULT-VALUE}.")
    String jwtJwksRefreshFloor;

    @Option(names = "--jwt-clock-skew", paramLabel = "DURATION", defaultValue = "30s", description = "Tolerance on the exp and nbf of user tokens. Default: ${DEFAULT-VALUE}.")
    String jwtClockSkew;

    @Option(names = "--plugins-dir", paramLabel = "DIR", description = "Folder of channel plugin jars, each loaded in its own class loader. Default: <data-dir>/plugins.")
    Path pluginsDir;

    @Option(names = "--channels", paramLabel = "NAMES", split = ",", description = "Channels to enable, comma-separated (sse,poll,file). Default: every discovered one.")
    List<String> channels;

    @Option(names = "--webhook-allow-private-networks", paramLabel = "BOOLEAN", arity = "0..1", fallbackValue = "true", defaultValue = "false",
            description = "Let webhooks target loopback, private and link-local addresses (local testing only). Default: ${DEFAULT-VALUE}.")
    boolean webhookAllowPrivateNetworks;

    @Option(names = "--cors-origins", paramLabel = "ORIGINS", split = ",", description = "Browser origins allowed to call the API, comma-separated, or *. Default: none.")
    List<String> corsOrigins;

    @Option(names = "--max-body-bytes", paramLabel = "BYTES", defaultValue = "1048576", description = "Largest request body; larger ones get 413. Default: ${DEFAULT-VALUE} (1 MiB).")
    long maxBodyBytes;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "5", description = "Delivery worker threads. Default: ${DEFAULT-VALUE}.")
    int workers;

    @Option(names = "--queue-capacity", paramLabel = "N", defaultValue = "100000",
            description = "Most deliveries waiting in memory; past it publishes get 503 with Retry-After. Default: ${DEFAULT-VALUE}.")
    int queueCapacity;

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "0",
            description = "Most network connections the server holds; past 90% new streams get 503 with Retry-After. 0 derives it from the"
                    + " process's open-file limit (600 descriptors, or a thirty-second of a larger limit, left for the database, webhooks and files). Default: ${DEFAULT-VALUE}.")
    int maxConnections;

    @Option(names = "--max-connections-per-user", paramLabel = "N", defaultValue = "16",
            description = "Most live streams (SSE, WebSocket, long polls) one user may hold; past it 429. Default: ${DEFAULT-VALUE}.")
    int maxConnectionsPerUser;

    @Option(names = "--rate-limit-publish", paramLabel = "RATE[:BURST]", defaultValue = "10000:20000",
            description = "Notifications per second per API key (a batch counts each), with the burst; off disables. Past it 429."
                    + " Per node. Default: ${DEFAULT-VALUE}.")
    String rateLimitPublish;

    @Option(names = "--rate-limit-stream-connect", paramLabel = "RATE[:BURST]", defaultValue = "20:100",
            description = "New streams (SSE, WebSocket, polls) per second per user, with the burst; off disables. Per node. Default: ${DEFAULT-VALUE}.")
    String rateLimitStreamConnect;

    @Option(names = "--rate-limit-inbox", paramLabel = "RATE[:BURST]", defaultValue = "50:500",
            description = "Inbox and preferences calls per second per user, with the burst; off disables. Per node. Default: ${DEFAULT-VALUE}.")
    String rateLimitInbox;

    @Option(names = "--header-timeout", paramLabel = "DURATION", defaultValue = "10s",
            description = "How long a new connection has to send a complete request head before it is closed. Default: ${DEFAULT-VALUE}.")
    String headerTimeout;

    @Option(names = "--stream-token-ttl", paramLabel = "DURATION", defaultValue = "5m", description = "Lifetime of stream tokens (POST /api/v1/stream-tokens). Default: ${DEFAULT-VALUE}.")
    String streamTokenTtl;

    @Option(names = "--shutdown-timeout", paramLabel = "DURATION", defaultValue = "30s", description = "How long a graceful shutdown drains deliveries. Default: ${DEFAULT-VALUE}.")
    String shutdownTimeout;

    @Option(names = "--node-id", paramLabel = "ID", description = "This node's id in a cluster (registry, leases, metrics). Default: random per start.")
    String nodeId;

    @Option(names = "--access-log", paramLabel = "BOOLEAN", arity = "0..1", fallbackValue = "true", defaultValue = "true",
            description = "Log one line per request (tokens masked). Default: ${DEFAULT-VALUE}.")
    boolean accessLog;

    @Option(names = "--log-format", paramLabel = "FORMAT", defaultValue = "plain",
            description = {"plain: one readable line per event; json: one JSON object per line (timestamp, level, logger, thread,",
                    "message, requestId of the request being handled). Default: ${DEFAULT-VALUE}."})
    String logFormat;

    @Option(names = "--dev-tokens", paramLabel = "BOOLEAN", arity = "0..1", fallbackValue = "true", defaultValue = "false",
            description = {"Enable POST /api/v1/dev/tokens: the API key mints user JWTs (the inbox page's dev sign-in).",
                    "Development only: it lets a publisher act as any user. Default: ${DEFAULT-VALUE}."})
    boolean devTokens;

    @Option(names = "--redis-url", paramLabel = "URL", description = {"Cluster signals through Redis pub/sub instead of PostgreSQL LISTEN/NOTIFY:",
            "redis://[user:password@]host:port[/db] or rediss://... (TLS). The store stays the truth. Prefer NOTIFY_REDIS_URL: flags show in ps."})
    String redisUrl;

    @Option(names = "--redis-ingest-stream", paramLabel = "NAME", description = {"With --redis-url: publish the entries of this Redis Stream (field 'notification' =",
            "the JSON of POST /api/v1/notifications), as a consumer group shared by the nodes; invalid entries go to NAME:dead."})
    String redisIngestStream;

    @Option(names = "--redis-payloads", paramLabel = "BOOLEAN", arity = "0..1", fallbackValue = "true", defaultValue = "false",
            description = {"With --redis-url: users' live events travel whole in the pub/sub message (up to 2,000 characters),",
                    "so the receiving node pushes them without reading the event log (cluster.redis.payloads). Default: ${DEFAULT-VALUE}."})
    boolean redisPayloads;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "A channel setting, repeatable: --set channels.sse.heartbeat-interval=30s.")
    Map<String, String> set = new LinkedHashMap<>();

    private final Map<String, String> env;
    private final Properties file;
    private NotifyServer server;
    private boolean dryRun;

    private ServeCommand(Map<String, String> env, Properties file) {
        this.env = env;
        this.file = file;
    }

    /**
     * Parses {@code args} and starts the server; SIGTERM and SIGINT shut it down gracefully and exit 0.
     *
     * @return {@link #KEEP_RUNNING} when the server is running, else the exit status
     */
    public static int run(String[] args, Map<String, String> env) {
        CommandLine cl;
        ServeCommand cmd;
        try {
            cmd = prepare(args, env, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        } catch (CommandLine.ParameterException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        cl = cmd.commandLine;
        int status = cl.execute(args);
        if (status == 0 && cmd.server != null) {
            NotifyServer s = cmd.server;
            Runtime.getRuntime().addShutdownHook(new Thread(s::close, "notify-shutdown"));
            Signals.exitGracefullyOn(s::close);
            return KEEP_RUNNING;
        }
        return status;
    }

    /**
     * Parses the arguments into settings without starting anything (for tests and {@code --help}).
     *
     * @throws CommandLine.ParameterException for an invalid option
     */
    public static ServerSettings parse(String[] args, Map<String, String> env) {
        StringPrintWriter out = new StringPrintWriter();
        ServeCommand cmd = prepare(args, env, out, out);
        cmd.dryRun = true;
        CommandLine.ParseResult r = cmd.commandLine.parseArgs(args);
        if (r.isUsageHelpRequested() || r.isVersionHelpRequested()) {
            throw new CommandLine.ParameterException(cmd.commandLine, "help requested");
        }
        return cmd.settings();
    }

    /**
     * Chooses the logging backend from {@code --log-format}, {@code NOTIFY_LOG_FORMAT} or the config
     * file's {@code log-format}, before anything logs: SLF4J binds its backend once, on first use,
     * so this runs ahead of parsing (which {@link #settings()} validates).
     */
    public static void selectLogFormat(String[] args, Map<String, String> env) {
        String format = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--log-format") && i + 1 < args.length) {
                format = args[i + 1];
            } else if (args[i].startsWith("--log-format=")) {
                format = args[i].substring("--log-format=".length());
            }
        }
        if (format == null) {
            format = env.get("NOTIFY_LOG_FORMAT");
        }
        if (format == null) {
            try {
                format = loadConfigFile(args, env).getProperty("log-format");
            } catch (UncheckedIOException e) {
                return; // run() reports the unreadable file
            }
        }
        if (format != null && format.trim().equalsIgnoreCase("json") && System.getProperty("slf4j.provider") == null) {
            System.setProperty("slf4j.provider", dev.notify.server.internal.logging.JsonLogProvider.class.getName());
            // SLF4J would announce the choice on stderr in its own format, the one non-JSON line
            if (System.getProperty("slf4j.internal.verbosity") == null) {
                System.setProperty("slf4j.internal.verbosity", "WARN");
            }
        }
    }

    /** The usage text. */
    public static String usage() {
        return new CommandLine(new ServeCommand(Map.of(), new Properties())).getUsageMessage(CommandLine.Help.Ansi.OFF);
    }

    private CommandLine commandLine;

    private static ServeCommand prepare(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
        Properties file = loadConfigFile(args, env);
        ServeCommand cmd = new ServeCommand(env, file);
        CommandLine cl = new CommandLine(cmd);
        cl.setDefaultValueProvider(cmd::defaultFor);
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, line, parseResult) -> {
            line.getErr().println("notify-server: " + ex.getMessage());
            return 1;
        });
        cmd.commandLine = cl;
        return cmd;
    }

    /** Environment first, then the config file, then the annotation's default. */
    private String defaultFor(CommandLine.Model.ArgSpec arg) {
        if (!(arg instanceof CommandLine.Model.OptionSpec option)) {
            return null;
        }
        String name = option.longestName().substring(2);
        if (name.equals("set") || name.equals("config") || name.equals("help") || name.equals("version")) {
            return null;
        }
        String fromEnv = env.get("NOTIFY_" + name.toUpperCase(Locale.ROOT).replace('-', '_'));
        if (fromEnv != null) {
            return fromEnv;
        }
        String fromFile = file.getProperty(name);
        if (fromFile != null) {
            return fromFile.trim();
        }
        return option.defaultValue();
    }

    private static Properties loadConfigFile(String[] args, Map<String, String> env) {
        String path = env.get("NOTIFY_CONFIG");
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                path = args[i + 1];
            } else if (args[i].startsWith("--config=")) {
                path = args[i].substring("--config=".length());
            }
        }
        Properties p = new Properties();
        if (path != null) {
            Path f = Path.of(path);
            try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the config file " + f.toAbsolutePath() + ": " + e.getMessage(), e);
            }
        }
        return p;
    }

    @Override
    public Integer call() {
        ServerSettings settings = settings();
        if (dryRun) {
            return 0;
        }
        server = NotifyServer.start(settings);
        return 0;
    }

    /** {@code token}: mints a user JWT with the server's secret, so the API can be tried with curl. */
    @Command(name = "token", description = {"Prints a user JWT signed with the server's JWT secret (from --jwt-secret or <data-dir>/jwt-secret),",
            "for trying the API with curl: TOKEN=$(java -jar notify-server.jar token --user u1)"})
    int token(@Option(names = "--user", required = true, paramLabel = "USER_ID", description = "The user id (sub claim).") String user,
              @Option(names = "--topics", split = ",", paramLabel = "TOPICS", description = "Topic grants, comma-separated (task:*).") List<String> topics,
              @Option(names = "--ttl", defaultValue = "1h", paramLabel = "DURATION", description = "Lifetime. Default: ${DEFAULT-VALUE}.") String ttl) {
        String secret = jwtSecret;
        if (secret == null) {
            Path file = dataDir.resolve(dev.notify.server.internal.Secrets.JWT_SECRET_FILE);
            if (!Files.exists(file)) {
                commandLine.getErr().println("notify-server: no JWT secret: pass --jwt-secret, or start the server once so it generates " + file);
                return 1;
            }
            try {
                secret = Files.readString(file, StandardCharsets.UTF_8).trim();
            } catch (IOException e) {
                commandLine.getErr().println("notify-server: cannot read " + file + ": " + e.getMessage());
                return 1;
            }
        }
        Duration lifetime = duration("ttl", ttl);
        java.time.Instant now = java.time.Instant.now();
        com.nimbusds.jwt.JWTClaimsSet.Builder claims = new com.nimbusds.jwt.JWTClaimsSet.Builder().subject(user)
                .issueTime(java.util.Date.from(now)).expirationTime(java.util.Date.from(now.plus(lifetime)));
        if (topics != null && !topics.isEmpty()) {
            claims.claim("topics", new ArrayList<>(clean(topics)));
        }
        String token = new dev.notify.server.internal.Authenticator("unused-api-key-placeholder", secret, java.time.Clock.systemUTC())
                .sign(claims.build());
        commandLine.getOut().println(token);
        return 0;
    }

    ServerSettings settings() {
        if (!logFormat.equals("plain") && !logFormat.equals("json")) {
            throw new IllegalArgumentException("--log-format must be plain or json, got " + logFormat);
        }
        ServerSettings.Builder b = ServerSettings.builder()
                .port(port).host(host).dataDir(dataDir)
                .dbUrl(dbUrl).dbUser(dbUser).dbPassword(dbPassword)
                .apiKey(apiKey).jwtSecret(jwtSecret)
                .pluginsDir(pluginsDir != null ? pluginsDir : dataDir.resolve("plugins"))
                .channels(channels == null ? Set.of() : clean(channels))
                .webhookAllowPrivateNetworks(webhookAllowPrivateNetworks)
                .corsOrigins(corsOrigins == null ? List.of() : new ArrayList<>(clean(corsOrigins)))
                .maxBodyBytes(maxBodyBytes)
                .workers(workers).queueCapacity(queueCapacity)
                .streamTokenTtl(duration("stream-token-ttl", streamTokenTtl))
                .maxConnections(maxConnections).maxConnectionsPerUser(maxConnectionsPerUser)
                .rateLimits(new RateLimitSettings(limit("rate-limit-publish", rateLimitPublish),
                        limit("rate-limit-stream-connect", rateLimitStreamConnect), limit("rate-limit-inbox", rateLimitInbox)))
                .headerTimeout(duration("header-timeout", headerTimeout))
                .shutdownTimeout(duration("shutdown-timeout", shutdownTimeout))
                .accessLog(accessLog)
                .nodeId(nodeId)
                .devTokens(devTokens)
                .identityProvider(identityProvider())
                .jwtClockSkew(duration("jwt-clock-skew", jwtClockSkew));
        b.config(channelConfig());
        return b.build();
    }

    private ServerSettings.IdentityProvider identityProvider() {
        if (jwtJwksUrl == null || jwtJwksUrl.isBlank()) {
            if (jwtIssuer != null || jwtAudience != null) {
                throw new IllegalArgumentException("--jwt-issuer and --jwt-audience check identity provider tokens: set --jwt-jwks-url too");
            }
            return null;
        }
        Map<String, List<String>> scopes = new TreeMap<>();
        if (jwtScopeTopics != null) {
            jwtScopeTopics.forEach((scope, topics) -> scopes.put(scope.trim(), new ArrayList<>(clean(List.of(topics.split("\\|"))))));
        }
        java.net.URI url;
        try {
            url = new java.net.URI(jwtJwksUrl.trim());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("--jwt-jwks-url is not a URL: " + jwtJwksUrl, e);
        }
        return new ServerSettings.IdentityProvider(url, jwtIssuer, jwtAudience == null ? List.of() : new ArrayList<>(clean(jwtAudience)),
                new ArrayList<>(clean(jwtAlgorithms)), jwtUserClaim, jwtTopicsClaim, scopes,
                duration("jwt-jwks-cache-ttl", jwtJwksCacheTtl), duration("jwt-jwks-refresh-floor", jwtJwksRefreshFloor));
    }

    /** {@code channels.*}, {@code templates.*} and {@code inbox.*}: config file, overridden by the environment, overridden by {@code --set}. */
    private Map<String, String> channelConfig() {
        Map<String, String> out = new TreeMap<>();
        for (String k : file.stringPropertyNames()) {
            if (k.startsWith("channels.") || k.startsWith("templates.") || k.startsWith("cluster.") || k.startsWith("inbox.") || k.startsWith("ingest.")) {
                out.put(k, file.getProperty(k).trim());
            }
        }
        env.forEach((k, v) -> {
            if (k.startsWith("NOTIFY_CHANNELS__") || k.startsWith("NOTIFY_TEMPLATES__") || k.startsWith("NOTIFY_CLUSTER__") || k.startsWith("NOTIFY_INBOX__")
                    || k.startsWith("NOTIFY_INGEST__")) {
                String key = k.substring("NOTIFY_".length()).toLowerCase(Locale.ROOT).replace("__", ".").replace('_', '-');
                out.put(key, v);
            }
        });
        redis(out);
        set.forEach((k, v) -> {
            if (!k.contains(".")) {
                throw new CommandLine.ParameterException(commandLine, "--set " + k + "=" + v
                        + ": the key must be dotted, such as channels.sse.heartbeat-interval");
            }
            out.put(k.trim(), v);
        });
        return out;
    }

    /** {@code --redis-*}: the keys the Redis engine and the stream ingestion read ({@code --set} may still override them). */
    private void redis(Map<String, String> out) {
        if (redisUrl == null || redisUrl.isBlank()) {
            if (redisIngestStream != null) {
                throw new CommandLine.ParameterException(commandLine, "--redis-ingest-stream needs --redis-url");
            }
            if (redisPayloads) {
                throw new CommandLine.ParameterException(commandLine, "--redis-payloads needs --redis-url");
            }
            return;
        }
        if (!redisUrl.startsWith("redis://") && !redisUrl.startsWith("rediss://")) {
            throw new CommandLine.ParameterException(commandLine, "--redis-url must be redis://[user:password@]host:port[/db] or rediss://...");
        }
        out.put("cluster.signals", "redis");
        out.put("cluster.redis.url", redisUrl.trim());
        if (redisPayloads) {
            out.put("cluster.redis.payloads", "true");
        }
        if (redisIngestStream != null && !redisIngestStream.isBlank()) {
            out.put("ingest.redis.stream", redisIngestStream.trim());
        }
    }

    private static Set<String> clean(List<String> values) {
        Set<String> out = new LinkedHashSet<>();
        for (String v : values) {
            if (!v.isBlank()) {
                out.add(v.trim());
            }
        }
        return out;
    }

    private Duration duration(String name, String value) {
        try {
            return dev.notify.api.spi.Config.parseDuration("--" + name, value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(commandLine, e.getMessage());
        }
    }

    private RateLimitSettings.Limit limit(String name, String value) {
        try {
            return RateLimitSettings.Limit.parse("--" + name, value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(commandLine, e.getMessage());
        }
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = ServeCommand.class.getPackage().getImplementationVersion();
            return new String[] {"notify-server " + (v == null ? "(development build)" : v)};
        }
    }

    private static final class StringPrintWriter extends PrintWriter {
        StringPrintWriter() {
            super(new java.io.StringWriter());
        }
    }
}
