//! The Paystack client against the local Paystack (`infra/local/paystack/server.py`), which
//! speaks Paystack's documented shapes: initialize, verify, refund, and how refusals and outages
//! come back.

use shared::payments::model::Reference;
use shared::payments::paystack::{NewTransaction, Paystack, PaystackError, SecretKey};

fn local() -> (String, SecretKey) {
    let url = std::env::var("TEST_PAYSTACK_URL").expect("TEST_PAYSTACK_URL: run through infra/local/dev.sh test");
    let key = std::env::var("TEST_PAYSTACK_SECRET_KEY").expect("TEST_PAYSTACK_SECRET_KEY");
    (url, SecretKey::new(key))
}

async fn control_pay(url: &str, reference: &Reference) {
    let res = reqwest::Client::new()
        .post(format!("{url}/__control/pay/{}", reference.as_str()))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
}

#[tokio::test]
async fn a_transaction_is_started_verified_once_paid_and_refunded_once() {
    let (url, key) = local();
    let paystack = Paystack::new(&url, key).unwrap();
    let tx = NewTransaction::for_order(
        "01JD5Q4A1B3C5D7E9F1G3H5J7K",
        "ada@example.com".into(),
        750_000,
        Some("http://127.0.0.1:9/back".into()),
    );
    let started = paystack.initialize(&tx).await.unwrap();
    assert_eq!(started.reference, tx.reference);
    assert!(
        started.authorization_url.starts_with(&url),
        "{}",
        started.authorization_url
    );
    assert_eq!(paystack.verify(&tx.reference).await.unwrap(), None, "not paid yet");

    // Paystack refuses a reference twice.
    match paystack.initialize(&tx).await {
        Err(PaystackError::Refused(message)) => assert!(message.contains("Duplicate"), "{message}"),
        other => panic!("{other:?}"),
    }
    // Refunding an unpaid transaction is refused.
    assert!(matches!(
        paystack.refund(&tx.reference).await,
        Err(PaystackError::Refused(_))
    ));

    control_pay(&url, &tx.reference).await;
    let charge = paystack.verify(&tx.reference).await.unwrap().expect("paid");
    assert_eq!((charge.amount, charge.currency.as_str()), (750_000, "NGN"));
    assert_eq!(charge.reference, tx.reference);
    paystack.refund(&tx.reference).await.unwrap();
    assert!(
        matches!(paystack.refund(&tx.reference).await, Err(PaystackError::Refused(_))),
        "once"
    );
}

#[tokio::test]
async fn a_wrong_key_is_a_refusal_and_no_answer_is_unavailable() {
    let (url, _) = local();
    let wrong = Paystack::new(&url, SecretKey::new("sk_test_wrong".into())).unwrap();
    let tx = NewTransaction::for_order("01JD5Q4A1B3C5D7E9F1G3H5J7K", "ada@example.com".into(), 100, None);
    assert!(matches!(wrong.initialize(&tx).await, Err(PaystackError::Refused(_))));
    let unknown = Paystack::new(&url, local().1).unwrap();
    assert!(matches!(
        unknown.verify(&Reference::new("nope")).await,
        Err(PaystackError::Refused(_))
    ));
    // Nothing listens on port 9 of the loopback.
    let down = Paystack::new("http://127.0.0.1:9", local().1).unwrap();
    assert!(matches!(down.initialize(&tx).await, Err(PaystackError::Unavailable(_))));
    assert!(!format!("{:?}", local().1).contains("sk_test"), "the key never prints");
}
