//! The one translation layer: every user-facing string is a [`Key`] looked up for the current
//! [`Lang`]. Italian is the default; the choice is remembered in the `lang` cookie so the server
//! render and the browser agree before and after hydration.

mod strings;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub use strings::Key;

/// Every user-facing enum (segments, levels, KPIs, badges, challenges, validation problems)
/// names itself through one [`Key`] of the strings table: the one labelling convention.
pub trait Label {
    /// The key of its name.
    fn key(&self) -> Key;

    /// Its name in `lang`.
    fn label(&self, lang: Lang) -> &'static str {
        self.key().text(lang)
    }
}

/// Name of the cookie that remembers the chosen language.
pub const LANG_COOKIE: &str = "lang";

/// A supported UI language.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lang {
    /// Italian, the default.
    #[default]
    It,
    /// English.
    En,
}

impl Lang {
    /// Every language, in menu order.
    pub const ALL: [Lang; 2] = [Lang::It, Lang::En];

    /// The BCP 47 code used in `<html lang>` and in the cookie.
    pub fn code(self) -> &'static str {
        match self {
            Lang::It => "it",
            Lang::En => "en",
        }
    }

    /// Parses a cookie or header value; unknown values give `None`.
    pub fn from_code(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "it" => Some(Lang::It),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// Finds the language in a `Cookie` header value (`a=1; lang=en`).
    pub fn from_cookie_header(header: &str) -> Option<Lang> {
        header
            .split(';')
            .filter_map(|pair| pair.split_once('='))
            .find(|(name, _)| name.trim() == LANG_COOKIE)
            .and_then(|(_, value)| Lang::from_code(value))
    }
}

/// The language context: a signal plus lookups that track it.
#[derive(Clone, Copy)]
pub struct I18n {
    lang: RwSignal<Lang>,
}

impl I18n {
    /// The current language (reactive).
    pub fn lang(&self) -> Lang {
        self.lang.get()
    }

    /// The text of `key` in the current language (reactive).
    pub fn t(&self, key: Key) -> &'static str {
        key.text(self.lang.get())
    }

    /// Switches language and remembers the choice in the browser.
    pub fn set_lang(&self, lang: Lang) {
        self.lang.set(lang);
        remember(lang);
    }
}

/// Installs the language context for the whole app; call once at the root.
pub fn provide_i18n() {
    provide_context(I18n { lang: RwSignal::new(initial_lang()) });
}

/// The language context installed by [`provide_i18n`].
pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

#[cfg(feature = "ssr")]
fn initial_lang() -> Lang {
    use_context::<http::request::Parts>()
        .and_then(|parts| {
            parts
                .headers
                .get_all(http::header::COOKIE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .find_map(Lang::from_cookie_header)
        })
        .unwrap_or_default()
}

#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
fn initial_lang() -> Lang {
    use wasm_bindgen::JsCast;
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.dyn_into::<web_sys::HtmlDocument>().ok())
        .and_then(|d| d.cookie().ok())
        .and_then(|c| Lang::from_cookie_header(&c))
        .unwrap_or_default()
}

#[cfg(not(any(feature = "ssr", feature = "hydrate")))]
fn initial_lang() -> Lang {
    Lang::default()
}

#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
fn remember(lang: Lang) {
    use wasm_bindgen::JsCast;
    if let Some(doc) =
        web_sys::window().and_then(|w| w.document()).and_then(|d| d.dyn_into::<web_sys::HtmlDocument>().ok())
    {
        let cookie = format!("{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax", lang.code());
        let _ = doc.set_cookie(&cookie);
    }
}

#[cfg(not(all(feature = "hydrate", not(feature = "ssr"))))]
fn remember(_lang: Lang) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_header_picks_the_lang_pair() {
        assert_eq!(Lang::from_cookie_header("a=1; lang=en; b=2"), Some(Lang::En));
        assert_eq!(Lang::from_cookie_header("lang=IT"), Some(Lang::It));
        assert_eq!(Lang::from_cookie_header("lang=fr"), None);
        assert_eq!(Lang::from_cookie_header("xlang=en"), None);
        assert_eq!(Lang::from_cookie_header(""), None);
    }

    #[test]
    fn every_key_has_both_languages() {
        for key in Key::ALL {
            for lang in Lang::ALL {
                assert!(!key.text(lang).trim().is_empty(), "{key:?} empty in {lang:?}");
            }
        }
    }
}
