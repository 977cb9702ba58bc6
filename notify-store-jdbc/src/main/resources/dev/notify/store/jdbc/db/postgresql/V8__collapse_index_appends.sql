-- The collapse keys' unique index (V5) only for rows that have a key: rows without one, nearly all
-- of them, no longer each add an entry in a random page of the index (the H2 script of the same
-- number explains the cost; PostgreSQL has partial indexes). A query naming collapse_key = ? uses it.
DROP INDEX notify_inbox_collapse;
CREATE UNIQUE INDEX notify_inbox_collapse ON notify_inbox (user_id, collapse_key) WHERE collapse_key IS NOT NULL;
