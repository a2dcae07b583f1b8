//! Campaigns: personal offers sent to a segment, judged against a holdout group that did not
//! get them. The pure rules first, then what runs them:
//!
//! - [`holdout`]: who is held out, decided by a hash of campaign and card, so the split is the
//!   same on every replica and every day, and can be recorded at launch;
//! - [`mail`]: the announcement mails' outbox, sent once with back-off through `SMTP_URL`;
//! - [`offer`]: what an activated offer gives on a receipt (multiplier, bonus, basket bonus,
//!   voucher), the one ledger entry per campaign and receipt, the budget and per-shopper limit,
//!   and the checks an offer passes before launch, each naming its field;
//! - [`audience`]: who a campaign reaches, over the projection, and who the consents leave out;
//! - [`demo`]: two past campaigns for the demo data, one with a planted effect;
//! - [`grant`]: a reward granted once per campaign and receipt, within budget and limit, with no
//!   multi-document transaction;
//! - [`report`]: treated against holdout over the period (intention to treat first);
//! - [`service`]: launch, list, a shopper's offers and activation, application to receipts;
//! - [`stats`]: the report's statistics — Welch's t interval for a difference of means (revenue,
//!   receipts, share who shopped per member), and the plain-language verdict.

pub mod audience;
pub mod demo;
pub mod grant;
pub mod holdout;
pub mod mail;
pub mod offer;
pub mod report;
pub mod service;
pub mod stats;

pub use service::CampaignService;
