//! A dish's photos: the presigned upload, its confirmation, the primary choice and deletion,
//! on the home kitchen's routes (`/api/foods/admin/items/{id}/images/...`) and a kitchen's own
//! (`/api/kitchens/{slug}/manage/foods/items/{id}/images/...`).

use axum::Json;
use axum::extract::{FromRequestParts, RawPathParams, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use http::request::Parts;
use serde_json::{Value, json};
use shared::http::{JsonBody, path_id};
use shared::menu::http::{FoodView, ImageView, food_not_found, image_not_found, number_input};
use shared::menu::model::ImageUpload;
use shared::platform::images::ImageBucket;
use shared::{ApiError, App};

use crate::MenuOf;

/// The dish and photo a path names (`{id}`, `{image_id}`), as ULIDs.
pub struct PhotoPath {
    food: String,
    image: Option<String>,
}

impl FromRequestParts<App> for PhotoPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let params = RawPathParams::from_request_parts(parts, app)
            .await
            .map_err(|_| ApiError::not_found("route_not_found", "No route matches this path"))?;
        let named = |name: &str| params.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_owned());
        let food = path_id(&named("id").unwrap_or_default(), food_not_found)?;
        let image = named("image_id")
            .map(|raw| path_id(&raw, image_not_found))
            .transpose()?;
        Ok(Self { food, image })
    }
}

impl PhotoPath {
    fn image(&self) -> Result<&str, ApiError> {
        self.image.as_deref().ok_or_else(image_not_found)
    }
}

/// The bucket, where the function is given one (`IMAGES_BUCKET`).
fn bucket(app: &App) -> Result<&ImageBucket, ApiError> {
    app.images
        .as_ref()
        .ok_or_else(|| ApiError::Unavailable(anyhow::anyhow!("IMAGES_BUCKET is not set: photo uploads are off")))
}

#[derive(serde::Deserialize)]
pub struct UploadRequest {
    #[serde(default)]
    content_type: Option<String>,
    #[serde(default)]
    size: Option<Value>,
}

/// `{content_type, size}` -> 201 `{"upload": {url, fields, expires_in}, "image": {...}}`: the
/// client posts `fields` and then `file` to `url`, then confirms with `ready`.
pub async fn start(
    menu: MenuOf,
    State(app): State<App>,
    path: PhotoPath,
    JsonBody(req): JsonBody<UploadRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let upload = ImageUpload::parse(
        req.content_type.as_deref(),
        req.size.as_ref().filter(|v| !v.is_null()).map(number_input),
    )?;
    let (_, image, post) = menu.0.start_upload(bucket(&app)?, &path.food, &upload).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "upload": post, "image": ImageView::admin(&image) })),
    ))
}

/// 200 `{"food"}` once the photo's object exists (else 409 `upload_missing`).
pub async fn ready(menu: MenuOf, State(app): State<App>, path: PhotoPath) -> Result<Json<Value>, ApiError> {
    let dish = menu.0.image_ready(bucket(&app)?, &path.food, path.image()?).await?;
    Ok(Json(json!({ "food": FoodView::admin_dish(&dish) })))
}

#[derive(serde::Deserialize)]
pub struct PhotoChange {
    #[serde(default)]
    is_primary: Option<bool>,
}

/// `{is_primary: true}` -> 200 `{"food"}`: the photo becomes the main one.
pub async fn change(
    menu: MenuOf,
    path: PhotoPath,
    JsonBody(req): JsonBody<PhotoChange>,
) -> Result<Json<Value>, ApiError> {
    if req.is_primary != Some(true) {
        return Err(ApiError::field(
            "invalid_field",
            "is_primary",
            "must be true (make another photo the main one instead)",
            "Only the main photo can be chosen",
        ));
    }
    let dish = menu.0.set_primary_image(&path.food, path.image()?).await?;
    Ok(Json(json!({ "food": FoodView::admin_dish(&dish) })))
}

/// 204; the oldest remaining uploaded photo becomes the main one if this was it.
pub async fn delete(menu: MenuOf, State(app): State<App>, path: PhotoPath) -> Result<Response, ApiError> {
    menu.0.delete_image(bucket(&app)?, &path.food, path.image()?).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
