//! Every file in `events/` is a real API Gateway HTTP API (payload 2.0) event: it parses as one
//! and its function routes it to a handler (not a 404/405).

use std::collections::BTreeSet;
use std::path::PathBuf;

use api_tests::{Function, ROUTES, Route, TestApp};

/// `/api/foods/01J.../` -> `/api/foods/{id}/`: path ids are ULIDs.
fn route_of(path: &str) -> String {
    path.split('/')
        .map(|seg| {
            if seg.len() == 26 && ulid::Ulid::from_string(seg).is_ok() {
                "{id}"
            } else {
                seg
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn events_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../events")
}

#[tokio::test]
async fn every_event_parses_and_is_routed_by_its_function() {
    let t = TestApp::new().await;
    let mut covered = BTreeSet::new();
    let mut files: Vec<_> = std::fs::read_dir(events_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty());
    for path in files.iter().filter(|p| p.extension().is_some_and(|e| e == "json")) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let function_name = name.split('-').next().unwrap();
        let function =
            Function::from_name(function_name).unwrap_or_else(|| panic!("{name}: no function {function_name}"));
        let raw = std::fs::read_to_string(path).unwrap();
        let request =
            lambda_http::request::from_str(&raw).unwrap_or_else(|e| panic!("{name} is not an API Gateway event: {e}"));
        covered.insert((
            function_name.to_owned(),
            request.method().to_string(),
            route_of(request.uri().path()),
        ));
        let res = t.send_to(function, request).await;
        assert_ne!(res.status, 405, "{name}: {}", res.raw);
        assert_ne!(res.code(), "route_not_found", "{name}: {}", res.raw);
        assert!(res.status.as_u16() < 500, "{name}: {}", res.raw);
    }
    for Route {
        function, method, path, ..
    } in ROUTES
    {
        let key = ((*function).to_owned(), (*method).to_owned(), (*path).to_owned());
        assert!(covered.contains(&key), "no event for {method} {path} ({function})");
    }
}
