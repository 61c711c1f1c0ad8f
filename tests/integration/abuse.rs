//! Abuse and fault resistance: login throttling, OTP send limits, dependencies that fail.

use api_tests::{Function, TestApp, latest_otp, messages_to, unique_email};
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
    api_tests::past_the_code_cooldown().await;
    // From other addresses each: one address gets fewer than the whole cap (below).
    let resend = json!({"identifier": email});
    let res = post_from(&t, "198.51.100.1", "/api/auths/resend-otp/", &resend).await;
    assert_eq!(res.status, 200, "{}", res.raw);
    let last = latest_otp(&email).await;
    api_tests::past_the_code_cooldown().await;
    let res = post_from(&t, "198.51.100.2", "/api/auths/resend-otp/", &resend).await;
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

/// A POST from the viewer at `address`, through the edge.
async fn post_from(t: &TestApp, address: &str, path: &str, body: &serde_json::Value) -> api_tests::TestResponse {
    let request = http::Request::post(path)
        .header("content-type", "application/json")
        .body(lambda_http::Body::from(body.to_string()))
        .unwrap();
    t.request_from(format!("{address}:443").parse().expect("an address"), request)
        .await
}

#[tokio::test]
async fn one_address_cannot_use_up_an_owners_codes_for_the_day() {
    // 4 codes a day for the identifier, 2 of them at the request of any one address.
    let t = TestApp::with_env(&[("OTP_DAILY_LIMIT", "4"), ("OTP_RESEND_COOLDOWN_SECONDS", "1")]).await;
    let owner = unique_email();
    t.customer_without_code(&owner, "correct horse").await;
    let forgot = json!({"identifier": owner});
    for _ in 0..2 {
        let res = post_from(&t, "203.0.113.66", "/api/auths/password/forgot/", &forgot).await;
        assert_eq!(res.status, 202, "{}", res.raw);
        api_tests::past_the_code_cooldown().await;
    }
    let res = post_from(&t, "203.0.113.66", "/api/auths/password/forgot/", &forgot).await;
    assert_eq!(res.status, 429, "the attacker's address has had its share: {}", res.raw);
    assert_eq!(res.code(), "otp_daily_limit");
    // The owner, from their own address, still gets a code.
    let res = post_from(&t, "198.51.100.20", "/api/auths/password/forgot/", &forgot).await;
    assert_eq!(res.status, 202, "{}", res.raw);
    assert_eq!(
        messages_to(&owner).await.len(),
        3,
        "every code that was allowed went out"
    );

    // IPv6 addresses of one /64 are one address.
    let other = unique_email();
    t.customer_without_code(&other, "correct horse").await;
    let forgot = json!({"identifier": other});
    for address in ["[2001:db8:7:7::1]", "[2001:db8:7:7::2]"] {
        let res = post_from(&t, address, "/api/auths/password/forgot/", &forgot).await;
        assert_eq!(res.status, 202, "{}", res.raw);
        api_tests::past_the_code_cooldown().await;
    }
    let res = post_from(&t, "[2001:db8:7:7:ffff::9]", "/api/auths/password/forgot/", &forgot).await;
    assert_eq!(res.code(), "otp_daily_limit", "the same /64: {}", res.raw);
    let res = post_from(&t, "[2001:db8:7:8::1]", "/api/auths/password/forgot/", &forgot).await;
    assert_eq!(res.status, 202, "another /64: {}", res.raw);
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

/// A login from the viewer at `address`, through the edge.
async fn login_from(t: &TestApp, address: &str, identifier: &str, password: &str) -> api_tests::TestResponse {
    let request = http::Request::post("/api/auths/login/")
        .header("content-type", "application/json")
        .body(lambda_http::Body::from(
            json!({"identifier": identifier, "password": password}).to_string(),
        ))
        .unwrap();
    let viewer = format!("{address}:443").parse().expect("an IPv4 address");
    t.request_from(viewer, request).await
}

#[tokio::test]
async fn twenty_parallel_wrong_logins_get_no_more_guesses_than_the_cap() {
    let t = TestApp::with_env(&[("LOGIN_MAX_FAILURES", "5")]).await;
    let email = unique_email();
    t.verified_user(&email, "correct horse").await;
    let attempts = (0..20).map(|i| {
        let (t, email) = (&t, &email);
        async move {
            t.post(
                "/api/auths/login/",
                json!({"identifier": email, "password": format!("guess {i}")}),
            )
            .await
            .status
            .as_u16()
        }
    });
    let statuses = futures::future::join_all(attempts).await;
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(checked, 5, "exactly the cap was checked: {statuses:?}");
    assert_eq!(refused, 15, "the rest waited: {statuses:?}");
}

#[tokio::test]
async fn an_attackers_failures_do_not_lock_the_owner_out_from_another_address() {
    let t = TestApp::with_env(&[("LOGIN_MAX_FAILURES", "3")]).await;
    let email = unique_email();
    t.verified_user(&email, "correct horse").await;
    for _ in 0..3 {
        assert_eq!(login_from(&t, "203.0.113.9", &email, "wrong horse").await.status, 401);
    }
    let res = login_from(&t, "203.0.113.9", &email, "correct horse").await;
    assert_eq!(res.status, 429, "the attacker's address waits: {}", res.raw);
    let res = login_from(&t, "198.51.100.7", &email, "correct horse").await;
    assert_eq!(res.status, 200, "the owner's address gets in: {}", res.raw);
    assert!(res.body["access"].is_string());
}

#[tokio::test]
async fn guesses_spread_over_many_addresses_meet_the_identifier_wide_cap() {
    let t = TestApp::with_env(&[("LOGIN_MAX_FAILURES", "2"), ("LOGIN_MAX_FAILURES_PER_IDENTIFIER", "3")]).await;
    let email = unique_email();
    t.verified_user(&email, "correct horse").await;
    for address in ["203.0.113.1", "203.0.113.1", "203.0.113.2"] {
        assert_eq!(login_from(&t, address, &email, "wrong horse").await.status, 401);
    }
    let res = login_from(&t, "198.51.100.7", &email, "correct horse").await;
    assert_eq!(res.status, 429, "{}", res.raw);
    assert_eq!(res.code(), "too_many_login_attempts");
    // Another identifier is untouched.
    let other = unique_email();
    t.verified_user(&other, "correct horse").await;
    assert_eq!(
        login_from(&t, "198.51.100.7", &other, "correct horse").await.status,
        200
    );
}

#[tokio::test]
async fn behind_the_front_door_requests_around_it_are_refused_and_logins_are_counted_per_viewer_address() {
    const VALUE: &str = "front-door-value-0123456789abcdef";
    let t = api_tests::TestApp::with_env(&[("ORIGIN_VERIFY", VALUE), ("LOGIN_MAX_FAILURES", "2")]).await;
    let login = |verify: Option<&str>, email: &str| {
        let mut request = http::Request::post("/api/auths/login/").header("content-type", "application/json");
        if let Some(v) = verify {
            request = request.header("x-origin-verify", v);
        }
        request
            .header("cloudfront-viewer-address", "203.0.113.1:5000")
            .body(lambda_http::Body::from(
                json!({"identifier": email, "password": "x"}).to_string(),
            ))
            .unwrap()
    };
    let email = unique_email();
    // Straight to API Gateway (no value, or a wrong one): refused before any work.
    for verify in [None, Some("guess")] {
        let res = t.around_the_edge(Function::Login, login(verify, &email)).await;
        assert_eq!(res.status, 403, "{}", res.raw);
        assert_eq!(res.code(), "front_door_required");
    }
    let res = t
        .around_the_edge(
            Function::Foods,
            http::Request::get("/api/foods/")
                .body(lambda_http::Body::Empty)
                .unwrap(),
        )
        .await;
    assert_eq!(res.status, 403, "every function stands behind the door");

    // Through CloudFront: a viewer's own X-Origin-Verify or CloudFront-Viewer-Address is not
    // believed (CloudFront sets both). The unknown identifier fails twice from one viewer and is
    // throttled there, while another viewer is not.
    let viewer = |v: &str| v.parse::<std::net::SocketAddr>().unwrap();
    for _ in 0..2 {
        let res = t
            .request_from(viewer("198.51.100.1:5000"), login(Some("guess"), &email))
            .await;
        assert_eq!(res.status, 401, "{}", res.raw);
    }
    let res = t.request_from(viewer("198.51.100.1:6000"), login(None, &email)).await;
    assert_eq!(res.status, 429, "same viewer address, another port: {}", res.raw);
    let res = t.request_from(viewer("198.51.100.7:5000"), login(None, &email)).await;
    assert_eq!(
        res.status, 401,
        "another viewer still gets its own guesses: {}",
        res.raw
    );
}
