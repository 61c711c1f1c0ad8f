//! The route list (`shared::platform::routes::ROUTES`) is the one source of the routes: every
//! function's router serves exactly its routes (and answers 404/405 for the others), each route
//! asks for the access the list says, and the `cargo lambda watch` router in the workspace
//! `Cargo.toml` sends every path to its function. (The template, the OpenAPI document and the
//! events are checked against the same list in `template.rs`, `openapi.rs` and `events.rs`.)

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use api_tests::{Access, Function, ROUTES, Route, TestApp};
use shared::platform::routes::{FALLBACK_FUNCTION, FUNCTIONS};

const ID: &str = "01JD5Q6M3N5P7Q9R1S3T5V7W9X";
const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE"];

fn concrete(path: &str) -> String {
    path.replace("{id}", ID)
}

fn request(method: &str, path: &str, token: Option<&str>) -> http::Request<lambda_http::Body> {
    let mut builder = http::Request::builder()
        .method(method)
        .uri(concrete(path))
        .header("content-type", "application/json");
    if let Some(token) = token {
        builder = builder.header("authorization", format!("Bearer {token}"));
    }
    builder.body(lambda_http::Body::from("{}")).unwrap()
}

#[tokio::test]
async fn each_function_serves_exactly_its_listed_routes() {
    let t = TestApp::new().await;
    let paths: BTreeSet<&str> = ROUTES.iter().map(|r| r.path).collect();
    for name in FUNCTIONS {
        let function = Function::from_name(name).unwrap();
        for path in &paths {
            for method in METHODS {
                let listed = ROUTES
                    .iter()
                    .any(|r| r.function == *name && r.path == *path && r.method == *method);
                let owns_path = ROUTES.iter().any(|r| r.function == *name && r.path == *path);
                // `/api/orders/admin/` is also `/api/orders/{id}/` to the orders function: API
                // Gateway never sends it there, so what that function makes of it is not checked.
                let shadowed = !owns_path && ROUTES.iter().any(|r| r.function == *name && r.matches(&concrete(path)));
                if shadowed {
                    continue;
                }
                let res = t.send_to(function, request(method, path, None)).await;
                if listed {
                    assert_ne!(res.status, 405, "{name}: {method} {path}: {}", res.raw);
                    assert_ne!(res.code(), "route_not_found", "{name}: {method} {path}");
                } else if owns_path {
                    assert_eq!(res.status, 405, "{name} serves {method} {path}, which is not listed");
                } else {
                    // Not its path: the contract's 405 (a listed path) from its fallback, never a
                    // handler (API Gateway sends it such requests only through `$default`).
                    assert_eq!(
                        res.code(),
                        "method_not_allowed",
                        "{name} serves {method} {path}, which the list gives to another function"
                    );
                }
            }
        }
    }
}

#[tokio::test]
async fn every_route_asks_for_the_access_the_list_gives_it() {
    let t = TestApp::new().await;
    let mut customer = t.customer_token().await;
    let mut admin = t.admin_token().await;
    for route in ROUTES {
        let function = Function::from_name(route.function).unwrap();
        let anonymous = t.send_to(function, request(route.method, route.path, None)).await;
        let as_customer = t
            .send_to(function, request(route.method, route.path, Some(&customer)))
            .await;
        let as_admin = t
            .send_to(function, request(route.method, route.path, Some(&admin)))
            .await;
        let what = format!("{} {}", route.method, route.path);
        match route.access {
            Access::Public => assert_ne!(anonymous.code(), "not_authenticated", "{what}"),
            Access::User | Access::Customer | Access::Admin => {
                assert_eq!(anonymous.status, 401, "{what}");
                assert_eq!(anonymous.code(), "not_authenticated", "{what}");
            }
        }
        match route.access {
            Access::Customer => assert_eq!(as_admin.code(), "forbidden", "{what}"),
            Access::Admin => assert_eq!(as_customer.code(), "forbidden", "{what}"),
            Access::Public | Access::User => {}
        }
        if matches!(route.access, Access::User | Access::Customer) {
            assert!(
                ![401, 403].contains(&as_customer.status.as_u16()),
                "{what}: {}",
                as_customer.raw
            );
        }
        if matches!(route.access, Access::User | Access::Admin) {
            assert!(
                ![401, 403].contains(&as_admin.status.as_u16()),
                "{what}: {}",
                as_admin.raw
            );
        }
        if route.path == "/api/auths/logout-all/" {
            // That ended both callers' sessions: the routes after it get fresh ones.
            customer = t.customer_token().await;
            admin = t.admin_token().await;
        }
    }
}

/// What API Gateway's `$default` route hands the fallback function: a known path with a method it
/// does not route (405), or a path nobody routes (404), each the contract's JSON.
#[tokio::test]
async fn the_default_route_answers_the_contracts_404_and_405() {
    let t = TestApp::new().await;
    let fallback = Function::from_name(FALLBACK_FUNCTION).unwrap();
    for (method, path, status, code) in [
        ("GET", "/api/auths/signup/", 405, "method_not_allowed"),
        (
            "DELETE",
            "/api/orders/01JD5Q6M3N5P7Q9R1S3T5V7W9X/cancel",
            405,
            "method_not_allowed",
        ),
        ("PUT", "/api/foods/admin/items/", 405, "method_not_allowed"),
        ("GET", "/", 404, "route_not_found"),
        ("GET", "/api/nothing/here/", 404, "route_not_found"),
        (
            "POST",
            "/api/foods/01JD5Q6M3N5P7Q9R1S3T5V7W9X/extra/",
            404,
            "route_not_found",
        ),
    ] {
        let res = t.send_to(fallback, request(method, path, None)).await;
        assert_eq!(res.status, status, "{method} {path}: {}", res.raw);
        assert_eq!(res.code(), code, "{method} {path}");
        assert_eq!(res.headers["content-type"], "application/json");
    }
}

#[test]
fn the_cargo_lambda_watch_router_sends_each_listed_path_to_its_function() {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml");
    let manifest: toml::Table = std::fs::read_to_string(manifest).unwrap().parse().unwrap();
    let router = manifest["workspace"]["metadata"]["lambda"]["watch"]["router"]
        .as_table()
        .expect("[workspace.metadata.lambda.watch.router]");
    let actual: BTreeMap<String, String> = router
        .iter()
        .map(|(path, function)| (path.clone(), function.as_str().unwrap().to_owned()))
        .collect();
    let mut expected = BTreeMap::new();
    for Route { function, path, .. } in ROUTES {
        expected.insert((*path).to_owned(), (*function).to_owned());
        expected.insert(path.trim_end_matches('/').to_owned(), (*function).to_owned());
    }
    expected.insert("/{*rest}".to_owned(), FALLBACK_FUNCTION.to_owned());
    expected.insert("/".to_owned(), FALLBACK_FUNCTION.to_owned());
    assert_eq!(actual, expected);
}
