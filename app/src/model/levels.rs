//! Card levels: earned by points collected in the last 12 months (never by balance).
//! The thresholds are data so the server can configure them; these are the defaults.

use serde::{Deserialize, Serialize};

use crate::i18n::Key;

/// A loyalty level, lowest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Level {
    Bronze,
    Silver,
    Gold,
    Platinum,
}

impl Level {
    /// Every level, lowest first.
    pub const ALL: [Level; 4] = [Level::Bronze, Level::Silver, Level::Gold, Level::Platinum];

    /// The level above this one.
    pub fn next(self) -> Option<Level> {
        Level::ALL.into_iter().find(|l| *l > self)
    }
}

/// Points needed in the last 12 months to reach each level above Bronze.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelThresholds {
    pub silver: u32,
    pub gold: u32,
    pub platinum: u32,
}

impl Default for LevelThresholds {
    fn default() -> Self {
        Self { silver: 500, gold: 1500, platinum: 3000 }
    }
}

impl LevelThresholds {
    /// Points needed for `level` (Bronze needs none).
    pub fn points_for(&self, level: Level) -> u32 {
        match level {
            Level::Bronze => 0,
            Level::Silver => self.silver,
            Level::Gold => self.gold,
            Level::Platinum => self.platinum,
        }
    }

    /// The level reached with `points` earned in the last 12 months.
    pub fn level_for(&self, points: u32) -> Level {
        Level::ALL.into_iter().rev().find(|level| points >= self.points_for(*level)).unwrap_or(Level::Bronze)
    }
}

/// Base points of one receipt: one point per whole euro of net spend; refunds earn none.
pub fn base_points(net_cents: i64) -> u32 {
    u32::try_from(net_cents.max(0) / 100).unwrap_or(u32::MAX)
}

/// Points a year of receipts earns at `weekly_cents` a week, one receipt a week.
pub fn yearly_points_estimate(weekly_cents: i64) -> u32 {
    base_points(weekly_cents).saturating_mul(52)
}

impl crate::i18n::Label for Level {
    fn key(&self) -> Key {
        match self {
            Level::Bronze => Key::LevelBronze,
            Level::Silver => Key::LevelSilver,
            Level::Gold => Key::LevelGold,
            Level::Platinum => Key::LevelPlatinum,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_boundaries() {
        let t = LevelThresholds::default();
        assert_eq!(t.level_for(0), Level::Bronze);
        assert_eq!(t.level_for(499), Level::Bronze);
        assert_eq!(t.level_for(500), Level::Silver);
        assert_eq!(t.level_for(1499), Level::Silver);
        assert_eq!(t.level_for(1500), Level::Gold);
        assert_eq!(t.level_for(2999), Level::Gold);
        assert_eq!(t.level_for(3000), Level::Platinum);
    }

    #[test]
    fn next_levels() {
        assert_eq!(Level::Bronze.next(), Some(Level::Silver));
        assert_eq!(Level::Gold.next(), Some(Level::Platinum));
        assert_eq!(Level::Platinum.next(), None);
    }

    #[test]
    fn points_are_whole_euros_and_never_negative() {
        assert_eq!(base_points(0), 0);
        assert_eq!(base_points(99), 0);
        assert_eq!(base_points(100), 1);
        assert_eq!(base_points(1999), 19);
        assert_eq!(base_points(-500), 0);
        assert_eq!(yearly_points_estimate(4550), 45 * 52);
    }
}
