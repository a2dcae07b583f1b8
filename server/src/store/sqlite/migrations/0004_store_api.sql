-- 0004: the tills' REST API: per-store API keys (hashed) and the receipts received through it
-- (one row per receipt key: what makes submissions idempotent).
CREATE TABLE store_keys (
    id TEXT PRIMARY KEY NOT NULL,
    shop_id TEXT NOT NULL,
    key_hash TEXT NOT NULL,
    prefix TEXT NOT NULL,
    label TEXT,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    revoked_at TEXT
) WITHOUT ROWID;
CREATE INDEX store_keys_shop_id ON store_keys(shop_id);
CREATE UNIQUE INDEX store_keys_key_hash ON store_keys(key_hash);
CREATE TABLE api_receipts (
    id TEXT PRIMARY KEY NOT NULL,
    shop_id TEXT NOT NULL,
    key_id TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    status TEXT NOT NULL,
    card_number TEXT,
    points INTEGER NOT NULL,
    received_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX api_receipts_shop_id ON api_receipts(shop_id);
