package dev.notify.core.memory;

import dev.notify.api.InboxItem;
import dev.notify.api.InboxQuery;
import dev.notify.api.InboxStats;
import dev.notify.api.Notification;
import dev.notify.api.Page;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * One user's inbox; guarded by its own monitor. The notifications sit in an array sorted
 * oldest first by (createdAt, id), because new ones almost always go at the end: an append,
 * where a tree would walk (and miss the cache on) a path of nodes for every publish. There
 * is no per-item object and no id index: an id is found through the store's notification
 * map (its createdAt) and a binary search, and read times live in a parallel array that
 * exists only once something was read. Items with a collapse key are also indexed by it (a map
 * that exists only once such an item arrived), so the newest of a key replaces the one before.
 */
final class UserInbox {
    private Notification[] items = new Notification[4];
    private Instant[] readAt; // null while nothing was ever read; else parallel to items
    private int size;
    private long unread;
    private boolean dropped; // emptied by a prune and on its way out of the map
    private Map<String, Notification> byCollapseKey; // null until an item with a collapse key arrives

    /**
     * Adds the notification (once), replacing the item of the same collapse key, which passes on
     * its read state unless {@code collapseMarksUnread}; false when this inbox was dropped and a
     * fresh one must take it.
     */
    synchronized boolean add(Notification n, boolean collapseMarksUnread) {
        if (dropped) {
            return false;
        }
        Instant keptReadAt = null;
        String key = n.collapseKey().orElse(null);
        if (key != null) {
            Notification previous = byCollapseKey == null ? null : byCollapseKey.get(key);
            if (previous != null) {
                if (previous.id().equals(n.id())) {
                    return true;
                }
                int at = search(previous.createdAt(), previous.id());
                if (at >= 0) {
                    keptReadAt = collapseMarksUnread ? null : readAt(at);
                    removeAt(at);
                }
            }
            if (byCollapseKey == null) {
                byCollapseKey = new HashMap<>();
            }
            byCollapseKey.put(key, n);
        }
        int pos;
        if (size == 0 || compare(items[size - 1], n.createdAt(), n.id()) < 0) {
            pos = size;
        } else {
            int at = search(n.createdAt(), n.id());
            if (at >= 0) {
                return true;
            }
            pos = -(at + 1);
        }
        if (size == items.length) {
            items = Arrays.copyOf(items, size * 2);
            if (readAt != null) {
                readAt = Arrays.copyOf(readAt, size * 2);
            }
        }
        System.arraycopy(items, pos, items, pos + 1, size - pos);
        items[pos] = n;
        if (readAt != null) {
            System.arraycopy(readAt, pos, readAt, pos + 1, size - pos);
            readAt[pos] = null;
        }
        size++;
        if (keptReadAt != null) {
            setReadAt(pos, keptReadAt);
        } else {
            unread++;
        }
        return true;
    }

    private static int compare(Notification a, Instant createdAt, String id) {
        int c = a.createdAt().compareTo(createdAt);
        return c != 0 ? c : a.id().compareTo(id);
    }

    /** Binary search by (createdAt, id): the index if present, else {@code -(insertion point) - 1}. */
    private int search(Instant createdAt, String id) {
        int lo = 0;
        int hi = size - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = compare(items[mid], createdAt, id);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }

    /** Where this inbox holds the notification with that id, or -1. */
    private int indexOf(String id, Function<String, Notification> lookup) {
        Notification n = id == null ? null : lookup.apply(id);
        if (n == null) {
            return -1;
        }
        int at = search(n.createdAt(), n.id());
        return at >= 0 ? at : -1;
    }

    private Instant readAt(int i) {
        return readAt == null ? null : readAt[i];
    }

    private void setReadAt(int i, Instant at) {
        if (readAt == null) {
            if (at == null) {
                return;
            }
            readAt = new Instant[items.length];
        }
        readAt[i] = at;
    }

    synchronized Page<InboxItem> page(InboxQuery q) {
        int from = size - 1;
        if (q.cursor().isPresent()) {
            Cursor c = decodeCursor(q.cursor().get());
            int at = search(c.createdAt, c.id);
            from = at >= 0 ? at - 1 : -(at + 1) - 1;
        }
        List<InboxItem> page = new ArrayList<>(Math.min(q.limit(), 64));
        Notification last = null;
        boolean more = false;
        for (int i = from; i >= 0; i--) {
            Instant read = readAt(i);
            if (q.unreadOnly() && read != null) {
                continue;
            }
            if (page.size() == q.limit()) {
                more = true;
                break;
            }
            page.add(new InboxItem(q.userId(), items[i], read != null, Optional.ofNullable(read)));
            last = items[i];
        }
        return new Page<>(page, more ? Optional.of(encodeCursor(last)) : Optional.empty());
    }

    synchronized InboxStats stats() {
        return new InboxStats(size, unread, size - unread);
    }

    synchronized int mark(Collection<String> ids, boolean read, Instant now, Function<String, Notification> lookup) {
        int changed = 0;
        for (String id : new LinkedHashSet<>(ids)) {
            int i = indexOf(id, lookup);
            if (i >= 0 && (readAt(i) != null) != read) {
                setReadAt(i, read ? now : null);
                unread += read ? -1 : 1;
                changed++;
            }
        }
        return changed;
    }

    synchronized int markAllRead(Instant now) {
        int changed = 0;
        for (int i = 0; i < size; i++) {
            if (readAt(i) == null) {
                setReadAt(i, now);
                changed++;
            }
        }
        unread = 0;
        return changed;
    }

    /** Deletes one notification; returns whether the inbox is now empty, in which case it is dropped. */
    synchronized boolean deleteOne(Notification n) {
        int at = search(n.createdAt(), n.id());
        if (at >= 0) {
            removeAt(at);
        }
        dropped = size == 0;
        return dropped;
    }

    synchronized int delete(Collection<String> ids, Function<String, Notification> lookup) {
        int deleted = 0;
        for (String id : new LinkedHashSet<>(ids)) {
            int i = indexOf(id, lookup);
            if (i >= 0) {
                removeAt(i);
                deleted++;
            }
        }
        return deleted;
    }

    private void removeAt(int pos) {
        if (readAt(pos) == null) {
            unread--;
        }
        String key = items[pos].collapseKey().orElse(null);
        if (key != null && byCollapseKey != null) {
            byCollapseKey.remove(key, items[pos]);
        }
        System.arraycopy(items, pos + 1, items, pos, size - pos - 1);
        items[size - 1] = null;
        if (readAt != null) {
            System.arraycopy(readAt, pos + 1, readAt, pos, size - pos - 1);
            readAt[size - 1] = null;
        }
        size--;
    }

    // A keyset cursor (createdAt + id of the last item) so pages never repeat or skip items
    // when newer notifications arrive between two page requests.
    private static String encodeCursor(Notification last) {
        return last.createdAt().getEpochSecond() + "." + last.createdAt().getNano() + "." + last.id();
    }

    private static Cursor decodeCursor(String cursor) {
        String[] parts = cursor.split("\\.", 3);
        try {
            if (parts.length == 3) {
                return new Cursor(Instant.ofEpochSecond(Long.parseLong(parts[0]), Long.parseLong(parts[1])), parts[2]);
            }
        } catch (RuntimeException e) {
            // reported below
        }
        throw new IllegalArgumentException("cursor '" + cursor + "' was not handed out by this store");
    }

    private record Cursor(Instant createdAt, String id) {
    }
}
