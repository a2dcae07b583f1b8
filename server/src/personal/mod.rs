//! The shopper's personal area: the `/me` queries, profile, data download and erasure (points,
//! badges and challenges come from [`crate::points`]). Everything per cardholder is read through the projection's per-card index
//! ([`crate::projection::dataset::Dataset::receipts_of`]), never by scanning.

pub mod privacy;
pub mod profile;
pub mod service;

pub use crate::points::rewards::{self, visits};
