//! The layer rule, checked: a module of the server (and of the shared `app` crate) imports only
//! from the layers below it. Reads the sources as text; a `crate::x` path anywhere in a module's
//! files (a `use`, a qualified call, a doc link) counts as an import of `x`.

use std::collections::BTreeMap;
use std::path::Path;

/// Server modules by layer, lowest first (the order of `server/src/lib.rs`). Inside a layer a
/// module may import the ones listed before it, never after.
const SERVER: &[&[&str]] = &[
    &["clock", "error", "config", "telemetry", "limiter"],
    &["store"],
    &["projection", "lease"],
    &[
        "demo",
        "accounts",
        "auth",
        "points",
        "cards",
        "rewards",
        "analytics",
        "watchdog",
        "import",
        "personal",
        "campaigns",
    ],
    &["till_api", "http", "cli"],
    &["wiring"],
];

/// The shared crate: wire models and rules first, then server functions, then the UI.
const APP: &[&[&str]] = &[
    &["i18n", "validate", "error", "model", "format"],
    &["ports", "server_fns", "session"],
    &["components"],
    &["pages"],
];

fn rank(layers: &[&[&str]]) -> BTreeMap<String, usize> {
    layers.iter().flat_map(|l| l.iter()).enumerate().map(|(i, m)| (m.to_string(), i)).collect()
}

/// `(module, imported module, file)` for every `crate::x` in the sources below `src`.
fn imports(src: &Path) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(src).unwrap();
            let module =
                rel.components().next().unwrap().as_os_str().to_string_lossy().trim_end_matches(".rs").to_string();
            let text = std::fs::read_to_string(&path).unwrap();
            for (i, _) in text.match_indices("crate::") {
                let name: String =
                    text[i + 7..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                if !name.is_empty() && name != module {
                    out.push((module.clone(), name, rel.display().to_string()));
                }
            }
        }
    }
    out
}

fn upward(src: &Path, layers: &[&[&str]]) -> Vec<String> {
    let rank = rank(layers);
    let mut bad: Vec<String> = imports(src)
        .into_iter()
        .filter(|(module, _, _)| rank.contains_key(module))
        .filter_map(|(module, used, file)| {
            let (Some(m), Some(u)) = (rank.get(&module), rank.get(&used)) else { return None };
            (u > m).then(|| format!("{file}: `{module}` imports `{used}`, which is above it"))
        })
        .collect();
    bad.sort();
    bad.dedup();
    bad
}

fn unlisted(src: &Path, layers: &[&[&str]], roots: &[&str]) -> Vec<String> {
    let rank = rank(layers);
    std::fs::read_dir(src)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| p.file_name().unwrap().to_string_lossy().trim_end_matches(".rs").to_string())
        .filter(|m| !rank.contains_key(m) && !roots.contains(&m.as_str()))
        .collect()
}

#[test]
fn server_modules_import_only_downward() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    assert_eq!(unlisted(&src, SERVER, &["lib", "main"]), Vec::<String>::new(), "every module has a layer");
    let bad = upward(&src, SERVER);
    assert!(bad.is_empty(), "upward imports:\n{}", bad.join("\n"));
}

#[test]
fn app_modules_import_only_downward() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../app/src");
    assert_eq!(unlisted(&src, APP, &["lib"]), Vec::<String>::new(), "every module has a layer");
    let bad = upward(&src, APP);
    assert!(bad.is_empty(), "upward imports:\n{}", bad.join("\n"));
}

#[test]
fn the_check_sees_an_upward_import() {
    // The check itself: a store file naming the analytics is reported.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("store")).unwrap();
    std::fs::write(dir.path().join("store/mod.rs"), "use crate::analytics::Snapshot;\nuse crate::clock::today;\n")
        .unwrap();
    let bad = upward(dir.path(), SERVER);
    assert_eq!(bad, vec!["store/mod.rs: `store` imports `analytics`, which is above it".to_string()]);
}
