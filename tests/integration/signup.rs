use api_tests::{TestApp, latest_otp, messages_to, unique_email, unique_phone};
use http::Method;
use serde_json::json;

#[tokio::test]
async fn email_signup_creates_an_unverified_customer_and_emails_a_code() {
    let t = TestApp::new().await;
    let email = unique_email();
    let res = t.signup(&email.to_uppercase(), "correct horse").await;
    assert_eq!(res.status, 201, "{}", res.raw);
    let user = &res.body["user"];
    assert_eq!(user["email"], email, "stored lower-case");
    assert!(user.get("phone").is_none());
    assert_eq!(user["role"], "customer");
    assert_eq!(user["is_verified"], false);
    assert_eq!(user["referral_code"].as_str().unwrap().len(), 8);
    assert_eq!(user["id"].as_str().unwrap().len(), 26, "a ULID");
    assert!(user.get("password_hash").is_none());
    assert_eq!(
        res.body["otp"],
        json!({"channel": "email", "expires_in": 600, "delivered": true})
    );

    let otp = latest_otp(&email).await.expect("email sent");
    assert!(!res.raw.contains(&otp), "the OTP never appears in a response");
}

#[tokio::test]
async fn national_phone_signup_is_stored_in_e164_and_texted() {
    let t = TestApp::new().await;
    let phone = unique_phone();
    let e164 = format!("+234{}", &phone[1..]);
    let spaced = format!("{} {} {}", &phone[..4], &phone[4..7], &phone[7..]);
    let res = t.signup(&spaced, "correct horse").await;
    assert_eq!(res.status, 201, "{}", res.raw);
    assert_eq!(res.body["user"]["phone"], e164);
    assert_eq!(res.body["otp"]["channel"], "sms");
    let sms = messages_to(&e164).await;
    assert_eq!(sms.len(), 1, "one SMS to {e164}");
    assert!(sms[0].contains("Chuks Kitchen"));
}

#[tokio::test]
async fn duplicate_email_in_another_spelling_is_409() {
    let t = TestApp::new().await;
    let email = unique_email();
    assert_eq!(t.signup(&email, "correct horse").await.status, 201);
    let res = t.signup(&format!("  {}  ", email.to_uppercase()), "another pass").await;
    assert_eq!(res.status, 409);
    assert_eq!(res.code(), "identifier_taken");
    assert_eq!(res.body["error"]["message"], "Email already registered");
}

#[tokio::test]
async fn duplicate_phone_in_another_format_is_409() {
    let t = TestApp::new().await;
    let phone = unique_phone();
    assert_eq!(t.signup(&phone, "correct horse").await.status, 201);
    let res = t.signup(&format!("+234{}", &phone[1..]), "correct horse").await;
    assert_eq!(res.status, 409);
    assert_eq!(res.body["error"]["message"], "Phone number already registered");
}

#[tokio::test]
async fn twenty_concurrent_signups_with_one_email_create_exactly_one_account() {
    let t = TestApp::new().await;
    let email = unique_email();
    let attempts = (0..20).map(|_| t.signup(&email, "correct horse"));
    let results = futures::future::join_all(attempts).await;
    let created = results.iter().filter(|r| r.status == 201).count();
    let taken = results
        .iter()
        .filter(|r| r.status == 409 && r.code() == "identifier_taken")
        .count();
    assert_eq!(
        created,
        1,
        "{:?}",
        results
            .iter()
            .map(|r| (r.status, r.code().to_owned()))
            .collect::<Vec<_>>()
    );
    assert_eq!(taken, 19);
    assert_eq!(messages_to(&email).await.len(), 1, "one account, one code");
}

#[tokio::test]
async fn invalid_fields_are_named_and_nothing_is_created() {
    let t = TestApp::new().await;
    let res = t.signup("not-an-email@", "correct horse").await;
    assert_eq!(res.status, 400);
    assert_eq!(res.code(), "invalid_identifier");
    assert!(res.body["error"]["fields"]["identifier"].is_string());

    let email = unique_email();
    let res = t.signup(&email, "short").await;
    assert_eq!(res.status, 400);
    assert_eq!(res.code(), "invalid_password");
    assert!(res.body["error"]["fields"]["password"].is_string());
    let res = t.signup(&email, &"x".repeat(129)).await;
    assert_eq!(res.code(), "invalid_password");

    let res = t.post("/api/auths/signup/", json!({})).await;
    assert_eq!(res.status, 400);
    let fields = res.body["error"]["fields"].as_object().unwrap();
    assert!(
        fields.contains_key("identifier") && fields.contains_key("password"),
        "{fields:?}"
    );

    // Nothing was written: the email is still free.
    assert_eq!(t.signup(&email, "correct horse").await.status, 201);
}

#[tokio::test]
async fn wrong_types_oversized_and_malformed_bodies_are_rejected() {
    let t = TestApp::new().await;
    let res = t
        .post(
            "/api/auths/signup/",
            json!({"identifier": 42, "password": "correct horse"}),
        )
        .await;
    assert_eq!(res.status, 400);
    assert!(res.body["error"]["fields"]["identifier"].is_string(), "{}", res.raw);

    let huge = json!({"identifier": unique_email(), "password": "correct horse", "pad": "x".repeat(70 * 1024)});
    let res = t.post("/api/auths/signup/", huge).await;
    assert_eq!(res.status, 413);
    assert_eq!(res.code(), "payload_too_large");

    let req = http::Request::builder()
        .method(Method::POST)
        .uri("/api/auths/signup/")
        .body(lambda_http::Body::from("{\"identifier\": "))
        .unwrap();
    let res = t.request(req).await;
    assert_eq!(res.status, 400);
    assert_eq!(res.code(), "invalid_json");
}

#[tokio::test]
async fn a_referral_code_must_belong_to_a_user() {
    let t = TestApp::new().await;
    let referrer = t.signup(&unique_email(), "correct horse").await;
    let code = referrer.body["user"]["referral_code"].as_str().unwrap().to_lowercase();

    let res = t
        .post(
            "/api/auths/signup/",
            json!({"identifier": unique_email(), "password": "correct horse", "referral_code": code}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.raw);
    assert_ne!(
        res.body["user"]["referral_code"], referrer.body["user"]["referral_code"],
        "every user has their own code"
    );

    let email = unique_email();
    let res = t
        .post(
            "/api/auths/signup/",
            json!({"identifier": email, "password": "correct horse", "referral_code": "ZZZZZZZZ"}),
        )
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(res.code(), "invalid_referral_code");
    assert_eq!(res.body["error"]["message"], "Invalid referral code");
    assert!(res.body["error"]["fields"]["referral_code"].is_string());
    // Rejected whole: no account, no code sent.
    let res = t.post("/api/auths/resend-otp/", json!({"identifier": email})).await;
    assert_eq!(res.status, 404);
    assert!(messages_to(&email).await.is_empty());
}

#[tokio::test]
async fn failed_delivery_keeps_the_account_and_resend_works_at_once() {
    let healthy = TestApp::new().await;
    // Same table, but SES and SNS point at a port where nothing listens.
    let broken = TestApp::on_table(
        &healthy.table,
        &[
            ("SES_ENDPOINT", "http://127.0.0.1:9"),
            ("SNS_ENDPOINT", "http://127.0.0.1:9"),
        ],
    )
    .await;
    let email = unique_email();
    let res = broken.signup(&email, "correct horse").await;
    assert_eq!(res.status, 201, "{}", res.raw);
    assert_eq!(res.body["otp"]["delivered"], false);
    assert!(messages_to(&email).await.is_empty());

    // No cooldown after a failed delivery.
    let res = healthy
        .post("/api/auths/resend-otp/", json!({"identifier": email}))
        .await;
    assert_eq!(res.status, 200, "{}", res.raw);
    assert_eq!(res.body["otp"]["delivered"], true);
    let otp = latest_otp(&email).await.expect("resent");
    let res = healthy
        .post("/api/auths/verify/", json!({"identifier": email, "otp": otp}))
        .await;
    assert_eq!(res.status, 200, "{}", res.raw);
}

#[tokio::test]
async fn codes_go_by_sms_only_to_the_configured_countries() {
    let t = TestApp::new().await;
    let london = "+44 7700 900123";
    let res = t.signup(london, "correct horse").await;
    assert_eq!(res.status, 400, "{}", res.raw);
    assert_eq!(res.code(), "unsupported_country");
    assert!(res.body["error"]["fields"]["identifier"].is_string());
    assert!(messages_to(london).await.is_empty(), "no SMS was sent");
    let res = t.post("/api/auths/resend-otp/", json!({"identifier": london})).await;
    assert_eq!(res.code(), "unsupported_country");

    let t = TestApp::with_env(&[("SMS_COUNTRIES", "234,44")]).await;
    let number = format!("+447700{:06}", ulid::Ulid::new().random() % 1_000_000);
    let res = t.signup(&number, "correct horse").await;
    assert_eq!(res.status, 201, "{}", res.raw);
    assert_eq!(messages_to(&number).await.len(), 1);
}

#[tokio::test]
async fn look_alike_addresses_are_one_account_or_refused() {
    let t = TestApp::new().await;
    let id = ulid::Ulid::new().to_string().to_lowercase();
    let composed = format!("ad\u{e9}-{id}@b\u{fc}cher.de");
    let decomposed = format!("ade\u{301}-{id}@xn--bcher-kva.de");
    assert_eq!(t.signup(&composed, "correct horse").await.status, 201);
    let res = t.signup(&decomposed, "correct horse").await;
    assert_eq!(res.status, 409, "the same address in another Unicode form: {}", res.raw);
    assert_eq!(res.code(), "identifier_taken");
    let res = t
        .signup(&format!("ad\u{200b}a-{id}@example.com"), "correct horse")
        .await;
    assert_eq!(res.status, 400, "{}", res.raw);
    assert_eq!(res.code(), "invalid_identifier");
}
