//! `foods` function: the public menu. No token needed; responses are CDN-cacheable.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use shared::http::{Items, QueryParams, Service, path_id, public_cache, service};
use shared::menu::http::{CategoryView, FoodView, food_not_found};
use shared::menu::model::FoodFilter;
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

/// Available dishes, each with its category name: one Query of the menu's version and stock,
/// the rest from the process's copy of the menu while its version holds.
async fn list(State(app): State<App>, QueryParams(query): QueryParams<MenuQuery>) -> Result<Response, ApiError> {
    let menu = app.menu.menu().await?;
    let filter = FoodFilter {
        include_unavailable: false,
        category_id: query.category,
        name_contains: query.q,
    };
    let items: Vec<_> = menu
        .listing(&filter)
        .into_iter()
        .map(|f| FoodView::of(f, menu.category_name(f)))
        .collect();
    Ok(public_cache(Json(Items { items })))
}

/// One available dish; unavailable and unknown dishes are both 404. One BatchGetItem of the
/// menu's version and the dish's stock; the dish and its category name from the process's copy.
async fn one(State(app): State<App>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let id = path_id(&id, food_not_found)?;
    let dish = app.menu.food(&id, true).await?;
    Ok(public_cache(Json(json!({ "food": FoodView::dish(&dish) }))))
}

/// The categories: one GetItem of the menu's version, the categories from the process's copy.
async fn categories(State(app): State<App>) -> Result<Response, ApiError> {
    let menu = app.menu.categories().await?;
    let items: Vec<_> = menu
        .categories_by_name()
        .into_iter()
        .map(CategoryView::public)
        .collect();
    Ok(public_cache(Json(Items { items })))
}
