//! The import pipeline on both stores: round trip, idempotence, updates, and bad input that is
//! reported by row and column while nothing already stored is lost or changed.

use crate::common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use imagross::import::headers::Kind;
use imagross::import::pipeline::{import_file, ImportOptions, ImportSummary};
use imagross::store::model::{BatchStatus, Cardholder, ImportBatch, ImportRowError, Receipt, SalesLine};
use imagross::store::{Store, StoreExt, Table};
use serde_json::json;

const FIDELITY: &str = "NumeroCarta;Nome;Cognome;Email;Cellulare;DataNascita;ConsensoPrivacy\n\
2000000000015;Maria;Rossi;maria@example.it;333 1234567;17/05/1990;S\n\
2000000000022;Luca;Bianchi;;+39 347 7654321;1975-01-02;N\n\
2000000000039;Anna;Verdi;anna@example.it;;;S\n";

const SCONTRINI: &str = "PuntoVendita;Data;Ora;Cassa;NumeroScontrino;NumeroCarta;Sconto;Totale\n\
S01;14/03/2025;18:30;2;1001;2000000000015;1,50;23,40\n\
S01;14/03/2025;18:35;2;1002;;0;5,00\n\
S02;15/03/2025;09:10;1;77;2000000000022;0,00;12,34\n";

const VENDITE: &str = "PuntoVendita;Data;Cassa;NumeroScontrino;Riga;EAN;Descrizione;Reparto;Qta;Sconto;Importo;Promo\n\
S01;14/03/2025;2;1001;1;8001234567890;Mele Golden;Ortofrutta;1,250;0;2,99;\n\
S01;14/03/2025;2;1001;2;8009876543210;Yogurt bianco;Latticini;3;1,50;20,41;P3X2\n\
S01;14/03/2025;2;1002;1;8001234567890;Mele Golden;Ortofrutta;1;0;5,00;\n\
S02;15/03/2025;1;77;1;8005555555555;Prosciutto crudo;Salumeria e Formaggi;0,150;0;12,34;\n";

fn write(dir: &Path, name: &str, content: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

async fn import(store: &dyn Store, path: &Path, kind: Option<Kind>) -> ImportSummary {
    import_file(store, path, &ImportOptions { kind, run_by: "test".into(), sheet: None }, &|_| {}).await.unwrap()
}

async fn sum_net(store: &dyn Store, table: Table) -> i64 {
    let mut total = 0;
    let mut after: Option<String> = None;
    loop {
        let page = store.scan(table, after.as_deref(), 1000).await.unwrap();
        let Some(last) = page.last() else { break };
        after = last["id"].as_str().map(str::to_string);
        total += page.iter().map(|d| d["net_cents"].as_i64().unwrap()).sum::<i64>();
    }
    total
}

async fn import_all(store: &dyn Store, dir: &Path) -> [ImportSummary; 3] {
    let f = import(store, &write(dir, "fidelity.csv", FIDELITY.as_bytes()), Some(Kind::Fidelity)).await;
    let s = import(store, &write(dir, "scontrini.csv", SCONTRINI.as_bytes()), None).await;
    let v = import(store, &write(dir, "vendite.csv", VENDITE.as_bytes()), None).await;
    [f, s, v]
}

async fn round_trip_counts_and_money_match_the_files(store: Arc<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    let [f, s, v] = import_all(store.as_ref(), dir.path()).await;
    assert_eq!((f.status.as_str(), f.rows_read, f.inserted, f.rejected), ("completed", 3, 3, 0), "{f:?}");
    assert_eq!((s.kind.as_str(), s.inserted), ("scontrini", 3), "{s:?}");
    assert_eq!((v.kind.as_str(), v.inserted), ("vendite", 4), "{v:?}");
    assert_eq!(store.count(Table::Cardholders).await.unwrap(), 3);
    assert_eq!(store.count(Table::Receipts).await.unwrap(), 3);
    assert_eq!(store.count(Table::SalesLines).await.unwrap(), 4);
    assert_eq!(store.count(Table::Shops).await.unwrap(), 2);
    assert_eq!(store.count(Table::Products).await.unwrap(), 3);
    assert_eq!(store.count(Table::Departments).await.unwrap(), 3);
    assert_eq!(store.count(Table::Promotions).await.unwrap(), 1);
    // 23,40 + 5,00 + 12,34 and 2,99 + 20,41 + 5,00 + 12,34.
    assert_eq!(sum_net(store.as_ref(), Table::Receipts).await, 4074);
    assert_eq!(sum_net(store.as_ref(), Table::SalesLines).await, 4074);
    let maria: Cardholder = store.get_one("2000000000015").await.unwrap().unwrap();
    assert_eq!((maria.phone.as_deref(), maria.birth_date.as_deref()), (Some("+393331234567"), Some("1990-05-17")));
    let r: Receipt = store.get_one("S01-20250314-2-1001").await.unwrap().unwrap();
    assert_eq!(
        (r.gross_cents, r.discount_cents, r.net_cents, r.card_number.as_deref()),
        (2490, 150, 2340, Some("2000000000015"))
    );
    let l: SalesLine = store.get_one("S01-20250314-2-1001#2").await.unwrap().unwrap();
    assert_eq!((l.quantity_milli, l.discount_cents, l.promotion_id.as_deref()), (3000, 150, Some("P3X2")));
    let batches: Vec<ImportBatch> = store.scan_page(None, 10).await.unwrap();
    assert_eq!(batches.len(), 3);
    assert!(batches
        .iter()
        .all(|b| b.status == BatchStatus::Completed && b.sha256.len() == 64 && b.finished_at.is_some()));
}

async fn importing_the_same_file_again_changes_nothing(store: Arc<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    import_all(store.as_ref(), dir.path()).await;
    for _ in 0..2 {
        let [f, s, v] = import_all(store.as_ref(), dir.path()).await;
        for summary in [&f, &s, &v] {
            assert_eq!((summary.inserted, summary.updated, summary.rejected), (0, 0, 0), "{summary:?}");
        }
        assert_eq!((f.unchanged, s.unchanged, v.unchanged), (3, 3, 4));
    }
    assert_eq!(store.count(Table::SalesLines).await.unwrap(), 4);
    assert_eq!(store.count(Table::ImportBatches).await.unwrap(), 9, "every run is a recorded batch");
}

async fn a_newer_file_updates_in_place_and_deletes_nothing(store: Arc<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    import_all(store.as_ref(), dir.path()).await;
    let newer = "NumeroCarta;Nome;Cognome;Email\n2000000000015;Maria;Rossi;maria.rossi@example.it\n2000000000046;Nuovo;Cliente;\n";
    let summary =
        import(store.as_ref(), &write(dir.path(), "fidelity2.csv", newer.as_bytes()), Some(Kind::Fidelity)).await;
    assert_eq!((summary.inserted, summary.updated, summary.unchanged), (1, 1, 0), "{summary:?}");
    assert_eq!(store.count(Table::Cardholders).await.unwrap(), 4, "cardholders missing from the newer file are kept");
    let maria: Cardholder = store.get_one("2000000000015").await.unwrap().unwrap();
    assert_eq!(maria.email.as_deref(), Some("maria.rossi@example.it"));
}

async fn bad_rows_are_reported_by_row_and_column_and_good_rows_still_land(store: Arc<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    import_all(store.as_ref(), dir.path()).await;
    let bad = "PuntoVendita;Data;Cassa;NumeroScontrino;Riga;EAN;Qta;Importo\n\
S01;14/03/2025;2;1001;3;8001234567890;1;1,00\n\
S01;32/03/2025;2;1001;4;8001234567890;1;1,00\n\
S01;14/03/2025;2;1001;5;8001234567890;-2;1,00\n\
S01;14/03/2025;2;1001;6;8001234567890;1;uno\n\
S09;14/03/2025;9;9999;1;8001234567890;1;1,00\n\
S01;14/03/2025;2;1001;3;8001234567890;2;2,00\n";
    let s = import(store.as_ref(), &write(dir.path(), "vendite-bad.csv", bad.as_bytes()), Some(Kind::Vendite)).await;
    assert_eq!((s.status.as_str(), s.rows_read, s.inserted, s.rejected), ("completed", 6, 1, 5), "{s:?}");
    let by_row: Vec<(u64, Option<&str>)> = s.errors.iter().map(|e| (e.row, e.column.as_deref())).collect();
    assert_eq!(by_row, [(3, Some("Data")), (4, Some("Qta")), (5, Some("Importo")), (7, None), (6, None)]);
    assert!(s.errors[3].reason.contains("duplicate of row 2"), "{:?}", s.errors[3]);
    assert!(s.errors[4].reason.contains("import its Scontrini first"), "{:?}", s.errors[4]);
    let report: Vec<ImportRowError> = store.find("batch_id", json!(s.batch_id), 100).await.unwrap();
    assert_eq!(report.len(), 5);
    assert_eq!(store.count(Table::SalesLines).await.unwrap(), 5);
    assert_eq!(sum_net(store.as_ref(), Table::SalesLines).await, 4074 + 100);
}

async fn unreadable_files_fail_by_name_and_change_nothing(store: Arc<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    import_all(store.as_ref(), dir.path()).await;
    let before: Vec<u64> = futures::future::join_all(
        Table::ALL.iter().filter(|t| !matches!(t, Table::ImportBatches | Table::ImportErrors)).map(|t| store.count(*t)),
    )
    .await
    .into_iter()
    .map(Result::unwrap)
    .collect();
    let cases: [(&str, &[u8], Option<Kind>, &str); 4] = [
        ("fidelity-as-vendite.csv", FIDELITY.as_bytes(), Some(Kind::Vendite), "missing required column(s) for vendite"),
        ("empty.csv", b"", None, "the file is empty"),
        ("junk.csv", &[0, 159, 146, 150, 0, 1, 2, 3, 0, 0], None, "binary"),
        ("unknown.csv", b"a;b\n1;2\n", None, "cannot tell the kind"),
    ];
    for (name, content, kind, expected) in cases {
        let s = import(store.as_ref(), &write(dir.path(), name, content), kind).await;
        assert_eq!(s.status, "failed", "{name}");
        let failure = s.failure.unwrap();
        assert!(failure.contains(expected), "{name}: {failure}");
        assert_eq!(s.inserted + s.updated, 0);
    }
    let after: Vec<u64> = futures::future::join_all(
        Table::ALL.iter().filter(|t| !matches!(t, Table::ImportBatches | Table::ImportErrors)).map(|t| store.count(*t)),
    )
    .await
    .into_iter()
    .map(Result::unwrap)
    .collect();
    assert_eq!(before, after);
    let failed: Vec<ImportBatch> = store.scan_page(None, 100).await.unwrap();
    assert_eq!(failed.iter().filter(|b| b.status == BatchStatus::Failed).count(), 4);
}

async fn an_xlsx_sheet_imports_like_csv(store: Arc<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Clienti").unwrap();
    for (r, line) in FIDELITY.lines().enumerate() {
        for (c, value) in line.split(';').enumerate() {
            sheet.write_string(r as u32, c as u16, value).unwrap();
        }
    }
    let path = dir.path().join("fidelity.xlsx");
    book.save(&path).unwrap();
    let s = import_file(
        store.as_ref(),
        &path,
        &ImportOptions { kind: None, run_by: "test".into(), sheet: Some("Clienti".into()) },
        &|_| {},
    )
    .await
    .unwrap();
    assert_eq!((s.status.as_str(), s.kind.as_str(), s.inserted, s.rejected), ("completed", "fidelity", 3, 0), "{s:?}");
    let csv = import(store.as_ref(), &write(dir.path(), "fidelity.csv", FIDELITY.as_bytes()), None).await;
    assert_eq!(csv.unchanged, 3, "the CSV of the same data changes nothing");
}

async fn json_and_ndjson_import_like_csv(store: Arc<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    let array = r#"[{"card_number": "2000000000015", "first_name": "Maria", "last_name": "Rossi", "privacy_consent": true},
                    {"card_number": "2000000000022", "first_name": "Luca", "last_name": "Bianchi", "birth_date": "1975-01-02"}]"#;
    let s = import(store.as_ref(), &write(dir.path(), "f.json", array.as_bytes()), None).await;
    assert_eq!((s.kind.as_str(), s.inserted), ("fidelity", 2), "{s:?}");
    let nd = "{\"NumeroCarta\": \"2000000000022\", \"Nome\": \"Luca\", \"Cognome\": \"Bianchi\", \"DataNascita\": \"02/01/1975\"}\n";
    let s = import(store.as_ref(), &write(dir.path(), "f.ndjson", nd.as_bytes()), Some(Kind::Fidelity)).await;
    assert_eq!((s.unchanged, s.updated), (1, 0), "same record, other format: {s:?}");
}

on_both_stores!(
    round_trip_counts_and_money_match_the_files,
    importing_the_same_file_again_changes_nothing,
    a_newer_file_updates_in_place_and_deletes_nothing,
    bad_rows_are_reported_by_row_and_column_and_good_rows_still_land,
    unreadable_files_fail_by_name_and_change_nothing,
    json_and_ndjson_import_like_csv,
    an_xlsx_sheet_imports_like_csv,
);

fn cli(db: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_imagross"))
        .args(args)
        .env("DATABASE_URL", format!("sqlite:{}", db.display()))
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

#[test]
fn the_cli_prints_a_json_summary_lists_batches_and_fails_on_unreadable_files() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("imagross.sqlite");
    let file = write(dir.path(), "fidelity.csv", FIDELITY.as_bytes());
    let out = cli(&db, &["import", "--kind", "fidelity", "--json", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((summary["inserted"].as_u64(), summary["status"].as_str()), (Some(3), Some("completed")));

    let text = cli(&db, &["import", file.to_str().unwrap()]);
    assert!(
        String::from_utf8_lossy(&text.stdout).contains("rows read 3, inserted 0, updated 0, unchanged 3, rejected 0")
    );

    let list = cli(&db, &["import", "--list"]);
    assert_eq!(String::from_utf8_lossy(&list.stdout).lines().count(), 2);

    let missing = cli(&db, &["import", "--kind", "vendite", file.to_str().unwrap()]);
    assert!(!missing.status.success());
    let err = String::from_utf8_lossy(&missing.stderr);
    assert!(err.contains("fidelity.csv") && err.contains("missing required column(s) for vendite"), "{err}");
    let bad_kind = cli(&db, &["import", "--kind", "clienti2", file.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&bad_kind.stderr).contains("--kind"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_example_files_import_cleanly() {
    let t = common::sqlite().await;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/import");
    for name in ["fidelity.csv", "scontrini.csv", "vendite.csv"] {
        let s = import(t.store.as_ref(), &dir.join(name), None).await;
        assert_eq!((s.status.as_str(), s.rejected), ("completed", 0), "{name}: {s:?}");
        assert!(s.inserted > 0, "{name}");
    }
}
