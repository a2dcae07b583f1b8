-- 0003: a covering index for a card's points totals (balance and points of the last 12 months),
-- read on every personal-area page without touching the ledger rows.
CREATE INDEX points_ledger_card_totals ON points_ledger(card_number, created_at, points);
