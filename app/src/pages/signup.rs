//! `/signup`: a shopper creates an account and gets a digital card at once. The same
//! validation runs in the browser (messages as soon as a field is left) and on the server.
//! The form is a real HTML form, so it also works before (or without) hydration.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::i18n::{use_i18n, Key, Label};
use crate::model::account::{SignupDone, SignupInput};
use crate::server_fns::auth::Signup;
use crate::server_fns::catalog::list_shops;
use crate::validate::{validate_signup, FieldError, Problem, SimpleDate};

/// Which field messages to show: client checks for fields already left, plus the server's
/// verdict (from the action or, without JavaScript, from the query string).
#[derive(Clone, Copy)]
struct FormErrors {
    client: Memo<Vec<FieldError>>,
    touched: RwSignal<Vec<&'static str>>,
    server: Signal<Option<(String, Problem)>>,
}

impl FormErrors {
    fn for_field(&self, name: &'static str) -> Option<Key> {
        if let Some((field, problem)) = self.server.get() {
            if field == name {
                return Some(problem.key());
            }
        }
        if !self.touched.with(|t| t.contains(&name)) {
            return None;
        }
        self.client.with(|errs| errs.iter().find(|e| e.field == name).map(|e| e.problem.key()))
    }

    fn touch(&self, name: &'static str) {
        if !self.touched.with_untracked(|t| t.contains(&name)) {
            self.touched.update(|t| t.push(name));
        }
    }
}

/// The signup page.
#[component]
pub fn SignupPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<Signup>::new();
    let query = use_query_map();
    let shops = Resource::new(|| (), |_| list_shops());
    let form = RwSignal::new(SignupInput::default());
    let today = SimpleDate::today_utc();
    let client = Memo::new(move |_| form.with(|f| validate_signup(f, today).err().unwrap_or_default()));

    let server = Signal::derive(move || {
        let from_action =
            action.value().get().and_then(|r| r.err()).map(|e| {
                e.problem().map(|(f, p)| (f.to_string(), p)).unwrap_or(("form".to_string(), Problem::Required))
            });
        from_action.or_else(|| {
            let raw = query.with(|q| q.get("error"))?;
            let (field, code) = raw.split_once(':')?;
            Some((field.to_string(), Problem::from_code(code).unwrap_or(Problem::Required)))
        })
    });
    let session = crate::session::use_session();
    session.follow(move || matches!(action.value().get(), Some(Ok(_))), None);
    let errors = FormErrors { client, touched: RwSignal::new(Vec::new()), server };
    let general_error = move || server.get().filter(|(f, _)| f == "form").map(|_| i18n.t(Key::ErrGeneric));
    let done = move || {
        action.value().get().and_then(|r| r.ok()).or_else(|| {
            // Only a real card number is shown: `?card=` is in anyone's hands.
            query
                .with(|q| q.get("card"))
                .filter(|c| crate::validate::ean13::is_valid(c))
                .map(|card_number| SignupDone { account_id: String::new(), card_number, first_name: String::new() })
        })
    };

    view! {
        <section class="page signup">
            <h1>{move || i18n.t(Key::SignupTitle)}</h1>
            <Show
                when=move || done().is_some()
                fallback=move || {
                    view! {
                        <p>{move || i18n.t(Key::SignupIntro)}</p>
                        <p class="form-error" role="alert">{general_error}</p>
                        <ActionForm action=action>
                            <div class="form-grid">
                                <TextField name="first_name" label=Key::FieldFirstName autocomplete="given-name" form errors update=|f, v| f.first_name = v/>
                                <TextField name="last_name" label=Key::FieldLastName autocomplete="family-name" form errors update=|f, v| f.last_name = v/>
                                <TextField name="email" label=Key::FieldEmail input_type="email" autocomplete="email" form errors update=|f, v| f.email = v/>
                                <TextField name="phone" label=Key::FieldPhone input_type="tel" autocomplete="tel" form errors update=|f, v| f.phone = v/>
                                <TextField name="birth_date" label=Key::FieldBirthDate input_type="date" autocomplete="bday" form errors update=|f, v| f.birth_date = v/>
                                <div class="field">
                                    <label for="store_id">{move || i18n.t(Key::FieldStore)}</label>
                                    <select id="store_id" name="store_id" on:change=move |ev| { let v = event_target_value(&ev); form.update(|f| f.store_id = Some(v)); }>
                                        <option value="">{move || i18n.t(Key::FieldStoreNone)}</option>
                                        <Transition>
                                            {move || shops.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|s| view! { <option value=s.id.clone()>{s.name.clone()}</option> }).collect_view()}
                                        </Transition>
                                    </select>
                                </div>
                                <TextField name="password" label=Key::FieldPassword input_type="password" autocomplete="new-password" form errors update=|f, v| f.password = v/>
                                <TextField name="password_confirm" label=Key::FieldPasswordConfirm input_type="password" autocomplete="new-password" form errors update=|f, v| f.password_confirm = v/>
                                <CheckField name="privacy_consent" label=Key::FieldPrivacy form errors update=|f, v| f.privacy_consent = v/>
                                <CheckField name="marketing_consent" label=Key::FieldMarketing form errors update=|f, v| f.marketing_consent = v/>
                                <CheckField name="profiling_consent" label=Key::FieldProfiling form errors update=|f, v| f.profiling_consent = v/>
                            </div>
                            <button type="submit" class="button primary" disabled=move || action.pending().get()>
                                {move || if action.pending().get() { i18n.t(Key::SignupPending) } else { i18n.t(Key::SignupSubmit) }}
                            </button>
                        </ActionForm>
                    }
                }
            >
                <div class="done" role="status">
                    <h2>{move || i18n.t(Key::SignupDoneTitle)}</h2>
                    <p>{move || i18n.t(Key::SignupDoneCard)} ": "
                        <strong data-testid="new-card-number">{move || done().map(|d| d.card_number).unwrap_or_default()}</strong>
                    </p>
                    <p><A href="/me/card" attr:class="button primary" attr:data-testid="go-to-card">{move || i18n.t(Key::SignupGoToCard)}</A></p>
                </div>
            </Show>
        </section>
    }
}

/// A labelled text input with its validation message.
#[component]
fn TextField(
    /// Form field name (also the element id).
    name: &'static str,
    /// Label text.
    label: Key,
    /// The input's `type`.
    #[prop(default = "text")]
    input_type: &'static str,
    /// The `autocomplete` hint.
    #[prop(default = "off")]
    autocomplete: &'static str,
    /// The form state to update.
    form: RwSignal<SignupInput>,
    /// Where messages come from.
    errors: FormErrors,
    /// Writes the typed value into the form state.
    update: fn(&mut SignupInput, String),
) -> impl IntoView {
    let i18n = use_i18n();
    let message = move || errors.for_field(name).map(|k| i18n.t(k));
    let error_id = format!("{name}-error");
    view! {
        <div class="field">
            <label for=name>{move || i18n.t(label)}</label>
            <input
                id=name
                name=name
                type=input_type
                autocomplete=autocomplete
                aria-invalid=move || message().is_some().to_string()
                aria-describedby=error_id.clone()
                on:input=move |ev| { let v = event_target_value(&ev); form.update(|f| update(f, v)); }
                on:blur=move |_| errors.touch(name)
            />
            <p class="field-error" id=error_id data-field=name>{message}</p>
        </div>
    }
}

/// A labelled checkbox with its validation message.
#[component]
fn CheckField(
    /// Form field name (also the element id).
    name: &'static str,
    /// Label text.
    label: Key,
    /// The form state to update.
    form: RwSignal<SignupInput>,
    /// Where messages come from.
    errors: FormErrors,
    /// Writes the ticked state into the form state.
    update: fn(&mut SignupInput, bool),
) -> impl IntoView {
    let i18n = use_i18n();
    let message = move || errors.for_field(name).map(|k| i18n.t(k));
    let error_id = format!("{name}-error");
    view! {
        <div class="field check">
            <input
                id=name
                name=name
                type="checkbox"
                value="on"
                aria-describedby=error_id.clone()
                on:change=move |ev| { let v = event_target_checked(&ev); form.update(|f| update(f, v)); errors.touch(name); }
            />
            <label for=name>{move || i18n.t(label)}</label>
            <p class="field-error" id=error_id data-field=name>{message}</p>
        </div>
    }
}
