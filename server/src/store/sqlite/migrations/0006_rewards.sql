-- 0006: spending points: the rewards catalogue, the vouchers redemptions issue, and one wallet
-- row per card that serialises its redemptions (compare-and-set on `version`).
CREATE TABLE rewards (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    title_it TEXT NOT NULL,
    title_en TEXT NOT NULL,
    description_it TEXT NOT NULL,
    description_en TEXT NOT NULL,
    points INTEGER NOT NULL,
    value_cents INTEGER,
    ean TEXT,
    cause TEXT,
    stock INTEGER,
    issued INTEGER NOT NULL,
    valid_from TEXT,
    valid_to TEXT,
    min_level TEXT NOT NULL,
    monthly_limit INTEGER,
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE vouchers (
    id TEXT PRIMARY KEY NOT NULL,
    card_number TEXT NOT NULL,
    reward_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    title_it TEXT NOT NULL,
    title_en TEXT NOT NULL,
    value_cents INTEGER,
    ean TEXT,
    cause TEXT,
    points INTEGER NOT NULL,
    status TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    receipt_id TEXT,
    cancelled_at TEXT
) WITHOUT ROWID;
CREATE INDEX vouchers_card_number ON vouchers(card_number);
CREATE INDEX vouchers_reward_id ON vouchers(reward_id);
CREATE TABLE wallets (
    id TEXT PRIMARY KEY NOT NULL,
    version INTEGER NOT NULL,
    pending TEXT,
    updated_at TEXT NOT NULL
) WITHOUT ROWID;
