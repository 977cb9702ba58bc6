package dev.notify.server.web;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.notify.api.spi.HubSignal;
import dev.notify.server.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The browser client as npm packages: {@code clients/notify-client} ({@code @notify-dev/client}),
 * {@code clients/notify-react} ({@code @notify-dev/react}) and {@code clients/notify-vue}
 * ({@code @notify-dev/vue}) are packed with {@code npm pack}, the tarballs installed into a small
 * React app and a smaller Vue app ({@code src/test/browser/app}, copied to
 * {@code target/react-app}), type-checked with TypeScript, bundled with esbuild and driven in
 * Chromium against a real server by {@code src/test/browser/packages.mjs}: connect, receive, mark
 * read, reconnect with resume, token renewal.
 *
 * <p>Needs what {@link BrowserTest} needs; {@code npm ci --prefix notify-server/src/test/browser}
 * also installs esbuild, TypeScript, React and its types, which the app's install takes from npm's cache.
 */
class ClientPackagesTest {

    private static final Path ROOT = NodeTools.ROOT;
    private static final Path PACKED = NodeTools.MODULE.resolve("target/npm");
    private static final Path APP = NodeTools.MODULE.resolve("target/react-app");
    /** The README's commands, run with this build's folder instead of theirs. */
    private static final String README_FOLDER = "/tmp/notify-npm";
    private static final String PACK = "mkdir -p /tmp/notify-npm && npm pack ./clients/notify-client ./clients/notify-react"
            + " ./clients/notify-vue --pack-destination /tmp/notify-npm";
    private static final String INSTALL = "npm install /tmp/notify-npm/notify-dev-client-0.1.0.tgz"
            + " /tmp/notify-npm/notify-dev-react-0.1.0.tgz react react-dom";
    private static final String INSTALL_VUE = "npm install /tmp/notify-npm/notify-dev-client-0.1.0.tgz"
            + " /tmp/notify-npm/notify-dev-vue-0.1.0.tgz vue";
    private static final String INSTALL_BUNDLER = "npm install --save-dev esbuild";
    private static final String BUNDLE = "npx esbuild main.tsx --bundle --format=esm --outfile=dist/app.js";
    private static final Duration NPM_TIMEOUT = Duration.ofSeconds(300);
    private static final AtomicInteger USERS = new AtomicInteger();

    private static RestartableServer servers;
    private static TestServer server;

    @BeforeAll
    static void packInstallAndBundle() throws IOException {
        BrowserScript.requireBrowser();
        NodeTools.requirePackages("esbuild", "typescript", "react", "react-dom", "@types/react");
        TestServer.deleteTree(PACKED);
        TestServer.deleteTree(APP);
        NodeTools.run(ROOT, NPM_TIMEOUT, Map.of(), "sh", "-c", PACK.replace(README_FOLDER, PACKED.toString())).ok(PACK);
        Files.createDirectories(APP);
        try (Stream<Path> files = Files.list(NodeTools.SCRIPTS.resolve("app"))) {
            for (Path f : files.toList()) {
                Files.copy(f, APP.resolve(f.getFileName()));
            }
        }
        // React from npm's cache, which npm ci of the browser tests filled
        NodeTools.run(APP, NPM_TIMEOUT, Map.of(), "sh", "-c", INSTALL.replace(README_FOLDER, PACKED.toString())
                + " --prefer-offline --no-audit --no-fund").ok(INSTALL);
        NodeTools.run(APP, NPM_TIMEOUT, Map.of(), "sh", "-c", INSTALL_BUNDLER + " --prefer-offline --no-audit --no-fund").ok(INSTALL_BUNDLER);
        NodeTools.run(APP, NPM_TIMEOUT, Map.of(), "sh", "-c", INSTALL_VUE.replace(README_FOLDER, PACKED.toString())
                + " --prefer-offline --no-audit --no-fund").ok(INSTALL_VUE);
        NodeTools.run(APP, NPM_TIMEOUT, Map.of(), "sh", "-c", BUNDLE).ok(BUNDLE);
        // Vue's bundler build reads its feature flags from the bundler (Vite sets them; esbuild is told here)
        NodeTools.run(APP, NPM_TIMEOUT, Map.of(), "npx", "esbuild", "vue-main.ts", "--bundle", "--format=esm", "--outfile=dist/vue-app.js",
                "--define:process.env.NODE_ENV=\"production\"", "--define:__VUE_OPTIONS_API__=false",
                "--define:__VUE_PROD_DEVTOOLS__=false", "--define:__VUE_PROD_HYDRATION_MISMATCH_DETAILS__=false").ok("esbuild (Vue)");
        Files.copy(APP.resolve("index.html"), APP.resolve("dist/index.html"));

        // stream tokens as short as the server allows, so the renewal case sees one expire
        servers = new RestartableServer(b -> b.streamTokenTtl(Duration.ofSeconds(10)), s -> server = s);
    }

    @AfterAll
    static void stop() {
        if (servers != null) {
            servers.close();
        }
    }

    @Test
    @DisplayName("the client package is the file the server serves, with types and no runtime dependencies")
    void theClientPackageIsWhatTheServerServes() throws IOException {
        Path installed = APP.resolve("node_modules/@notify-dev/client");
        assertThat(installed.resolve("notify-client.d.ts")).exists();
        assertThat(Files.readString(installed.resolve("package.json"))).doesNotContain("\"dependencies\"");
        assertThat(server.get("/notify-client.js", null).body()).isEqualTo(Files.readString(installed.resolve("notify-client.js")));
        Path react = APP.resolve("node_modules/@notify-dev/react");
        assertThat(react.resolve("index.d.ts")).exists();
        assertThat(Files.readString(react.resolve("package.json"))).contains("\"peerDependencies\"");
    }

    @Test
    @DisplayName("an app written against the packages' types compiles under strict TypeScript")
    void theTypesCheck() {
        NodeTools.run(APP, NPM_TIMEOUT, Map.of(), "tsc", "-p", "tsconfig.json").ok("tsc (App.tsx, main.tsx, client-only.ts)");
    }

    @Test
    @DisplayName("the README's React quick start is the app this test runs, verbatim")
    void readmeShowsTheTestedApp() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        assertThat(readme).contains(Files.readString(NodeTools.SCRIPTS.resolve("app/App.tsx")))
                .contains(Files.readString(NodeTools.SCRIPTS.resolve("app/main.tsx"))).contains(PACK).contains(INSTALL).contains(INSTALL_BUNDLER).contains(BUNDLE)
                .contains(INSTALL_VUE).contains(Files.readString(NodeTools.SCRIPTS.resolve("app/VueApp.ts")));
    }

    @Test
    @DisplayName("the React app connects, shows a toast, bumps the bell, and marks read on the server")
    void connectReceiveMarkRead() {
        run("connectReceiveMarkRead");
    }

    @Test
    @DisplayName("after a server restart the React app resumes after its last event id and shows what it missed once")
    void reconnectWithResume() {
        run("reconnectWithResume");
    }

    @Test
    @DisplayName("a refused JWT makes the client ask tokenProvider again; an expired stream token is renewed on reconnect")
    void tokenRenewal() {
        run("tokenRenewal");
    }

    @Test
    @DisplayName("the Vue composable connects, lists a live notification and marks it read on the server")
    void vueConnectReceiveMarkRead() {
        run("vueConnectReceiveMarkRead");
    }

    private static void run(String name) {
        String user = "packages-" + name + "-" + USERS.incrementAndGet();
        // a JWT the server refuses as an identity provider's rotated-out key would be: well formed, wrong signature
        String refused = TestServer.sign(new JWTClaimsSet.Builder().subject(user).claim("topics", List.of("task:*"))
                .expirationTime(Date.from(Instant.now().plus(Duration.ofHours(1)))).build(), "another-secret-0123456789abcdef0123456789");
        BrowserScript.run("packages.mjs", name, Map.of(
                "NOTIFY_URL", server.baseUri().toString(),
                "NOTIFY_API_KEY", server.apiKey(),
                "NOTIFY_USER", user,
                "NOTIFY_JWT", server.jwt(user, "task:*"),
                "NOTIFY_BAD_JWT", refused,
                "NOTIFY_APP_DIR", APP.resolve("dist").toString()), command -> switch (command) {
                    case "restart" -> servers.restartAndPublish(user);
                    case "end-streams" -> {
                        server.server().service().hub().signal(user, new HubSignal.ShuttingDown("credential expired"));
                        yield "ok";
                    }
                    default -> null;
                });
    }
}
