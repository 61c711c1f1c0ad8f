use api_tests::{TestApp, TestResponse};
use http::Method;
use serde_json::{Value, json};
use shared::menu::model::{FoodChange, Money, Name, NewCategory};

/// A dish on the menu of `t`, made through the menu service.
async fn dish(t: &TestApp, name: &str, price: i64, available: bool) -> String {
    let menu = t.app.menu.of(&t.home_kitchen().await);
    let category = menu
        .create_category(&NewCategory {
            name: Name::parse(&format!("Cat {}", ulid::Ulid::new())).unwrap(),
            description: None,
            position: 0,
        })
        .await
        .unwrap();
    let dish = menu
        .create_food(FoodChange {
            name: Some(Name::parse(name).unwrap()),
            price: Some(Money::from_kobo(price)),
            category_id: Some(category.id.clone()),
            is_available: Some(available),
            ..FoodChange::default()
        })
        .await
        .unwrap();
    dish.food.id
}

async fn place(t: &TestApp, token: &str, body: Value, key: Option<&str>) -> TestResponse {
    let mut req = http::Request::builder()
        .method(Method::POST)
        .uri("/api/orders/")
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json");
    if let Some(key) = key {
        req = req.header("idempotency-key", key);
    }
    t.request(req.body(lambda_http::Body::from(body.to_string())).unwrap())
        .await
}

fn order_body(lines: &[(&str, i64)]) -> Value {
    let items: Vec<Value> = lines
        .iter()
        .map(|(id, q)| json!({"food_item_id": id, "quantity": q}))
        .collect();
    json!({"items": items, "delivery_address": "12 Admiralty Way, Lekki, Lagos"})
}

async fn placed(t: &TestApp, token: &str, lines: &[(&str, i64)]) -> Value {
    let res = place(t, token, order_body(lines), None).await;
    assert_eq!(res.status, 201, "{}", res.raw);
    res.body["order"].clone()
}

async fn set_status(t: &TestApp, admin: &str, id: &str, status: &str) -> TestResponse {
    t.call(
        Method::PATCH,
        &format!("/api/orders/admin/{id}/status/"),
        Some(admin),
        Some(json!({"status": status})),
    )
    .await
}

async fn set_payment(t: &TestApp, admin: &str, id: &str, payment_status: &str) -> TestResponse {
    t.call(
        Method::PATCH,
        &format!("/api/orders/admin/{id}/payment-status/"),
        Some(admin),
        Some(json!({ "payment_status": payment_status })),
    )
    .await
}

async fn set_paid(t: &TestApp, admin: &str, id: &str) -> TestResponse {
    t.call(
        Method::PATCH,
        &format!("/api/orders/admin/{id}/payment-status/"),
        Some(admin),
        Some(json!({"payment_status": "paid"})),
    )
    .await
}

#[tokio::test]
async fn an_order_is_priced_on_the_server_in_at_most_two_round_trips() {
    let t = TestApp::new().await;
    let customer = t.customer_token().await;
    let jollof = dish(&t, "Jollof Rice", 250_000, true).await;
    let chapman = dish(&t, "Chapman", 150_000, true).await;
    let body = json!({
        "items": [
            {"food_item_id": jollof, "quantity": 2, "price": 1, "unit_price": 1},
            {"food_item_id": chapman, "quantity": 1},
            {"food_item_id": jollof.to_lowercase(), "quantity": 1}
        ],
        "delivery_address": "  12 Admiralty Way, Lekki, Lagos ",
        "note": "Extra pepper",
        "total": 5
    });
    let before = t.app.db().calls();
    let res = place(&t, &customer, body, None).await;
    assert_eq!(
        t.app.db().calls() - before,
        4,
        "the dishes' kitchen (once per instance and dish), then BatchGetItem beside the caller's \
         session check, then TransactWriteItems"
    );
    assert_eq!(res.status, 201, "{}", res.raw);
    let order = &res.body["order"];
    assert_eq!(order["status"], "pending");
    assert_eq!(order["payment_status"], "unpaid");
    assert_eq!(order["currency"], "NGN");
    assert_eq!(
        order["total"],
        3 * 250_000 + 150_000,
        "client prices ignored, repeated ids merged"
    );
    assert_eq!(
        order["items"],
        json!([
            {"food_item_id": jollof, "name": "Jollof Rice", "unit_price": 250000, "quantity": 3, "line_total": 750000},
            {"food_item_id": chapman, "name": "Chapman", "unit_price": 150000, "quantity": 1, "line_total": 150000}
        ])
    );
    assert_eq!(order["delivery_address"], "12 Admiralty Way, Lekki, Lagos");
    assert_eq!(order["note"], "Extra pepper");
    assert_eq!(order["status_history"].as_array().unwrap().len(), 1);
    assert_eq!(order["status_history"][0]["status"], "pending");
    assert_eq!(order["status_history"][0]["by_role"], "customer");

    let id = order["id"].as_str().unwrap();
    let res = t.get(&format!("/api/orders/{id}/"), &customer).await;
    assert_eq!(res.status, 200);
    assert_eq!(&res.body["order"], order);
}

#[tokio::test]
async fn one_bad_line_rejects_the_whole_order_and_writes_nothing() {
    let t = TestApp::new().await;
    let customer = t.customer_token().await;
    let jollof = dish(&t, "Jollof Rice", 250_000, true).await;
    let zobo = dish(&t, "Zobo", 80_000, false).await;

    let res = place(&t, &customer, order_body(&[(&jollof, 1), (&zobo, 2)]), None).await;
    assert_eq!(res.status, 409, "{}", res.raw);
    assert_eq!(res.code(), "food_unavailable");
    assert_eq!(res.body["error"]["message"], "Zobo is currently unavailable");

    let ghost = "01JD5Q4A1B3C5D7E9F1G3H5J7K";
    let res = place(&t, &customer, order_body(&[(&jollof, 1), (ghost, 1)]), None).await;
    assert_eq!(res.status, 400);
    assert_eq!(res.code(), "food_not_found");
    assert_eq!(
        res.body["error"]["message"],
        format!("Food item {ghost} does not exist")
    );
    let res = place(&t, &customer, order_body(&[("not-an-id", 1)]), None).await;
    assert_eq!(res.code(), "food_not_found");

    let res = t.get("/api/orders/", &customer).await;
    assert_eq!(res.body["items"], json!([]), "nothing was written");
}

#[tokio::test]
async fn malformed_orders_get_the_contract_errors() {
    let t = TestApp::new().await;
    let customer = t.customer_token().await;
    let jollof = dish(&t, "Jollof Rice", 250_000, true).await;
    let res = place(&t, &customer, json!({"items": [], "delivery_address": "x"}), None).await;
    assert_eq!(res.status, 400);
    assert_eq!(res.code(), "empty_order");
    assert_eq!(res.body["error"]["message"], "You must include at least one item");
    for q in [0, 51] {
        let res = place(&t, &customer, order_body(&[(&jollof, q)]), None).await;
        assert_eq!(res.status, 400, "quantity {q}");
        assert_eq!(res.code(), "invalid_quantity");
    }
    let many: Vec<(String, i64)> = (0..51).map(|_| (ulid::Ulid::new().to_string(), 1)).collect();
    let refs: Vec<(&str, i64)> = many.iter().map(|(id, q)| (id.as_str(), *q)).collect();
    assert_eq!(
        place(&t, &customer, order_body(&refs), None).await.code(),
        "too_many_items"
    );
    let res = place(
        &t,
        &customer,
        json!({"items": [{"food_item_id": jollof, "quantity": 1}]}),
        None,
    )
    .await;
    assert_eq!(res.status, 400);
    assert!(res.body["error"]["fields"]["delivery_address"].is_string());
    let res = place(
        &t,
        &customer,
        json!({"items": [{"food_item_id": jollof, "quantity": 1}], "delivery_address": "a".repeat(501)}),
        None,
    )
    .await;
    assert_eq!(res.status, 400);
}

#[tokio::test]
async fn orders_keep_their_snapshots_when_the_menu_changes() {
    let t = TestApp::new().await;
    let customer = t.customer_token().await;
    let admin = t.admin_token().await;
    let jollof = dish(&t, "Jollof Rice", 250_000, true).await;
    let order = placed(&t, &customer, &[(&jollof, 2)]).await;

    let res = t
        .call(
            Method::PATCH,
            &format!("/api/foods/admin/items/{jollof}/"),
            Some(&admin),
            Some(json!({"price": 300000, "name": "Party Jollof"})),
        )
        .await;
    assert_eq!(res.status, 200);
    let res = t
        .call(
            Method::DELETE,
            &format!("/api/foods/admin/items/{jollof}/"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(res.status, 204);

    let res = t
        .get(&format!("/api/orders/{}", order["id"].as_str().unwrap()), &customer)
        .await;
    assert_eq!(res.body["order"]["items"][0]["name"], "Jollof Rice");
    assert_eq!(res.body["order"]["items"][0]["unit_price"], 250000);
    assert_eq!(res.body["order"]["total"], 500000);
}

#[tokio::test]
async fn an_idempotency_key_replays_the_first_response() {
    let t = TestApp::new().await;
    let customer = t.customer_token().await;
    let jollof = dish(&t, "Jollof Rice", 250_000, true).await;
    let body = order_body(&[(&jollof, 1)]);

    let first = place(&t, &customer, body.clone(), Some("key-1")).await;
    assert_eq!(first.status, 201, "{}", first.raw);
    let again = place(&t, &customer, body.clone(), Some("key-1")).await;
    assert_eq!(again.status, 201);
    assert_eq!(again.raw, first.raw, "same body");
    assert_eq!(again.headers["idempotent-replayed"], "true");

    let other = place(&t, &customer, order_body(&[(&jollof, 2)]), Some("key-1")).await;
    assert_eq!(other.status, 409);
    assert_eq!(other.code(), "idempotency_conflict");

    let res = t.get("/api/orders/", &customer).await;
    assert_eq!(res.body["items"].as_array().unwrap().len(), 1, "one order");

    // Keys belong to their customer.
    let someone_else = t.customer_token().await;
    let theirs = place(&t, &someone_else, body, Some("key-1")).await;
    assert_eq!(theirs.status, 201);
    assert_ne!(theirs.body["order"]["id"], first.body["order"]["id"]);

    let res = place(&t, &customer, order_body(&[(&jollof, 1)]), Some(&"k".repeat(256))).await;
    assert_eq!(res.status, 400);
    assert_eq!(res.code(), "invalid_idempotency_key");
}

#[tokio::test]
async fn ten_concurrent_placements_with_one_key_make_one_order() {
    let t = TestApp::new().await;
    let customer = t.customer_token().await;
    let jollof = dish(&t, "Jollof Rice", 250_000, true).await;
    let body = order_body(&[(&jollof, 1)]);
    let attempts = (0..10).map(|_| place(&t, &customer, body.clone(), Some("double-tap")));
    let results = futures::future::join_all(attempts).await;
    for r in &results {
        assert_eq!(r.status, 201, "{}", r.raw);
        assert_eq!(r.body["order"]["id"], results[0].body["order"]["id"]);
    }
    let res = t.get("/api/orders/", &customer).await;
    assert_eq!(res.body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn customers_see_only_their_orders_newest_first_in_pages() {
    // Five unpaid orders at once: more than a customer may hold by default.
    let t = TestApp::with_env(&[("MAX_OPEN_UNPAID_ORDERS", "10")]).await;
    let customer = t.customer_token().await;
    let other = t.customer_token().await;
    let jollof = dish(&t, "Jollof Rice", 250_000, true).await;
    let mut ids = Vec::new();
    for q in 1..=5 {
        ids.push(
            placed(&t, &customer, &[(&jollof, q)]).await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let theirs = placed(&t, &other, &[(&jollof, 1)]).await;

    let mut seen = Vec::new();
    let mut path = "/api/orders/?limit=2".to_owned();
    loop {
        let before = t.app.db().calls();
        let res = t.get(&path, &customer).await;
        assert!(
            t.app.db().calls() - before <= 2,
            "the page query and the session check run side by side"
        );
        assert_eq!(res.status, 200, "{}", res.raw);
        let items = res.body["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        seen.extend(items.iter().map(|o| o["id"].as_str().unwrap().to_owned()));
        match res.body["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/orders?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    ids.reverse();
    assert_eq!(seen, ids, "all mine, newest first");

    let res = t
        .get(&format!("/api/orders/{}/", theirs["id"].as_str().unwrap()), &customer)
        .await;
    assert_eq!(res.status, 404, "another customer's order does not exist for me");
    assert_eq!(res.code(), "order_not_found");
    assert_eq!(t.get("/api/orders/?limit=ten", &customer).await.code(), "invalid_limit");
    assert_eq!(t.get("/api/orders/?limit=101", &customer).await.status, 400);
    let res = t.get("/api/orders/?cursor=forged", &customer).await;
    assert_eq!(res.status, 400);
    assert_eq!(res.code(), "invalid_cursor");
    // A cursor from someone else's listing is refused too.
    let res = t.get("/api/orders/?limit=1", &other).await;
    let foreign = res.body["next_cursor"].as_str().map(str::to_owned);
    if let Some(c) = foreign {
        assert_eq!(
            t.get(&format!("/api/orders/?cursor={c}"), &customer).await.code(),
            "invalid_cursor"
        );
    }
}

#[tokio::test]
async fn order_routes_are_for_customers() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let jollof = dish(&t, "Jollof Rice", 250_000, true).await;
    let res = place(&t, &admin, order_body(&[(&jollof, 1)]), None).await;
    assert_eq!(res.status, 403);
    assert_eq!(t.get("/api/orders/", &admin).await.status, 403);
    assert_eq!(t.call(Method::GET, "/api/orders/", None, None).await.status, 401);
    let customer = t.customer_token().await;
    assert_eq!(t.get("/api/orders/admin/", &customer).await.status, 403);
}

#[tokio::test]
async fn customers_cancel_only_pending_orders() {
    let t = TestApp::new().await;
    let customer = t.customer_token().await;
    let admin = t.admin_token().await;
    let jollof = dish(&t, "Jollof Rice", 250_000, true).await;
    let order = placed(&t, &customer, &[(&jollof, 1)]).await;
    let id = order["id"].as_str().unwrap();

    let res = t.cancel(&customer, id).await;
    assert_eq!(res.status, 200, "{}", res.raw);
    assert_eq!(res.body["order"]["status"], "cancelled");
    let history = res.body["order"]["status_history"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[1]["status"], "cancelled");
    assert_eq!(history[1]["by_role"], "customer");

    let res = t
        .call(Method::POST, &format!("/api/orders/{id}/cancel"), Some(&customer), None)
        .await;
    assert_eq!(res.status, 409);
    assert_eq!(res.code(), "order_not_cancellable");
    assert_eq!(res.body["error"]["message"], "Only pending orders can be cancelled");

    let confirmed = placed(&t, &customer, &[(&jollof, 1)]).await;
    let cid = confirmed["id"].as_str().unwrap();
    set_paid(&t, &admin, cid).await;
    assert_eq!(set_status(&t, &admin, cid, "confirmed").await.status, 200);
    let res = t.cancel(&customer, cid).await;
    assert_eq!(res.status, 409);
    assert_eq!(res.code(), "order_not_cancellable");

    let other = t.customer_token().await;
    let res = t.cancel(&other, cid).await;
    assert_eq!(res.status, 404);
}

#[tokio::test]
async fn an_admin_walks_an_order_from_pending_to_completed() {
    let t = TestApp::new().await;
    let customer = t.customer_token().await;
    let admin = t.admin_token().await;
    let jollof = dish(&t, "Jollof Rice", 250_000, true).await;
    let order = placed(&t, &customer, &[(&jollof, 2)]).await;
    let id = order["id"].as_str().unwrap();

    let res = set_paid(&t, &admin, id).await;
    assert_eq!(res.status, 200, "{}", res.raw);
    assert_eq!(res.body["order"]["payment_status"], "paid");
    assert!(res.body["order"]["paid_at"].is_string());

    let steps = ["confirmed", "preparing", "out_for_delivery", "completed"];
    for (i, step) in steps.iter().enumerate() {
        let before = t.app.db().calls();
        let res = set_status(&t, &admin, id, step).await;
        assert_eq!(res.status, 200, "{step}: {}", res.raw);
        assert!(
            t.app.db().calls() - before <= 3,
            "read + session (side by side) + one conditional write"
        );
        assert_eq!(res.body["order"]["status"], *step);
        let history = res.body["order"]["status_history"].as_array().unwrap();
        assert_eq!(history.len(), i + 3, "placed, paid, then one entry per step");
        assert_eq!(history.last().unwrap()["status"], *step);
        assert_eq!(history.last().unwrap()["by_role"], "admin");
    }
    let res = t.get(&format!("/api/orders/{id}"), &customer).await;
    assert_eq!(res.body["order"]["status"], "completed");
    let res = t.get(&format!("/api/orders/admin/{id}/"), &admin).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["order"]["customer_id"], order["customer_id"]);
}

#[tokio::test]
async fn a_pickup_order_needs_no_address_waits_ready_for_pickup_and_refuses_out_for_delivery() {
    let t = TestApp::new().await;
    let customer = t.customer_token().await;
    let admin = t.admin_token().await;
    let jollof = dish(&t, "Jollof Rice", 250_000, true).await;
    let body = json!({"items": [{"food_item_id": jollof, "quantity": 1}], "fulfilment": "pickup"});
    let res = place(&t, &customer, body, None).await;
    assert_eq!(res.status, 201, "{}", res.raw);
    let order = &res.body["order"];
    assert_eq!(order["fulfilment"], "pickup");
    assert_eq!(order["delivery_address"], Value::Null);
    let id = order["id"].as_str().unwrap();
    assert_eq!(set_paid(&t, &admin, id).await.status, 200);
    for step in ["confirmed", "preparing"] {
        assert_eq!(set_status(&t, &admin, id, step).await.status, 200, "{step}");
    }
    let res = set_status(&t, &admin, id, "out_for_delivery").await;
    assert_eq!(res.status, 409, "{}", res.raw);
    assert_eq!(res.code(), "invalid_transition");
    for step in ["ready_for_pickup", "completed"] {
        let res = set_status(&t, &admin, id, step).await;
        assert_eq!(res.status, 200, "{step}: {}", res.raw);
        assert_eq!(res.body["order"]["status"], step);
    }

    // A delivery still needs its address, and does not wait at the counter.
    let res = place(
        &t,
        &customer,
        json!({"items": [{"food_item_id": jollof, "quantity": 1}], "fulfilment": "delivery"}),
        None,
    )
    .await;
    assert_eq!(res.status, 400);
    assert_eq!(res.code(), "invalid_delivery_address");
    let delivery = placed(&t, &customer, &[(&jollof, 1)]).await;
    assert_eq!(delivery["fulfilment"], "delivery", "the default");
    let id = delivery["id"].as_str().unwrap();
    assert_eq!(set_paid(&t, &admin, id).await.status, 200);
    for step in ["confirmed", "preparing"] {
        assert_eq!(set_status(&t, &admin, id, step).await.status, 200, "{step}");
    }
    assert_eq!(
        set_status(&t, &admin, id, "ready_for_pickup").await.code(),
        "invalid_transition"
    );
}

#[tokio::test]
async fn illegal_transitions_get_the_contract_codes() {
    let t = TestApp::new().await;
    let customer = t.customer_token().await;
    let admin = t.admin_token().await;
    let jollof = dish(&t, "Jollof Rice", 250_000, true).await;
    let id = placed(&t, &customer, &[(&jollof, 1)]).await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let res = set_status(&t, &admin, &id, "confirmed").await;
    assert_eq!(res.status, 409);
    assert_eq!(res.code(), "payment_required");
    assert_eq!(res.body["error"]["message"], "Payment has not been completed");
    let res = set_status(&t, &admin, &id, "preparing").await;
    assert_eq!(res.code(), "invalid_transition", "skipping a step");
    let res = set_status(&t, &admin, &id, "delivered").await;
    assert_eq!(res.status, 400);
    assert_eq!(res.code(), "invalid_status");
    let res = t
        .call(
            Method::PATCH,
            &format!("/api/orders/admin/{id}/payment-status/"),
            Some(&admin),
            Some(json!({"payment_status": "refunded"})),
        )
        .await;
    assert_eq!(
        res.status, 409,
        "v2: refunded exists, but only for a cancelled cash payment"
    );
    assert_eq!(res.code(), "invalid_payment_transition");
    let res = t
        .call(
            Method::PATCH,
            &format!("/api/orders/admin/{id}/payment-status/"),
            Some(&admin),
            Some(json!({"payment_status": "settled"})),
        )
        .await;
    assert_eq!(res.status, 400);

    set_paid(&t, &admin, &id).await;
    let res = set_paid(&t, &admin, &id).await;
    assert_eq!(res.status, 200, "paid again is a no-op");
    for step in ["confirmed", "preparing", "out_for_delivery", "completed"] {
        assert_eq!(set_status(&t, &admin, &id, step).await.status, 200);
    }
    let res = set_status(&t, &admin, &id, "cancelled").await;
    assert_eq!(res.code(), "order_completed");
    assert_eq!(res.body["error"]["message"], "Cannot update a completed order");

    let cancelled = placed(&t, &customer, &[(&jollof, 1)]).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(set_status(&t, &admin, &cancelled, "cancelled").await.status, 200);
    assert_eq!(
        set_status(&t, &admin, &cancelled, "confirmed").await.code(),
        "order_cancelled"
    );
    let res = set_paid(&t, &admin, &cancelled).await;
    assert_eq!(res.status, 409);
    assert_eq!(res.code(), "payment_on_cancelled");
    assert_eq!(
        res.body["error"]["message"],
        "Cannot update payment on a cancelled order"
    );
    assert_eq!(
        set_status(&t, &admin, "01JD5Q6M3N5P7Q9R1S3T5V7W9X", "confirmed")
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn cash_payments_are_recorded_in_the_history_and_refunded_by_hand_only_once_cancelled() {
    let t = TestApp::new().await;
    let customer = t.customer_token().await;
    let admin = t.admin_token().await;
    let jollof = dish(&t, "Jollof Rice", 250_000, true).await;
    let id = placed(&t, &customer, &[(&jollof, 1)]).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = set_paid(&t, &admin, &id).await;
    assert_eq!(res.status, 200, "{}", res.raw);
    let order = &res.body["order"];
    assert_eq!(order["payment_method"], "cash");
    let entry = order["status_history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(entry["status"], "pending", "a payment change keeps the status");
    assert_eq!(entry["payment_status"], "paid");
    assert_eq!(entry["by_role"], "admin");
    assert_eq!(
        set_payment(&t, &admin, &id, "refunded").await.code(),
        "invalid_payment_transition",
        "not cancelled yet"
    );
    assert_eq!(set_status(&t, &admin, &id, "confirmed").await.status, 200);
    assert_eq!(set_status(&t, &admin, &id, "cancelled").await.status, 200);
    let res = set_payment(&t, &admin, &id, "refunded").await;
    assert_eq!(res.status, 200, "{}", res.raw);
    assert_eq!(res.body["order"]["payment_status"], "refunded");
    let history = res.body["order"]["status_history"].as_array().unwrap();
    assert_eq!(history.len(), 5, "placed, paid, confirmed, cancelled, refunded");
    assert_eq!(history[4]["payment_status"], "refunded");
    assert_eq!(history[4]["status"], "cancelled");
    assert_eq!(
        set_payment(&t, &admin, &id, "refunded").await.status,
        200,
        "refunded again changes nothing"
    );
    assert_eq!(set_paid(&t, &admin, &id).await.code(), "payment_on_cancelled");
}

#[tokio::test]
async fn ten_parallel_identical_transitions_apply_once() {
    let t = TestApp::new().await;
    let customer = t.customer_token().await;
    let admin = t.admin_token().await;
    let jollof = dish(&t, "Jollof Rice", 250_000, true).await;
    let id = placed(&t, &customer, &[(&jollof, 1)]).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    set_paid(&t, &admin, &id).await;
    let results = futures::future::join_all((0..10).map(|_| set_status(&t, &admin, &id, "confirmed"))).await;
    let ok = results.iter().filter(|r| r.status == 200).count();
    assert_eq!(
        ok,
        1,
        "{:?}",
        results
            .iter()
            .map(|r| (r.status, r.code().to_owned()))
            .collect::<Vec<_>>()
    );
    assert!(
        results
            .iter()
            .filter(|r| r.status != 200)
            .all(|r| r.status == 409 && r.code() == "invalid_transition")
    );
    let order = t.get(&format!("/api/orders/admin/{id}"), &admin).await;
    assert_eq!(
        order.body["order"]["status_history"].as_array().unwrap().len(),
        3,
        "placed, paid, and one transition entry"
    );
}

#[tokio::test]
async fn a_cancel_racing_a_confirm_has_one_winner() {
    let t = TestApp::new().await;
    let customer = t.customer_token().await;
    let admin = t.admin_token().await;
    let jollof = dish(&t, "Jollof Rice", 250_000, true).await;
    for _ in 0..5 {
        let id = placed(&t, &customer, &[(&jollof, 1)]).await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        set_paid(&t, &admin, &id).await;
        let cancel_path = format!("/api/orders/{id}/cancel/");
        let (cancel, confirm) = tokio::join!(
            t.call(Method::POST, &cancel_path, Some(&customer), None),
            set_status(&t, &admin, &id, "confirmed")
        );
        let winners = [cancel.status, confirm.status]
            .iter()
            .filter(|s| s.as_u16() == 200)
            .count();
        assert_eq!(winners, 1, "cancel {} / confirm {}", cancel.raw, confirm.raw);
        let final_state = t.get(&format!("/api/orders/admin/{id}"), &admin).await.body["order"]["status"].clone();
        let expected = if cancel.status == 200 { "cancelled" } else { "confirmed" };
        assert_eq!(final_state, expected);
        let loser = if cancel.status == 200 { &confirm } else { &cancel };
        assert_eq!(loser.status, 409, "{}", loser.raw);
    }
}

#[tokio::test]
async fn the_admin_queue_lists_by_status_newest_first() {
    let t = TestApp::new().await;
    let customer = t.customer_token().await;
    let admin = t.admin_token().await;
    let jollof = dish(&t, "Jollof Rice", 250_000, true).await;
    let a = placed(&t, &customer, &[(&jollof, 1)]).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let b = placed(&t, &customer, &[(&jollof, 2)]).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let c = placed(&t, &customer, &[(&jollof, 3)]).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    set_paid(&t, &admin, &b).await;
    assert_eq!(set_status(&t, &admin, &b, "confirmed").await.status, 200);

    let ids = |res: &TestResponse| -> Vec<String> {
        res.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let res = t.get("/api/orders/admin/?status=pending", &admin).await;
    assert_eq!(res.status, 200, "{}", res.raw);
    assert_eq!(ids(&res), [c.clone(), a.clone()]);
    let res = t.get("/api/orders/admin?status=confirmed", &admin).await;
    assert_eq!(ids(&res), [b.clone()]);
    let res = t.get("/api/orders/admin/", &admin).await;
    assert_eq!(ids(&res), [c.clone(), b.clone(), a.clone()]);

    let res = t.get("/api/orders/admin/?limit=2", &admin).await;
    assert_eq!(ids(&res), [c, b]);
    let cursor = res.body["next_cursor"].as_str().unwrap().to_owned();
    let res = t
        .get(&format!("/api/orders/admin/?limit=2&cursor={cursor}"), &admin)
        .await;
    assert_eq!(ids(&res), [a]);
    // A cursor belongs to its listing.
    let res = t
        .get(&format!("/api/orders/admin/?status=pending&cursor={cursor}"), &admin)
        .await;
    assert_eq!(res.code(), "invalid_cursor");
    assert_eq!(
        t.get("/api/orders/admin/?status=lost", &admin).await.code(),
        "invalid_status"
    );
}

#[tokio::test]
async fn admins_list_users_without_secrets() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    t.customer_token().await;
    t.customer_token().await;
    let res = t.get("/api/auths/admin/users/?limit=2", &admin).await;
    assert_eq!(res.status, 200, "{}", res.raw);
    assert_eq!(res.body["items"].as_array().unwrap().len(), 2);
    assert!(!res.raw.contains("password") && !res.raw.contains("argon2") && !res.raw.contains("code_hash"));
    let cursor = res.body["next_cursor"].as_str().unwrap();
    let res = t
        .get(&format!("/api/auths/admin/users?limit=2&cursor={cursor}"), &admin)
        .await;
    assert_eq!(res.body["items"].as_array().unwrap().len(), 1, "three users in all");
    let customer = t.customer_token().await;
    assert_eq!(t.get("/api/auths/admin/users/", &customer).await.status, 403);
}

#[tokio::test]
async fn the_users_list_shows_each_account_as_its_owner_sees_it() {
    // The users index holds only the attributes it lists (accounts whole, orders as
    // summaries): an account read from it has every field, the profile included.
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let customer = t.customer_token().await;
    let res = t
        .call(
            Method::PATCH,
            "/api/auths/me/",
            Some(&customer),
            Some(json!({"first_name": "Ada", "last_name": "Obi", "address": "12 Admiralty Way, Lekki", "gender": "female"})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.raw);
    let mut me = t.get("/api/auths/me/", &customer).await.body["user"].clone();
    assert_eq!(me["first_name"], "Ada");
    // `me` adds the caller's tier and stats, which are not the account's own fields.
    for standing in ["tier", "stats"] {
        assert!(me.as_object_mut().unwrap().remove(standing).is_some(), "{standing}");
    }
    let res = t.get("/api/auths/admin/users/", &admin).await;
    let listed = res.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == me["id"])
        .cloned();
    assert_eq!(listed, Some(me));
}

#[tokio::test]
async fn lists_show_each_order_as_a_summary_and_the_order_itself_in_full() {
    let t = TestApp::new().await;
    let customer = t.customer_token().await;
    let admin = t.admin_token().await;
    let jollof = dish(&t, "Jollof Rice", 250_000, true).await;
    let dodo = dish(&t, "Dodo", 50_000, true).await;
    let order = placed(&t, &customer, &[(&jollof, 1), (&dodo, 2)]).await;
    for (path, token) in [
        ("/api/orders/", &customer),
        ("/api/orders/admin/?status=pending", &admin),
        ("/api/orders/admin/", &admin),
    ] {
        let res = t.get(path, token).await;
        assert_eq!(res.status, 200, "{}", res.raw);
        let item = &res.body["items"][0];
        assert_eq!(item["id"], order["id"], "{path}");
        assert_eq!(item["summary"], "1 × Jollof Rice, 2 × Dodo", "{path}");
        assert_eq!((&item["item_count"], &item["total"]), (&json!(3), &json!(350_000)));
        assert_eq!(
            (&item["status"], &item["payment_status"]),
            (&json!("pending"), &json!("unpaid"))
        );
        assert!(
            item.get("items").is_none() && item.get("status_history").is_none(),
            "{path}: a summary, not the order"
        );
    }
    let id = order["id"].as_str().unwrap();
    let one = t.get(&format!("/api/orders/{id}/"), &customer).await;
    assert_eq!(one.body["order"]["items"].as_array().unwrap().len(), 2);
    assert_eq!(one.body["order"]["summary"], "1 × Jollof Rice, 2 × Dodo");
}

#[tokio::test]
async fn the_kitchen_sees_who_ordered_and_the_number_the_rider_can_call() {
    let t = TestApp::new().await;
    let customer = t.customer_token().await;
    let admin = t.admin_token().await;
    t.call(
        Method::PATCH,
        "/api/auths/me/",
        Some(&customer),
        Some(json!({"first_name": "Ada", "last_name": "Obi"})),
    )
    .await;
    let jollof = dish(&t, "Jollof Rice", 250_000, true).await;
    let mut body = order_body(&[(&jollof, 1)]);
    body["contact_phone"] = json!("0803 123 4567");
    let res = place(&t, &customer, body, None).await;
    assert_eq!(res.status, 201, "{}", res.raw);
    let id = res.body["order"]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        res.body["order"]["contact_phone"], "+2348031234567",
        "normalised like a phone identifier"
    );

    let res = t.get(&format!("/api/orders/admin/{id}/"), &admin).await;
    assert_eq!(res.status, 200, "{}", res.raw);
    assert_eq!(res.body["order"]["contact_phone"], "+2348031234567");
    assert_eq!(res.body["order"]["customer"]["name"], "Ada Obi");
    assert!(
        res.body["order"]["customer"]["email"]
            .as_str()
            .is_some_and(|e| e.contains('@'))
    );
    assert!(
        res.body["order"]["customer"]["phone"].is_null(),
        "an email account has no phone"
    );

    let mut bad = order_body(&[(&jollof, 1)]);
    bad["contact_phone"] = json!("call me maybe");
    let res = place(&t, &customer, bad, None).await;
    assert_eq!(res.status, 400, "{}", res.raw);
    assert_eq!(res.code(), "invalid_contact_phone");
    assert!(res.body["error"]["fields"]["contact_phone"].is_string(), "{}", res.raw);
}

#[tokio::test]
async fn every_order_view_says_what_its_viewer_can_do_next() {
    let t = TestApp::new().await;
    let customer = t.customer_token().await;
    let admin = t.admin_token().await;
    let jollof = dish(&t, "Jollof Rice", 250_000, true).await;
    let order = placed(&t, &customer, &[(&jollof, 1)]).await;
    let id = order["id"].as_str().unwrap();
    let steps = |o: &Value| (o["next_status"].clone(), o["can_cancel"].clone(), o["can_pay"].clone());
    assert_eq!(
        steps(&order),
        (Value::Null, json!(true), json!(true)),
        "the placement's answer"
    );
    let board = t.get("/api/orders/admin/?status=pending", &admin).await;
    let ticket = board.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == id)
        .unwrap()
        .clone();
    assert_eq!(
        steps(&ticket),
        (Value::Null, json!(true), json!(true)),
        "awaiting its payment: nothing to confirm yet"
    );

    let res = set_paid(&t, &admin, id).await;
    assert_eq!(
        steps(&res.body["order"]),
        (json!("confirmed"), json!(true), json!(false))
    );
    let mine = t.get(&format!("/api/orders/{id}/"), &customer).await;
    assert_eq!(
        steps(&mine.body["order"]),
        (Value::Null, json!(true), json!(false)),
        "{}",
        mine.raw
    );
    let res = set_status(&t, &admin, id, "confirmed").await;
    assert_eq!(
        steps(&res.body["order"]),
        (json!("preparing"), json!(true), json!(false))
    );
    let list = t.get("/api/orders/", &customer).await;
    assert_eq!(
        steps(&list.body["items"][0]),
        (Value::Null, json!(false), json!(false)),
        "a confirmed order is the kitchen's to cancel"
    );
}
