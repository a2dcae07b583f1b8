//! Reusable view pieces shared by the pages: navigation, the admin gate, the one chart
//! component and its option builders, the described data table, dashboard widgets with their
//! export links, the filter form and the load-error message.

pub mod admin_gate;
pub mod chart;
pub mod charts;
pub mod data_table;
pub mod filter_form;
pub mod load_error;
pub mod login_link;
pub mod nav;
pub mod widget;
