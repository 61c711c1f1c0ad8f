//! `foods` function: the public menus, the home kitchen's (`/api/foods/...`) and any active
//! kitchen's (`/api/kitchens/{slug}/foods/...`). No token needed; responses are CDN-cacheable.

use axum::extract::{RawPathParams, State};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use bytes::Bytes;
use http::header;
use serde::Deserialize;
use serde_json::json;
use shared::error::Failure;
use shared::http::{Items, QueryParams, Service, path_id, public_cache, service};
use shared::menu::http::{CategoryView, FoodView, food_not_found};
use shared::menu::model::{FoodFilter, Menu};
use shared::{ApiError, App};

pub fn router(app: App) -> Service {
    service(
        Router::new()
            .route("/api/foods", get(list))
            .route("/api/foods/categories", get(categories))
            .route("/api/foods/{id}", get(one))
            .route("/api/kitchens/{slug}/foods", get(list))
            .route("/api/kitchens/{slug}/foods/categories", get(categories))
            .route("/api/kitchens/{slug}/foods/{id}", get(one)),
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

/// Each kitchen's whole public menu as last rendered, with the copy of the menu it was rendered
/// from: reused while the menu service hands out that same copy (same version, same stock). The
/// copy is held here, so its address cannot be reused by another.
static RENDERED: Mutex<Option<HashMap<String, (Arc<Menu>, Bytes)>>> = Mutex::new(None);

/// The kitchen whose menu a path reads: the one its `{slug}` names while it is active (any
/// other: 404), else the home kitchen.
async fn kitchen(app: &App, params: &RawPathParams) -> Result<String, ApiError> {
    match params.iter().find(|(name, _)| *name == "slug") {
        Some((_, slug)) => Ok(app.kitchens.public(slug).await?.id),
        None => app.home_kitchen().await,
    }
}

/// Available dishes, each with its category name: one Query of the menu's version and stock,
/// the rest from the process's copy of the menu while its version holds. The unfiltered list
/// is rendered once per copy.
async fn list(
    State(app): State<App>,
    params: RawPathParams,
    QueryParams(query): QueryParams<MenuQuery>,
) -> Result<Response, ApiError> {
    let kitchen = kitchen(&app, &params).await?;
    let menu = app.menu.of(&kitchen).menu().await?;
    let filter = FoodFilter {
        include_unavailable: false,
        category_id: query.category,
        name_contains: query.q,
    };
    let whole = filter.category_id.is_none() && filter.name_contains.is_none();
    let rendered = || RENDERED.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if whole
        && let Some((_, body)) = rendered()
            .as_ref()
            .and_then(|all| all.get(&kitchen))
            .filter(|(from, _)| Arc::ptr_eq(from, &menu))
    {
        return Ok(public_cache(json_body(body.clone())));
    }
    let items: Vec<_> = menu
        .listing(&filter)
        .into_iter()
        .map(|f| FoodView::of(f, menu.category_name(f)))
        .collect();
    let body = Bytes::from(serde_json::to_vec(&Items { items }).map_err(|e| Failure::bug(format!("menu JSON: {e}")))?);
    if whole {
        rendered()
            .get_or_insert_with(HashMap::new)
            .insert(kitchen, (Arc::clone(&menu), body.clone()));
    }
    Ok(public_cache(json_body(body)))
}

fn json_body(body: Bytes) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// One available dish; unavailable and unknown dishes are both 404. One BatchGetItem of the
/// menu's version and the dish's stock; the dish and its category name from the process's copy.
async fn one(State(app): State<App>, params: RawPathParams) -> Result<Response, ApiError> {
    let raw = params.iter().find(|(name, _)| *name == "id").map_or("", |(_, id)| id);
    let id = path_id(raw, food_not_found)?;
    let kitchen = kitchen(&app, &params).await?;
    let dish = app.menu.of(&kitchen).food(&id, true).await?;
    Ok(public_cache(Json(json!({ "food": FoodView::dish(&dish) }))))
}

/// The categories: one GetItem of the menu's version, the categories from the process's copy.
async fn categories(State(app): State<App>, params: RawPathParams) -> Result<Response, ApiError> {
    let kitchen = kitchen(&app, &params).await?;
    let menu = app.menu.of(&kitchen).categories().await?;
    let items: Vec<_> = menu
        .categories_by_name()
        .into_iter()
        .map(CategoryView::public)
        .collect();
    Ok(public_cache(Json(Items { items })))
}
