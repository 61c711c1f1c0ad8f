//! Signing in with a code and no password (`../shared/spec/api.md`, "Checkout and sign-in as
//! customers expect").

use api_tests::{TestApp, latest_otp, messages_to, past_a_cooldown_of, past_the_code_cooldown, unique_email};
use serde_json::json;

#[tokio::test]
async fn a_sign_in_code_starts_a_session_and_verifies_an_account_that_never_was() {
    let t = TestApp::with_env(&[("OTP_RESEND_COOLDOWN_SECONDS", "1")]).await;
    let email = unique_email();
    // Signed up, never verified: a password login is refused.
    let signed_up = t
        .post(
            "/api/auths/signup/",
            json!({"identifier": email, "password": "a good long password"}),
        )
        .await;
    assert_eq!(signed_up.status, 201, "{}", signed_up.raw);
    past_the_code_cooldown().await;
    let refused = t
        .post(
            "/api/auths/login/",
            json!({"identifier": email, "password": "a good long password"}),
        )
        .await;
    assert_eq!(refused.code(), "account_not_verified", "{}", refused.raw);

    let sent = t.post("/api/auths/login/code/", json!({"identifier": email})).await;
    assert_eq!(sent.status, 202, "{}", sent.raw);
    assert_eq!(sent.body, json!({"otp": {"channel": "email", "expires_in": 600}}));
    assert!(messages_to(&email).await.last().unwrap().contains("sign-in code"));
    let code = latest_otp(&email).await.unwrap();
    let res = t
        .post(
            "/api/auths/login/code/verify/",
            json!({"identifier": email, "otp": code}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.raw);
    assert_eq!(res.body["user"]["is_verified"], true);
    assert_eq!(res.body["token_type"], "Bearer");
    assert_eq!(res.headers["cache-control"], "no-store");
    let access = res.body["access"].as_str().unwrap();
    assert_eq!(t.get("/api/auths/me/", access).await.status, 200);
    // The session refreshes like any other; the code works once.
    let refreshed = t
        .post("/api/auths/token/refresh/", json!({"refresh": res.body["refresh"]}))
        .await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.raw);
    let again = t
        .post(
            "/api/auths/login/code/verify/",
            json!({"identifier": email, "otp": code}),
        )
        .await;
    assert_eq!(
        (again.status.as_u16(), again.code()),
        (400, "invalid_otp"),
        "{}",
        again.raw
    );
    // Verified now: the password works too.
    assert_eq!(
        t.login(&email, "a good long password").await["user"]["is_verified"],
        true
    );
}

#[tokio::test]
async fn a_sign_in_code_answers_unknown_identifiers_alike_and_takes_no_other_purposes_code() {
    let t = TestApp::with_env(&[("OTP_RESEND_COOLDOWN_SECONDS", "3")]).await;
    let known = unique_email();
    t.verified_user(&known, "a good long password").await;
    past_a_cooldown_of(3).await;
    let unknown = unique_email();
    let a = t.post("/api/auths/login/code/", json!({"identifier": known})).await;
    let b = t.post("/api/auths/login/code/", json!({"identifier": unknown})).await;
    assert_eq!(
        (a.status.as_u16(), b.status.as_u16()),
        (202, 202),
        "{} {}",
        a.raw,
        b.raw
    );
    assert_eq!(a.body, b.body);
    assert!(
        messages_to(&unknown).await.is_empty(),
        "nothing is sent to an unknown identifier"
    );
    // The cooldown for both alike.
    for who in [&known, &unknown] {
        let res = t.post("/api/auths/login/code/", json!({"identifier": who})).await;
        assert_eq!(
            (res.status.as_u16(), res.code()),
            (429, "otp_cooldown"),
            "{who}: {}",
            res.raw
        );
    }
    // An unknown identifier, or a wrong code: invalid_otp, the same answer.
    for (who, otp) in [(&unknown, "123456"), (&known, "000000")] {
        let res = t
            .post("/api/auths/login/code/verify/", json!({"identifier": who, "otp": otp}))
            .await;
        assert_eq!((res.status.as_u16(), res.code()), (400, "invalid_otp"), "{}", res.raw);
    }
    // A reset code does not sign in, nor a sign-in code reset the password.
    past_a_cooldown_of(3).await;
    assert_eq!(
        t.post("/api/auths/password/forgot/", json!({"identifier": known}))
            .await
            .status,
        202
    );
    let reset_code = latest_otp(&known).await.unwrap();
    let res = t
        .post(
            "/api/auths/login/code/verify/",
            json!({"identifier": known, "otp": reset_code}),
        )
        .await;
    assert_eq!((res.status.as_u16(), res.code()), (400, "invalid_otp"), "{}", res.raw);
    past_a_cooldown_of(3).await;
    assert_eq!(
        t.post("/api/auths/login/code/", json!({"identifier": known}))
            .await
            .status,
        202
    );
    let login_code = latest_otp(&known).await.unwrap();
    let res = t
        .post(
            "/api/auths/password/reset/",
            json!({"identifier": known, "otp": login_code, "new_password": "another password"}),
        )
        .await;
    assert_eq!((res.status.as_u16(), res.code()), (400, "invalid_otp"), "{}", res.raw);
    // Missing fields are named.
    let res = t.post("/api/auths/login/code/verify/", json!({})).await;
    assert_eq!(res.status, 400, "{}", res.raw);
    assert!(res.body["error"]["fields"]["identifier"].is_string(), "{}", res.raw);
    assert!(res.body["error"]["fields"]["otp"].is_string(), "{}", res.raw);
}
