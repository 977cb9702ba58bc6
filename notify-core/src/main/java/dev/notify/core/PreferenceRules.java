package dev.notify.core;

import dev.notify.api.Notification;
import dev.notify.api.Preferences;
import dev.notify.api.spi.NotificationStore;
import dev.notify.api.spi.PreferenceStore;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The recipients' preferences as the planner reads them at publish time: from the store, through a
 * short cache so a publish does not cost a query per recipient. A save through
 * {@link NotificationPreferences} updates this node's cache at once and is announced to the other
 * nodes ({@link #onSaved}); another node's save reaches this one through {@link #forget} as soon as
 * its hint arrives, and within the cache's time to live ({@value #CACHE_TTL}, one second by
 * default) should the hint be lost. Calls only the store and the announcer it is given.
 */
final class PreferenceRules {

    /** The kind of the "setting changed" hint a save sends the other nodes; the id is the user's. */
    static final String KIND = "preferences";
    /** The configuration key of how long a cached user's preferences are trusted without a hint. */
    static final String CACHE_TTL = "preferences.cache-ttl";
    private static final int MAX_CACHED = 100_000;

    private final PreferenceStore store; // null: the store keeps none, or preferences are turned off
    private final LongSupplier nanoTime;
    private final long ttlNanos;
    private volatile Consumer<String> onSaved = u -> { };
    private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();
    // while no user has preferences (asked at most once per TTL; a save here sets it at once), a publish
    // looks nothing up: measured, the per-recipient cache look-up cost ~10% of an in-memory publish
    private volatile boolean anySaved;
    private volatile long anySavedCheckedAt;

    private record Cached(Preferences preferences, long loadedAt) {
    }

    PreferenceRules(NotificationStore store, boolean enabled, LongSupplier nanoTime, Duration ttl) {
        this.store = enabled ? supported(store) : null;
        this.nanoTime = nanoTime;
        this.ttlNanos = ttl.toNanos();
        this.anySavedCheckedAt = nanoTime.getAsLong() - ttlNanos;
    }

    /** Tells {@code announce} the id of every user whose preferences are saved through this node. */
    void onSaved(Consumer<String> announce) {
        this.onSaved = announce;
    }

    /**
     * Another node saved {@code userId}'s preferences ({@link SettingHints#EVERYTHING}: someone's,
     * hints may have been lost): the next publish reads them from the store.
     */
    void forget(String userId) {
        if (SettingHints.EVERYTHING.equals(userId)) {
            cache.clear();
            anySavedCheckedAt = nanoTime.getAsLong() - ttlNanos;
            return;
        }
        anySaved = true;
        cache.remove(userId);
    }

    // true once any user has preferences (then it stays true: per-recipient look-ups from then on);
    // other nodes' saves set it through their hint (forget), or are seen within a TTL, like the cache's entries
    private boolean anySaved(long now) {
        if (anySaved) {
            return true;
        }
        if (now - anySavedCheckedAt < ttlNanos) {
            return false;
        }
        anySavedCheckedAt = now;
        boolean any = store.anySaved();
        anySaved = any;
        return any;
    }

    private static PreferenceStore supported(NotificationStore store) {
        try {
            return store.preferences();
        } catch (UnsupportedOperationException e) {
            return null;
        }
    }

    /** Whether preferences are applied at all. */
    boolean enabled() {
        return store != null;
    }

    /** The store's preferences, or empty when preferences are off or the store keeps none. */
    java.util.Optional<PreferenceStore> store() {
        return java.util.Optional.ofNullable(store);
    }

    /** The store for channels: reads go to the store, saves update this node's cache too. */
    java.util.Optional<PreferenceStore> forChannels() {
        if (store == null) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new PreferenceStore() {
            @Override
            public Preferences find(String userId) {
                return store.find(userId);
            }

            @Override
            public Map<String, Preferences> findAll(java.util.Collection<String> userIds) {
                return store.findAll(userIds);
            }

            @Override
            public void save(String userId, Preferences p, Instant at) {
                PreferenceRules.this.save(userId, p, at);
            }
        });
    }

    /** The preferences of the notification's recipients who have any (none for a topic-only notification). */
    Map<String, Preferences> of(Notification n) {
        if (store == null || n.recipients().isEmpty() || n.transactional()) {
            return Map.of();
        }
        long now = nanoTime.getAsLong();
        if (!anySaved(now)) {
            return Map.of();
        }
        Map<String, Preferences> out = null;
        List<String> missing = null;
        for (String u : n.recipients()) {
            Cached c = cache.get(u);
            if (c != null && now - c.loadedAt < ttlNanos) {
                if (!c.preferences.isEmpty()) {
                    out = put(out, u, c.preferences);
                }
            } else {
                missing = missing == null ? new ArrayList<>() : missing;
                missing.add(u);
            }
        }
        if (missing != null) {
            Map<String, Preferences> loaded = store.findAll(missing);
            if (cache.size() > MAX_CACHED) {
                cache.clear();
            }
            for (String u : missing) {
                Preferences p = loaded.getOrDefault(u, Preferences.NONE);
                cache.put(u, new Cached(p, now));
                if (!p.isEmpty()) {
                    out = put(out, u, p);
                }
            }
        }
        return out == null ? Map.of() : out;
    }

    private static Map<String, Preferences> put(Map<String, Preferences> m, String u, Preferences p) {
        Map<String, Preferences> out = m == null ? new java.util.HashMap<>() : m;
        out.put(u, p);
        return out;
    }

    /** Saves a user's preferences and updates this node's cache. */
    void save(String userId, Preferences p, Instant at) {
        anySaved = true;
        if (store == null) {
            throw new UnsupportedOperationException("user preferences are turned off, or the store keeps none");
        }
        store.save(userId, p, at);
        cache.put(userId, new Cached(p, nanoTime.getAsLong()));
        onSaved.accept(userId);
    }

    /** What a channel kind does with {@code n} for {@code user}, who has preferences {@code p}. */
    static Preferences.Verdict verdict(Preferences p, Notification n, String channelKind, Instant now) {
        return p == null ? Preferences.Verdict.DELIVER : p.verdict(n, channelKind, now);
    }
}
