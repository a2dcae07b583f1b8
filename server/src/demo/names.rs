//! Word lists for realistic Italian demo data.

pub const FIRST_NAMES_F: &[&str] = &[
    "Giulia", "Francesca", "Chiara", "Sara", "Valentina", "Elena", "Alessandra", "Martina", "Federica", "Silvia",
    "Laura", "Paola", "Roberta", "Anna", "Maria", "Giorgia", "Elisa", "Simona", "Barbara", "Cristina",
    "Monica", "Daniela", "Ilaria", "Veronica", "Beatrice", "Rosa", "Lucia", "Teresa", "Angela", "Caterina",
];
pub const FIRST_NAMES_M: &[&str] = &[
    "Marco", "Luca", "Andrea", "Francesco", "Alessandro", "Matteo", "Lorenzo", "Davide", "Simone", "Federico",
    "Stefano", "Paolo", "Giovanni", "Roberto", "Giuseppe", "Antonio", "Riccardo", "Fabio", "Massimo", "Nicola",
    "Daniele", "Alberto", "Enrico", "Filippo", "Tommaso", "Pietro", "Michele", "Claudio", "Sergio", "Giorgio",
];
pub const LAST_NAMES: &[&str] = &[
    "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco",
    "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo", "Lombardi", "Moretti",
    "Barbieri", "Fontana", "Santoro", "Mariani", "Rinaldi", "Caruso", "Ferrara", "Galli", "Martini", "Leone",
    "Longo", "Gentile", "Martinelli", "Vitale", "Lombardo", "Serra", "Coppola", "De Santis", "D'Angelo", "Marchetti",
    "Parisi", "Villa", "Conte", "Ferraro", "Ferri", "Fabbri", "Bianco", "Marini", "Grasso", "Valentini",
    "Messina", "Sala", "De Angelis", "Gatti", "Pellegrini", "Palumbo", "Sanna", "Farina", "Rizzi", "Monti",
    "Cattaneo", "Morelli", "Amato", "Silvestri", "Mazza", "Testa", "Grassi", "Pellegrino", "Carbone", "Giuliani",
    "Benedetti", "Barone", "Rossetti", "Caputo", "Montanari", "Guerra", "Palmieri", "Bernardi", "Martino", "Fiore",
];

/// (store code, store name, city, province).
pub const STORES: &[(&str, &str, &str, &str)] = &[
    ("S01", "ImaGross Forlì Centro", "Forlì", "FC"),
    ("S02", "ImaGross Cesena Ponte Abbadesse", "Cesena", "FC"),
    ("S03", "ImaGross Rimini Marecchiese", "Rimini", "RN"),
    ("S04", "ImaGross Ravenna Darsena", "Ravenna", "RA"),
    ("S05", "ImaGross Faenza", "Faenza", "RA"),
    ("S06", "ImaGross Imola", "Imola", "BO"),
    ("S07", "ImaGross Lugo", "Lugo", "RA"),
    ("S08", "ImaGross Cervia", "Cervia", "RA"),
    ("S09", "ImaGross Riccione", "Riccione", "RN"),
    ("S10", "ImaGross Cesenatico", "Cesenatico", "FC"),
];

/// (code, name, share of products, typical unit price in cents, sold by weight).
pub const DEPARTMENTS: &[(&str, &str, u32, i64, bool)] = &[
    ("R01", "Ortofrutta", 9, 220, true),
    ("R02", "Macelleria", 6, 950, true),
    ("R03", "Pescheria", 3, 1400, true),
    ("R04", "Salumeria e Formaggi", 8, 480, false),
    ("R05", "Latticini", 7, 180, false),
    ("R06", "Panetteria", 4, 250, false),
    ("R07", "Pasticceria", 3, 420, false),
    ("R08", "Surgelati", 6, 390, false),
    ("R09", "Pasta e Riso", 5, 150, false),
    ("R10", "Conserve e Sughi", 5, 210, false),
    ("R11", "Colazione e Dolci", 6, 280, false),
    ("R12", "Bevande", 7, 160, false),
    ("R13", "Vini e Alcolici", 5, 790, false),
    ("R14", "Acqua", 2, 45, false),
    ("R15", "Igiene e Cura", 7, 350, false),
    ("R16", "Casa", 6, 310, false),
    ("R17", "Animali", 3, 290, false),
    ("R18", "Infanzia", 2, 520, false),
    ("R19", "Biologico", 4, 340, false),
    ("R20", "Gastronomia", 2, 650, true),
];

pub const PRODUCT_WORDS: &[&str] = &[
    "Classico", "Bio", "Light", "Famiglia", "Gran Gusto", "Tradizione", "Selezione", "Premium", "Convenienza", "Fresco",
    "Integrale", "Delicato", "Intenso", "Maxi", "Mini", "Romagnolo", "Italiano", "Montagna", "Mediterraneo", "Qualità Oro",
];

pub const BRANDS: &[&str] = &[
    "ImaGross", "Sole Verde", "Colline", "Adriatica", "Buona Terra", "Casa Nostra", "Mulino Alto", "Val di Sole", "Romagna Bio", "Fior di Latte",
];
