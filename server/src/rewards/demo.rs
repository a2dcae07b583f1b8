//! The demo programme on top of the demo data set (run once after its import by
//! `imagross demo-rewards`, which `.ci/app` calls): a catalogue of the three kinds of reward,
//! then, over the last five months, redemptions by a share of the cardholders who can afford
//! one, most vouchers taken at a till on one of the holder's later receipts, a few cancelled and
//! a few left to expire — all through the same exactly-once functions shoppers and tills use,
//! dated in the past. Deterministic for a seed and a data set.

use std::collections::HashMap;

use app::error::AppError;
use app::model::rewards::RewardInput;
use rand::{rngs::StdRng, Rng, SeedableRng};

use crate::clock::{day_iso, parse_day, today};
use crate::points::redeem;
use crate::projection::dataset::Dataset;
use crate::store::model::{PointsEntry, Reward};
use crate::store::{Store, StoreExt};

/// What the demo programme wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DemoProgramme {
    pub rewards: u64,
    pub redemptions: u64,
    pub used: u64,
    pub cancelled: u64,
}

/// Share of the cardholders with at least 500 points who redeem.
const REDEEMING_SHARE: f64 = 0.3;
/// Days back over which redemptions are spread.
const DAYS_BACK: i32 = 150;

fn reward(
    kind: &str,
    it: &str,
    en: &str,
    points: &str,
    value: &str,
    extra: impl FnOnce(&mut RewardInput),
) -> RewardInput {
    let mut input = RewardInput {
        kind: kind.into(),
        title_it: it.into(),
        title_en: en.into(),
        description_it: String::new(),
        description_en: String::new(),
        points: points.into(),
        value_eur: value.into(),
        valid_from: day_iso(today() - 365),
        min_level: "bronze".into(),
        ..RewardInput::default()
    };
    extra(&mut input);
    input
}

/// The demo catalogue.
pub fn catalogue() -> Vec<RewardInput> {
    vec![
        reward("voucher", "Buono spesa 5 €", "5 € shopping voucher", "500", "5,00", |r| {
            r.description_it = "Da usare alla cassa su una spesa di almeno 20 €.".into();
            r.description_en = "To use at the till on a shop of at least 20 €.".into();
        }),
        reward("voucher", "Buono spesa 10 €", "10 € shopping voucher", "1000", "10,00", |r| {
            r.description_it = "Da usare alla cassa, al massimo due al mese.".into();
            r.description_en = "To use at the till, at most two a month.".into();
            r.monthly_limit = "2".into();
        }),
        reward("voucher", "Buono spesa 25 €", "25 € shopping voucher", "2300", "25,00", |r| {
            r.description_it = "Per i clienti Argento e oltre.".into();
            r.description_en = "For Silver customers and above.".into();
            r.min_level = "silver".into();
        }),
        reward("product", "Pasta di Gragnano IGP 1 kg in omaggio", "Free Gragnano PGI pasta 1 kg", "300", "", |r| {
            r.ean = "8001234567890".into();
            r.stock = "2000".into();
            r.description_it = "Ritirala alla cassa mostrando il buono.".into();
            r.description_en = "Take it at the till showing the voucher.".into();
        }),
        reward("donation", "Dona 5 € al Banco Alimentare", "Give 5 € to the Food Bank", "500", "5,00", |r| {
            r.cause = "Banco Alimentare dell'Emilia-Romagna".into();
            r.description_it = "ImaGross versa 5 € per te.".into();
            r.description_en = "ImaGross gives 5 € on your behalf.".into();
        }),
    ]
}

/// Writes the demo programme into `store`, whose ledger must already hold the data's points and
/// the expiries due under `expiry` (`data` is the projection of the same store). Refused when
/// the store has rewards already.
pub async fn seed(
    store: &dyn Store,
    rewards: &dyn app::ports::Rewards,
    data: &Dataset,
    thresholds: &app::model::levels::LevelThresholds,
    voucher_days: i64,
    expiry: &crate::config::ExpiryPolicy,
    seed: u64,
) -> Result<DemoProgramme, AppError> {
    if !store.scan_page::<Reward>(None, 1).await?.is_empty() {
        return Err(AppError::invalid("rewards", "the store has a catalogue already"));
    }
    let mut out = DemoProgramme::default();
    let mut ids = Vec::new();
    for input in catalogue() {
        ids.push(rewards.save_reward(None, input).await?);
        out.rewards += 1;
    }
    // Balances from one pass over the ledger.
    let mut balances: HashMap<String, i64> = HashMap::new();
    crate::projection::scan_all::<PointsEntry>(store, |e| {
        *balances.entry(e.card_number.clone()).or_default() += e.points;
    })
    .await?;
    let mut cards: Vec<(String, i64)> = balances.into_iter().filter(|(_, b)| *b >= 500).collect();
    cards.sort();
    let mut rng = StdRng::seed_from_u64(seed);
    let now = today();
    // Redemptions come after the last expiry already written, which counted no spending.
    let first = (now - DAYS_BACK).max(expiry.last_expiry_before(now).map_or(i32::MIN, |d| d + 1)).min(now - 1);
    for (card, balance) in cards {
        if !rng.random_bool(REDEEMING_SHARE) {
            continue;
        }
        let (_, _, level) = crate::points::status(store, &card, thresholds).await?;
        // The dearest reward the balance affords, now and then the donation or the product.
        let pick = match rng.random_range(0..10) {
            0 => 4,
            1 => 3,
            _ if balance >= 2_300 && level > app::model::levels::Level::Bronze => 2,
            _ if balance >= 1_000 => 1,
            _ => 0,
        };
        let day = rng.random_range(first..now);
        let at = format!("{}T{:02}:{:02}:00Z", day_iso(day), rng.random_range(8..20), rng.random_range(0..60));
        let voucher = match redeem::redeem_at(store, &card, &ids[pick].id, level, voucher_days, &at).await {
            Ok(v) => v,
            // A refusal (level, monthly limit, stock) is the rule at work: skip the card.
            Err(AppError::Invalid { .. }) => continue,
            Err(e) => return Err(e),
        };
        out.redemptions += 1;
        if voucher.status != "active" {
            continue;
        }
        // Most vouchers are taken at the till on the holder's next receipt before expiry; a few
        // are cancelled; the rest stay active or expire.
        let last = parse_day(&voucher.expires_at).unwrap_or(day);
        let next = data.cards.number.get(&card).and_then(|c| {
            data.receipts_of(c).iter().map(|i| *i as usize).find(|i| {
                let d = data.receipts.day[*i];
                d > day && d <= last && data.receipts.net[*i] > 0
            })
        });
        match (next, rng.random_range(0..100)) {
            (_, 0..5) => {
                let cancel = format!("{}T12:00:00Z", day_iso((day + 3).min(now)));
                redeem::cancel_at(store, &card, &voucher.id, &cancel).await?;
                out.cancelled += 1;
            }
            (Some(i), 5..85) => {
                let at = format!("{}T18:00:00Z", day_iso(data.receipts.day[i]));
                if redeem::mark_used_at(store, &voucher.id, &data.receipts.id[i], &at).await? == redeem::Use::Claimed {
                    out.used += 1;
                }
            }
            _ => {}
        }
    }
    Ok(out)
}
