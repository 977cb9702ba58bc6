package dev.notify.core;

import dev.notify.api.Preferences;

import java.time.Clock;
import java.util.Objects;

/**
 * Users' notification preferences through the Java API ({@code notify.preferences()}): read and
 * replace what one user wants to receive. The engine applies them when a notification is
 * published; a suppressed delivery's record says why.
 *
 * <pre>{@code
 * notify.preferences().set("u1", new Preferences(false,
 *         List.of(new Preferences.OptOut(List.of("marketing.*"), List.of(), Set.of(), false)), Optional.empty()));
 * }</pre>
 */
public final class NotificationPreferences {

    private final PreferenceRules rules;
    private final Clock clock;

    NotificationPreferences(PreferenceRules rules, Clock clock) {
        this.rules = rules;
        this.clock = clock;
    }

    /** Whether preferences are applied (the store keeps them and {@code preferences.enabled} is not false). */
    public boolean enabled() {
        return rules.enabled();
    }

    /**
     * The user's preferences; {@link Preferences#NONE} when none were saved.
     *
     * @throws UnsupportedOperationException when preferences are off or the store keeps none
     */
    public Preferences get(String userId) {
        Objects.requireNonNull(userId, "userId");
        return rules.store().orElseThrow(() -> new UnsupportedOperationException("user preferences are turned off, or the store keeps none"))
                .find(userId);
    }

    /**
     * Replaces the user's preferences; they apply to notifications published from now on.
     *
     * @throws UnsupportedOperationException when preferences are off or the store keeps none
     */
    public void set(String userId, Preferences preferences) {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(preferences, "preferences");
        rules.save(userId, preferences, clock.instant());
    }
}
