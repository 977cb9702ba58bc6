-- Deferrals (issue 14): a delivery released without an attempt (its target was saturated) is marked,
-- so that NotificationStore.bringForward can make a recovered target's backlog due at once without
-- touching scheduled deliveries or retries after failed attempts. Cleared by the next attempt.
ALTER TABLE notify_delivery ADD COLUMN deferred BOOLEAN DEFAULT FALSE NOT NULL;
