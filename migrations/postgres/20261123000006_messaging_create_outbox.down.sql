DROP TABLE IF EXISTS messaging.outbox;
