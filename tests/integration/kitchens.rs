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
