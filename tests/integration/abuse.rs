//! Abuse and fault resistance: login throttling, OTP send limits, dependencies that fail.

use api_tests::{TestApp, latest_otp, unique_email};
use serde_json::json;

#[tokio::test]
async fn repeated_failed_logins_are_throttled_per_identifier() {
    let t = TestApp::with_env(&[("LOGIN_MAX_FAILURES", "3")]).await;
    let email = unique_email();
    t.verified_user(&email, "correct horse").await;
    for _ in 0..3 {
        let res = t
            .post(
                "/api/auths/login/",
                json!({"identifier": email, "password": "wrong horse"}),
            )
            .await;
        assert_eq!(res.status, 401);
    }
    // Now even the right password waits.
    let res = t
        .post(
            "/api/auths/login/",
            json!({"identifier": email, "password": "correct horse"}),
        )
        .await;
    assert_eq!(res.status, 429, "{}", res.raw);
    assert_eq!(res.code(), "too_many_login_attempts");
    let retry: u64 = res.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry));

    // Unknown identifiers are throttled the same way: the 429 reveals nothing.
    let ghost = unique_email();
    for _ in 0..3 {
        assert_eq!(
            t.post("/api/auths/login/", json!({"identifier": ghost, "password": "x"}))
                .await
                .status,
            401
        );
    }
    assert_eq!(
        t.post("/api/auths/login/", json!({"identifier": ghost, "password": "x"}))
            .await
            .status,
        429
    );

    // Other identifiers are unaffected.
    let other = unique_email();
    t.verified_user(&other, "correct horse").await;
    t.login(&other, "correct horse").await;
}

#[tokio::test]
async fn a_successful_login_clears_earlier_failures() {
    let t = TestApp::with_env(&[("LOGIN_MAX_FAILURES", "3")]).await;
    let email = unique_email();
    t.verified_user(&email, "correct horse").await;
    for _ in 0..2 {
        t.post(
            "/api/auths/login/",
            json!({"identifier": email, "password": "wrong horse"}),
        )
        .await;
    }
    t.login(&email, "correct horse").await;
    for _ in 0..2 {
        assert_eq!(
            t.post("/api/auths/login/", json!({"identifier": email, "password": "wrong"}))
                .await
                .status,
            401
        );
    }
    t.login(&email, "correct horse").await;
}

#[tokio::test]
async fn codes_per_identifier_per_day_are_capped() {
    let t = TestApp::with_env(&[("OTP_DAILY_LIMIT", "2"), ("OTP_RESEND_COOLDOWN_SECONDS", "1")]).await;
    let email = unique_email();
    assert_eq!(t.signup(&email, "correct horse").await.status, 201);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let res = t.post("/api/auths/resend-otp/", json!({"identifier": email})).await;
    assert_eq!(res.status, 200, "{}", res.raw);
    let last = latest_otp(&email).await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let res = t.post("/api/auths/resend-otp/", json!({"identifier": email})).await;
    assert_eq!(res.status, 429, "{}", res.raw);
    assert_eq!(res.code(), "otp_daily_limit");
    assert!(res.headers.contains_key("retry-after"));
    assert_eq!(
        latest_otp(&email).await,
        last,
        "nothing sent, the last code still stands"
    );
    let res = t
        .post("/api/auths/verify/", json!({"identifier": email, "otp": last.unwrap()}))
        .await;
    assert_eq!(res.status, 200, "{}", res.raw);
}

#[tokio::test]
async fn an_unreachable_database_is_a_503_with_retry_after_and_no_internals() {
    let healthy = TestApp::new().await;
    let broken = TestApp::on_table(&healthy.table, &[("DYNAMODB_ENDPOINT", "http://127.0.0.1:9")]).await;
    let email = unique_email();
    let res = broken.signup(&email, "correct horse").await;
    assert_eq!(res.status, 503, "{}", res.raw);
    assert_eq!(res.code(), "service_unavailable");
    assert_eq!(res.headers["retry-after"], "1");
    assert!(!res.raw.contains("127.0.0.1") && !res.raw.to_lowercase().contains("dynamodb"));
    let res = broken.call(http::Method::GET, "/api/foods/", None, None).await;
    assert_eq!(res.status, 503);
    // Nothing was half-written: the same signup works once the database is back.
    assert_eq!(healthy.signup(&email, "correct horse").await.status, 201);
}
