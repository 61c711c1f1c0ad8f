use api_tests::TestApp;
use http::Method;
use serde_json::{Value, json};

async fn category(t: &TestApp, admin: &str, name: &str) -> String {
    let res = t
        .call(
            Method::POST,
            "/api/foods/admin/categories/",
            Some(admin),
            Some(json!({"name": name})),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.raw);
    res.body["category"]["id"].as_str().unwrap().to_owned()
}

async fn food(t: &TestApp, admin: &str, body: Value) -> Value {
    let res = t
        .call(Method::POST, "/api/foods/admin/items/", Some(admin), Some(body))
        .await;
    assert_eq!(res.status, 201, "{}", res.raw);
    res.body["food"].clone()
}

async fn public(t: &TestApp, path: &str) -> api_tests::TestResponse {
    t.call(Method::GET, path, None, None).await
}

#[tokio::test]
async fn the_public_menu_is_one_query_of_available_dishes_with_category_names() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let rice = category(&t, &admin, "Rice Dishes").await;
    let drinks = category(&t, &admin, "Drinks").await;
    let jollof = food(
        &t,
        &admin,
        json!({"name": "Jollof Rice", "price": 250000, "category_id": rice}),
    )
    .await;
    food(
        &t,
        &admin,
        json!({"name": "Chapman", "price": 150000, "category_id": drinks}),
    )
    .await;
    food(
        &t,
        &admin,
        json!({"name": "Zobo", "price": 80000, "category_id": drinks, "is_available": false}),
    )
    .await;

    public(&t, "/api/foods/").await;
    let before = t.app.db().calls();
    let res = public(&t, "/api/foods/").await;
    assert_eq!(
        t.app.db().calls() - before,
        1,
        "one DynamoDB call while the copy is current"
    );
    assert_eq!(res.status, 200, "{}", res.raw);
    assert!(
        res.headers["cache-control"].to_str().unwrap().starts_with("public"),
        "CDN-cacheable"
    );
    let items = res.body["items"].as_array().unwrap();
    let names: Vec<_> = items.iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Chapman", "Jollof Rice"], "available only, grouped by category");
    let j = items.iter().find(|f| f["id"] == jollof["id"]).unwrap();
    assert_eq!(j["category_name"], "Rice Dishes");
    assert_eq!(j["price"], 250000);
    assert_eq!(j["currency"], "NGN");
    assert_eq!(j["is_available"], true);
    for key in [
        "id",
        "name",
        "description",
        "price",
        "currency",
        "category_id",
        "category_name",
        "image_url",
        "is_available",
    ] {
        assert!(j.get(key).is_some(), "food has {key}");
    }
}

#[tokio::test]
async fn the_menu_filters_by_category_and_by_name_without_case() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let rice = category(&t, &admin, "Rice Dishes").await;
    let soups = category(&t, &admin, "Soups").await;
    food(
        &t,
        &admin,
        json!({"name": "Jollof Rice", "price": 250000, "category_id": rice}),
    )
    .await;
    food(
        &t,
        &admin,
        json!({"name": "Fried Rice", "price": 260000, "category_id": rice}),
    )
    .await;
    food(
        &t,
        &admin,
        json!({"name": "Egusi Soup", "price": 300000, "category_id": soups}),
    )
    .await;

    let res = public(&t, &format!("/api/foods?category={soups}")).await;
    let names: Vec<_> = res.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].clone())
        .collect();
    assert_eq!(names, [json!("Egusi Soup")]);

    let res = public(&t, "/api/foods/?q=RICE").await;
    assert_eq!(res.body["items"].as_array().unwrap().len(), 2);
    let res = public(&t, &format!("/api/foods/?q=jollof&category={}", rice.to_lowercase())).await;
    assert_eq!(res.body["items"].as_array().unwrap().len(), 1);
    let res = public(&t, "/api/foods/?q=pizza").await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["items"], json!([]));
}

#[tokio::test]
async fn one_food_is_public_only_while_available() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let rice = category(&t, &admin, "Rice Dishes").await;
    let f = food(
        &t,
        &admin,
        json!({"name": "Ofada Rice", "price": 280000, "category_id": rice}),
    )
    .await;
    let id = f["id"].as_str().unwrap();

    public(&t, &format!("/api/foods/{id}")).await;
    let before = t.app.db().calls();
    let res = public(&t, &format!("/api/foods/{id}")).await;
    assert_eq!(
        t.app.db().calls() - before,
        1,
        "one DynamoDB call while the copy is current"
    );
    assert_eq!(res.status, 200, "{}", res.raw);
    assert_eq!(res.body["food"]["category_name"], "Rice Dishes");

    let res = t
        .call(
            Method::PATCH,
            &format!("/api/foods/admin/items/{id}/"),
            Some(&admin),
            Some(json!({"is_available": false})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.raw);
    let res = public(&t, &format!("/api/foods/{id}/")).await;
    assert_eq!(res.status, 404);
    assert_eq!(res.code(), "food_not_found");
    assert_eq!(public(&t, "/api/foods/01JD5Q4A1B3C5D7E9F1G3H5J7K/").await.status, 404);
    assert_eq!(public(&t, "/api/foods/not-an-id/").await.status, 404);
}

#[tokio::test]
async fn public_categories_at_one_position_are_listed_by_name() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    category(&t, &admin, "Soups").await;
    category(&t, &admin, "drinks").await;
    let res = public(&t, "/api/foods/categories").await;
    assert_eq!(res.status, 200);
    let names: Vec<_> = res.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].clone())
        .collect();
    assert_eq!(names, [json!("drinks"), json!("Soups")]);
    assert!(
        res.body["items"][0].get("food_count").is_none(),
        "counts are for admins"
    );
}

#[tokio::test]
async fn categories_stand_in_the_kitchens_order_then_by_name_and_the_menu_follows_it() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let soups = category(&t, &admin, "Soups").await;
    let drinks = category(&t, &admin, "Drinks").await;
    category(&t, &admin, "Bakes").await;
    food(
        &t,
        &admin,
        json!({"name": "Egusi", "price": 300000, "category_id": soups}),
    )
    .await;
    food(
        &t,
        &admin,
        json!({"name": "Chapman", "price": 150000, "category_id": drinks}),
    )
    .await;
    let names = |body: &Value, field: &str| -> Vec<String> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c[field].as_str().unwrap().to_owned())
            .collect()
    };
    let res = public(&t, "/api/foods/categories/").await;
    assert_eq!(
        names(&res.body, "name"),
        ["Bakes", "Drinks", "Soups"],
        "all at 0: by name"
    );
    assert_eq!(res.body["items"][0]["position"], 0);

    let res = t
        .call(
            Method::PATCH,
            &format!("/api/foods/admin/categories/{soups}/"),
            Some(&admin),
            Some(json!({"position": -1})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.raw);
    assert_eq!(res.body["category"]["position"], -1);
    let res = public(&t, "/api/foods/categories/").await;
    assert_eq!(names(&res.body, "name"), ["Soups", "Bakes", "Drinks"]);
    let res = t.get("/api/foods/admin/categories/", &admin).await;
    assert_eq!(
        names(&res.body, "name"),
        ["Soups", "Bakes", "Drinks"],
        "the admin's list too"
    );
    let res = public(&t, "/api/foods/").await;
    assert_eq!(
        names(&res.body, "name"),
        ["Egusi", "Chapman"],
        "dishes grouped in that order"
    );

    for bad in [json!(1.5), json!("first"), json!(null), json!(5_000_000)] {
        let res = t
            .call(
                Method::PATCH,
                &format!("/api/foods/admin/categories/{drinks}/"),
                Some(&admin),
                Some(json!({ "position": bad })),
            )
            .await;
        assert_eq!(res.status, 400, "{bad}: {}", res.raw);
        assert!(
            res.body["error"]["fields"]["position"].is_string(),
            "{bad}: {}",
            res.raw
        );
    }
    let res = t
        .call(
            Method::POST,
            "/api/foods/admin/categories/",
            Some(&admin),
            Some(json!({"name": "Starters", "position": -5})),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.raw);
    assert_eq!(res.body["category"]["position"], -5);
}

#[tokio::test]
async fn admin_routes_refuse_missing_and_customer_tokens_before_touching_the_database() {
    let t = TestApp::new().await;
    let customer = t.customer_token().await;
    let routes = [
        (Method::GET, "/api/foods/admin/categories/"),
        (Method::POST, "/api/foods/admin/categories/"),
        (Method::PATCH, "/api/foods/admin/categories/01JD5Q3K8M2N4P6R8T0V2X4Z6B/"),
        (
            Method::DELETE,
            "/api/foods/admin/categories/01JD5Q3K8M2N4P6R8T0V2X4Z6B/",
        ),
        (Method::GET, "/api/foods/admin/items/"),
        (Method::POST, "/api/foods/admin/items/"),
        (Method::GET, "/api/foods/admin/items/01JD5Q4A1B3C5D7E9F1G3H5J7K/"),
        (Method::PATCH, "/api/foods/admin/items/01JD5Q4A1B3C5D7E9F1G3H5J7K/"),
        (Method::DELETE, "/api/foods/admin/items/01JD5Q4A1B3C5D7E9F1G3H5J7K/"),
    ];
    for (method, path) in routes {
        let before = t.app.db().calls();
        let res = t.call(method.clone(), path, None, Some(json!({"name": "x"}))).await;
        assert_eq!(res.status, 401, "{method} {path}");
        let res = t
            .call(method.clone(), path, Some(&customer), Some(json!({"name": "x"})))
            .await;
        assert_eq!(res.status, 403, "{method} {path}");
        assert_eq!(res.code(), "forbidden");
        assert_eq!(t.app.db().calls(), before, "{method} {path} touched the database");
    }
}

#[tokio::test]
async fn a_logged_out_admin_token_stops_working() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    assert_eq!(t.get("/api/foods/admin/categories/", &admin).await.status, 200);
    // Log out every session of this admin by revoking the token's session directly.
    let claims = t
        .app
        .accounts
        .tokens()
        .verify(&admin, shared::accounts::model::TokenType::Access)
        .unwrap();
    t.app.accounts.store().revoke_session(&claims.sid).await.unwrap();
    let res = t.get("/api/foods/admin/categories/", &admin).await;
    assert_eq!(res.status, 401);
    let res = t
        .call(
            Method::POST,
            "/api/foods/admin/categories/",
            Some(&admin),
            Some(json!({"name": "Grills"})),
        )
        .await;
    assert_eq!(res.status, 401);
}

#[tokio::test]
async fn category_names_are_unique_without_case() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    category(&t, &admin, "Grills").await;
    let res = t
        .call(
            Method::POST,
            "/api/foods/admin/categories",
            Some(&admin),
            Some(json!({"name": "  GRILLS "})),
        )
        .await;
    assert_eq!(res.status, 409);
    assert_eq!(res.code(), "category_exists");
    let res = t
        .call(
            Method::POST,
            "/api/foods/admin/categories",
            Some(&admin),
            Some(json!({"name": ""})),
        )
        .await;
    assert_eq!(res.status, 400);
    assert!(res.body["error"]["fields"]["name"].is_string());
}

#[tokio::test]
async fn ten_concurrent_creates_of_one_category_name_make_one() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let creates = (0..10).map(|i| {
        let name = if i % 2 == 0 { "Small Chops" } else { "small chops" };
        t.call(
            Method::POST,
            "/api/foods/admin/categories/",
            Some(&admin),
            Some(json!({"name": name})),
        )
    });
    let results = futures::future::join_all(creates).await;
    let statuses: Vec<u16> = results.iter().map(|r| r.status.as_u16()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 9, "{statuses:?}");
    let res = t.get("/api/foods/admin/categories/", &admin).await;
    assert_eq!(res.body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn renaming_a_category_shows_in_the_menu_and_frees_the_old_name() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let id = category(&t, &admin, "Soups").await;
    category(&t, &admin, "Drinks").await;
    food(
        &t,
        &admin,
        json!({"name": "Egusi Soup", "price": 300000, "category_id": id}),
    )
    .await;

    let path = format!("/api/foods/admin/categories/{id}/");
    let res = t
        .call(Method::PATCH, &path, Some(&admin), Some(json!({"name": "drinks"})))
        .await;
    assert_eq!(res.status, 409, "{}", res.raw);
    assert_eq!(res.code(), "category_exists");

    let res = t
        .call(
            Method::PATCH,
            &path,
            Some(&admin),
            Some(json!({"name": "Soups & Swallows", "description": "With eba"})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.raw);
    assert_eq!(res.body["category"]["name"], "Soups & Swallows");
    assert_eq!(res.body["category"]["food_count"], 1);
    let menu = public(&t, "/api/foods/").await;
    assert_eq!(menu.body["items"][0]["category_name"], "Soups & Swallows");
    // The old name is free again; a case-only rename of itself is fine.
    category(&t, &admin, "Soups").await;
    let res = t
        .call(
            Method::PATCH,
            &path,
            Some(&admin),
            Some(json!({"name": "SOUPS & SWALLOWS"})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.raw);
    let res = t
        .call(
            Method::PATCH,
            "/api/foods/admin/categories/01JD5Q3K8M2N4P6R8T0V2X4Z6B",
            Some(&admin),
            Some(json!({"name": "X"})),
        )
        .await;
    assert_eq!(res.status, 404);
}

#[tokio::test]
async fn prices_categories_and_image_urls_are_validated() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let rice = category(&t, &admin, "Rice Dishes").await;
    for price in [json!(0), json!(-100), json!(2500.5), json!("2500"), json!(null)] {
        let res = t
            .call(
                Method::POST,
                "/api/foods/admin/items/",
                Some(&admin),
                Some(json!({"name": "Jollof", "price": price, "category_id": rice})),
            )
            .await;
        assert_eq!(res.status, 400, "price {price}: {}", res.raw);
        assert_eq!(res.code(), "invalid_price");
        assert!(res.body["error"]["fields"]["price"].is_string());
    }
    let res = t
        .call(
            Method::POST,
            "/api/foods/admin/items/",
            Some(&admin),
            Some(json!({"name": "Jollof", "price": 250000, "category_id": "01JD5Q3K8M2N4P6R8T0V2X4Z6B"})),
        )
        .await;
    assert_eq!(res.status, 400, "{}", res.raw);
    assert_eq!(res.code(), "invalid_category");
    assert!(res.body["error"]["fields"]["category_id"].is_string());
    let res = t
        .call(
            Method::POST,
            "/api/foods/admin/items/",
            Some(&admin),
            Some(json!({"name": "Jollof", "price": 250000, "category_id": rice, "image_url": "http://insecure.example.com/a.jpg"})),
        )
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(res.code(), "invalid_image_url");
    let res = t
        .call(Method::POST, "/api/foods/admin/items/", Some(&admin), Some(json!({})))
        .await;
    let fields = res.body["error"]["fields"].as_object().unwrap();
    assert!(fields.contains_key("name") && fields.contains_key("price") && fields.contains_key("category_id"));

    // Nothing was created by any of those.
    assert_eq!(t.get("/api/foods/admin/items/", &admin).await.body["items"], json!([]));
    let ok = food(
        &t,
        &admin,
        json!({"name": "Jollof", "price": 250000, "category_id": rice, "image_url": "https://cdn.chukskitchen.ng/jollof.jpg"}),
    )
    .await;
    assert_eq!(ok["image_url"], "https://cdn.chukskitchen.ng/jollof.jpg");
    assert_eq!(ok["is_available"], true, "available by default");
}

#[tokio::test]
async fn patches_show_in_the_public_menu() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let rice = category(&t, &admin, "Rice Dishes").await;
    let grills = category(&t, &admin, "Grills").await;
    let f = food(
        &t,
        &admin,
        json!({"name": "Jollof Rice", "price": 250000, "category_id": rice, "description": "Smoky"}),
    )
    .await;
    let path = format!("/api/foods/admin/items/{}", f["id"].as_str().unwrap());

    let res = t
        .call(
            Method::PATCH,
            &path,
            Some(&admin),
            Some(json!({"price": 275000, "name": "Party Jollof", "description": null, "category_id": grills})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.raw);
    let menu = public(&t, "/api/foods/").await;
    let item = &menu.body["items"][0];
    assert_eq!(item["name"], "Party Jollof");
    assert_eq!(item["price"], 275000);
    assert_eq!(item["description"], Value::Null);
    assert_eq!(item["category_name"], "Grills");
    // The move was counted: the old category is empty and can go, the new one cannot.
    let cats = t.get("/api/foods/admin/categories/", &admin).await;
    let count = |name: &str| {
        cats.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap()["food_count"]
            .clone()
    };
    assert_eq!(count("Grills"), 1);
    assert_eq!(count("Rice Dishes"), 0);

    let res = t
        .call(Method::PATCH, &path, Some(&admin), Some(json!({"price": 1.5})))
        .await;
    assert_eq!(res.status, 400);
    let res = t
        .call(
            Method::PATCH,
            &path,
            Some(&admin),
            Some(json!({"category_id": "01JD5Q3K8M2N4P6R8T0V2X4Z6B"})),
        )
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(res.code(), "invalid_category");
    assert_eq!(
        public(&t, "/api/foods/").await.body["items"][0]["price"],
        275000,
        "rejected patches change nothing"
    );
}

#[tokio::test]
async fn admins_see_unavailable_dishes_and_can_delete_them() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let drinks = category(&t, &admin, "Drinks").await;
    let zobo = food(
        &t,
        &admin,
        json!({"name": "Zobo", "price": 80000, "category_id": drinks, "is_available": false}),
    )
    .await;
    let id = zobo["id"].as_str().unwrap();

    let res = t.get("/api/foods/admin/items", &admin).await;
    assert_eq!(res.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(res.body["items"][0]["is_available"], false);
    let res = t.get(&format!("/api/foods/admin/items/{id}"), &admin).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["food"]["category_name"], "Drinks");

    let res = t
        .call(
            Method::DELETE,
            &format!("/api/foods/admin/items/{id}/"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(res.status, 204, "{}", res.raw);
    let res = t
        .call(
            Method::DELETE,
            &format!("/api/foods/admin/items/{id}/"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(res.status, 404);
    assert_eq!(t.get("/api/foods/admin/items/", &admin).await.body["items"], json!([]));
}

#[tokio::test]
async fn a_category_with_dishes_is_not_deleted_until_they_are_gone() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let soups = category(&t, &admin, "Soups").await;
    let f = food(
        &t,
        &admin,
        json!({"name": "Afang Soup", "price": 320000, "category_id": soups}),
    )
    .await;
    let path = format!("/api/foods/admin/categories/{soups}/");

    let res = t.call(Method::DELETE, &path, Some(&admin), None).await;
    assert_eq!(res.status, 409, "{}", res.raw);
    assert_eq!(res.code(), "category_not_empty");
    assert_eq!(
        public(&t, "/api/foods/").await.body["items"].as_array().unwrap().len(),
        1,
        "nothing lost"
    );

    let res = t
        .call(
            Method::DELETE,
            &format!("/api/foods/admin/items/{}", f["id"].as_str().unwrap()),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(res.status, 204);
    let res = t.call(Method::DELETE, &path, Some(&admin), None).await;
    assert_eq!(res.status, 204, "{}", res.raw);
    assert_eq!(t.call(Method::DELETE, &path, Some(&admin), None).await.status, 404);
    // Its name is free again.
    category(&t, &admin, "Soups").await;
}

#[tokio::test]
async fn the_demo_seed_fills_the_menu_once() {
    let t = TestApp::new().await;
    let home = t.app.config.home_kitchen.clone().unwrap();
    let seeded = ops::seed_demo(t.app.db(), &home).await.unwrap();
    let second = ops::demo::SECOND_KITCHEN.menu;
    assert_eq!(
        seeded.kitchens, 1,
        "the home kitchen was there; the second demo kitchen is new"
    );
    assert_eq!(seeded.categories, ops::demo::MENU.len() + second.len());
    let all: usize = ops::demo::MENU.iter().chain(second).map(|c| c.foods.len()).sum();
    assert_eq!(seeded.foods, all);
    assert_eq!(
        ops::seed_demo(t.app.db(), &home).await.unwrap(),
        ops::Seeded::default(),
        "seeding again adds nothing"
    );

    let available = ops::demo::MENU
        .iter()
        .flat_map(|c| c.foods)
        .filter(|f| f.available)
        .count();
    assert!(available < all, "some demo dishes are sold out");
    let res = public(&t, "/api/foods/").await;
    let items = res.body["items"].as_array().unwrap();
    assert_eq!(items.len(), available);
    assert!(
        items
            .iter()
            .all(|f| f["category_name"].is_string() && f["price"].as_i64().unwrap() > 0)
    );
}

/// DynamoDB calls made by one public read.
async fn calls_of(t: &TestApp, path: &str) -> (u64, Value) {
    let before = t.app.db().calls();
    let res = public(t, path).await;
    assert_eq!(res.status, 200, "{}", res.raw);
    (t.app.db().calls() - before, res.body)
}

#[tokio::test]
async fn the_menu_is_read_whole_only_after_an_admin_change_and_shows_stock_as_it_is_now() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let suya = t.admin_dish(&admin, "Suya", 250_000, json!({"stock": 1})).await;
    let rice = t.admin_dish(&admin, "Rice", 300_000, json!({})).await;

    // The first read takes the whole menu; the next ones only the version and the stock.
    let (first, _) = calls_of(&t, "/api/foods/").await;
    assert_eq!(
        first, 3,
        "the home kitchen's id (once per instance), the version and stock, then the whole menu"
    );
    let (again, body) = calls_of(&t, "/api/foods/").await;
    assert_eq!(again, 1);
    assert_eq!(body["items"].as_array().unwrap().len(), 2);

    // An order takes the last portion: no admin change, yet every read shows it sold out.
    let customer = t.customer_token().await;
    let placed = t
        .call(
            Method::POST,
            "/api/orders/",
            Some(&customer),
            Some(json!({"items": [{"food_item_id": suya, "quantity": 1}], "fulfilment": "pickup"})),
        )
        .await;
    assert_eq!(placed.status, 201, "{}", placed.raw);
    let (calls, body) = calls_of(&t, "/api/foods/").await;
    assert_eq!(calls, 1, "stock moves are read live, the menu is not read again");
    let shown = |body: &Value, id: &str| {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == id)
            .cloned()
    };
    assert_eq!(shown(&body, &suya).unwrap()["sold_out"], true);
    let (calls, one) = calls_of(&t, &format!("/api/foods/{suya}/")).await;
    assert_eq!((calls, &one["food"]["sold_out"]), (1, &json!(true)));

    // An admin's price change is the next read's, which reads the menu whole once.
    let res = t
        .call(
            Method::PATCH,
            &format!("/api/foods/admin/items/{rice}/"),
            Some(&admin),
            Some(json!({"price": 320_000})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.raw);
    let (calls, body) = calls_of(&t, "/api/foods/").await;
    assert_eq!(calls, 2);
    assert_eq!(shown(&body, &rice).unwrap()["price"], 320_000);
    let (calls, one) = calls_of(&t, &format!("/api/foods/{rice}/")).await;
    assert_eq!((calls, &one["food"]["price"]), (1, &json!(320_000)));

    // A restock is a stock move too; switching a dish off is an admin change.
    let res = t
        .call(
            Method::POST,
            &format!("/api/foods/admin/items/{suya}/stock/"),
            Some(&admin),
            Some(json!({"add": 3})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.raw);
    let (calls, body) = calls_of(&t, "/api/foods/").await;
    assert_eq!((calls, &shown(&body, &suya).unwrap()["sold_out"]), (1, &json!(false)));
    let res = t
        .call(
            Method::PATCH,
            &format!("/api/foods/admin/items/{suya}/"),
            Some(&admin),
            Some(json!({"is_available": false})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.raw);
    let (_, body) = calls_of(&t, "/api/foods/").await;
    assert!(shown(&body, &suya).is_none(), "switched off: gone from the public menu");
    let res = public(&t, &format!("/api/foods/{suya}/")).await;
    assert_eq!(res.status, 404);

    // The categories: one GetItem of the version while the copy is current.
    let (calls, body) = calls_of(&t, "/api/foods/categories/").await;
    assert_eq!(calls, 1);
    assert!(!body["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn within_the_public_window_menus_are_read_without_the_table_and_a_sale_shows_after_it() {
    let t = TestApp::with_env(&[("PUBLIC_READ_WINDOW_MS", "1500")]).await;
    let admin = t.admin_token().await;
    let customer = t.customer_token().await;
    let rice = category(&t, &admin, "Rice Dishes").await;
    let jollof = food(
        &t,
        &admin,
        json!({"name": "Jollof Rice", "price": 250000, "category_id": rice, "stock": 1}),
    )
    .await;
    let id = jollof["id"].as_str().unwrap().to_owned();
    let slug = t.app.home_kitchen_slug().to_owned();
    let paths = [
        "/api/foods/".to_owned(),
        "/api/foods/categories/".to_owned(),
        format!("/api/foods/{id}/"),
        format!("/api/kitchens/{slug}/foods/"),
    ];
    for path in &paths {
        assert_eq!(public(&t, path).await.status, 200, "{path}");
    }
    let before = t.app.db().calls();
    for path in &paths {
        assert_eq!(public(&t, path).await.status, 200, "{path}");
    }
    assert_eq!(
        t.app.db().calls() - before,
        0,
        "warm reads within the window ask the table nothing"
    );

    // An order takes the last portion: within the window at most, the menu says sold out.
    let res = t
        .call(
            Method::POST,
            "/api/orders/",
            Some(&customer),
            Some(json!({"items": [{"food_item_id": id, "quantity": 1}], "fulfilment": "pickup"})),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.raw);
    tokio::time::sleep(std::time::Duration::from_millis(1600)).await;
    let menu = public(&t, "/api/foods/").await;
    let dish = menu.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id.as_str())
        .unwrap()
        .clone();
    assert_eq!(dish["sold_out"], true, "{dish}");
}
