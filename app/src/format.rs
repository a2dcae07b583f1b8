//! Number formatting for the screens: euros, counts, percentages and thousandths, in the
//! conventions of the page's language (Italian `1.234,56`, English `1,234.56`).

use crate::i18n::Lang;
use crate::model::analytics::Unit;

fn group(int: u64, sep: char) -> String {
    let digits = int.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(ch);
    }
    out
}

/// `value / 10^decimals` with grouped thousands, rounded to `shown` decimals.
pub fn decimal(value: i64, decimals: u32, shown: u32, lang: Lang) -> String {
    let (thousands, point) = match lang {
        Lang::It => ('.', ','),
        Lang::En => (',', '.'),
    };
    let scale = 10u64.pow(decimals);
    let drop = 10u64.pow(decimals - shown.min(decimals));
    let abs = value.unsigned_abs();
    let rounded = (abs + drop / 2) / drop * drop;
    let (int, frac) = (rounded / scale, rounded % scale);
    let sign = if value < 0 && rounded != 0 { "-" } else { "" };
    if shown == 0 {
        return format!("{sign}{}", group(int, thousands));
    }
    let frac = frac / drop;
    format!("{sign}{}{point}{frac:0width$}", group(int, thousands), width = shown as usize)
}

/// A chart value with at most `max_decimals` decimals, trailing zeros dropped, thousands
/// always grouped (`1.200`, `0,5`): the number of axis labels and tooltips.
pub fn chart_number(v: f64, max_decimals: u32, lang: Lang) -> String {
    let scaled = (v * 10f64.powi(max_decimals as i32)).round() as i64;
    let text = decimal(scaled, max_decimals, max_decimals, lang);
    if max_decimals == 0 {
        return text;
    }
    let point = if lang == Lang::It { ',' } else { '.' };
    text.trim_end_matches('0').trim_end_matches(point).to_string()
}

/// Euros from cents: `€ 1.234,56`.
pub fn euros(cents: i64, lang: Lang) -> String {
    format!("€ {}", decimal(cents, 2, 2, lang))
}

/// A count: `1.234`.
pub fn count(n: i64, lang: Lang) -> String {
    decimal(n, 0, 0, lang)
}

/// A percentage from basis points: `12,3 %`.
pub fn percent(bp: i64, lang: Lang) -> String {
    format!("{} %", decimal(bp, 2, 1, lang))
}

/// A signed change from basis points: `+12,3 %`.
pub fn change(bp: i64, lang: Lang) -> String {
    let sign = if bp > 0 { "+" } else { "" };
    format!("{sign}{}", percent(bp, lang))
}

/// Thousandths with two decimals: `1,25`.
pub fn milli(v: i64, lang: Lang) -> String {
    decimal(v, 3, 2, lang)
}

/// A figure in its unit.
pub fn figure(value: i64, unit: Unit, lang: Lang) -> String {
    match unit {
        Unit::Cents => euros(value, lang),
        Unit::Count => count(value, lang),
        Unit::Milli => milli(value, lang),
        Unit::BasisPoints => percent(value, lang),
    }
}

/// A key figure short enough for a tile: exact below ten thousand euros (a hundred thousand
/// for counts), then thousands (`€ 15,5 mila`, `€ 15.5k`) and millions (`€ 1,22 mln`,
/// `€ 1.22M`). The exact figure goes in the tile's title and the table.
pub fn compact(value: i64, unit: Unit, lang: Lang) -> String {
    let (thousand, million) = match lang {
        Lang::It => (" mila", " mln"),
        Lang::En => ("k", "M"),
    };
    let scaled = |v: i64, scale: i64, shown: u32, suffix: &str| {
        // `v / scale` with `shown` decimals: `decimal` reads `v` as having `decimals` digits.
        let decimals = scale.ilog10();
        format!("{}{suffix}", decimal(v, decimals, shown, lang))
    };
    match unit {
        Unit::Cents => {
            let euros_abs = value.unsigned_abs() / 100;
            match euros_abs {
                0..=9_999 => euros(value, lang),
                10_000..=99_999 => format!("€ {}", scaled(value, 100_000, 1, thousand)),
                100_000..=999_999 => format!("€ {}", scaled(value, 100_000, 0, thousand)),
                _ => format!("€ {}", scaled(value, 100_000_000, 2, million)),
            }
        }
        Unit::Count => match value.unsigned_abs() {
            0..=99_999 => count(value, lang),
            100_000..=999_999 => scaled(value, 1_000, 0, thousand),
            _ => scaled(value, 1_000_000, 2, million),
        },
        Unit::Milli | Unit::BasisPoints => figure(value, unit, lang),
    }
}

/// A month (`YYYY-MM` or a date in it) by name: `dic 2025` in Italian, `Dec 2025` in English.
pub fn month(iso: &str, lang: Lang) -> String {
    const IT: [&str; 12] = ["gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic"];
    const EN: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let m = iso.get(5..7).and_then(|m| m.parse::<usize>().ok()).filter(|m| (1..=12).contains(m));
    match (iso.get(..4), m) {
        (Some(y), Some(m)) => {
            let names = if lang == Lang::It { IT } else { EN };
            format!("{} {y}", names[m - 1])
        }
        _ => iso.to_string(),
    }
}

/// A chart bucket's label: the month's name for monthly buckets, else the date.
pub fn bucket(iso: &str, granularity: &str, lang: Lang) -> String {
    if granularity == "month" {
        month(iso, lang)
    } else {
        date(iso, lang)
    }
}

/// `YYYY-MM-DD` as `DD/MM/YYYY` in Italian; unchanged in English.
pub fn date(iso: &str, lang: Lang) -> String {
    match (lang, iso.get(..4), iso.get(5..7), iso.get(8..10)) {
        (Lang::It, Some(y), Some(m), Some(d)) => format!("{d}/{m}/{y}"),
        _ => iso.to_string(),
    }
}

/// What a data table holds, as the watchdog's message names it: (Italian, English).
fn table_words(table: &str) -> (&'static str, &'static str) {
    match table {
        "cardholders" => ("carte", "cards"),
        "receipts" => ("scontrini", "receipts"),
        "sales_lines" => ("righe di vendita", "sales lines"),
        "shops" => ("negozi", "shops"),
        "departments" => ("reparti", "departments"),
        "products" => ("prodotti", "products"),
        "promotions" => ("promozioni", "promotions"),
        _ => ("righe", "rows"),
    }
}

/// The watchdog's message for one table found with fewer rows than before.
pub fn store_alert(a: &crate::model::admin::StoreAlert, lang: Lang) -> String {
    let (it, en) = table_words(&a.table);
    let (found, expected) = (count(a.found, lang), count(a.expected, lang));
    match (lang, &a.batch) {
        (Lang::It, Some((file, at))) => format!(
            "Il database contiene {found} {it}, dopo l'importazione del {} ({file}) ne conteneva {expected}: \
             è stato ripristinato o modificato fuori dall'applicazione",
            date(at.get(..10).unwrap_or(at), lang)
        ),
        (Lang::It, None) => format!(
            "Il database contiene {found} {it}, questo server ne aveva viste {expected}: \
             è stato ripristinato o modificato fuori dall'applicazione"
        ),
        (Lang::En, Some((file, at))) => format!(
            "The database holds {found} {en}; after the import of {} ({file}) it held {expected}: \
             it was restored or changed outside the application",
            date(at.get(..10).unwrap_or(at), lang)
        ),
        (Lang::En, None) => format!(
            "The database holds {found} {en}; this server had seen {expected}: it was restored or changed \
             outside the application"
        ),
    }
}

/// Short weekday names, Monday first.
pub fn weekdays(lang: Lang) -> [&'static str; 7] {
    match lang {
        Lang::It => ["Lun", "Mar", "Mer", "Gio", "Ven", "Sab", "Dom"],
        Lang::En => ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
    }
}

/// A table cell as the screen shows it (see [`crate::model::table::Cell`]).
pub fn cell(cell: &crate::model::table::Cell, lang: Lang) -> String {
    use crate::i18n::{Key, Label};
    use crate::model::table::Cell;
    match cell {
        Cell::Text(s) | Cell::Card(s) => s.clone(),
        Cell::Int(n) => count(*n, lang),
        Cell::Money(c) => euros(*c, lang),
        Cell::Percent(bp) | Cell::Ratio(bp) => percent(*bp, lang),
        Cell::Change(bp) => change(*bp, lang),
        Cell::Milli(v) => milli(*v, lang),
        Cell::Date(iso) => date(iso, lang),
        Cell::Segment(s) => s.label(lang).to_string(),
        Cell::Label(k) => k.text(lang).to_string(),
        Cell::Local(it, en) => if lang == Lang::It { it } else { en }.clone(),
        Cell::Weekday(d) => weekdays(lang)[usize::from(*d) % 7].to_string(),
        Cell::Hour(h) => format!("{h:02}"),
        Cell::YesNo(b) => if *b { Key::Yes } else { Key::No }.text(lang).to_string(),
        Cell::EuroRange(from, Some(to)) => format!("{from}–{to} €"),
        Cell::EuroRange(from, None) => format!("≥ {from} €"),
        Cell::Empty => "—".to_string(),
    }
}

/// What an offer gives, in words (`target`: the product's or department's name when known).
pub fn offer(offer: &crate::model::campaigns::OfferSpec, target: Option<&str>, lang: Lang) -> String {
    use crate::model::campaigns::OfferSpec;
    let on = |t: &str| target.unwrap_or(t).to_string();
    match (offer, lang) {
        (OfferSpec::Multiplier { factor, target, .. }, Lang::It) => format!("Punti ×{factor} su {}", on(target)),
        (OfferSpec::Multiplier { factor, target, .. }, Lang::En) => format!("Points ×{factor} on {}", on(target)),
        (OfferSpec::Bonus { points, target, .. }, Lang::It) => {
            format!("{} punti in più acquistando {}", count(*points, lang), on(target))
        }
        (OfferSpec::Bonus { points, target, .. }, Lang::En) => {
            format!("{} extra points when you buy {}", count(*points, lang), on(target))
        }
        (OfferSpec::Basket { min_cents, points }, Lang::It) => {
            format!("{} punti in più con una spesa di almeno {}", count(*points, lang), euros(*min_cents, lang))
        }
        (OfferSpec::Basket { min_cents, points }, Lang::En) => {
            format!("{} extra points on a shop of at least {}", count(*points, lang), euros(*min_cents, lang))
        }
        (OfferSpec::Voucher { value_cents, min_cents }, Lang::It) => {
            format!("Un buono da {} con una spesa di almeno {}", euros(*value_cents, lang), euros(*min_cents, lang))
        }
        (OfferSpec::Voucher { value_cents, min_cents }, Lang::En) => {
            format!("A {} voucher on a shop of at least {}", euros(*value_cents, lang), euros(*min_cents, lang))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn chart_numbers_drop_trailing_zeros_and_group() {
        assert_eq!(chart_number(1200.0, 1, Lang::It), "1.200");
        assert_eq!(chart_number(0.5, 1, Lang::It), "0,5");
        assert_eq!(chart_number(1234.567, 2, Lang::It), "1.234,57");
        assert_eq!(chart_number(1234.5, 2, Lang::En), "1,234.5");
        assert_eq!(chart_number(100.0, 2, Lang::En), "100");
        assert_eq!(chart_number(-30000.04, 1, Lang::It), "-30.000");
    }

    #[test]
    fn the_watchdogs_message_names_table_counts_and_batch() {
        let a = crate::model::admin::StoreAlert {
            table: "cardholders".into(),
            expected: 32_233,
            found: 24_958,
            batch: Some(("Fidelity.csv".into(), "2026-11-30T18:02:11Z".into())),
        };
        assert_eq!(
            store_alert(&a, Lang::It),
            "Il database contiene 24.958 carte, dopo l'importazione del 30/11/2026 (Fidelity.csv) ne conteneva \
             32.233: è stato ripristinato o modificato fuori dall'applicazione"
        );
        let seen = crate::model::admin::StoreAlert { batch: None, table: "receipts".into(), ..a };
        assert!(
            store_alert(&seen, Lang::En).starts_with("The database holds 24,958 receipts; this server had seen 32,233")
        );
    }

    #[test]
    fn months_by_name() {
        assert_eq!(month("2025-12", Lang::It), "dic 2025");
        assert_eq!(month("2025-12-01", Lang::En), "Dec 2025");
        assert_eq!(month("2025-13", Lang::It), "2025-13");
        assert_eq!(bucket("2025-12-01", "month", Lang::It), "dic 2025");
        assert_eq!(bucket("2025-12-01", "day", Lang::It), "01/12/2025");
    }

    #[test]
    fn compact_figures_fit_a_tile() {
        use crate::model::analytics::Unit;
        assert_eq!(compact(121_914_859, Unit::Cents, Lang::It), "€ 1,22 mln");
        assert_eq!(compact(121_914_859, Unit::Cents, Lang::En), "€ 1.22M");
        assert_eq!(compact(1_554_617, Unit::Cents, Lang::It), "€ 15,5 mila");
        assert_eq!(compact(1_554_617, Unit::Cents, Lang::En), "€ 15.5k");
        assert_eq!(compact(45_678_900, Unit::Cents, Lang::It), "€ 457 mila");
        assert_eq!(compact(999_999, Unit::Cents, Lang::It), "€ 9.999,99");
        assert_eq!(compact(4_074, Unit::Cents, Lang::It), "€ 40,74");
        assert_eq!(compact(-2_500_000, Unit::Cents, Lang::It), "€ -25,0 mila");
        assert_eq!(compact(99_999, Unit::Count, Lang::It), "99.999");
        assert_eq!(compact(262_540, Unit::Count, Lang::It), "263 mila");
        assert_eq!(compact(2_536_738, Unit::Count, Lang::En), "2.54M");
        assert_eq!(compact(1_234, Unit::BasisPoints, Lang::It), "12,3 %");
    }

    #[test]
    fn italian_and_english_numbers() {
        assert_eq!(euros(123_456_789, Lang::It), "€ 1.234.567,89");
        assert_eq!(euros(123_456_789, Lang::En), "€ 1,234,567.89");
        assert_eq!(euros(-5, Lang::It), "€ -0,05");
        assert_eq!(count(1_234, Lang::It), "1.234");
        assert_eq!(percent(8_888, Lang::It), "88,9 %");
        assert_eq!(change(46_250, Lang::En), "+462.5 %");
        assert_eq!(change(-1_000, Lang::It), "-10,0 %");
        assert_eq!(milli(1_250, Lang::It), "1,25");
        assert_eq!(milli(1_255, Lang::En), "1.26");
        assert_eq!(figure(900, Unit::Cents, Lang::It), "€ 9,00");
        assert_eq!(date("2026-01-20", Lang::It), "20/01/2026");
    }
}
