//! The holdout split. A card is held out of a campaign when a hash of the campaign's id and the
//! card number falls below the holdout share: deterministic (every replica, every rerun gives the
//! same answer), independent between campaigns (a card held out of one is not held out of the
//! next for that reason), and uniform — SHA-256 owes nothing to how card numbers are assigned.

use sha2::{Digest, Sha256};

/// The largest holdout share a campaign may have, in per-mille (50 %): beyond it the treated
/// group is smaller than the control and the campaign reaches too few shoppers.
pub const MAX_SHARE_PERMILLE: u32 = 500;

/// The default holdout share, in per-mille (10 %).
pub const DEFAULT_SHARE_PERMILLE: u32 = 100;

/// Where the card falls in [0, 1 000 000) for this campaign.
fn position(campaign: &str, card: &str) -> u64 {
    let mut hash = Sha256::new();
    hash.update(campaign.as_bytes());
    hash.update([0]); // no (campaign, card) pair can be read as another
    hash.update(card.as_bytes());
    let digest = hash.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first) % 1_000_000
}

/// Whether `card` is in the holdout (control) group of `campaign` with a share of
/// `share_permille` (0–[`MAX_SHARE_PERMILLE`]).
pub fn is_held_out(campaign: &str, card: &str, share_permille: u32) -> bool {
    position(campaign, card) < u64::from(share_permille.min(1000)) * 1000
}

/// A holdout share entered by an admin (a percentage, `10` or `12,5`), in per-mille; the error
/// names the allowed range.
pub fn parse_share(input: &str) -> Result<u32, String> {
    // Read as the imports read numbers (decimal comma or point), in hundredths of a percent.
    let hundredths = crate::import::values::scaled(input.trim().trim_end_matches('%'), 2)
        .map_err(|_| format!("«{input}» is not a percentage"))?;
    let in_range = (0..=i64::from(MAX_SHARE_PERMILLE) * 10).contains(&hundredths);
    if !in_range || hundredths % 10 != 0 {
        return Err(format!("the holdout share must be between 0 and 50 % in steps of 0.1 %, not «{input}»"));
    }
    Ok((hundredths / 10) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(i: u32) -> String {
        app::validate::ean13::digital_card_number(u64::from(i)).unwrap()
    }

    #[test]
    fn the_split_is_fixed_and_about_the_share() {
        let held: Vec<bool> = (1..=20_000).map(|i| is_held_out("C-2026-12", &card(i), 100)).collect();
        let again: Vec<bool> = (1..=20_000).map(|i| is_held_out("C-2026-12", &card(i), 100)).collect();
        assert_eq!(held, again, "the same answer every time");
        let share = held.iter().filter(|h| **h).count() as f64 / 20_000.0;
        // Binomial(20 000, 0.1): standard deviation 0.0021; five of them either side.
        assert!((share - 0.10).abs() < 0.0106, "held out {share}");
    }

    #[test]
    fn shares_nest_and_campaigns_are_independent() {
        let cards: Vec<String> = (1..=10_000).map(card).collect();
        // A card held out at 5 % is held out at 10 % too (one position per card).
        assert!(cards.iter().all(|c| !is_held_out("A", c, 50) || is_held_out("A", c, 100)));
        assert!(cards.iter().all(|c| !is_held_out("A", c, 0)), "a share of zero holds out nobody");
        // Two campaigns' 10 % groups overlap by about 1 % of the cards, as independent draws do.
        let both = cards.iter().filter(|c| is_held_out("A", c, 100) && is_held_out("B", c, 100)).count();
        assert!((50..=150).contains(&both), "{both} cards held out of both");
    }

    #[test]
    fn a_known_card_falls_where_the_hash_says() {
        // The first 8 bytes of sha256("C1\0" + "2000000000015"), computed outside Rust (below).
        let expected = u64::from_str_radix(KNOWN_PREFIX, 16).unwrap() % 1_000_000;
        assert_eq!(position("C1", "2000000000015"), expected);
        assert_eq!(is_held_out("C1", "2000000000015", 500), expected < 500_000);
    }

    /// `printf 'C1\0002000000000015' | sha256sum | cut -c1-16`
    const KNOWN_PREFIX: &str = "e1cfff0063d41c5a";

    #[test]
    fn shares_are_read_as_percentages_within_range() {
        assert_eq!(parse_share("10"), Ok(100));
        assert_eq!(parse_share(" 12,5 % "), Ok(125));
        assert_eq!(parse_share("0"), Ok(0));
        assert_eq!(parse_share("50"), Ok(500));
        for bad in ["50.1", "-1", "dieci", "", "12.55"] {
            let e = parse_share(bad).unwrap_err();
            assert!(e.contains(bad) || bad.is_empty(), "{e}");
        }
    }
}
