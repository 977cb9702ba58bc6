-- The inbox's uniqueness by notification first, as on H2 (see db/h2/V3): every query that names a
-- (user, notification) pair names both; notification ids are time-ordered, so new rows land at the
-- end of this index; and pruning by notification_id gets an index.
ALTER TABLE notify_inbox DROP CONSTRAINT notify_inbox_owner;
ALTER TABLE notify_inbox ADD CONSTRAINT notify_inbox_owner UNIQUE (notification_id, user_id);
