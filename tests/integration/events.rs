//! Every file in `events/` is a real API Gateway HTTP API (payload 2.0) event: it parses as one
//! and its function routes it to a handler (not a 404/405).

use std::collections::BTreeSet;
use std::path::PathBuf;

use api_tests::{Function, ROUTES, Route, TestApp};

/// The route of the route list a concrete path and method fall under (`/api/foods/01J.../` ->
/// `/api/foods/{id}/`, `/api/kitchens/mama-put/` -> `/api/kitchens/{slug}/`), as API Gateway
/// matches it.
fn route_of(method: &str, path: &str) -> String {
    shared::platform::routes::routes_for(path)
        .into_iter()
        .find(|r| r.method == method)
        .map_or_else(|| path.to_owned(), |r| r.path.to_owned())
}

fn events_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../events")
}

#[tokio::test]
async fn every_event_parses_and_is_routed_by_its_function() {
    let t = TestApp::new().await;
    let mut covered = BTreeSet::new();
    let mut stream_events = Vec::new();
    let mut realtime_events = 0;
    let mut files: Vec<_> = std::fs::read_dir(events_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty());
    for path in files.iter().filter(|p| p.extension().is_some_and(|e| e == "json")) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("notifier-stream-") {
            stream_events.push(name);
            continue;
        }
        if name.starts_with("realtime-") {
            // API Gateway's WebSocket events: the handler answers each; with the recorded
            // ticket (a placeholder) and connection (never opened here) it refuses or does
            // nothing, never fails.
            let raw = std::fs::read_to_string(path).unwrap();
            let event: aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest =
                serde_json::from_str(&raw).unwrap_or_else(|e| panic!("{name}: {e}"));
            let answer = realtime::handle(&t.app, &event).await;
            match event.request_context.route_key.as_deref() {
                // Its X-Origin-Verify is a placeholder: refused as a connection around the front door.
                Some("$connect") => assert_eq!(answer.status_code, 403, "{name}"),
                Some("$disconnect") => assert_eq!(answer.status_code, 200, "{name}"),
                _ => {
                    let body = match &answer.body {
                        Some(aws_lambda_events::encodings::Body::Text(text)) => text.clone(),
                        other => panic!("{name}: {other:?}"),
                    };
                    assert!(body.contains("not_connected"), "{name}: {body}");
                }
            }
            realtime_events += 1;
            continue;
        }
        if name.starts_with("expiry-") {
            // The schedule's event: the sweep ignores what it carries; it must be JSON the
            // function's handler takes, and the sweep it triggers must run.
            let raw = std::fs::read_to_string(path).unwrap();
            let event: serde_json::Value = serde_json::from_str(&raw).unwrap_or_else(|e| panic!("{name}: {e}"));
            let context = lambda_runtime::Context::default();
            let answer = expiry::handler(&t.app, lambda_runtime::LambdaEvent::new(event, context))
                .await
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(answer["expired"], 0, "{name}");
            continue;
        }
        let function_name = name.split('-').next().unwrap();
        let function =
            Function::from_name(function_name).unwrap_or_else(|| panic!("{name}: no function {function_name}"));
        let raw = std::fs::read_to_string(path).unwrap();
        let request =
            lambda_http::request::from_str(&raw).unwrap_or_else(|e| panic!("{name} is not an API Gateway event: {e}"));
        covered.insert((
            function_name.to_owned(),
            request.method().to_string(),
            route_of(request.method().as_str(), request.uri().path()),
        ));
        let res = t.send_to(function, request).await;
        assert_ne!(res.status, 405, "{name}: {}", res.raw);
        assert_ne!(res.code(), "route_not_found", "{name}: {}", res.raw);
        assert!(res.status.as_u16() < 500, "{name}: {}", res.raw);
    }
    assert_eq!(realtime_events, 3, "$connect, $default and $disconnect");
    for Route {
        function, method, path, ..
    } in ROUTES
    {
        let key = ((*function).to_owned(), (*method).to_owned(), (*path).to_owned());
        assert!(covered.contains(&key), "no event for {method} {path} ({function})");
    }
    // The notifier takes stream events (what `notifier.rs` feeds it); each must parse as
    // Lambda's DynamoDB event, and together they show an insert, a modify and a remove.
    let mut kinds = BTreeSet::new();
    for name in &stream_events {
        let raw = std::fs::read_to_string(events_dir().join(name)).unwrap();
        let event: aws_lambda_events::event::dynamodb::Event =
            serde_json::from_str(&raw).unwrap_or_else(|e| panic!("{name} is not a DynamoDB Streams event: {e}"));
        assert!(!event.records.is_empty(), "{name}");
        kinds.extend(event.records.iter().map(|r| r.event_name.clone()));
    }
    assert_eq!(
        kinds,
        BTreeSet::from(["INSERT".to_owned(), "MODIFY".to_owned(), "REMOVE".to_owned()]),
        "notifier events"
    );
}
