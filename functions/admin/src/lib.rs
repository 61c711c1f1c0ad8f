//! `admin` function: menu management (categories and dishes), the order lifecycle and
//! payments, and the user list. The home kitchen's routes (`/api/foods/admin/...`) need the
//! platform admin; a kitchen's own (`/api/kitchens/{slug}/manage/foods/...`) a manager of that
//! kitchen (or the platform admin). Either way the caller extractor checks the live session.

mod alerts;
mod coupons;
mod images;
mod orders;
mod users;

use axum::extract::{FromRequestParts, RawPathParams};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use http::HeaderMap;
use http::StatusCode;
use http::request::Parts;
use serde_json::{Value, json};
use shared::accounts::http::Admin;
use shared::http::{JsonBody, PathId, Service, path_id, service};
use shared::kitchens::http::{KitchenMember, Manager};
use shared::menu::http::{
    CategoryRequest, CategoryView, FoodRequest, FoodView, category_not_found, food_not_found, number_input,
};
use shared::menu::import::{CSV, MAX_IMPORT_BYTES, Sheet, SheetKind, XLSX};
use shared::menu::model::{CategoryChange, FoodChange, FoodFilter, NewCategory, StockAdjustment};
use shared::menu::{KitchenMenu, MenuError};
use shared::platform::routes::CONTENT_TYPE;
use shared::{ApiError, App};

/// The menu a route manages: the path's kitchen for a manager of it (or the platform admin),
/// else the home kitchen for the platform admin. The extractor that decides it checks the
/// caller (token, role or membership, live session) as every caller extractor does.
pub struct MenuOf(KitchenMenu);

impl FromRequestParts<App> for MenuOf {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let has_slug = RawPathParams::from_request_parts(parts, app)
            .await
            .is_ok_and(|params| params.iter().any(|(name, _)| name == "slug"));
        let kitchen = if has_slug {
            KitchenMember::<Manager>::from_request_parts(parts, app)
                .await?
                .kitchen_id
        } else {
            Admin::from_request_parts(parts, app).await?;
            app.home_kitchen().await?
        };
        Ok(MenuOf(app.menu.of(&kitchen)))
    }
}

pub fn router(app: App) -> Service {
    service(
        Router::new()
            .route(
                "/api/foods/admin/categories",
                get(list_categories).post(create_category),
            )
            .route(
                "/api/foods/admin/categories/{id}",
                patch(update_category).delete(delete_category),
            )
            .route("/api/foods/admin/items", get(list_foods).post(create_food))
            .route(
                "/api/foods/admin/items/{id}",
                get(get_food).patch(update_food).delete(delete_food),
            )
            .route("/api/foods/admin/items/{id}/stock", post(adjust_stock))
            .route("/api/foods/admin/import", post(import_menu))
            .route("/api/foods/admin/items/{id}/images", post(images::start))
            .route(
                "/api/foods/admin/items/{id}/images/{image_id}/ready",
                post(images::ready),
            )
            .route(
                "/api/foods/admin/items/{id}/images/{image_id}",
                patch(images::change).delete(images::delete),
            )
            .route(
                "/api/kitchens/{slug}/manage/foods/categories",
                get(list_categories).post(create_category),
            )
            .route(
                "/api/kitchens/{slug}/manage/foods/categories/{id}",
                patch(update_category).delete(delete_category),
            )
            .route(
                "/api/kitchens/{slug}/manage/foods/items",
                get(list_foods).post(create_food),
            )
            .route(
                "/api/kitchens/{slug}/manage/foods/items/{id}",
                get(get_food).patch(update_food).delete(delete_food),
            )
            .route("/api/kitchens/{slug}/manage/foods/items/{id}/stock", post(adjust_stock))
            .route("/api/kitchens/{slug}/manage/foods/import", post(import_menu))
            .route(
                "/api/kitchens/{slug}/manage/foods/items/{id}/images",
                post(images::start),
            )
            .route(
                "/api/kitchens/{slug}/manage/foods/items/{id}/images/{image_id}/ready",
                post(images::ready),
            )
            .route(
                "/api/kitchens/{slug}/manage/foods/items/{id}/images/{image_id}",
                patch(images::change).delete(images::delete),
            )
            .route("/api/orders/admin", get(orders::list))
            .route("/api/orders/admin/{id}", get(orders::one))
            .route("/api/orders/admin/{id}/status", patch(orders::set_status))
            .route("/api/orders/admin/{id}/payment-status", patch(orders::set_payment))
            .route("/api/kitchens/{slug}/manage/orders", get(orders::list))
            .route("/api/kitchens/{slug}/manage/orders/{id}", get(orders::one))
            .route(
                "/api/kitchens/{slug}/manage/orders/{id}/status",
                patch(orders::set_status),
            )
            .route(
                "/api/kitchens/{slug}/manage/orders/{id}/payment-status",
                patch(orders::set_payment),
            )
            .route(
                "/api/kitchens/{slug}/manage/coupons",
                get(coupons::list).post(coupons::create),
            )
            .route(
                "/api/kitchens/{slug}/manage/coupons/{id}",
                patch(coupons::change).delete(coupons::delete),
            )
            .route("/api/kitchens/{slug}/manage/alerts", get(alerts::list))
            .route("/api/kitchens/{slug}/manage/alerts/{id}/resolve", post(alerts::resolve))
            .route("/api/auths/admin/users", get(users::list))
            .route("/api/auths/admin/users/{id}/wallet", post(users::adjust_wallet)),
        app,
    )
}

async fn list_categories(menu: MenuOf) -> Result<Json<Value>, ApiError> {
    let menu = menu.0.categories().await?;
    let items: Vec<_> = menu
        .categories_in_order()
        .into_iter()
        .map(CategoryView::admin)
        .collect();
    Ok(Json(json!({ "items": items })))
}

async fn create_category(
    menu: MenuOf,
    JsonBody(req): JsonBody<CategoryRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let position = req.position().value();
    let new = NewCategory::parse(
        req.name.value().as_deref(),
        req.description.value().as_deref(),
        position,
    )?;
    let category = menu.0.create_category(&new).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "category": CategoryView::admin(&category) })),
    ))
}

async fn update_category(
    menu: MenuOf,
    PathId(id): PathId,
    JsonBody(req): JsonBody<CategoryRequest>,
) -> Result<Json<Value>, ApiError> {
    let id = path_id(&id, category_not_found)?;
    let position = req.position();
    let change = CategoryChange::parse(req.name, req.description, position)?;
    let category = menu.0.update_category(&id, &change).await?;
    Ok(Json(json!({ "category": CategoryView::admin(&category) })))
}

/// A category that still holds dishes is not deleted: the admin decides where they go first
/// (move them with PATCH, or delete them). 409 `category_not_empty` says how many remain.
async fn delete_category(menu: MenuOf, PathId(id): PathId) -> Result<Response, ApiError> {
    let id = path_id(&id, category_not_found)?;
    menu.0.delete_category(&id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn list_foods(menu: MenuOf) -> Result<Json<Value>, ApiError> {
    let menu = menu.0.menu().await?;
    let filter = FoodFilter {
        include_unavailable: true,
        ..FoodFilter::default()
    };
    let items: Vec<_> = menu
        .listing(&filter)
        .into_iter()
        .map(|f| FoodView::admin(f, menu.category_name(f)))
        .collect();
    Ok(Json(json!({ "items": items })))
}

async fn get_food(menu: MenuOf, PathId(id): PathId) -> Result<Json<Value>, ApiError> {
    let id = path_id(&id, food_not_found)?;
    let dish = menu.0.food(&id, false).await?;
    Ok(Json(json!({ "food": FoodView::admin_dish(&dish) })))
}

async fn create_food(
    menu: MenuOf,
    JsonBody(req): JsonBody<FoodRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let change = FoodChange::parse(req.fields(), true)?;
    let dish = menu.0.create_food(change).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "food": FoodView::admin_dish(&dish) })),
    ))
}

async fn update_food(
    menu: MenuOf,
    PathId(id): PathId,
    JsonBody(req): JsonBody<FoodRequest>,
) -> Result<Json<Value>, ApiError> {
    let id = path_id(&id, food_not_found)?;
    let change = FoodChange::parse(req.fields(), false)?;
    let dish = menu.0.update_food(&id, &change).await?;
    Ok(Json(json!({ "food": FoodView::admin_dish(&dish) })))
}

/// `{"add": n}`: a restock (or, negative, a write-off) in one atomic write against concurrent
/// orders; 409 `insufficient_stock` below zero, `stock_not_tracked` on an untracked dish.
async fn adjust_stock(
    menu: MenuOf,
    PathId(id): PathId,
    JsonBody(req): JsonBody<StockRequest>,
) -> Result<Json<Value>, ApiError> {
    let id = path_id(&id, food_not_found)?;
    let adjustment = StockAdjustment::parse(req.add.as_ref().filter(|v| !v.is_null()).map(number_input))?;
    // The session is checked beside reading the dish; the write and the category name follow.
    let food = menu.0.stored_food(&id).await?;
    let dish = menu.0.adjust_stock(&food, adjustment).await?;
    Ok(Json(json!({ "food": FoodView::admin_dish(&dish) })))
}

/// A CSV or XLSX file as the body (`Content-Type` says which; up to 1 MiB, else 413): every
/// row checked before anything is written, then dishes created or updated by name.
async fn import_menu(menu: MenuOf, headers: HeaderMap, body: axum::body::Body) -> Result<Json<Value>, ApiError> {
    let media_type = CONTENT_TYPE
        .read(&headers)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let kind = SheetKind::of_media_type(media_type).ok_or_else(|| {
        ApiError::field(
            "invalid_import",
            "file",
            format!("must be sent as {CSV} or {XLSX}"),
            "Send the menu as a CSV or XLSX file",
        )
    })?;
    let bytes = axum::body::to_bytes(body, MAX_IMPORT_BYTES)
        .await
        .map_err(|_| ApiError::PayloadTooLarge)?;
    let sheet = Sheet::read(kind, &bytes).map_err(MenuError::from)?;
    let summary = menu.0.import(&sheet).await?;
    Ok(Json(json!(summary)))
}

#[derive(serde::Deserialize)]
struct StockRequest {
    #[serde(default)]
    add: Option<Value>,
}

/// Deletes a dish. Orders placed earlier keep their own name and price snapshots.
async fn delete_food(menu: MenuOf, PathId(id): PathId) -> Result<Response, ApiError> {
    let id = path_id(&id, food_not_found)?;
    menu.0.delete_food(&id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
