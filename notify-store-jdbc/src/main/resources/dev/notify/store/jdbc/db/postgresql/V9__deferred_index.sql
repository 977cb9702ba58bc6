-- An endpoint pulling its deferred backlog (NotificationStore.bringForward) picks the deferred rows of
-- one channel and target, soonest first. Without an index of its own the pick read the due index's live
-- rows (3-4 ms a call with 18,000 deliveries in PostgreSQL's statement log, growing with any backlog),
-- several times a second per saturated endpoint and node. Only deferred rows enter this one.
-- PostgreSQL only: H2 has no partial indexes, and one over every delivery would cost each insert.
CREATE INDEX notify_delivery_deferred ON notify_delivery (channel, target, next_attempt_at) WHERE deferred;
