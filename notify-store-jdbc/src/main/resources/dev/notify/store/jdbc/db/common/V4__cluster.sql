-- Several nodes on one database.
--
-- Fencing: the token of the lease a delivery is claimed under (Lease.token, one per life of a node).
-- Every write about a claimed delivery checks owner, token and attempt count in its own statement,
-- so a node paused past its lease cannot overwrite what the node that took the delivery over did.
ALTER TABLE notify_delivery ADD COLUMN lease_token BIGINT;

-- The node registry: one row per node, written by its heartbeat; a node that died keeps its row
-- (shown as gone), a node that shut down cleanly is marked stopped.
CREATE TABLE notify_node (
    id           VARCHAR(256) PRIMARY KEY,
    address      VARCHAR(512) NOT NULL,
    started_at   BIGINT       NOT NULL,
    heartbeat_at BIGINT       NOT NULL,
    connections  INT          NOT NULL,
    claimed      INT          NOT NULL,
    stopped      BOOLEAN      NOT NULL
);

-- Chores that run once per cluster (pruning): the node that holds a task's row until lead_until runs it.
CREATE TABLE notify_lead (
    task       VARCHAR(64)  PRIMARY KEY,
    owner      VARCHAR(256) NOT NULL,
    lead_until BIGINT       NOT NULL
);
