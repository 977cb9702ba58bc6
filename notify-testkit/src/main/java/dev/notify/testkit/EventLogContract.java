package dev.notify.testkit;

import dev.notify.api.Api;
import dev.notify.api.Audience;
import dev.notify.api.EventLogEntry;
import dev.notify.api.EventLogSlice;
import dev.notify.api.Notification;
import dev.notify.api.spi.PublishResult;
import dev.notify.api.spi.Retention;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The store contract for the event log: sequences, {@code readAfter} scoped to a user and
 * topics (prefix patterns included), {@code readAll} for tailing, and pruning by age and count
 * with readers told what they missed.
 *
 * <p>Part of {@link NotificationStoreContract}, which runs it against a fresh store for every
 * test: a store implementation extends that, not this.
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.2")
public abstract class EventLogContract extends StoreContractSupport {

    @Test
    @DisplayName("starts empty at sequence 0")
    void startsEmpty() {
        assertThat(store().latestSequence()).isZero();
        EventLogSlice slice = store().readAfter(0, "u1", Set.of("*"), 10);
        assertThat(slice.entries()).isEmpty();
        assertThat(slice.latestSequence()).isZero();
        assertThat(slice.pruned()).isFalse();
    }

    @Test
    @DisplayName("numbers entries with strictly increasing sequences, latestSequence being the last")
    void sequencesIncrease() {
        List<Long> sequences = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            store().save(request(toUsers(t(i), "u1", "u2"))).events().forEach(e -> sequences.add(e.sequence()));
        }

        assertThat(sequences).hasSize(10).isSorted().doesNotHaveDuplicates();
        assertThat(store().latestSequence()).isEqualTo(sequences.get(9));
    }

    @Test
    @DisplayName("gives a user only their own entries, oldest first")
    void readsPerUser() {
        Notification a = toUsers(T0, "u1");
        Notification b = toUsers(t(1), "u2");
        Notification c = toUsers(t(2), "u1", "u2");
        store().saveAll(List.of(request(a), request(b), request(c)));

        EventLogSlice slice = store().readAfter(0, "u1", Set.of(), 10);

        assertThat(eventIds(slice)).containsExactly(a.id(), c.id());
        assertThat(slice.entries()).allSatisfy(e -> assertThat(e.audience()).isEqualTo(Audience.user("u1")));
        assertThat(slice.latestSequence()).isEqualTo(store().latestSequence());
        assertThat(eventIds(store().readAfter(0, "u2", Set.of(), 10))).containsExactly(b.id(), c.id());
    }

    @Test
    @DisplayName("names an audience's previous entry when it can tell (sequenceBefore, for carried live entries)")
    void namesTheAudiencesPreviousEntry() {
        long u1First = store().save(request(toUsers(T0, "u1"))).events().get(0).sequence();
        List<EventLogEntry> both = store().save(request(toUsers(t(1), "u1", "u2"))).events();
        long topicOnly = store().save(request(notification().topic("task:a").build())).events().get(0).sequence();
        long u1Last = store().save(request(toUsers(t(2), "u1"))).events().get(0).sequence();
        long u1Second = both.stream().filter(e -> e.audience().equals(Audience.user("u1"))).findFirst().orElseThrow().sequence();
        long u2Only = both.stream().filter(e -> e.audience().equals(Audience.user("u2"))).findFirst().orElseThrow().sequence();
        org.junit.jupiter.api.Assumptions.assumeTrue(store().sequenceBefore(Audience.user("u1"), u1First) >= 0,
                "this store cannot tell (the default): entries are then only signalled");

        assertThat(store().sequenceBefore(Audience.user("u1"), u1First)).isZero();
        assertThat(store().sequenceBefore(Audience.user("u1"), u1Last)).isEqualTo(u1Second);
        assertThat(store().sequenceBefore(Audience.user("u1"), u1Second)).isEqualTo(u1First);
        assertThat(store().sequenceBefore(Audience.user("u2"), u1Last)).isEqualTo(u2Only);
        assertThat(store().sequenceBefore(Audience.topic("task:a"), u1Last)).isEqualTo(topicOnly);
    }

    @Test
    @DisplayName("gives topic entries only to readers of that topic")
    void readsPerTopic() {
        Notification a = notification().topic("task:a").build();
        Notification b = notification().topic("task:b").build();
        Notification other = notification().topic("other").build();
        store().saveAll(List.of(request(a), request(b), request(other)));

        assertThat(eventIds(store().readAfter(0, "u1", Set.of("task:a"), 10))).containsExactly(a.id());
        assertThat(eventIds(store().readAfter(0, "u1", Set.of("task:a", "other"), 10))).containsExactly(a.id(), other.id());
        assertThat(eventIds(store().readAfter(0, "u1", Set.of(), 10))).isEmpty();
        assertThat(eventIds(store().readAfter(0, "u1", Set.of("task"), 10))).isEmpty();
    }

    @Test
    @DisplayName("matches prefix* patterns, and * matches every topic")
    void readsTopicPatterns() {
        Notification a = notification().topic("task:a").build();
        Notification b = notification().topic("task:b").build();
        Notification other = notification().topic("other").build();
        Notification mine = toUsers(T0, "u1");
        store().saveAll(List.of(request(a), request(b), request(other), request(mine)));

        assertThat(eventIds(store().readAfter(0, "u1", Set.of("task:*"), 10))).containsExactly(a.id(), b.id(), mine.id());
        assertThat(eventIds(store().readAfter(0, "u2", Set.of("task:*"), 10))).containsExactly(a.id(), b.id());
        assertThat(eventIds(store().readAfter(0, "u2", Set.of("*"), 10))).containsExactly(a.id(), b.id(), other.id());
        assertThat(eventIds(store().readAfter(0, "u2", Set.of("task:*", "task:a"), 10)))
                .as("an entry matched twice is returned once").containsExactly(a.id(), b.id());
    }

    @Test
    @DisplayName("returns both the user's and the topic's entry of a notification addressed both ways")
    void readsUserAndTopicEntries() {
        Notification n = notification().recipient("u1").topic("task:a").build();
        store().save(request(n));

        EventLogSlice slice = store().readAfter(0, "u1", Set.of("task:a"), 10);

        assertThat(slice.entries()).extracting(EventLogEntry::audience)
                .containsExactly(Audience.user("u1"), Audience.topic("task:a"));
    }

    @Test
    @DisplayName("returns only entries after the given sequence, at most limit, and resumes without gaps")
    void readsAfterASequenceWithALimit() {
        List<String> published = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            Notification n = toUsers(t(i), "u1");
            published.add(n.id());
            store().save(request(n));
            store().save(request(toUsers(t(i), "u2")));
        }

        EventLogSlice first = store().readAfter(0, "u1", Set.of(), 3);
        assertThat(eventIds(first)).containsExactlyElementsOf(published.subList(0, 3));
        long resumeAfter = first.entries().get(2).sequence();
        EventLogSlice second = store().readAfter(resumeAfter, "u1", Set.of(), 3);
        assertThat(eventIds(second)).containsExactlyElementsOf(published.subList(3, 6));
        EventLogSlice last = store().readAfter(second.entries().get(2).sequence(), "u1", Set.of(), 3);
        assertThat(eventIds(last)).containsExactly(published.get(6));
        assertThat(store().readAfter(store().latestSequence(), "u1", Set.of("*"), 3).entries()).isEmpty();
    }

    @Test
    @DisplayName("reports the log's latest sequence even when nothing matches")
    void reportsTheLatestSequence() {
        store().save(request(toUsers(T0, "u2")));

        EventLogSlice slice = store().readAfter(0, "u1", Set.of("nothing"), 10);

        assertThat(slice.entries()).isEmpty();
        assertThat(slice.latestSequence()).isEqualTo(store().latestSequence()).isPositive();
    }

    @Test
    @DisplayName("refuses a negative sequence and a limit that is not positive")
    void refusesBadArguments() {
        assertThatThrownBy(() -> store().readAfter(-1, "u1", Set.of(), 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store().readAfter(0, "u1", Set.of(), 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("prunes entries older than the maximum age and flags readers who missed them")
    void prunesByAge() {
        Notification old = toUsers(T0, "u1");
        Notification recent = toUsers(t(600), "u1");
        PublishResult oldResult = store().save(request(old));
        store().save(request(recent));
        long latest = store().latestSequence();

        long removed = store().prune(t(3600), new Retention(Duration.ofMinutes(55), 1_000_000, Duration.ofHours(24)));

        assertThat(removed).isEqualTo(1);
        EventLogSlice fromStart = store().readAfter(0, "u1", Set.of(), 10);
        assertThat(eventIds(fromStart)).containsExactly(recent.id());
        assertThat(fromStart.pruned()).isTrue();
        EventLogSlice afterPruned = store().readAfter(oldResult.events().get(0).sequence(), "u1", Set.of(), 10);
        assertThat(eventIds(afterPruned)).containsExactly(recent.id());
        assertThat(afterPruned.pruned()).isFalse();
        assertThat(store().latestSequence()).isEqualTo(latest);
    }

    @Test
    @DisplayName("prunes all but the newest entries beyond the maximum count")
    void prunesByCount() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Notification n = toUsers(t(i), "u1");
            ids.add(n.id());
            store().save(request(n));
        }

        long removed = store().prune(t(10), new Retention(Duration.ofDays(7), 2, Duration.ofHours(24)));

        assertThat(removed).isEqualTo(3);
        EventLogSlice slice = store().readAfter(0, "u1", Set.of(), 10);
        assertThat(eventIds(slice)).containsExactlyElementsOf(ids.subList(3, 5));
        assertThat(slice.pruned()).isTrue();
    }

    @Test
    @DisplayName("prunes nothing within retention, and the log goes on numbering after a prune")
    void keepsNumberingAfterPruning() {
        store().save(request(toUsers(T0, "u1")));
        assertThat(store().prune(t(10), Retention.DEFAULT)).isZero();
        assertThat(store().readAfter(0, "u1", Set.of(), 10).pruned()).isFalse();

        store().save(request(toUsers(t(1), "u1")));
        long before = store().latestSequence();
        store().prune(t(10), new Retention(Duration.ofDays(7), 1, Duration.ofHours(24)));
        PublishResult next = store().save(request(toUsers(t(2), "u1")));

        assertThat(next.events().get(0).sequence()).isGreaterThan(before);
        assertThat(store().latestSequence()).isEqualTo(next.events().get(0).sequence());
    }

    @Nested
    @DisplayName("readAll (tailing the whole log)")
    class ReadAll {

        @Test
        @DisplayName("returns every audience's entries in sequence order after the given one")
        void returnsEveryAudienceInOrder() {
            store().save(request(notification().recipients(List.of("u1", "u2")).topic("news").build()));
            store().save(request(notification().recipient("u3").build()));

            EventLogSlice all = store().readAll(0, 100);
            assertThat(all.entries()).hasSize(4);
            assertThat(all.entries()).extracting(EventLogEntry::sequence).isSorted().doesNotHaveDuplicates();
            assertThat(all.entries()).extracting(EventLogEntry::audience)
                    .containsExactly(Audience.user("u1"), Audience.user("u2"), Audience.topic("news"), Audience.user("u3"));
            assertThat(all.latestSequence()).isEqualTo(all.entries().get(3).sequence());

            long second = all.entries().get(1).sequence();
            assertThat(store().readAll(second, 100).entries()).extracting(EventLogEntry::sequence)
                    .containsExactly(all.entries().get(2).sequence(), all.entries().get(3).sequence());
            assertThat(store().readAll(0, 2).entries()).hasSize(2);
            assertThat(store().readAll(all.latestSequence(), 10).entries()).isEmpty();
        }

        @Test
        @DisplayName("says when entries after the requested sequence were pruned")
        void reportsPruning() {
            store().save(request(toUsers(T0, "u1")));
            store().save(request(toUsers(t(3600), "u1")));
            store().prune(t(3600).plus(java.time.Duration.ofDays(7)).minusSeconds(1),
                    new Retention(java.time.Duration.ofDays(7), 1_000_000, java.time.Duration.ofHours(1)));

            EventLogSlice s = store().readAll(0, 10);
            assertThat(s.pruned()).isTrue();
            assertThat(s.entries()).hasSize(1);
        }

        @Test
        @DisplayName("refuses a negative sequence and a limit below one")
        void refusesBadArguments() {
            assertThatThrownBy(() -> store().readAll(-1, 10)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store().readAll(0, 0)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
