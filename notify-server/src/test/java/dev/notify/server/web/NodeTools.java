package dev.notify.server.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.fail;

/**
 * Runs the npm tools the server's tests use (esbuild, TypeScript, Redocly CLI, openapi-typescript),
 * installed by {@code npm ci --prefix notify-server/src/test/browser} (what {@code .ci/run} does).
 */
public final class NodeTools {

    /** The server module's directory. */
    public static final Path MODULE = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
    /** The npm package of the browser tests, whose node_modules hold the tools. */
    public static final Path SCRIPTS = MODULE.resolve("src/test/browser");
    /** The repository's root. */
    public static final Path ROOT = MODULE.getParent();

    private NodeTools() {
    }

    /** What a command printed (stdout and stderr together) and its exit status. */
    public record Result(int exit, String output) {
        /** Fails the test unless the command exited 0. */
        public Result ok(String what) {
            if (exit != 0) {
                fail(what + " failed (exit " + exit + "):\n" + output);
            }
            return this;
        }
    }

    /** Fails the test, saying how to install them, unless these packages are in the browser tests' node_modules. */
    public static void requirePackages(String... packages) {
        List<String> missing = new ArrayList<>();
        for (String p : packages) {
            if (!Files.isDirectory(SCRIPTS.resolve("node_modules").resolve(p))) {
                missing.add(p);
            }
        }
        if (!missing.isEmpty()) {
            fail("the tests need the npm packages " + missing + ": npm ci --prefix notify-server/src/test/browser");
        }
    }

    /**
     * Runs a command in {@code dir} with the browser tests' {@code node_modules/.bin} first on the
     * PATH, so {@code npx tool} finds the installed tool and never downloads one.
     */
    public static Result run(Path dir, Duration timeout, Map<String, String> env, String... command) {
        String[] resolved = command.clone();
        Path bin = SCRIPTS.resolve("node_modules/.bin").resolve(command[0]);
        if (Files.isExecutable(bin)) {
            resolved[0] = bin.toString(); // the JDK looks programs up on its own PATH, not the child's
        }
        ProcessBuilder pb = new ProcessBuilder(resolved).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("PATH", SCRIPTS.resolve("node_modules/.bin") + java.io.File.pathSeparator + System.getenv("PATH"));
        pb.environment().put("NO_COLOR", "1");
        pb.environment().put("REDOCLY_TELEMETRY", "off");
        pb.environment().put("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true");
        pb.environment().putAll(env);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new AssertionError("cannot start " + String.join(" ", command) + ": " + e.getMessage(), e);
        }
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(reading the output failed: " + e + ")";
            }
        });
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                fail(String.join(" ", command) + " did not finish in " + timeout + ":\n" + out.getNow(""));
            }
            return new Result(p.exitValue(), out.get(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new AssertionError(e);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
