//! Paying through Paystack (the local Paystack): opening a payment, the signed webhook, verify,
//! refunds when a paid order is cancelled, and every rule of the contract's payments section.

use api_tests::{TestApp, TestResponse, stack, unique_phone};
use http::Method;
use serde_json::{Value, json};

pub(crate) async fn pay(t: &TestApp, token: &str, order: &str, body: Value) -> TestResponse {
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

pub(crate) fn sign(raw: &[u8]) -> String {
    shared::payments::model::signature(stack().paystack_key.as_bytes(), raw)
}

/// Posts `raw` to the webhook with `signature` (None: no header).
pub(crate) async fn webhook(t: &TestApp, raw: &str, signature: Option<&str>) -> TestResponse {
    let mut req = http::Request::post("/api/payments/paystack/webhook/").header("content-type", "application/json");
    if let Some(sig) = signature {
        req = req.header("x-paystack-signature", sig);
    }
    t.request(req.body(lambda_http::Body::from(raw.to_owned())).unwrap())
        .await
}

pub(crate) fn charge_event(reference: &str, amount: i64, currency: &str, id: i64) -> String {
    json!({"event": "charge.success", "data": {
        "id": id, "status": "success", "reference": reference, "amount": amount,
        "currency": currency, "channel": "card", "paid_at": "2026-11-30T10:00:00.000Z"
    }})
    .to_string()
}

/// A pending order of one dish at `price` for a new customer: (customer token, order id).
pub(crate) async fn pending_order(t: &TestApp, admin: &str, price: i64) -> (String, String) {
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

/// A pending order (200,000 kobo) with a Paystack payment opened, then cancelled by its
/// customer before paying: (customer token, order id, payment reference, the cancel's answer).
async fn opened_then_cancelled(t: &TestApp) -> (String, String, String, TestResponse) {
    let admin = t.admin_token().await;
    let (customer, id) = pending_order(t, &admin, 100_000).await;
    let reference = pay(t, &customer, &id, json!({})).await.body["payment"]["reference"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = t.cancel(&customer, &id).await;
    assert_eq!(res.status, 200, "{}", res.raw);
    (customer, id, reference, res)
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
    let before = t.app.db().calls();
    let res = webhook(&t, &raw, Some(&signature)).await;
    assert_eq!(res.status, 200, "{}", res.raw);
    assert_eq!(
        res.body,
        json!({"received": true}),
        "every answer is JSON, the webhook's too"
    );
    assert_eq!(res.headers["content-type"], "application/json");
    assert_eq!(
        t.app.db().calls() - before,
        1,
        "one conditional write: the reference names its order"
    );
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

    // Redelivered: harmless, still 200, no second history entry, still one call (the refused
    // write answers with the order, already paid).
    let before = t.app.db().calls();
    assert_eq!(webhook(&t, &raw, Some(&signature)).await.status, 200);
    assert_eq!(t.app.db().calls() - before, 1);
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
    // The charges that did not pay the order are on record for the kitchen, once each.
    let anomaly = |tx: i64| {
        t.app.db().get_item::<shared::payments::model::PaymentAnomaly>(
            format!("PAYANOMALY#{reference}#{tx}"),
            "PAYANOMALY",
            "payment anomaly",
        )
    };
    for tx in [1, 2] {
        let recorded = anomaly(tx).await.unwrap().expect("recorded");
        assert_eq!(
            (
                recorded.order_id.as_deref(),
                recorded.reason.as_str(),
                recorded.expected
            ),
            (Some(id.as_str()), "amount", 200_000)
        );
    }
}

#[tokio::test]
async fn money_that_arrives_after_the_order_was_cancelled_is_recorded_and_the_order_stays_cancelled() {
    let t = TestApp::new().await;
    let (customer, id, reference, _) = opened_then_cancelled(&t).await;

    let raw = charge_event(&reference, 200_000, "NGN", 9);
    let res = webhook(&t, &raw, Some(&sign(raw.as_bytes()))).await;
    assert_eq!(res.status, 200, "{}", res.raw);
    let after = order(&t, &customer, &id).await;
    assert_eq!(
        (after["status"].as_str(), after["payment_status"].as_str()),
        (Some("cancelled"), Some("unpaid"))
    );
    let recorded = t
        .app
        .db()
        .get_item::<shared::payments::model::PaymentAnomaly>(
            format!("PAYANOMALY#{reference}#9"),
            "PAYANOMALY",
            "payment anomaly",
        )
        .await
        .unwrap()
        .expect("recorded for the kitchen");
    assert_eq!((recorded.reason.as_str(), recorded.paid), ("cancelled", 200_000));
}

#[tokio::test]
async fn paystack_sends_the_customer_back_only_to_the_apps_own_origin() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let (customer, id) = pending_order(&t, &admin, 100_000).await;
    for foreign in [
        "https://evil.example/phish",
        "//evil.example/x",
        "https://chukskitchen.ng.evil.example/",
        "javascript:alert(1)",
    ] {
        let res = pay(&t, &customer, &id, json!({ "callback_url": foreign })).await;
        assert_eq!(res.status, 400, "{foreign}: {}", res.raw);
        assert_eq!(res.code(), "invalid_callback_url");
        assert!(res.body["error"]["fields"]["callback_url"].is_string());
    }
    // A path of the app is made absolute on APP_URL; Paystack's page sends the customer there.
    let res = pay(&t, &customer, &id, json!({"callback_url": "/#/orders/X/paid"})).await;
    assert_eq!(res.status, 200, "{}", res.raw);
    let url = res.body["payment"]["authorization_url"].as_str().unwrap().to_owned();
    let paid = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{url}/pay"))
        .send()
        .await
        .unwrap();
    let back = paid.headers()["location"].to_str().unwrap();
    assert!(
        back.starts_with(&format!("{}/#/orders/X/paid", api_tests::APP_URL)),
        "{back}"
    );
}

#[tokio::test]
async fn a_paystack_charge_for_an_order_already_paid_at_the_counter_is_an_anomaly_not_ignored() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let (customer, id) = pending_order(&t, &admin, 150_000).await;
    let reference = pay(&t, &customer, &id, json!({})).await.body["payment"]["reference"]
        .as_str()
        .unwrap()
        .to_owned();
    // The customer pays cash at the counter, then the transfer they started lands too.
    let res = t
        .call(
            Method::PATCH,
            &format!("/api/orders/admin/{id}/payment-status/"),
            Some(&admin),
            Some(json!({"payment_status": "paid"})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.raw);
    let before = order(&t, &customer, &id).await;
    let raw = charge_event(&reference, 300_000, "NGN", 11);
    let res = webhook(&t, &raw, Some(&sign(raw.as_bytes()))).await;
    assert_eq!(res.status, 200, "{}", res.raw);
    let after = order(&t, &customer, &id).await;
    assert_eq!(after["payment_method"], "cash", "the order's payment stays as it was");
    assert_eq!(after["status_history"], before["status_history"]);
    let recorded = t
        .app
        .db()
        .get_item::<shared::payments::model::PaymentAnomaly>(
            format!("PAYANOMALY#{reference}#11"),
            "PAYANOMALY",
            "payment anomaly",
        )
        .await
        .unwrap()
        .expect("recorded for the kitchen");
    assert_eq!((recorded.reason.as_str(), recorded.paid), ("already_paid", 300_000));
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
    let res = t.cancel(&customer, &id).await;
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

/// Pays `id` through Paystack (the signed webhook): its reference.
pub(crate) async fn paid_through_paystack(t: &TestApp, customer: &str, id: &str) -> String {
    let res = pay(t, customer, id, json!({})).await;
    let reference = res.body["payment"]["reference"].as_str().unwrap().to_owned();
    let amount = res.body["payment"]["amount"].as_i64().unwrap();
    // The local Paystack must know the transaction as paid before it refunds it.
    let paid = reqwest::Client::new()
        .post(format!("{}/__control/pay/{reference}", stack().paystack))
        .send()
        .await
        .unwrap();
    assert!(paid.status().is_success());
    let raw = charge_event(&reference, amount, "NGN", 501);
    assert_eq!(webhook(t, &raw, Some(&sign(raw.as_bytes()))).await.status, 200);
    assert_eq!(order(t, customer, id).await["payment_status"], "paid");
    reference
}

/// The refunds the local Paystack took for `reference` (kobo each).
pub(crate) async fn refunds_of(reference: &str) -> Vec<i64> {
    let all: Value = reqwest::get(format!("{}/__control/refunds", stack().paystack))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    all["refunds"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["reference"] == reference)
        .map(|r| r["amount"].as_i64().unwrap())
        .collect()
}

pub(crate) async fn refuse_refunds_of(reference: &str) {
    let res = reqwest::Client::new()
        .post(format!("{}/__control/refunds", stack().paystack))
        .json(&json!({"refuse": true, "reference": reference}))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
}

fn last_entry(order: &Value) -> Value {
    order["status_history"].as_array().unwrap().last().unwrap().clone()
}

/// The refund worker (the payments function fed by the table's stream) handed the change that
/// cancelled order `id`: the record's failures, if any.
pub(crate) async fn refund_worker(t: &TestApp, id: &str) -> usize {
    let batch: aws_lambda_events::event::dynamodb::Event = serde_json::from_value(json!({"Records": [{
        "eventID": "1",
        "eventName": "MODIFY",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": {
            "Keys": {"PK": {"S": format!("ORDER#{id}")}, "SK": {"S": "ORDER"}},
            "NewImage": {"id": {"S": id}, "status": {"S": "cancelled"}, "payment_status": {"S": "paid"}, "payment_method": {"S": "paystack"}},
            "SequenceNumber": "100",
            "SizeBytes": 100,
            "StreamViewType": "NEW_AND_OLD_IMAGES"
        }
    }]}))
    .expect("a stream batch");
    let worker = t
        .app
        .payments
        .as_ref()
        .expect("the payments function holds Paystack's key");
    payments::refund_batch(worker, &batch, std::time::Duration::ZERO)
        .await
        .batch_item_failures
        .len()
}

/// Paystack's signed refund webhook for the transaction `reference`.
pub(crate) async fn refund_webhook(t: &TestApp, reference: &str, event: &str) -> TestResponse {
    let raw = json!({"event": event, "data": {"id": 77, "status": event.trim_start_matches("refund."), "transaction_reference": reference, "amount": 1}}).to_string();
    webhook(t, &raw, Some(&sign(raw.as_bytes()))).await
}

#[tokio::test]
async fn a_customer_cancelling_a_paid_order_gets_the_whole_payment_back_through_paystack_once() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let (customer, id) = pending_order(&t, &admin, 300_000).await;
    let reference = paid_through_paystack(&t, &customer, &id).await;

    // The cancellation answers at once: Paystack is not on its path.
    let res = t.cancel(&customer, &id).await;
    assert_eq!(res.status, 200, "{}", res.raw);
    let cancelled = &res.body["order"];
    assert_eq!(
        (cancelled["status"].as_str(), cancelled["payment_status"].as_str()),
        (Some("cancelled"), Some("paid"))
    );
    assert!(
        refunds_of(&reference).await.is_empty(),
        "nothing asked on the request's path"
    );

    // The stream hands the change to the refund worker: Paystack takes the refund.
    assert_eq!(refund_worker(&t, &id).await, 0);
    assert_eq!(refunds_of(&reference).await, [600_000], "the whole payment");
    let pending = order(&t, &customer, &id).await;
    assert_eq!(pending["payment_status"], "refund_pending");
    let last = last_entry(&pending);
    assert_eq!(
        (
            last["status"].as_str(),
            last["payment_status"].as_str(),
            last["by"].as_str()
        ),
        (Some("cancelled"), Some("refund_pending"), Some("paystack"))
    );
    // A redelivered change asks for nothing more.
    assert_eq!(refund_worker(&t, &id).await, 0);
    assert_eq!(refunds_of(&reference).await.len(), 1, "once");

    // Paystack's refund.processed settles it, once.
    assert_eq!(refund_webhook(&t, &reference, "refund.processed").await.status, 200);
    let refunded = order(&t, &customer, &id).await;
    assert_eq!(refunded["payment_status"], "refunded");
    assert_eq!(refund_webhook(&t, &reference, "refund.processed").await.status, 200);
    assert_eq!(
        order(&t, &customer, &id).await["status_history"],
        refunded["status_history"]
    );

    // Cancelling again is refused and asks for nothing more.
    let again = t.cancel(&customer, &id).await;
    assert_eq!(again.status, 409, "{}", again.raw);
    assert_eq!(refunds_of(&reference).await.len(), 1);
    // A Paystack payment goes back only through Paystack, never by hand.
    let by_hand = t
        .call(
            Method::PATCH,
            &format!("/api/orders/admin/{id}/payment-status/"),
            Some(&admin),
            Some(json!({"payment_status": "refunded"})),
        )
        .await;
    assert_eq!(
        by_hand.status, 200,
        "already refunded: nothing to change ({})",
        by_hand.raw
    );
}

#[tokio::test]
async fn the_kitchen_cancelling_a_paid_order_refunds_it_or_records_the_refusal() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let set_status = |id: String, status: &'static str| {
        let t = &t;
        let admin = admin.clone();
        async move {
            t.call(
                Method::PATCH,
                &format!("/api/orders/admin/{id}/status/"),
                Some(&admin),
                Some(json!({"status": status})),
            )
            .await
        }
    };

    // Confirmed and paid, then cancelled by the kitchen: refunded.
    let (customer, id) = pending_order(&t, &admin, 200_000).await;
    let reference = paid_through_paystack(&t, &customer, &id).await;
    assert_eq!(set_status(id.clone(), "confirmed").await.status, 200);
    let res = set_status(id.clone(), "cancelled").await;
    assert_eq!(res.status, 200, "{}", res.raw);
    assert_eq!(refund_worker(&t, &id).await, 0);
    assert_eq!(refunds_of(&reference).await, [400_000]);
    // Paystack's word came before the worker's own answer was written: settled all the same.
    assert_eq!(refund_webhook(&t, &reference, "refund.processed").await.status, 200);
    assert_eq!(order(&t, &customer, &id).await["payment_status"], "refunded");

    // Paystack refuses: the order is still cancelled, and says the refund failed.
    let (customer, id) = pending_order(&t, &admin, 150_000).await;
    let reference = paid_through_paystack(&t, &customer, &id).await;
    refuse_refunds_of(&reference).await;
    assert_eq!(set_status(id.clone(), "cancelled").await.status, 200);
    assert_eq!(refund_worker(&t, &id).await, 0, "a refusal is an answer, not a failure");
    let failed = order(&t, &customer, &id).await;
    assert_eq!(
        (failed["status"].as_str(), failed["payment_status"].as_str()),
        (Some("cancelled"), Some("refund_failed"))
    );
    let last = last_entry(&failed);
    assert_eq!(
        (last["payment_status"].as_str(), last["by_role"].as_str()),
        (Some("refund_failed"), Some("paystack"))
    );
    assert!(refunds_of(&reference).await.is_empty());
    // Not by hand either: the kitchen settles it with Paystack.
    let by_hand = t
        .call(
            Method::PATCH,
            &format!("/api/orders/admin/{id}/payment-status/"),
            Some(&admin),
            Some(json!({"payment_status": "refunded"})),
        )
        .await;
    assert_eq!(
        (by_hand.status.as_u16(), by_hand.code()),
        (409, "invalid_payment_transition")
    );

    // Once the cause is fixed, the operator asks again (kitchen-ops retry-refund).
    let res = reqwest::Client::new()
        .post(format!("{}/__control/refunds", stack().paystack))
        .json(&json!({"refuse": false, "reference": reference}))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    let paystack = shared::payments::paystack::Paystack::new(
        &stack().paystack,
        shared::payments::paystack::SecretKey::new(stack().paystack_key.clone()),
    )
    .unwrap();
    let retried = ops::retry_refund(t.app.db(), &paystack, &id).await.unwrap();
    assert_eq!(retried.payment_status.as_str(), "refund_pending");
    assert_eq!(refunds_of(&reference).await, [300_000]);
    let err = ops::retry_refund(t.app.db(), &paystack, &id).await.unwrap_err();
    assert!(err.to_string().contains("owed no Paystack refund"), "{err}");
    assert_eq!(refunds_of(&reference).await.len(), 1, "never twice");
    // refund.failed after all: the kitchen is told again (refund_failed).
    assert_eq!(refund_webhook(&t, &reference, "refund.failed").await.status, 200);
    assert_eq!(order(&t, &customer, &id).await["payment_status"], "refund_failed");
}

#[tokio::test]
async fn a_refund_paystack_cannot_be_asked_for_is_retried_by_the_stream_and_nothing_is_recorded() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let (customer, id) = pending_order(&t, &admin, 100_000).await;
    paid_through_paystack(&t, &customer, &id).await;
    assert_eq!(t.cancel(&customer, &id).await.status, 200);
    let unreachable = TestApp::on_table(&t.table, &[("PAYSTACK_BASE_URL", "http://127.0.0.1:9")]).await;
    assert_eq!(
        refund_worker(&unreachable, &id).await,
        1,
        "the record is reported: the stream retries it"
    );
    assert_eq!(
        order(&t, &customer, &id).await["payment_status"],
        "paid",
        "nothing recorded"
    );
    assert_eq!(refund_worker(&t, &id).await, 0, "once Paystack answers");
    assert_eq!(order(&t, &customer, &id).await["payment_status"], "refund_pending");
}

#[tokio::test]
async fn cancelling_an_order_that_was_never_paid_asks_paystack_for_nothing() {
    let t = TestApp::new().await;
    let (_, _, reference, res) = opened_then_cancelled(&t).await;
    assert_eq!(res.body["order"]["payment_status"], "unpaid");
    assert!(refunds_of(&reference).await.is_empty());
}

/// A kitchen with a Paystack subaccount (the platform admin's to set) is paid through it: the
/// transaction is split at initialization, the platform keeping its commission (rounded down).
#[tokio::test]
async fn a_kitchen_with_a_subaccount_is_paid_through_it_less_the_platforms_commission() {
    let t = TestApp::with_env(&[("PLATFORM_COMMISSION_PERCENT", "10")]).await;
    let admin = t.admin_token().await;
    let owner = t.customer_token().await;
    let slug = format!("k-{}", ulid::Ulid::new().to_string().to_lowercase());
    let res = t
        .call(
            Method::POST,
            "/api/kitchens/",
            Some(&owner),
            Some(json!({"name": "Split Kitchen", "slug": slug, "phone": "08031234567", "address": "Yaba"})),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.raw);
    let decided = t
        .call(
            Method::POST,
            &format!("/api/kitchens/admin/{slug}/status/"),
            Some(&admin),
            Some(json!({"status": "active"})),
        )
        .await;
    assert_eq!(decided.status, 200, "{}", decided.raw);
    let manage = format!("/api/kitchens/{slug}/manage/");
    let subaccount = json!({"paystack_subaccount": "ACCT_8f4s1eq7ml6rlzj"});
    let res = t
        .call(Method::PATCH, &manage, Some(&owner), Some(subaccount.clone()))
        .await;
    assert_eq!(
        (res.status.as_u16(), res.code()),
        (403, "forbidden"),
        "only the platform admin sets it"
    );
    let res = t
        .call(
            Method::PATCH,
            &manage,
            Some(&admin),
            Some(json!({"paystack_subaccount": "not-a-code"})),
        )
        .await;
    assert_eq!(res.status, 400, "{}", res.raw);
    let res = t.call(Method::PATCH, &manage, Some(&admin), Some(subaccount)).await;
    assert_eq!(res.status, 200, "{}", res.raw);
    let path = |p: &str| format!("/api/kitchens/{slug}/manage/foods/{p}");
    let category = t
        .call(
            Method::POST,
            &path("categories/"),
            Some(&owner),
            Some(json!({"name": "Mains"})),
        )
        .await
        .body["category"]["id"]
        .clone();
    let dish = t
        .call(
            Method::POST,
            &path("items/"),
            Some(&owner),
            Some(json!({"name": "Ofada Rice", "price": 333_333, "category_id": category})),
        )
        .await
        .body["food"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let customer = t.customer_token().await;
    let order = t
        .call(
            Method::POST,
            "/api/orders/",
            Some(&customer),
            Some(json!({"items": [{"food_item_id": dish, "quantity": 1}], "fulfilment": "pickup"})),
        )
        .await;
    assert_eq!(order.status, 201, "{}", order.raw);
    let id = order.body["order"]["id"].as_str().unwrap().to_owned();
    let res = pay(&t, &customer, &id, json!({})).await;
    assert_eq!(res.status, 200, "{}", res.raw);
    let reference = res.body["payment"]["reference"].as_str().unwrap().to_owned();

    let asked: Value = reqwest::get(format!("{}/__control/initialized", stack().paystack))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let asked = asked["initialized"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["reference"] == reference.as_str())
        .cloned()
        .expect("the local Paystack saw the initialize");
    assert_eq!(asked["amount"], 333_333);
    assert_eq!(asked["subaccount"], "ACCT_8f4s1eq7ml6rlzj");
    assert_eq!(asked["transaction_charge"], 33_333, "10% of 333,333 kobo, rounded down");

    // The home kitchen has none: its payments are not split.
    let home_dish = t.admin_dish(&admin, "Jollof", 100_000, json!({})).await;
    let order = t
        .call(
            Method::POST,
            "/api/orders/",
            Some(&customer),
            Some(json!({"items": [{"food_item_id": home_dish, "quantity": 1}], "fulfilment": "pickup"})),
        )
        .await;
    let id = order.body["order"]["id"].as_str().unwrap().to_owned();
    let res = pay(&t, &customer, &id, json!({})).await;
    let reference = res.body["payment"]["reference"].as_str().unwrap().to_owned();
    let asked: Value = reqwest::get(format!("{}/__control/initialized", stack().paystack))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let home = asked["initialized"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["reference"] == reference.as_str())
        .cloned()
        .unwrap();
    assert!(
        home["subaccount"].is_null() && home["transaction_charge"].is_null(),
        "{home}"
    );
}

#[tokio::test]
async fn a_declined_card_is_retried_on_the_same_order_with_a_new_transaction_and_an_open_one_stands() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let (customer, id) = pending_order(&t, &admin, 100_000).await;
    let first = pay(&t, &customer, &id, json!({})).await;
    assert_eq!(first.status, 200, "{}", first.raw);
    let reference = |res: &TestResponse| res.body["payment"]["reference"].as_str().unwrap().to_owned();
    let url = |res: &TestResponse| res.body["payment"]["authorization_url"].as_str().unwrap().to_owned();
    // Not finished at Paystack: asking again answers with the same transaction.
    let again = pay(&t, &customer, &id, json!({})).await;
    assert_eq!((again.status.as_u16(), reference(&again)), (200, reference(&first)));

    // The card is declined on Paystack's page: Pay opens a new transaction on the same order.
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let declined = no_redirects
        .post(format!("{}/decline", url(&first)))
        .send()
        .await
        .unwrap();
    assert!(
        declined.status().is_success() || declined.status().is_redirection(),
        "{}",
        declined.status()
    );
    let retried = pay(&t, &customer, &id, json!({})).await;
    assert_eq!(retried.status, 200, "{}", retried.raw);
    assert_ne!(reference(&retried), reference(&first), "a new reference");
    assert_ne!(url(&retried), url(&first));
    assert_eq!(retried.body["payment"]["amount"], 200_000);
    let stored = order(&t, &customer, &id).await;
    assert_eq!(stored["payment"]["reference"], reference(&retried).as_str());
    assert_eq!(stored["payment_status"], "unpaid");
    // The new one stands while it is open.
    assert_eq!(
        reference(&pay(&t, &customer, &id, json!({})).await),
        reference(&retried)
    );

    // Paid through it before the webhook came: Pay applies Paystack's word and refuses.
    let paid = reqwest::Client::new()
        .post(format!("{}/__control/pay/{}", stack().paystack, reference(&retried)))
        .send()
        .await
        .unwrap();
    assert!(paid.status().is_success());
    let after = pay(&t, &customer, &id, json!({})).await;
    assert_eq!(
        (after.status.as_u16(), after.code()),
        (409, "already_paid"),
        "{}",
        after.raw
    );
    assert_eq!(order(&t, &customer, &id).await["payment_status"], "paid");
}
