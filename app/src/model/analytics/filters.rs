//! The dashboard filters as the admin chooses them: date range presets, age bands, and the
//! filter set with its URL query form (see [`super::query`] for the codec).

use serde::{Deserialize, Serialize};

use super::query::{encode_query_value, push_unique};
use super::Segment;

/// A date-range preset of the dashboard. Presets end on the last day with data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum RangePreset {
    Days7,
    #[default]
    Days30,
    Days90,
    YearToDate,
    Months12,
    /// Every day with data.
    All,
    /// `from` and `to` as given.
    Custom,
}

impl RangePreset {
    /// Every preset, in the order shown.
    pub const ALL: [RangePreset; 7] = [
        RangePreset::Days7,
        RangePreset::Days30,
        RangePreset::Days90,
        RangePreset::YearToDate,
        RangePreset::Months12,
        RangePreset::All,
        RangePreset::Custom,
    ];

    /// The value in the URL query (`range=`).
    pub fn code(self) -> &'static str {
        match self {
            RangePreset::Days7 => "7d",
            RangePreset::Days30 => "30d",
            RangePreset::Days90 => "90d",
            RangePreset::YearToDate => "ytd",
            RangePreset::Months12 => "12m",
            RangePreset::All => "all",
            RangePreset::Custom => "custom",
        }
    }

    /// The preset named by a query value.
    pub fn from_code(code: &str) -> Option<Self> {
        RangePreset::ALL.into_iter().find(|p| p.code() == code)
    }
}

/// Age bands of the dashboard filter, by age on the last day of the range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AgeBand {
    A18_24,
    A25_34,
    A35_44,
    A45_54,
    A55_64,
    A65Plus,
}

impl AgeBand {
    /// Every band, youngest first.
    pub const ALL: [AgeBand; 6] =
        [AgeBand::A18_24, AgeBand::A25_34, AgeBand::A35_44, AgeBand::A45_54, AgeBand::A55_64, AgeBand::A65Plus];

    /// The value in the URL query (`age=`), also the label.
    pub fn code(self) -> &'static str {
        match self {
            AgeBand::A18_24 => "18-24",
            AgeBand::A25_34 => "25-34",
            AgeBand::A35_44 => "35-44",
            AgeBand::A45_54 => "45-54",
            AgeBand::A55_64 => "55-64",
            AgeBand::A65Plus => "65+",
        }
    }

    /// The band named by a query value.
    pub fn from_code(code: &str) -> Option<Self> {
        // `65+` arrives as `65 ` when a `+` in a URL was read as a space.
        let code = code.replace(' ', "+");
        let code = code.trim_start();
        AgeBand::ALL.into_iter().find(|b| b.code() == code)
    }

    /// The band of an age in whole years (under 18: none).
    pub fn of_age(age: i32) -> Option<Self> {
        match age {
            18..=24 => Some(AgeBand::A18_24),
            25..=34 => Some(AgeBand::A25_34),
            35..=44 => Some(AgeBand::A35_44),
            45..=54 => Some(AgeBand::A45_54),
            55..=64 => Some(AgeBand::A55_64),
            65.. => Some(AgeBand::A65Plus),
            _ => None,
        }
    }
}

/// The dashboard filters. They live in the URL query so a view can be shared and the back
/// button works: `range`, `from`, `to`, `store` (repeated), `dept` (repeated), `promo`
/// (a promotion code, or `any`), `segment`, `gender` (`F`/`M`), `age`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Filters {
    pub range: RangePreset,
    /// First day (`YYYY-MM-DD`), for a custom range.
    pub from: Option<String>,
    /// Last day (`YYYY-MM-DD`), for a custom range.
    pub to: Option<String>,
    pub shops: Vec<String>,
    pub departments: Vec<String>,
    pub promotion: Option<String>,
    pub segment: Option<Segment>,
    pub gender: Option<String>,
    pub age_band: Option<AgeBand>,
}

/// A filter value that could not be understood: the parameter and the value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadFilter {
    pub param: &'static str,
    pub value: String,
}

impl std::fmt::Display for BadFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "filter {}", crate::error::AppError::bad_value(self.param, &self.value))
    }
}

impl Filters {
    /// Reads the filters from query pairs; empty values are ignored, unknown values are an
    /// error naming the parameter. A `from` or `to` without `range` means a custom range.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Self, BadFilter> {
        let mut f = Filters::default();
        let mut range_given = false;
        let bad = |param: &'static str, value: &str| BadFilter { param, value: value.to_string() };
        for (key, raw) in pairs {
            let value = raw.trim();
            if value.is_empty() {
                continue;
            }
            match key {
                "range" => {
                    f.range = RangePreset::from_code(value).ok_or_else(|| bad("range", value))?;
                    range_given = true;
                }
                "from" | "to" => {
                    crate::validate::date::SimpleDate::parse_iso(value)
                        .ok_or_else(|| bad(if key == "from" { "from" } else { "to" }, value))?;
                    if key == "from" {
                        f.from = Some(value.to_string());
                    } else {
                        f.to = Some(value.to_string());
                    }
                }
                "store" => push_unique(&mut f.shops, value),
                "dept" => push_unique(&mut f.departments, value),
                "promo" => f.promotion = Some(value.to_string()),
                "segment" => f.segment = Some(Segment::from_code(value).ok_or_else(|| bad("segment", value))?),
                "gender" => {
                    let g = value.to_ascii_uppercase();
                    if g != "F" && g != "M" {
                        return Err(bad("gender", value));
                    }
                    f.gender = Some(g);
                }
                "age" => f.age_band = Some(AgeBand::from_code(raw).ok_or_else(|| bad("age", value))?),
                _ => {}
            }
        }
        if !range_given && (f.from.is_some() || f.to.is_some()) {
            f.range = RangePreset::Custom;
        }
        if f.range != RangePreset::Custom {
            f.from = None;
            f.to = None;
        }
        Ok(f)
    }

    /// The filters as query pairs (the inverse of [`Self::from_pairs`]).
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = vec![("range", self.range.code().to_string())];
        if self.range == RangePreset::Custom {
            pairs.extend(self.from.iter().map(|v| ("from", v.clone())));
            pairs.extend(self.to.iter().map(|v| ("to", v.clone())));
        }
        pairs.extend(self.shops.iter().map(|v| ("store", v.clone())));
        pairs.extend(self.departments.iter().map(|v| ("dept", v.clone())));
        pairs.extend(self.promotion.iter().map(|v| ("promo", v.clone())));
        pairs.extend(self.segment.iter().map(|v| ("segment", v.code().to_string())));
        pairs.extend(self.gender.iter().map(|v| ("gender", v.clone())));
        pairs.extend(self.age_band.iter().map(|v| ("age", v.code().to_string())));
        pairs
    }

    /// The filters as a URL query string (without `?`), percent-encoded.
    pub fn to_query(&self) -> String {
        self.to_pairs()
            .into_iter()
            .map(|(k, v)| format!("{k}={}", encode_query_value(&v)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

impl crate::i18n::Label for RangePreset {
    fn key(&self) -> crate::i18n::Key {
        match self {
            RangePreset::Days7 => crate::i18n::Key::Preset7d,
            RangePreset::Days30 => crate::i18n::Key::Preset30d,
            RangePreset::Days90 => crate::i18n::Key::Preset90d,
            RangePreset::YearToDate => crate::i18n::Key::PresetYtd,
            RangePreset::Months12 => crate::i18n::Key::Preset12m,
            RangePreset::All => crate::i18n::Key::PresetAll,
            RangePreset::Custom => crate::i18n::Key::PresetCustom,
        }
    }
}
