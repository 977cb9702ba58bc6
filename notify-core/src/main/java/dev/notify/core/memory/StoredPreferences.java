package dev.notify.core.memory;

import dev.notify.api.Preferences;
import dev.notify.api.spi.PreferenceStore;

import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/** The users' preferences, one immutable {@link Preferences} per user who saved any; calls no other area. */
final class StoredPreferences implements PreferenceStore {

    private final ConcurrentHashMap<String, Preferences> byUser = new ConcurrentHashMap<>();

    @Override
    public Preferences find(String userId) {
        return userId == null ? Preferences.NONE : byUser.getOrDefault(userId, Preferences.NONE);
    }

    @Override
    public Map<String, Preferences> findAll(Collection<String> userIds) {
        if (byUser.isEmpty()) {
            return Map.of();
        }
        Map<String, Preferences> out = new HashMap<>();
        for (String u : userIds) {
            Preferences p = byUser.get(u);
            if (p != null) {
                out.put(u, p);
            }
        }
        return out;
    }

    @Override
    public boolean anySaved() {
        return !byUser.isEmpty();
    }

    @Override
    public void save(String userId, Preferences preferences, Instant now) {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(preferences, "preferences");
        if (preferences.isEmpty()) {
            byUser.remove(userId);
        } else {
            byUser.put(userId, preferences);
        }
    }
}
