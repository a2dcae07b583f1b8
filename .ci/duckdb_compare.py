"""DuckDB side by side with the analytics engine (run by .ci/bench-duckdb, not by the tests).

Loads the receipts and sales lines of an ImaGross SQLite store into DuckDB the way a DuckDB
user would (integer keys, real timestamps; through CSV, since DuckDB's SQLite scanner is an
extension downloaded at run time and this machine has no internet), then times the queries the
engine answered in `imagross bench analytics --json` on the same windows, best of 7, and prints
both with the ratio.

usage: duckdb_compare.py STORE.sqlite ENGINE.json [THREADS]
"""

import csv
import json
import os
import sqlite3
import sys
import tempfile
import time

import duckdb


def export_csv(conn, sql, path):
    with open(path, "w", newline="") as out:
        writer = csv.writer(out)
        rows = conn.execute(sql)
        while True:
            chunk = rows.fetchmany(50_000)
            if not chunk:
                break
            writer.writerows(chunk)


def main():
    store, engine_json = sys.argv[1], sys.argv[2]
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    engine = json.load(open(engine_json))
    src = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    db = duckdb.connect()
    db.execute(f"SET threads = {threads}")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        receipts, lines = os.path.join(tmp, "receipts.csv"), os.path.join(tmp, "lines.csv")
        export_csv(src, "SELECT id, shop_id, issued_at, card_number, net_cents, discount_cents FROM receipts", receipts)
        export_csv(
            src,
            "SELECT receipt_id, product_id, department_id, net_cents FROM sales_lines",
            lines,
        )
        db.execute(
            f"""CREATE TABLE r AS SELECT row_number() OVER () AS rid, * FROM read_csv('{receipts}', header = false,
                columns = {{'id': 'VARCHAR', 'shop_id': 'VARCHAR', 'issued_at': 'TIMESTAMP', 'card_number': 'VARCHAR',
                            'net_cents': 'BIGINT', 'discount_cents': 'BIGINT'}})"""
        )
        # Integer keys, as a columnar user would: cards, shops, products, departments numbered.
        db.execute(
            """CREATE TABLE receipts AS SELECT r.rid, dense_rank() OVER (ORDER BY shop_id) AS shop,
                   CASE WHEN card_number IS NULL THEN NULL ELSE dense_rank() OVER (ORDER BY card_number) END AS card,
                   issued_at, net_cents, discount_cents, id FROM r"""
        )
        db.execute(
            f"""CREATE TABLE l AS SELECT * FROM read_csv('{lines}', header = false,
                columns = {{'receipt_id': 'VARCHAR', 'product_id': 'VARCHAR', 'department_id': 'VARCHAR',
                            'net_cents': 'BIGINT'}})"""
        )
        db.execute(
            """CREATE TABLE lines AS SELECT r.rid, r.issued_at, dense_rank() OVER (ORDER BY l.product_id) AS product,
                   dense_rank() OVER (ORDER BY l.department_id) AS department, l.net_cents
               FROM l JOIN receipts r ON r.id = l.receipt_id"""
        )
        db.execute("DROP TABLE r; DROP TABLE l; ALTER TABLE receipts DROP COLUMN id")
    loaded = time.perf_counter() - started
    n_lines = db.execute("SELECT count(*) FROM lines").fetchone()[0]
    print(f"DuckDB {duckdb.__version__}, {threads} threads: loaded {n_lines} sales lines in {loaded:.1f} s")

    frm, to, year_from = engine["from"], engine["to"], engine["year_from"]
    months = engine["cohort_months"]
    window = f"issued_at >= TIMESTAMP '{frm}' AND issued_at < TIMESTAMP '{to}' + INTERVAL 1 DAY"
    year = f"issued_at >= TIMESTAMP '{year_from}' AND issued_at < TIMESTAMP '{to}' + INTERVAL 1 DAY"
    queries = {
        "kpis": f"""SELECT count(*), sum(net_cents), sum(discount_cents), count(DISTINCT card)
                    FROM receipts WHERE {window}""",
        "departments": f"""SELECT department, sum(net_cents), count(DISTINCT rid) FROM lines
                           WHERE {window} GROUP BY department""",
        "stores": f"""SELECT shop, sum(net_cents), count(*), count(DISTINCT card) FROM receipts
                      WHERE {window} GROUP BY shop""",
        "top products": f"""SELECT product, sum(net_cents) AS revenue FROM lines WHERE {window}
                            GROUP BY product ORDER BY revenue DESC LIMIT 10""",
        "weekday x hour": f"""SELECT isodow(issued_at), hour(issued_at), count(*), sum(net_cents) FROM receipts
                              WHERE {window} GROUP BY ALL""",
        "rfm scoring, 12 months": f"""WITH c AS (SELECT card, max(issued_at) AS last, count(*) AS f, sum(net_cents) AS m
                                       FROM receipts WHERE card IS NOT NULL AND {year} GROUP BY card)
                                      SELECT card, ntile(5) OVER (ORDER BY last), ntile(5) OVER (ORDER BY f),
                                             ntile(5) OVER (ORDER BY m) FROM c""",
        "cohorts": f"""WITH first AS (SELECT card, date_trunc('month', min(issued_at)) AS cohort FROM receipts
                                      WHERE card IS NOT NULL GROUP BY card),
                            act AS (SELECT DISTINCT card, date_trunc('month', issued_at) AS month FROM receipts
                                    WHERE card IS NOT NULL AND issued_at >= date_trunc('month', TIMESTAMP '{to}')
                                          - INTERVAL {months - 1} MONTH AND issued_at < TIMESTAMP '{to}' + INTERVAL 1 DAY)
                       SELECT f.cohort, a.month, count(*) FROM act a JOIN first f USING (card)
                       WHERE f.cohort >= date_trunc('month', TIMESTAMP '{to}') - INTERVAL {months - 1} MONTH
                       GROUP BY ALL""",
    }
    print(f"window {frm}..{to} (RFM from {year_from}; cohorts: {months} months), best of 7")
    print(f"{'query':<24} {'duckdb ms':>10} {'engine ms':>10} {'ratio':>7}")
    for name, sql in queries.items():
        best = float("inf")
        for _ in range(7):
            t = time.perf_counter()
            db.execute(sql).fetchall()
            best = min(best, (time.perf_counter() - t) * 1000)
        mine = engine["engine_ms"][name]
        print(f"{name:<24} {best:>10.2f} {mine:>10.2f} {best / max(mine, 1e-6):>6.1f}x")


if __name__ == "__main__":
    main()
