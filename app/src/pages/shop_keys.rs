//! `/admin/store-keys`: admins create, list and revoke the API keys the stores' tills use to
//! push receipts (`/api/v1`). A new key is shown once, right after it is created.

use leptos::prelude::*;

use crate::components::admin_gate::AdminGate;
use crate::i18n::{use_i18n, Key};
use crate::server_fns::admin::{list_shop_keys, CreateShopKey, RevokeShopKey};

/// The store keys page.
#[component]
pub fn ShopKeysPage() -> impl IntoView {
    view! { <AdminGate><ShopKeys/></AdminGate> }
}

#[component]
fn ShopKeys() -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<CreateShopKey>::new();
    let revoke = ServerAction::<RevokeShopKey>::new();
    let keys = Resource::new(move || (create.version().get(), revoke.version().get()), |_| list_shop_keys());
    let create_error = move || {
        create.value().get().and_then(|r| r.err()).map(|e| match e {
            crate::error::AppError::Invalid { field, message } => format!("{field}: {message}"),
            _ => i18n.t(Key::ErrGeneric).to_string(),
        })
    };
    let created = move || create.value().get().and_then(|r| r.ok());

    view! {
        <section class="page store-keys">
            <h1>{move || i18n.t(Key::ShopKeysTitle)}</h1>
            <p>{move || i18n.t(Key::ShopKeysIntro)}</p>
            <h2>{move || i18n.t(Key::ShopKeysCreate)}</h2>
            <p class="form-error" role="alert" data-testid="store-key-error">{create_error}</p>
            {move || created().map(|c| view! {
                <div class="notice" role="status" data-testid="store-key-created">
                    <p>{move || i18n.t(Key::ShopKeysShownOnce)}</p>
                    <p><code class="secret" data-testid="store-key-value">{c.key.clone()}</code></p>
                </div>
            })}
            <ActionForm action=create>
                <div class="form-grid">
                    <div class="field"><label for="key-store">{move || i18n.t(Key::ShopKeysStore)}</label>
                        <input id="key-store" name="store_id" type="text" required maxlength="40" pattern="[A-Za-z0-9_.]{1,40}"/></div>
                    <div class="field"><label for="key-label">{move || i18n.t(Key::ShopKeysLabel)}</label>
                        <input id="key-label" name="label" type="text" maxlength="80"/></div>
                </div>
                <button type="submit" class="button primary" data-testid="store-key-submit">{move || i18n.t(Key::ShopKeysCreateSubmit)}</button>
            </ActionForm>
            <Transition fallback=|| ()>
                {move || keys.get().map(|result| match result {
                    Ok(rows) if rows.is_empty() => view! { <p data-testid="store-keys-empty">{move || i18n.t(Key::ShopKeysEmpty)}</p> }.into_any(),
                    Ok(rows) => view! {
                        <div class="table-wrap" tabindex="0">
                        <table class="data-table" data-testid="store-keys-table">
                            <thead><tr>
                                <th scope="col">{move || i18n.t(Key::ShopKeysStore)}</th>
                                <th scope="col">{move || i18n.t(Key::ShopKeysPrefix)}</th>
                                <th scope="col">{move || i18n.t(Key::ShopKeysLabel)}</th>
                                <th scope="col">{move || i18n.t(Key::ShopKeysCreatedAt)}</th>
                                <th scope="col">{move || i18n.t(Key::AdminsStatus)}</th>
                                <th scope="col"></th>
                            </tr></thead>
                            <tbody>
                                {rows.into_iter().map(|row| {
                                    let id = row.id.clone();
                                    let revoked = row.revoked_at.clone();
                                    let active = revoked.is_none();
                                    view! {
                                        <tr data-prefix=row.prefix.clone()>
                                            <td>{row.store_id.clone()}</td>
                                            <td><code>{row.prefix.clone()}"…"</code></td>
                                            <td>{row.label.clone().unwrap_or_default()}</td>
                                            <td>{row.created_at.clone()}</td>
                                            <td data-testid="store-key-status">{move || match &revoked {
                                                None => i18n.t(Key::AdminsActive).to_string(),
                                                Some(at) => format!("{} {at}", i18n.t(Key::ShopKeysRevoked)),
                                            }}</td>
                                            <td>
                                                <Show when=move || active>
                                                    <button type="button" class="button small" data-testid="store-key-revoke"
                                                        on:click={
                                                            let id = id.clone();
                                                            move |_| { revoke.dispatch(RevokeShopKey { id: id.clone() }); }
                                                        }>
                                                        {move || i18n.t(Key::ShopKeysRevoke)}
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
        </section>
    }
}
