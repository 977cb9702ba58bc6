-- Preferences (issue 19): what each user wants to receive, as the JSON shape of
-- dev.notify.api.Preferences, read whole at publish time; and Notification#transactional, which no
-- preference suppresses.
CREATE TABLE notify_preference (
    user_id    VARCHAR(256) NOT NULL PRIMARY KEY,
    body       VARCHAR      NOT NULL,  -- JSON object (Preferences#toJson)
    updated_at BIGINT       NOT NULL
);
ALTER TABLE notify_notification ADD COLUMN transactional BOOLEAN DEFAULT FALSE NOT NULL;
