-- Collapse keys (issue 19): a notification may name what it replaces, and a user's inbox keeps one
-- item per (user, collapse key), the newest. V4 is the cluster's (notify-cluster work); the numbers
-- leave it room.
--
-- Both databases treat NULLs as distinct in a unique index, so items without a key never collide.
ALTER TABLE notify_notification ADD COLUMN collapse_key VARCHAR(256);
ALTER TABLE notify_inbox ADD COLUMN collapse_key VARCHAR(256);
CREATE UNIQUE INDEX notify_inbox_collapse ON notify_inbox (user_id, collapse_key);
