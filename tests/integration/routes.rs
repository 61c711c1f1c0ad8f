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

/// A slug no kitchen has: the routes' own checks (401, 403) come before the kitchen is looked at.
const SLUG: &str = "no-kitchen-here";

fn concrete(path: &str) -> String {
    concrete_in(path, SLUG)
}

fn concrete_in(path: &str, slug: &str) -> String {
    path.replace("{id}", ID)
        .replace("{user_id}", ID)
        .replace("{slug}", slug)
}

fn request(method: &str, path: &str, token: Option<&str>) -> http::Request<lambda_http::Body> {
    request_in(method, &concrete(path), token)
}

fn request_in(method: &str, uri: &str, token: Option<&str>) -> http::Request<lambda_http::Body> {
    let mut builder = http::Request::builder()
        .method(method)
        .uri(uri)
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

/// A signed-in user: the access token of a live session, and one of a session that has ended
/// (logged out; the account's other sessions live on).
struct Signed {
    email: String,
    live: String,
    ended: String,
}

async fn signed(t: &TestApp, admin: bool) -> Signed {
    let email = api_tests::unique_email();
    if admin {
        ops::create_admin(t.app.db(), &email, "admin password".into())
            .await
            .unwrap();
    } else {
        t.verified_user(&email, "customer password").await;
    }
    let password = if admin { "admin password" } else { "customer password" };
    let ending = t.login(&email, password).await;
    let res = t
        .post("/api/auths/logout/", serde_json::json!({"refresh": ending["refresh"]}))
        .await;
    assert_eq!(res.status, 204, "{}", res.raw);
    Signed {
        live: t.login(&email, password).await["access"].as_str().unwrap().to_owned(),
        ended: ending["access"].as_str().unwrap().to_owned(),
        email,
    }
}

/// Everyone the routes tell apart: a customer, the platform admin, and a kitchen's owner,
/// manager and staff member, and a customer who is none of its staff.
struct Cast {
    customer: Signed,
    admin: Signed,
    owner: Signed,
    manager: Signed,
    staff: Signed,
    outsider: Signed,
    slug: String,
}

async fn cast(t: &TestApp) -> Cast {
    let (customer, admin, owner, manager, staff, outsider) = tokio::join!(
        signed(t, false),
        signed(t, true),
        signed(t, false),
        signed(t, false),
        signed(t, false),
        signed(t, false)
    );
    let slug = format!("k-{}", ulid::Ulid::new().to_string().to_lowercase());
    let res = t
        .call(
            http::Method::POST,
            "/api/kitchens/",
            Some(&owner.live),
            Some(serde_json::json!({"name": "Routes Kitchen", "slug": slug, "phone": "08031234567", "address": "1 Test Road"})),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.raw);
    for (member, role) in [(&manager, "manager"), (&staff, "staff")] {
        let res = t
            .call(
                http::Method::POST,
                &format!("/api/kitchens/{slug}/manage/staff/"),
                Some(&owner.live),
                Some(serde_json::json!({"identifier": member.email, "role": role})),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.raw);
    }
    Cast {
        customer,
        admin,
        owner,
        manager,
        staff,
        outsider,
        slug,
    }
}

/// Generated from the route list: every route that needs a caller answers 401 without a token
/// and 401 `session_revoked` for a session that has ended (whatever else the request says); a
/// wrong role and a kitchen's non-member get 403; the callers the list allows get neither.
#[tokio::test]
async fn every_route_asks_for_the_access_the_list_gives_it() {
    let t = TestApp::new().await;
    let mut c = cast(&t).await;
    for route in ROUTES {
        let function = Function::from_name(route.function).unwrap();
        let uri = concrete_in(route.path, &c.slug);
        let send = |token: Option<String>| {
            let (t, uri) = (&t, uri.clone());
            async move {
                t.send_to(function, request_in(route.method, &uri, token.as_deref()))
                    .await
            }
        };
        let what = format!("{} {}", route.method, route.path);
        let anonymous = send(None).await;
        if route.access == Access::Public {
            assert_ne!(anonymous.code(), "not_authenticated", "{what}");
            continue;
        }
        assert_eq!(anonymous.status, 401, "{what}");
        assert_eq!(anonymous.code(), "not_authenticated", "{what}");

        // Who may, who may not, and whose ended session stands for the allowed caller.
        let (allowed, refused, ended, refusal): (Vec<&str>, Vec<&str>, &str, &str) = match route.access {
            Access::Public => unreachable!(),
            Access::User => (vec![&c.customer.live, &c.admin.live], vec![], &c.customer.ended, ""),
            Access::Customer => (
                vec![&c.customer.live],
                vec![&c.admin.live],
                &c.customer.ended,
                "forbidden",
            ),
            Access::Admin => (
                vec![&c.admin.live],
                vec![&c.customer.live, &c.owner.live],
                &c.admin.ended,
                "forbidden",
            ),
            Access::Staff => (
                vec![&c.staff.live, &c.manager.live, &c.owner.live, &c.admin.live],
                vec![&c.outsider.live],
                &c.staff.ended,
                "not_kitchen_staff",
            ),
            Access::Manager => (
                vec![&c.manager.live, &c.owner.live, &c.admin.live],
                vec![&c.staff.live, &c.outsider.live],
                &c.manager.ended,
                "not_kitchen_staff",
            ),
            Access::Owner => (
                vec![&c.owner.live, &c.admin.live],
                vec![&c.manager.live, &c.staff.live, &c.outsider.live],
                &c.owner.ended,
                "not_kitchen_staff",
            ),
        };
        let res = send(Some(ended.to_owned())).await;
        assert_eq!(res.status, 401, "{what}, an ended session: {}", res.raw);
        assert_eq!(res.code(), "session_revoked", "{what}");
        for token in refused {
            let res = send(Some(token.to_owned())).await;
            assert_eq!(res.status, 403, "{what}: {}", res.raw);
            assert_eq!(res.code(), refusal, "{what}");
        }
        for token in allowed {
            let res = send(Some(token.to_owned())).await;
            assert!(![401, 403].contains(&res.status.as_u16()), "{what}: {}", res.raw);
        }
        if route.path == "/api/auths/logout-all/" {
            // That ended the allowed callers' sessions: the routes after it get a fresh cast.
            c = cast(&t).await;
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
