//! The OpenAPI document cannot drift from the routers: it lists exactly the contract's routes,
//! every documented operation answers (is routed, not 404/405), and it is well-formed enough
//! for client generators (unique operation ids, every $ref resolves).

use std::collections::BTreeSet;
use std::path::PathBuf;

use api_tests::{Function, ROUTES, TestApp};
use serde_yaml::Value;

fn spec() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/openapi.yaml");
    serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn the_document_lists_exactly_the_contract_routes() {
    let spec = spec();
    assert_eq!(spec["openapi"].as_str(), Some("3.1.0"));
    let mut documented = BTreeSet::new();
    let mut operation_ids = BTreeSet::new();
    for (path, item) in spec["paths"].as_mapping().unwrap() {
        for (method, op) in item.as_mapping().unwrap() {
            let method = method.as_str().unwrap().to_uppercase();
            documented.insert((method, path.as_str().unwrap().to_owned()));
            assert!(
                operation_ids.insert(op["operationId"].as_str().unwrap().to_owned()),
                "duplicate operationId"
            );
            assert!(
                op["responses"]["default"].is_mapping(),
                "every operation documents its error body"
            );
        }
    }
    let contract: BTreeSet<_> = ROUTES
        .iter()
        .map(|r| (r.method.to_owned(), r.path.to_owned()))
        .collect();
    assert_eq!(documented, contract);
}

#[test]
fn every_reference_resolves() {
    let spec = spec();
    let text = serde_yaml::to_string(&spec).unwrap();
    for cap in text.split("$ref: ").skip(1) {
        let reference = cap
            .split_whitespace()
            .next()
            .unwrap()
            .trim_matches(|c| c == '\'' || c == '"');
        let mut node = &spec;
        for part in reference.trim_start_matches("#/").split('/') {
            node = &node[part];
        }
        assert!(!node.is_null(), "{reference} does not resolve");
    }
}

#[tokio::test]
async fn every_documented_operation_is_routed() {
    let t = TestApp::new().await;
    let spec = spec();
    for (path, item) in spec["paths"].as_mapping().unwrap() {
        let path = path.as_str().unwrap().replace("{id}", "01JD5Q6M3N5P7Q9R1S3T5V7W9X");
        for (method, _) in item.as_mapping().unwrap() {
            let method = method.as_str().unwrap().to_uppercase();
            let request = http::Request::builder()
                .method(method.as_str())
                .uri(&path)
                .body(lambda_http::Body::from("{}"))
                .unwrap();
            let res = t.send_to(Function::for_path(&path), request).await;
            assert_ne!(res.status, 405, "{method} {path}");
            assert_ne!(res.code(), "route_not_found", "{method} {path}");
        }
    }
}
