//! The deterministic demo data set: the chain's three exports (Fidelity, Scontrini, Vendite) as
//! files in the accepted formats, realistic enough to exercise every screen — Italian names,
//! cities and mobiles; ten stores; twenty-two departments (tobacco and infant formula earn no
//! points); thousands of products with valid EAN-13 codes; flyer, 3x2 and loyalty promotions;
//! seasonality (December peak, August dip), weekday and hour patterns; a few customers spending
//! most; churners and new cardholders; about a third of receipts without a card; a few returns.
//! The same seed and end date always give the same bytes. The rewards side (a catalogue,
//! redemptions, vouchers used at the tills) lives with the rewards (`imagross demo-rewards`), run
//! on the store after the import.

mod names;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use app::validate::{ean13, SimpleDate};
use rand::{rngs::StdRng, Rng, SeedableRng};

use names::*;

/// What to generate.
#[derive(Clone, Debug)]
pub struct DemoOptions {
    pub customers: u32,
    pub months: u32,
    pub seed: u64,
    /// Last day of the period (inclusive).
    pub end: SimpleDate,
    pub out: PathBuf,
    pub format: DemoFormat,
}

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DemoFormat {
    Csv,
    Json,
    /// One workbook per kind, one sheet each (so at most 1,048,575 rows a file).
    Xlsx,
}

/// Data rows an XLSX sheet can hold.
pub const XLSX_MAX_ROWS: u64 = 1_048_575;

/// What was written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DemoStats {
    pub cardholders: u64,
    pub receipts: u64,
    pub receipts_with_card: u64,
    pub lines: u64,
    pub net_cents: i64,
    /// Refund receipts among `receipts`.
    pub returns: u64,
    pub files: Vec<PathBuf>,
}

struct Product {
    ean: String,
    description: String,
    department: usize,
    brand: &'static str,
    price: i64,
}

#[derive(Clone, Copy)]
enum PromoKind {
    Flyer,
    ThreeForTwo,
    Loyalty,
}

struct Promo {
    code: String,
    description: String,
    kind: PromoKind,
    start: i64,
    end: i64,
    /// Product index range covered: every `step`-th product from `offset`.
    offset: usize,
    step: usize,
}

struct Customer {
    card: String,
    store: usize,
    /// Expected receipts a day.
    rate: f64,
    basket: f64,
    early_bird: bool,
    from_day: i64,
    until_day: i64,
}

const SEASON: [f64; 12] = [0.95, 0.92, 1.0, 1.0, 1.0, 1.02, 0.97, 0.74, 1.0, 1.0, 1.04, 1.32];
/// Monday first.
const WEEKDAY: [f64; 7] = [0.85, 0.9, 0.92, 0.95, 1.12, 1.38, 0.55];
/// Opening hours 8–20: relative traffic per hour.
const HOURS: [f64; 13] = [0.5, 0.8, 1.1, 1.3, 1.2, 0.7, 0.6, 0.7, 0.9, 1.3, 1.5, 1.3, 0.8];

fn days_from_epoch(d: SimpleDate) -> i64 {
    // Inverse of SimpleDate::from_days_since_epoch (Howard Hinnant's days_from_civil).
    let y = i64::from(d.year) - i64::from(d.month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(d.month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d.day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{},{:02}", cents.abs() / 100, cents.abs() % 100)
}

fn qty(milli: i64) -> String {
    let sign = if milli < 0 { "-" } else { "" };
    let milli = milli.abs();
    if milli % 1000 == 0 {
        format!("{sign}{}", milli / 1000)
    } else {
        format!("{sign}{},{:03}", milli / 1000, milli % 1000)
    }
}

fn dmy(d: SimpleDate) -> String {
    format!("{:02}/{:02}/{:04}", d.day, d.month, d.year)
}

fn ean_with_prefix(prefix: &str, n: u64) -> String {
    let width = 12 - prefix.len();
    let first12 = format!("{prefix}{n:0width$}");
    let check = ean13::check_digit(&first12).unwrap_or(0);
    format!("{first12}{check}")
}

/// Writes rows either as `;` CSV with Italian headers or as a JSON array of objects.
struct Sink {
    /// The text output (CSV, JSON); `None` for XLSX.
    out: Option<BufWriter<File>>,
    format: DemoFormat,
    headers: &'static [&'static str],
    first: bool,
    /// For XLSX: the workbook being filled, its path and the next row.
    xlsx: Option<(rust_xlsxwriter::Workbook, PathBuf, u32)>,
}

impl Sink {
    fn create(
        dir: &Path,
        stem: &str,
        format: DemoFormat,
        headers: &'static [&'static str],
    ) -> std::io::Result<(Self, PathBuf)> {
        let ext = match format {
            DemoFormat::Csv => "csv",
            DemoFormat::Json => "json",
            DemoFormat::Xlsx => "xlsx",
        };
        let path = dir.join(format!("{stem}.{ext}"));
        let xlsx_err = |e: rust_xlsxwriter::XlsxError| std::io::Error::other(e.to_string());
        let xlsx = if format == DemoFormat::Xlsx {
            let mut book = rust_xlsxwriter::Workbook::new();
            let sheet = book.add_worksheet();
            sheet.set_name(stem).map_err(xlsx_err)?;
            for (c, h) in headers.iter().enumerate() {
                sheet.write_string(0, c as u16, *h).map_err(xlsx_err)?;
            }
            Some((book, path.clone(), 1))
        } else {
            None
        };
        let out = match format {
            DemoFormat::Xlsx => None,
            DemoFormat::Csv | DemoFormat::Json => {
                let mut out = BufWriter::with_capacity(1 << 20, File::create(&path)?);
                if format == DemoFormat::Csv {
                    writeln!(out, "{}", headers.join(";"))?;
                } else {
                    writeln!(out, "[")?;
                }
                Some(out)
            }
        };
        Ok((Sink { out, format, headers, first: true, xlsx }, path))
    }

    fn row(&mut self, cells: &[&str]) -> std::io::Result<()> {
        if let Some((book, _, next)) = self.xlsx.as_mut() {
            if u64::from(*next) > XLSX_MAX_ROWS {
                return Err(std::io::Error::other(
                    "too many rows for one XLSX sheet: use --format csv or fewer customers/months",
                ));
            }
            let sheet = book.worksheet_from_index(0).map_err(|e| std::io::Error::other(e.to_string()))?;
            for (c, value) in cells.iter().enumerate() {
                if !value.is_empty() {
                    sheet.write_string(*next, c as u16, *value).map_err(|e| std::io::Error::other(e.to_string()))?;
                }
            }
            *next += 1;
            return Ok(());
        }
        let Some(out) = self.out.as_mut() else { return Ok(()) };
        match self.format {
            DemoFormat::Csv => {
                for (i, c) in cells.iter().enumerate() {
                    if i > 0 {
                        out.write_all(b";")?;
                    }
                    out.write_all(c.as_bytes())?;
                }
                out.write_all(b"\n")
            }
            DemoFormat::Xlsx => Ok(()),
            DemoFormat::Json => {
                if !self.first {
                    out.write_all(b",\n")?;
                }
                self.first = false;
                let obj: serde_json::Map<String, serde_json::Value> = self
                    .headers
                    .iter()
                    .zip(cells)
                    .filter(|(_, c)| !c.is_empty())
                    .map(|(h, c)| (h.to_string(), serde_json::Value::String(c.to_string())))
                    .collect();
                serde_json::to_writer(out, &obj).map_err(std::io::Error::other)
            }
        }
    }

    fn finish(mut self) -> std::io::Result<()> {
        if let Some((mut book, path, _)) = self.xlsx.take() {
            book.save(&path).map_err(|e| std::io::Error::other(e.to_string()))?;
        }
        if let Some(mut out) = self.out.take() {
            if self.format == DemoFormat::Json {
                out.write_all(b"\n]\n")?;
            }
            out.flush()?;
            out.get_ref().sync_all()?;
        }
        Ok(())
    }
}

const FIDELITY_HEADERS: &[&str] = &[
    "NumeroCarta",
    "Nome",
    "Cognome",
    "Email",
    "Cellulare",
    "DataNascita",
    "Sesso",
    "Citta",
    "Provincia",
    "PuntoVendita",
    "DataIscrizione",
    "ConsensoPrivacy",
    "ConsensoMarketing",
    "Stato",
    "ConsensoProfilazione",
];
const SCONTRINI_HEADERS: &[&str] = &[
    "PuntoVendita",
    "NomeNegozio",
    "Data",
    "Ora",
    "Cassa",
    "NumeroScontrino",
    "NumeroCarta",
    "Lordo",
    "Sconto",
    "Totale",
];
const VENDITE_HEADERS: &[&str] = &[
    "PuntoVendita",
    "Data",
    "Cassa",
    "NumeroScontrino",
    "Riga",
    "EAN",
    "Descrizione",
    "CodiceReparto",
    "Reparto",
    "Marca",
    "Qta",
    "Lordo",
    "Sconto",
    "Importo",
    "CodicePromo",
    "DescrizionePromo",
];

/// Number of products in the catalogue.
const PRODUCTS: usize = 5000;
/// Share of card receipts followed by a return of their first item the same day.
const RETURN_SHARE: f64 = 0.004;

/// Generates the three files into `options.out`.
pub fn generate(options: &DemoOptions) -> std::io::Result<DemoStats> {
    std::fs::create_dir_all(&options.out)?;
    let mut rng = StdRng::seed_from_u64(options.seed);
    let end_day = days_from_epoch(options.end);
    let start_day = days_from_epoch(
        SimpleDate::new(
            options.end.year - ((options.months as i32 + 11 - options.end.month as i32) / 12).max(0),
            ((options.end.month as i32 - options.months as i32).rem_euclid(12) + 1) as u32,
            1,
        )
        .unwrap_or(options.end),
    );

    // Catalogue.
    let total_share: u32 = DEPARTMENTS.iter().map(|d| d.2).sum();
    let mut products = Vec::with_capacity(PRODUCTS);
    let mut dept_products: Vec<Vec<usize>> = vec![Vec::new(); DEPARTMENTS.len()];
    for (di, (_, name, share, price, _)) in DEPARTMENTS.iter().enumerate() {
        let count = PRODUCTS * *share as usize / total_share as usize;
        for k in 0..count {
            let idx = products.len();
            let base = *price as f64 * (0.45 + rng.random::<f64>() * 1.4);
            let word = PRODUCT_WORDS[rng.random_range(0..PRODUCT_WORDS.len())];
            products.push(Product {
                ean: ean_with_prefix("800", 100_000 + idx as u64 * 7 + di as u64),
                description: format!("{name} {word} {}", k + 1),
                department: di,
                brand: BRANDS[rng.random_range(0..BRANDS.len())],
                price: (base.round() as i64 / 5 * 5).max(19) + 4,
            });
            dept_products[di].push(idx);
        }
    }
    let dept_weights: Vec<f64> = DEPARTMENTS.iter().map(|d| f64::from(d.2)).collect();
    let dept_total: f64 = dept_weights.iter().sum();

    // Promotions: every month a flyer, a 3x2 and a loyalty discount on different products.
    let mut promos = Vec::new();
    let mut month_start = start_day;
    let mut m = 0;
    while month_start <= end_day {
        let d = SimpleDate::from_days_since_epoch(month_start);
        let tag = format!("{:04}{:02}", d.year, d.month);
        let len = 27;
        promos.push(Promo {
            code: format!("VOL-{tag}"),
            description: format!("Volantino {}/{}", d.month, d.year),
            kind: PromoKind::Flyer,
            start: month_start,
            end: month_start + 13,
            offset: m % 17,
            step: 17,
        });
        promos.push(Promo {
            code: format!("3X2-{tag}"),
            description: "Prendi 3 paghi 2".into(),
            kind: PromoKind::ThreeForTwo,
            start: month_start + 14,
            end: month_start + len,
            offset: (m * 5) % 31,
            step: 31,
        });
        promos.push(Promo {
            code: format!("FID-{tag}"),
            description: "Sconto fedeltà 10%".into(),
            kind: PromoKind::Loyalty,
            start: month_start,
            end: month_start + len,
            offset: (m * 3) % 23,
            step: 23,
        });
        m += 1;
        month_start += 30;
    }

    // Cardholders.
    let (mut fidelity, fidelity_path) = Sink::create(&options.out, "fidelity", options.format, FIDELITY_HEADERS)?;
    let mut customers = Vec::with_capacity(options.customers as usize);
    let period = (end_day - start_day).max(1);
    for i in 0..options.customers {
        let female = rng.random_bool(0.52);
        let first = if female {
            FIRST_NAMES_F[rng.random_range(0..FIRST_NAMES_F.len())]
        } else {
            FIRST_NAMES_M[rng.random_range(0..FIRST_NAMES_M.len())]
        };
        let last = LAST_NAMES[rng.random_range(0..LAST_NAMES.len())];
        let store = rng.random_range(0..STORES.len());
        let card = ean_with_prefix("20", 1_000_000 + u64::from(i));
        let new_in_period = rng.random_bool(0.2);
        let enrolled = if new_in_period {
            start_day + rng.random_range(0..period)
        } else {
            start_day - rng.random_range(30..3650)
        };
        let churn = rng.random_bool(0.15).then(|| start_day + rng.random_range(0..period));
        let (rate_month, basket) = match rng.random::<f64>() {
            u if u < 0.10 => (2.2 + rng.random::<f64>() * 2.0, 14.0),
            u if u < 0.35 => (0.5 + rng.random::<f64>() * 0.6, 10.0),
            _ => (0.05 + rng.random::<f64>() * 0.2, 6.5),
        };
        customers.push(Customer {
            card: card.clone(),
            store,
            rate: rate_month / 30.0,
            basket,
            early_bird: rng.random_bool(0.12),
            from_day: enrolled,
            until_day: churn.unwrap_or(i64::MAX),
        });
        let birth = SimpleDate::from_days_since_epoch(
            days_from_epoch(SimpleDate::new(1940, 1, 1).unwrap_or(options.end)) + rng.random_range(0..65 * 365),
        );
        let email = if rng.random_bool(0.85) {
            let clean = |s: &str| s.to_lowercase().replace([' ', '\''], "");
            format!(
                "{}.{}{}@{}",
                clean(first),
                clean(last),
                i % 1000,
                ["gmail.com", "libero.it", "yahoo.it", "hotmail.it", "alice.it"][i as usize % 5]
            )
        } else {
            String::new()
        };
        let phone = if rng.random_bool(0.9) {
            format!("3{}{} {:07}", rng.random_range(2..=9), rng.random_range(0..10), rng.random_range(0..10_000_000))
        } else {
            String::new()
        };
        let (_, _, city, province) = STORES[store];
        let marketing = rng.random_bool(0.6);
        fidelity.row(&[
            &card,
            first,
            last,
            &email,
            &phone,
            &dmy(birth),
            if female { "F" } else { "M" },
            city,
            province,
            STORES[store].0,
            &dmy(SimpleDate::from_days_since_epoch(enrolled)),
            "S",
            if marketing { "S" } else { "N" },
            "attiva",
            // Seven in ten of those who accept offers also accept profiling (no random draw, so
            // the rest of the data set stays as it was).
            if marketing && i % 10 < 7 { "S" } else { "N" },
        ])?;
    }
    fidelity.finish()?;

    // Receipts and lines, day by day.
    let (mut scontrini, scontrini_path) = Sink::create(&options.out, "scontrini", options.format, SCONTRINI_HEADERS)?;
    let (mut vendite, vendite_path) = Sink::create(&options.out, "vendite", options.format, VENDITE_HEADERS)?;
    let mut stats = DemoStats { cardholders: u64::from(options.customers), ..DemoStats::default() };
    let hour_total: f64 = HOURS.iter().sum();
    let mut line_buf: Vec<[String; 9]> = Vec::new();
    for day in start_day..=end_day {
        let date = SimpleDate::from_days_since_epoch(day);
        let weekday = (day + 3).rem_euclid(7) as usize; // 1970-01-01 was a Thursday
        let factor = SEASON[date.month as usize - 1] * WEEKDAY[weekday];
        let mut visits: Vec<(usize, Option<usize>)> = Vec::new();
        let mut expected_card = 0.0;
        for (ci, c) in customers.iter().enumerate() {
            if day < c.from_day || day >= c.until_day {
                continue;
            }
            let p = c.rate * factor;
            expected_card += p;
            if rng.random::<f64>() < p {
                let store = if rng.random_bool(0.9) { c.store } else { rng.random_range(0..STORES.len()) };
                visits.push((store, Some(ci)));
            }
        }
        // Anonymous receipts: about half as many as card receipts (a third of all).
        let anon_mean = expected_card * 0.5;
        let anon = anon_mean.floor() as usize + usize::from(rng.random::<f64>() < anon_mean.fract());
        for _ in 0..anon {
            visits.push((rng.random_range(0..STORES.len()), None));
        }
        visits.sort_by_key(|(s, _)| *s);
        let mut numbers = [0_u32; 10];
        let date_text = dmy(date);
        for (store, customer) in visits {
            numbers[store] += 1;
            let till = 1 + (numbers[store] % 6);
            let number = numbers[store];
            let cust = customer.map(|ci| &customers[ci]);
            let hour = if cust.is_some_and(|c| c.early_bird) && rng.random_bool(0.7) {
                8
            } else {
                let mut u = rng.random::<f64>() * hour_total;
                let mut h = 0;
                while h < HOURS.len() - 1 && u >= HOURS[h] {
                    u -= HOURS[h];
                    h += 1;
                }
                8 + h
            };
            let time = format!("{hour:02}:{:02}", rng.random_range(0..60));
            let basket = cust.map_or(6.0, |c| c.basket);
            let n_lines = ((basket * (0.4 + rng.random::<f64>() * 1.2)).round() as usize).max(1);
            let (mut gross_total, mut discount_total) = (0_i64, 0_i64);
            // The basket's first item (quantity, amount paid), should it come back.
            let mut first = (0_i64, 0_i64);
            line_buf.clear();
            for line_no in 1..=n_lines {
                let mut u = rng.random::<f64>() * dept_total;
                let mut di = 0;
                while di < dept_weights.len() - 1 && u >= dept_weights[di] {
                    u -= dept_weights[di];
                    di += 1;
                }
                let pool = &dept_products[di];
                let pick = pool[((pool.len() as f64) * rng.random::<f64>().powi(2)) as usize % pool.len()];
                let product = &products[pick];
                let by_weight = DEPARTMENTS[di].4;
                let mut milli = if by_weight {
                    rng.random_range(150..2000)
                } else {
                    match rng.random::<f64>() {
                        u if u < 0.72 => 1000,
                        u if u < 0.92 => 2000,
                        _ => 3000,
                    }
                };
                let promo = promos.iter().find(|p| {
                    day >= p.start
                        && day <= p.end
                        && pick % p.step == p.offset
                        && (!matches!(p.kind, PromoKind::Loyalty) || cust.is_some())
                });
                let mut discount = 0;
                if let Some(p) = promo {
                    match p.kind {
                        PromoKind::Flyer => discount = product.price * milli / 1000 / 5,
                        PromoKind::Loyalty => discount = product.price * milli / 1000 / 10,
                        PromoKind::ThreeForTwo if !by_weight => {
                            if rng.random_bool(0.5) {
                                milli = 3000;
                            }
                            discount = if milli >= 3000 { product.price } else { 0 };
                        }
                        PromoKind::ThreeForTwo => {}
                    }
                }
                let gross = product.price * milli / 1000;
                if line_no == 1 {
                    first = (milli, gross - discount);
                }
                gross_total += gross;
                discount_total += discount;
                let (code, desc) = match promo.filter(|_| discount > 0) {
                    Some(p) => (p.code.clone(), p.description.clone()),
                    None => (String::new(), String::new()),
                };
                line_buf.push([
                    line_no.to_string(),
                    product.ean.clone(),
                    product.description.clone(),
                    DEPARTMENTS[product.department].0.to_string(),
                    qty(milli),
                    money(gross),
                    money(discount),
                    money(gross - discount),
                    format!("{code}\u{1f}{desc}\u{1f}{}", product.brand),
                ]);
            }
            let net_total = gross_total - discount_total;
            // A few returns: now and then a cardholder brings the basket's first item back the
            // same day (a refund receipt: a negative line and total, no promotion).
            let refund = (cust.is_some() && rng.random_bool(RETURN_SHARE)).then(|| {
                let (l, (milli, paid)) = (&line_buf[0], first);
                let line = [
                    "1".to_string(),
                    l[1].clone(),
                    l[2].clone(),
                    l[3].clone(),
                    qty(-milli),
                    money(-paid),
                    money(0),
                    money(-paid),
                    String::new(),
                ];
                (line, paid)
            });
            let (store_code, store_name, _, _) = STORES[store];
            let till_text = till.to_string();
            let number_text = number.to_string();
            let card = cust.map(|c| c.card.as_str()).unwrap_or("");
            scontrini.row(&[
                store_code,
                store_name,
                &date_text,
                &time,
                &till_text,
                &number_text,
                card,
                &money(gross_total),
                &money(discount_total),
                &money(net_total),
            ])?;
            for l in &line_buf {
                vendite_row(&mut vendite, [store_code, &date_text, &till_text, &number_text], l)?;
            }
            stats.receipts += 1;
            stats.receipts_with_card += u64::from(cust.is_some());
            stats.lines += line_buf.len() as u64;
            stats.net_cents += net_total;
            if let Some((l, paid)) = refund {
                numbers[store] += 1;
                let number_text = numbers[store].to_string();
                let (h, m) = (hour.min(20) + 1, rng.random_range(0..60));
                let net = money(-paid);
                scontrini.row(&[
                    store_code,
                    store_name,
                    &date_text,
                    &format!("{h:02}:{m:02}"),
                    &till_text,
                    &number_text,
                    card,
                    &net,
                    &money(0),
                    &net,
                ])?;
                vendite_row(&mut vendite, [store_code, &date_text, &till_text, &number_text], &l)?;
                stats.receipts += 1;
                stats.receipts_with_card += 1;
                stats.lines += 1;
                stats.net_cents -= paid;
                stats.returns += 1;
            }
        }
    }
    scontrini.finish()?;
    vendite.finish()?;
    stats.files = vec![fidelity_path, scontrini_path, vendite_path];
    Ok(stats)
}

/// One Vendite row: the receipt's key cells (store, date, till, number) and a line as the
/// generator keeps it (row, EAN, description, department, quantity, gross, discount, net, and
/// promotion code, description and brand joined by U+001F).
fn vendite_row(vendite: &mut Sink, receipt: [&str; 4], l: &[String; 9]) -> std::io::Result<()> {
    let mut extra = l[8].split('\u{1f}');
    let (code, desc, brand) = (extra.next().unwrap_or(""), extra.next().unwrap_or(""), extra.next().unwrap_or(""));
    let dept_name = DEPARTMENTS.iter().find(|d| d.0 == l[3]).map_or("", |d| d.1);
    let [store, date, till, number] = receipt;
    vendite.row(&[
        store, date, till, number, &l[0], &l[1], &l[2], &l[3], dept_name, brand, &l[4], &l[5], &l[6], &l[7], code, desc,
    ])
}

/// The last day of the month before the one containing `today` (the default end of the period).
pub fn end_of_previous_month(today: SimpleDate) -> SimpleDate {
    SimpleDate::from_days_since_epoch(days_from_epoch(SimpleDate::new(today.year, today.month, 1).unwrap_or(today)) - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_round_trip() {
        for d in [
            SimpleDate::new(1970, 1, 1),
            SimpleDate::new(2000, 2, 29),
            SimpleDate::new(2026, 11, 28),
            SimpleDate::new(1961, 3, 4),
        ] {
            let d = d.unwrap();
            assert_eq!(SimpleDate::from_days_since_epoch(days_from_epoch(d)), d);
        }
        assert_eq!(end_of_previous_month(SimpleDate::new(2026, 3, 15).unwrap()).iso(), "2026-02-28");
        assert_eq!(end_of_previous_month(SimpleDate::new(2026, 1, 1).unwrap()).iso(), "2025-12-31");
    }

    #[test]
    fn formats_match_the_importer() {
        assert_eq!(money(1234), "12,34");
        assert_eq!(money(-5), "-0,05");
        assert_eq!(qty(1250), "1,250");
        assert_eq!(qty(3000), "3");
        assert!(ean13::is_valid(&ean_with_prefix("800", 123)));
        assert!(ean13::is_valid(&ean_with_prefix("20", 1_000_000)));
    }
}
