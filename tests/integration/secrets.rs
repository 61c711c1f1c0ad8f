//! Key rings from Secrets Manager (moto): each function reads only its rings at start-up, a
//! missing or malformed secret stops it there, and a three-step rotation logs nobody out.

use std::collections::HashMap;
use std::time::Duration;

use api_tests::{TestApp, latest_otp, sdk, stack, unique_email};
use serde_json::json;
use shared::config::{Config, ConfigError};
use shared::platform::keys::Purpose;
use shared::platform::routes::{FUNCTIONS, key_rings_for};

async fn secrets() -> shared::platform::secrets::aws_sdk_secretsmanager::Client {
    shared::platform::secrets::client(&sdk().await, Some(&stack().moto))
}

/// A new ring secret with one active key; returns its name.
async fn new_ring_secret(what: &str) -> String {
    let name = format!("test-{what}-{}", ulid::Ulid::new());
    let client = secrets().await;
    let ring = ops::keys::RingDocument::first("k1").unwrap();
    ops::keys::write(&client, &name, &ring, false).await.unwrap();
    name
}

async fn rotate(secret: &str, step: impl Fn(&ops::keys::RingDocument) -> ops::keys::RingDocument) {
    let client = secrets().await;
    let ring = ops::keys::read(&client, secret).await.unwrap().unwrap();
    ops::keys::write(&client, secret, &step(&ring), true).await.unwrap();
}

fn config(pairs: &[(&str, &str)]) -> Config {
    let mut env: HashMap<String, String> = HashMap::from([
        ("TABLE_NAME".to_owned(), "unused".to_owned()),
        ("SECRETSMANAGER_ENDPOINT".to_owned(), stack().moto.clone()),
    ]);
    for (k, v) in pairs {
        env.insert((*k).to_owned(), (*v).to_owned());
    }
    Config::from_lookup(|k| env.get(k).cloned()).unwrap()
}

fn kid(token: &str) -> String {
    jsonwebtoken::decode_header(token).unwrap().kid.unwrap()
}

#[tokio::test]
async fn each_function_reads_only_its_own_rings_at_start_up() {
    let tokens = new_ring_secret("tokens").await;
    let codes = new_ring_secret("codes").await;
    let config = config(&[("TOKEN_KEYS_SECRET_ID", &tokens), ("CODE_KEYS_SECRET_ID", &codes)]);
    let sdk = sdk().await;
    for &function in FUNCTIONS {
        let keys = shared::app::load_keys(&config, &sdk, function).await.unwrap();
        for purpose in Purpose::ALL {
            let held: Vec<String> = keys.get(purpose).current().kids().map(str::to_owned).collect();
            if key_rings_for(function).contains(&purpose) {
                assert_eq!(held, ["k1"], "{function} {purpose:?}");
            } else {
                assert!(held.is_empty(), "{function} holds no {purpose:?} keys");
            }
        }
    }
}

#[tokio::test]
async fn a_missing_or_malformed_secret_stops_the_function_at_start_up_without_showing_it() {
    let sdk = sdk().await;
    let absent = config(&[("TOKEN_KEYS_SECRET_ID", "no-such-secret")]);
    let err = shared::app::load_keys(&absent, &sdk, "login").await.err().unwrap();
    assert!(
        matches!(
            err,
            ConfigError::Invalid {
                name: "TOKEN_KEYS_SECRET_ID",
                ..
            }
        ),
        "{err}"
    );

    let name = format!("test-malformed-{}", ulid::Ulid::new());
    let content = "not-a-ring-but-a-bare-secret-0123456789abcdef";
    secrets()
        .await
        .create_secret()
        .name(&name)
        .secret_string(content)
        .send()
        .await
        .unwrap();
    let malformed = config(&[("CODE_KEYS_SECRET_ID", &name)]);
    let err = shared::app::load_keys(&malformed, &sdk, "signup").await.err().unwrap();
    assert!(
        err.to_string().contains(&name) && !err.to_string().contains(content),
        "{err}"
    );

    // Neither a secret nor a local secret: the variable to set is named.
    let err = shared::app::load_keys(&config(&[]), &sdk, "orders")
        .await
        .err()
        .unwrap();
    assert_eq!(err, ConfigError::Missing("TOKEN_KEYS_SECRET_ID"));
    assert!(
        shared::app::load_keys(&config(&[]), &sdk, "foods").await.is_ok(),
        "the menu needs no keys"
    );
}

/// Repeats `probe` (each call may start a background re-read) until it holds, for up to 10 s.
async fn eventually<F: std::future::Future<Output = bool>>(what: &str, probe: impl Fn() -> F) {
    for _ in 0..100 {
        if probe().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what} did not happen within 10 s");
}

#[tokio::test]
async fn a_staged_rotation_keeps_every_session_and_code_valid_until_the_old_key_retires() {
    let tokens = new_ring_secret("tokens").await;
    let codes = new_ring_secret("codes").await;
    let t = TestApp::with_env(&[
        ("TOKEN_KEYS_SECRET_ID", &tokens),
        ("CODE_KEYS_SECRET_ID", &codes),
        ("KEYS_CACHE_SECONDS", "1"),
    ])
    .await;
    let email = unique_email();
    t.verified_user(&email, "rotation password").await;
    let before = t.login(&email, "rotation password").await;
    let old_access = before["access"].as_str().unwrap().to_owned();
    assert_eq!(kid(&old_access), "k1");
    // A code sent under the old code key, to be used after the rotation.
    let other = unique_email();
    assert_eq!(t.signup(&other, "rotation password").await.status, 201);
    let old_code = latest_otp(&other).await.unwrap();

    // 1. Add k2 (checks, does not sign). 2. Activate it.
    rotate(&tokens, |r| r.add("k2").unwrap()).await;
    rotate(&codes, |r| r.add("k2").unwrap()).await;
    rotate(&tokens, |r| r.activate("k2").unwrap()).await;
    rotate(&codes, |r| r.activate("k2").unwrap()).await;
    eventually("signing with k2", || async {
        let access = t.login(&email, "rotation password").await["access"]
            .as_str()
            .unwrap()
            .to_owned();
        kid(&access) == "k2"
    })
    .await;
    let new_access = t.login(&email, "rotation password").await["access"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        t.get("/api/auths/me/", &old_access).await.status,
        200,
        "old tokens still work"
    );
    assert_eq!(t.get("/api/auths/me/", &new_access).await.status, 200);
    let res = t
        .post("/api/auths/verify/", json!({"identifier": other, "otp": old_code}))
        .await;
    assert_eq!(
        res.status, 200,
        "a code sent before the rotation still verifies: {}",
        res.raw
    );

    // 3. Retire k1: what it signed stops working, what k2 signed goes on.
    rotate(&tokens, |r| r.retire("k1").unwrap()).await;
    eventually("k1 retired", || async {
        t.get("/api/auths/me/", &old_access).await.status == 401
    })
    .await;
    assert_eq!(t.get("/api/auths/me/", &new_access).await.status, 200);
}

#[tokio::test]
async fn only_the_payments_function_reads_the_paystack_key_and_only_a_secret_key_will_do() {
    let client = secrets().await;
    let name = format!("test-paystack-{}", ulid::Ulid::new());
    client
        .create_secret()
        .name(&name)
        .secret_string(&stack().paystack_key)
        .send()
        .await
        .unwrap();
    let with_secret = config(&[("PAYSTACK_SECRET_ID", &name)]);
    let sdk = sdk().await;
    for &function in FUNCTIONS {
        let key = shared::app::load_paystack_key(&with_secret, &sdk, function)
            .await
            .unwrap();
        // Payments takes payments and refunds them (from the stream); cancelling needs no key.
        assert_eq!(key.is_some(), function == "payments", "{function}");
    }
    let placeholder = format!("test-placeholder-{}", ulid::Ulid::new());
    client
        .create_secret()
        .name(&placeholder)
        .secret_string("set-me: the Paystack secret key from the dashboard")
        .send()
        .await
        .unwrap();
    let placeholder_config = config(&[("PAYSTACK_SECRET_ID", &placeholder)]);
    let err = shared::app::load_paystack_key(&placeholder_config, &sdk, "payments")
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            ConfigError::Invalid {
                name: "PAYSTACK_SECRET_ID",
                ..
            }
        ),
        "{err}"
    );
}
