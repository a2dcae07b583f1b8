-- 0009: campaigns. The separate profiling consent the Garante's fidelity-card ruling asks for
-- (absent until given); campaigns with their members fixed at launch (treated or held out, and
-- when the shopper activated the offer); the outbox of the emails announcing them.
ALTER TABLE cardholders ADD COLUMN profiling_consent INTEGER NOT NULL DEFAULT 0;
CREATE TABLE campaigns (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    audience TEXT NOT NULL,
    offer TEXT NOT NULL,
    budget INTEGER NOT NULL,
    per_shopper_limit INTEGER NOT NULL,
    holdout_permille INTEGER NOT NULL,
    members INTEGER NOT NULL,
    held_out INTEGER NOT NULL,
    left_out TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX campaigns_fingerprint ON campaigns(fingerprint);
CREATE TABLE campaign_members (
    id TEXT PRIMARY KEY NOT NULL,
    campaign_id TEXT NOT NULL,
    card_number TEXT NOT NULL,
    held_out INTEGER NOT NULL,
    activated_at TEXT
) WITHOUT ROWID;
CREATE INDEX campaign_members_campaign_id ON campaign_members(campaign_id);
CREATE INDEX campaign_members_card_number ON campaign_members(card_number);
CREATE TABLE outbox (
    id TEXT PRIMARY KEY NOT NULL,
    campaign_id TEXT NOT NULL,
    card_number TEXT NOT NULL,
    to_address TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TEXT NOT NULL,
    sent_at TEXT,
    last_error TEXT,
    created_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX outbox_campaign_id ON outbox(campaign_id);
CREATE INDEX outbox_status ON outbox(status);
