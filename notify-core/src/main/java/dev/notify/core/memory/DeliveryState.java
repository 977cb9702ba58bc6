package dev.notify.core.memory;

import dev.notify.api.DeliveryAttempt;
import dev.notify.api.DeliveryRecord;
import dev.notify.api.DeliveryResult;
import dev.notify.api.DeliveryStatus;
import dev.notify.api.Priority;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/** One delivery's mutable state; every access holds its monitor. */
final class DeliveryState {
    final long id;
    final String notificationId;
    final String channel;
    final String target;
    final Priority priority;
    final Instant createdAt;
    DeliveryStatus status = DeliveryStatus.PENDING;
    int attempts;
    Instant nextAttemptAt;
    boolean deferred; // released without an attempt, and not attempted since (NotificationStore.bringForward)
    String lastError;
    Instant updatedAt; // null: the end of the last attempt (saves an Instant per delivery)
    String leaseOwner;
    long leaseToken;
    Instant leaseUntil;
    LeaseBucket leaseBucket; // non-null exactly while a lease is held
    DueKey dueKey; // non-null exactly while in `due`
    // Most deliveries succeed at once. Such a first attempt (sent; no status code, error or
    // response) is kept as the numbers below rather than as an object with an Instant and a
    // Duration; any other first attempt as the object. Later attempts go to a list.
    DeliveryAttempt firstAttempt;
    boolean plainFirst;
    int firstNumber;
    long firstStartSecond;
    int firstStartNano;
    long firstNanos;
    List<DeliveryAttempt> laterAttempts;
    boolean removed; // pruned: gone from every index, to be treated as unknown

    /** Whether a fenced write under {@code claim} may change this delivery; the caller holds its monitor. */
    boolean heldUnder(dev.notify.api.spi.DeliveryClaim claim) {
        return claim == null || (claim.owner().equals(leaseOwner) && claim.token() == leaseToken && claim.attempts() == attempts);
    }

    DeliveryState(long id, String notificationId, String channel, String target, Priority priority,
                  Instant dueAt, Instant createdAt) {
        this.id = id;
        this.notificationId = notificationId;
        this.channel = channel;
        this.target = target;
        this.priority = priority;
        this.nextAttemptAt = dueAt;
        this.createdAt = createdAt;
        this.updatedAt = createdAt;
    }

    boolean isActive() {
        return status == DeliveryStatus.PENDING || status == DeliveryStatus.RETRYING;
    }

    void addAttempt(DeliveryAttempt attempt) {
        if (!hasAttempts()) {
            Duration took = attempt.duration();
            if (attempt.outcome() == DeliveryResult.Outcome.SENT && attempt.statusCode().isEmpty()
                    && attempt.error().isEmpty() && attempt.response().isEmpty()
                    && !took.isNegative() && took.getSeconds() < Integer.MAX_VALUE) {
                plainFirst = true;
                firstNumber = attempt.number();
                firstStartSecond = attempt.startedAt().getEpochSecond();
                firstStartNano = attempt.startedAt().getNano();
                firstNanos = took.toNanos();
            } else {
                firstAttempt = attempt;
            }
            return;
        }
        if (laterAttempts == null) {
            laterAttempts = new ArrayList<>(4);
        }
        laterAttempts.add(attempt);
    }

    boolean hasAttempts() {
        return plainFirst || firstAttempt != null;
    }

    /** The attempts in order; empty when there was none. */
    List<DeliveryAttempt> attempts() {
        if (!hasAttempts()) {
            return List.of();
        }
        DeliveryAttempt first = plainFirst
                ? new DeliveryAttempt(id, firstNumber, Instant.ofEpochSecond(firstStartSecond, firstStartNano),
                        Duration.ofNanos(firstNanos), DeliveryResult.Outcome.SENT, OptionalInt.empty(), Optional.empty(),
                        Optional.empty())
                : firstAttempt;
        if (laterAttempts == null) {
            return List.of(first);
        }
        List<DeliveryAttempt> all = new ArrayList<>(1 + laterAttempts.size());
        all.add(first);
        all.addAll(laterAttempts);
        return List.copyOf(all);
    }

    Instant updatedAt() {
        if (updatedAt != null) {
            return updatedAt;
        }
        if (laterAttempts == null && plainFirst) {
            return Instant.ofEpochSecond(firstStartSecond, firstStartNano + firstNanos);
        }
        DeliveryAttempt last = laterAttempts == null ? firstAttempt : laterAttempts.get(laterAttempts.size() - 1);
        return last.startedAt().plus(last.duration());
    }

    DeliveryRecord snapshot() {
        return new DeliveryRecord(id, notificationId, channel, target, priority, status, attempts,
                Optional.ofNullable(nextAttemptAt), Optional.ofNullable(lastError), createdAt, updatedAt());
    }
}
