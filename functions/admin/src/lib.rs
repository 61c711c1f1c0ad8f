//! `admin` function: menu management (categories and dishes), the order lifecycle and
//! payments, and the user list. Every route needs an admin token (401 without one, 403 for a
//! customer) before any database work, and a live session.

mod orders;
mod users;

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch};
use axum::{Json, Router};
use http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};
use shared::accounts::http::Admin;
use shared::domain::menu::{CategoryChange, FoodChange, FoodFields, NewCategory, food_not_found};
use shared::domain::now_rfc3339;
use shared::http::{JsonBody, Service, path_id, service};
use shared::platform::patch::Patch;
use shared::store::menu::{CategoryDelete, CategoryItem, CategoryWrite, FoodFilter, FoodItem, FoodWrite};
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
            .route("/api/orders/admin", get(orders::list))
            .route("/api/orders/admin/{id}", get(orders::one))
            .route("/api/orders/admin/{id}/status", patch(orders::set_status))
            .route("/api/orders/admin/{id}/payment-status", patch(orders::set_payment))
            .route("/api/auths/admin/users", get(users::list)),
        app,
    )
}

#[derive(Debug, Deserialize)]
pub struct CategoryRequest {
    #[serde(default)]
    pub name: Patch<String>,
    #[serde(default)]
    pub description: Patch<String>,
}

fn category_not_found() -> ApiError {
    ApiError::not_found("category_not_found", "Category not found")
}

fn category_exists() -> ApiError {
    ApiError::conflict("category_exists", "A category with this name already exists")
}

fn unknown_category() -> ApiError {
    ApiError::field(
        "invalid_category",
        "category_id",
        "does not exist",
        "Category does not exist",
    )
}

async fn list_categories(State(app): State<App>, admin: Admin) -> Result<Json<Value>, ApiError> {
    let menu = app.accounts.live(&admin, app.store.categories()).await?;
    Ok(Json(json!({ "items": menu.category_views(true) })))
}

async fn create_category(
    State(app): State<App>,
    admin: Admin,
    JsonBody(req): JsonBody<CategoryRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let name = match req.name {
        Patch::Value(v) => Some(v),
        _ => None,
    };
    let description = match req.description {
        Patch::Value(v) => Some(v),
        _ => None,
    };
    let new = NewCategory::parse(name.as_deref(), description.as_deref())?;
    app.accounts.ensure_live(&admin).await?;
    let category = CategoryItem::new(&new.name, new.description, now_rfc3339());
    match app.store.create_category(&category).await? {
        CategoryWrite::Done(c) => {
            tracing::info!(category_id = %c.id, "category created");
            Ok((StatusCode::CREATED, Json(json!({ "category": c.view(true) }))))
        }
        CategoryWrite::NameTaken => Err(category_exists()),
        CategoryWrite::NotFound => Err(ApiError::internal(anyhow::anyhow!("create reported not found"))),
    }
}

async fn update_category(
    State(app): State<App>,
    admin: Admin,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<CategoryRequest>,
) -> Result<Json<Value>, ApiError> {
    let id = path_id(&id, category_not_found)?;
    let change = CategoryChange::parse(req.name, req.description)?;
    app.accounts.ensure_live(&admin).await?;
    match app.store.update_category(&id, &change, &now_rfc3339()).await? {
        CategoryWrite::Done(c) => Ok(Json(json!({ "category": c.view(true) }))),
        CategoryWrite::NameTaken => Err(category_exists()),
        CategoryWrite::NotFound => Err(category_not_found()),
    }
}

/// A category that still holds dishes is not deleted: the admin decides where they go first
/// (move them with PATCH, or delete them). 409 `category_not_empty` says how many remain.
async fn delete_category(State(app): State<App>, admin: Admin, Path(id): Path<String>) -> Result<Response, ApiError> {
    let id = path_id(&id, category_not_found)?;
    app.accounts.ensure_live(&admin).await?;
    match app.store.delete_category(&id).await? {
        CategoryDelete::Deleted => Ok(StatusCode::NO_CONTENT.into_response()),
        CategoryDelete::NotFound => Err(category_not_found()),
        CategoryDelete::NotEmpty(n) => Err(ApiError::conflict(
            "category_not_empty",
            format!("This category still has {n} food item(s). Move or delete them first"),
        )),
    }
}

async fn list_foods(State(app): State<App>, admin: Admin) -> Result<Json<Value>, ApiError> {
    let menu = app.accounts.live(&admin, app.store.menu()).await?;
    let filter = FoodFilter {
        include_unavailable: true,
        ..FoodFilter::default()
    };
    Ok(Json(json!({ "items": menu.food_views(&filter) })))
}

async fn get_food(State(app): State<App>, admin: Admin, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let id = path_id(&id, food_not_found)?;
    let menu = app.accounts.live(&admin, app.store.food_with_categories(&id)).await?;
    let food = menu.foods.iter().find(|f| f.id == id).ok_or_else(food_not_found)?;
    Ok(Json(
        json!({ "food": food.view(menu.category(&food.category_id).map(|c| c.name.as_str())) }),
    ))
}

/// Looks up the category name for a response (the write already proved the category exists).
async fn food_response(app: &App, food: &FoodItem) -> Result<Value, ApiError> {
    let category = app.store.category(&food.category_id).await?;
    Ok(json!({ "food": food.view(category.as_ref().map(|c| c.name.as_str())) }))
}

async fn create_food(
    State(app): State<App>,
    admin: Admin,
    JsonBody(fields): JsonBody<FoodFields>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let change = FoodChange::parse(fields, true)?;
    let (Some(name), Some(price), Some(category_id)) = (change.name, change.price, change.category_id) else {
        return Err(ApiError::internal(anyhow::anyhow!(
            "validated create lacks a required field"
        )));
    };
    app.accounts.ensure_live(&admin).await?;
    let mut food = FoodItem::new(&name, price, category_id, now_rfc3339());
    food.description = change.description.flatten();
    food.image_url = change.image_url.flatten();
    food.is_available = change.is_available.unwrap_or(true);
    match app.store.create_food(&food).await? {
        FoodWrite::Done(f) => {
            tracing::info!(food_id = %f.id, "food created");
            Ok((StatusCode::CREATED, Json(food_response(&app, &f).await?)))
        }
        FoodWrite::CategoryNotFound => Err(unknown_category()),
        FoodWrite::NotFound => Err(ApiError::internal(anyhow::anyhow!("create reported not found"))),
    }
}

async fn update_food(
    State(app): State<App>,
    admin: Admin,
    Path(id): Path<String>,
    JsonBody(fields): JsonBody<FoodFields>,
) -> Result<Json<Value>, ApiError> {
    let id = path_id(&id, food_not_found)?;
    let change = FoodChange::parse(fields, false)?;
    app.accounts.ensure_live(&admin).await?;
    match app.store.update_food(&id, &change, &now_rfc3339()).await? {
        FoodWrite::Done(f) => Ok(Json(food_response(&app, &f).await?)),
        FoodWrite::NotFound => Err(food_not_found()),
        FoodWrite::CategoryNotFound => Err(unknown_category()),
    }
}

/// Deletes a dish. Orders placed earlier keep their own name and price snapshots.
async fn delete_food(State(app): State<App>, admin: Admin, Path(id): Path<String>) -> Result<Response, ApiError> {
    let id = path_id(&id, food_not_found)?;
    app.accounts.ensure_live(&admin).await?;
    if app.store.delete_food(&id).await? {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(food_not_found())
    }
}
