use api_tests::{Function, TestApp, unique_email};
use http::Method;
use serde_json::json;

#[tokio::test]
async fn paths_work_with_and_without_the_trailing_slash() {
    let t = TestApp::new().await;
    let res = t
        .post(
            "/api/auths/signup",
            json!({"identifier": unique_email(), "password": "correct horse"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.raw);
    let res = t
        .post("/api/auths/resend-otp", json!({"identifier": unique_email()}))
        .await;
    assert_eq!(res.status, 404);
    assert_eq!(
        res.code(),
        "user_not_found",
        "routed to the handler, not a missing route"
    );
}

#[tokio::test]
async fn unknown_paths_and_methods_answer_in_json() {
    let t = TestApp::new().await;
    let res = t
        .send_to(
            Function::Login,
            http::Request::get("/api/auths/nothing/")
                .body(lambda_http::Body::Empty)
                .unwrap(),
        )
        .await;
    assert_eq!(res.status, 404);
    assert_eq!(res.code(), "route_not_found");
    assert_eq!(res.headers["content-type"], "application/json");

    let res = t.call(Method::GET, "/api/auths/signup/", None, None).await;
    assert_eq!(res.status, 405);
    assert_eq!(res.code(), "method_not_allowed");
    assert_eq!(res.headers["content-type"], "application/json");
}

#[tokio::test]
async fn every_response_says_nosniff() {
    let t = TestApp::new().await;
    let res = t
        .post(
            "/api/auths/login",
            json!({"identifier": unique_email(), "password": "x"}),
        )
        .await;
    assert_eq!(res.headers["x-content-type-options"], "nosniff");
}
