-- 0008: "where is this card?". Each cardholder, receipt and sales line records the number of the
-- import batch that created it and of the last one that changed it (NULL: written by a till, a
-- signup or an admin, or before this migration). Adding a NULL column rewrites nothing.
ALTER TABLE import_batches ADD COLUMN number INTEGER;
CREATE INDEX import_batches_number ON import_batches(number);
ALTER TABLE cardholders ADD COLUMN first_batch INTEGER;
ALTER TABLE cardholders ADD COLUMN last_batch INTEGER;
ALTER TABLE receipts ADD COLUMN first_batch INTEGER;
ALTER TABLE receipts ADD COLUMN last_batch INTEGER;
ALTER TABLE sales_lines ADD COLUMN first_batch INTEGER;
ALTER TABLE sales_lines ADD COLUMN last_batch INTEGER;
