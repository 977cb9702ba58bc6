package dev.notify.api.spi;

import dev.notify.api.Api;
import dev.notify.api.Audience;

import java.util.List;
import java.util.Objects;

/**
 * A "something changed" hint one node sends the others through a {@link ClusterSignals} engine.
 * A signal carries no body (sequence numbers and ids only, so a payload stays small whatever was
 * published), except {@link LiveEntry}, which an engine that {@linkplain ClusterSignals#carriesEntries
 * carries entries} gets instead of a {@link LogAppended} for a user's small, due entry. It is a hint, not the truth: a node that misses one catches up from the event log
 * and the delivery rows (the periodic poll stays as the safety net), so an engine may drop, delay
 * or coalesce signals but should tell the host when it may have lost some
 * ({@link ClusterContext#resync(String)}).
 *
 * <p>Several signals of a burst coalesce into one: {@link LogAppended} keeps the highest sequence
 * and the union of audiences, {@link DeliveryDue} keeps one, {@link InboxChanged} one per user.
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.2")
public sealed interface ClusterSignal permits ClusterSignal.LogAppended, ClusterSignal.DeliveryDue,
        ClusterSignal.InboxChanged, ClusterSignal.SettingChanged, ClusterSignal.LiveEntry {

    /** Most audiences a {@link LogAppended} names; a wider burst names none (everyone may be concerned). */
    int MAX_AUDIENCES = 32;

    /**
     * The event log was appended to, up to {@code sequence}: live streams on other nodes read it.
     *
     * @param sequence the highest sequence appended
     * @param audiences whom the entries are for, so an engine with per-user or per-topic channels
     *        can route the hint; empty when unknown or wider than {@link #MAX_AUDIENCES}
     */
    record LogAppended(long sequence, List<Audience> audiences) implements ClusterSignal {
        /** Validates and copies the components. */
        public LogAppended {
            if (sequence < 0) {
                throw new IllegalArgumentException("sequence must not be negative, got " + sequence);
            }
            audiences = audiences.size() > MAX_AUDIENCES ? List.of() : List.copyOf(audiences);
        }
    }

    /** A push delivery became due now (handed back, deferred, replayed): an idle node claims it at once. */
    record DeliveryDue() implements ClusterSignal {
    }

    /**
     * The inbox of a user changed (read, unread, delete): nodes holding that user's connections send new counts.
     *
     * @param userId the user
     */
    record InboxChanged(String userId) implements ClusterSignal {
        /** Validates the id. */
        public InboxChanged {
            Objects.requireNonNull(userId, "userId");
        }
    }

    /**
     * A setting shared by the nodes changed, such as a webhook endpoint ({@code kind = "webhook"},
     * {@code id} = its id) or a connection being closed by an operator.
     *
     * @param kind what changed, a short lower-case word
     * @param id the id of what changed
     */
    record SettingChanged(String kind, String id) implements ClusterSignal {
        /** Validates the components. */
        public SettingChanged {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(id, "id");
        }
    }

    /**
     * One event-log entry for a user, carried whole so that the receiving node can push it to its
     * live streams without reading the log. Sent only through an engine that
     * {@linkplain ClusterSignals#carriesEntries() carries entries}; it also stands for a
     * {@code LogAppended(sequence, [audience])}: a receiver that cannot use it reads the log.
     *
     * <p>{@code previous} is what makes a lost or late one visible: the sequence of the audience's
     * newest entry below this one in the log, as the store says once this entry is committed. A
     * receiver that has pushed the audience's entries up to {@code previous} knows nothing is missing
     * in between; otherwise it reads the log.
     *
     * @param sequence the entry's sequence
     * @param previous the sequence of the audience's previous entry in the log, 0 when it has none
     * @param audience whom the entry is for
     * @param body the notification as its sender's host encoded it (the host reads it back; engines carry it as it is)
     */
    record LiveEntry(long sequence, long previous, Audience audience, String body) implements ClusterSignal {
        /** Validates the components. */
        public LiveEntry {
            Objects.requireNonNull(audience, "audience");
            Objects.requireNonNull(body, "body");
            if (sequence < 1 || previous < 0 || previous >= sequence) {
                throw new IllegalArgumentException("need 0 <= previous < sequence, got previous " + previous + ", sequence " + sequence);
            }
        }
    }
}
