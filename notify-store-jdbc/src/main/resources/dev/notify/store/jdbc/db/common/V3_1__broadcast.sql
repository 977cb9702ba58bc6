-- Notification#broadcast: a notification with recipients reaches other subscribers of its topic only
-- when the publisher asked for it. Numbered 3.1 so that later migrations of other features keep V4+.
ALTER TABLE notify_notification ADD COLUMN broadcast BOOLEAN DEFAULT FALSE NOT NULL;
