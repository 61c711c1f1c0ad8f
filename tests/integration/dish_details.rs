//! Contract v3, "Menu: photos, tags, limits, import": a dish's tags, `featured` flag and
//! quantity limits, the public filters, and `quantity_out_of_range` wherever a line is taken.

use api_tests::{TestApp, TestResponse};
use http::Method;
use serde_json::{Value, json};

async fn patch_dish(t: &TestApp, admin: &str, id: &str, body: Value) -> TestResponse {
    t.call(
        Method::PATCH,
        &format!("/api/foods/admin/items/{id}/"),
        Some(admin),
        Some(body),
    )
    .await
}

fn names(res: &TestResponse) -> Vec<String> {
    assert_eq!(res.status, 200, "{}", res.raw);
    let mut names: Vec<String> = res.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn tags_and_featured_are_set_by_managers_and_filter_the_public_menu() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let suya = t
        .admin_dish(
            &admin,
            "Suya",
            200_000,
            json!({"tags": ["Spicy", "halal"], "featured": true}),
        )
        .await;
    let salad = t
        .admin_dish(&admin, "Salad", 150_000, json!({"tags": ["vegan", "halal"]}))
        .await;
    t.admin_dish(&admin, "Water", 30_000, json!({})).await;

    let one = t.call(Method::GET, &format!("/api/foods/{suya}/"), None, None).await;
    assert_eq!(
        one.body["food"]["tags"],
        json!(["halal", "spicy"]),
        "known names, one order"
    );
    assert_eq!(one.body["food"]["featured"], true);
    assert_eq!(
        (&one.body["food"]["min_quantity"], &one.body["food"]["max_quantity"]),
        (&json!(1), &json!(50)),
        "the default limits"
    );
    let plain = t.call(Method::GET, "/api/foods/?q=water", None, None).await;
    assert_eq!(plain.body["items"][0]["tags"], json!([]));
    assert_eq!(plain.body["items"][0]["featured"], false);

    let all = |q: &str| {
        let path = format!("/api/foods/{q}");
        let t = &t;
        async move { t.call(Method::GET, &path, None, None).await }
    };
    assert_eq!(names(&all("?tag=halal").await), ["Salad", "Suya"]);
    assert_eq!(
        names(&all("?tag=halal&tag=spicy").await),
        ["Suya"],
        "every tag must match"
    );
    assert!(names(&all("?tag=vegan&tag=spicy").await).is_empty());
    assert_eq!(names(&all("?featured=true").await), ["Suya"]);
    assert_eq!(names(&all("?featured=false").await), ["Salad", "Suya", "Water"]);
    let bad = all("?tag=keto").await;
    assert_eq!(
        (bad.status.as_u16(), bad.body["error"]["code"].as_str()),
        (400, Some("invalid_tag")),
        "{}",
        bad.raw
    );
    assert!(bad.body["error"]["fields"]["tag"].is_string());
    let bad = all("?featured=maybe").await;
    assert_eq!(bad.status, 400, "{}", bad.raw);

    // A manager changes them; an unknown tag is refused and changes nothing.
    let res = patch_dish(&t, &admin, &salad, json!({"tags": ["vegan", "keto"], "featured": true})).await;
    assert_eq!(res.status, 400, "{}", res.raw);
    assert_eq!(res.body["error"]["code"], "invalid_tag");
    assert!(res.body["error"]["fields"]["tags"].as_str().unwrap().contains("keto"));
    assert_eq!(names(&all("?featured=true").await), ["Suya"], "nothing was written");
    let res = patch_dish(&t, &admin, &salad, json!({"tags": "vegan"})).await;
    assert_eq!(
        (res.status.as_u16(), res.body["error"]["code"].as_str()),
        (400, Some("invalid_tag"))
    );
    let res = patch_dish(&t, &admin, &salad, json!({"tags": [], "featured": true})).await;
    assert_eq!(res.status, 200, "{}", res.raw);
    assert_eq!(res.body["food"]["tags"], json!([]));
    assert_eq!(names(&all("?featured=true").await), ["Salad", "Suya"]);
    assert_eq!(names(&all("?tag=halal").await), ["Suya"]);
}

#[tokio::test]
async fn quantity_limits_are_within_one_to_fifty_and_never_cross() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let dish = t
        .admin_dish(
            &admin,
            "Platter",
            500_000,
            json!({"min_quantity": 2, "max_quantity": 5}),
        )
        .await;
    for (body, field) in [
        (json!({"min_quantity": 0}), "min_quantity"),
        (json!({"max_quantity": 51}), "max_quantity"),
        (json!({"max_quantity": 1}), "max_quantity"),
        (json!({"min_quantity": 6}), "min_quantity"),
        (json!({"min_quantity": 1.5}), "min_quantity"),
    ] {
        let res = patch_dish(&t, &admin, &dish, body.clone()).await;
        assert_eq!(res.status, 400, "{body}: {}", res.raw);
        assert!(res.body["error"]["fields"][field].is_string(), "{body}: {}", res.raw);
    }
    let res = patch_dish(&t, &admin, &dish, json!({"min_quantity": 3, "max_quantity": 3})).await;
    assert_eq!(res.status, 200, "{}", res.raw);
    assert_eq!(
        (
            res.body["food"]["min_quantity"].as_i64(),
            res.body["food"]["max_quantity"].as_i64()
        ),
        (Some(3), Some(3))
    );
    let res = t
        .call(
            Method::POST,
            "/api/foods/admin/items/",
            Some(&admin),
            Some(json!({"name": "X", "price": 100, "category_id": res.body["food"]["category_id"], "min_quantity": 9, "max_quantity": 4})),
        )
        .await;
    assert_eq!(res.status, 400, "a create with crossing limits: {}", res.raw);
}

#[tokio::test]
async fn lines_outside_a_dish_limits_are_refused_in_the_cart_at_placement_and_at_checkout() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let customer = t.customer_token().await;
    let platter = t
        .admin_dish(
            &admin,
            "Platter",
            500_000,
            json!({"min_quantity": 2, "max_quantity": 4, "stock": 10}),
        )
        .await;

    // The cart: a line outside the limits is refused and the cart is unchanged.
    for quantity in [1, 5] {
        let res = t
            .call(
                Method::PUT,
                &format!("/api/cart/items/{platter}/"),
                Some(&customer),
                Some(json!({"quantity": quantity})),
            )
            .await;
        assert_eq!(res.status, 400, "{quantity}: {}", res.raw);
        assert_eq!(res.body["error"]["code"], "quantity_out_of_range");
        assert_eq!(res.body["error"]["fields"][&platter], "quantity must be from 2 to 4");
    }
    let cart = t.get("/api/cart/", &customer).await;
    assert_eq!(cart.body["cart"]["items"], json!([]));
    let res = t
        .call(
            Method::PUT,
            &format!("/api/cart/items/{platter}/"),
            Some(&customer),
            Some(json!({"quantity": 2})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.raw);
    assert_eq!(res.body["cart"]["items"][0]["min_quantity"], 2);
    assert_eq!(res.body["cart"]["items"][0]["max_quantity"], 4);

    // Placement: every such line named, nothing written (stock untouched).
    let place = |lines: Value| {
        t.call(
            Method::POST,
            "/api/orders/",
            Some(&customer),
            Some(json!({"items": lines, "fulfilment": "pickup"})),
        )
    };
    let res = place(json!([{"food_item_id": platter, "quantity": 5}])).await;
    assert_eq!(res.status, 400, "{}", res.raw);
    assert_eq!(res.body["error"]["code"], "quantity_out_of_range");
    assert!(res.body["error"]["fields"][&platter].is_string());
    // Two lines of the same dish count together.
    let res = place(json!([{"food_item_id": platter, "quantity": 3}, {"food_item_id": platter, "quantity": 2}])).await;
    assert_eq!(res.body["error"]["code"], "quantity_out_of_range", "{}", res.raw);
    let dish = t
        .call(
            Method::GET,
            &format!("/api/foods/admin/items/{platter}/"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(dish.body["food"]["stock"], 10, "nothing was taken");

    // Checkout: the manager raised the minimum after the line went in.
    let res = patch_dish(&t, &admin, &platter, json!({"min_quantity": 3})).await;
    assert_eq!(res.status, 200, "{}", res.raw);
    let res = t
        .call(
            Method::POST,
            "/api/cart/checkout/",
            Some(&customer),
            Some(json!({"fulfilment": "pickup"})),
        )
        .await;
    assert_eq!(res.status, 400, "{}", res.raw);
    assert_eq!(res.body["error"]["code"], "quantity_out_of_range");
    assert_eq!(res.body["error"]["fields"][&platter], "quantity must be from 3 to 4");
    let cart = t.get("/api/cart/", &customer).await;
    assert_eq!(cart.body["cart"]["items"][0]["quantity"], 2, "the cart is kept");
    let res = place(json!([{"food_item_id": platter, "quantity": 3}])).await;
    assert_eq!(res.status, 201, "{}", res.raw);
}
