//! The one table component for described rows ([`crate::model::table::TableRow`]): headers
//! from the row type's columns, cells through the one screen formatter. The exports render
//! the same description, so the screen and the files show the same columns.

use leptos::prelude::*;

use crate::format;
use crate::i18n::use_i18n;
use crate::model::table::{screen_cells, Cell, TableRow};

/// A table of `rows`, marked `data-testid=testid`.
pub fn data_table<R: TableRow>(rows: &[R], testid: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let lang = i18n.lang();
    let head = R::COLUMNS
        .iter()
        .filter_map(|c| c.label.map(|key| (key, c.numeric)))
        .map(|(key, numeric)| view! { <th scope="col" class:num=numeric>{move || i18n.t(key)}</th> })
        .collect_view();
    let body = rows
        .iter()
        .map(|row| {
            let cells = screen_cells(row)
                .into_iter()
                .map(|(column, cell)| {
                    let text = format::cell(&cell, lang);
                    match cell {
                        Cell::Card(card) => {
                            let href = format!("/admin/customers/{card}");
                            view! { <td class:num=column.numeric><a href=href>{text}</a></td> }.into_any()
                        }
                        _ => view! { <td class:num=column.numeric>{text}</td> }.into_any(),
                    }
                })
                .collect_view();
            view! { <tr>{cells}</tr> }
        })
        .collect_view();
    view! {
        <table class="data-table" data-testid=testid>
            <thead><tr>{head}</tr></thead>
            <tbody>{body}</tbody>
        </table>
    }
}
