//! The string table. Adding a key without both languages does not compile.

use super::Lang;

macro_rules! strings {
    ($($key:ident => $it:literal, $en:literal;)*) => {
        /// Identifies one user-facing text.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Key { $($key),* }

        impl Key {
            /// Every key, for completeness tests.
            pub const ALL: &'static [Key] = &[$(Key::$key),*];

            /// The text in `lang`.
            pub fn text(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((Key::$key, Lang::It) => $it, (Key::$key, Lang::En) => $en,)*
                }
            }
        }
    };
}

strings! {
    AppName => "ImaGross Fedeltà", "ImaGross Loyalty";
    SkipToContent => "Vai al contenuto", "Skip to content";
    NavHome => "Home", "Home";
    NavSignup => "Registrati", "Sign up";
    NavLogin => "Accedi", "Log in";
    NavClaim => "Attiva la tua carta", "Activate your card";
    NavMe => "La mia area", "My area";
    NavAdmin => "Cruscotto", "Dashboard";
    NavMenu => "Menu principale", "Main menu";
    LanguageLabel => "Lingua", "Language";
    PageCard => "La mia carta", "My card";
    PageReceipts => "I miei scontrini", "My receipts";
    PageCustomers => "Clienti", "Customers";
    PageImport => "Importazione dati", "Data import";
    PageUsers => "Utenti amministratori", "Admin users";
    ReservedNotice => "Questa sezione è in preparazione.", "This section is being prepared.";
    NotFoundTitle => "Pagina non trovata", "Page not found";
    NotFoundBody => "L'indirizzo non esiste. Torna alla home.", "That address does not exist. Go back home.";
    FooterText => "ImaGross Fedeltà — la carta della tua spesa", "ImaGross Loyalty — the card for your shopping";
    HeroTitle => "La tua spesa, premiata", "Your shopping, rewarded";
    HeroBody => "Con la carta ImaGross ogni euro speso vale un punto: sali di livello, sblocca badge e risparmia con le promozioni.", "With the ImaGross card every euro you spend earns a point: climb the levels, unlock badges and save with promotions.";
    CtaSignup => "Crea la carta digitale", "Get the digital card";
    CtaClaim => "Hai già la carta? Attivala", "Already have a card? Activate it";
    EstimatorTitle => "Quanti punti guadagni?", "How many points do you earn?";
    EstimatorLabel => "Spesa media a settimana (euro)", "Average weekly spend (euros)";
    EstimatorResult => "Punti in un anno", "Points in a year";
    EstimatorLevel => "Livello raggiunto", "Level reached";
    LevelsTitle => "I livelli della carta", "Card levels";
    LevelsChartLabel => "Grafico dei punti necessari per ogni livello", "Chart of the points needed for each level";
    LevelsAxis => "Punti negli ultimi 12 mesi", "Points in the last 12 months";
    LevelBronze => "Bronzo", "Bronze";
    LevelSilver => "Argento", "Silver";
    LevelGold => "Oro", "Gold";
    LevelPlatinum => "Platino", "Platinum";
}
