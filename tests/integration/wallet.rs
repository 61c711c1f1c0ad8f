//! Contract v3, "Wallet": deposits through Paystack credited exactly once, paying an order from
//! the wallet in one write, refunds back into it, the platform admin's adjustments, and a
//! ledger that always sums to the balance.

use api_tests::{TestApp, TestResponse, stack};
use http::Method;
use serde_json::{Value, json};

use crate::payments::{charge_event, sign, webhook};

pub(crate) async fn balance(t: &TestApp, token: &str) -> i64 {
    let res = t.get("/api/wallet/", token).await;
    assert_eq!(res.status, 200, "{}", res.raw);
    assert_eq!(res.body["wallet"]["currency"], "NGN");
    res.body["wallet"]["balance"].as_i64().unwrap()
}

async fn entries(t: &TestApp, token: &str) -> Vec<Value> {
    let res = t.get("/api/wallet/transactions/?limit=100", token).await;
    assert_eq!(res.status, 200, "{}", res.raw);
    res.body["items"].as_array().unwrap().clone()
}

pub(crate) async fn deposit(t: &TestApp, token: &str, amount: i64) -> TestResponse {
    t.call(
        Method::POST,
        "/api/wallet/deposit/",
        Some(token),
        Some(json!({"amount": amount})),
    )
    .await
}

async fn adjust(t: &TestApp, admin: &str, user: &str, body: Value) -> TestResponse {
    t.call(
        Method::POST,
        &format!("/api/auths/admin/users/{user}/wallet/"),
        Some(admin),
        Some(body),
    )
    .await
}

async fn user_id(t: &TestApp, token: &str) -> String {
    t.get("/api/auths/me/", token).await.body["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn pay_from_wallet(t: &TestApp, token: &str, order: &str) -> TestResponse {
    t.call(
        Method::POST,
        &format!("/api/orders/{order}/pay/wallet/"),
        Some(token),
        None,
    )
    .await
}

/// Each of the wallet's entries, oldest first, adds up to the balance (and says so after it).
async fn assert_ledger_adds_up(t: &TestApp, token: &str) {
    let balance = balance(t, token).await;
    let mut all = entries(t, token).await;
    all.reverse();
    let mut running = 0;
    for entry in &all {
        running += entry["amount"].as_i64().unwrap();
        assert_eq!(entry["balance_after"], running, "{entry}");
        assert!(running >= 0);
    }
    assert_eq!(running, balance, "the ledger sums to the balance");
    let id = user_id(t, token).await;
    assert!(t.app.wallets.ledger_adds_up(&id).await.unwrap());
}

async fn order_of(t: &TestApp, token: &str, dish: &str, quantity: i64) -> String {
    let res = t
        .call(
            Method::POST,
            "/api/orders/",
            Some(token),
            Some(json!({"items": [{"food_item_id": dish, "quantity": quantity}], "fulfilment": "pickup"})),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.raw);
    res.body["order"]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_deposit_is_credited_once_whether_the_webhook_or_verify_comes_first() {
    let t = TestApp::new().await;
    let customer = t.customer_token().await;
    assert_eq!(balance(&t, &customer).await, 0, "a new account's wallet is empty");
    for bad in [
        json!({}),
        json!({"amount": 9_999}),
        json!({"amount": 100_000_001}),
        json!({"amount": "5000"}),
    ] {
        let res = t
            .call(Method::POST, "/api/wallet/deposit/", Some(&customer), Some(bad.clone()))
            .await;
        assert_eq!(
            (res.status.as_u16(), res.code()),
            (400, "invalid_amount"),
            "{bad}: {}",
            res.raw
        );
    }

    // Paid at Paystack; verify credits it, then the webhook delivered five times at once
    // changes nothing.
    let res = deposit(&t, &customer, 500_000).await;
    assert_eq!(res.status, 200, "{}", res.raw);
    let reference = res.body["payment"]["reference"].as_str().unwrap().to_owned();
    assert!(reference.starts_with("wd-"), "{reference}");
    assert_eq!(res.body["payment"]["amount"], 500_000);
    let verify = |r: &str| {
        t.call(
            Method::POST,
            "/api/wallet/deposit/verify/",
            Some(&customer),
            Some(json!({"reference": r})),
        )
    };
    let res = verify(&reference).await;
    assert_eq!(
        (res.status.as_u16(), &res.body["wallet"]["balance"]),
        (200, &json!(0)),
        "not paid yet"
    );
    let paid = reqwest::Client::new()
        .post(format!("{}/__control/pay/{reference}", stack().paystack))
        .send()
        .await
        .unwrap();
    assert!(paid.status().is_success());
    let res = verify(&reference).await;
    assert_eq!(res.body["wallet"]["balance"], 500_000, "{}", res.raw);
    let raw = charge_event(&reference, 500_000, "NGN", 77);
    let signature = sign(raw.as_bytes());
    let deliveries = futures::future::join_all((0..5).map(|_| webhook(&t, &raw, Some(&signature)))).await;
    assert!(deliveries.iter().all(|r| r.status == 200));
    assert_eq!(balance(&t, &customer).await, 500_000, "credited once");
    let res = verify(&reference).await;
    assert_eq!(res.body["wallet"]["balance"], 500_000, "verify again: unchanged");

    // The webhook first, five times at once: one credit.
    let second = deposit(&t, &customer, 250_000).await.body["payment"]["reference"]
        .as_str()
        .unwrap()
        .to_owned();
    let raw = charge_event(&second, 250_000, "NGN", 78);
    let signature = sign(raw.as_bytes());
    let deliveries = futures::future::join_all((0..5).map(|_| webhook(&t, &raw, Some(&signature)))).await;
    assert!(deliveries.iter().all(|r| r.status == 200));
    assert_eq!(balance(&t, &customer).await, 750_000);
    let all = entries(&t, &customer).await;
    assert_eq!(all.len(), 2, "{all:?}");
    assert_eq!(
        (
            &all[0]["kind"],
            &all[0]["amount"],
            &all[0]["balance_after"],
            &all[0]["reference"]
        ),
        (&json!("deposit"), &json!(250_000), &json!(750_000), &json!(second)),
        "the last applied first"
    );

    // Another amount than initialized: acknowledged, not credited.
    let third = deposit(&t, &customer, 100_000).await.body["payment"]["reference"]
        .as_str()
        .unwrap()
        .to_owned();
    let raw = charge_event(&third, 10_000, "NGN", 79);
    assert_eq!(webhook(&t, &raw, Some(&sign(raw.as_bytes()))).await.status, 200);
    assert_eq!(balance(&t, &customer).await, 750_000, "an anomaly is not credited");
    // An unsigned delivery is refused; another customer's reference is not found.
    assert_eq!(webhook(&t, &raw, None).await.status, 401);
    let other = t.customer_token().await;
    let res = t
        .call(
            Method::POST,
            "/api/wallet/deposit/verify/",
            Some(&other),
            Some(json!({"reference": reference})),
        )
        .await;
    assert_eq!(
        (res.status.as_u16(), res.code()),
        (404, "deposit_not_found"),
        "{}",
        res.raw
    );
    assert_ledger_adds_up(&t, &customer).await;
}

#[tokio::test]
async fn ten_wallet_payments_at_once_against_a_balance_for_three_leave_exactly_three_paid() {
    let t = TestApp::with_env(&[("MAX_OPEN_UNPAID_ORDERS", "10")]).await;
    let admin = t.admin_token().await;
    let customer = t.customer_token().await;
    let dish = t.admin_dish(&admin, "Ofada Rice", 100_000, json!({})).await;
    let mut orders = Vec::new();
    for _ in 0..10 {
        orders.push(order_of(&t, &customer, &dish, 1).await);
    }
    let id = user_id(&t, &customer).await;
    let res = adjust(&t, &admin, &id, json!({"amount": 350_000, "note": "Launch credit"})).await;
    assert_eq!(res.status, 200, "{}", res.raw);
    assert_eq!(res.body["wallet"]["balance"], 350_000);

    let results = futures::future::join_all(orders.iter().map(|o| pay_from_wallet(&t, &customer, o))).await;
    let paid: Vec<&TestResponse> = results.iter().filter(|r| r.status == 200).collect();
    assert_eq!(
        paid.len(),
        3,
        "{:?}",
        results.iter().map(|r| &r.raw).collect::<Vec<_>>()
    );
    for r in &paid {
        assert_eq!(r.body["order"]["payment_status"], "paid");
        assert_eq!(r.body["order"]["payment_method"], "wallet");
    }
    for r in results.iter().filter(|r| r.status != 200) {
        assert_eq!((r.status.as_u16(), r.code()), (409, "insufficient_funds"), "{}", r.raw);
    }
    assert_eq!(balance(&t, &customer).await, 50_000, "never below zero");
    let payments: Vec<Value> = entries(&t, &customer)
        .await
        .into_iter()
        .filter(|e| e["kind"] == "payment")
        .collect();
    assert_eq!(payments.len(), 3);
    assert!(
        payments
            .iter()
            .all(|e| e["amount"] == -100_000 && e["order_id"].is_string())
    );
    assert_ledger_adds_up(&t, &customer).await;

    // Paying again is refused as for Paystack; nothing changes.
    let again = paid[0].body["order"]["id"].as_str().unwrap();
    let res = pay_from_wallet(&t, &customer, again).await;
    assert_eq!((res.status.as_u16(), res.code()), (409, "already_paid"), "{}", res.raw);
    let someone = t.customer_token().await;
    let res = pay_from_wallet(&t, &someone, &orders[0]).await;
    assert_eq!(res.status, 404, "another's order: {}", res.raw);
}

#[tokio::test]
async fn cancelling_a_wallet_paid_order_refunds_it_into_the_wallet_in_the_same_write() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let customer = t.customer_token().await;
    let dish = t.admin_dish(&admin, "Egusi Soup", 120_000, json!({"stock": 4})).await;
    let id = user_id(&t, &customer).await;
    assert_eq!(
        adjust(&t, &admin, &id, json!({"amount": 300_000, "note": "Apology"}))
            .await
            .status,
        200
    );
    let order = order_of(&t, &customer, &dish, 2).await;
    let res = pay_from_wallet(&t, &customer, &order).await;
    assert_eq!(res.status, 200, "{}", res.raw);
    assert_eq!(balance(&t, &customer).await, 60_000);

    let res = t.cancel(&customer, &order).await;
    assert_eq!(res.status, 200, "{}", res.raw);
    assert_eq!(res.body["order"]["status"], "cancelled");
    assert_eq!(res.body["order"]["payment_status"], "refunded");
    assert_eq!(balance(&t, &customer).await, 300_000, "the whole total is back");
    let last = &entries(&t, &customer).await[0];
    assert_eq!(
        (&last["kind"], &last["amount"], &last["order_id"]),
        (&json!("refund"), &json!(240_000), &json!(order))
    );
    let food = t.get(&format!("/api/foods/admin/items/{dish}/"), &admin).await;
    assert_eq!(food.body["food"]["stock"], 4, "the stock is back too");
    assert_ledger_adds_up(&t, &customer).await;
}

#[tokio::test]
async fn the_platform_admin_adjusts_a_wallet_with_a_note_never_below_zero() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let customer = t.customer_token().await;
    let id = user_id(&t, &customer).await;
    let res = adjust(&t, &admin, &id, json!({"amount": 0, "note": ""})).await;
    assert_eq!(res.status, 400, "{}", res.raw);
    for field in ["amount", "note"] {
        assert!(res.body["error"]["fields"][field].is_string(), "{field}: {}", res.raw);
    }
    let res = adjust(&t, &admin, &id, json!({"amount": -1, "note": "Test"})).await;
    assert_eq!(
        (res.status.as_u16(), res.code()),
        (409, "insufficient_funds"),
        "{}",
        res.raw
    );
    let res = adjust(
        &t,
        &admin,
        "01JD5Q4A1B3C5D7E9F1G3H5J7K",
        json!({"amount": 100, "note": "Nobody"}),
    )
    .await;
    assert_eq!(res.status, 404, "{}", res.raw);
    assert_eq!(
        adjust(&t, &admin, &id, json!({"amount": 20_000, "note": "Goodwill"}))
            .await
            .status,
        200
    );
    let res = adjust(&t, &admin, &id, json!({"amount": -5_000, "note": "Corrected"})).await;
    assert_eq!(res.body["wallet"]["balance"], 15_000, "{}", res.raw);
    let all = entries(&t, &customer).await;
    assert_eq!(all[0]["note"], "Corrected");
    assert_eq!(all[0]["kind"], "adjustment");
    assert!(all[0]["by"].is_string());
    // Only the platform admin.
    let res = adjust(&t, &customer, &id, json!({"amount": 100, "note": "Me"})).await;
    assert_eq!(res.status, 403);
    assert_ledger_adds_up(&t, &customer).await;
}
