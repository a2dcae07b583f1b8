//! Data import of the chain's exports: cardholders ("Fidelity"), receipts ("Scontrini") and
//! sales lines ("Vendite"). This module holds the pure parts — header synonyms and cell values;
//! the streaming pipeline and batches build on them.

pub mod headers;
pub mod jobs;
pub mod pipeline;
pub mod records;
pub mod source;
pub mod values;
