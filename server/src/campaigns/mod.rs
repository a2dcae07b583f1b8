//! Campaigns: personal offers sent to a segment, judged against a holdout group that did not
//! get them. This is the foundation — the pure rules every later part (admin pages,
//! activation, application to receipts, the report) rests on:
//!
//! - [`holdout`]: who is held out, decided by a hash of campaign and card, so the split is the
//!   same on every replica and every day, and can be recorded at launch;
//! - [`offer`]: what an activated offer gives on a receipt (multiplier, bonus, basket bonus,
//!   voucher), the one ledger entry per campaign and receipt, the budget and per-shopper limit,
//!   and the checks an offer passes before launch, each naming its field;
//! - [`stats`]: the report's statistics — Welch's t interval for a difference of means (revenue,
//!   receipts, share who shopped per member), and the plain-language verdict.

pub mod holdout;
pub mod offer;
pub mod stats;
