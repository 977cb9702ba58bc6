package dev.notify.server;

import dev.notify.server.internal.cli.ServeCommand;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("The command line")
class CommandLineTest {

    @Test
    void withNoArgumentsServesWithTheEmbeddedDefaults() {
        ServerSettings s = ServeCommand.parse(new String[0], Map.of());
        assertThat(s.port()).isEqualTo(8080);
        assertThat(s.dataDir()).isEqualTo(Path.of("data"));
        assertThat(s.dbUrl()).isEmpty();
        assertThat(s.apiKey()).isEmpty();
        assertThat(s.maxBodyBytes()).isEqualTo(1024 * 1024);
        assertThat(s.channels()).isEmpty();
        assertThat(s.pluginsDir()).contains(Path.of("data", "plugins"));
    }

    @Test
    void readsEveryFlag() {
        ServerSettings s = ServeCommand.parse(new String[] {"--port", "9090", "--data-dir", "/tmp/n", "--db-url", "jdbc:postgresql://db/notify",
            "--db-user", "notify", "--db-password", "pw", "--api-key", "0123456789abcdef0", "--jwt-secret", "x".repeat(32),
            "--plugins-dir", "/opt/plugins", "--channels", "sse,poll", "--webhook-allow-private-networks",
            "--cors-origins", "https://a.example,https://b.example", "--max-body-bytes", "2048", "--stream-token-ttl", "2m",
            "--set", "channels.sse.heartbeat-interval=10s"}, Map.of());
        assertThat(s.port()).isEqualTo(9090);
        assertThat(s.dataDir()).isEqualTo(Path.of("/tmp/n"));
        assertThat(s.dbUrl()).contains("jdbc:postgresql://db/notify");
        assertThat(s.dbUser()).contains("notify");
        assertThat(s.dbPassword()).contains("pw");
        assertThat(s.apiKey()).contains("0123456789abcdef0");
        assertThat(s.pluginsDir()).contains(Path.of("/opt/plugins"));
        assertThat(s.channels()).isEqualTo(Set.of("sse", "poll"));
        assertThat(s.webhookAllowPrivateNetworks()).isTrue();
        assertThat(s.engineConfig().get("channels.webhook.allow-private-networks")).contains("true");
        assertThat(s.corsOrigins()).containsExactly("https://a.example", "https://b.example");
        assertThat(s.maxBodyBytes()).isEqualTo(2048);
        assertThat(s.streamTokenTtl()).isEqualTo(Duration.ofMinutes(2));
        assertThat(s.engineConfig().node("channels").node("sse").getDuration("heartbeat-interval", null)).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.toString()).doesNotContain("pw").doesNotContain("0123456789abcdef0");
    }

    @Test
    @DisplayName("a flag beats the environment, which beats the config file, which beats the default")
    void precedence(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("notify.properties");
        Files.writeString(file, "port=7000\nmax-body-bytes=4096\ncors-origins=*\nchannels.sse.heartbeat-interval=5s\nchannels.poll.max-wait=20s\n"
                + "channels.sse.max-connections-per-user=3\n");
        Map<String, String> env = Map.of("NOTIFY_PORT", "7100", "NOTIFY_CHANNELS__SSE__HEARTBEAT_INTERVAL", "6s",
                "NOTIFY_CHANNELS__SSE__MAX_CONNECTIONS_PER_USER", "4");
        String[] withFlag = {"--config", file.toString(), "--port", "7200", "--set", "channels.sse.max-connections-per-user=5"};
        ServerSettings flagged = ServeCommand.parse(withFlag, env);
        assertThat(flagged.port()).isEqualTo(7200);
        assertThat(flagged.config()).containsEntry("channels.sse.max-connections-per-user", "5")
                .containsEntry("channels.sse.heartbeat-interval", "6s").containsEntry("channels.poll.max-wait", "20s");

        ServerSettings fromEnv = ServeCommand.parse(new String[] {"--config", file.toString()}, env);
        assertThat(fromEnv.port()).isEqualTo(7100);
        assertThat(fromEnv.config()).containsEntry("channels.sse.max-connections-per-user", "4");

        ServerSettings fromFile = ServeCommand.parse(new String[0], Map.of("NOTIFY_CONFIG", file.toString()));
        assertThat(fromFile.port()).isEqualTo(7000);
        assertThat(fromFile.maxBodyBytes()).isEqualTo(4096);
        assertThat(fromFile.corsOrigins()).containsExactly("*");
        assertThat(fromFile.config()).containsEntry("channels.sse.heartbeat-interval", "5s");
    }

    @Test
    void helpListsEveryOption() {
        String usage = ServeCommand.usage();
        for (String flag : List.of("--port", "--data-dir", "--db-url", "--db-user", "--db-password", "--api-key", "--jwt-secret",
                "--plugins-dir", "--channels", "--webhook-allow-private-networks", "--cors-origins", "--max-body-bytes", "--set",
                "--config", "--help")) {
            assertThat(usage).contains(flag);
        }
        assertThat(usage).contains("NOTIFY_");
    }

    @Test
    void refusesInvalidValuesWithAClearMessage() {
        assertThatThrownBy(() -> ServeCommand.parse(new String[] {"--port", "eighty"}, Map.of()))
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("--port");
        assertThatThrownBy(() -> ServeCommand.parse(new String[] {"--jwt-secret", "short"}, Map.of()))
                .hasMessageContaining("at least 32 bytes");
        assertThatThrownBy(() -> ServeCommand.parse(new String[] {"--max-body-bytes", "10"}, Map.of()))
                .hasMessageContaining("max-body-bytes");
    }

    @Test
    void redisFlagsChooseTheRedisEngineAndTheIngestStreamAndAreRefusedWithoutAUrl() {
        ServerSettings s = ServeCommand.parse(new String[] {"--db-url", "jdbc:postgresql://db/notify", "--redis-ingest-stream", "events"},
                Map.of("NOTIFY_REDIS_URL", "redis://:pw@redis:6379/2"));
        assertThat(s.engineConfig().get("cluster.signals")).hasValue("redis");
        assertThat(s.engineConfig().get("cluster.redis.url")).hasValue("redis://:pw@redis:6379/2");
        assertThat(s.engineConfig().get("ingest.redis.stream")).hasValue("events");
        assertThat(s.engineConfig().get("cluster.redis.payloads")).isEmpty();
        ServerSettings onPostgres = ServeCommand.parse(new String[] {"--db-url", "jdbc:postgresql://db/notify"}, Map.of());
        assertThat(onPostgres.engineConfig().get("cluster.signals")).hasValue("postgres");

        assertThatThrownBy(() -> ServeCommand.parse(new String[] {"--redis-ingest-stream", "events"}, Map.of()))
                .hasMessageContaining("--redis-url");
        assertThat(ServeCommand.parse(new String[] {"--redis-url", "redis://redis:6379", "--redis-payloads"}, Map.of())
                .engineConfig().get("cluster.redis.payloads")).hasValue("true");
        assertThatThrownBy(() -> ServeCommand.parse(new String[] {"--redis-payloads"}, Map.of())).hasMessageContaining("--redis-url");
        assertThatThrownBy(() -> ServeCommand.parse(new String[] {"--redis-url", "http://redis:6379"}, Map.of()))
                .hasMessageContaining("redis://");
        assertThat(ServeCommand.usage()).contains("--redis-url", "--redis-ingest-stream");
    }
}
