//! Orders nobody pays (contract v3, "v2 corrections"): a customer holds at most
//! `MAX_OPEN_UNPAID_ORDERS` unpaid pending orders, and an unpaid pending order expires after
//! `UNPAID_ORDER_TTL_MINUTES`, cancelled by `system` with its stock given back.

use api_tests::{TestApp, TestResponse};
use http::Method;
use serde_json::{Value, json};
use shared::platform::clock::now_epoch;

async fn place(t: &TestApp, token: &str, food: &str) -> TestResponse {
    t.call(
        Method::POST,
        "/api/orders/",
        Some(token),
        Some(json!({"items": [{"food_item_id": food, "quantity": 1}], "fulfilment": "pickup"})),
    )
    .await
}

async fn mark(t: &TestApp, admin: &str, id: &str, what: &str, value: &str) -> TestResponse {
    t.call(
        Method::PATCH,
        &format!("/api/orders/admin/{id}/{what}/"),
        Some(admin),
        Some(json!({ what.replace('-', "_"): value })),
    )
    .await
}

async fn order(t: &TestApp, token: &str, id: &str) -> Value {
    let res = t.get(&format!("/api/orders/{id}/"), token).await;
    assert_eq!(res.status, 200, "{}", res.raw);
    res.body["order"].clone()
}

#[tokio::test]
async fn a_customer_holds_at_most_three_unpaid_orders_and_a_paid_or_cancelled_one_frees_a_place() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let customer = t.customer_token().await;
    let dish = t.admin_dish(&admin, "Puff Puff", 50_000, json!({})).await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        let res = place(&t, &customer, &dish).await;
        assert_eq!(res.status, 201, "{}", res.raw);
        ids.push(res.body["order"]["id"].as_str().unwrap().to_owned());
    }
    let res = place(&t, &customer, &dish).await;
    assert_eq!(res.status, 409, "{}", res.raw);
    assert_eq!(res.code(), "too_many_open_orders");
    // Another customer is not held by it.
    let other = t.customer_token().await;
    assert_eq!(place(&t, &other, &dish).await.status, 201);

    // Paid at the counter: that order no longer holds a place.
    assert_eq!(mark(&t, &admin, &ids[0], "payment-status", "paid").await.status, 200);
    let res = place(&t, &customer, &dish).await;
    assert_eq!(res.status, 201, "{}", res.raw);
    assert_eq!(place(&t, &customer, &dish).await.code(), "too_many_open_orders");
    // Cancelled by the customer: the same.
    assert_eq!(t.cancel(&customer, &ids[1]).await.status, 200);
    assert_eq!(place(&t, &customer, &dish).await.status, 201);
    assert_eq!(place(&t, &customer, &dish).await.code(), "too_many_open_orders");
}

#[tokio::test]
async fn ten_concurrent_orders_of_one_customer_leave_exactly_the_maximum_unpaid() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let customer = t.customer_token().await;
    let dish = t.admin_dish(&admin, "Chin Chin", 40_000, json!({"stock": 50})).await;
    let statuses = futures::future::join_all((0..10).map(|_| place(&t, &customer, &dish))).await;
    let placed = statuses.iter().filter(|r| r.status == 201).count();
    let refused = statuses.iter().filter(|r| r.code() == "too_many_open_orders").count();
    assert_eq!(
        (placed, refused),
        (3, 7),
        "{:?}",
        statuses.iter().map(|r| &r.raw).collect::<Vec<_>>()
    );
    // Nothing of the refused ones was written: the stock went down by exactly three.
    let food = t.get(&format!("/api/foods/admin/items/{dish}/"), &admin).await;
    assert_eq!(food.body["food"]["stock"], 47, "{}", food.raw);
}

#[tokio::test]
async fn an_unpaid_order_expires_after_its_lifetime_its_stock_comes_back_and_paid_ones_stay() {
    let t = TestApp::with_env(&[("UNPAID_ORDER_TTL_MINUTES", "30")]).await;
    let admin = t.admin_token().await;
    let customer = t.customer_token().await;
    let dish = t.admin_dish(&admin, "Moi Moi", 80_000, json!({"stock": 5})).await;
    let unpaid = place(&t, &customer, &dish).await.body["order"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let paid = place(&t, &customer, &dish).await.body["order"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(mark(&t, &admin, &paid, "payment-status", "paid").await.status, 200);

    // Not yet: 29 minutes on.
    let expired = expiry::sweep(&t.app, now_epoch() + 29 * 60).await.unwrap();
    assert_eq!(expired, 0);
    assert_eq!(order(&t, &customer, &unpaid).await["status"], "pending");

    // 31 minutes on: the unpaid one is cancelled by the system, its portion is back.
    let expired = expiry::sweep(&t.app, now_epoch() + 31 * 60).await.unwrap();
    assert_eq!(expired, 1);
    let gone = order(&t, &customer, &unpaid).await;
    assert_eq!(gone["status"], "cancelled");
    let last = gone["status_history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["status"].as_str(), last["by"].as_str()),
        (Some("cancelled"), Some("system"))
    );
    assert_eq!(
        order(&t, &customer, &paid).await["status"],
        "pending",
        "a paid order waits for the kitchen"
    );
    let food = t.get(&format!("/api/foods/admin/items/{dish}/"), &admin).await;
    assert_eq!(
        food.body["food"]["stock"], 4,
        "the expired order's portion is back: {}",
        food.raw
    );

    // A second sweep finds nothing more to do.
    assert_eq!(expiry::sweep(&t.app, now_epoch() + 31 * 60).await.unwrap(), 0);
}

#[tokio::test]
async fn more_keys_than_one_batch_get_takes_are_all_read() {
    // A customer allowed more open unpaid orders than DynamoDB reads in one BatchGetItem (100):
    // the placement that finds the list full reads every order's state (the faults scenario's
    // placements failed with 500 here before the keys were split).
    use shared::platform::db::{BATCH_GET_KEYS, PK, SK, s};
    let t = TestApp::new().await;
    let db = t.app.db().clone();
    let n = BATCH_GET_KEYS * 2 + 17;
    let keys: Vec<(String, String)> = (0..n).map(|i| (format!("TEST#{i}"), "x".to_owned())).collect();
    for chunk in keys.chunks(25) {
        futures::future::join_all(chunk.iter().map(|(pk, sk)| {
            let item = [(PK.to_owned(), s(pk.clone())), (SK.to_owned(), s(sk.clone()))]
                .into_iter()
                .collect();
            db.put(item, "PutItem test")
        }))
        .await
        .into_iter()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    }
    let found = db.batch_get(keys, "BatchGetItem test").await.unwrap();
    assert_eq!(found.len(), n);
}
