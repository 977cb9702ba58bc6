-- Cheaper publishes on H2, as V3: the collapse keys' unique index (V5) held (user_id, collapse_key)
-- for every inbox row, so each row without a key, nearly all of them, landed in a random page of
-- that index per user, and H2 rewrites each page a commit touched: about a fifth of the CPU of a
-- batched publish (StoreBenchmark, 16 threads: 88 against 109 µs per notification without the index,
-- docs/benchmarks.md, issue 12). H2 has no partial index, so the index is over a column that is NULL
-- unless the row has a key: rows without one share the key (NULL, NULL) and go in by row order, at
-- one end, like an append. A row with a key is indexed by (user, key), unique as before.
DROP INDEX notify_inbox_collapse;
ALTER TABLE notify_inbox ADD COLUMN collapse_user VARCHAR(256)
    GENERATED ALWAYS AS (CASE WHEN collapse_key IS NULL THEN NULL ELSE user_id END);
CREATE UNIQUE INDEX notify_inbox_collapse ON notify_inbox (collapse_user, collapse_key);
