-- 0001: the initial data model. Migrations only ever add (tables, columns, indexes).
CREATE TABLE cardholders (
    id TEXT PRIMARY KEY NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    birth_date TEXT,
    gender TEXT,
    city TEXT,
    province TEXT,
    enrolment_store TEXT,
    enrolled_on TEXT,
    privacy_consent INTEGER NOT NULL,
    marketing_consent INTEGER NOT NULL,
    status TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX cardholders_email ON cardholders(email);
CREATE INDEX cardholders_phone ON cardholders(phone);

CREATE TABLE shops (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    city TEXT,
    province TEXT
) WITHOUT ROWID;

CREATE TABLE departments (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE products (
    id TEXT PRIMARY KEY NOT NULL,
    description TEXT NOT NULL,
    department_id TEXT,
    brand TEXT
) WITHOUT ROWID;
CREATE INDEX products_department_id ON products(department_id);

CREATE TABLE promotions (
    id TEXT PRIMARY KEY NOT NULL,
    description TEXT NOT NULL,
    kind TEXT,
    starts_on TEXT,
    ends_on TEXT
) WITHOUT ROWID;

CREATE TABLE receipts (
    id TEXT PRIMARY KEY NOT NULL,
    shop_id TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    till TEXT NOT NULL,
    number TEXT NOT NULL,
    card_number TEXT,
    gross_cents INTEGER NOT NULL,
    discount_cents INTEGER NOT NULL,
    net_cents INTEGER NOT NULL
);
CREATE INDEX receipts_card_number ON receipts(card_number);
CREATE INDEX receipts_shop_id ON receipts(shop_id);

CREATE TABLE sales_lines (
    id TEXT PRIMARY KEY NOT NULL,
    receipt_id TEXT NOT NULL REFERENCES receipts(id),
    line_no INTEGER NOT NULL,
    product_id TEXT NOT NULL,
    department_id TEXT,
    quantity_milli INTEGER NOT NULL,
    gross_cents INTEGER NOT NULL,
    discount_cents INTEGER NOT NULL,
    net_cents INTEGER NOT NULL,
    promotion_id TEXT
);
CREATE INDEX sales_lines_receipt_id ON sales_lines(receipt_id);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT UNIQUE,
    phone TEXT UNIQUE,
    card_number TEXT UNIQUE,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE import_batches (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    rows_read INTEGER NOT NULL,
    inserted INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    unchanged INTEGER NOT NULL,
    rejected INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,
    run_by TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX import_batches_sha256 ON import_batches(sha256);

CREATE TABLE import_errors (
    id TEXT PRIMARY KEY NOT NULL,
    batch_id TEXT NOT NULL REFERENCES import_batches(id),
    "row" INTEGER NOT NULL,
    "column" TEXT,
    value TEXT,
    reason TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX import_errors_batch_id ON import_errors(batch_id);

CREATE TABLE points_ledger (
    id TEXT PRIMARY KEY NOT NULL,
    card_number TEXT NOT NULL,
    points INTEGER NOT NULL,
    kind TEXT NOT NULL,
    reason TEXT,
    receipt_id TEXT,
    created_at TEXT NOT NULL,
    created_by TEXT
) WITHOUT ROWID;
CREATE INDEX points_ledger_card_number ON points_ledger(card_number);

CREATE TABLE sequences (
    name TEXT PRIMARY KEY NOT NULL,
    value INTEGER NOT NULL
) WITHOUT ROWID;
