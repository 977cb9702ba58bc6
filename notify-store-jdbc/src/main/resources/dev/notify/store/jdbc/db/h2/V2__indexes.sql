-- H2 has no partial indexes. Claims walk this index one priority at a time (see H2Claimer);
-- terminal deliveries have a NULL claimable_at and fall outside every range scan.
CREATE INDEX notify_delivery_due ON notify_delivery (priority, claimable_at, id);
CREATE INDEX notify_delivery_status ON notify_delivery (status, updated_at, id);
