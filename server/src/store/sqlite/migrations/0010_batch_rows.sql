-- 0010: the projection brings itself up to date after an import by reading only the rows the
-- batch wrote (Store::batch_rows), paged by id: one index per lineage table (on a table without
-- rowid an index's entries end with the primary key, so this is (last_batch, id)). Only adds
-- indexes.
CREATE INDEX cardholders_last_batch ON cardholders(last_batch);
CREATE INDEX receipts_last_batch ON receipts(last_batch);
CREATE INDEX sales_lines_last_batch ON sales_lines(last_batch);
