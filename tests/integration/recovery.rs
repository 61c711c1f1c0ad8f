//! Password recovery and change (`../shared/spec/api.md`, "Account recovery and sessions").

use api_tests::{TestApp, latest_otp, messages_to, past_the_code_cooldown, unique_email};
use http::Method;
use serde_json::json;

#[tokio::test]
async fn forgot_answers_known_and_unknown_identifiers_alike_and_sends_only_to_the_known() {
    let t = TestApp::new().await;
    let known = unique_email();
    t.customer_without_code(&known, "correct horse").await;
    let unknown = unique_email();
    let a = t
        .post("/api/auths/password/forgot/", json!({"identifier": known}))
        .await;
    let b = t
        .post("/api/auths/password/forgot/", json!({"identifier": unknown}))
        .await;
    assert_eq!(
        (a.status.as_u16(), b.status.as_u16()),
        (202, 202),
        "{} {}",
        a.raw,
        b.raw
    );
    assert_eq!(a.body, b.body);
    assert_eq!(a.body, json!({"otp": {"channel": "email", "expires_in": 600}}));
    assert_eq!(messages_to(&known).await.len(), 1, "the reset code");
    assert!(messages_to(&unknown).await.is_empty());
    // The same cooldown for both.
    for who in [&known, &unknown] {
        let res = t.post("/api/auths/password/forgot/", json!({"identifier": who})).await;
        assert_eq!(res.status, 429, "{who}: {}", res.raw);
        assert_eq!(res.code(), "otp_cooldown");
        assert!(res.headers.contains_key("retry-after"));
    }
}

#[tokio::test]
async fn a_reset_sets_the_password_and_ends_every_session_access_tokens_included() {
    let t = TestApp::with_env(&[("OTP_RESEND_COOLDOWN_SECONDS", "1")]).await;
    let email = unique_email();
    t.verified_user(&email, "old password").await;
    past_the_code_cooldown().await;
    let live = t.login(&email, "old password").await;
    let access = live["access"].as_str().unwrap();
    assert_eq!(t.get("/api/auths/me/", access).await.status, 200);

    assert_eq!(
        t.post("/api/auths/password/forgot/", json!({"identifier": email}))
            .await
            .status,
        202
    );
    let code = latest_otp(&email).await.unwrap();
    assert!(
        messages_to(&email)
            .await
            .last()
            .unwrap()
            .contains("password reset code")
    );
    let res = t
        .post(
            "/api/auths/password/reset/",
            json!({"identifier": email, "otp": code, "new_password": "new password"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.raw);
    assert_eq!(res.body["user"]["is_verified"], true);

    let res = t.get("/api/auths/me/", access).await;
    assert_eq!(res.status, 401, "the access token of the old session stopped working");
    let res = t
        .post("/api/auths/token/refresh/", json!({"refresh": live["refresh"]}))
        .await;
    assert_eq!(res.status, 401);
    let res = t
        .post(
            "/api/auths/login/",
            json!({"identifier": email, "password": "old password"}),
        )
        .await;
    assert_eq!(res.status, 401);
    t.login(&email, "new password").await;
    // The code is used up.
    let res = t
        .post(
            "/api/auths/password/reset/",
            json!({"identifier": email, "otp": code, "new_password": "third password"}),
        )
        .await;
    assert_eq!(res.code(), "invalid_otp");
}

#[tokio::test]
async fn codes_are_bound_to_their_purpose() {
    let t = TestApp::with_env(&[("OTP_RESEND_COOLDOWN_SECONDS", "1")]).await;
    let email = unique_email();
    assert_eq!(t.signup(&email, "correct horse").await.status, 201);
    let signup_code = latest_otp(&email).await.unwrap();
    let res = t
        .post(
            "/api/auths/password/reset/",
            json!({"identifier": email, "otp": signup_code, "new_password": "new password"}),
        )
        .await;
    assert_eq!(res.status, 400, "a signup code is not a reset code: {}", res.raw);
    assert_eq!(res.code(), "invalid_otp");

    past_the_code_cooldown().await;
    assert_eq!(
        t.post("/api/auths/password/forgot/", json!({"identifier": email}))
            .await
            .status,
        202
    );
    let reset_code = latest_otp(&email).await.unwrap();
    let res = t
        .post("/api/auths/verify/", json!({"identifier": email, "otp": reset_code}))
        .await;
    assert_eq!(res.status, 400, "a reset code is not a signup code: {}", res.raw);
    assert_eq!(res.code(), "invalid_otp");
}

#[tokio::test]
async fn an_owner_takes_back_an_address_a_squatter_signed_up_with() {
    let t = TestApp::with_env(&[("OTP_RESEND_COOLDOWN_SECONDS", "1")]).await;
    let email = unique_email();
    assert_eq!(t.signup(&email, "squatter password").await.status, 201);
    past_the_code_cooldown().await;
    assert_eq!(
        t.post("/api/auths/password/forgot/", json!({"identifier": email}))
            .await
            .status,
        202
    );
    let code = latest_otp(&email).await.unwrap();
    let res = t
        .post(
            "/api/auths/password/reset/",
            json!({"identifier": email, "otp": code, "new_password": "owner password"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.raw);
    assert_eq!(res.body["user"]["is_verified"], true, "the code proved the address");
    let res = t
        .post(
            "/api/auths/login/",
            json!({"identifier": email, "password": "squatter password"}),
        )
        .await;
    assert_eq!(res.status, 401);
    t.login(&email, "owner password").await;
}

#[tokio::test]
async fn a_reset_for_an_unknown_identifier_answers_like_a_wrong_code() {
    let t = TestApp::new().await;
    let known = unique_email();
    t.verified_user(&known, "correct horse").await;
    t.post("/api/auths/password/forgot/", json!({"identifier": known}))
        .await;
    let unknown = unique_email();
    t.post("/api/auths/password/forgot/", json!({"identifier": unknown}))
        .await;
    let never_asked = unique_email();
    for who in [&known, &unknown, &never_asked] {
        let res = t
            .post(
                "/api/auths/password/reset/",
                json!({"identifier": who, "otp": "000000", "new_password": "new password"}),
            )
            .await;
        assert_eq!(res.status, 400, "{who}: {}", res.raw);
        assert_eq!(res.code(), "invalid_otp");
    }
}

async fn change(t: &TestApp, access: &str, current: &str, new: &str) -> api_tests::TestResponse {
    t.call(
        Method::POST,
        "/api/auths/password/change/",
        Some(access),
        Some(json!({"current_password": current, "new_password": new})),
    )
    .await
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_starts_over() {
    let t = TestApp::new().await;
    let email = unique_email();
    t.verified_user(&email, "old password").await;
    let other_device = t.login(&email, "old password").await;
    let session = t.login(&email, "old password").await;
    let access = session["access"].as_str().unwrap();

    let res = change(&t, access, "wrong password", "new password").await;
    assert_eq!(res.status, 400, "{}", res.raw);
    assert_eq!(res.code(), "invalid_current_password");
    assert!(res.body["error"]["fields"]["current_password"].is_string());

    let res = change(&t, access, "old password", "short").await;
    assert_eq!(res.code(), "invalid_password");
    assert!(res.body["error"]["fields"]["new_password"].is_string());

    let res = change(&t, access, "old password", "new password").await;
    assert_eq!(res.status, 200, "{}", res.raw);
    let fresh = res.body["access"].as_str().unwrap().to_owned();
    assert_eq!(res.body["user"]["email"], email.as_str());

    for old in [access, other_device["access"].as_str().unwrap()] {
        assert_eq!(
            t.get("/api/auths/me/", old).await.status,
            401,
            "every old session ended"
        );
    }
    assert_eq!(t.get("/api/auths/me/", &fresh).await.status, 200, "the new one lives");
    t.login(&email, "new password").await;
}

#[tokio::test]
async fn verifying_an_account_does_not_lift_the_cooldown_of_the_code_it_used() {
    let t = TestApp::new().await;
    let email = unique_email();
    // Signup sends a code, verify uses it: `forgot` within 60 s of that code still waits.
    t.verified_user(&email, "correct horse").await;
    let res = t
        .post("/api/auths/password/forgot/", json!({"identifier": email}))
        .await;
    assert_eq!(res.status, 429, "{}", res.raw);
    assert_eq!(res.code(), "otp_cooldown");
    let wait: i64 = res.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert_eq!(messages_to(&email).await.len(), 1, "only the signup code was sent");
}
