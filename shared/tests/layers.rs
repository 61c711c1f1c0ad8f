//! The shape of `shared`, held by a test: each feature's model imports neither HTTP nor the store
//! nor the services; stores and services know nothing of HTTP; the platform part knows no
//! feature; no feature imports the wiring (`app`); and the features' dependencies point one way
//! (no two features import each other, directly or round a longer loop). A `use` that crosses a
//! line fails here, naming the file and the line.

use std::path::{Path, PathBuf};

const FEATURES: &[&str] = &[
    "accounts",
    "menu",
    "kitchens",
    "orders",
    "cart",
    "payments",
    "notifications",
    "coupons",
    "wallet",
    "inbox",
    "alerts",
    "realtime",
    "reports",
];

fn src() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file at `path` (a file, or a folder searched recursively).
fn rust_files(path: &Path) -> Vec<PathBuf> {
    if path.is_file() {
        return vec![path.to_owned()];
    }
    let mut files = Vec::new();
    if let Ok(entries) = std::fs::read_dir(path) {
        for entry in entries.flatten() {
            files.extend(rust_files(&entry.path()));
        }
    }
    files.retain(|f| f.extension().is_some_and(|e| e == "rs"));
    files.sort();
    files
}

/// The code lines of a file before its tests (comments dropped).
fn code_lines(file: &Path) -> Vec<(usize, String)> {
    let text = std::fs::read_to_string(file).unwrap();
    text.lines()
        .enumerate()
        .take_while(|(_, line)| !line.starts_with("#[cfg(test)]"))
        .map(|(i, line)| (i + 1, line.split("//").next().unwrap_or_default().to_owned()))
        .filter(|(_, line)| !line.trim().is_empty())
        .collect()
}

/// Fails naming every line of `files` that mentions one of `forbidden`.
fn assert_none(what: &str, files: &[PathBuf], forbidden: &[&str]) {
    let mut offences = Vec::new();
    for file in files {
        for (n, line) in code_lines(file) {
            for word in forbidden {
                if line.contains(word) {
                    offences.push(format!("{}:{n}: {word}: {}", file.display(), line.trim()));
                }
            }
        }
    }
    assert!(offences.is_empty(), "{what}:\n{}", offences.join("\n"));
}

fn model_files(feature: &str) -> Vec<PathBuf> {
    let mut files = rust_files(&src().join(feature).join("model.rs"));
    files.extend(rust_files(&src().join(feature).join("model")));
    assert!(!files.is_empty(), "{feature} has no model");
    files
}

const HTTP: &[&str] = &[
    "axum",
    "http::",
    "lambda_http",
    "ApiError",
    "platform::http",
    "crate::app",
];

#[test]
fn models_import_neither_http_nor_the_store_nor_services() {
    let mut forbidden = HTTP.to_vec();
    forbidden.extend(["aws_sdk", "serde_dynamo", "platform::db", "::store", "::service"]);
    for feature in FEATURES {
        assert_none(&format!("the {feature} model"), &model_files(feature), &forbidden);
    }
}

#[test]
fn stores_and_services_know_nothing_of_http() {
    for feature in FEATURES {
        let dir = src().join(feature);
        let mut files = rust_files(&dir.join("store.rs"));
        files.extend(rust_files(&dir.join("service.rs")));
        assert!(files.len() == 2, "{feature} has a store and a service");
        if *feature == "notifications" {
            // Its words (`templates.rs`) are plain text too.
            files.extend(rust_files(&dir.join("templates.rs")));
        }
        assert_none(&format!("the {feature} store and service"), &files, HTTP);
    }
}

#[test]
fn the_platform_knows_no_feature() {
    let mut forbidden: Vec<String> = FEATURES.iter().map(|f| format!("crate::{f}")).collect();
    forbidden.push("crate::app".into());
    let forbidden: Vec<&str> = forbidden.iter().map(String::as_str).collect();
    assert_none("the platform part", &rust_files(&src().join("platform")), &forbidden);
}

/// Which features each feature's code names (`crate::<feature>`).
fn feature_imports() -> std::collections::BTreeMap<&'static str, std::collections::BTreeSet<&'static str>> {
    let mut graph = std::collections::BTreeMap::new();
    for feature in FEATURES {
        let mut uses = std::collections::BTreeSet::new();
        for file in rust_files(&src().join(feature)) {
            for (_, line) in code_lines(&file) {
                for other in FEATURES.iter().filter(|o| *o != feature) {
                    if line.contains(&format!("crate::{other}::")) || line.contains(&format!("crate::{other};")) {
                        uses.insert(*other);
                    }
                }
            }
        }
        graph.insert(*feature, uses);
    }
    graph
}

#[test]
fn no_feature_imports_the_wiring() {
    for feature in FEATURES {
        assert_none(
            &format!("the {feature} feature"),
            &rust_files(&src().join(feature)),
            &["crate::app", "crate::App"],
        );
    }
}

#[test]
fn feature_dependencies_point_one_way() {
    let graph = feature_imports();
    // Depth-first: a feature met again while still on the path closes a loop.
    fn visit<'a>(
        node: &'a str,
        graph: &std::collections::BTreeMap<&'a str, std::collections::BTreeSet<&'a str>>,
        path: &mut Vec<&'a str>,
        done: &mut std::collections::BTreeSet<&'a str>,
    ) -> Option<Vec<&'a str>> {
        if let Some(at) = path.iter().position(|n| *n == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node);
            return Some(cycle);
        }
        if !done.insert(node) {
            return None;
        }
        path.push(node);
        for next in &graph[node] {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        None
    }
    let mut done = std::collections::BTreeSet::new();
    for feature in FEATURES {
        if let Some(cycle) = visit(feature, &graph, &mut Vec::new(), &mut done) {
            panic!("features import each other: {}\n{graph:?}", cycle.join(" -> "));
        }
    }
    // The picture in docs/architecture.md: the base features use only the platform.
    for base in ["accounts", "menu"] {
        assert!(graph[base].is_empty(), "{base} imports {:?}", graph[base]);
    }
}

#[test]
fn the_checks_above_see_what_they_forbid() {
    // A model line that imports the store is caught, so the tests cannot pass by reading nothing.
    let dir = std::env::temp_dir().join(format!("layers-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("model.rs");
    std::fs::write(&file, "use crate::orders::store::OrderStore;\n// use axum::Router;\n").unwrap();
    let caught = std::panic::catch_unwind(|| assert_none("probe", std::slice::from_ref(&file), &["::store"]));
    let comment_ignored = std::panic::catch_unwind(|| assert_none("probe", std::slice::from_ref(&file), &["axum"]));
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(caught.is_err());
    assert!(comment_ignored.is_ok());
}
