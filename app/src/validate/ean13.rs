//! EAN-13 codes: the GS1 mod-10 check digit, validation, and digital card numbers in the
//! restricted-circulation range (prefix 2xx, for use inside the chain only).

/// The GS1 check digit of 12 digits: weights 1,3,1,3… from the left; the digit brings the
/// weighted sum to a multiple of 10. `None` unless exactly 12 ASCII digits.
pub fn check_digit(first12: &str) -> Option<u8> {
    if first12.len() != 12 || !first12.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = first12.bytes().enumerate().map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 3 }).sum();
    Some(((10 - sum % 10) % 10) as u8)
}

/// True for 13 digits whose last is the check digit of the first 12.
pub fn is_valid(code: &str) -> bool {
    // Digits first: slicing at byte 12 of any other 13-byte text could split a character.
    code.len() == 13
        && code.bytes().all(|b| b.is_ascii_digit())
        && check_digit(&code[..12]).is_some_and(|c| code.as_bytes()[12] == b'0' + c)
}

/// Prefix of digital cards issued at signup (restricted circulation, 2xx).
pub const DIGITAL_CARD_PREFIX: &str = "27";

/// The digital card number for sequence value `seq` (1 ≤ seq < 10^10): prefix `27`, the
/// sequence in ten digits, the check digit.
pub fn digital_card_number(seq: u64) -> Option<String> {
    if seq == 0 || seq >= 10_000_000_000 {
        return None;
    }
    let first12 = format!("{DIGITAL_CARD_PREFIX}{seq:010}");
    let check = check_digit(&first12)?;
    Some(format!("{first12}{check}"))
}

/// Prefix of voucher codes: restricted circulation, distinct from every card prefix.
pub const VOUCHER_PREFIX: &str = "29";

/// The voucher code of ten digits `n` (< 10^10): prefix `29`, the digits, the check digit.
pub fn voucher_code(n: u64) -> Option<String> {
    if n >= 10_000_000_000 {
        return None;
    }
    let first12 = format!("{VOUCHER_PREFIX}{n:010}");
    let check = check_digit(&first12)?;
    Some(format!("{first12}{check}"))
}

/// True when `code` is a voucher code (a valid EAN-13 with the voucher prefix).
pub fn is_voucher_code(code: &str) -> bool {
    is_valid(code) && code.starts_with(VOUCHER_PREFIX)
}

/// True when `code` is a valid EAN-13 in the restricted-circulation range (2xx).
pub fn is_restricted_circulation(code: &str) -> bool {
    is_valid(code) && code.starts_with('2')
}

/// Module widths of one digit in the left half, odd parity (set A / "L").
const L_CODES: [&str; 10] =
    ["0001101", "0011001", "0010011", "0111101", "0100011", "0110001", "0101111", "0111011", "0110111", "0001011"];
/// Left half, even parity (set B / "G").
const G_CODES: [&str; 10] =
    ["0100111", "0110011", "0011011", "0100001", "0011101", "0111001", "0000101", "0010001", "0001001", "0010111"];
/// Right half (set C / "R").
const R_CODES: [&str; 10] =
    ["1110010", "1100110", "1101100", "1000010", "1011100", "1001110", "1010000", "1000100", "1001000", "1110100"];
/// Parity of the six left digits, chosen by the first (implicit) digit.
const PARITY: [&str; 10] =
    ["LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG", "LGGLLG", "LGGGLL", "LGLGLG", "LGLGGL", "LGGLGL"];

/// The 95 modules (true = bar) of a valid EAN-13: guard, six left digits, centre guard, six
/// right digits, guard. `None` for an invalid code.
pub fn modules(code: &str) -> Option<Vec<bool>> {
    if !is_valid(code) {
        return None;
    }
    let digits: Vec<usize> = code.bytes().map(|b| usize::from(b - b'0')).collect();
    let mut pattern = String::with_capacity(95);
    pattern.push_str("101");
    for (i, parity) in PARITY[digits[0]].chars().enumerate() {
        let table = if parity == 'L' { &L_CODES } else { &G_CODES };
        pattern.push_str(table[digits[i + 1]]);
    }
    pattern.push_str("01010");
    for d in &digits[7..] {
        pattern.push_str(R_CODES[*d]);
    }
    pattern.push_str("101");
    Some(pattern.chars().map(|c| c == '1').collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn voucher_codes_carry_their_own_prefix_and_check_digit() {
        let code = voucher_code(1234567890).unwrap();
        assert_eq!(&code[..12], "291234567890");
        assert!(is_valid(&code) && is_voucher_code(&code));
        assert!(!is_voucher_code(&digital_card_number(1).unwrap()), "a card is no voucher");
        assert_eq!(voucher_code(10_000_000_000), None);
    }

    #[test]
    fn modules_have_the_standard_layout() {
        let m = modules("4006381333931").unwrap();
        assert_eq!(m.len(), 95);
        assert_eq!(&m[..3], &[true, false, true]);
        assert_eq!(&m[45..50], &[false, true, false, true, false]);
        assert_eq!(&m[92..], &[true, false, true]);
        // Every digit's code has two bars and two spaces: 7 modules, starting with a space on the left.
        assert!(!m[3] && m[94]);
        assert_eq!(modules("4006381333932"), None);
    }

    #[test]
    fn thirteen_bytes_that_are_not_thirteen_digits_are_refused_without_panicking() {
        // 13 bytes whose 12th byte falls inside a four-byte character (found by API fuzzing).
        let text = "<0^\u{badba}abcdef";
        assert_eq!(text.len(), 13);
        assert!(!is_valid(text) && !is_voucher_code(text) && !is_restricted_circulation(text));
        assert!(!is_valid("29123456789é"), "12 digits and a two-byte letter");
    }

    #[test]
    fn known_codes() {
        // Published GS1 examples.
        assert_eq!(check_digit("400638133393"), Some(1));
        assert!(is_valid("4006381333931"));
        assert_eq!(check_digit("978030640615"), Some(7));
        assert!(is_valid("9780306406157"));
        assert!(!is_valid("9780306406158"));
        assert!(!is_valid("978030640615"));
        assert!(!is_valid("97803064061a7"));
    }

    #[test]
    fn digital_cards_are_valid_restricted_and_distinct() {
        let mut seen = std::collections::HashSet::new();
        for seq in (1..5000).chain([9_999_999_999]) {
            let card = digital_card_number(seq).unwrap();
            assert_eq!(card.len(), 13);
            assert!(card.starts_with("27"));
            assert!(is_restricted_circulation(&card), "{card}");
            assert!(seen.insert(card));
        }
        assert_eq!(digital_card_number(0), None);
        assert_eq!(digital_card_number(10_000_000_000), None);
    }

    #[test]
    fn any_single_digit_error_is_caught() {
        // Property: changing one digit of a valid code always breaks the check.
        for seq in [1_u64, 42, 123_456, 9_876_543_210] {
            let card = digital_card_number(seq).unwrap();
            for pos in 0..13 {
                for digit in b'0'..=b'9' {
                    let mut bytes = card.clone().into_bytes();
                    if bytes[pos] == digit {
                        continue;
                    }
                    bytes[pos] = digit;
                    let changed = String::from_utf8(bytes).unwrap();
                    assert!(!is_valid(&changed), "{changed} from {card}");
                }
            }
        }
    }
}
