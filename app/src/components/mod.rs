//! Reusable view pieces: the navigation bar and the one chart component.

pub mod admin_gate;
pub mod chart;
pub mod nav;
