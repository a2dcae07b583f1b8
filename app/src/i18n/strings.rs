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
    ErrRequired => "Campo obbligatorio.", "This field is required.";
    ErrTooLong => "Testo troppo lungo.", "Too long.";
    ErrEmailInvalid => "Indirizzo email non valido.", "Not a valid email address.";
    ErrPhoneInvalid => "Numero di telefono non valido (es. 333 1234567 o +44 20 7946 0958).", "Not a valid phone number (e.g. +39 333 1234567).";
    ErrDateInvalid => "Data non valida.", "Not a valid date.";
    ErrTooYoung => "Devi avere almeno 18 anni.", "You must be at least 18.";
    ErrPasswordTooShort => "La password deve avere almeno 10 caratteri.", "The password needs at least 10 characters.";
    ErrPasswordMismatch => "Le due password non coincidono.", "The passwords do not match.";
    ErrPasswordIsContact => "La password non può essere la tua email o il tuo telefono.", "The password cannot be your email or phone.";
    ErrConsentRequired => "Il consenso privacy è obbligatorio.", "The privacy consent is required.";
    ErrTaken => "Già registrato: accedi o usa un altro valore.", "Already registered: log in or use another value.";
    ErrStoreUnknown => "Punto vendita sconosciuto.", "Unknown store.";
    ErrGeneric => "Qualcosa è andato storto. Riprova tra poco.", "Something went wrong. Please try again shortly.";
    SignupTitle => "Crea la tua carta digitale", "Get your digital card";
    SignupIntro => "Compila i campi: la carta è pronta subito e vale in tutti i punti vendita.", "Fill in the form: your card is ready at once and works in every store.";
    FieldFirstName => "Nome", "First name";
    FieldLastName => "Cognome", "Last name";
    FieldEmail => "Email", "Email";
    FieldPhone => "Cellulare", "Mobile phone";
    FieldBirthDate => "Data di nascita", "Date of birth";
    FieldStore => "Punto vendita preferito", "Preferred store";
    FieldStoreNone => "Nessuna preferenza", "No preference";
    FieldPassword => "Password (almeno 10 caratteri)", "Password (at least 10 characters)";
    FieldPasswordConfirm => "Ripeti la password", "Repeat the password";
    FieldPrivacy => "Ho letto l'informativa privacy e acconsento al trattamento dei dati (obbligatorio)", "I have read the privacy notice and consent to data processing (required)";
    FieldMarketing => "Voglio ricevere offerte e novità (facoltativo)", "Send me offers and news (optional)";
    SignupSubmit => "Crea la carta", "Create my card";
    SignupPending => "Creazione in corso…", "Creating…";
    SignupDoneTitle => "Benvenuto! La tua carta è pronta", "Welcome! Your card is ready";
    SignupDoneCard => "Numero carta", "Card number";
    SignupGoToCard => "Vai alla tua carta", "Go to your card";
    LoginTitle => "Accedi", "Log in";
    LoginIntro => "Usa il numero della carta, l'email o il cellulare.", "Use your card number, email or mobile number.";
    FieldIdentifier => "Numero carta, email o cellulare", "Card number, email or mobile";
    FieldPasswordPlain => "Password", "Password";
    LoginSubmit => "Accedi", "Log in";
    LoginFailed => "Credenziali non valide.", "Wrong credentials.";
    LoginLimited => "Troppi tentativi: riprova più tardi.", "Too many attempts: try again later.";
    LoginNoAccount => "Non hai un account?", "No account yet?";
    Logout => "Esci", "Log out";
    Greeting => "Ciao", "Hello";
    CardHolder => "Titolare", "Holder";
    CardNumber => "Numero carta", "Card number";
    CardBarcodeLabel => "Codice a barre della carta", "Card barcode";
    CardQrLabel => "Codice QR della carta", "Card QR code";
    CardShowAtTill => "Mostra il codice alla cassa.", "Show the code at the till.";
    CardLevel => "Livello", "Level";
    CardPoints => "Saldo punti", "Points balance";
    CardPoints12m => "Punti negli ultimi 12 mesi", "Points in the last 12 months";
    CardToNext => "punti per il livello", "points to level";
    CardTopLevel => "Hai raggiunto il livello massimo.", "You reached the top level.";
    CardNoCard => "Nessuna carta collegata a questo account.", "No card is linked to this account.";
    NeedLogin => "Accedi per vedere questa pagina.", "Log in to see this page.";
    NotAllowed => "Non hai i permessi per questa pagina.", "You are not allowed to see this page.";
    AdminsTitle => "Amministratori", "Administrators";
    AdminsEmpty => "Nessun amministratore.", "No administrators.";
    AdminsCreate => "Nuovo amministratore", "New administrator";
    AdminsCreateSubmit => "Crea amministratore", "Create administrator";
    AdminsCreated => "Amministratore creato.", "Administrator created.";
    AdminsRole => "Ruolo", "Role";
    AdminsStatus => "Stato", "Status";
    AdminsActive => "Attivo", "Active";
    AdminsDisabled => "Disattivato", "Disabled";
    AdminsDisable => "Disattiva", "Disable";
    AdminsEnable => "Riattiva", "Re-enable";
    RoleAdmin => "Amministratore", "Administrator";
    RoleSuperAdmin => "Super amministratore", "Super administrator";
    RoleShopper => "Cliente", "Shopper";
    ClaimTitle => "Attiva la tua carta", "Activate your card";
    ClaimIntro => "Hai già la carta ImaGross di plastica? Inserisci il numero e un dato che ci hai lasciato: vedrai subito punti e acquisti.", "Already have a plastic ImaGross card? Enter its number and one detail we have on record: you will see your points and purchases at once.";
    FieldCardNumber => "Numero della carta (13 cifre)", "Card number (13 digits)";
    FieldProof => "Email, cellulare o data di nascita (AAAA-MM-GG) registrati", "Email, mobile or birth date (YYYY-MM-DD) on record";
    ClaimSubmit => "Attiva la carta", "Activate the card";
    ClaimMismatch => "I dati non corrispondono a nessuna carta da attivare.", "These details do not match any card to activate.";
    ClaimAlready => "Questa carta è già attiva: accedi.", "This card is already active: log in.";
    ImportIntro => "Carica un file Fidelity, Scontrini o Vendite (CSV, JSON o XLSX). Ogni importazione è registrata; reimportare lo stesso file non cambia nulla.", "Upload a Fidelity, Scontrini or Vendite file (CSV, JSON or XLSX). Every import is recorded; importing the same file again changes nothing.";
    ImportKind => "Tipo di file", "Kind of file";
    ImportKindAuto => "Riconosci dalle colonne", "Detect from the columns";
    ImportFile => "File", "File";
    ImportSubmit => "Importa", "Import";
    ImportRunning => "Importazione in corso", "Import running";
    ImportRowsRead => "Righe lette", "Rows read";
    ImportDone => "Importazione completata", "Import completed";
    ImportFailed => "Il file non è stato importato", "The file was not imported";
    ImportInserted => "Nuovi", "New";
    ImportUpdated => "Aggiornati", "Updated";
    ImportUnchanged => "Invariati", "Unchanged";
    ImportRejected => "Scartati", "Rejected";
    ImportErrorReport => "Scarica il rapporto degli scarti (CSV)", "Download the rejected rows (CSV)";
    ImportBatches => "Importazioni registrate", "Recorded imports";
    ImportNoBatches => "Nessuna importazione finora.", "No imports yet.";
    ImportStarted => "Inizio", "Started";
    ImportStatus => "Esito", "Outcome";
    FormHasErrors => "Controlla i campi evidenziati.", "Please check the highlighted fields.";
}
