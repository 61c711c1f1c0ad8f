//! Kitchens (contract v3, "Kitchens"): applying, slugs, the public view, a member's kitchens and
//! the platform admin's decision, against DynamoDB Local (the service; the routes follow).

use api_tests::{TestApp, unique_email};
use shared::accounts::model::{Role, Subject};
use shared::kitchens::model::{ApplicationInput, KitchenRole, KitchenStatus};
use shared::kitchens::store::KitchenStore;
use shared::kitchens::{KitchenError, KitchenService};

fn service(t: &TestApp) -> KitchenService {
    KitchenService::new(KitchenStore::new(t.app.db().clone()), "234".into())
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
        kitchens.role_of(&kitchen.id, &ada.user_id).await.unwrap(),
        Some(KitchenRole::Owner)
    );
    assert_eq!(
        kitchens
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
