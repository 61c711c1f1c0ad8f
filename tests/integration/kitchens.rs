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

/// An active kitchen with a manager (its owner) and one dish: (owner's token, slug, dish id).
async fn kitchen_with_dish(t: &TestApp, admin: &str, name: &str, dish: &str, price: i64) -> (String, String, String) {
    use serde_json::json;
    let (owner, slug) = opened(t, name).await;
    decide(t, admin, &slug, "active").await;
    let res = t
        .call(
            http::Method::POST,
            &format!("/api/kitchens/{slug}/manage/foods/categories/"),
            Some(&owner),
            Some(json!({"name": "Mains"})),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.raw);
    let category = res.body["category"]["id"].as_str().unwrap().to_owned();
    let res = t
        .call(
            http::Method::POST,
            &format!("/api/kitchens/{slug}/manage/foods/items/"),
            Some(&owner),
            Some(json!({"name": dish, "price": price, "category_id": category})),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.raw);
    (owner, slug, res.body["food"]["id"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn each_kitchen_has_its_own_menu_and_no_manager_reaches_another_kitchens_dishes() {
    use serde_json::json;
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let (owner_a, slug_a, suya) = kitchen_with_dish(&t, &admin, "Suya A", "Beef Suya", 250_000).await;
    let (owner_b, slug_b, amala) = kitchen_with_dish(&t, &admin, "Amala B", "Amala and Ewedu", 200_000).await;
    let home_dish = t.admin_dish(&admin, "Jollof Rice", 300_000, json!({})).await;

    let names = |res: &api_tests::TestResponse| -> Vec<String> {
        res.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let public_a = t
        .call(http::Method::GET, &format!("/api/kitchens/{slug_a}/foods/"), None, None)
        .await;
    assert_eq!(public_a.status, 200, "{}", public_a.raw);
    assert_eq!(names(&public_a), ["Beef Suya"]);
    let home = t.call(http::Method::GET, "/api/foods/", None, None).await;
    assert_eq!(names(&home), ["Jollof Rice"], "the home kitchen's menu only");
    let one = t
        .call(
            http::Method::GET,
            &format!("/api/kitchens/{slug_a}/foods/{amala}/"),
            None,
            None,
        )
        .await;
    assert_eq!(one.status, 404, "B's dish is not on A's menu");
    let cats = t
        .call(
            http::Method::GET,
            &format!("/api/kitchens/{slug_b}/foods/categories/"),
            None,
            None,
        )
        .await;
    assert_eq!(names(&cats), ["Mains"]);

    // A's owner: B's manage routes are 403; A's own routes cannot reach B's or the home's dishes.
    let res = t
        .get(&format!("/api/kitchens/{slug_b}/manage/foods/items/"), &owner_a)
        .await;
    assert_eq!((res.status.as_u16(), res.code()), (403, "not_kitchen_staff"));
    for dish in [&amala, &home_dish] {
        let path = format!("/api/kitchens/{slug_a}/manage/foods/items/{dish}/");
        assert_eq!(t.get(&path, &owner_a).await.status, 404, "{path}");
        let res = t
            .call(http::Method::PATCH, &path, Some(&owner_a), Some(json!({"price": 1})))
            .await;
        assert_eq!(res.status, 404, "{}", res.raw);
        let res = t
            .call(
                http::Method::POST,
                &format!("{path}stock/"),
                Some(&owner_a),
                Some(json!({"add": 5})),
            )
            .await;
        assert_eq!(res.status, 404, "{}", res.raw);
        assert_eq!(
            t.call(http::Method::DELETE, &path, Some(&owner_a), None).await.status,
            404
        );
    }
    let listed = t
        .get(&format!("/api/kitchens/{slug_b}/manage/foods/items/"), &owner_b)
        .await;
    assert_eq!(names(&listed), ["Amala and Ewedu"]);
    assert_eq!(
        t.call(
            http::Method::GET,
            &format!("/api/kitchens/{slug_b}/foods/{amala}/"),
            None,
            None
        )
        .await
        .body["food"]["price"],
        200_000,
        "unchanged"
    );
    // A customer token on the manage routes: not staff. Suspended: the public menu is gone.
    let customer = t.customer_token().await;
    let res = t
        .get(&format!("/api/kitchens/{slug_a}/manage/foods/items/"), &customer)
        .await;
    assert_eq!(res.code(), "not_kitchen_staff");
    decide(&t, &admin, &slug_a, "suspended").await;
    let res = t
        .call(http::Method::GET, &format!("/api/kitchens/{slug_a}/foods/"), None, None)
        .await;
    assert_eq!(res.status, 404);
    let _ = suya;
}

#[tokio::test]
async fn an_order_is_one_kitchens_and_each_kitchen_has_its_own_cart() {
    use serde_json::json;
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let (_, slug_a, suya) = kitchen_with_dish(&t, &admin, "Suya Spot", "Beef Suya", 250_000).await;
    let home_dish = t.admin_dish(&admin, "Jollof Rice", 300_000, json!({})).await;
    let customer = t.customer_token().await;
    let order = |items: serde_json::Value| {
        t.call(
            http::Method::POST,
            "/api/orders/",
            Some(&customer),
            Some(json!({"items": items, "fulfilment": "pickup"})),
        )
    };

    let res = order(json!([{"food_item_id": suya, "quantity": 1}, {"food_item_id": home_dish, "quantity": 1}])).await;
    assert_eq!((res.status.as_u16(), res.code()), (400, "mixed_kitchens"));
    let res = order(json!([{"food_item_id": suya, "quantity": 2}])).await;
    assert_eq!(res.status, 201, "{}", res.raw);
    assert_eq!(res.body["order"]["kitchen"]["slug"], slug_a.as_str());
    assert_eq!(res.body["order"]["kitchen"]["name"], "Suya Spot");
    assert_eq!(res.body["order"]["total"], 500_000);

    // Carts: the home kitchen's takes only its dishes; each kitchen's cart is its own.
    let res = t
        .call(
            http::Method::PUT,
            &format!("/api/cart/items/{suya}/"),
            Some(&customer),
            Some(json!({"quantity": 1})),
        )
        .await;
    assert_eq!((res.status.as_u16(), res.code()), (400, "wrong_kitchen"));
    for (path, dish) in [
        (format!("/api/kitchens/{slug_a}/cart/items/{suya}/"), &suya),
        (format!("/api/cart/items/{home_dish}/"), &home_dish),
    ] {
        let res = t
            .call(http::Method::PUT, &path, Some(&customer), Some(json!({"quantity": 1})))
            .await;
        assert_eq!(res.status, 200, "{path}: {}", res.raw);
        assert_eq!(res.body["cart"]["items"][0]["food_item_id"], dish.as_str());
    }
    let carts = t.get("/api/carts/", &customer).await;
    assert_eq!(carts.status, 200, "{}", carts.raw);
    let mut slugs: Vec<&str> = carts.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kitchen"]["slug"].as_str().unwrap())
        .collect();
    slugs.sort();
    let home_slug = t.app.config.home_kitchen.clone().unwrap();
    let mut expected = vec![home_slug.as_str(), slug_a.as_str()];
    expected.sort();
    assert_eq!(slugs, expected);

    let res = t
        .call(
            http::Method::POST,
            &format!("/api/kitchens/{slug_a}/cart/checkout/"),
            Some(&customer),
            Some(json!({"fulfilment": "pickup"})),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.raw);
    assert_eq!(res.body["order"]["kitchen"]["slug"], slug_a.as_str());
    let carts = t.get("/api/carts/", &customer).await;
    assert_eq!(
        carts.body["items"].as_array().unwrap().len(),
        1,
        "only the home cart is left"
    );
    assert_eq!(carts.body["items"][0]["kitchen"]["slug"], home_slug.as_str());

    // The customer's orders: every kitchen's, or one's.
    let all = t.get("/api/orders/", &customer).await;
    assert_eq!(all.body["items"].as_array().unwrap().len(), 2, "{}", all.raw);
    let only_a = t.get(&format!("/api/orders/?kitchen={slug_a}"), &customer).await;
    assert_eq!(only_a.status, 200, "{}", only_a.raw);
    assert_eq!(
        only_a.body["items"].as_array().unwrap().len(),
        2,
        "both are the suya spot's"
    );
    let only_home = t.get(&format!("/api/orders/?kitchen={home_slug}"), &customer).await;
    assert!(
        only_home.body["items"].as_array().unwrap().is_empty(),
        "{}",
        only_home.raw
    );
    assert_eq!(
        t.get("/api/orders/?kitchen=no-such-kitchen", &customer).await.status,
        404
    );

    // A suspended kitchen's dishes cannot be ordered.
    decide(&t, &admin, &slug_a, "suspended").await;
    let res = order(json!([{"food_item_id": suya, "quantity": 1}])).await;
    assert_eq!((res.status.as_u16(), res.code()), (409, "kitchen_unavailable"));
}

/// A table from before kitchens: the menu in `MENU`, a cart keyed `CART`, an order naming no
/// kitchen. The operator's upgrade gives them to the home kitchen, once.
#[tokio::test]
async fn the_home_kitchen_adopts_a_menu_carts_and_orders_from_before_kitchens() {
    use aws_sdk_dynamodb::types::AttributeValue;
    use serde_json::json;
    let t = TestApp::new().await;
    let customer = t.customer_token().await;
    let me = t.get("/api/auths/me/", &customer).await.body["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (category, dish) = (ulid::Ulid::new().to_string(), ulid::Ulid::new().to_string());
    let now = "2026-11-01T10:00:00Z";
    let put = |item: serde_json::Value| {
        let item: std::collections::HashMap<String, AttributeValue> = serde_dynamo::to_item(item).unwrap();
        let db = t.app.db().clone();
        async move {
            db.client()
                .put_item()
                .table_name(db.table())
                .set_item(Some(item))
                .send()
                .await
                .unwrap();
        }
    };
    put(
        json!({"PK": "MENU", "SK": format!("CATEGORY#{category}"), "id": category, "name": "Soups",
        "name_key": "soups", "food_count": 1, "created_at": now, "updated_at": now}),
    )
    .await;
    put(json!({"PK": "CATEGORYNAME#soups", "SK": "CATEGORYNAME", "category_id": category})).await;
    put(
        json!({"PK": "MENU", "SK": format!("FOOD#{dish}"), "id": dish, "name": "Egusi Soup", "price": 450_000,
        "currency": "NGN", "category_id": category, "is_available": true, "stock": 4, "created_at": now,
        "updated_at": now, "version": 1}),
    )
    .await;
    put(json!({"PK": "MENU", "SK": "VERSION", "v": 7})).await;
    put(
        json!({"PK": format!("CART#{me}"), "SK": "CART", "lines": [{"food_item_id": dish, "quantity": 2,
        "name": "Egusi Soup"}], "version": 1, "updated_at": now, "expires_at": 4_000_000_000_i64}),
    )
    .await;
    let order = shared::orders::model::Order::place(
        &me,
        shared::orders::model::NewOrder::parse(
            shared::orders::http::order_input(
                &json!({"items": [{"food_item_id": dish, "quantity": 1}], "fulfilment": "pickup"}),
            ),
            "234",
        )
        .unwrap()
        .into_parts()
        .1,
        vec![],
        shared::menu::model::Money::from_kobo(450_000),
        now.into(),
    );
    // Stored as orders were then: its keys and indexes, no kitchen.
    let mut legacy = serde_json::to_value(&order).unwrap();
    for (k, v) in [
        ("PK", format!("ORDER#{}", order.id)),
        ("SK", "ORDER".to_owned()),
        ("GSI1PK", format!("CUSTOMER#{me}")),
        ("GSI1SK", order.id.clone()),
        ("GSI3PK", "ORDERS".to_owned()),
        ("GSI3SK", order.id.clone()),
    ] {
        legacy[k] = json!(v);
    }
    put(legacy).await;

    let home = t.app.config.home_kitchen.clone().unwrap();
    let adopted = ops::adopt_home_kitchen(t.app.db(), &home).await.unwrap();
    assert_eq!(
        (adopted.menu_items, adopted.carts, adopted.orders),
        (3, 1, 1),
        "a category, a dish and the version; a cart; an order"
    );
    let again = ops::adopt_home_kitchen(t.app.db(), &home).await.unwrap();
    assert_eq!(again, ops::Adopted::default(), "nothing is adopted twice");

    let menu = t.call(http::Method::GET, "/api/foods/", None, None).await;
    assert_eq!(menu.body["items"][0]["name"], "Egusi Soup", "{}", menu.raw);
    assert_eq!(menu.body["items"][0]["sold_out"], false);
    let cart = t.get("/api/cart/", &customer).await;
    assert_eq!(cart.body["cart"]["items"][0]["quantity"], 2, "{}", cart.raw);
    let mine = t.get(&format!("/api/orders/{}/", order.id), &customer).await;
    assert_eq!(mine.body["order"]["kitchen"]["slug"], home.as_str(), "{}", mine.raw);
    // The category's name is still taken (its guard moved with it), and its dish orders.
    let admin = t.admin_token().await;
    let res = t
        .call(
            http::Method::POST,
            "/api/foods/admin/categories/",
            Some(&admin),
            Some(json!({"name": "SOUPS"})),
        )
        .await;
    assert_eq!(res.code(), "category_exists");
    let res = t
        .call(
            http::Method::POST,
            "/api/orders/",
            Some(&customer),
            Some(json!({"items": [{"food_item_id": dish, "quantity": 1}], "fulfilment": "pickup"})),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.raw);
}

#[tokio::test]
async fn a_kitchen_takes_only_the_orders_its_hours_fulfilment_minimum_and_area_allow() {
    use serde_json::json;
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let (owner, slug, suya) = kitchen_with_dish(&t, &admin, "Rules Kitchen", "Beef Suya", 250_000).await;
    let manage = format!("/api/kitchens/{slug}/manage/");
    let set = |body: serde_json::Value| t.call(http::Method::PATCH, &manage, Some(&owner), Some(body));
    let res = set(json!({
        "location": {"lat": 6.4295, "lng": 3.4219},
        "delivery": {"enabled": true, "fee": 50_000, "minimum_order": 600_000, "radius_km": 5},
        "pickup": {"enabled": false},
    }))
    .await;
    assert_eq!(res.status, 200, "{}", res.raw);
    let customer = t.customer_token().await;
    let order = |body: serde_json::Value| t.call(http::Method::POST, "/api/orders/", Some(&customer), Some(body));
    let near = json!({"lat": 6.4300, "lng": 3.4300});
    let far = json!({"lat": 6.6018, "lng": 3.3515});
    let delivery = |quantity: i64, location: Option<&serde_json::Value>| {
        let mut body = json!({"items": [{"food_item_id": suya, "quantity": quantity}],
            "fulfilment": "delivery", "delivery_address": "3 Akin Adesola, VI"});
        if let Some(location) = location {
            body["delivery_location"] = location.clone();
        }
        body
    };

    let res = order(json!({"items": [{"food_item_id": suya, "quantity": 3}], "fulfilment": "pickup"})).await;
    assert_eq!(
        (res.status.as_u16(), res.code()),
        (409, "fulfilment_unavailable"),
        "{}",
        res.raw
    );
    let res = order(delivery(1, Some(&near))).await;
    assert_eq!(
        (res.status.as_u16(), res.code()),
        (409, "below_minimum_order"),
        "{}",
        res.raw
    );
    let res = order(delivery(3, None)).await;
    assert_eq!(
        (res.status.as_u16(), res.code()),
        (400, "location_required"),
        "{}",
        res.raw
    );
    let res = order(delivery(3, Some(&far))).await;
    assert_eq!(
        (res.status.as_u16(), res.code()),
        (409, "outside_delivery_area"),
        "{}",
        res.raw
    );
    let res = order(delivery(3, Some(&json!({"lat": 95, "lng": 3})))).await;
    assert_eq!(res.status, 400, "{}", res.raw);
    assert!(res.body["error"]["fields"]["delivery_location"].is_string());

    let res = order(delivery(3, Some(&near))).await;
    assert_eq!(res.status, 201, "{}", res.raw);
    let placed = &res.body["order"];
    assert_eq!(
        (
            &placed["subtotal"],
            &placed["delivery_fee"],
            &placed["discount"],
            &placed["total"]
        ),
        (&json!(750_000), &json!(50_000), &json!(0), &json!(800_000))
    );

    // Closed for an hour: the refusal says when it opens (the closure's end); paused: null.
    let now = jiff::Timestamp::now();
    let until = now + jiff::SignedDuration::from_hours(1);
    let res = set(
        json!({"closures": [{"from": (now - jiff::SignedDuration::from_hours(1)).to_string(),
        "to": until.to_string(), "reason": "Gas refill"}]}),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.raw);
    assert_eq!(res.body["kitchen"]["open_now"], false);
    let res = order(delivery(3, Some(&near))).await;
    assert_eq!(
        (res.status.as_u16(), res.code()),
        (409, "kitchen_closed"),
        "{}",
        res.raw
    );
    let next: jiff::Timestamp = res.body["error"]["next_open_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(next.as_second(), until.as_second());
    let res = set(json!({"closures": [], "accepting_orders": false})).await;
    assert_eq!(res.status, 200, "{}", res.raw);
    let res = order(delivery(3, Some(&near))).await;
    assert_eq!(res.code(), "kitchen_closed");
    assert!(res.body["error"]["next_open_at"].is_null(), "{}", res.raw);
    // A closed kitchen's cart still takes lines; its checkout is refused the same way.
    let res = t
        .call(
            http::Method::PUT,
            &format!("/api/kitchens/{slug}/cart/items/{suya}/"),
            Some(&customer),
            Some(json!({"quantity": 3})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.raw);
    let res = t
        .call(
            http::Method::POST,
            &format!("/api/kitchens/{slug}/cart/checkout/"),
            Some(&customer),
            Some(delivery(0, Some(&near))),
        )
        .await;
    assert_eq!(res.code(), "kitchen_closed", "{}", res.raw);
}

#[tokio::test]
async fn a_kitchens_staff_work_its_board_and_no_other() {
    use serde_json::json;
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let (owner, slug, suya) = kitchen_with_dish(&t, &admin, "Board Kitchen", "Beef Suya", 250_000).await;
    let (other_owner, other_slug, _) = kitchen_with_dish(&t, &admin, "Other Kitchen", "Amala", 200_000).await;
    let email = unique_email();
    t.verified_user(&email, "customer password").await;
    let staff = t.login(&email, "customer password").await["access"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = t
        .call(
            http::Method::POST,
            &format!("/api/kitchens/{slug}/manage/staff/"),
            Some(&owner),
            Some(json!({"identifier": email, "role": "staff"})),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.raw);
    let customer = t.customer_token().await;
    let res = t
        .call(
            http::Method::POST,
            "/api/orders/",
            Some(&customer),
            Some(json!({"items": [{"food_item_id": suya, "quantity": 1}], "fulfilment": "pickup"})),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.raw);
    let id = res.body["order"]["id"].as_str().unwrap().to_owned();

    let board = format!("/api/kitchens/{slug}/manage/orders/?status=pending");
    let res = t.get(&board, &staff).await;
    assert_eq!(res.status, 200, "{}", res.raw);
    let ids: Vec<&str> = res.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [id.as_str()]);
    // Staff take payment and move the order along; they cannot change the settings.
    let res = t
        .call(
            http::Method::PATCH,
            &format!("/api/kitchens/{slug}/manage/orders/{id}/payment-status/"),
            Some(&staff),
            Some(json!({"payment_status": "paid"})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.raw);
    let res = t
        .call(
            http::Method::PATCH,
            &format!("/api/kitchens/{slug}/manage/orders/{id}/status/"),
            Some(&staff),
            Some(json!({"status": "confirmed"})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.raw);
    let res = t
        .call(
            http::Method::PATCH,
            &format!("/api/kitchens/{slug}/manage/"),
            Some(&staff),
            Some(json!({"accepting_orders": false})),
        )
        .await;
    assert_eq!(res.code(), "not_kitchen_staff");

    // Another kitchen's owner, the home kitchen's admin routes: not this order.
    let res = t
        .get(&format!("/api/kitchens/{other_slug}/manage/orders/{id}/"), &other_owner)
        .await;
    assert_eq!(res.status, 404, "{}", res.raw);
    let res = t
        .call(
            http::Method::PATCH,
            &format!("/api/kitchens/{other_slug}/manage/orders/{id}/status/"),
            Some(&other_owner),
            Some(json!({"status": "cancelled"})),
        )
        .await;
    assert_eq!(res.status, 404, "{}", res.raw);
    let res = t
        .get(&format!("/api/kitchens/{other_slug}/manage/orders/"), &other_owner)
        .await;
    assert!(res.body["items"].as_array().unwrap().is_empty(), "{}", res.raw);
    assert_eq!(t.get(&format!("/api/orders/admin/{id}/"), &admin).await.status, 404);
    let home_board = t.get("/api/orders/admin/", &admin).await;
    assert!(
        home_board.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["id"] != id.as_str())
    );
    let res = t
        .get(&format!("/api/kitchens/{slug}/manage/orders/{id}/"), &staff)
        .await;
    assert_eq!(res.body["order"]["status"], "confirmed");
}
