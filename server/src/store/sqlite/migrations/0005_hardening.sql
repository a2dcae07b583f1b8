-- 0005: privacy and session hardening: the register of cards erased on request (the importer
-- never writes their personal fields again), the instant before which a user's sessions are
-- void, and each refresh token's login time (the absolute session lifetime).
CREATE TABLE erased_cards (
    id TEXT PRIMARY KEY NOT NULL,
    erased_at TEXT NOT NULL
) WITHOUT ROWID;
ALTER TABLE users ADD COLUMN sessions_after TEXT;
ALTER TABLE refresh_tokens ADD COLUMN session_started_at TEXT;
-- The card a rejected import row is about: erasure finds and redacts the person's rows by it.
ALTER TABLE import_errors ADD COLUMN card_number TEXT;
CREATE INDEX import_errors_card_number ON import_errors(card_number);
