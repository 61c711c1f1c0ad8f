//! Contract v3, "Coupons and customer tiers": a kitchen's coupons, managed by its owner and
//! managers, each code once per kitchen, no kitchen reaching another's.

use api_tests::{TestApp, TestResponse};
use http::Method;
use serde_json::{Value, json};

async fn create(t: &TestApp, slug: &str, token: &str, body: Value) -> TestResponse {
    t.call(
        Method::POST,
        &format!("/api/kitchens/{slug}/manage/coupons/"),
        Some(token),
        Some(body),
    )
    .await
}

#[tokio::test]
async fn a_manager_makes_each_kind_of_coupon_once_per_code_and_switches_one_off() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let (owner, slug) = t.active_kitchen(&admin, "Coupon Kitchen").await;
    let dish = "01JD5Q4A1B3C5D7E9F1G3H5J7K";
    for body in [
        json!({"code": "jollof10", "kind": "percent", "percent": 10, "max_discount": 100_000, "min_subtotal": 300_000}),
        json!({"code": "MINUS500", "kind": "fixed", "amount": 50_000, "usage_limit": 5, "customer_tier": "new"}),
        json!({"code": "BOGO-SUYA", "kind": "buy_x_get_y", "buy": {"food_item_id": dish, "quantity": 1}, "get": {"food_item_id": dish, "quantity": 1}}),
        json!({"code": "BIG-ORDERS", "kind": "tiered", "tiers": [{"min_subtotal": 1_000_000, "percent": 10}, {"min_subtotal": 500_000, "amount": 30_000}]}),
    ] {
        let res = create(&t, &slug, &owner, body.clone()).await;
        assert_eq!(res.status, 201, "{body}: {}", res.raw);
        let coupon = &res.body["coupon"];
        assert_eq!(coupon["kind"], body["kind"]);
        assert_eq!(coupon["uses"], 0);
        assert_eq!(coupon["active"], true);
        assert_eq!(coupon["kitchen"]["slug"], slug.as_str());
    }
    let list = t
        .call(
            Method::GET,
            &format!("/api/kitchens/{slug}/manage/coupons/"),
            Some(&owner),
            None,
        )
        .await;
    let codes: Vec<&str> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        ["BIG-ORDERS", "BOGO-SUYA", "MINUS500", "JOLLOF10"],
        "upper-case, newest first"
    );
    let tiers = &list.body["items"][0]["tiers"];
    assert_eq!(tiers[0]["min_subtotal"], 500_000, "tiers in order: {tiers}");
    assert_eq!(list.body["items"][2]["customer_tier"], "new");

    // A code is the kitchen's once, whatever its case.
    let res = create(
        &t,
        &slug,
        &owner,
        json!({"code": "Jollof10", "kind": "fixed", "amount": 1}),
    )
    .await;
    assert_eq!((res.status.as_u16(), res.code()), (409, "coupon_exists"), "{}", res.raw);
    assert!(res.body["error"]["fields"]["code"].is_string());
    // Every bad field named; nothing made.
    let res = create(
        &t,
        &slug,
        &owner,
        json!({"code": "no", "kind": "percent", "percent": 0, "per_customer_limit": 0, "starts_at": "tomorrow"}),
    )
    .await;
    assert_eq!(res.status, 400, "{}", res.raw);
    for field in ["code", "percent", "per_customer_limit", "starts_at"] {
        assert!(res.body["error"]["fields"][field].is_string(), "{field}: {}", res.raw);
    }
    let res = create(
        &t,
        &slug,
        &owner,
        json!({"code": "BACKWARDS", "kind": "fixed", "amount": 100, "starts_at": "2027-01-02T00:00:00Z", "ends_at": "2027-01-01T00:00:00Z"}),
    )
    .await;
    assert_eq!(res.status, 400, "{}", res.raw);
    assert_eq!(res.body["error"]["fields"]["ends_at"], "must come after starts_at");

    // Switched off, changed, then deleted (its code free again).
    let id = list.body["items"][3]["id"].as_str().unwrap();
    let path = format!("/api/kitchens/{slug}/manage/coupons/{id}/");
    let res = t
        .call(
            Method::PATCH,
            &path,
            Some(&owner),
            Some(json!({"active": false, "max_discount": null, "usage_limit": 20})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.raw);
    let coupon = &res.body["coupon"];
    assert_eq!(
        (
            coupon["active"].as_bool(),
            coupon["max_discount"].is_null(),
            coupon["usage_limit"].as_i64()
        ),
        (Some(false), true, Some(20))
    );
    assert_eq!(coupon["percent"], 10, "the offer stays");
    let res = t
        .call(Method::PATCH, &path, Some(&owner), Some(json!({"percent": 50})))
        .await;
    assert_eq!(
        (res.status.as_u16(), res.code()),
        (400, "immutable_field"),
        "{}",
        res.raw
    );
    let res = t.call(Method::DELETE, &path, Some(&owner), None).await;
    assert_eq!(res.status, 204, "{}", res.raw);
    let res = t.call(Method::DELETE, &path, Some(&owner), None).await;
    assert_eq!((res.status.as_u16(), res.code()), (404, "coupon_not_found"));
    let res = create(
        &t,
        &slug,
        &owner,
        json!({"code": "JOLLOF10", "kind": "fixed", "amount": 100}),
    )
    .await;
    assert_eq!(res.status, 201, "the code is free again: {}", res.raw);
}

#[tokio::test]
async fn one_kitchens_manager_can_neither_see_nor_change_another_kitchens_coupons() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let (owner_a, slug_a) = t.active_kitchen(&admin, "Kitchen A").await;
    let (owner_b, slug_b) = t.active_kitchen(&admin, "Kitchen B").await;
    let res = create(
        &t,
        &slug_a,
        &owner_a,
        json!({"code": "AONLY", "kind": "fixed", "amount": 100}),
    )
    .await;
    let id = res.body["coupon"]["id"].as_str().unwrap().to_owned();

    // B's manager through A's routes: not its staff.
    for (method, path, body) in [
        (Method::GET, format!("/api/kitchens/{slug_a}/manage/coupons/"), None),
        (
            Method::PATCH,
            format!("/api/kitchens/{slug_a}/manage/coupons/{id}/"),
            Some(json!({"active": false})),
        ),
        (
            Method::DELETE,
            format!("/api/kitchens/{slug_a}/manage/coupons/{id}/"),
            None,
        ),
    ] {
        let res = t.call(method.clone(), &path, Some(&owner_b), body).await;
        assert_eq!(res.status, 403, "{method} {path}: {}", res.raw);
    }
    // Through B's own routes, A's coupon does not exist, and B may use the same code.
    let res = t
        .call(
            Method::PATCH,
            &format!("/api/kitchens/{slug_b}/manage/coupons/{id}/"),
            Some(&owner_b),
            Some(json!({"active": false})),
        )
        .await;
    assert_eq!(
        (res.status.as_u16(), res.code()),
        (404, "coupon_not_found"),
        "{}",
        res.raw
    );
    let list = t
        .call(
            Method::GET,
            &format!("/api/kitchens/{slug_b}/manage/coupons/"),
            Some(&owner_b),
            None,
        )
        .await;
    assert_eq!(list.body["items"], json!([]));
    let res = create(
        &t,
        &slug_b,
        &owner_b,
        json!({"code": "aonly", "kind": "fixed", "amount": 100}),
    )
    .await;
    assert_eq!(res.status, 201, "codes are per kitchen: {}", res.raw);
    // A's coupon is as it was.
    let list = t
        .call(
            Method::GET,
            &format!("/api/kitchens/{slug_a}/manage/coupons/"),
            Some(&owner_a),
            None,
        )
        .await;
    assert_eq!(list.body["items"][0]["active"], true);
}

/// The home kitchen's slug, a dish there at `price` kobo (with `extra` fields) and the admin's
/// token (the platform admin manages every kitchen's coupons).
async fn home_dish(t: &TestApp, price: i64, extra: Value) -> (String, String, String) {
    let admin = t.admin_token().await;
    let dish = t.admin_dish(&admin, "Party Jollof", price, extra).await;
    (admin, t.app.home_kitchen_slug().to_owned(), dish)
}

async fn place(t: &TestApp, token: &str, lines: &[(&str, i64)], coupon: Option<&str>) -> TestResponse {
    let items: Vec<Value> = lines
        .iter()
        .map(|(id, q)| json!({"food_item_id": id, "quantity": q}))
        .collect();
    let mut body = json!({"items": items, "fulfilment": "pickup"});
    if let Some(code) = coupon {
        body["coupon_code"] = json!(code);
    }
    t.call(Method::POST, "/api/orders/", Some(token), Some(body)).await
}

async fn validate(t: &TestApp, token: &str, body: Value) -> TestResponse {
    t.call(Method::POST, "/api/coupons/validate/", Some(token), Some(body))
        .await
}

async fn coupon_uses(t: &TestApp, admin: &str, slug: &str, code: &str) -> i64 {
    let list = t
        .call(
            Method::GET,
            &format!("/api/kitchens/{slug}/manage/coupons/"),
            Some(admin),
            None,
        )
        .await;
    list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == code)
        .map(|c| c["uses"].as_i64().unwrap())
        .expect("the coupon is listed")
}

#[tokio::test]
async fn a_percentage_coupon_is_frozen_on_the_order_counted_once_and_given_back_on_cancel() {
    let t = TestApp::new().await;
    let (admin, slug, dish) = home_dish(&t, 250_050, json!({})).await;
    let res = create(
        &t,
        &slug,
        &admin,
        json!({"code": "SAVE15", "kind": "percent", "percent": 15, "description": "15% off"}),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.raw);
    let customer = t.customer_token().await;

    // It is among the coupons the customer can use now, and says what it would take off.
    let usable = t.get("/api/coupons/", &customer).await;
    assert_eq!(usable.status, 200, "{}", usable.raw);
    assert!(
        usable.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["code"] == "SAVE15")
    );
    let quote = validate(
        &t,
        &customer,
        json!({"code": "save15", "items": [{"food_item_id": dish, "quantity": 2}]}),
    )
    .await;
    assert_eq!(quote.status, 200, "{}", quote.raw);
    assert_eq!(
        (
            &quote.body["subtotal"],
            &quote.body["discount"],
            &quote.body["currency"]
        ),
        (&json!(500_100), &json!(75_015), &json!("NGN")),
        "15% of 500,100 kobo"
    );
    assert_eq!(quote.body["coupon"]["code"], "SAVE15");

    // The same reads and the same one write as an order without a coupon.
    let warm = place(&t, &customer, &[(&dish, 1)], None).await;
    assert_eq!(warm.status, 201, "{}", warm.raw);
    let other = t.customer_token().await;
    let before = t.app.db().calls();
    assert_eq!(place(&t, &other, &[(&dish, 1)], None).await.status, 201);
    let without = t.app.db().calls() - before;
    let before = t.app.db().calls();
    let res = place(&t, &customer, &[(&dish, 2)], Some("Save15")).await;
    let with = t.app.db().calls() - before;
    assert_eq!(res.status, 201, "{}", res.raw);
    assert_eq!(with, without, "a coupon adds no round trip to a placement");
    let order = &res.body["order"];
    assert_eq!(order["discount"], 75_015);
    assert_eq!(order["subtotal"], 500_100);
    assert_eq!(order["total"], 500_100 - 75_015, "a pickup has no delivery fee");
    assert_eq!(order["coupon"]["code"], "SAVE15");
    assert_eq!(order["coupon"]["kind"], "percent");
    let order_id = order["id"].as_str().unwrap().to_owned();
    assert_eq!(coupon_uses(&t, &admin, &slug, "SAVE15").await, 1);
    let usage = t.get("/api/coupons/usage/", &customer).await;
    assert_eq!(usage.status, 200, "{}", usage.raw);
    let items = usage.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", usage.raw);
    assert_eq!(items[0]["order_id"], order_id.as_str());
    assert_eq!(items[0]["discount"], 75_015);
    assert_eq!(items[0]["kitchen"]["slug"], slug.as_str());

    // Once per customer by default: refused, and nothing written.
    let res = place(&t, &customer, &[(&dish, 1)], Some("SAVE15")).await;
    assert_eq!(
        (res.status.as_u16(), res.code()),
        (409, "coupon_limit_reached"),
        "{}",
        res.raw
    );
    assert!(
        t.get("/api/coupons/", &customer).await.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["code"] != "SAVE15")
    );
    let orders = t.get("/api/orders/", &customer).await;
    assert_eq!(orders.body["items"].as_array().unwrap().len(), 2);

    // Cancelling gives the use back, to the coupon and to the customer.
    assert_eq!(t.cancel(&customer, &order_id).await.status, 200);
    assert_eq!(coupon_uses(&t, &admin, &slug, "SAVE15").await, 0);
    let usage = t.get("/api/coupons/usage/", &customer).await;
    assert_eq!(usage.body["items"], json!([]), "{}", usage.raw);
    let res = place(&t, &customer, &[(&dish, 1)], Some("SAVE15")).await;
    assert_eq!(res.status, 201, "usable again: {}", res.raw);
    assert_eq!(res.body["order"]["discount"], 37_507, "15% of 250,050 rounded down");
}

#[tokio::test]
async fn twenty_orders_at_once_against_a_usage_limit_of_five_leave_exactly_five_carrying_it() {
    let t = TestApp::new().await;
    let (admin, slug, dish) = home_dish(&t, 100_000, json!({"stock": 100})).await;
    let res = create(
        &t,
        &slug,
        &admin,
        json!({"code": "FIRST5", "kind": "fixed", "amount": 20_000, "usage_limit": 5}),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.raw);
    let customers = futures::future::join_all((0..20).map(|_| t.customer_token())).await;
    let lines = [(dish.as_str(), 2)];
    let results = futures::future::join_all(customers.iter().map(|c| place(&t, c, &lines, Some("FIRST5")))).await;
    let placed: Vec<&TestResponse> = results.iter().filter(|r| r.status == 201).collect();
    let refused: Vec<&TestResponse> = results.iter().filter(|r| r.status != 201).collect();
    assert_eq!(
        placed.len(),
        5,
        "{:?}",
        results.iter().map(|r| &r.raw).collect::<Vec<_>>()
    );
    for r in &placed {
        assert_eq!(r.body["order"]["discount"], 20_000);
        assert_eq!(r.body["order"]["total"], 180_000);
    }
    for r in &refused {
        assert_eq!((r.status.as_u16(), r.code()), (409, "coupon_exhausted"), "{}", r.raw);
    }
    assert_eq!(coupon_uses(&t, &admin, &slug, "FIRST5").await, 5);
    // Nothing else written: the refused customers have no order, and the stock is down by
    // exactly the five orders' portions.
    let mut with_orders = 0;
    for c in &customers {
        let orders = t.get("/api/orders/", c).await;
        with_orders += usize::from(!orders.body["items"].as_array().unwrap().is_empty());
    }
    assert_eq!(with_orders, 5);
    let food = t.get(&format!("/api/foods/admin/items/{dish}/"), &admin).await;
    assert_eq!(food.body["food"]["stock"], 90, "{}", food.raw);
}

#[tokio::test]
async fn each_refusal_has_its_code_and_writes_nothing() {
    let t = TestApp::new().await;
    let (admin, slug, dish) = home_dish(&t, 100_000, json!({})).await;
    let other = t.admin_dish(&admin, "Zobo", 50_000, json!({})).await;
    for body in [
        json!({"code": "LATER", "kind": "fixed", "amount": 100, "starts_at": "2099-01-01T00:00:00Z"}),
        json!({"code": "GONE", "kind": "fixed", "amount": 100, "starts_at": "2020-01-01T00:00:00Z", "ends_at": "2020-02-01T00:00:00Z"}),
        json!({"code": "OFF", "kind": "fixed", "amount": 100, "active": false}),
        json!({"code": "VIPS", "kind": "fixed", "amount": 100, "customer_tier": "vip"}),
        json!({"code": "BIGONLY", "kind": "fixed", "amount": 100, "min_subtotal": 1_000_000}),
        json!({"code": "ZOBOFREE", "kind": "buy_x_get_y", "buy": {"food_item_id": dish, "quantity": 1}, "get": {"food_item_id": other, "quantity": 1}}),
    ] {
        let res = create(&t, &slug, &admin, body).await;
        assert_eq!(res.status, 201, "{}", res.raw);
    }
    let customer = t.customer_token().await;
    for (code, status, error) in [
        ("NOSUCH", 404, "coupon_not_found"),
        ("x", 404, "coupon_not_found"),
        ("OFF", 404, "coupon_not_found"),
        ("LATER", 409, "coupon_not_started"),
        ("GONE", 409, "coupon_expired"),
        ("VIPS", 409, "coupon_tier_mismatch"),
        ("BIGONLY", 409, "below_minimum_subtotal"),
        ("ZOBOFREE", 409, "coupon_not_applicable"),
    ] {
        let res = validate(
            &t,
            &customer,
            json!({"code": code, "items": [{"food_item_id": dish, "quantity": 1}]}),
        )
        .await;
        assert_eq!(
            (res.status.as_u16(), res.code()),
            (status, error),
            "validate {code}: {}",
            res.raw
        );
        let res = place(&t, &customer, &[(&dish, 1)], Some(code)).await;
        assert_eq!(
            (res.status.as_u16(), res.code()),
            (status, error),
            "place {code}: {}",
            res.raw
        );
    }
    let orders = t.get("/api/orders/", &customer).await;
    assert_eq!(orders.body["items"], json!([]), "nothing written: {}", orders.raw);
    // With both dishes, the buy-one-get-one gives the zobo free.
    let quote = validate(
        &t,
        &customer,
        json!({"code": "zobofree", "kitchen": slug, "items": [{"food_item_id": dish, "quantity": 1}, {"food_item_id": other, "quantity": 1}]}),
    )
    .await;
    assert_eq!(
        (quote.status.as_u16(), &quote.body["discount"]),
        (200, &json!(50_000)),
        "{}",
        quote.raw
    );
    // Bad input is named.
    let res = validate(&t, &customer, json!({"items": []})).await;
    assert_eq!((res.status.as_u16(), res.code()), (400, "invalid_code"), "{}", res.raw);
    let res = validate(&t, &customer, json!({"code": "ZOBOFREE"})).await;
    assert_eq!(
        (res.status.as_u16(), res.code()),
        (400, "empty_cart"),
        "the cart is empty: {}",
        res.raw
    );
    let res = validate(&t, &customer, json!({"code": "ZOBOFREE", "kitchen": "no-such-kitchen"})).await;
    assert_eq!(res.status, 404, "{}", res.raw);
}

#[tokio::test]
async fn a_cart_checks_out_with_a_coupon_and_completed_orders_raise_the_tier_once() {
    let t = TestApp::with_env(&[("TIER_REGULAR_ORDERS", "1"), ("TIER_REGULAR_SPENT_NAIRA", "1000")]).await;
    let (admin, slug, dish) = home_dish(&t, 150_000, json!({})).await;
    for body in [
        json!({"code": "WELCOME", "kind": "fixed", "amount": 50_000, "customer_tier": "new"}),
        json!({"code": "REGULARS", "kind": "percent", "percent": 50, "max_discount": 10_000, "customer_tier": "regular"}),
    ] {
        assert_eq!(create(&t, &slug, &admin, body).await.status, 201);
    }
    let customer = t.customer_token().await;
    let me = t.get("/api/auths/me/", &customer).await;
    assert_eq!(me.body["user"]["tier"], "new", "{}", me.raw);
    assert_eq!(
        me.body["user"]["stats"],
        json!({"completed_orders": 0, "total_spent": 0})
    );
    let res = t
        .call(
            Method::PUT,
            &format!("/api/cart/items/{dish}/"),
            Some(&customer),
            Some(json!({"quantity": 2})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.raw);
    let quote = validate(&t, &customer, json!({"code": "welcome"})).await;
    assert_eq!(
        (quote.status.as_u16(), &quote.body["discount"]),
        (200, &json!(50_000)),
        "{}",
        quote.raw
    );
    let res = t
        .call(
            Method::POST,
            "/api/cart/checkout/",
            Some(&customer),
            Some(json!({"fulfilment": "pickup", "coupon_code": "WELCOME"})),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.raw);
    let order = res.body["order"].clone();
    assert_eq!((&order["discount"], &order["total"]), (&json!(50_000), &json!(250_000)));
    let id = order["id"].as_str().unwrap();

    // Paid and completed: counted once into the customer's stats, who is now a regular.
    let path = |what: &str| format!("/api/orders/admin/{id}/{what}/");
    let res = t
        .call(
            Method::PATCH,
            &path("payment-status"),
            Some(&admin),
            Some(json!({"payment_status": "paid"})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.raw);
    for step in ["confirmed", "preparing", "ready_for_pickup", "completed"] {
        let res = t
            .call(
                Method::PATCH,
                &path("status"),
                Some(&admin),
                Some(json!({"status": step})),
            )
            .await;
        assert_eq!(res.status, 200, "{step}: {}", res.raw);
    }
    let res = t
        .call(
            Method::PATCH,
            &path("status"),
            Some(&admin),
            Some(json!({"status": "completed"})),
        )
        .await;
    assert_ne!(res.status, 200, "completed once: {}", res.raw);
    let me = t.get("/api/auths/me/", &customer).await;
    assert_eq!(
        me.body["user"]["stats"],
        json!({"completed_orders": 1, "total_spent": 250_000}),
        "{}",
        me.raw
    );
    assert_eq!(me.body["user"]["tier"], "regular");
    let usable: Vec<Value> = t.get(&format!("/api/kitchens/{slug}/coupons/"), &customer).await.body["items"]
        .as_array()
        .unwrap()
        .clone();
    let codes: Vec<&str> = usable.iter().map(|c| c["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["REGULARS"], "the new customers' coupon is no longer theirs");
}

#[tokio::test]
async fn an_unpaid_order_that_expires_gives_its_coupon_use_back_and_a_deleted_coupon_does_not_block_a_cancel() {
    let t = TestApp::with_env(&[("UNPAID_ORDER_TTL_MINUTES", "30")]).await;
    let (admin, slug, dish) = home_dish(&t, 100_000, json!({"stock": 3})).await;
    for body in [
        json!({"code": "LASTCALL", "kind": "fixed", "amount": 10_000, "usage_limit": 1}),
        json!({"code": "SHORTLIVED", "kind": "fixed", "amount": 10_000}),
    ] {
        assert_eq!(create(&t, &slug, &admin, body).await.status, 201);
    }
    let customer = t.customer_token().await;
    let res = place(&t, &customer, &[(&dish, 1)], Some("LASTCALL")).await;
    assert_eq!(res.status, 201, "{}", res.raw);
    let unpaid = res.body["order"]["id"].as_str().unwrap().to_owned();
    assert_eq!(coupon_uses(&t, &admin, &slug, "LASTCALL").await, 1);

    // Left unpaid past its lifetime: cancelled by the system, the use back for anyone.
    let expired = expiry::sweep(&t.app, shared::platform::clock::now_epoch() + 31 * 60)
        .await
        .unwrap();
    assert_eq!(expired, 1);
    let gone = t.get(&format!("/api/orders/{unpaid}/"), &customer).await;
    assert_eq!(gone.body["order"]["status"], "cancelled");
    assert_eq!(coupon_uses(&t, &admin, &slug, "LASTCALL").await, 0);
    assert_eq!(t.get("/api/coupons/usage/", &customer).await.body["items"], json!([]));
    let someone = t.customer_token().await;
    let res = place(&t, &someone, &[(&dish, 1)], Some("LASTCALL")).await;
    assert_eq!(res.status, 201, "the use is free again: {}", res.raw);

    // A coupon deleted after the order used it: the order still cancels, its stock comes back.
    let res = place(&t, &customer, &[(&dish, 1)], Some("SHORTLIVED")).await;
    assert_eq!(res.status, 201, "{}", res.raw);
    let order = res.body["order"]["id"].as_str().unwrap().to_owned();
    let list = t.get(&format!("/api/kitchens/{slug}/manage/coupons/"), &admin).await;
    let id = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "SHORTLIVED")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = t
        .call(
            Method::DELETE,
            &format!("/api/kitchens/{slug}/manage/coupons/{id}/"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(res.status, 204, "{}", res.raw);
    assert_eq!(t.cancel(&customer, &order).await.status, 200);
    let food = t.get(&format!("/api/foods/admin/items/{dish}/"), &admin).await;
    assert_eq!(
        food.body["food"]["stock"], 2,
        "one portion with the order that stands: {}",
        food.raw
    );
}
