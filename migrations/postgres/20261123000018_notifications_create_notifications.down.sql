DROP TABLE IF EXISTS notifications.notification_preferences;
DROP TABLE IF EXISTS notifications.notifications;
DROP SCHEMA IF EXISTS notifications;
