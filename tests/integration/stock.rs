//! Stock: admins track and adjust it, orders take it inside their transaction (never oversold),
//! cancellations give it back in the same write, and an admin's edit never undoes either.

use api_tests::{TestApp, TestResponse};
use http::Method;
use serde_json::{Value, json};

/// A dish created through the admin API with `extra` fields (e.g. stock); returns its id.
async fn order(t: &TestApp, token: &str, lines: &[(&str, i64)]) -> TestResponse {
    let items: Vec<Value> = lines
        .iter()
        .map(|(id, q)| json!({"food_item_id": id, "quantity": q}))
        .collect();
    t.call(
        Method::POST,
        "/api/orders/",
        Some(token),
        Some(json!({"items": items, "fulfilment": "pickup"})),
    )
    .await
}

async fn stock_of(t: &TestApp, admin: &str, id: &str) -> Value {
    let res = t.get(&format!("/api/foods/admin/items/{id}/"), admin).await;
    assert_eq!(res.status, 200, "{}", res.raw);
    res.body["food"]["stock"].clone()
}

async fn adjust(t: &TestApp, admin: &str, id: &str, add: Value) -> TestResponse {
    t.call(
        Method::POST,
        &format!("/api/foods/admin/items/{id}/stock/"),
        Some(admin),
        Some(json!({ "add": add })),
    )
    .await
}

#[tokio::test]
async fn stock_is_for_admins_while_everyone_sees_sold_out() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let suya = t
        .admin_dish(&admin, "Suya", 250_000, json!({"stock": 1, "low_stock_threshold": 0}))
        .await;
    let rice = t.admin_dish(&admin, "Rice", 250_000, json!({})).await;
    let public = t.call(Method::GET, &format!("/api/foods/{suya}/"), None, None).await;
    assert_eq!(public.body["food"]["sold_out"], false);
    assert!(
        public.body["food"].get("stock").is_none(),
        "the public never sees counts"
    );
    let res = t.get(&format!("/api/foods/admin/items/{rice}/"), &admin).await;
    assert_eq!(res.body["food"]["stock"], Value::Null, "untracked by default");
    assert_eq!(res.body["food"]["sold_out"], false);

    let customer = t.customer_token().await;
    assert_eq!(order(&t, &customer, &[(&suya, 1)]).await.status, 201);
    let listing = t.call(Method::GET, "/api/foods/", None, None).await;
    let shown = listing.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == suya.as_str())
        .cloned()
        .expect("a sold-out dish stays listed");
    assert_eq!(shown["sold_out"], true);
    let res = order(&t, &customer, &[(&rice, 2), (&suya, 1)]).await;
    assert_eq!(res.status, 409);
    assert_eq!(res.code(), "insufficient_stock");
    assert_eq!(res.body["error"]["message"], "Only 0 left of Suya");
    assert_eq!(res.body["error"]["fields"][&suya], "only 0 left");
    assert!(res.body["error"]["fields"].get(&rice).is_none());

    for (field, bad) in [
        ("stock", json!(-1)),
        ("stock", json!(1.5)),
        ("low_stock_threshold", json!("x")),
    ] {
        let res = t
            .call(
                Method::PATCH,
                &format!("/api/foods/admin/items/{rice}/"),
                Some(&admin),
                Some(json!({ field: bad })),
            )
            .await;
        assert_eq!(res.status, 400, "{field} {bad}");
    }
}

#[tokio::test]
async fn twenty_concurrent_orders_against_five_portions_create_exactly_five() {
    // Four customers share the five portions, however they fall: each may hold all five unpaid
    // (the cap on unpaid orders is not what this test is about).
    let t = TestApp::with_env(&[("MAX_OPEN_UNPAID_ORDERS", "5")]).await;
    let admin = t.admin_token().await;
    let jollof = t.admin_dish(&admin, "Jollof", 250_000, json!({"stock": 5})).await;
    let mut customers = Vec::new();
    for _ in 0..4 {
        customers.push(t.customer_token().await);
    }
    let attempts = (0..20).map(|i| {
        let t = &t;
        let token = customers[i % customers.len()].clone();
        let jollof = jollof.clone();
        async move { order(t, &token, &[(&jollof, 1)]).await }
    });
    let results = futures::future::join_all(attempts).await;
    let created = results.iter().filter(|r| r.status == 201).count();
    let refused: Vec<_> = results.iter().filter(|r| r.status != 201).collect();
    assert_eq!(created, 5, "exactly the stock");
    assert!(
        refused
            .iter()
            .all(|r| r.status == 409 && r.code() == "insufficient_stock"),
        "{:?}",
        refused.iter().map(|r| &r.raw).collect::<Vec<_>>()
    );
    assert_eq!(stock_of(&t, &admin, &jollof).await, 0);
}

#[tokio::test]
async fn restocks_add_atomically_and_never_go_below_zero() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let moi = t.admin_dish(&admin, "Moi Moi", 250_000, json!({"stock": 2})).await;
    let untracked = t.admin_dish(&admin, "Zobo", 250_000, json!({})).await;
    let res = adjust(&t, &admin, &moi, json!(3)).await;
    assert_eq!(res.status, 200, "{}", res.raw);
    assert_eq!(res.body["food"]["stock"], 5);
    let res = adjust(&t, &admin, &moi, json!(-6)).await;
    assert_eq!(
        (res.status, res.code()),
        (409.try_into().unwrap(), "insufficient_stock")
    );
    assert_eq!(
        stock_of(&t, &admin, &moi).await,
        5,
        "a refused write-off changes nothing"
    );
    assert_eq!(adjust(&t, &admin, &moi, json!(-5)).await.body["food"]["stock"], 0);
    let res = adjust(&t, &admin, &untracked, json!(4)).await;
    assert_eq!((res.status.as_u16(), res.code()), (409, "stock_not_tracked"));
    let res = adjust(&t, &admin, "01JD5Q4A1B3C5D7E9F1G3H5J7K", json!(1)).await;
    assert_eq!((res.status.as_u16(), res.code()), (404, "food_not_found"));
    for bad in [json!(null), json!(1.5), json!("3")] {
        assert_eq!(
            adjust(&t, &admin, &moi, bad.clone()).await.code(),
            "invalid_add",
            "{bad}"
        );
    }

    // Twenty concurrent restocks of one portion each: all counted.
    let adds = (0..20).map(|_| adjust(&t, &admin, &moi, json!(1)));
    let results = futures::future::join_all(adds).await;
    assert!(results.iter().all(|r| r.status == 200));
    assert_eq!(stock_of(&t, &admin, &moi).await, 20);
}

#[tokio::test]
async fn an_admin_edit_never_undoes_concurrent_orders_and_restocks() {
    // One customer's many unpaid orders stand for many customers' here.
    let t = TestApp::with_env(&[("MAX_OPEN_UNPAID_ORDERS", "1000")]).await;
    let admin = t.admin_token().await;
    let customer = t.customer_token().await;
    let asun = t.admin_dish(&admin, "Asun", 250_000, json!({"stock": 30})).await;
    let lines = [(asun.as_str(), 1)];
    let path = format!("/api/foods/admin/items/{asun}/");
    let orders = (0..8).map(|_| order(&t, &customer, &lines));
    // One admin editing the dish over and over while customers order and stock arrives.
    let edits = async {
        let mut answers = Vec::new();
        for i in 0..8 {
            let body = json!({"price": 300_000 + i, "description": format!("edit {i}")});
            answers.push(t.call(Method::PATCH, &path, Some(&admin), Some(body)).await);
        }
        answers
    };
    let restocks = (0..4).map(|_| adjust(&t, &admin, &asun, json!(2)));
    let (orders, edits, restocks) = tokio::join!(
        futures::future::join_all(orders),
        edits,
        futures::future::join_all(restocks)
    );
    assert!(
        orders.iter().all(|r| r.status == 201),
        "{:?}",
        orders.iter().map(|r| &r.raw).collect::<Vec<_>>()
    );
    assert!(
        edits.iter().all(|r| r.status == 200),
        "{:?}",
        edits.iter().map(|r| &r.raw).collect::<Vec<_>>()
    );
    assert!(restocks.iter().all(|r| r.status == 200));
    assert_eq!(
        stock_of(&t, &admin, &asun).await,
        30 - 8 + 8,
        "every order and restock counted"
    );

    // An explicit set is the admin's word.
    let res = t
        .call(
            Method::PATCH,
            &format!("/api/foods/admin/items/{asun}/"),
            Some(&admin),
            Some(json!({"stock": 3})),
        )
        .await;
    assert_eq!(res.body["food"]["stock"], 3);
}

#[tokio::test]
async fn a_cancellation_gives_the_portions_back_in_the_same_write() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let customer = t.customer_token().await;
    let fish = t.admin_dish(&admin, "Croaker", 250_000, json!({"stock": 4})).await;
    let water = t.admin_dish(&admin, "Water", 250_000, json!({})).await;
    let placed = order(&t, &customer, &[(&fish, 3), (&water, 2)]).await;
    assert_eq!(placed.status, 201, "{}", placed.raw);
    assert_eq!(stock_of(&t, &admin, &fish).await, 1);
    let id = placed.body["order"]["id"].as_str().unwrap().to_owned();
    let before = t.app.db().calls();
    let res = t.cancel(&customer, &id).await;
    assert_eq!(res.status, 200, "{}", res.raw);
    assert_eq!(res.body["order"]["status"], "cancelled");
    assert_eq!(res.body["order"]["status_history"].as_array().unwrap().len(), 2);
    assert!(t.app.db().calls() - before <= 3, "read + session + one transaction");
    assert_eq!(stock_of(&t, &admin, &fish).await, 4, "all three back");
    assert_eq!(
        stock_of(&t, &admin, &water).await,
        Value::Null,
        "untracked stays untracked"
    );

    // The kitchen cancels a confirmed order whose dish was deleted meanwhile: the cancel goes
    // through, the other dish gets its portions back.
    let rice = t.admin_dish(&admin, "Rice", 250_000, json!({"stock": 10})).await;
    let placed = order(&t, &customer, &[(&fish, 1), (&rice, 2)]).await;
    let id = placed.body["order"]["id"].as_str().unwrap().to_owned();
    assert_eq!(stock_of(&t, &admin, &rice).await, 8);
    let paid = t
        .call(
            Method::PATCH,
            &format!("/api/orders/admin/{id}/payment-status/"),
            Some(&admin),
            Some(json!({"payment_status": "paid"})),
        )
        .await;
    assert_eq!(paid.status, 200);
    let res = t
        .call(
            Method::PATCH,
            &format!("/api/orders/admin/{id}/status/"),
            Some(&admin),
            Some(json!({"status": "confirmed"})),
        )
        .await;
    assert_eq!(res.status, 200);
    let res = t
        .call(
            Method::DELETE,
            &format!("/api/foods/admin/items/{fish}/"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(res.status, 204);
    let res = t
        .call(
            Method::PATCH,
            &format!("/api/orders/admin/{id}/status/"),
            Some(&admin),
            Some(json!({"status": "cancelled"})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.raw);
    assert_eq!(
        res.body["order"]["payment_status"], "paid",
        "the answer is the order as written"
    );
    assert_eq!(stock_of(&t, &admin, &rice).await, 10);
}
