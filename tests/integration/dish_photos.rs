//! Contract v3, "Menu: photos, tags, limits, import": a dish's photos, uploaded by the browser
//! straight to S3 (moto here) through a presigned POST, confirmed, chosen, deleted.

use api_tests::{APP_URL, TestApp, TestResponse};
use base64::Engine;
use http::Method;
use serde_json::{Value, json};

/// A tiny PNG (1x1), as a phone would send a photo.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0, 0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d,
    0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

async fn start(t: &TestApp, admin: &str, dish: &str, body: Value) -> TestResponse {
    t.call(
        Method::POST,
        &format!("/api/foods/admin/items/{dish}/images/"),
        Some(admin),
        Some(body),
    )
    .await
}

async fn photo_call(
    t: &TestApp,
    admin: &str,
    method: Method,
    dish: &str,
    image: &str,
    tail: &str,
    body: Option<Value>,
) -> TestResponse {
    t.call(
        method,
        &format!("/api/foods/admin/items/{dish}/images/{image}/{tail}"),
        Some(admin),
        body,
    )
    .await
}

/// Posts the file as a browser's form would: every field of the presigned POST, then `file`.
async fn upload(upload: &Value, bytes: &[u8], content_type: &str) -> reqwest::StatusCode {
    let mut form = reqwest::multipart::Form::new();
    for (name, value) in upload["fields"].as_object().unwrap() {
        form = form.text(name.clone(), value.as_str().unwrap().to_owned());
    }
    let part = reqwest::multipart::Part::bytes(bytes.to_vec())
        .file_name("photo")
        .mime_str(content_type)
        .unwrap();
    form = form.part("file", part);
    reqwest::Client::new()
        .post(upload["url"].as_str().unwrap())
        .multipart(form)
        .send()
        .await
        .unwrap()
        .status()
}

/// A photo started, uploaded and confirmed; its id.
async fn photo(t: &TestApp, admin: &str, dish: &str) -> String {
    let res = start(t, admin, dish, json!({"content_type": "image/png", "size": PNG.len()})).await;
    assert_eq!(res.status, 201, "{}", res.raw);
    assert!(upload(&res.body["upload"], PNG, "image/png").await.is_success());
    let id = res.body["image"]["id"].as_str().unwrap().to_owned();
    let ready = photo_call(t, admin, Method::POST, dish, &id, "ready/", None).await;
    assert_eq!(ready.status, 200, "{}", ready.raw);
    id
}

fn policy(upload: &Value) -> Value {
    let raw = base64::engine::general_purpose::STANDARD
        .decode(upload["fields"]["policy"].as_str().unwrap())
        .unwrap();
    serde_json::from_slice(&raw).unwrap()
}

#[tokio::test]
async fn a_photo_is_signed_for_its_type_and_size_uploaded_confirmed_and_shown_on_the_menu() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let dish = t.admin_dish(&admin, "Asun", 300_000, json!({})).await;

    let res = start(
        &t,
        &admin,
        &dish,
        json!({"content_type": "image/png", "size": PNG.len()}),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.raw);
    let image = res.body["image"].clone();
    assert_eq!(image["status"], "pending");
    assert_eq!(image["is_primary"], false);
    let url = image["url"].as_str().unwrap();
    assert!(
        url.starts_with(&format!("{APP_URL}/images/dishes/")) && url.ends_with(".png"),
        "{url}"
    );
    let upload_form = &res.body["upload"];
    assert_eq!(upload_form["expires_in"], 600);
    assert_eq!(upload_form["fields"]["Content-Type"], "image/png");
    // What S3 itself holds the upload to: this key, this type, at most the declared size.
    let conditions = policy(upload_form)["conditions"].as_array().unwrap().clone();
    let key = upload_form["fields"]["key"].as_str().unwrap();
    assert!(url.ends_with(key), "the key is what the CDN serves");
    for wanted in [
        json!({"key": key}),
        json!({"Content-Type": "image/png"}),
        json!(["content-length-range", 1, PNG.len()]),
        json!({"bucket": api_tests::IMAGES_BUCKET}),
    ] {
        assert!(conditions.contains(&wanted), "{wanted} not in {conditions:?}");
    }
    // Pending photos are never public, and confirming before the upload is refused.
    let id = image["id"].as_str().unwrap();
    let public = t.call(Method::GET, &format!("/api/foods/{dish}/"), None, None).await;
    assert_eq!(public.body["food"]["images"], json!([]));
    let early = photo_call(&t, &admin, Method::POST, &dish, id, "ready/", None).await;
    assert_eq!(
        (early.status.as_u16(), early.code()),
        (409, "upload_missing"),
        "{}",
        early.raw
    );

    assert!(upload(upload_form, PNG, "image/png").await.is_success());
    let ready = photo_call(&t, &admin, Method::POST, &dish, id, "ready/", None).await;
    assert_eq!(ready.status, 200, "{}", ready.raw);
    assert_eq!(ready.body["food"]["images"][0]["status"], "ready");
    assert_eq!(
        ready.body["food"]["images"][0]["is_primary"], true,
        "the first ready photo is primary"
    );
    assert_eq!(ready.body["food"]["image_url"], url);
    let public = t.call(Method::GET, "/api/foods/?q=asun", None, None).await;
    assert_eq!(
        public.body["items"][0]["images"],
        json!([{"id": id, "url": url, "is_primary": true}]),
        "the public sees uploaded photos, without their status"
    );
    assert_eq!(public.body["items"][0]["image_url"], url);
    // The object is where the URL says.
    let s3 = shared_s3(&t).await;
    let object = s3
        .get_object()
        .bucket(api_tests::IMAGES_BUCKET)
        .key(key)
        .send()
        .await
        .unwrap();
    assert_eq!(object.content_type(), Some("image/png"));
}

#[tokio::test]
async fn bad_uploads_are_named_and_a_dish_holds_eight_photos() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let dish = t.admin_dish(&admin, "Suya", 250_000, json!({})).await;
    for (body, field) in [
        (json!({"content_type": "text/html", "size": 1000}), "content_type"),
        (json!({"content_type": "image/jpeg", "size": 50 * 1024 * 1024}), "size"),
        (json!({"content_type": "image/jpeg", "size": 0}), "size"),
        (json!({"content_type": "image/jpeg"}), "size"),
    ] {
        let res = start(&t, &admin, &dish, body.clone()).await;
        assert_eq!(res.status, 400, "{body}: {}", res.raw);
        assert!(res.body["error"]["fields"][field].is_string(), "{body}: {}", res.raw);
    }
    for _ in 0..8 {
        let res = start(&t, &admin, &dish, json!({"content_type": "image/webp", "size": 10})).await;
        assert_eq!(res.status, 201, "{}", res.raw);
    }
    let ninth = start(&t, &admin, &dish, json!({"content_type": "image/webp", "size": 10})).await;
    assert_eq!(
        (ninth.status.as_u16(), ninth.code()),
        (409, "too_many_images"),
        "{}",
        ninth.raw
    );
    let missing = start(
        &t,
        &admin,
        "01JD5Q4A1B3C5D7E9F1G3H5J7K",
        json!({"content_type": "image/webp", "size": 10}),
    )
    .await;
    assert_eq!(missing.status, 404, "{}", missing.raw);
}

#[tokio::test]
async fn one_photo_is_primary_and_deleting_it_hands_over_to_the_oldest() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let dish = t.admin_dish(&admin, "Moi Moi", 120_000, json!({})).await;
    let first = photo(&t, &admin, &dish).await;
    let second = photo(&t, &admin, &dish).await;
    let pending = start(&t, &admin, &dish, json!({"content_type": "image/png", "size": 10})).await;
    let pending = pending.body["image"]["id"].as_str().unwrap().to_owned();

    let refused = photo_call(
        &t,
        &admin,
        Method::PATCH,
        &dish,
        &pending,
        "",
        Some(json!({"is_primary": true})),
    )
    .await;
    assert_eq!(
        (refused.status.as_u16(), refused.code()),
        (409, "image_not_ready"),
        "{}",
        refused.raw
    );
    let res = photo_call(
        &t,
        &admin,
        Method::PATCH,
        &dish,
        &second,
        "",
        Some(json!({"is_primary": true})),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.raw);
    let primaries: Vec<&Value> = res.body["food"]["images"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["is_primary"] == true)
        .map(|i| &i["id"])
        .collect();
    assert_eq!(primaries, [&json!(second)], "exactly one primary");
    let second_url = res.body["food"]["images"][1]["url"].as_str().unwrap().to_owned();
    assert_eq!(res.body["food"]["image_url"], second_url);

    let key_of = |url: &str| url.trim_start_matches(&format!("{APP_URL}/")).to_owned();
    let res = photo_call(&t, &admin, Method::DELETE, &dish, &second, "", None).await;
    assert_eq!(res.status, 204, "{}", res.raw);
    let s3 = shared_s3(&t).await;
    let gone = s3
        .head_object()
        .bucket(api_tests::IMAGES_BUCKET)
        .key(key_of(&second_url))
        .send()
        .await;
    assert!(gone.is_err(), "its object is deleted");
    let food = t
        .call(
            Method::GET,
            &format!("/api/foods/admin/items/{dish}/"),
            Some(&admin),
            None,
        )
        .await;
    let images = food.body["food"]["images"].as_array().unwrap();
    assert_eq!(images.len(), 2);
    assert_eq!(
        (images[0]["id"].as_str(), images[0]["is_primary"].as_bool()),
        (Some(first.as_str()), Some(true))
    );
    let res = photo_call(&t, &admin, Method::DELETE, &dish, &second, "", None).await;
    assert_eq!((res.status.as_u16(), res.code()), (404, "image_not_found"));
    let res = photo_call(&t, &admin, Method::DELETE, &dish, &first, "", None).await;
    assert_eq!(res.status, 204);
    let food = t.call(Method::GET, &format!("/api/foods/{dish}/"), None, None).await;
    assert_eq!(food.body["food"]["image_url"], Value::Null, "no photo left");
}

#[tokio::test]
async fn a_kitchen_manager_uploads_to_its_own_dishes_only() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let home_dish = t.admin_dish(&admin, "Home Dish", 100_000, json!({})).await;
    let (owner, slug) = t.active_kitchen(&admin, "Photo Kitchen").await;
    // The home kitchen's dish is not this kitchen's: not found through its routes.
    let res = t
        .call(
            Method::POST,
            &format!("/api/kitchens/{slug}/manage/foods/items/{home_dish}/images/"),
            Some(&owner),
            Some(json!({"content_type": "image/png", "size": 10})),
        )
        .await;
    assert_eq!(res.status, 404, "{}", res.raw);
    let res = start(&t, &owner, &home_dish, json!({"content_type": "image/png", "size": 10})).await;
    assert_eq!(
        res.status, 403,
        "a kitchen owner is not the platform admin: {}",
        res.raw
    );
}

async fn shared_s3(_t: &TestApp) -> aws_sdk_s3::Client {
    let sdk = api_tests::sdk().await;
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&sdk)
            .endpoint_url(api_tests::stack().moto.clone())
            .force_path_style(true)
            .build(),
    )
}
