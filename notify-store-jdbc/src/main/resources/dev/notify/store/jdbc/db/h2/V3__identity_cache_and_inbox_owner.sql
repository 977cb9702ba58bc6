-- Cheaper publishes on H2 (docs/benchmarks-store.md, "publish, batched").
--
-- 1. Identity caches. H2 hands out identity values from a cache of 32 by default and, whenever
--    the cache runs out, records the new high-water mark in a separate system transaction that
--    writes a whole MVStore chunk to the file (WRITE_DELAY 0): a publish group of 400 wrote about
--    25 extra chunks for its inbox and delivery ids. After a killed process the unused rest of a
--    cache is skipped, never reused: ids get a gap, nothing else.
ALTER TABLE notify_inbox ALTER COLUMN ord SET CACHE 100000;
ALTER TABLE notify_delivery ALTER COLUMN id SET CACHE 100000;
ALTER TABLE notify_attempt ALTER COLUMN id SET CACHE 100000;

-- 2. The inbox's uniqueness by notification first. Every query that names a (user, notification)
--    pair names both, so either order serves it; notification ids are time-ordered (version 7
--    UUIDs), so new rows land at the end of this index instead of in a random page per user, and
--    pruning by notification_id gets an index. (user_id, created_at, ord) still serves the pages.
ALTER TABLE notify_inbox DROP CONSTRAINT notify_inbox_owner;
ALTER TABLE notify_inbox ADD CONSTRAINT notify_inbox_owner UNIQUE (notification_id, user_id);
