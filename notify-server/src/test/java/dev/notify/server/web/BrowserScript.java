package dev.notify.server.web;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.fail;

/**
 * Runs one case of a browser test script ({@code src/test/browser/*.mjs}, built on
 * {@code harness.mjs}) with Node, playwright-core and Debian's Chromium, answering what the script
 * asks for ({@code @@restart}) and failing the test with the script's output when the case fails.
 */
final class BrowserScript {

    static final String CHROMIUM = System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium");
    static final Path SCREENSHOTS = NodeTools.MODULE.resolve("target/screenshots");

    private BrowserScript() {
    }

    /** Fails the test, saying how to install them, unless Chromium, Node and playwright-core are there. */
    static void requireBrowser() {
        List<String> missing = new ArrayList<>();
        if (!Files.isExecutable(Path.of(CHROMIUM))) {
            missing.add("Chromium at " + CHROMIUM + ": apt-get install -y chromium");
        }
        if (!canRun("node", "--version")) {
            missing.add("Node.js: apt-get install -y nodejs npm");
        }
        if (!Files.isDirectory(NodeTools.SCRIPTS.resolve("node_modules/playwright-core"))) {
            missing.add("playwright-core: npm ci --prefix notify-server/src/test/browser (it never downloads a browser)");
        }
        if (!missing.isEmpty()) {
            fail("the browser tests need " + String.join("; ", missing));
        }
    }

    /**
     * Runs {@code node <script> <name>} with the variables, and answers each {@code @@command} line
     * with {@code onCommand.apply(command)}, unless that is null (a marker line, not a question).
     *
     * @return everything the script printed
     */
    static String run(String script, String name, Map<String, String> variables, UnaryOperator<String> onCommand) {
        ProcessBuilder pb = new ProcessBuilder("node", script, name).directory(NodeTools.SCRIPTS.toFile()).redirectErrorStream(true);
        pb.environment().putAll(variables);
        pb.environment().put("NOTIFY_SCREENSHOTS", SCREENSHOTS.toString());
        pb.environment().put("CHROMIUM", CHROMIUM);
        StringBuilder out = new StringBuilder();
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new AssertionError("cannot start node: " + e.getMessage(), e);
        }
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                 Writer w = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8)) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (out) {
                        out.append(line).append('\n');
                    }
                    String answer = line.startsWith("@@") ? onCommand.apply(line.substring(2)) : null;
                    if (answer != null) {
                        w.write(answer + "\n");
                        w.flush();
                    }
                }
            } catch (IOException e) {
                synchronized (out) {
                    out.append("(reading the script's output failed: ").append(e).append(")\n");
                }
            }
        }, "browser-" + name);
        reader.start();
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                reader.join(5000);
                fail("browser case " + name + " did not finish in 120 s:\n" + out);
            }
            reader.join(5000);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        String text;
        synchronized (out) {
            text = out.toString();
        }
        if (p.exitValue() != 0) {
            fail("browser case " + name + " failed (exit " + p.exitValue() + "):\n" + text);
        }
        return text;
    }

    private static boolean canRun(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
