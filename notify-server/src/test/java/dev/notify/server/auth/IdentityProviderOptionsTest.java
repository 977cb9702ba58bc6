package dev.notify.server.auth;

import dev.notify.server.ServerSettings;
import dev.notify.server.internal.cli.ServeCommand;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The identity provider and log format options as the command line and the environment set them. */
class IdentityProviderOptionsTest {

    @Test
    void theProviderOptionsFillTheSettings() {
        ServerSettings s = ServeCommand.parse(new String[] {"--jwt-jwks-url", "https://acme.eu.auth0.com/.well-known/jwks.json",
                "--jwt-issuer", "https://acme.eu.auth0.com/", "--jwt-audience", "https://notify.example.com/api,notify",
                "--jwt-scope-topics", "read:tasks=task:*,read:builds=build:*|deploy:*", "--jwt-user-claim", "oid",
                "--jwt-jwks-refresh-floor", "10s", "--jwt-clock-skew", "5s"}, Map.of());
        ServerSettings.IdentityProvider idp = s.identityProvider().orElseThrow();
        assertThat(idp.jwksUrl()).isEqualTo(URI.create("https://acme.eu.auth0.com/.well-known/jwks.json"));
        assertThat(idp.issuer()).isEqualTo("https://acme.eu.auth0.com/");
        assertThat(idp.audiences()).containsExactly("https://notify.example.com/api", "notify");
        assertThat(idp.algorithms()).containsExactly("RS256", "ES256");
        assertThat(idp.userClaim()).isEqualTo("oid");
        assertThat(idp.topicsClaim()).isEqualTo("topics");
        assertThat(idp.scopeTopics()).isEqualTo(Map.of("read:tasks", List.of("task:*"), "read:builds", List.of("build:*", "deploy:*")));
        assertThat(idp.jwksRefreshFloor()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.jwtClockSkew()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void theEnvironmentSetsThemToo() {
        ServerSettings s = ServeCommand.parse(new String[0], Map.of("NOTIFY_JWT_JWKS_URL", "https://sso.example.com/realms/acme/protocol/openid-connect/certs",
                "NOTIFY_JWT_ISSUER", "https://sso.example.com/realms/acme", "NOTIFY_JWT_AUDIENCE", "notify",
                "NOTIFY_JWT_TOPICS_CLAIM", "notify_topics"));
        assertThat(s.identityProvider()).hasValueSatisfying(idp -> assertThat(idp.topicsClaim()).isEqualTo("notify_topics"));
    }

    @Test
    void withoutAJwksUrlThereIsNoProvider() {
        assertThat(ServeCommand.parse(new String[0], Map.of()).identityProvider()).isEmpty();
    }

    @Test
    void incompleteOrUnsafeSettingsAreRefusedWithTheReason() {
        assertThatThrownBy(() -> ServeCommand.parse(new String[] {"--jwt-issuer", "https://sso.example.com"}, Map.of()))
                .hasMessageContaining("set --jwt-jwks-url too");
        assertThatThrownBy(() -> ServeCommand.parse(new String[] {"--jwt-jwks-url", "https://sso.example.com/certs",
                "--jwt-issuer", "https://sso.example.com"}, Map.of()))
                .hasMessageContaining("jwt-audience is required");
        assertThatThrownBy(() -> ServeCommand.parse(new String[] {"--jwt-jwks-url", "https://sso.example.com/certs",
                "--jwt-issuer", "https://sso.example.com", "--jwt-audience", "notify", "--jwt-algorithms", "HS256"}, Map.of()))
                .hasMessageContaining("HS256 is not accepted from an identity provider");
        assertThatThrownBy(() -> ServeCommand.parse(new String[] {"--jwt-jwks-url", "file:///etc/keys.json",
                "--jwt-issuer", "https://sso.example.com", "--jwt-audience", "notify"}, Map.of()))
                .hasMessageContaining("must be an http(s) URL");
        assertThatThrownBy(() -> ServeCommand.parse(new String[] {"--log-format", "xml"}, Map.of()))
                .hasMessageContaining("--log-format must be plain or json");
    }
}
