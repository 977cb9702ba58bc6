package dev.notify.server.internal;

import dev.notify.api.spi.ChannelProvider;
import dev.notify.core.ChannelDiscovery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Finds channel plugins: the bundled ones on the server's classpath, then every jar of the
 * plugins directory, each in its own class loader whose parent is the server's (so a plugin sees
 * the SPI and the Jakarta APIs, and plugins do not see each other). A jar that fails to load,
 * provides nothing, or clashes with a name already taken is reported by name and skipped.
 */
public final class Plugins {

    private static final Logger LOG = LoggerFactory.getLogger(Plugins.class);

    private final Map<String, Found> found = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();
    private final List<URLClassLoader> loaders = new ArrayList<>();

    /**
     * A discovered provider and where it came from.
     *
     * @param provider the provider
     * @param origin {@code classpath} or the jar's file name
     */
    public record Found(ChannelProvider provider, String origin) {
    }

    private Plugins() {
    }

    /** Discovers the classpath's providers and those of every jar in {@code pluginsDir} (if given). */
    public static Plugins discover(Path pluginsDir) {
        Plugins p = new Plugins();
        p.add(ChannelDiscovery.discover(Plugins.class.getClassLoader(), "classpath"), "classpath");
        if (pluginsDir != null) {
            p.scan(pluginsDir);
        }
        return p;
    }

    private void scan(Path dir) {
        if (!Files.isDirectory(dir)) {
            LOG.info("plugins directory {} does not exist; no plugin jars loaded", dir.toAbsolutePath());
            return;
        }
        List<Path> jars;
        try (Stream<Path> s = Files.list(dir)) {
            jars = s.filter(f -> f.getFileName().toString().endsWith(".jar") && Files.isRegularFile(f)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the plugins directory " + dir, e);
        }
        for (Path jar : jars) {
            String name = jar.getFileName().toString();
            URLClassLoader loader;
            try {
                loader = new URLClassLoader("plugin:" + name, new URL[] {jar.toUri().toURL()}, Plugins.class.getClassLoader());
            } catch (MalformedURLException e) {
                problems.add("plugin jar " + name + " cannot be opened: " + e.getMessage());
                continue;
            }
            ChannelDiscovery.Result r;
            try {
                r = ChannelDiscovery.discover(loader, name);
            } catch (RuntimeException | LinkageError e) {
                problems.add("plugin jar " + name + " could not be loaded: " + e);
                closeQuietly(loader);
                continue;
            }
            // The parent's providers show through the child loader: keep only the jar's own.
            Map<String, ChannelProvider> own = new LinkedHashMap<>();
            r.providers().forEach((n, prov) -> {
                if (prov.getClass().getClassLoader() == loader) {
                    own.put(n, prov);
                }
            });
            List<String> ownProblems = new ArrayList<>();
            for (String problem : r.problems()) {
                if (!problem.contains("is provided twice") || problem.contains(name)) {
                    ownProblems.add(problem);
                }
            }
            if (own.isEmpty() && ownProblems.isEmpty()) {
                problems.add("plugin jar " + name + " provides no channel (no META-INF/services/"
                        + ChannelProvider.class.getName() + " entry); skipped");
                closeQuietly(loader);
                continue;
            }
            ownProblems.forEach(pr -> problems.add("plugin jar " + name + ": " + pr));
            add(new ChannelDiscovery.Result(own, List.of()), name);
            loaders.add(loader);
        }
    }

    private void add(ChannelDiscovery.Result r, String origin) {
        problems.addAll(r.problems());
        r.providers().forEach((name, provider) -> {
            Found before = found.get(name);
            if (before != null) {
                problems.add("channel '" + name + "' from " + origin + " is skipped: " + before.origin() + " provides it already");
            } else {
                found.put(name, new Found(provider, origin));
            }
        });
    }

    /** The valid providers by name, classpath first. */
    public Map<String, Found> providers() {
        return found;
    }

    /** One line per plugin that could not be used. */
    public List<String> problems() {
        return problems;
    }

    /**
     * The providers to enable: all, or exactly {@code names}.
     *
     * @throws IllegalArgumentException naming the missing jar when a name is not found
     */
    public List<Found> select(Set<String> names) {
        if (names.isEmpty()) {
            return new ArrayList<>(found.values());
        }
        List<Found> out = new ArrayList<>();
        for (String name : new TreeSet<>(names)) {
            Found f = found.get(name);
            if (f == null) {
                throw new IllegalArgumentException("channel '" + name + "' was not found: add notify-channel-" + name
                        + ".jar (or the plugin jar that provides it) to the classpath or the plugins directory; found "
                        + new TreeSet<>(found.keySet()));
            }
            out.add(f);
        }
        return out;
    }

    /** Closes the plugin class loaders (after the channels are closed). */
    public void close() {
        loaders.forEach(Plugins::closeQuietly);
    }

    private static void closeQuietly(URLClassLoader l) {
        try {
            l.close();
        } catch (IOException e) {
            LOG.debug("could not close {}", l.getName(), e);
        }
    }
}
