//! The shape of `shared`, held by a test: each feature's model imports neither HTTP nor the store
//! nor the services; stores and services know nothing of HTTP; the platform part knows no
//! feature. A `use` that crosses a line fails here, naming the file and the line.

use std::path::{Path, PathBuf};

const FEATURES: &[&str] = &["accounts", "menu", "orders"];

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
