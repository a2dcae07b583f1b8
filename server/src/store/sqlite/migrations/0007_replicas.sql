-- 0007: several replicas on one store. The live-receipt feed every replica follows, leases for
-- work that must run once, attempt counters shared by replicas (login limits), and the heartbeat
-- of a running import (an import whose process died becomes `interrupted`).
CREATE TABLE live_feed (
    id TEXT PRIMARY KEY NOT NULL,
    receipt_id TEXT NOT NULL,
    day TEXT NOT NULL,
    published_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX live_feed_day ON live_feed(day);
CREATE TABLE leases (
    id TEXT PRIMARY KEY NOT NULL,
    holder TEXT NOT NULL,
    token INTEGER NOT NULL,
    expires_at TEXT NOT NULL
) WITHOUT ROWID;
ALTER TABLE import_batches ADD COLUMN heartbeat_at TEXT;
-- The data tables' row counts after each batch: the watchdog compares the store with them.
ALTER TABLE import_batches ADD COLUMN counts_after TEXT;
CREATE TABLE counters (
    id TEXT PRIMARY KEY NOT NULL,
    window TEXT NOT NULL,
    value INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX counters_window ON counters(window);
