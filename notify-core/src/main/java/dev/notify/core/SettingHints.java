package dev.notify.core;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The "setting changed" hints between nodes, for the caches a node keeps of settings that another
 * node can change (users' preferences; a channel's own, such as webhook endpoints): what changed
 * here goes out through the cluster signal ({@code kind}, {@code id}), and what another node changed
 * reaches the listeners of its kind here, who forget their cached copy. When hints may have been
 * lost, every listener hears {@value #EVERYTHING} and forgets all. A cache still expires on its own,
 * the safety net should a loss go unnoticed. Calls only the listeners and the sender it is given.
 */
final class SettingHints {

    /** The id a listener hears when hints may have been lost: forget everything of the kind. */
    static final String EVERYTHING = "*";

    private static final System.Logger LOG = System.getLogger(SettingHints.class.getName());

    private final ConcurrentHashMap<String, List<Consumer<String>>> listeners = new ConcurrentHashMap<>();
    private volatile BiConsumer<String, String> sender = (kind, id) -> { };

    /** Where this node's changes go (the cluster link); until set, nowhere. */
    void sendThrough(BiConsumer<String, String> sender) {
        this.sender = sender;
    }

    /** Tells the other nodes that the setting {@code id} of {@code kind} changed here. */
    void changed(String kind, String id) {
        sender.accept(kind, id);
    }

    /** Calls {@code listener} with the id of every setting of {@code kind} another node changed. */
    void listen(String kind, Consumer<String> listener) {
        listeners.computeIfAbsent(kind, k -> new CopyOnWriteArrayList<>()).add(listener);
    }

    /** Another node changed the setting {@code id} of {@code kind}. */
    void received(String kind, String id) {
        List<Consumer<String>> l = listeners.get(kind);
        if (l != null) {
            for (Consumer<String> c : l) {
                tell(kind, c, id);
            }
        }
    }

    /** Hints may have been lost: every listener forgets everything. */
    void lostSome() {
        listeners.forEach((kind, l) -> l.forEach(c -> tell(kind, c, EVERYTHING)));
    }

    private static void tell(String kind, Consumer<String> listener, String id) {
        try {
            listener.accept(id);
        } catch (RuntimeException e) {
            // one listener's failure must not keep the others' caches stale
            LOG.log(System.Logger.Level.WARNING, "a listener of '" + kind + "' settings failed on " + id, e);
        }
    }
}
