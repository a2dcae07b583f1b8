//! The admin customer list: cardholders active in the window with their RFM figures, narrowed
//! by the dashboard filters, a segment and a free-text search, sorted and paged on the server.

use app::model::analytics::{CustomerQuery, CustomerRow, CustomerSort};

use super::clv::ClvModel;
use super::rfm::{Rfm, RfmScore};
use super::selection::Selection;
use crate::clock::day_iso;
use crate::projection::dataset::{Dataset, NONE};

/// The wire row of a score (with the model's predictions when fitted).
pub fn row(data: &Dataset, clv: Option<&ClvModel>, s: &RfmScore) -> CustomerRow {
    let prediction = clv.and_then(|m| m.of(s.card));
    let c = &data.cards;
    let i = s.card as usize;
    CustomerRow {
        card_number: c.number.value(s.card).to_string(),
        name: c.name(s.card),
        email: c.email[i].as_deref().map(str::to_string),
        phone: c.phone[i].as_deref().map(str::to_string),
        last_receipt: day_iso(s.last_day),
        recency_days: s.recency_days,
        frequency: s.frequency,
        monetary_cents: s.monetary,
        r: s.r,
        f: s.f,
        m: s.m,
        segment: s.segment,
        p_alive_bp: prediction.map(|p| (p.p_alive * 10_000.0).round() as i64),
        expected_receipts_90d_milli: prediction.map(|p| (p.expected_90d * 1000.0).round() as i64),
        value_12m_cents: prediction.map(|p| (p.value_12m * 100.0).round() as i64),
    }
}

/// Whether card `c` matches a search text (card number, phone, email or name; any case).
pub fn matches_search(data: &Dataset, c: u32, needle: &str) -> bool {
    let cards = &data.cards;
    let i = c as usize;
    let lower = needle.trim().to_lowercase();
    if lower.is_empty() {
        return true;
    }
    let digits: String = lower.chars().filter(char::is_ascii_digit).collect();
    let digits_only = !digits.is_empty() && lower.chars().all(|ch| ch.is_ascii_digit() || " +()-.".contains(ch));
    if digits_only {
        if cards.number.value(c).contains(&digits) {
            return true;
        }
        // Phones are stored in E.164: compare digits, an international `00` read as `+`.
        let wanted = digits.strip_prefix("00").unwrap_or(&digits);
        return wanted.len() >= 6
            && cards.phone[i]
                .as_deref()
                .is_some_and(|p| p.chars().filter(char::is_ascii_digit).collect::<String>().contains(wanted));
    }
    cards.email[i].as_deref().is_some_and(|e| e.to_lowercase().contains(&lower))
        || cards.name(c).to_lowercase().contains(&lower)
        || format!("{} {}", cards.last_name[i], cards.first_name[i]).to_lowercase().contains(&lower)
}

/// Every matching cardholder, sorted as asked (ties by card number).
pub fn matching(sel: &Selection, rfm: &Rfm, query: &CustomerQuery) -> Vec<RfmScore> {
    let data = sel.data;
    // Receipt or line filters: the cardholder needs a selected receipt in the window.
    let narrowed = sel.shop_mask().is_some() || sel.filters_lines();
    let mut with_hit = vec![!narrowed; data.cards.len()];
    if narrowed {
        sel.for_each(|i, _| {
            let c = data.receipts.card[i];
            if c != NONE {
                with_hit[c as usize] = true;
            }
        });
    }
    let mut rows: Vec<RfmScore> = rfm
        .scores
        .iter()
        .filter(|s| sel.card_ok(s.card) && with_hit[s.card as usize])
        .filter(|s| query.search.as_deref().is_none_or(|q| matches_search(data, s.card, q)))
        .copied()
        .collect();
    let number = |s: &RfmScore| data.cards.number.value(s.card);
    rows.sort_by(|a, b| {
        let primary = match query.sort {
            CustomerSort::Monetary => a.monetary.cmp(&b.monetary),
            CustomerSort::Frequency => a.frequency.cmp(&b.frequency),
            CustomerSort::Recency => a.recency_days.cmp(&b.recency_days),
            CustomerSort::Name => data.cards.name(a.card).to_lowercase().cmp(&data.cards.name(b.card).to_lowercase()),
            CustomerSort::Card => std::cmp::Ordering::Equal,
        };
        let primary = if query.descending { primary.reverse() } else { primary };
        primary.then_with(|| number(a).cmp(number(b)))
    });
    rows
}
