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
