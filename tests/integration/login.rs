use api_tests::{TestApp, unique_email, unique_phone};
use http::Method;
use serde_json::json;
use shared::accounts::model::{Account, Identifier, Password, PasswordHasher, Role};
use shared::accounts::store::CreateOutcome;
use shared::platform::clock::now_rfc3339;

#[tokio::test]
async fn login_returns_bearer_tokens_and_the_user() {
    let t = TestApp::new().await;
    let email = unique_email();
    t.verified_user(&email, "correct horse").await;
    let res = t
        .post(
            "/api/auths/login/",
            json!({"identifier": email.to_uppercase(), "password": "correct horse"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.raw);
    assert_eq!(res.headers["cache-control"], "no-store");
    assert_eq!(res.body["token_type"], "Bearer");
    assert_eq!(res.body["expires_in"], 86_400);
    assert!(res.body["access"].as_str().unwrap().split('.').count() == 3);
    assert!(res.body["refresh"].is_string());
    assert_eq!(res.body["user"]["email"], email);
    assert_eq!(res.body["user"]["role"], "customer");
    assert_eq!(res.body["user"]["is_verified"], true);
}

#[tokio::test]
async fn phone_users_log_in_with_a_national_number() {
    let t = TestApp::new().await;
    let phone = unique_phone();
    t.verified_user(&phone, "correct horse").await;
    let body = t.login(&format!("+234{}", &phone[1..]), "correct horse").await;
    assert_eq!(body["user"]["phone"], format!("+234{}", &phone[1..]));
}

#[tokio::test]
async fn unknown_user_and_wrong_password_get_identical_401s() {
    let t = TestApp::new().await;
    let email = unique_email();
    t.verified_user(&email, "correct horse").await;
    let wrong = t
        .post(
            "/api/auths/login/",
            json!({"identifier": email, "password": "wrong horse"}),
        )
        .await;
    let unknown = t
        .post(
            "/api/auths/login/",
            json!({"identifier": unique_email(), "password": "wrong horse"}),
        )
        .await;
    assert_eq!(wrong.status, 401);
    assert_eq!(unknown.status, 401);
    assert_eq!(wrong.raw, unknown.raw, "same body");
    assert_eq!(wrong.body["error"]["code"], "invalid_credentials");
    assert_eq!(wrong.body["error"]["message"], "Invalid credentials");
}

#[tokio::test]
async fn unverified_accounts_cannot_log_in() {
    let t = TestApp::new().await;
    let email = unique_email();
    t.signup(&email, "correct horse").await;
    let res = t
        .post(
            "/api/auths/login/",
            json!({"identifier": email, "password": "correct horse"}),
        )
        .await;
    assert_eq!(res.status, 403);
    assert_eq!(res.code(), "account_not_verified");
    assert_eq!(res.body["error"]["message"], "Account not verified");
    // ...but only with the right password: a wrong one stays a plain 401.
    let res = t
        .post(
            "/api/auths/login/",
            json!({"identifier": email, "password": "wrong horse"}),
        )
        .await;
    assert_eq!(res.status, 401);
}

#[tokio::test]
async fn me_needs_a_valid_access_token() {
    let t = TestApp::new().await;
    let email = unique_email();
    t.verified_user(&email, "correct horse").await;
    let tokens = t.login(&email, "correct horse").await;
    let access = tokens["access"].as_str().unwrap();

    let res = t.get("/api/auths/me/", access).await;
    assert_eq!(res.status, 200, "{}", res.raw);
    assert_eq!(res.body["user"]["email"], email);

    let res = t.call(Method::GET, "/api/auths/me", None, None).await;
    assert_eq!(res.status, 401);
    let res = t.get("/api/auths/me/", tokens["refresh"].as_str().unwrap()).await;
    assert_eq!(res.status, 401, "a refresh token is not an access token");
    let mut tampered = access.to_owned();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    assert_eq!(t.get("/api/auths/me/", &tampered).await.status, 401);
    assert_eq!(t.get("/api/auths/me/", "garbage").await.status, 401);

    // A token signed with another secret is refused.
    let other = TestApp::on_table(&t.table, &[("JWT_SECRET", "another-secret-that-is-long-enough-000")]).await;
    assert_eq!(other.get("/api/auths/me/", access).await.status, 401);
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_whole_family() {
    let t = TestApp::new().await;
    let email = unique_email();
    t.verified_user(&email, "correct horse").await;
    let first = t.login(&email, "correct horse").await;
    let r1 = first["refresh"].as_str().unwrap();

    let res = t.post("/api/auths/token/refresh/", json!({"refresh": r1})).await;
    assert_eq!(res.status, 200, "{}", res.raw);
    assert_eq!(res.headers["cache-control"], "no-store");
    let r2 = res.body["refresh"].as_str().unwrap().to_owned();
    let a2 = res.body["access"].as_str().unwrap().to_owned();
    assert_ne!(r1, r2);
    assert_eq!(t.get("/api/auths/me/", &a2).await.status, 200);

    // r1 was rotated: presenting it again is reuse.
    let res = t.post("/api/auths/token/refresh/", json!({"refresh": r1})).await;
    assert_eq!(res.status, 401);
    assert_eq!(res.code(), "token_reused");
    // The whole family is gone, including the newest tokens.
    let res = t.post("/api/auths/token/refresh/", json!({"refresh": r2})).await;
    assert_eq!(res.status, 401);
    assert_eq!(t.get("/api/auths/me/", &a2).await.status, 401);

    // Another login is another family and works.
    let second = t.login(&email, "correct horse").await;
    let res = t
        .post("/api/auths/token/refresh/", json!({"refresh": second["refresh"]}))
        .await;
    assert_eq!(res.status, 200);
}

#[tokio::test]
async fn logout_revokes_the_session() {
    let t = TestApp::new().await;
    let email = unique_email();
    t.verified_user(&email, "correct horse").await;
    let tokens = t.login(&email, "correct horse").await;
    let res = t
        .post("/api/auths/logout/", json!({"refresh": tokens["refresh"]}))
        .await;
    assert_eq!(res.status, 204, "{}", res.raw);
    let res = t
        .post("/api/auths/token/refresh/", json!({"refresh": tokens["refresh"]}))
        .await;
    assert_eq!(res.status, 401);
    assert_eq!(
        t.get("/api/auths/me/", tokens["access"].as_str().unwrap()).await.status,
        401
    );

    let res = t.post("/api/auths/logout/", json!({"refresh": "nonsense"})).await;
    assert_eq!(res.status, 401);
    let res = t.post("/api/auths/logout/", json!({})).await;
    assert_eq!(res.status, 400);
    assert!(res.body["error"]["fields"]["refresh"].is_string());
}

#[tokio::test]
async fn access_tokens_are_refused_by_refresh() {
    let t = TestApp::new().await;
    let email = unique_email();
    t.verified_user(&email, "correct horse").await;
    let tokens = t.login(&email, "correct horse").await;
    let res = t
        .post("/api/auths/token/refresh/", json!({"refresh": tokens["access"]}))
        .await;
    assert_eq!(res.status, 401);
}

#[tokio::test]
async fn patch_me_updates_the_profile_and_validates_it() {
    let t = TestApp::new().await;
    let email = unique_email();
    t.verified_user(&email, "correct horse").await;
    let tokens = t.login(&email, "correct horse").await;
    let access = tokens["access"].as_str().unwrap();

    let res = t
        .call(
            Method::PATCH,
            "/api/auths/me/",
            Some(access),
            Some(json!({"first_name": " Ada ", "last_name": "Obi", "address": "12 Admiralty Way, Lekki", "gender": "Female", "role": "admin"})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.raw);
    let user = &res.body["user"];
    assert_eq!(user["first_name"], "Ada");
    assert_eq!(user["gender"], "female");
    assert_eq!(user["role"], "customer", "role is not a profile field");

    let res = t
        .call(
            Method::PATCH,
            "/api/auths/me",
            Some(access),
            Some(json!({"last_name": null})),
        )
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["user"]["last_name"], serde_json::Value::Null);
    assert_eq!(res.body["user"]["first_name"], "Ada");

    let res = t
        .call(
            Method::PATCH,
            "/api/auths/me/",
            Some(access),
            Some(json!({"gender": "robot", "first_name": ""})),
        )
        .await;
    assert_eq!(res.status, 400);
    let fields = res.body["error"]["fields"].as_object().unwrap();
    assert!(fields.contains_key("gender") && fields.contains_key("first_name"));

    let me = t.get("/api/auths/me/", access).await;
    assert_eq!(me.body["user"]["first_name"], "Ada", "a rejected patch changed nothing");
    assert_eq!(
        t.call(Method::PATCH, "/api/auths/me/", None, Some(json!({})))
            .await
            .status,
        401
    );
}

#[tokio::test]
async fn an_operator_made_admin_logs_in_with_the_admin_role() {
    let t = TestApp::new().await;
    let email = unique_email();
    let hash = PasswordHasher::new()
        .hash(Password::parse("admin password".into()).unwrap())
        .await
        .unwrap();
    let identifier = Identifier::parse(&email, "234").unwrap();
    let mut account = Account::new(&identifier, hash, Role::Admin, true, now_rfc3339());
    assert_eq!(
        t.app
            .accounts
            .store()
            .create_account_retrying(&mut account, None, None)
            .await
            .unwrap(),
        CreateOutcome::Created
    );
    assert_eq!(
        t.app
            .accounts
            .store()
            .create_account_retrying(&mut account.clone(), None, None)
            .await
            .unwrap(),
        CreateOutcome::IdentifierTaken
    );
    let body = t.login(&email, "admin password").await;
    assert_eq!(body["user"]["role"], "admin");
}

#[tokio::test]
async fn a_token_with_a_forged_role_on_a_live_session_is_refused() {
    use shared::accounts::model::TokenType;
    let t = TestApp::new().await;
    let customer = t.customer_token().await;
    assert_eq!(t.get("/api/orders/", &customer).await.status, 200);
    // The same session, signed with the right key, but claiming the admin role.
    let mut subject = t
        .app
        .accounts
        .tokens()
        .verify(&customer, TokenType::Access)
        .unwrap()
        .subject();
    subject.role = Role::Admin;
    let forged = t
        .app
        .accounts
        .tokens()
        .issue(TokenType::Access, &subject)
        .unwrap()
        .token;
    let res = t.get("/api/orders/admin/", &forged).await;
    assert_eq!(res.status, 401, "{}", res.raw);
    assert_eq!(res.code(), "session_revoked");
    let res = t.get("/api/auths/me/", &forged).await;
    assert_eq!(res.status, 401, "{}", res.raw);
    // The genuine token of that session still works.
    assert_eq!(t.get("/api/auths/me/", &customer).await.status, 200);
}

#[tokio::test]
async fn logout_all_ends_every_session_of_the_caller_and_only_theirs() {
    let t = TestApp::new().await;
    let email = unique_email();
    t.verified_user(&email, "correct horse").await;
    let phone_session = t.login(&email, "correct horse").await;
    let laptop_session = t.login(&email, "correct horse").await;
    let someone_else = t.customer_token().await;
    let access = phone_session["access"].as_str().unwrap();

    let res = t.call(Method::POST, "/api/auths/logout-all/", Some(access), None).await;
    assert_eq!(res.status, 204, "{}", res.raw);

    for session in [&phone_session, &laptop_session] {
        let res = t.get("/api/auths/me/", session["access"].as_str().unwrap()).await;
        assert_eq!(res.status, 401, "access tokens of every session stop working");
        let res = t
            .post("/api/auths/token/refresh/", json!({"refresh": session["refresh"]}))
            .await;
        assert_eq!(res.status, 401, "and so do their refresh tokens");
        assert_eq!(res.code(), "session_revoked");
    }
    assert_eq!(t.get("/api/auths/me/", &someone_else).await.status, 200);
    let res = t.call(Method::POST, "/api/auths/logout-all/", Some(access), None).await;
    assert_eq!(res.status, 401, "an ended session cannot end sessions");
    t.login(&email, "correct horse").await;
}

#[tokio::test]
async fn refreshing_never_extends_a_session_past_its_absolute_lifetime() {
    let t = TestApp::with_env(&[("SESSION_MAX_AGE_SECONDS", "3")]).await;
    let email = unique_email();
    t.verified_user(&email, "correct horse").await;
    let tokens = t.login(&email, "correct horse").await;
    assert!(tokens["expires_in"].as_u64().unwrap() <= 3, "{tokens}");
    assert!(tokens["refresh_expires_in"].as_u64().unwrap() <= 3, "{tokens}");
    let res = t
        .post("/api/auths/token/refresh/", json!({"refresh": tokens["refresh"]}))
        .await;
    assert_eq!(res.status, 200, "{}", res.raw);
    assert!(res.body["refresh_expires_in"].as_u64().unwrap() <= 3, "{}", res.raw);
    let refreshed = res.body.clone();
    tokio::time::sleep(std::time::Duration::from_millis(3_100)).await;
    // Past the session's end, still inside the tokens' 30 s clock-skew leeway: the session
    // itself says no.
    let res = t.get("/api/auths/me/", refreshed["access"].as_str().unwrap()).await;
    assert_eq!(res.status, 401, "{}", res.raw);
    let res = t
        .post("/api/auths/token/refresh/", json!({"refresh": refreshed["refresh"]}))
        .await;
    assert_eq!(res.status, 401, "{}", res.raw);
}

/// A login that read the account (and its password) before "end every session" and writes its
/// session after it: the session must not start, or it would outlive the reset, the change or
/// the sign-out everywhere by up to 30 days.
#[tokio::test]
async fn a_login_overlapping_an_end_of_every_session_gets_no_session() {
    use shared::accounts::model::{Session, Subject};
    use shared::accounts::store::{AccountStore, SessionStart};
    let t = TestApp::with_env(&[("OTP_RESEND_COOLDOWN_SECONDS", "1")]).await;
    let store = AccountStore::new(t.app.db().clone());
    let email = unique_email();
    t.verified_user(&email, "correct horse").await;
    let key = Identifier::parse(&email, "234").unwrap().storage_key();
    let racing_login = |epoch| {
        let store = &store;
        let key = key.clone();
        async move {
            let (account, _) = store.account_and_epoch(&key).await.unwrap();
            let account = account.unwrap();
            let subject = Subject {
                user_id: account.id.clone(),
                identifier_key: key,
                role: account.role,
                session_id: ulid::Ulid::new().to_string(),
            };
            let session = Session::start(&subject, "jti", i64::MAX / 2, i64::MAX / 2, now_rfc3339());
            store.create_session(&session, epoch).await.unwrap()
        }
    };

    // Sign out everywhere while a login is between its read and its write.
    let access = t.login(&email, "correct horse").await["access"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, read) = store.account_and_epoch(&key).await.unwrap();
    let res = t
        .call(Method::POST, "/api/auths/logout-all/", Some(&access), None)
        .await;
    assert_eq!(res.status, 204, "{}", res.raw);
    assert_eq!(
        racing_login(read).await,
        SessionStart::Ended,
        "the overlapping login starts nothing"
    );

    // A password change: the same, and the changer's own new session is live.
    let access = t.login(&email, "correct horse").await["access"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, read) = store.account_and_epoch(&key).await.unwrap();
    let res = t
        .call(
            Method::POST,
            "/api/auths/password/change/",
            Some(&access),
            Some(json!({"current_password": "correct horse", "new_password": "battery staple"})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.raw);
    assert_eq!(racing_login(read).await, SessionStart::Ended);
    let fresh = res.body["access"].as_str().unwrap();
    assert_eq!(t.get("/api/auths/me/", fresh).await.status, 200);

    // A reset by code.
    api_tests::past_the_code_cooldown().await;
    let (_, read) = store.account_and_epoch(&key).await.unwrap();
    let res = t
        .post("/api/auths/password/forgot/", json!({"identifier": email}))
        .await;
    assert_eq!(res.status, 202, "{}", res.raw);
    let otp = api_tests::latest_otp(&email).await.unwrap();
    let res = t
        .post(
            "/api/auths/password/reset/",
            json!({"identifier": email, "otp": otp, "new_password": "new horse battery"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.raw);
    assert_eq!(racing_login(read).await, SessionStart::Ended);

    // A login that reads after it starts its session as usual.
    let (_, now) = store.account_and_epoch(&key).await.unwrap();
    assert_eq!(racing_login(now).await, SessionStart::Started);
    t.login(&email, "new horse battery").await;
}
