use api_tests::{TestApp, latest_otp, messages_to, unique_email, unique_phone};
use serde_json::json;

#[tokio::test]
async fn the_right_code_verifies_once() {
    let t = TestApp::new().await;
    let email = unique_email();
    t.signup(&email, "correct horse").await;
    let otp = latest_otp(&email).await.unwrap();

    let res = t
        .post(
            "/api/auths/verify/",
            json!({"identifier": email.to_uppercase(), "otp": otp}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.raw);
    assert_eq!(res.body["user"]["is_verified"], true);
    assert_eq!(res.body["user"]["email"], email);

    let again = t
        .post("/api/auths/verify/", json!({"identifier": email, "otp": otp}))
        .await;
    assert_eq!(again.status, 409);
    assert_eq!(again.code(), "already_verified");
}

#[tokio::test]
async fn phone_accounts_verify_with_any_spelling_of_the_number() {
    let t = TestApp::new().await;
    let phone = unique_phone();
    t.signup(&phone, "correct horse").await;
    let otp = latest_otp(&phone).await.unwrap();
    let res = t
        .post(
            "/api/auths/verify/",
            json!({"identifier": format!("+234{}", &phone[1..]), "otp": otp}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.raw);
}

#[tokio::test]
async fn five_wrong_codes_kill_the_otp_until_a_resend() {
    let t = TestApp::with_env(&[("OTP_RESEND_COOLDOWN_SECONDS", "1")]).await;
    let email = unique_email();
    t.signup(&email, "correct horse").await;
    let otp = latest_otp(&email).await.unwrap();
    let wrong = if otp == "000000" { "111111" } else { "000000" };

    for i in 0..5 {
        let res = t
            .post("/api/auths/verify/", json!({"identifier": email, "otp": wrong}))
            .await;
        assert_eq!(res.status, 400, "attempt {i}: {}", res.raw);
        assert_eq!(res.code(), "invalid_otp");
        assert_eq!(res.body["error"]["message"], "Invalid OTP");
    }
    // Dead, even for the right code.
    let res = t
        .post("/api/auths/verify/", json!({"identifier": email, "otp": otp}))
        .await;
    assert_eq!(res.status, 429);
    assert_eq!(res.code(), "too_many_attempts");

    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let res = t.post("/api/auths/resend-otp/", json!({"identifier": email})).await;
    assert_eq!(res.status, 200, "{}", res.raw);
    let fresh = latest_otp(&email).await.unwrap();
    let res = t
        .post("/api/auths/verify/", json!({"identifier": email, "otp": fresh}))
        .await;
    assert_eq!(res.status, 200, "{}", res.raw);
}

#[tokio::test]
async fn concurrent_wrong_guesses_cannot_exceed_the_attempt_limit() {
    let t = TestApp::new().await;
    let email = unique_email();
    t.signup(&email, "correct horse").await;
    let otp = latest_otp(&email).await.unwrap();
    let wrong = if otp == "000000" { "111111" } else { "000000" };
    let guesses = (0..12).map(|_| t.post("/api/auths/verify/", json!({"identifier": email, "otp": wrong})));
    let results = futures::future::join_all(guesses).await;
    let counted = results.iter().filter(|r| r.code() == "invalid_otp").count();
    assert!(counted <= 5, "{counted} wrong guesses were counted");
    assert!(
        results
            .iter()
            .all(|r| r.code() == "invalid_otp" || r.code() == "too_many_attempts")
    );
    let res = t
        .post("/api/auths/verify/", json!({"identifier": email, "otp": otp}))
        .await;
    assert_eq!(res.status, 429, "{}", res.raw);
}

#[tokio::test]
async fn an_expired_code_is_refused() {
    let t = TestApp::with_env(&[("OTP_TTL_SECONDS", "1")]).await;
    let email = unique_email();
    let res = t.signup(&email, "correct horse").await;
    assert_eq!(res.body["otp"]["expires_in"], 1);
    let otp = latest_otp(&email).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let res = t
        .post("/api/auths/verify/", json!({"identifier": email, "otp": otp}))
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(res.code(), "otp_expired");
    assert_eq!(res.body["error"]["message"], "OTP expired. Please request a new one");
}

#[tokio::test]
async fn unknown_identifiers_are_404_and_malformed_codes_400() {
    let t = TestApp::new().await;
    let res = t
        .post(
            "/api/auths/verify/",
            json!({"identifier": unique_email(), "otp": "123456"}),
        )
        .await;
    assert_eq!(res.status, 404);
    assert_eq!(res.code(), "user_not_found");
    let res = t
        .post("/api/auths/resend-otp/", json!({"identifier": unique_phone()}))
        .await;
    assert_eq!(res.status, 404);

    let res = t
        .post(
            "/api/auths/verify/",
            json!({"identifier": unique_email(), "otp": "12ab56"}),
        )
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(res.code(), "invalid_otp");
    assert!(res.body["error"]["fields"]["otp"].is_string());
}

#[tokio::test]
async fn resend_within_the_cooldown_is_429_with_retry_after() {
    let t = TestApp::new().await;
    let email = unique_email();
    t.signup(&email, "correct horse").await;
    let res = t.post("/api/auths/resend-otp/", json!({"identifier": email})).await;
    assert_eq!(res.status, 429);
    assert_eq!(res.code(), "otp_cooldown");
    let retry: u64 = res.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    assert_eq!(messages_to(&email).await.len(), 1, "nothing resent");
}

#[tokio::test]
async fn a_resent_code_replaces_the_old_one() {
    let t = TestApp::with_env(&[("OTP_RESEND_COOLDOWN_SECONDS", "1")]).await;
    let email = unique_email();
    t.signup(&email, "correct horse").await;
    let old = latest_otp(&email).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let res = t.post("/api/auths/resend-otp/", json!({"identifier": email})).await;
    assert_eq!(res.status, 200, "{}", res.raw);
    assert_eq!(
        res.body["otp"],
        json!({"channel": "email", "expires_in": 600, "delivered": true})
    );
    let new = latest_otp(&email).await.unwrap();
    assert!(!res.raw.contains(&new));
    assert_eq!(messages_to(&email).await.len(), 2);

    if old != new {
        let res = t
            .post("/api/auths/verify/", json!({"identifier": email, "otp": old}))
            .await;
        assert_eq!(res.status, 400, "the old code stopped working");
        assert_eq!(res.code(), "invalid_otp");
    }
    let res = t
        .post("/api/auths/verify/", json!({"identifier": email, "otp": new}))
        .await;
    assert_eq!(res.status, 200, "{}", res.raw);
}

#[tokio::test]
async fn verified_accounts_get_no_more_codes() {
    let t = TestApp::new().await;
    let email = unique_email();
    t.verified_user(&email, "correct horse").await;
    let res = t.post("/api/auths/resend-otp/", json!({"identifier": email})).await;
    assert_eq!(res.status, 409);
    assert_eq!(res.code(), "already_verified");
}

#[tokio::test]
async fn a_phone_account_gets_its_resent_code_by_sms_and_verifies_with_it() {
    let t = TestApp::with_env(&[("OTP_RESEND_COOLDOWN_SECONDS", "1")]).await;
    let phone = unique_phone();
    assert_eq!(t.signup(&phone, "correct horse").await.status, 201);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let res = t.post("/api/auths/resend-otp/", json!({"identifier": phone})).await;
    assert_eq!(res.status, 200, "{}", res.raw);
    assert_eq!(
        res.body["otp"],
        json!({"channel": "sms", "expires_in": 600, "delivered": true})
    );
    assert_eq!(
        messages_to(&phone).await.len(),
        2,
        "signup code and resent code, both by SMS"
    );
    let code = latest_otp(&phone).await.unwrap();
    let res = t
        .post("/api/auths/verify/", json!({"identifier": phone, "otp": code}))
        .await;
    assert_eq!(res.status, 200, "{}", res.raw);
}
