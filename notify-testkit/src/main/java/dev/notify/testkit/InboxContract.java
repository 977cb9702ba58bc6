package dev.notify.testkit;

import dev.notify.api.Api;
import dev.notify.api.InboxItem;
import dev.notify.api.InboxQuery;
import dev.notify.api.InboxStats;
import dev.notify.api.Notification;
import dev.notify.api.Page;
import dev.notify.api.spi.PublishRequest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The store contract for inboxes: pages newest first with stable cursors, counts, read and unread
 * marks, deletion, and every operation scoped to the user it names.
 *
 * <p>Part of {@link NotificationStoreContract}, which runs it against a fresh store for every
 * test: a store implementation extends that, not this.
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.2")
public abstract class InboxContract extends StoreContractSupport {

    private List<String> publishTo(String user, int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Notification n = toUsers(t(i), user);
            store().save(request(n));
            ids.add(n.id());
        }
        return ids;
    }

    @Test
    @DisplayName("lists a user's notifications newest first, as unread items of that user")
    void listsNewestFirst() {
        List<String> ids = publishTo("u1", 3);

        Page<InboxItem> page = store().inbox(InboxQuery.firstPage("u1"));

        assertThat(notificationIds(page.items())).containsExactly(ids.get(2), ids.get(1), ids.get(0));
        assertThat(page.items()).allSatisfy(i -> {
            assertThat(i.userId()).isEqualTo("u1");
            assertThat(i.read()).isFalse();
            assertThat(i.readAt()).isEmpty();
        });
        assertThat(page.nextCursor()).isEmpty();
    }

    @Test
    @DisplayName("pages with a cursor, without duplicates or gaps, even when newer ones arrive meanwhile")
    void pagesWithoutDuplicatesOrGaps() {
        List<String> ids = publishTo("u1", 25);
        List<String> newestFirst = new ArrayList<>(ids);
        Collections.reverse(newestFirst);

        Page<InboxItem> first = store().inbox(new InboxQuery("u1", false, Optional.empty(), 10));
        store().save(request(toUsers(t(1000), "u1")));
        List<InboxItem> rest = allPages(c -> store().inbox(new InboxQuery("u1", false, c, 10)), 10, 26);

        assertThat(first.nextCursor()).isPresent();
        List<InboxItem> pagedFromFirstCursor = allPagesFrom(first.nextCursor().get());
        List<String> seen = new ArrayList<>(notificationIds(first.items()));
        seen.addAll(notificationIds(pagedFromFirstCursor));
        assertThat(seen).containsExactlyElementsOf(newestFirst);
        assertThat(rest).hasSize(26);
    }

    private List<InboxItem> allPagesFrom(String cursor) {
        List<InboxItem> items = new ArrayList<>();
        Optional<String> c = Optional.of(cursor);
        for (int pages = 0; c.isPresent(); pages++) {
            assertThat(pages).isLessThan(10);
            Page<InboxItem> page = store().inbox(new InboxQuery("u1", false, c, 10));
            items.addAll(page.items());
            c = page.nextCursor();
        }
        return items;
    }

    @Test
    @DisplayName("lists only unread notifications when asked, paging through them too")
    void listsUnreadOnly() {
        List<String> ids = publishTo("u1", 6);
        store().mark("u1", List.of(ids.get(1), ids.get(3)), true, t(100));

        List<InboxItem> unread = allPages(c -> store().inbox(new InboxQuery("u1", true, c, 2)), 2, 4);

        assertThat(notificationIds(unread)).containsExactly(ids.get(5), ids.get(4), ids.get(2), ids.get(0));
        assertThat(unread).noneMatch(InboxItem::read);
    }

    @Test
    @DisplayName("counts total, unread and read")
    void countsStats() {
        List<String> ids = publishTo("u1", 4);
        store().mark("u1", List.of(ids.get(0)), true, t(100));

        assertThat(store().stats("u1")).isEqualTo(new InboxStats(4, 3, 1));
    }

    @Test
    @DisplayName("marks read and unread, counting only real changes")
    void marksReadAndUnread() {
        List<String> ids = publishTo("u1", 3);

        assertThat(store().mark("u1", List.of(ids.get(0), ids.get(1)), true, t(100))).isEqualTo(2);
        assertThat(store().mark("u1", List.of(ids.get(0), ids.get(2)), true, t(200))).isEqualTo(1);
        InboxItem first = itemOf("u1", ids.get(0));
        assertThat(first.read()).isTrue();
        assertThat(first.readAt()).as("the first mark counts").contains(t(100));

        assertThat(store().mark("u1", List.of(ids.get(0)), false, t(300))).isEqualTo(1);
        assertThat(store().mark("u1", List.of(ids.get(0)), false, t(300))).isZero();
        InboxItem unread = itemOf("u1", ids.get(0));
        assertThat(unread.read()).isFalse();
        assertThat(unread.readAt()).isEmpty();
        assertThat(store().stats("u1")).isEqualTo(new InboxStats(3, 1, 2));
    }

    @Test
    @DisplayName("ignores unknown ids when marking and deleting")
    void ignoresUnknownIds() {
        List<String> ids = publishTo("u1", 1);

        assertThat(store().mark("u1", List.of("no-such-id", ids.get(0)), true, t(100))).isEqualTo(1);
        assertThat(store().mark("u1", List.of("no-such-id"), true, t(100))).isZero();
        assertThat(store().delete("u1", List.of("no-such-id"))).isZero();
        assertThat(store().mark("nobody", List.of(ids.get(0)), true, t(100))).isZero();
        assertThat(store().markAllRead("nobody", t(100))).isZero();
        assertThat(store().stats("u1")).isEqualTo(new InboxStats(1, 0, 1));
    }

    @Test
    @DisplayName("marks everything read, counting what changed")
    void marksAllRead() {
        List<String> ids = publishTo("u1", 3);
        store().mark("u1", List.of(ids.get(0)), true, t(100));

        assertThat(store().markAllRead("u1", t(200))).isEqualTo(2);
        assertThat(store().markAllRead("u1", t(300))).isZero();
        assertThat(store().stats("u1")).isEqualTo(new InboxStats(3, 0, 3));
        assertThat(itemOf("u1", ids.get(0)).readAt()).contains(t(100));
        assertThat(itemOf("u1", ids.get(1)).readAt()).contains(t(200));
    }

    @Test
    @DisplayName("deletes notifications from the inbox, counting what was deleted")
    void deletes() {
        List<String> ids = publishTo("u1", 3);
        store().mark("u1", List.of(ids.get(0)), true, t(100));

        assertThat(store().delete("u1", List.of(ids.get(0), ids.get(1)))).isEqualTo(2);
        assertThat(store().delete("u1", List.of(ids.get(0)))).isZero();

        assertThat(notificationIds(store().inbox(InboxQuery.firstPage("u1")).items())).containsExactly(ids.get(2));
        assertThat(store().stats("u1")).isEqualTo(new InboxStats(1, 1, 0));
    }

    @Test
    @DisplayName("is empty for a user without notifications")
    void emptyForStrangers() {
        Page<InboxItem> page = store().inbox(InboxQuery.firstPage("nobody"));

        assertThat(page.items()).isEmpty();
        assertThat(page.nextCursor()).isEmpty();
        assertThat(store().stats("nobody")).isEqualTo(InboxStats.EMPTY);
    }

    private InboxItem itemOf(String user, String notificationId) {
        return store().inbox(new InboxQuery(user, false, Optional.empty(), InboxQuery.MAX_LIMIT)).items().stream()
                .filter(i -> i.notification().id().equals(notificationId)).findFirst().orElseThrow();
    }

    @Nested
    @DisplayName("inbox scoping")
    class InboxScoping {

        private Notification ofU1;
        private Notification ofU2;
        private Notification ofBoth;

        @BeforeEach
        void publish() {
            ofU1 = toUsers(T0, "u1");
            ofU2 = toUsers(t(1), "u2");
            ofBoth = toUsers(t(2), "u1", "u2");
            store().saveAll(List.of(request(ofU1), request(ofU2), request(ofBoth)));
        }

        @Test
        @DisplayName("lists only the user's own notifications")
        void listsOnlyOwnNotifications() {
            assertThat(notificationIds(store().inbox(InboxQuery.firstPage("u2")).items())).containsExactly(ofBoth.id(), ofU2.id());
        }

        @Test
        @DisplayName("does not let another user mark a notification read or unread")
        void othersCannotMark() {
            assertThat(store().mark("u2", List.of(ofU1.id()), true, t(100))).isZero();
            assertThat(store().stats("u1")).isEqualTo(new InboxStats(2, 2, 0));

            store().mark("u1", List.of(ofU1.id()), true, t(100));
            assertThat(store().mark("u2", List.of(ofU1.id()), false, t(200))).isZero();
            assertThat(store().stats("u1")).isEqualTo(new InboxStats(2, 1, 1));
        }

        @Test
        @DisplayName("counts only the user's own notifications among a mix of ids")
        void mixedIdsCountOnlyOwnOnes() {
            assertThat(store().mark("u2", List.of(ofU1.id(), ofU2.id()), true, t(100))).isEqualTo(1);
            assertThat(store().delete("u2", List.of(ofU1.id(), ofU2.id()))).isEqualTo(1);

            assertThat(store().stats("u1")).isEqualTo(new InboxStats(2, 2, 0));
            assertThat(store().stats("u2")).isEqualTo(new InboxStats(1, 1, 0));
        }

        @Test
        @DisplayName("does not let another user delete a notification")
        void othersCannotDelete() {
            assertThat(store().delete("u2", List.of(ofU1.id()))).isZero();

            assertThat(notificationIds(store().inbox(InboxQuery.firstPage("u1")).items())).contains(ofU1.id());
            assertThat(store().stats("u1").total()).isEqualTo(2);
        }

        @Test
        @DisplayName("keeps read state per user for a notification they share")
        void readStateIsPerUser() {
            assertThat(store().mark("u1", List.of(ofBoth.id()), true, t(100))).isEqualTo(1);

            assertThat(store().stats("u2")).isEqualTo(new InboxStats(2, 2, 0));
            assertThat(store().inbox(new InboxQuery("u2", true, Optional.empty(), 10)).items()).hasSize(2);

            assertThat(store().delete("u2", List.of(ofBoth.id()))).isEqualTo(1);
            assertThat(store().stats("u1")).isEqualTo(new InboxStats(2, 1, 1));
        }

        @Test
        @DisplayName("marks all read for one user only")
        void markAllReadIsPerUser() {
            assertThat(store().markAllRead("u2", t(100))).isEqualTo(2);

            assertThat(store().stats("u1")).isEqualTo(new InboxStats(2, 2, 0));
        }
    }

    @Nested
    @DisplayName("with collapse keys")
    class CollapseKeys {

        private Notification keyed(String key, long at, String... users) {
            return notification().recipients(List.of(users)).collapseKey(key).createdAt(t(at)).build();
        }

        private PublishRequest keepingReadState(Notification n) {
            return new PublishRequest(n, SCOPE, audiencesOf(n), List.of(), Optional.empty(), false);
        }

        @Test
        @DisplayName("keeps one item per user and key, the newest, unread again, with the counts right")
        void keepsTheNewestUnread() {
            Notification first = keyed("task:a", 1, "u1", "u2");
            store().save(request(first));
            store().mark("u1", List.of(first.id()), true, t(2));
            Notification second = keyed("task:a", 3, "u1");

            store().save(request(second));

            List<InboxItem> u1 = store().inbox(InboxQuery.firstPage("u1")).items();
            assertThat(notificationIds(u1)).containsExactly(second.id());
            assertThat(u1.get(0).read()).isFalse();
            assertThat(u1.get(0).notification().collapseKey()).contains("task:a");
            assertThat(store().stats("u1")).isEqualTo(new InboxStats(1, 1, 0));
            assertThat(notificationIds(store().inbox(InboxQuery.firstPage("u2")).items())).containsExactly(first.id());
        }

        @Test
        @DisplayName("keeps the read state when the request asks so")
        void keepsReadStateWhenAsked() {
            Notification first = keyed("task:a", 1, "u1");
            store().save(request(first));
            store().mark("u1", List.of(first.id()), true, t(2));
            Notification second = keyed("task:a", 3, "u1");

            store().save(keepingReadState(second));

            List<InboxItem> u1 = store().inbox(InboxQuery.firstPage("u1")).items();
            assertThat(notificationIds(u1)).containsExactly(second.id());
            assertThat(u1.get(0).read()).isTrue();
            assertThat(store().stats("u1")).isEqualTo(new InboxStats(1, 0, 1));
        }

        @Test
        @DisplayName("moves the replaced item to the top, and keeps other keys and unkeyed items apart")
        void otherKeysStayApart() {
            Notification a1 = keyed("task:a", 1, "u1");
            Notification b1 = keyed("task:b", 2, "u1");
            Notification plain = toUsers(t(3), "u1");
            store().saveAll(List.of(request(a1), request(b1), request(plain)));
            Notification a2 = keyed("task:a", 4, "u1");

            store().save(request(a2));

            assertThat(notificationIds(store().inbox(InboxQuery.firstPage("u1")).items())).containsExactly(a2.id(), plain.id(), b1.id());
            assertThat(store().stats("u1")).isEqualTo(new InboxStats(3, 3, 0));
        }

        @Test
        @DisplayName("keeps the last of a key within one batch")
        void lastOfABatchWins() {
            Notification a1 = keyed("task:a", 1, "u1");
            Notification a2 = keyed("task:a", 2, "u1");
            Notification a3 = keyed("task:a", 3, "u1");

            store().saveAll(List.of(request(a1), request(a2), request(a3)));

            assertThat(notificationIds(store().inbox(InboxQuery.firstPage("u1")).items())).containsExactly(a3.id());
            assertThat(store().stats("u1")).isEqualTo(new InboxStats(1, 1, 0));
        }

        @Test
        @DisplayName("keeps every entry in the event log, and the replaced notification findable")
        void eventLogKeepsEverything() {
            Notification a1 = keyed("task:a", 1, "u1");
            Notification a2 = keyed("task:a", 2, "u1");
            store().save(request(a1));
            store().save(request(a2));

            List<String> logged = new ArrayList<>();
            store().readAfter(0, "u1", java.util.Set.of(), 10).entries().forEach(e -> logged.add(e.notification().id()));

            assertThat(logged).containsExactly(a1.id(), a2.id());
            assertThat(store().find(a1.id())).isPresent();
            assertThat(store().find(a2.id()).flatMap(Notification::collapseKey)).contains("task:a");
        }

        @Test
        @DisplayName("ignores marks and deletes of the replaced notification's id")
        void replacedIdIsGoneFromTheInbox() {
            Notification a1 = keyed("task:a", 1, "u1");
            Notification a2 = keyed("task:a", 2, "u1");
            store().save(request(a1));
            store().save(request(a2));

            assertThat(store().mark("u1", List.of(a1.id()), true, t(3))).isZero();
            assertThat(store().delete("u1", List.of(a1.id()))).isZero();
            assertThat(store().stats("u1")).isEqualTo(new InboxStats(1, 1, 0));
        }

        @Test
        @DisplayName("starts a new item for the key after the user deleted the last one")
        void startsAgainAfterADelete() {
            Notification a1 = keyed("task:a", 1, "u1");
            store().save(request(a1));
            assertThat(store().delete("u1", List.of(a1.id()))).isEqualTo(1);
            Notification a2 = keyed("task:a", 2, "u1");

            store().save(request(a2));

            assertThat(notificationIds(store().inbox(InboxQuery.firstPage("u1")).items())).containsExactly(a2.id());
            assertThat(store().stats("u1")).isEqualTo(new InboxStats(1, 1, 0));
        }
    }
}
