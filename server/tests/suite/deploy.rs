//! The deployment files (`deploy/`) set only settings `imagross` knows: every environment
//! variable the ConfigMap, the Secret and the Containerfile set is one the binary lists in its
//! `--help` (its configuration), or one of the few read by libraries (Leptos' site root, the log
//! filter, the host name leases are named after). A typo there would otherwise be ignored
//! silently in production. (The static security checks run in the test command: checkov.)

use std::collections::BTreeSet;
use std::path::Path;

/// Read outside the configuration: Leptos' site files, tracing's filter, the replica's name.
const LIBRARY_SETTINGS: [&str; 3] = ["LEPTOS_SITE_ROOT", "RUST_LOG", "HOSTNAME"];

fn known() -> BTreeSet<String> {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_imagross")).arg("--help").output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    let mut names: BTreeSet<String> = help
        .split("[env: ")
        .skip(1)
        .map(|rest| rest.chars().take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_').collect())
        .collect();
    names.extend(LIBRARY_SETTINGS.iter().map(|s| s.to_string()));
    names
}

/// Keys of the `data:` / `stringData:` maps in a YAML file (two-space indented, upper case).
fn map_keys(text: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        if line.starts_with("data:") || line.starts_with("stringData:") {
            inside = true;
            continue;
        }
        if !line.starts_with("  ") && !line.trim().is_empty() {
            inside = false;
        }
        let key = line.trim_start().split(':').next().unwrap_or_default();
        if inside && line.starts_with("  ") && !line.starts_with("   ") && !key.starts_with('#') {
            keys.push(key.to_string());
        }
    }
    keys
}

#[test]
fn every_setting_the_deployment_sets_is_one_imagross_knows() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy");
    let known = known();
    assert!(known.contains("DATABASE_URL") && known.contains("JWT_SECRET"), "{known:?}");
    let mut set = Vec::new();
    let configmap = std::fs::read_to_string(root.join("k8s/configmap.yaml")).unwrap();
    set.extend(map_keys(&configmap));
    let secrets = std::fs::read_to_string(root.join("k8s/secret.yaml")).unwrap();
    let first = secrets.split("\n---").next().unwrap();
    let secret_keys = map_keys(first);
    assert_eq!(secret_keys, ["JWT_SECRET", "DATABASE_URL"], "the Secret holds exactly the two secrets");
    set.extend(secret_keys);
    let containerfile = std::fs::read_to_string(root.join("Containerfile")).unwrap();
    // The image's own settings: the ENV lines of the last stage (the build stage's are cargo's).
    let run_stage = containerfile.rsplit("\nFROM ").next().unwrap();
    let mut in_env = false;
    for line in run_stage.lines() {
        let l = line.trim();
        let rest = match l.strip_prefix("ENV ") {
            Some(r) => r,
            None if in_env => l,
            None => continue,
        };
        in_env = rest.ends_with('\\');
        if let Some((name, _)) = rest.split_once('=') {
            set.push(name.trim().to_string());
        }
    }
    assert!(set.len() >= 15, "the files were not read: {set:?}");
    let unknown: Vec<&String> = set.iter().filter(|n| !known.contains(*n)).collect();
    assert!(unknown.is_empty(), "settings imagross does not know: {unknown:?}");
    // The Deployment reads both maps, and probes the endpoints the server has.
    let deployment = std::fs::read_to_string(root.join("k8s/deployment.yaml")).unwrap();
    for needed in ["name: imagross-config", "name: imagross-secrets", "path: /healthz", "path: /readyz", "replicas: 3"]
    {
        assert!(deployment.contains(needed), "deployment.yaml lacks `{needed}`");
    }
}
