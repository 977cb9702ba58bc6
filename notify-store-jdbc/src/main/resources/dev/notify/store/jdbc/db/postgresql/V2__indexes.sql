-- Partial indexes keep the claim and dead-letter scans proportional to the live rows, not to
-- the whole history: terminal deliveries have no claimable_at and drop out of the first.
CREATE INDEX notify_delivery_due ON notify_delivery (priority DESC, claimable_at, id)
    WHERE claimable_at IS NOT NULL;
CREATE INDEX notify_delivery_dead ON notify_delivery (updated_at DESC, id DESC)
    WHERE status = 'failed';
-- Deliveries and the log state row churn (claim, attempt, release, every append): leave room
-- in each page for HOT updates.
ALTER TABLE notify_delivery SET (fillfactor = 80);
ALTER TABLE notify_log_state SET (fillfactor = 10);
