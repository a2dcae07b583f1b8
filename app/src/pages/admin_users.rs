//! `/admin/users`: the super admin lists admins, creates them, disables and re-enables them.

use leptos::prelude::*;

use crate::components::admin_gate::AdminGate;
use crate::i18n::{use_i18n, Key, Label};
use crate::model::account::Role;
use crate::server_fns::admin::{list_admins, CreateAdmin, SetAdminActive};

/// The admin users page.
#[component]
pub fn AdminUsersPage() -> impl IntoView {
    view! { <AdminGate><AdminUsers/></AdminGate> }
}

#[component]
fn AdminUsers() -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<CreateAdmin>::new();
    let toggle = ServerAction::<SetAdminActive>::new();
    let admins = Resource::new(move || (create.version().get(), toggle.version().get()), |_| list_admins());
    let create_error = move || {
        create.value().get().and_then(|r| r.err()).map(|e| match e.problem() {
            Some((_, p)) => i18n.t(p.key()),
            None => i18n.t(Key::ErrGeneric),
        })
    };
    let created = move || matches!(create.value().get(), Some(Ok(_))).then(|| i18n.t(Key::AdminsCreated));

    view! {
        <section class="page admin-users">
            <h1>{move || i18n.t(Key::AdminsTitle)}</h1>
            <Transition fallback=|| ()>
                {move || admins.get().map(|result| match result {
                    Ok(rows) if rows.is_empty() => view! { <p>{move || i18n.t(Key::AdminsEmpty)}</p> }.into_any(),
                    Ok(rows) => view! {
                        <div class="table-wrap" tabindex="0">
                        <table class="data-table" data-testid="admins-table">
                            <thead><tr>
                                <th scope="col">{move || i18n.t(Key::FieldEmail)}</th>
                                <th scope="col">{move || i18n.t(Key::FieldFirstName)}</th>
                                <th scope="col">{move || i18n.t(Key::AdminsRole)}</th>
                                <th scope="col">{move || i18n.t(Key::AdminsStatus)}</th>
                                <th scope="col"></th>
                            </tr></thead>
                            <tbody>
                                {rows.into_iter().map(|row| {
                                    let id = row.id.clone();
                                    let active = row.active;
                                    let can_toggle = row.role == Role::Admin;
                                    view! {
                                        <tr data-email=row.email.clone()>
                                            <td>{row.email.clone()}</td>
                                            <td>{format!("{} {}", row.first_name, row.last_name)}</td>
                                            <td>{move || i18n.t(row.role.key())}</td>
                                            <td data-testid="admin-status">{move || i18n.t(if active { Key::AdminsActive } else { Key::AdminsDisabled })}</td>
                                            <td>
                                                <Show when=move || can_toggle>
                                                    <button type="button" class="button small" data-testid="admin-toggle"
                                                        on:click={
                                                            let id = id.clone();
                                                            move |_| { toggle.dispatch(SetAdminActive { id: id.clone(), active: !active }); }
                                                        }>
                                                        {move || i18n.t(if active { Key::AdminsDisable } else { Key::AdminsEnable })}
                                                    </button>
                                                </Show>
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                        </div>
                    }.into_any(),
                    Err(_) => view! { <p class="form-error">{move || i18n.t(Key::ErrGeneric)}</p> }.into_any(),
                })}
            </Transition>
            <h2>{move || i18n.t(Key::AdminsCreate)}</h2>
            <p class="form-error" role="alert" data-testid="admin-create-error">{create_error}</p>
            <p class="notice" role="status" data-testid="admin-created">{created}</p>
            <ActionForm action=create>
                <div class="form-grid">
                    <div class="field"><label for="new-email">{move || i18n.t(Key::FieldEmail)}</label>
                        <input id="new-email" name="email" type="email" required/></div>
                    <div class="field"><label for="new-first-name">{move || i18n.t(Key::FieldFirstName)}</label>
                        <input id="new-first-name" name="first_name" type="text" required/></div>
                    <div class="field"><label for="new-last-name">{move || i18n.t(Key::FieldLastName)}</label>
                        <input id="new-last-name" name="last_name" type="text" required/></div>
                    <div class="field"><label for="new-password">{move || i18n.t(Key::FieldPassword)}</label>
                        <input id="new-password" name="password" type="password" autocomplete="new-password" required/></div>
                </div>
                <button type="submit" class="button primary">{move || i18n.t(Key::AdminsCreateSubmit)}</button>
            </ActionForm>
        </section>
    }
}
