-- Fencing: the token of the lease a delivery is claimed under (Lease.token, one per life of a node).
-- Every write about a claimed delivery checks owner, token and attempt count in its own statement,
-- so a node paused past its lease cannot overwrite what the node that took the delivery over did.
ALTER TABLE notify_delivery ADD COLUMN lease_token BIGINT;
