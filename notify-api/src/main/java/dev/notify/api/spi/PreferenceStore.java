package dev.notify.api.spi;

import dev.notify.api.Api;
import dev.notify.api.Preferences;

import java.time.Instant;
import java.util.Collection;
import java.util.Map;

/**
 * The users' {@link Preferences}, stored durably with the rest of a {@link NotificationStore}.
 * A user without stored preferences has {@link Preferences#NONE}.
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.4")
public interface PreferenceStore {

    /** The user's preferences; {@link Preferences#NONE} when none were saved. */
    Preferences find(String userId);

    /** The preferences of those of {@code userIds} who saved any (the planner reads a notification's recipients at once). */
    Map<String, Preferences> findAll(Collection<String> userIds);

    /** Replaces the user's preferences; saving {@link Preferences#NONE} forgets them. */
    void save(String userId, Preferences preferences, Instant now);

    /**
     * Whether any user may have saved preferences. The engine asks about once a second and, while
     * the answer is false, plans publishes without looking preferences up per recipient (most
     * deployments never store any). The default, true, is always correct, only slower.
     *
     * @since 0.4
     */
    default boolean anySaved() {
        return true;
    }
}
