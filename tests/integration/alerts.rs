//! Kitchen alerts through the API: one open per dish and kind, each kitchen's own, staff and up
//! only. (How the notifier raises and a restock resolves them: `notifier.rs`.)

use api_tests::TestApp;
use http::Method;
use shared::alerts::model::{Kind, NewAlert};

#[tokio::test]
async fn one_alert_is_open_per_dish_and_kind_and_each_kitchen_sees_and_resolves_only_its_own() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let (owner, slug) = t.active_kitchen(&admin, "Amala Joint").await;
    let (other_owner, other_slug) = t.active_kitchen(&admin, "Bukka Hut").await;
    let kitchen = t.app.kitchens.id_of(&slug).await.unwrap();
    let at = "2026-12-03T10:00:00.000Z";
    let sold_out = || NewAlert::about_dish(Kind::SoldOut, "DISH1", "Amala is sold out".into());
    // Whether raising `alert` for stream record `event` at `when` opened an alert.
    let raises = async |event: &str, when: &str, alert: NewAlert| {
        t.app
            .alerts
            .raise(&kitchen, event, when, alert)
            .await
            .unwrap()
            .is_some()
    };
    let raised = t.app.alerts.raise(&kitchen, "ev-1", at, sold_out()).await.unwrap();
    let alert = raised.expect("raised");
    assert!(!raises("ev-1", at, sold_out()).await, "the same change again");
    assert!(
        !raises("ev-2", at, sold_out()).await,
        "another change while one is open"
    );
    let low = NewAlert::about_dish(Kind::LowStock, "DISH1", "Amala is running low".into());
    let later = "2026-12-03T10:05:00.000Z";
    assert!(raises("ev-2", later, low).await, "another kind");

    let list = |token: String, slug: String, query: &'static str| {
        let t = &t;
        async move {
            t.get(&format!("/api/kitchens/{slug}/manage/alerts/{query}"), &token)
                .await
        }
    };
    let res = list(owner.clone(), slug.clone(), "").await;
    assert_eq!(res.status, 200, "{}", res.raw);
    assert_eq!(res.body["items"].as_array().map(Vec::len), Some(2), "{}", res.raw);
    assert_eq!(res.body["items"][1]["id"], alert.id.as_str(), "newest first");
    assert!(res.body["next_cursor"].is_null());
    let res = list(owner.clone(), slug.clone(), "?status=closed").await;
    assert_eq!(res.status, 400, "{}", res.raw);
    assert_eq!(res.body["error"]["code"], "invalid_status");
    assert!(res.body["error"]["fields"]["status"].is_string(), "{}", res.raw);
    let res = list(owner.clone(), slug.clone(), "?status=resolved&limit=1").await;
    assert_eq!(res.body["items"], serde_json::json!([]));

    // Another kitchen's owner, and a customer: not staff here. Its own board: not this alert.
    let res = list(other_owner.clone(), slug.clone(), "").await;
    assert_eq!(
        (res.status.as_u16(), res.body["error"]["code"].as_str()),
        (403, Some("not_kitchen_staff"))
    );
    let customer = t.customer_token().await;
    let res = list(customer, slug.clone(), "").await;
    assert_eq!(res.status, 403, "{}", res.raw);
    let res = list(other_owner.clone(), other_slug.clone(), "").await;
    assert_eq!(res.body["items"], serde_json::json!([]));
    let res = t
        .call(
            Method::POST,
            &format!("/api/kitchens/{other_slug}/manage/alerts/{}/resolve/", alert.id),
            Some(&other_owner),
            None,
        )
        .await;
    assert_eq!(
        (res.status.as_u16(), res.body["error"]["code"].as_str()),
        (404, Some("alert_not_found"))
    );

    let res = t
        .call(
            Method::POST,
            &format!("/api/kitchens/{slug}/manage/alerts/{}/resolve/", alert.id),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.raw);
    assert_eq!(res.body["alert"]["status"], "resolved");
    assert!(res.body["alert"]["resolved_at"].is_string());
    let res = list(owner.clone(), slug.clone(), "?status=resolved").await;
    assert_eq!(res.body["items"][0]["id"], alert.id.as_str());
    // Resolved, the dish may be alerted of again by a new change (not by the old one).
    assert!(!raises("ev-1", at, sold_out()).await);
    assert!(raises("ev-3", at, sold_out()).await);
}
