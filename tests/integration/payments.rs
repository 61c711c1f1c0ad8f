//! Paying through Paystack (the local Paystack): opening a payment, the signed webhook, verify,
//! and every rule of the contract's payments section that does not need a refund.

use api_tests::{TestApp, TestResponse, stack, unique_phone};
use hmac::{Hmac, Mac};
use http::Method;
use serde_json::{Value, json};
use sha2::Sha512;

async fn pay(t: &TestApp, token: &str, order: &str, body: Value) -> TestResponse {
    t.call(
        Method::POST,
        &format!("/api/orders/{order}/pay/"),
        Some(token),
        Some(body),
    )
    .await
}

async fn verify(t: &TestApp, token: &str, order: &str) -> TestResponse {
    t.call(
        Method::POST,
        &format!("/api/orders/{order}/pay/verify/"),
        Some(token),
        None,
    )
    .await
}

fn sign(raw: &[u8]) -> String {
    let mut mac = Hmac::<Sha512>::new_from_slice(stack().paystack_key.as_bytes()).unwrap();
    mac.update(raw);
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// Posts `raw` to the webhook with `signature` (None: no header).
async fn webhook(t: &TestApp, raw: &str, signature: Option<&str>) -> TestResponse {
    let mut req = http::Request::post("/api/payments/paystack/webhook/").header("content-type", "application/json");
    if let Some(sig) = signature {
        req = req.header("x-paystack-signature", sig);
    }
    t.request(req.body(lambda_http::Body::from(raw.to_owned())).unwrap())
        .await
}

fn charge_event(reference: &str, amount: i64, currency: &str, id: i64) -> String {
    json!({"event": "charge.success", "data": {
        "id": id, "status": "success", "reference": reference, "amount": amount,
        "currency": currency, "channel": "card", "paid_at": "2026-11-30T10:00:00.000Z"
    }})
    .to_string()
}

/// A pending order of one dish at `price` for a new customer: (customer token, order id).
async fn pending_order(t: &TestApp, admin: &str, price: i64) -> (String, String) {
    let customer = t.customer_token().await;
    let dish = t.admin_dish(admin, "Jollof", price, json!({})).await;
    let res = t
        .call(
            Method::POST,
            "/api/orders/",
            Some(&customer),
            Some(json!({"items": [{"food_item_id": dish, "quantity": 2}], "fulfilment": "pickup"})),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.raw);
    (customer, res.body["order"]["id"].as_str().unwrap().to_owned())
}

async fn order(t: &TestApp, token: &str, id: &str) -> Value {
    t.get(&format!("/api/orders/{id}/"), token).await.body["order"].clone()
}

#[tokio::test]
async fn a_customer_pays_through_paystack_and_the_signed_webhook_marks_the_order_paid_once() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let (customer, id) = pending_order(&t, &admin, 250_000).await;

    let res = pay(
        &t,
        &customer,
        &id,
        json!({"callback_url": "https://chukskitchen.ng/paid"}),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.raw);
    let payment = res.body["payment"].clone();
    assert_eq!(payment["provider"], "paystack");
    assert_eq!(payment["amount"], 500_000, "exactly the order total, in kobo");
    assert_eq!(payment["currency"], "NGN");
    assert!(
        payment["authorization_url"]
            .as_str()
            .unwrap()
            .starts_with(&stack().paystack)
    );
    let reference = payment["reference"].as_str().unwrap().to_owned();
    let again = pay(&t, &customer, &id, json!({})).await;
    assert_eq!(
        again.body["payment"]["reference"],
        reference.as_str(),
        "an open transaction is reused"
    );

    // Anyone else's order does not exist for this customer.
    let stranger = t.customer_token().await;
    assert_eq!(pay(&t, &stranger, &id, json!({})).await.status, 404);

    let raw = charge_event(&reference, 500_000, "NGN", 77);
    for bad in [None, Some("00"), Some(sign(b"another body").as_str())] {
        let res = webhook(&t, &raw, bad).await;
        assert_eq!((res.status.as_u16(), res.code()), (401, "invalid_signature"));
    }
    assert_eq!(
        order(&t, &customer, &id).await["payment_status"],
        "unpaid",
        "nothing changed"
    );

    let signature = sign(raw.as_bytes());
    let res = webhook(&t, &raw, Some(&signature)).await;
    assert_eq!(res.status, 200, "{}", res.raw);
    let paid = order(&t, &customer, &id).await;
    assert_eq!(paid["payment_status"], "paid");
    assert_eq!(paid["payment_method"], "paystack");
    assert_eq!(paid["payment"]["transaction_id"], 77);
    let last = paid["status_history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["by"].as_str(), last["by_role"].as_str()),
        (Some("paystack"), Some("paystack"))
    );
    assert_eq!(last["status"], "pending");

    // Redelivered: harmless, still 200, no second history entry.
    assert_eq!(webhook(&t, &raw, Some(&signature)).await.status, 200);
    let after = order(&t, &customer, &id).await;
    assert_eq!(
        after["status_history"].as_array().unwrap().len(),
        paid["status_history"].as_array().unwrap().len()
    );
    let res = pay(&t, &customer, &id, json!({})).await;
    assert_eq!((res.status.as_u16(), res.code()), (409, "already_paid"));
}

#[tokio::test]
async fn a_wrong_amount_or_an_unknown_reference_is_acknowledged_and_changes_nothing() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let (customer, id) = pending_order(&t, &admin, 100_000).await;
    let reference = pay(&t, &customer, &id, json!({})).await.body["payment"]["reference"]
        .as_str()
        .unwrap()
        .to_owned();
    for raw in [
        charge_event(&reference, 1_000, "NGN", 1),
        charge_event(&reference, 200_000, "USD", 2),
        charge_event("ck-unknown-reference", 200_000, "NGN", 3),
        json!({"event": "transfer.success", "data": {}}).to_string(),
    ] {
        let res = webhook(&t, &raw, Some(&sign(raw.as_bytes()))).await;
        assert_eq!(res.status, 200, "Paystack would retry anything else: {raw}");
    }
    assert_eq!(order(&t, &customer, &id).await["payment_status"], "unpaid");
}

#[tokio::test]
async fn verify_applies_a_payment_made_before_the_webhook_arrives() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let (customer, id) = pending_order(&t, &admin, 150_000).await;
    let res = verify(&t, &customer, &id).await;
    assert_eq!((res.status.as_u16(), res.code()), (409, "no_payment"));
    let reference = pay(&t, &customer, &id, json!({})).await.body["payment"]["reference"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = verify(&t, &customer, &id).await;
    assert_eq!(res.status, 200);
    assert_eq!(
        res.body["order"]["payment_status"], "unpaid",
        "not paid at Paystack yet"
    );
    let paid = reqwest::Client::new()
        .post(format!("{}/__control/pay/{reference}", stack().paystack))
        .send()
        .await
        .unwrap();
    assert!(paid.status().is_success());
    let res = verify(&t, &customer, &id).await;
    assert_eq!(res.status, 200, "{}", res.raw);
    assert_eq!(res.body["order"]["payment_status"], "paid");
    assert_eq!(
        res.body["order"]["status_history"].as_array().unwrap().last().unwrap()["by"],
        "paystack"
    );
    // The webhook arriving afterwards changes nothing.
    let raw = charge_event(&reference, 300_000, "NGN", 9);
    assert_eq!(webhook(&t, &raw, Some(&sign(raw.as_bytes()))).await.status, 200);
    assert_eq!(
        order(&t, &customer, &id).await["status_history"],
        res.body["order"]["status_history"]
    );
}

#[tokio::test]
async fn only_pending_unpaid_orders_are_paid_for_and_phone_customers_give_an_email() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let (customer, id) = pending_order(&t, &admin, 100_000).await;
    let res = t
        .call(
            Method::POST,
            &format!("/api/orders/{id}/cancel/"),
            Some(&customer),
            None,
        )
        .await;
    assert_eq!(res.status, 200);
    let res = pay(&t, &customer, &id, json!({})).await;
    assert_eq!((res.status.as_u16(), res.code()), (409, "order_not_payable"));

    let phone = unique_phone();
    t.verified_user(&phone, "phone password").await;
    let token = t.login(&phone, "phone password").await["access"]
        .as_str()
        .unwrap()
        .to_owned();
    let dish = t.admin_dish(&admin, "Suya", 100_000, json!({})).await;
    let placed = t
        .call(
            Method::POST,
            "/api/orders/",
            Some(&token),
            Some(json!({"items": [{"food_item_id": dish, "quantity": 1}], "fulfilment": "pickup"})),
        )
        .await;
    let order_id = placed.body["order"]["id"].as_str().unwrap().to_owned();
    let res = pay(&t, &token, &order_id, json!({})).await;
    assert_eq!((res.status.as_u16(), res.code()), (400, "email_required"));
    let res = pay(&t, &token, &order_id, json!({"email": "not-an-email"})).await;
    assert_eq!(res.code(), "invalid_email");
    let res = pay(&t, &token, &order_id, json!({"email": "ada@example.com"})).await;
    assert_eq!(res.status, 200, "{}", res.raw);
}
