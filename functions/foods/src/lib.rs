//! `foods` function: the public menu. No token needed; responses are CDN-cacheable.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use shared::domain::menu::food_not_found;
use shared::http::{QueryParams, Service, path_id, public_cache, service};
use shared::store::menu::FoodFilter;
use shared::{ApiError, App};

pub fn router(app: App) -> Service {
    service(
        Router::new()
            .route("/api/foods", get(list))
            .route("/api/foods/categories", get(categories))
            .route("/api/foods/{id}", get(one)),
        app,
    )
}

#[derive(Debug, Deserialize)]
pub struct MenuQuery {
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub q: Option<String>,
}

/// Available dishes, each with its category name: one Query of the menu partition.
async fn list(State(app): State<App>, QueryParams(query): QueryParams<MenuQuery>) -> Result<Response, ApiError> {
    let menu = app.store.menu().await?;
    let filter = FoodFilter {
        include_unavailable: false,
        category_id: query.category,
        name_contains: query.q,
    };
    Ok(public_cache(Json(json!({ "items": menu.food_views(&filter) }))))
}

/// One available dish; unavailable and unknown dishes are both 404. One Query of the menu
/// partition filtered to the dish and the categories, so it carries its category name without a
/// second round trip.
async fn one(State(app): State<App>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let id = path_id(&id, food_not_found)?;
    let menu = app.store.food_with_categories(&id).await?;
    let food = menu
        .foods
        .iter()
        .find(|f| f.id == id && f.is_available)
        .ok_or_else(food_not_found)?;
    let view = food.view(menu.category(&food.category_id).map(|c| c.name.as_str()));
    Ok(public_cache(Json(json!({ "food": view }))))
}

/// The categories: a key condition on the `CATEGORY#` sort keys, no dish is read.
async fn categories(State(app): State<App>) -> Result<Response, ApiError> {
    let menu = app.store.categories().await?;
    Ok(public_cache(Json(json!({ "items": menu.category_views(false) }))))
}
