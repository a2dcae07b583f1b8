//! Reading an import file as a header row plus data rows of text cells, streaming: CSV (`;`,
//! `,` or tab, detected), UTF-8 with or without BOM or Windows-1252 (decided per line, so an
//! Excel export with accented names reads right), JSON arrays of objects and NDJSON. Row
//! numbers count records with the header as row 1 (blank lines are skipped).

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::sync::mpsc::{sync_channel, Receiver};

/// Bytes looked at to recognise the format and the delimiter.
const SNIFF: usize = 64 * 1024;
/// JSON rows buffered between the parsing thread and the importer.
const JSON_BUFFER: usize = 1024;
/// JSON objects whose keys make up the header.
const JSON_HEADER_SAMPLE: usize = 1000;

/// A file that cannot be read, or a row that cannot be split into cells.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", .row.map(|r| format!("row {r}: ")).unwrap_or_default())]
pub struct SourceError {
    pub row: Option<u64>,
    pub message: String,
}

fn file_error(message: impl Into<String>) -> SourceError {
    SourceError { row: None, message: message.into() }
}

/// One data row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawRow {
    /// Spreadsheet row number (header = 1).
    pub number: u64,
    /// Cells in header order (shorter when the row is truncated).
    pub cells: Vec<String>,
}

/// File formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
    Xlsx,
}

/// An opened file: its header and a stream of rows.
pub struct Table {
    pub format: Format,
    pub headers: Vec<String>,
    pub rows: Box<dyn Iterator<Item = Result<RawRow, SourceError>> + Send>,
}

/// Text of a line: UTF-8 when valid, else Windows-1252 (Italian Excel exports).
pub fn decode(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0.into_owned(),
    }
}

/// [`decode`] without the surrounding spaces, in one copy.
fn decode_trimmed(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.trim().to_string(),
        Err(_) => encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0.trim().to_string(),
    }
}

/// Recognises the format from the name, else from the first bytes.
pub fn detect_format(path: &Path, head: &[u8]) -> Format {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or_default().to_ascii_lowercase();
    match ext.as_str() {
        "xlsx" | "xlsm" => return Format::Xlsx,
        "json" | "ndjson" | "jsonl" => return Format::Json,
        "csv" | "tsv" | "txt" => return Format::Csv,
        _ => {}
    }
    if head.starts_with(b"PK\x03\x04") {
        return Format::Xlsx;
    }
    let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    match text.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'[') | Some(b'{') => Format::Json,
        _ => Format::Csv,
    }
}

/// The delimiter of a CSV header line: the most frequent of `;`, `,`, tab outside quotes.
pub fn detect_delimiter(first_line: &[u8]) -> u8 {
    let mut counts = [(b';', 0_usize), (b',', 0), (b'\t', 0)];
    let mut quoted = false;
    for &b in first_line {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted {
            for (d, n) in counts.iter_mut() {
                if b == *d {
                    *n += 1;
                }
            }
        }
    }
    counts.iter().max_by_key(|(_, n)| *n).filter(|(_, n)| *n > 0).map(|(d, _)| *d).unwrap_or(b';')
}

fn looks_binary(head: &[u8]) -> bool {
    let controls =
        head.iter().filter(|b| **b == 0 || (**b < 0x09) || (**b > 0x0d && **b < 0x20 && **b != 0x1b)).count();
    head.contains(&0) || controls * 20 > head.len().max(1)
}

/// An XLSX may unpack to at most this many bytes (guards against zip bombs).
pub const XLSX_UNPACKED_LIMIT: u64 = 1 << 30;

/// Opens `path` for reading rows (the first sheet of an XLSX).
pub fn open(path: &Path) -> Result<Table, SourceError> {
    open_sheet(path, None, XLSX_UNPACKED_LIMIT)
}

/// Opens `path`; for an XLSX, the sheet named `sheet` (else the first) if the workbook unpacks
/// to at most `unpacked_limit` bytes.
pub fn open_sheet(path: &Path, sheet: Option<&str>, unpacked_limit: u64) -> Result<Table, SourceError> {
    let name = path.display();
    let mut file = File::open(path).map_err(|e| file_error(format!("{name}: {e}")))?;
    let mut head = vec![0_u8; SNIFF];
    let n = read_up_to(&mut file, &mut head).map_err(|e| file_error(format!("{name}: {e}")))?;
    head.truncate(n);
    if head.iter().all(u8::is_ascii_whitespace) {
        return Err(file_error(format!("{name}: the file is empty")));
    }
    let format = detect_format(path, &head);
    if format != Format::Xlsx && looks_binary(&head) {
        return Err(file_error(format!("{name}: not a text file (binary data); expected CSV, JSON or XLSX")));
    }
    let reader = std::io::Cursor::new(head).chain(file);
    match format {
        Format::Csv => open_csv(reader),
        Format::Json => open_json(reader),
        Format::Xlsx => {
            drop(reader);
            open_xlsx(path, sheet, unpacked_limit)
        }
    }
}

fn xlsx_cell(cell: &calamine::Data) -> String {
    use calamine::{Data, DataType};
    match cell {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(_) => cell.as_datetime().map(|d| d.format("%Y-%m-%d %H:%M:%S").to_string()).unwrap_or_default(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
    }
}

fn open_xlsx(path: &Path, sheet: Option<&str>, unpacked_limit: u64) -> Result<Table, SourceError> {
    use calamine::Reader;
    let name = path.display().to_string();
    let fail = |m: String| file_error(format!("{name}: {m}"));
    // Refuse archives that would unpack beyond the limit before reading any of them.
    let file = File::open(path).map_err(|e| fail(e.to_string()))?;
    let mut archive = zip::ZipArchive::new(file).map_err(|e| fail(format!("not a valid XLSX ({e})")))?;
    let mut unpacked = 0_u64;
    for i in 0..archive.len() {
        unpacked =
            unpacked.saturating_add(archive.by_index(i).map_err(|e| fail(format!("not a valid XLSX ({e})")))?.size());
    }
    if unpacked > unpacked_limit {
        return Err(fail(format!(
            "the XLSX unpacks to {} MB, beyond the {} MB limit",
            unpacked >> 20,
            unpacked_limit >> 20
        )));
    }
    let mut workbook: calamine::Xlsx<_> =
        calamine::open_workbook(path).map_err(|e| fail(format!("not a valid XLSX ({e})")))?;
    let names = workbook.sheet_names();
    let chosen = match sheet {
        Some(wanted) => names
            .iter()
            .find(|n| n.eq_ignore_ascii_case(wanted))
            .cloned()
            .ok_or_else(|| fail(format!("no sheet named `{wanted}` (sheets: {})", names.join(", "))))?,
        None => names.first().cloned().ok_or_else(|| fail("the workbook has no sheets".into()))?,
    };
    // The sheet is streamed cell by cell on a thread of its own (the cell reader borrows the
    // workbook), a row at a time through a short queue: memory holds the workbook's shared
    // strings and a few rows, not the sheet.
    let (tx, rx) = std::sync::mpsc::sync_channel::<Result<RawRow, SourceError>>(256);
    let sheet_name = chosen.clone();
    let fail_here = {
        let name = name.clone();
        move |m: String| file_error(format!("{name}: {m}"))
    };
    let (header_tx, header_rx) = std::sync::mpsc::sync_channel::<Result<Vec<String>, SourceError>>(1);
    std::thread::spawn(move || {
        let mut reader = match workbook.worksheet_cells_reader(&chosen) {
            Ok(r) => r,
            Err(e) => {
                let _ = header_tx.send(Err(fail_here(format!("sheet `{chosen}`: {e}"))));
                return;
            }
        };
        let mut row: Vec<String> = Vec::new();
        let mut at: Option<u32> = None;
        let mut header_tx = Some(header_tx);
        // Sends a row (`r`, 0-based in the sheet): the first is the header, then data rows,
        // numbered as the sheet shows them. False when the reading side has gone.
        let emit = |header_tx: &mut Option<std::sync::mpsc::SyncSender<_>>, r: u32, cells: Vec<String>| -> bool {
            if let Some(h) = header_tx.take() {
                return h.send(Ok(cells)).is_ok();
            }
            if cells.iter().all(String::is_empty) {
                return true;
            }
            tx.send(Ok(RawRow { number: u64::from(r) + 1, cells })).is_ok()
        };
        loop {
            let cell = match reader.next_cell() {
                Ok(Some(cell)) => cell,
                Ok(None) => break,
                Err(e) => {
                    let message = format!("unreadable XLSX: {e}");
                    let row = at.map(|r| u64::from(r) + 1);
                    match header_tx.take() {
                        Some(h) => drop(h.send(Err(fail_here(message)))),
                        None => drop(tx.send(Err(SourceError { row, message }))),
                    }
                    return;
                }
            };
            let (r, c) = cell.get_position();
            if at != Some(r) {
                if let Some(prev) = at {
                    if !emit(&mut header_tx, prev, std::mem::take(&mut row)) {
                        return;
                    }
                }
                at = Some(r);
            }
            let c = c as usize;
            if row.len() <= c {
                row.resize(c + 1, String::new());
            }
            row[c] = xlsx_cell(&cell.get_value().clone().into());
        }
        match at {
            Some(r) => drop(emit(&mut header_tx, r, row)),
            None => drop(header_tx.map(|h| h.send(Ok(Vec::new())))),
        }
    });
    let headers = header_rx.recv().map_err(|_| fail("unreadable XLSX".into()))??;
    if headers.iter().all(String::is_empty) {
        return Err(fail(format!("sheet `{sheet_name}` is empty")));
    }
    let width = headers.len();
    let rows = rx.into_iter().map(move |r| {
        r.map(|mut row| {
            row.cells.resize(width.max(row.cells.len()), String::new());
            row
        })
    });
    Ok(Table { format: Format::Xlsx, headers, rows: Box::new(rows) })
}

fn read_up_to(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

fn open_csv<R: Read + Send + 'static>(reader: R) -> Result<Table, SourceError> {
    let mut buffered = BufReader::with_capacity(SNIFF, reader);
    let head = buffered.fill_buf().map_err(|e| file_error(e.to_string()))?;
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let first_line = head.split(|b| *b == b'\n').next().unwrap_or_default();
    let delimiter = detect_delimiter(first_line);
    let mut csv =
        csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(buffered);
    let mut header = csv::ByteRecord::new();
    if !csv.read_byte_record(&mut header).map_err(|e| file_error(e.to_string()))? {
        return Err(file_error("the file is empty"));
    }
    let headers: Vec<String> = header
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let h = if i == 0 { h.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(h) } else { h };
            decode(h).trim().to_string()
        })
        .collect();
    // Row numbers count records (the header is row 1); blank lines are skipped and not counted.
    let mut number = 1_u64;
    let rows = csv.into_byte_records().filter_map(move |record| {
        number += 1;
        match record {
            Ok(r) if r.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) => None, // blank line
            Ok(r) => Some(Ok(RawRow { number, cells: r.iter().map(decode_trimmed).collect() })),
            Err(e) => Some(Err(SourceError { row: Some(number), message: format!("unreadable CSV: {e}") })),
        }
    });
    Ok(Table { format: Format::Csv, headers, rows: Box::new(rows) })
}

fn json_cell(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.trim().to_string(),
        other => other.to_string(),
    }
}

fn open_json<R: Read + Send + 'static>(reader: R) -> Result<Table, SourceError> {
    let (tx, rx) = sync_channel::<Result<serde_json::Map<String, serde_json::Value>, SourceError>>(JSON_BUFFER);
    std::thread::spawn(move || json_reader_thread(reader, tx));
    // The header is the union of the keys of the first objects (in order of appearance), so an
    // optional field missing from the first object is still read.
    let mut buffered: Vec<Result<serde_json::Map<String, serde_json::Value>, SourceError>> = Vec::new();
    let mut headers: Vec<String> = Vec::new();
    while buffered.len() < JSON_HEADER_SAMPLE {
        match rx.recv() {
            Ok(Ok(obj)) => {
                for key in obj.keys() {
                    if !headers.contains(key) {
                        headers.push(key.clone());
                    }
                }
                buffered.push(Ok(obj));
            }
            Ok(Err(e)) if buffered.is_empty() && e.row.is_none() => return Err(e),
            Ok(Err(e)) => buffered.push(Err(e)),
            Err(_) => break,
        }
    }
    if buffered.is_empty() {
        return Err(file_error("the JSON holds no objects"));
    }
    let to_row = {
        let headers = headers.clone();
        move |number: u64, obj: serde_json::Map<String, serde_json::Value>| RawRow {
            number,
            cells: headers.iter().map(|h| obj.get(h).map(json_cell).unwrap_or_default()).collect(),
        }
    };
    let sampled = buffered.len() as u64;
    let head = buffered.into_iter().enumerate().map(|(i, item)| item.map(|obj| (i as u64 + 2, obj)));
    let rest = JsonRows { rx, number: sampled + 1 };
    let rows = head.chain(rest).map(move |r| r.map(|(n, obj)| to_row(n, obj)));
    Ok(Table { format: Format::Json, headers, rows: Box::new(rows) })
}

struct JsonRows {
    rx: Receiver<Result<serde_json::Map<String, serde_json::Value>, SourceError>>,
    number: u64,
}

impl Iterator for JsonRows {
    type Item = Result<(u64, serde_json::Map<String, serde_json::Value>), SourceError>;
    fn next(&mut self) -> Option<Self::Item> {
        let item = self.rx.recv().ok()?;
        self.number += 1;
        Some(item.map(|obj| (self.number, obj)))
    }
}

/// Parses a JSON array of objects or NDJSON, sending each object (or the error) on `tx`.
fn json_reader_thread<R: Read>(
    reader: R,
    tx: std::sync::mpsc::SyncSender<Result<serde_json::Map<String, serde_json::Value>, SourceError>>,
) {
    use serde::de::{Deserializer as _, SeqAccess, Visitor};
    let mut buffered = BufReader::new(reader);
    let starts_with_array = loop {
        match buffered.fill_buf() {
            Ok([]) => return,
            Ok(buf) => {
                match buf.iter().position(|b| !b.is_ascii_whitespace() && *b != 0xEF && *b != 0xBB && *b != 0xBF) {
                    Some(i) => {
                        let is_array = buf[i] == b'[';
                        buffered.consume(i);
                        break is_array;
                    }
                    None => {
                        let len = buf.len();
                        buffered.consume(len);
                    }
                }
            }
            Err(e) => {
                let _ = tx.send(Err(file_error(e.to_string())));
                return;
            }
        }
    };
    let object = |v: serde_json::Value, row: u64| match v {
        serde_json::Value::Object(map) => Ok(map),
        other => Err(SourceError { row: Some(row), message: format!("expected an object, got {other}") }),
    };
    if !starts_with_array {
        // NDJSON: one object per line.
        for (i, line) in buffered.split(b'\n').enumerate() {
            let row = i as u64 + 2;
            let item = match line {
                Ok(bytes) if bytes.iter().all(u8::is_ascii_whitespace) => continue,
                Ok(bytes) => serde_json::from_slice::<serde_json::Value>(&bytes)
                    .map_err(|e| SourceError { row: Some(row), message: format!("invalid JSON: {e}") })
                    .and_then(|v| object(v, row)),
                Err(e) => Err(file_error(e.to_string())),
            };
            if tx.send(item).is_err() {
                return;
            }
        }
        return;
    }
    struct Rows<'a> {
        tx: &'a std::sync::mpsc::SyncSender<Result<serde_json::Map<String, serde_json::Value>, SourceError>>,
    }
    impl<'de> Visitor<'de> for Rows<'_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an array of objects")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            let mut row = 1_u64;
            while let Some(value) = seq.next_element::<serde_json::Value>()? {
                row += 1;
                let item = match value {
                    serde_json::Value::Object(map) => Ok(map),
                    other => Err(SourceError { row: Some(row), message: format!("expected an object, got {other}") }),
                };
                if self.tx.send(item).is_err() {
                    return Ok(());
                }
            }
            Ok(())
        }
    }
    let mut de = serde_json::Deserializer::from_reader(buffered);
    if let Err(e) = (&mut de).deserialize_seq(Rows { tx: &tx }) {
        let _ = tx.send(Err(file_error(format!("invalid JSON (line {}, column {}): {e}", e.line(), e.column()))));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn write(name: &str, bytes: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::File::create(&path).unwrap().write_all(bytes).unwrap();
        (dir, path)
    }

    fn all(table: Table) -> (Vec<String>, Vec<Result<RawRow, SourceError>>) {
        (table.headers, table.rows.collect())
    }

    #[test]
    fn csv_with_semicolons_bom_quotes_and_windows_1252() {
        let mut bytes =
            b"\xEF\xBB\xBFNumeroCarta;Nome;Citt\xC3\xA0\r\n2000000000015;\"Rossi; Maria\";Forl\xC3\xAC\r\n\r\n"
                .to_vec();
        bytes.extend_from_slice(b"2000000000022;Nicol\xF2;Cant\xF9\r\n"); // Windows-1252 line
        let (_d, path) = write("fidelity.csv", &bytes);
        let (headers, rows) = all(open(&path).unwrap());
        assert_eq!(headers, ["NumeroCarta", "Nome", "Città"]);
        let rows: Vec<RawRow> = rows.into_iter().map(Result::unwrap).collect();
        assert_eq!(
            rows[0],
            RawRow { number: 2, cells: vec!["2000000000015".into(), "Rossi; Maria".into(), "Forlì".into()] }
        );
        assert_eq!(rows[1].number, 3, "blank lines are skipped");
        assert_eq!(rows[1].cells, ["2000000000022", "Nicolò", "Cantù"]);
    }

    #[test]
    fn delimiters_are_detected() {
        assert_eq!(detect_delimiter(b"a;b;c"), b';');
        assert_eq!(detect_delimiter(b"a,b,c"), b',');
        assert_eq!(detect_delimiter(b"a\tb\tc"), b'\t');
        assert_eq!(detect_delimiter(b"\"a;x\",b,c"), b',');
        let (_d, path) = write("x.tsv", b"EAN\tQta\n123\t2,5\n");
        let (headers, rows) = all(open(&path).unwrap());
        assert_eq!(headers, ["EAN", "Qta"]);
        assert_eq!(rows[0].as_ref().unwrap().cells, ["123", "2,5"]);
    }

    #[test]
    fn json_arrays_and_ndjson() {
        let (_d, path) = write(
            "a.json",
            br#"[{"Carta": "1", "Importo": 12.5, "Promo": null}, {"Carta": "2", "Importo": 3, "Extra": true}]"#,
        );
        let (headers, rows) = all(open(&path).unwrap());
        assert_eq!(headers, ["Carta", "Importo", "Promo", "Extra"]);
        let rows: Vec<RawRow> = rows.into_iter().map(Result::unwrap).collect();
        assert_eq!(rows[0].cells, ["1", "12.5", "", ""]);
        assert_eq!(rows[1], RawRow { number: 3, cells: vec!["2".into(), "3".into(), "".into(), "true".into()] });

        let (_d, path) = write("b.ndjson", b"{\"Carta\": \"1\"}\n\n{\"Carta\": \"2\"}\nnot json\n");
        let (_, rows) = all(open(&path).unwrap());
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1].as_ref().unwrap().cells, ["2"]);
        let err = rows[2].as_ref().unwrap_err();
        assert_eq!(err.row, Some(5));
        assert!(err.message.contains("invalid JSON"), "{err}");
    }

    #[test]
    fn truncated_json_array_reports_an_error_after_the_good_rows() {
        let (_d, path) = write("t.json", br#"[{"Carta": "1"}, {"Carta": "2"}, {"Car"#);
        let (_, rows) = all(open(&path).unwrap());
        assert_eq!(rows.len(), 3);
        assert!(rows[0].is_ok() && rows[1].is_ok());
        assert!(rows[2].as_ref().unwrap_err().message.contains("invalid JSON"));
    }

    fn xlsx(dir: &Path, name: &str, sheets: &[(&str, &[&[&str]])]) -> std::path::PathBuf {
        let mut book = rust_xlsxwriter::Workbook::new();
        for (sheet_name, rows) in sheets {
            let sheet = book.add_worksheet();
            sheet.set_name(*sheet_name).unwrap();
            for (r, row) in rows.iter().enumerate() {
                for (c, value) in row.iter().enumerate() {
                    match value.parse::<f64>() {
                        Ok(n) if !value.starts_with('0') || *value == "0" => {
                            sheet.write_number(r as u32, c as u16, n).unwrap()
                        }
                        _ => sheet.write_string(r as u32, c as u16, *value).unwrap(),
                    };
                }
            }
        }
        let path = dir.join(name);
        book.save(&path).unwrap();
        path
    }

    #[test]
    fn xlsx_first_or_named_sheet() {
        let dir = tempfile::tempdir().unwrap();
        let path = xlsx(
            dir.path(),
            "export.xlsx",
            &[
                ("Note", &[&["leggimi"]]),
                (
                    "Fidelity",
                    &[
                        &["NumeroCarta", "Nome", "Punti"],
                        &["2000000000015", "Maria", "12.5"],
                        &["2000000000022", "Luca", "3"],
                    ],
                ),
            ],
        );
        let first = open(&path).unwrap();
        assert_eq!(first.headers, ["leggimi"]);
        let named = open_sheet(&path, Some("fidelity"), XLSX_UNPACKED_LIMIT).unwrap();
        assert_eq!(named.format, Format::Xlsx);
        assert_eq!(named.headers, ["NumeroCarta", "Nome", "Punti"]);
        let rows: Vec<RawRow> = named.rows.map(Result::unwrap).collect();
        assert_eq!(rows[0], RawRow { number: 2, cells: vec!["2000000000015".into(), "Maria".into(), "12.5".into()] });
        assert_eq!(rows[1].cells[2], "3");
        let missing = open_sheet(&path, Some("Vendite"), XLSX_UNPACKED_LIMIT).err().unwrap();
        assert!(
            missing.message.contains("no sheet named `Vendite`") && missing.message.contains("Fidelity"),
            "{missing}"
        );
    }

    #[test]
    fn xlsx_beyond_the_unpacked_limit_is_refused_before_reading() {
        let dir = tempfile::tempdir().unwrap();
        let big: Vec<Vec<String>> = (0..2000).map(|i| vec![format!("riga {i} ").repeat(20)]).collect();
        let rows: Vec<Vec<&str>> = big.iter().map(|r| r.iter().map(String::as_str).collect()).collect();
        let rows: Vec<&[&str]> = rows.iter().map(Vec::as_slice).collect();
        let path = xlsx(dir.path(), "bomb.xlsx", &[("Dati", &rows)]);
        let err = open_sheet(&path, None, 64 * 1024).err().unwrap();
        assert!(err.message.contains("bomb.xlsx") && err.message.contains("beyond the 0 MB limit"), "{err}");
        let (_d, fake) = write("fake.xlsx", b"PK\x03\x04 not really a zip");
        assert!(open(&fake).err().unwrap().message.contains("not a valid XLSX"));
    }

    #[test]
    fn empty_and_binary_files_are_refused_by_name() {
        let (_d, path) = write("empty.csv", b"  \n");
        assert!(open(&path).err().unwrap().message.ends_with("the file is empty"));
        let (_d, path) = write("junk.csv", &[0x00, 0x01, 0x02, 0xff, 0x00, 0x13, 0x07, 0x00]);
        let err = open(&path).err().unwrap();
        assert!(err.message.contains("junk.csv") && err.message.contains("binary"), "{err}");
        let missing = open(Path::new("/nonexistent/file.csv")).err().unwrap();
        assert!(missing.message.contains("/nonexistent/file.csv"));
    }
}
