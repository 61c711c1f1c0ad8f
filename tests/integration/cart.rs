//! The cart: kept on the server, priced at current prices on every read, checked out through the
//! same placement as `POST /api/orders/` (stock, idempotency and all), untouched by any refusal.

use api_tests::{TestApp, TestResponse};
use http::Method;
use serde_json::{Value, json};

async fn put_line(t: &TestApp, token: &str, food: &str, quantity: Value) -> TestResponse {
    t.call(
        Method::PUT,
        &format!("/api/cart/items/{food}/"),
        Some(token),
        Some(json!({ "quantity": quantity })),
    )
    .await
}

async fn patch_food(t: &TestApp, admin: &str, food: &str, body: Value) {
    let res = t
        .call(
            Method::PATCH,
            &format!("/api/foods/admin/items/{food}/"),
            Some(admin),
            Some(body),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.raw);
}

async fn checkout(t: &TestApp, token: &str, body: Value, key: Option<&str>) -> TestResponse {
    let mut req = http::Request::post("/api/cart/checkout/")
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json");
    if let Some(key) = key {
        req = req.header("idempotency-key", key);
    }
    t.request(req.body(lambda_http::Body::from(body.to_string())).unwrap())
        .await
}

fn line<'a>(cart: &'a Value, food: &str) -> &'a Value {
    cart["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["food_item_id"] == food)
        .unwrap_or_else(|| panic!("no line for {food} in {cart}"))
}

#[tokio::test]
async fn a_cart_follows_the_customer_at_current_prices_and_keeps_lines_it_cannot_order() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let customer = t.customer_token().await;
    let res = t.get("/api/cart/", &customer).await;
    assert_eq!(res.status, 200, "{}", res.raw);
    assert_eq!(
        res.body["cart"],
        json!({"items": [], "total": 0, "currency": "NGN", "updated_at": null})
    );

    let jollof = t.admin_dish(&admin, "Jollof", 250_000, json!({})).await;
    let suya = t.admin_dish(&admin, "Suya", 100_000, json!({"stock": 1})).await;
    let zobo = t.admin_dish(&admin, "Zobo", 50_000, json!({})).await;
    let palm = t.admin_dish(&admin, "Palm Wine", 80_000, json!({})).await;
    assert_eq!(put_line(&t, &customer, &jollof, json!(2)).await.status, 200);
    assert_eq!(put_line(&t, &customer, &suya, json!(1)).await.status, 200);
    assert_eq!(put_line(&t, &customer, &zobo, json!(3)).await.status, 200);
    let res = put_line(&t, &customer, &palm, json!(1)).await;
    assert_eq!(res.body["cart"]["total"], 500_000 + 100_000 + 150_000 + 80_000);
    let res = put_line(&t, &customer, &jollof, json!(1)).await;
    assert_eq!(line(&res.body["cart"], &jollof)["quantity"], 1, "a PUT sets the line");
    assert_eq!(
        res.body["cart"]["items"][0]["food_item_id"], jollof,
        "lines keep their order"
    );

    // The kitchen changes things: a price, a switch-off, a sell-out, a deletion.
    patch_food(&t, &admin, &jollof, json!({"price": 300_000})).await;
    patch_food(&t, &admin, &zobo, json!({"is_available": false})).await;
    patch_food(&t, &admin, &suya, json!({"stock": 0})).await;
    let res = t
        .call(
            Method::DELETE,
            &format!("/api/foods/admin/items/{palm}/"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(res.status, 204);
    let before = t.app.db().calls();
    let cart = t.get("/api/cart/", &customer).await.body["cart"].clone();
    assert!(
        t.app.db().calls() - before <= 4,
        "session, cart and menu side by side (and the home kitchen's id, once per instance)"
    );
    assert_eq!(line(&cart, &jollof)["unit_price"], 300_000, "always the current price");
    assert_eq!(line(&cart, &zobo)["available"], false);
    assert_eq!(line(&cart, &suya)["sold_out"], true);
    assert_eq!(line(&cart, &palm)["available"], false, "a deleted dish stays visible");
    assert_eq!(line(&cart, &palm)["name"], "Palm Wine");
    assert_eq!(line(&cart, &palm)["unit_price"], Value::Null);
    assert_eq!(cart["total"], 300_000, "only what can be ordered now counts");

    // Removing: a line, an absent line (no change), everything.
    let res = t
        .call(
            Method::DELETE,
            &format!("/api/cart/items/{zobo}/"),
            Some(&customer),
            None,
        )
        .await;
    assert_eq!(res.body["cart"]["items"].as_array().unwrap().len(), 3);
    let res = t
        .call(
            Method::DELETE,
            &format!("/api/cart/items/{zobo}/"),
            Some(&customer),
            None,
        )
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["cart"]["items"].as_array().unwrap().len(), 3);
    let res = t.call(Method::DELETE, "/api/cart/", Some(&customer), None).await;
    assert_eq!(res.status, 204);
    assert_eq!(t.get("/api/cart/", &customer).await.body["cart"]["items"], json!([]));
}

#[tokio::test]
async fn lines_are_checked_when_they_are_put() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let customer = t.customer_token().await;
    let off = t
        .admin_dish(&admin, "Small Chops", 500_000, json!({"is_available": false}))
        .await;
    let res = put_line(&t, &customer, "01JD5Q4A1B3C5D7E9F1G3H5J7K", json!(1)).await;
    assert_eq!((res.status.as_u16(), res.code()), (404, "food_not_found"));
    let res = put_line(&t, &customer, &off, json!(1)).await;
    assert_eq!((res.status.as_u16(), res.code()), (409, "food_unavailable"));
    let dish = t.admin_dish(&admin, "Moi Moi", 120_000, json!({})).await;
    for bad in [json!(0), json!(51), json!(1.5), json!("2"), json!(null)] {
        let res = put_line(&t, &customer, &dish, bad.clone()).await;
        assert_eq!((res.status.as_u16(), res.code()), (400, "invalid_quantity"), "{bad}");
    }
    let admin_res = put_line(&t, &admin, &dish, json!(1)).await;
    assert_eq!(admin_res.status, 403, "carts are for customers");
}

#[tokio::test]
async fn a_cart_holds_at_most_fifty_dishes() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let customer = t.customer_token().await;
    let mut dishes = Vec::new();
    for i in 0..51 {
        dishes.push(t.admin_dish(&admin, &format!("Dish {i}"), 1_000, json!({})).await);
    }
    for dish in &dishes[..50] {
        assert_eq!(put_line(&t, &customer, dish, json!(1)).await.status, 200);
    }
    let res = put_line(&t, &customer, &dishes[50], json!(1)).await;
    assert_eq!((res.status.as_u16(), res.code()), (400, "cart_full"));
    assert_eq!(
        put_line(&t, &customer, &dishes[0], json!(3)).await.status,
        200,
        "changing a line is fine"
    );
}

#[tokio::test]
async fn checkout_as_pickup_orders_the_cart_at_new_prices_and_empties_it_in_one_write() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let customer = t.customer_token().await;
    let res = checkout(&t, &customer, json!({"fulfilment": "pickup"}), None).await;
    assert_eq!((res.status.as_u16(), res.code()), (400, "empty_cart"));

    let jollof = t.admin_dish(&admin, "Jollof", 250_000, json!({"stock": 10})).await;
    let chapman = t.admin_dish(&admin, "Chapman", 150_000, json!({})).await;
    put_line(&t, &customer, &jollof, json!(2)).await;
    put_line(&t, &customer, &chapman, json!(1)).await;
    patch_food(&t, &admin, &jollof, json!({"price": 260_000})).await;

    let before = t.app.db().calls();
    let res = checkout(
        &t,
        &customer,
        json!({"fulfilment": "pickup", "note": "Call me"}),
        Some("co-1"),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.raw);
    assert!(
        t.app.db().calls() - before <= 5,
        "inputs (the kitchen with them), the menu's state and the session check side by side, the \
         menu read whole after the price change, then one transaction"
    );
    let order = &res.body["order"];
    assert_eq!(order["fulfilment"], "pickup");
    assert_eq!(
        order["total"],
        2 * 260_000 + 150_000,
        "the price at checkout, not when put in the cart"
    );
    assert_eq!(order["note"], "Call me");
    assert_eq!(t.get("/api/cart/", &customer).await.body["cart"]["items"], json!([]));
    let stock = t.get(&format!("/api/foods/admin/items/{jollof}/"), &admin).await.body["food"]["stock"].clone();
    assert_eq!(stock, 8);

    // A retry with the same key gets the first answer; nothing new is made.
    let again = checkout(
        &t,
        &customer,
        json!({"fulfilment": "pickup", "note": "Call me"}),
        Some("co-1"),
    )
    .await;
    assert_eq!(again.status, 201);
    assert_eq!(again.headers["idempotent-replayed"], "true");
    assert_eq!(again.body["order"]["id"], order["id"]);
    let list = t.get("/api/orders/", &customer).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    let other = checkout(&t, &customer, json!({"fulfilment": "pickup"}), Some("co-1")).await;
    assert_eq!(other.code(), "idempotency_conflict");

    // A delivery checkout needs its address.
    put_line(&t, &customer, &chapman, json!(1)).await;
    let res = checkout(&t, &customer, json!({}), None).await;
    assert_eq!((res.status.as_u16(), res.code()), (400, "invalid_delivery_address"));
    let res = checkout(&t, &customer, json!({"delivery_address": "12 Marina, Lagos"}), None).await;
    assert_eq!(res.status, 201, "{}", res.raw);
    assert_eq!(res.body["order"]["fulfilment"], "delivery");
}

#[tokio::test]
async fn a_checkout_refused_on_one_sold_out_line_writes_nothing_and_keeps_the_cart() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let customer = t.customer_token().await;
    let fish = t.admin_dish(&admin, "Croaker", 650_000, json!({"stock": 2})).await;
    let asun = t.admin_dish(&admin, "Asun", 300_000, json!({"stock": 5})).await;
    put_line(&t, &customer, &fish, json!(1)).await;
    put_line(&t, &customer, &asun, json!(2)).await;
    let cart_before = t.get("/api/cart/", &customer).await.body["cart"].clone();
    patch_food(&t, &admin, &fish, json!({"stock": 0})).await;

    let res = checkout(&t, &customer, json!({"fulfilment": "pickup"}), Some("co-2")).await;
    assert_eq!(
        (res.status.as_u16(), res.code()),
        (409, "insufficient_stock"),
        "{}",
        res.raw
    );
    assert_eq!(res.body["error"]["message"], "Only 0 left of Croaker");
    assert_eq!(res.body["error"]["fields"][&fish], "only 0 left");
    let cart_after = t.get("/api/cart/", &customer).await.body["cart"].clone();
    assert_eq!(
        cart_after["items"],
        cart_before["items"]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .map(|l| {
                        let mut l = l.clone();
                        if l["food_item_id"] == fish.as_str() {
                            l["sold_out"] = json!(true);
                        }
                        l
                    })
                    .collect::<Vec<_>>()
            })
            .map(Value::from)
            .unwrap(),
        "the cart is untouched"
    );
    let asun_stock = t.get(&format!("/api/foods/admin/items/{asun}/"), &admin).await.body["food"]["stock"].clone();
    assert_eq!(asun_stock, 5, "no stock taken");
    assert_eq!(t.get("/api/orders/", &customer).await.body["items"], json!([]));

    // Restocked, the same key now places the order (the refusal was not remembered).
    let res = t
        .call(
            Method::POST,
            &format!("/api/foods/admin/items/{fish}/stock/"),
            Some(&admin),
            Some(json!({"add": 1})),
        )
        .await;
    assert_eq!(res.status, 200);
    let res = checkout(&t, &customer, json!({"fulfilment": "pickup"}), Some("co-2")).await;
    assert_eq!(res.status, 201, "{}", res.raw);
}

#[tokio::test]
async fn concurrent_checkouts_and_restocks_never_lose_a_unit() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let jollof = t.admin_dish(&admin, "Jollof", 250_000, json!({"stock": 12})).await;
    let mut customers = Vec::new();
    for _ in 0..6 {
        let c = t.customer_token().await;
        assert_eq!(put_line(&t, &c, &jollof, json!(2)).await.status, 200);
        customers.push(c);
    }
    let checkouts = customers
        .iter()
        .map(|c| checkout(&t, c, json!({"fulfilment": "pickup"}), None));
    let path = format!("/api/foods/admin/items/{jollof}/stock/");
    let restocks = (0..6).map(|_| t.call(Method::POST, &path, Some(&admin), Some(json!({"add": 1}))));
    let (checkouts, restocks) = tokio::join!(
        futures::future::join_all(checkouts),
        futures::future::join_all(restocks)
    );
    let placed = checkouts.iter().filter(|r| r.status == 201).count() as i64;
    assert!(
        checkouts
            .iter()
            .all(|r| r.status == 201 || r.code() == "insufficient_stock"),
        "{:?}",
        checkouts.iter().map(|r| &r.raw).collect::<Vec<_>>()
    );
    assert!(restocks.iter().all(|r| r.status == 200));
    let stock = t.get(&format!("/api/foods/admin/items/{jollof}/"), &admin).await.body["food"]["stock"]
        .as_i64()
        .unwrap();
    assert_eq!(
        stock,
        12 + 6 - 2 * placed,
        "every unit accounted for ({placed} checkouts placed)"
    );
    assert!(stock >= 0);
}
