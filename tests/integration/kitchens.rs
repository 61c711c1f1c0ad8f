//! Kitchens (contract v3, "Kitchens"): applying, slugs, the public view, a member's kitchens and
//! the platform admin's decision, against DynamoDB Local (the service; the routes follow).

use api_tests::{TestApp, unique_email};
use shared::accounts::model::{Role, Subject};
use shared::kitchens::model::{ApplicationInput, KitchenRole, KitchenStatus};
use shared::kitchens::store::KitchenStore;
use shared::kitchens::{KitchenError, KitchenService};

fn service(t: &TestApp) -> KitchenService {
    t.app.kitchens.clone()
}

fn user(email: &str) -> Subject {
    Subject {
        user_id: ulid::Ulid::new().to_string(),
        identifier_key: format!("EMAIL#{email}"),
        role: Role::Customer,
        session_id: ulid::Ulid::new().to_string(),
    }
}

fn application(name: &str, slug: Option<&str>) -> ApplicationInput {
    ApplicationInput {
        name: Some(name.into()),
        slug: slug.map(str::to_owned),
        phone: Some("08031234567".into()),
        address: Some("3 Allen Avenue, Ikeja".into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn an_applicant_owns_a_pending_kitchen_that_customers_see_once_the_platform_activates_it() {
    let t = TestApp::new().await;
    let kitchens = service(&t);
    let store = KitchenStore::new(t.app.db().clone());
    let email = unique_email();
    let ada = user(&email);
    let slug = format!("mama-put-{}", ulid::Ulid::new().to_string().to_lowercase());
    let kitchen = kitchens
        .apply(&ada, &application("Mama Put", Some(&slug)))
        .await
        .unwrap();
    assert_eq!(kitchen.status, KitchenStatus::Pending);
    assert_eq!(kitchen.slug.as_str(), slug);

    // Pending: not public; its owner sees it among theirs.
    assert!(matches!(kitchens.public(&slug).await, Err(KitchenError::NotFound)));
    let mine = kitchens.mine(&ada).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(
        (mine[0].0.id.as_str(), mine[0].1),
        (kitchen.id.as_str(), KitchenRole::Owner)
    );
    assert_eq!(
        store.role_of(&kitchen.id, &ada.user_id).await.unwrap(),
        Some(KitchenRole::Owner)
    );
    assert_eq!(
        store
            .role_of(&kitchen.id, &user(&unique_email()).user_id)
            .await
            .unwrap(),
        None
    );

    // Activated: public. Suspended: gone again, still the owner's.
    let active = kitchens.decide(&slug, KitchenStatus::Active).await.unwrap();
    assert_eq!(active.status, KitchenStatus::Active);
    assert_eq!(kitchens.public(&slug).await.unwrap().id, kitchen.id);
    kitchens.decide(&slug, KitchenStatus::Suspended).await.unwrap();
    assert!(matches!(kitchens.public(&slug).await, Err(KitchenError::NotFound)));
    assert_eq!(kitchens.mine(&ada).await.unwrap()[0].0.status, KitchenStatus::Suspended);
    assert!(matches!(
        kitchens.decide("no-such-kitchen", KitchenStatus::Active).await,
        Err(KitchenError::NotFound)
    ));
}

#[tokio::test]
async fn a_slug_is_one_kitchens_and_reserved_or_malformed_slugs_are_refused() {
    let t = TestApp::new().await;
    let kitchens = service(&t);
    let slug = format!("buka-{}", ulid::Ulid::new().to_string().to_lowercase());
    // Ten applications for one slug at once: exactly one kitchen opens.
    let tries = (0..10).map(|i| {
        let kitchens = &kitchens;
        let slug = slug.clone();
        async move {
            let applicant = user(&format!("owner-{i}@example.com"));
            kitchens.apply(&applicant, &application("Buka", Some(&slug))).await
        }
    });
    let results = futures::future::join_all(tries).await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
    assert!(
        results
            .iter()
            .filter(|r| r.is_err())
            .all(|r| matches!(r, Err(KitchenError::SlugTaken)))
    );
    for reserved in ["admin", "mine"] {
        let res = kitchens
            .apply(&user(&unique_email()), &application("X", Some(reserved)))
            .await;
        assert!(matches!(res, Err(KitchenError::SlugTaken)), "{reserved}");
    }
    // A slug made from the name is taken as it is, never altered to fit.
    let named = format!("Suya Spot {}", ulid::Ulid::new());
    let first = kitchens
        .apply(&user(&unique_email()), &application(&named, None))
        .await
        .unwrap();
    assert_eq!(first.slug.as_str(), named.to_lowercase().replace(' ', "-"));
    assert!(matches!(
        kitchens.apply(&user(&unique_email()), &application(&named, None)).await,
        Err(KitchenError::SlugTaken)
    ));
    match kitchens
        .apply(&user(&unique_email()), &application("Mama", Some("Mama Put")))
        .await
    {
        Err(KitchenError::Invalid(invalid)) => assert!(invalid.fields.contains_key("slug")),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn through_the_api_a_user_applies_the_platform_activates_and_the_public_sees_the_kitchen() {
    use http::Method;
    use serde_json::json;
    let t = TestApp::new().await;
    let customer = t.customer_token().await;
    let admin = t.admin_token().await;
    let slug = format!("iya-basira-{}", ulid::Ulid::new().to_string().to_lowercase());
    let body =
        json!({"name": "Iya Basira", "slug": slug, "phone": "0803 123 4567", "address": "12 Bode Thomas, Surulere"});
    let res = t
        .call(Method::POST, "/api/kitchens/", Some(&customer), Some(body.clone()))
        .await;
    assert_eq!(res.status, 201, "{}", res.raw);
    let kitchen = &res.body["kitchen"];
    assert_eq!(kitchen["status"], "pending");
    assert_eq!(kitchen["phone"], "+2348031234567");
    assert_eq!(
        (kitchen["open_now"].as_bool(), kitchen["is_home"].as_bool()),
        (Some(true), Some(false))
    );
    assert!(kitchen["next_open_at"].is_null(), "open now: no next opening");
    assert_eq!(
        kitchen["delivery"],
        json!({"enabled": true, "fee": 0, "minimum_order": 0, "radius_km": null})
    );

    // Taken, whoever asks.
    let res = t.call(Method::POST, "/api/kitchens/", Some(&admin), Some(body)).await;
    assert_eq!((res.status.as_u16(), res.code()), (409, "slug_taken"));
    assert!(res.body["error"]["fields"]["slug"].is_string());

    // Pending: 404 for the public, listed for its owner.
    let public = format!("/api/kitchens/{slug}/");
    assert_eq!(t.call(Method::GET, &public, None, None).await.status, 404);
    let mine = t.get("/api/kitchens/mine/", &customer).await;
    assert_eq!(mine.status, 200, "{}", mine.raw);
    assert_eq!(mine.body["items"][0]["role"], "owner");
    assert_eq!(mine.body["items"][0]["kitchen"]["slug"], slug.as_str());

    // The platform admin decides; pending cannot be set.
    let decision = format!("/api/kitchens/admin/{slug}/status/");
    let decide = |status: &str| t.call(Method::POST, &decision, Some(&admin), Some(json!({ "status": status })));
    let res = decide("pending").await;
    assert_eq!(res.status, 400, "{}", res.raw);
    assert!(res.body["error"]["fields"]["status"].is_string());
    let res = decide("active").await;
    assert_eq!(res.status, 200, "{}", res.raw);
    assert_eq!(res.body["kitchen"]["status"], "active");
    let res = t.call(Method::GET, &public, None, None).await;
    assert_eq!(res.status, 200, "{}", res.raw);
    assert_eq!(res.body["kitchen"]["name"], "Iya Basira");
    assert!(res.headers["cache-control"].to_str().unwrap().contains("s-maxage"));
    // A customer cannot decide.
    let res = t
        .call(
            Method::POST,
            &format!("/api/kitchens/admin/{slug}/status/"),
            Some(&customer),
            Some(json!({"status": "suspended"})),
        )
        .await;
    assert_eq!(res.status, 403);
}

/// A kitchen opened by a fresh owner through the API: (owner's token, slug).
async fn opened(t: &TestApp, name: &str) -> (String, String) {
    let owner = t.customer_token().await;
    let slug = format!("k-{}", ulid::Ulid::new().to_string().to_lowercase());
    let res = t
        .call(
            http::Method::POST,
            "/api/kitchens/",
            Some(&owner),
            Some(serde_json::json!({"name": name, "slug": slug, "phone": "08031234567", "address": "5 Adeola Odeku"})),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.raw);
    (owner, slug)
}

async fn decide(t: &TestApp, admin: &str, slug: &str, status: &str) {
    let res = t
        .call(
            http::Method::POST,
            &format!("/api/kitchens/admin/{slug}/status/"),
            Some(admin),
            Some(serde_json::json!({ "status": status })),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.raw);
}

/// Every page of a listing, following `next_cursor`.
async fn every_page(t: &TestApp, first: &str, token: Option<&str>) -> Vec<serde_json::Value> {
    let mut items = Vec::new();
    let mut next = first.to_owned();
    loop {
        let res = t.call(http::Method::GET, &next, token, None).await;
        assert_eq!(res.status, 200, "{next}: {}", res.raw);
        items.extend(res.body["items"].as_array().unwrap().iter().cloned());
        match res.body["next_cursor"].as_str() {
            Some(cursor) => {
                let sep = if first.contains('?') { '&' } else { '?' };
                next = format!("{first}{sep}cursor={cursor}");
            }
            None => return items,
        }
    }
}

#[tokio::test]
async fn the_directory_lists_active_kitchens_by_name_and_opening_and_the_admin_sees_every_status() {
    use serde_json::json;
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let tag = ulid::Ulid::new().to_string().to_lowercase();
    let (_, open) = opened(&t, &format!("Amala Spot {tag}")).await;
    let (_, shut) = opened(&t, &format!("Amala Corner {tag}")).await;
    let (_, pending) = opened(&t, &format!("Amala Pending {tag}")).await;
    decide(&t, &admin, &open, "active").await;
    decide(&t, &admin, &shut, "active").await;
    // Paused: listed, but not open now.
    let res = t
        .call(
            http::Method::PATCH,
            &format!("/api/kitchens/{shut}/manage/"),
            Some(&admin),
            Some(json!({"accepting_orders": false})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.raw);

    let slugs = |items: Vec<serde_json::Value>| -> Vec<String> {
        items.iter().map(|k| k["slug"].as_str().unwrap().to_owned()).collect()
    };
    let found = slugs(every_page(&t, &format!("/api/kitchens/?q=AMALA&limit=2"), None).await);
    assert!(found.contains(&open) && found.contains(&shut), "{found:?}");
    assert!(!found.contains(&pending), "a pending kitchen is not public: {found:?}");
    let found = slugs(every_page(&t, "/api/kitchens/?q=amala&open_now=true", None).await);
    assert!(found.contains(&open) && !found.contains(&shut), "{found:?}");
    let res = t
        .call(http::Method::GET, "/api/kitchens/?open_now=maybe", None, None)
        .await;
    assert_eq!(res.status, 400, "{}", res.raw);

    let pendings = slugs(every_page(&t, "/api/kitchens/admin/?status=pending", Some(&admin)).await);
    assert!(pendings.contains(&pending) && !pendings.contains(&open), "{pendings:?}");
    let all = slugs(every_page(&t, "/api/kitchens/admin/?limit=50", Some(&admin)).await);
    assert!([&open, &shut, &pending].iter().all(|s| all.contains(s)));
    // Suspending moves it out of the public directory.
    decide(&t, &admin, &open, "suspended").await;
    let found = slugs(every_page(&t, "/api/kitchens/?q=amala", None).await);
    assert!(!found.contains(&open), "{found:?}");
    let suspended = slugs(every_page(&t, "/api/kitchens/admin/?status=suspended", Some(&admin)).await);
    assert!(suspended.contains(&open));
    let res = t.get("/api/kitchens/admin/?status=closed", &admin).await;
    assert_eq!(res.status, 400, "{}", res.raw);
}

#[tokio::test]
async fn a_manager_sets_hours_closures_and_delivery_and_bad_settings_are_named() {
    use serde_json::json;
    let t = TestApp::new().await;
    let (owner, slug) = opened(&t, "Settings Kitchen").await;
    let manage = format!("/api/kitchens/{slug}/manage/");
    let patch = |body: serde_json::Value| t.call(http::Method::PATCH, &manage, Some(&owner), Some(body));
    let res = patch(json!({
        "hours": [{"day": "fri", "opens": "18:00", "closes": "02:00"}],
        "closures": [{"from": "2030-01-01T00:00:00Z", "to": "2030-01-02T00:00:00Z", "reason": "New year"}],
        "delivery": {"fee": 50000, "minimum_order": 200000, "radius_km": 7.5},
        "pickup": {"enabled": false},
        "location": {"lat": 6.4281, "lng": 3.4219},
        "description": "Late-night suya",
    }))
    .await;
    assert_eq!(res.status, 200, "{}", res.raw);
    let k = &res.body["kitchen"];
    assert_eq!(k["hours"], json!([{"day": "fri", "opens": "18:00", "closes": "02:00"}]));
    assert_eq!(
        k["delivery"],
        json!({"enabled": true, "fee": 50000, "minimum_order": 200000, "radius_km": 7.5})
    );
    assert_eq!(k["pickup"], json!({"enabled": false}));
    assert_eq!(k["closures"][0]["reason"], "New year");
    assert_eq!(k["name"], "Settings Kitchen", "fields not sent are kept");
    assert!(k["next_open_at"].is_string() || k["open_now"] == true, "{k}");

    // Clearing: null takes an optional field away; a part of delivery changes alone.
    let res = patch(json!({"description": null, "delivery": {"radius_km": null}})).await;
    assert_eq!(res.status, 200, "{}", res.raw);
    assert!(res.body["kitchen"]["description"].is_null());
    assert_eq!(res.body["kitchen"]["delivery"]["fee"], 50000);
    assert!(res.body["kitchen"]["delivery"]["radius_km"].is_null());

    // Bad hours, a negative fee, a fixed field: 400 naming each, nothing changed.
    let res = patch(json!({
        "hours": [{"day": "funday", "opens": "9am", "closes": "22:00"}],
        "delivery": {"fee": -5},
        "slug": "other",
    }))
    .await;
    assert_eq!(res.status, 400, "{}", res.raw);
    let fields = &res.body["error"]["fields"];
    for field in ["hours", "delivery.fee", "slug"] {
        assert!(fields[field].is_string(), "{field}: {fields}");
    }
    let mine = t.get("/api/kitchens/mine/", &owner).await;
    assert_eq!(mine.body["items"][0]["kitchen"]["delivery"]["fee"], 50000);
    assert_eq!(mine.body["items"][0]["kitchen"]["hours"][0]["day"], "fri");
}

#[tokio::test]
async fn the_owner_manages_the_staff_and_a_removed_member_loses_access_at_once() {
    use serde_json::json;
    let t = TestApp::new().await;
    let (owner, slug) = opened(&t, "Staff Kitchen").await;
    let email = unique_email();
    t.verified_user(&email, "customer password").await;
    let manager = t.login(&email, "customer password").await["access"]
        .as_str()
        .unwrap()
        .to_owned();
    let staff_path = format!("/api/kitchens/{slug}/manage/staff/");
    let add = |identifier: &str, role: &str| {
        t.call(
            http::Method::POST,
            &staff_path,
            Some(&owner),
            Some(json!({ "identifier": identifier, "role": role })),
        )
    };
    // Not a member yet: 403 on the settings.
    let manage = format!("/api/kitchens/{slug}/manage/");
    let res = t
        .call(
            http::Method::PATCH,
            &manage,
            Some(&manager),
            Some(json!({"accepting_orders": false})),
        )
        .await;
    assert_eq!((res.status.as_u16(), res.code()), (403, "not_kitchen_staff"));

    let res = add(&email.to_uppercase(), "manager").await;
    assert_eq!(res.status, 201, "{}", res.raw);
    let member = res.body["member"].clone();
    assert_eq!(member["role"], "manager");
    assert_eq!(member["identifier"], email.as_str());
    assert_eq!(add(&email, "staff").await.code(), "already_member");
    assert_eq!(add(&unique_email(), "staff").await.code(), "user_not_found");
    let res = add(&email, "owner").await;
    assert_eq!(res.status, 400);
    assert!(res.body["error"]["fields"]["role"].is_string());

    // Now a manager: settings yes, staff list no.
    let res = t
        .call(
            http::Method::PATCH,
            &manage,
            Some(&manager),
            Some(json!({"accepting_orders": false})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.raw);
    assert_eq!(t.get(&staff_path, &manager).await.code(), "not_kitchen_staff");
    let mine = t.get("/api/kitchens/mine/", &manager).await;
    assert_eq!(mine.body["items"][0]["role"], "manager");

    let list = t.get(&staff_path, &owner).await;
    assert_eq!(list.status, 200, "{}", list.raw);
    let roles: Vec<&str> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["owner", "manager"]);

    // The owner stays; the manager goes, and their next request is refused.
    let owner_id = list.body["items"][0]["user_id"].as_str().unwrap().to_owned();
    let res = t
        .call(
            http::Method::DELETE,
            &format!("{staff_path}{owner_id}/"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!((res.status.as_u16(), res.code()), (409, "owner_cannot_be_removed"));
    let manager_id = member["user_id"].as_str().unwrap();
    let res = t
        .call(
            http::Method::DELETE,
            &format!("{staff_path}{manager_id}/"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(res.status, 204, "{}", res.raw);
    let res = t
        .call(
            http::Method::PATCH,
            &manage,
            Some(&manager),
            Some(json!({"accepting_orders": true})),
        )
        .await;
    assert_eq!((res.status.as_u16(), res.code()), (403, "not_kitchen_staff"));
    assert!(
        t.get("/api/kitchens/mine/", &manager).await.body["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let res = t
        .call(
            http::Method::DELETE,
            &format!("{staff_path}{manager_id}/"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!((res.status.as_u16(), res.code()), (404, "member_not_found"));
}

#[tokio::test]
async fn one_kitchens_owner_can_neither_read_nor_change_another_kitchens_settings_or_staff() {
    use serde_json::json;
    let t = TestApp::new().await;
    let (owner_a, _slug_a) = opened(&t, "Kitchen A").await;
    let (owner_b, slug_b) = opened(&t, "Kitchen B").await;
    let staff_b = format!("/api/kitchens/{slug_b}/manage/staff/");
    for (method, path, body) in [
        (http::Method::GET, staff_b.clone(), None),
        (
            http::Method::POST,
            staff_b.clone(),
            Some(json!({"identifier": unique_email(), "role": "staff"})),
        ),
        (
            http::Method::PATCH,
            format!("/api/kitchens/{slug_b}/manage/"),
            Some(json!({"name": "Taken over"})),
        ),
    ] {
        let res = t.call(method.clone(), &path, Some(&owner_a), body).await;
        assert_eq!(
            (res.status.as_u16(), res.code()),
            (403, "not_kitchen_staff"),
            "{method} {path}"
        );
    }
    let list = t.get(&staff_b, &owner_b).await;
    let owner_b_id = list.body["items"][0]["user_id"].as_str().unwrap().to_owned();
    let res = t
        .call(
            http::Method::DELETE,
            &format!("{staff_b}{owner_b_id}/"),
            Some(&owner_a),
            None,
        )
        .await;
    assert_eq!(res.code(), "not_kitchen_staff");
    let mine = t.get("/api/kitchens/mine/", &owner_b).await;
    assert_eq!(mine.body["items"][0]["kitchen"]["name"], "Kitchen B");
}
