package dev.notify.core;

import dev.notify.api.NotifyApi;
import dev.notify.api.spi.ChannelProvider;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.regex.Pattern;

/**
 * Finds {@link ChannelProvider}s with {@link ServiceLoader}, the way the server and library users
 * load plugins. Each provider is instantiated on its own, so one broken jar is reported and the
 * others still load; duplicate names, bad names and providers built for a newer SPI are refused
 * with a message that says exactly what is wrong.
 */
public final class ChannelDiscovery {

    private static final System.Logger LOG = System.getLogger(ChannelDiscovery.class.getName());
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,62}");

    /**
     * The outcome of a discovery.
     *
     * @param providers the valid providers by name, in discovery order
     * @param problems one line per plugin that was refused or could not be loaded
     */
    public record Result(Map<String, ChannelProvider> providers, List<String> problems) {
        /** Copies the components. */
        public Result {
            providers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(providers));
            problems = List.copyOf(problems);
        }
    }

    private ChannelDiscovery() {
    }

    /**
     * Discovers the providers visible to this module (the module path of the boot layer, and the
     * classpath).
     */
    public static Result discover() {
        return collect(ServiceLoader.load(ChannelProvider.class, ChannelDiscovery.class.getClassLoader()), "classpath");
    }

    /** Discovers the providers visible through a class loader (a plugins directory, say). */
    public static Result discover(ClassLoader loader, String origin) {
        return collect(ServiceLoader.load(ChannelProvider.class, loader), origin);
    }

    /** Discovers the providers of a module layer (plugins loaded on a module path). */
    public static Result discover(ModuleLayer layer, String origin) {
        return collect(ServiceLoader.load(layer, ChannelProvider.class), origin);
    }

    /**
     * The providers visible to this module with these names, or all of them when {@code names} is
     * null; what could not be loaded is logged.
     *
     * @throws IllegalArgumentException naming the missing jar when a name is not found
     */
    static List<ChannelProvider> discoverLogged(java.util.Set<String> names) {
        Result r = discover();
        r.problems().forEach(p -> LOG.log(System.Logger.Level.WARNING, p));
        if (names == null) {
            return new ArrayList<>(r.providers().values());
        }
        List<ChannelProvider> out = new ArrayList<>();
        for (String name : names) {
            ChannelProvider p = r.providers().get(name);
            if (p == null) {
                throw new IllegalArgumentException("channel '" + name + "' was not found: add notify-channel-" + name
                        + " (or the plugin jar that provides it) to the classpath; found " + new java.util.TreeSet<>(r.providers().keySet()));
            }
            out.add(p);
        }
        return out;
    }

    private static Result collect(ServiceLoader<ChannelProvider> loader, String origin) {
        Map<String, ChannelProvider> found = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        Iterator<ServiceLoader.Provider<ChannelProvider>> it = loader.stream().iterator();
        while (true) {
            ServiceLoader.Provider<ChannelProvider> p;
            try {
                if (!it.hasNext()) {
                    break;
                }
                p = it.next();
            } catch (ServiceConfigurationError e) {
                problems.add("a channel plugin in " + origin + " could not be loaded: " + e.getMessage());
                continue;
            }
            ChannelProvider provider;
            try {
                provider = p.get();
            } catch (ServiceConfigurationError | RuntimeException | LinkageError e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                problems.add("channel plugin " + p.type().getName() + " (" + origin + ") could not be instantiated: " + cause);
                continue;
            }
            String problem = validate(provider, found);
            if (problem != null) {
                problems.add(problem);
            } else {
                found.put(provider.name(), provider);
            }
        }
        return new Result(found, problems);
    }

    static String validate(ChannelProvider provider, Map<String, ChannelProvider> known) {
        String cls = provider.getClass().getName();
        String name;
        try {
            name = provider.name();
        } catch (RuntimeException e) {
            return "channel plugin " + cls + " failed to say its name: " + e;
        }
        if (name == null || !NAME.matcher(name).matches()) {
            return "channel plugin " + cls + " has an invalid name '" + name
                    + "': use lower-case letters, digits and '-', starting with a letter";
        }
        int api = provider.apiVersion();
        if (api > NotifyApi.VERSION) {
            return "channel plugin '" + name + "' (" + cls + ") was built for notify-api SPI version " + api
                    + " but this host has version " + NotifyApi.VERSION + "; upgrade Notify or use an older plugin";
        }
        ChannelProvider other = known.get(name);
        if (other != null) {
            return "channel name '" + name + "' is provided twice: by " + other.getClass().getName() + " and by " + cls
                    + "; remove one of the jars";
        }
        return null;
    }
}
