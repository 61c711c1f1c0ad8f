//! `admin` function: menu management (categories and dishes), the order lifecycle and
//! payments, and the user list. Every route needs an admin token (401 without one, 403 for a
//! customer) before any database work, and a live session.

mod orders;
mod users;

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use http::StatusCode;
use serde_json::{Value, json};
use shared::accounts::http::Admin;
use shared::http::{JsonBody, Service, path_id, service};
use shared::menu::http::{
    CategoryRequest, CategoryView, FoodRequest, FoodView, category_not_found, food_not_found, number_input,
};
use shared::menu::model::{CategoryChange, FoodChange, FoodFilter, NewCategory, StockAdjustment};
use shared::{ApiError, App};

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
            .route("/api/orders/admin", get(orders::list))
            .route("/api/orders/admin/{id}", get(orders::one))
            .route("/api/orders/admin/{id}/status", patch(orders::set_status))
            .route("/api/orders/admin/{id}/payment-status", patch(orders::set_payment))
            .route("/api/auths/admin/users", get(users::list)),
        app,
    )
}

async fn list_categories(State(app): State<App>, _admin: Admin) -> Result<Json<Value>, ApiError> {
    let menu = app.menu.categories().await?;
    let items: Vec<_> = menu.categories_by_name().into_iter().map(CategoryView::admin).collect();
    Ok(Json(json!({ "items": items })))
}

async fn create_category(
    State(app): State<App>,
    _admin: Admin,
    JsonBody(req): JsonBody<CategoryRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let new = NewCategory::parse(req.name.value().as_deref(), req.description.value().as_deref())?;
    let category = app.menu.create_category(&new).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "category": CategoryView::admin(&category) })),
    ))
}

async fn update_category(
    State(app): State<App>,
    _admin: Admin,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<CategoryRequest>,
) -> Result<Json<Value>, ApiError> {
    let id = path_id(&id, category_not_found)?;
    let change = CategoryChange::parse(req.name, req.description)?;
    let category = app.menu.update_category(&id, &change).await?;
    Ok(Json(json!({ "category": CategoryView::admin(&category) })))
}

/// A category that still holds dishes is not deleted: the admin decides where they go first
/// (move them with PATCH, or delete them). 409 `category_not_empty` says how many remain.
async fn delete_category(State(app): State<App>, _admin: Admin, Path(id): Path<String>) -> Result<Response, ApiError> {
    let id = path_id(&id, category_not_found)?;
    app.menu.delete_category(&id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn list_foods(State(app): State<App>, _admin: Admin) -> Result<Json<Value>, ApiError> {
    let menu = app.menu.menu().await?;
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

async fn get_food(State(app): State<App>, _admin: Admin, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let id = path_id(&id, food_not_found)?;
    let dish = app.menu.food(&id, false).await?;
    Ok(Json(json!({ "food": FoodView::admin_dish(&dish) })))
}

async fn create_food(
    State(app): State<App>,
    _admin: Admin,
    JsonBody(req): JsonBody<FoodRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let change = FoodChange::parse(req.fields(), true)?;
    let dish = app.menu.create_food(change).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "food": FoodView::admin_dish(&dish) })),
    ))
}

async fn update_food(
    State(app): State<App>,
    _admin: Admin,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<FoodRequest>,
) -> Result<Json<Value>, ApiError> {
    let id = path_id(&id, food_not_found)?;
    let change = FoodChange::parse(req.fields(), false)?;
    let dish = app.menu.update_food(&id, &change).await?;
    Ok(Json(json!({ "food": FoodView::admin_dish(&dish) })))
}

/// `{"add": n}`: a restock (or, negative, a write-off) in one atomic write against concurrent
/// orders; 409 `insufficient_stock` below zero, `stock_not_tracked` on an untracked dish.
async fn adjust_stock(
    State(app): State<App>,
    _admin: Admin,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<StockRequest>,
) -> Result<Json<Value>, ApiError> {
    let id = path_id(&id, food_not_found)?;
    let adjustment = StockAdjustment::parse(req.add.as_ref().filter(|v| !v.is_null()).map(number_input))?;
    // The session is checked beside reading the dish; the write and the category name follow.
    let food = app.menu.stored_food(&id).await?;
    let dish = app.menu.adjust_stock(&food, adjustment).await?;
    Ok(Json(json!({ "food": FoodView::admin_dish(&dish) })))
}

#[derive(serde::Deserialize)]
struct StockRequest {
    #[serde(default)]
    add: Option<Value>,
}

/// Deletes a dish. Orders placed earlier keep their own name and price snapshots.
async fn delete_food(State(app): State<App>, _admin: Admin, Path(id): Path<String>) -> Result<Response, ApiError> {
    let id = path_id(&id, food_not_found)?;
    app.menu.delete_food(&id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
