package dev.notify.core;

import dev.notify.api.spi.ClusterSignalProvider;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Finds {@link ClusterSignalProvider}s with {@link ServiceLoader} (module path and classpath), each
 * on its own so that one broken jar is reported and the others still load, and picks one by name.
 */
public final class ClusterEngines {

    private static final System.Logger LOG = System.getLogger(ClusterEngines.class.getName());

    private ClusterEngines() {
    }

    /** The providers found, by name; the in-process one is always there. */
    public static Map<String, ClusterSignalProvider> discover() {
        Map<String, ClusterSignalProvider> out = new LinkedHashMap<>();
        out.put(InProcessSignals.NAME, new InProcessSignalsProvider());
        Iterator<ServiceLoader.Provider<ClusterSignalProvider>> it =
                ServiceLoader.load(ClusterSignalProvider.class, ClusterEngines.class.getClassLoader()).stream().iterator();
        while (true) {
            ClusterSignalProvider p;
            try {
                if (!it.hasNext()) {
                    break;
                }
                p = it.next().get();
            } catch (ServiceConfigurationError e) {
                LOG.log(System.Logger.Level.WARNING, "skipping a cluster signal engine that could not be loaded: " + e.getMessage());
                continue;
            }
            ClusterSignalProvider before = out.putIfAbsent(p.name(), p);
            if (before != null && before.getClass() != p.getClass()) {
                LOG.log(System.Logger.Level.WARNING, "two cluster signal engines are named '" + p.name() + "': "
                        + before.getClass().getName() + " and " + p.getClass().getName() + "; using the first");
            }
        }
        return out;
    }

    /**
     * The provider of that name.
     *
     * @throws IllegalArgumentException naming the engines there are and the jar to add
     */
    public static ClusterSignalProvider named(String name) {
        Map<String, ClusterSignalProvider> all = discover();
        ClusterSignalProvider p = all.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no cluster signal engine named '" + name + "': found " + new ArrayList<>(all.keySet())
                    + "; add its jar (e.g. notify-cluster-" + name + ") to the classpath or plugins directory");
        }
        return p;
    }

    /** The names found. */
    public static List<String> names() {
        return new ArrayList<>(discover().keySet());
    }
}
