package dev.notify.server;

import dev.notify.api.spi.Config;
import dev.notify.core.ServiceConfig;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Everything the server can be told, as the command line, the environment and the config file
 * fill it in. Immutable; start from {@link #builder()}, whose defaults are the embedded ones
 * (port 8080, H2 under {@code ./data}, every discovered channel).
 *
 * <pre>{@code
 * ServerSettings settings = ServerSettings.builder()
 *         .port(0).host("127.0.0.1")
 *         .dataDir(Path.of("/var/lib/notify"))
 *         .set("channels.sse.heartbeat-interval", "10s")
 *         .build();
 * try (NotifyServer server = NotifyServer.start(settings)) { ... }
 * }</pre>
 *
 * <p>One file past 600 lines on purpose: every setting is a field, a getter and a builder method
 * with its check, and an operator looking up what a flag accepts finds all of them in one place;
 * spread over helper classes they would read worse, not better.
 */
public final class ServerSettings {

    /** The default request body limit: 1 MiB. */
    public static final long DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

    private final String host;
    private final int port;
    private final Path dataDir;
    private final String dbUrl;
    private final String dbUser;
    private final String dbPassword;
    private final String apiKey;
    private final String jwtSecret;
    private final Path pluginsDir;
    private final Set<String> channels;
    private final boolean webhookAllowPrivateNetworks;
    private final List<String> corsOrigins;
    private final long maxBodyBytes;
    private final Duration streamTokenTtl;
    private final Duration shutdownTimeout;
    private final boolean accessLog;
    private final String nodeId;
    private final int workers;
    private final int queueCapacity;
    private final int maxConnections;
    private final int maxConnectionsPerUser;
    private final Duration headerTimeout;
    private final boolean devTokens;
    private final RateLimitSettings rateLimits;
    private final IdentityProvider identityProvider;
    private final Duration jwtClockSkew;
    private final Map<String, String> config;

    private ServerSettings(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.dataDir = b.dataDir;
        this.dbUrl = b.dbUrl;
        this.dbUser = b.dbUser;
        this.dbPassword = b.dbPassword;
        this.apiKey = b.apiKey;
        this.jwtSecret = b.jwtSecret;
        this.pluginsDir = b.pluginsDir;
        this.channels = Set.copyOf(new LinkedHashSet<>(b.channels));
        this.webhookAllowPrivateNetworks = b.webhookAllowPrivateNetworks;
        this.corsOrigins = List.copyOf(b.corsOrigins);
        this.maxBodyBytes = b.maxBodyBytes;
        this.streamTokenTtl = b.streamTokenTtl;
        this.shutdownTimeout = b.shutdownTimeout;
        this.accessLog = b.accessLog;
        this.nodeId = b.nodeId;
        this.workers = b.workers;
        this.queueCapacity = b.queueCapacity;
        this.maxConnections = b.maxConnections;
        this.maxConnectionsPerUser = b.maxConnectionsPerUser;
        this.rateLimits = b.rateLimits;
        this.headerTimeout = b.headerTimeout;
        this.devTokens = b.devTokens;
        this.identityProvider = b.identityProvider;
        this.jwtClockSkew = b.jwtClockSkew;
        this.config = Map.copyOf(b.config);
    }

    /** A builder with the embedded defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The address to bind; {@code 0.0.0.0} (every interface) by default. */
    public String host() {
        return host;
    }

    /** The HTTP port; 0 picks a free one. */
    public int port() {
        return port;
    }

    /** Where the embedded database, the generated secrets and the default plugins folder live. */
    public Path dataDir() {
        return dataDir;
    }

    /** The JDBC URL; empty means embedded H2 in {@link #dataDir()}. */
    public Optional<String> dbUrl() {
        return Optional.ofNullable(dbUrl);
    }

    /** The database user. */
    public Optional<String> dbUser() {
        return Optional.ofNullable(dbUser);
    }

    /** The database password; never printed. */
    public Optional<String> dbPassword() {
        return Optional.ofNullable(dbPassword);
    }

    /** The publishers' API key; empty means generated on first start and kept in the data directory. */
    public Optional<String> apiKey() {
        return Optional.ofNullable(apiKey);
    }

    /** The HS256 secret of user JWTs; empty means generated on first start and kept in the data directory. */
    public Optional<String> jwtSecret() {
        return Optional.ofNullable(jwtSecret);
    }

    /** The folder of plugin jars; empty means none. */
    public Optional<Path> pluginsDir() {
        return Optional.ofNullable(pluginsDir);
    }

    /** The channels to enable; empty means every discovered one. */
    public Set<String> channels() {
        return channels;
    }

    /** Whether webhooks may target loopback, private and link-local addresses (local testing only). */
    public boolean webhookAllowPrivateNetworks() {
        return webhookAllowPrivateNetworks;
    }

    /** Origins allowed to call the API from a browser; {@code *} allows any. Empty: no CORS headers. */
    public List<String> corsOrigins() {
        return corsOrigins;
    }

    /** The largest request body accepted; larger ones get 413. */
    public long maxBodyBytes() {
        return maxBodyBytes;
    }

    /** How long a stream token minted by {@code POST /api/v1/stream-tokens} is valid. */
    public Duration streamTokenTtl() {
        return streamTokenTtl;
    }

    /** How long a graceful shutdown may drain deliveries. */
    public Duration shutdownTimeout() {
        return shutdownTimeout;
    }

    /** This node's id in a cluster (leases, node registry, metrics); default a random {@code node-xxxxxxxx} per start. */
    public Optional<String> nodeId() {
        return Optional.ofNullable(nodeId);
    }

    /** Whether each request is logged (method, path with tokens masked, status, time). */
    public boolean accessLog() {
        return accessLog;
    }

    /**
     * Whether {@code POST /api/v1/dev/tokens} mints user JWTs for the API key holder (the inbox
     * page's sign-in form). Off by default: it lets a publisher act as any user.
     */
    public boolean devTokens() {
        return devTokens;
    }

    /** The identity provider whose RS256/ES256 tokens users may present; empty: only HS256 tokens signed with the JWT secret. */
    public Optional<IdentityProvider> identityProvider() {
        return Optional.ofNullable(identityProvider);
    }

    /** How far a token's {@code exp} and {@code nbf} may be off the server's clock (clocks of two machines drift). */
    public Duration jwtClockSkew() {
        return jwtClockSkew;
    }

    /** The number of delivery worker threads. */
    public int workers() {
        return workers;
    }

    /** The most deliveries waiting in memory; past it publishes are refused with 503 and {@code Retry-After}. */
    public int queueCapacity() {
        return queueCapacity;
    }

    /** Most network connections the server holds; 0 means derived from the process's descriptor limit. */
    public int maxConnections() {
        return maxConnections;
    }

    /** Most live stream connections (SSE, WebSocket, long polls) one user may hold. */
    public int maxConnectionsPerUser() {
        return maxConnectionsPerUser;
    }

    /** The rate limits of publishing, stream connects and inbox calls (per node). */
    public RateLimitSettings rateLimits() {
        return rateLimits;
    }

    /** How long a new connection has to send a complete request head. */
    public Duration headerTimeout() {
        return headerTimeout;
    }

    /** The generic configuration tree ({@code channels.<name>.<key>}) handed to the engine and channels. */
    public Map<String, String> config() {
        return config;
    }

    /** The configuration tree as the engine reads it, with the server's own settings mapped in. */
    public Config engineConfig() {
        Map<String, String> all = new TreeMap<>(config);
        if (webhookAllowPrivateNetworks) {
            all.putIfAbsent("channels.webhook.allow-private-networks", "true");
        }
        if (dbUrl != null && dbUrl.startsWith("jdbc:postgresql:")) {
            // nodes sharing a PostgreSQL store tell each other what changed through it, unless told otherwise
            all.putIfAbsent("cluster.signals", "postgres");
            all.putIfAbsent("cluster.postgres.jdbc-url", dbUrl);
            if (dbUser != null) {
                all.putIfAbsent("cluster.postgres.jdbc-user", dbUser);
            }
            if (dbPassword != null) {
                all.putIfAbsent("cluster.postgres.jdbc-password", dbPassword);
            }
        }
        return Config.of(all);
    }

    @Override
    public String toString() {
        return "ServerSettings[host=" + host + ", port=" + port + ", dataDir=" + dataDir + ", dbUrl="
                + (dbUrl == null ? "(embedded H2)" : dbUrl.replaceAll("password=[^&;]*", "password=***"))
                + ", pluginsDir=" + pluginsDir + ", channels=" + (channels.isEmpty() ? "all" : channels)
                + ", corsOrigins=" + corsOrigins + ", maxBodyBytes=" + maxBodyBytes
                + ", identityProvider=" + (identityProvider == null ? "none" : identityProvider.issuer()) + "]";
    }

    /** Builds {@link ServerSettings}. */
    public static final class Builder {
        private String host = "0.0.0.0";
        private int port = 8080;
        private Path dataDir = Path.of("data");
        private String dbUrl;
        private String dbUser;
        private String dbPassword;
        private String apiKey;
        private String jwtSecret;
        private Path pluginsDir;
        private Set<String> channels = Set.of();
        private boolean webhookAllowPrivateNetworks;
        private List<String> corsOrigins = List.of();
        private long maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
        private Duration streamTokenTtl = Duration.ofMinutes(5);
        private Duration shutdownTimeout = Duration.ofSeconds(30);
        private boolean accessLog = true;
        private String nodeId;
        private int workers = ServiceConfig.defaults().workers();
        private int queueCapacity = ServiceConfig.defaults().queueCapacity();
        private int maxConnections;
        private int maxConnectionsPerUser = ServiceConfig.defaults().maxConnectionsPerUser();
        private RateLimitSettings rateLimits = RateLimitSettings.DEFAULTS;
        private Duration headerTimeout = Duration.ofSeconds(10);
        private boolean devTokens;
        private IdentityProvider identityProvider;
        private Duration jwtClockSkew = Duration.ofSeconds(30);
        private final Map<String, String> config = new TreeMap<>();

        private Builder() {
        }

        /** The address to bind. */
        public Builder host(String h) {
            this.host = requireText("host", h);
            return this;
        }

        /** The port, 0 to 65535 (0 picks a free one). */
        public Builder port(int p) {
            if (p < 0 || p > 65535) {
                throw new IllegalArgumentException("port must be between 0 and 65535, got " + p);
            }
            this.port = p;
            return this;
        }

        /** The data directory. */
        public Builder dataDir(Path dir) {
            this.dataDir = Objects.requireNonNull(dir, "dataDir");
            return this;
        }

        /** The JDBC URL; null or blank for embedded H2. */
        public Builder dbUrl(String url) {
            this.dbUrl = blankToNull(url);
            return this;
        }

        /** The database user; null or blank for none. */
        public Builder dbUser(String user) {
            this.dbUser = blankToNull(user);
            return this;
        }

        /** The database password; null for none. */
        public Builder dbPassword(String password) {
            this.dbPassword = password == null || password.isEmpty() ? null : password;
            return this;
        }

        /** The API key; null or blank to use the generated one. */
        public Builder apiKey(String key) {
            this.apiKey = blankToNull(key);
            if (apiKey != null && apiKey.length() < 16) {
                throw new IllegalArgumentException("api-key must be at least 16 characters long; leave it unset to have one generated");
            }
            return this;
        }

        /** The JWT secret (at least 32 characters, HS256 needs 256 bits); null or blank to use the generated one. */
        public Builder jwtSecret(String secret) {
            this.jwtSecret = blankToNull(secret);
            if (jwtSecret != null && jwtSecret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 32) {
                throw new IllegalArgumentException("jwt-secret must be at least 32 bytes long (HS256 needs a 256-bit key);"
                        + " leave it unset to have one generated");
            }
            return this;
        }

        /** The plugins folder; null for none. */
        public Builder pluginsDir(Path dir) {
            this.pluginsDir = dir;
            return this;
        }

        /** The channels to enable; empty for all. */
        public Builder channels(Set<String> names) {
            this.channels = Set.copyOf(names);
            return this;
        }

        /** Allows webhooks to private networks. */
        public Builder webhookAllowPrivateNetworks(boolean allow) {
            this.webhookAllowPrivateNetworks = allow;
            return this;
        }

        /** The CORS origins. */
        public Builder corsOrigins(List<String> origins) {
            this.corsOrigins = List.copyOf(origins);
            return this;
        }

        /** The request body limit in bytes, at least 1 KiB. */
        public Builder maxBodyBytes(long bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("max-body-bytes must be at least 1024, got " + bytes);
            }
            this.maxBodyBytes = bytes;
            return this;
        }

        /** The lifetime of stream tokens, 10 seconds to 1 day. */
        public Builder streamTokenTtl(Duration ttl) {
            if (ttl.compareTo(Duration.ofSeconds(10)) < 0 || ttl.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException("stream-token-ttl must be between 10s and 1d, got " + ttl);
            }
            this.streamTokenTtl = ttl;
            return this;
        }

        /** The drain timeout of a graceful shutdown. */
        public Builder shutdownTimeout(Duration timeout) {
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("shutdown-timeout must not be negative");
            }
            this.shutdownTimeout = timeout;
            return this;
        }

        /** This node's id in a cluster (null: random per start); a restarted node may keep it (its lease token is new). */
        public Builder nodeId(String id) {
            if (id != null && !id.matches("[A-Za-z0-9._:-]{1,64}")) {
                throw new IllegalArgumentException("a node id is 1 to 64 letters, digits, '.', '_', ':' or '-', got '" + id + "'");
            }
            this.nodeId = id;
            return this;
        }

        /** Turns the access log on or off. */
        public Builder accessLog(boolean on) {
            this.accessLog = on;
            return this;
        }

        /** Enables {@code POST /api/v1/dev/tokens} (development only). */
        public Builder devTokens(boolean on) {
            this.devTokens = on;
            return this;
        }

        /** Most network connections, 0 (the default) to derive it from the process's descriptor limit, else at least 8. */
        public Builder maxConnections(int n) {
            if (n < 0 || (n > 0 && n < 8)) {
                throw new IllegalArgumentException("max-connections must be 0 (derived from the descriptor limit) or at least 8, got " + n);
            }
            this.maxConnections = n;
            return this;
        }

        /** The rate limits (default {@link RateLimitSettings#DEFAULTS}; {@link RateLimitSettings#OFF} for none). */
        public Builder rateLimits(RateLimitSettings limits) {
            this.rateLimits = Objects.requireNonNull(limits, "rateLimits");
            return this;
        }

        /** Most live stream connections per user, at least 1 (default 16). */
        public Builder maxConnectionsPerUser(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("max-connections-per-user must be at least 1, got " + n);
            }
            this.maxConnectionsPerUser = n;
            return this;
        }

        /** How long a new connection has to send a complete request head, 1 second to 5 minutes (default 10 s). */
        public Builder headerTimeout(Duration t) {
            if (t == null || t.compareTo(Duration.ofSeconds(1)) < 0 || t.compareTo(Duration.ofMinutes(5)) > 0) {
                throw new IllegalArgumentException("header-timeout must be between 1s and 5m, got " + t);
            }
            this.headerTimeout = t;
            return this;
        }

        /** Accepts tokens of this identity provider (null for none: only HS256 tokens signed with the JWT secret). */
        public Builder identityProvider(IdentityProvider provider) {
            this.identityProvider = provider;
            return this;
        }

        /** The tolerance on {@code exp} and {@code nbf}, 0 to 5 minutes. */
        public Builder jwtClockSkew(Duration skew) {
            if (skew.isNegative() || skew.compareTo(Duration.ofMinutes(5)) > 0) {
                throw new IllegalArgumentException("jwt-clock-skew must be between 0s and 5m, got " + skew);
            }
            this.jwtClockSkew = skew;
            return this;
        }

        /** The number of delivery worker threads, 1 to 1024. */
        public Builder workers(int n) {
            if (n < 1 || n > 1024) {
                throw new IllegalArgumentException("workers must be between 1 and 1024, got " + n);
            }
            this.workers = n;
            return this;
        }

        /** The most deliveries waiting in memory, at least 1; past it publishes get 503. */
        public Builder queueCapacity(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("queue-capacity must be at least 1, got " + n);
            }
            this.queueCapacity = n;
            return this;
        }

        /** Sets one key of the generic configuration tree, such as {@code channels.sse.heartbeat-interval}. */
        public Builder set(String key, String value) {
            requireText("configuration key", key);
            this.config.put(key.trim(), Objects.requireNonNull(value, "value of " + key));
            return this;
        }

        /** Sets several keys of the generic configuration tree. */
        public Builder config(Map<String, String> entries) {
            entries.forEach(this::set);
            return this;
        }

        /** Builds the settings. */
        public ServerSettings build() {
            return new ServerSettings(this);
        }

        private static String blankToNull(String s) {
            return s == null || s.isBlank() ? null : s.trim();
        }

        private static String requireText(String what, String s) {
            if (s == null || s.isBlank()) {
                throw new IllegalArgumentException(what + " must not be blank");
            }
            return s;
        }
    }

    /**
     * An identity provider (Keycloak, Auth0, Okta, Entra ID, ...) whose tokens users present:
     * signed with a key of its JWKS, issued by {@code issuer}, for one of {@code audiences}.
     *
     * <pre>{@code
     * ServerSettings.IdentityProvider.of(URI.create("https://sso.example.com/realms/acme/protocol/openid-connect/certs"),
     *         "https://sso.example.com/realms/acme", "notify")
     *     .withTopicsClaim("notify_topics");
     * }</pre>
     *
     * @param jwksUrl          where the provider publishes its public keys
     * @param issuer           the exact {@code iss} its tokens carry
     * @param audiences        the {@code aud} values meaning "for Notify"; a token must carry one of them
     * @param algorithms       accepted signature algorithms (RS256 and ES256 by default; never HS256 or none)
     * @param userClaim        the claim holding the user id ({@code sub} by default)
     * @param topicsClaim      the claim listing topic grants ({@code topics} by default; a list or a space-separated string)
     * @param scopeTopics      topic grants implied by scopes of the {@code scope}/{@code scp} claim, such as
     *                         {@code notify:tasks -> [task:*]}
     * @param jwksCacheTtl     how long fetched keys are used before they are fetched again
     * @param jwksRefreshFloor the shortest time between two fetches caused by tokens naming an unknown {@code kid}
     */
    public record IdentityProvider(URI jwksUrl, String issuer, List<String> audiences, List<String> algorithms, String userClaim,
                                   String topicsClaim, Map<String, List<String>> scopeTopics, Duration jwksCacheTtl,
                                   Duration jwksRefreshFloor) {

        /** The algorithms accepted unless configured otherwise. */
        public static final List<String> DEFAULT_ALGORITHMS = List.of("RS256", "ES256");
        /**
         * The algorithms that may be configured: asymmetric ones only. EdDSA is left out on purpose:
         * Nimbus JOSE+JWT verifies Ed25519 only with Google Tink on the classpath, which the server
         * does not bundle.
         */
        public static final List<String> SUPPORTED_ALGORITHMS = List.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
                "ES256", "ES384", "ES512");

        /** Validates and copies. */
        public IdentityProvider {
            Objects.requireNonNull(jwksUrl, "jwksUrl");
            if (!"https".equals(jwksUrl.getScheme()) && !"http".equals(jwksUrl.getScheme())) {
                throw new IllegalArgumentException("jwt-jwks-url must be an http(s) URL, got " + jwksUrl);
            }
            if (issuer == null || issuer.isBlank()) {
                throw new IllegalArgumentException("jwt-issuer is required with jwt-jwks-url: tokens are accepted only from the"
                        + " issuer you name (the iss claim, such as https://sso.example.com/realms/acme)");
            }
            if (audiences == null || audiences.isEmpty() || audiences.stream().anyMatch(String::isBlank)) {
                throw new IllegalArgumentException("jwt-audience is required with jwt-jwks-url: without it a token the provider"
                        + " issued for any other application would be accepted (the aud claim, such as notify)");
            }
            audiences = List.copyOf(audiences);
            algorithms = List.copyOf(algorithms == null || algorithms.isEmpty() ? DEFAULT_ALGORITHMS : algorithms);
            for (String alg : algorithms) {
                if (!SUPPORTED_ALGORITHMS.contains(alg)) {
                    throw new IllegalArgumentException("jwt-algorithms: " + alg + " is not accepted from an identity provider; choose among "
                            + SUPPORTED_ALGORITHMS + " (HS256 tokens are the server's own, signed with jwt-secret)");
                }
            }
            userClaim = userClaim == null || userClaim.isBlank() ? "sub" : userClaim.trim();
            topicsClaim = topicsClaim == null || topicsClaim.isBlank() ? "topics" : topicsClaim.trim();
            Map<String, List<String>> scopes = new TreeMap<>();
            if (scopeTopics != null) {
                scopeTopics.forEach((scope, topics) -> scopes.put(scope, List.copyOf(topics)));
            }
            scopeTopics = Map.copyOf(scopes);
            jwksCacheTtl = jwksCacheTtl == null ? Duration.ofMinutes(5) : jwksCacheTtl;
            jwksRefreshFloor = jwksRefreshFloor == null ? Duration.ofSeconds(30) : jwksRefreshFloor;
            if (jwksRefreshFloor.isNegative() || jwksCacheTtl.compareTo(jwksRefreshFloor) < 0) {
                throw new IllegalArgumentException("jwt-jwks-refresh-floor must be between 0s and jwt-jwks-cache-ttl ("
                        + jwksCacheTtl + "), got " + jwksRefreshFloor);
            }
        }

        /** A provider with the default algorithms, claims and caching. */
        public static IdentityProvider of(URI jwksUrl, String issuer, String audience) {
            return new IdentityProvider(jwksUrl, issuer, List.of(audience), null, null, null, null, null, null);
        }

        /** This provider with the user id read from {@code claim}. */
        public IdentityProvider withUserClaim(String claim) {
            return new IdentityProvider(jwksUrl, issuer, audiences, algorithms, claim, topicsClaim, scopeTopics, jwksCacheTtl, jwksRefreshFloor);
        }

        /** This provider with topic grants read from {@code claim}. */
        public IdentityProvider withTopicsClaim(String claim) {
            return new IdentityProvider(jwksUrl, issuer, audiences, algorithms, userClaim, claim, scopeTopics, jwksCacheTtl, jwksRefreshFloor);
        }

        /** This provider with topic grants implied by scopes. */
        public IdentityProvider withScopeTopics(Map<String, List<String>> mapping) {
            return new IdentityProvider(jwksUrl, issuer, audiences, algorithms, userClaim, topicsClaim, mapping, jwksCacheTtl, jwksRefreshFloor);
        }

        /** This provider with its key set cached for {@code ttl} and refetched for unknown keys at most every {@code floor}. */
        public IdentityProvider withJwksCaching(Duration ttl, Duration floor) {
            return new IdentityProvider(jwksUrl, issuer, audiences, algorithms, userClaim, topicsClaim, scopeTopics, ttl, floor);
        }
    }
}
