//! Server-rendered SVGs of a card number: the EAN-13 barcode and a QR code.

use app::validate::ean13;

/// Width of one barcode module in SVG units.
const MODULE: usize = 2;
/// Quiet zones in modules (left, right), as GS1 requires.
const QUIET_LEFT: usize = 11;
const QUIET_RIGHT: usize = 7;
const BAR_HEIGHT: usize = 120;
const TEXT_HEIGHT: usize = 24;

/// The EAN-13 barcode of `code` as an SVG document: one `<rect>` per bar, the digits below.
/// `None` for an invalid code.
pub fn barcode(code: &str) -> Option<String> {
    let modules = ean13::modules(code)?;
    let width = (QUIET_LEFT + modules.len() + QUIET_RIGHT) * MODULE;
    let height = BAR_HEIGHT + TEXT_HEIGHT;
    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMidYMid meet" shape-rendering="crispEdges"><rect width="{width}" height="{height}" fill="#fff"/>"##
    );
    let mut i = 0;
    while i < modules.len() {
        if modules[i] {
            let start = i;
            while i < modules.len() && modules[i] {
                i += 1;
            }
            let x = (QUIET_LEFT + start) * MODULE;
            let w = (i - start) * MODULE;
            svg.push_str(&format!(
                r##"<rect class="bar" x="{x}" y="0" width="{w}" height="{BAR_HEIGHT}" fill="#000"/>"##
            ));
        } else {
            i += 1;
        }
    }
    svg.push_str(&format!(
        r##"<text x="{}" y="{}" font-family="monospace" font-size="20" text-anchor="middle" fill="#000">{code}</text></svg>"##,
        width / 2,
        BAR_HEIGHT + TEXT_HEIGHT - 4
    ));
    Some(svg)
}

/// A QR code of `text` as an SVG document.
pub fn qr(text: &str) -> Option<String> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    Some(code.render::<qrcode::render::svg::Color<'_>>().min_dimensions(160, 160).quiet_zone(true).build())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads the bars back from the SVG and decodes them as EAN-13 — an independent check that
    /// a scanner would get the number back.
    fn decode(svg: &str) -> Option<String> {
        let mut modules = [false; 95];
        for rect in svg.split("<rect class=\"bar\" ").skip(1) {
            let attr = |name: &str| -> usize {
                let start = rect.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                rect[start..].split('"').next().unwrap().parse().unwrap()
            };
            let (x, w) = (attr("x") / MODULE - QUIET_LEFT, attr("width") / MODULE);
            modules[x..x + w].iter_mut().for_each(|m| *m = true);
        }
        let bits: String = modules.iter().map(|b| if *b { '1' } else { '0' }).collect();
        if &bits[..3] != "101" || &bits[45..50] != "01010" || &bits[92..] != "101" {
            return None;
        }
        let l = [
            "0001101", "0011001", "0010011", "0111101", "0100011", "0110001", "0101111", "0111011", "0110111",
            "0001011",
        ];
        let mut digits = String::new();
        let mut parity = String::new();
        for k in 0..6 {
            let chunk = &bits[3 + 7 * k..10 + 7 * k];
            if let Some(d) = l.iter().position(|c| *c == chunk) {
                digits.push(char::from(b'0' + d as u8));
                parity.push('L');
            } else {
                // G codes are the L codes of the complement, reversed.
                let g: String = chunk.chars().rev().map(|c| if c == '1' { '0' } else { '1' }).collect();
                let d = l.iter().position(|c| *c == g)?;
                digits.push(char::from(b'0' + d as u8));
                parity.push('G');
            }
        }
        for k in 0..6 {
            let chunk: String =
                bits[50 + 7 * k..57 + 7 * k].chars().map(|c| if c == '1' { '0' } else { '1' }).collect();
            let d = l.iter().position(|c| *c == chunk)?;
            digits.push(char::from(b'0' + d as u8));
        }
        let parities =
            ["LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG", "LGGLLG", "LGGGLL", "LGLGLG", "LGLGGL", "LGGLGL"];
        let first = parities.iter().position(|p| *p == parity)?;
        let code = format!("{first}{digits}");
        ean13::is_valid(&code).then_some(code)
    }

    #[test]
    fn the_rendered_barcode_decodes_back_to_the_number() {
        for code in ["4006381333931", "9780306406157", "2700000000014", "2000000000015"]
            .into_iter()
            .map(String::from)
            .chain((1..200).map(|s| ean13::digital_card_number(s * 7919).unwrap()))
        {
            if !ean13::is_valid(&code) {
                continue;
            }
            let svg = barcode(&code).unwrap();
            assert!(svg.starts_with("<svg") && svg.contains(&code));
            assert_eq!(decode(&svg), Some(code.clone()));
        }
        assert_eq!(barcode("2700000000015"), None);
    }

    #[test]
    fn qr_is_an_svg() {
        let svg = qr("2700000000014").unwrap();
        assert!(svg.contains("<svg") && svg.contains("</svg>"));
    }
}
