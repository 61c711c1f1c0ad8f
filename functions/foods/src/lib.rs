//! `foods` function: the public menus, the home kitchen's (`/api/foods/...`) and any active
//! kitchen's (`/api/kitchens/{slug}/foods/...`). No token needed; responses are CDN-cacheable.

use axum::extract::{RawPathParams, RawQuery, State};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use bytes::Bytes;
use http::header;
use serde_json::json;
use shared::error::Failure;
use shared::http::{Items, Service, path_id, public_cache, service};
use shared::menu::http::{CategoryView, FoodView, food_not_found, public_filter};
use shared::menu::model::Menu;
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

/// Each kitchen's whole public menu as last rendered, with the copy of the menu it was rendered
/// from: reused while the menu service hands out that same copy (same version, same stock). The
/// copy is held here, so its address cannot be reused by another.
static RENDERED: Mutex<Option<HashMap<String, (Arc<Menu>, Bytes)>>> = Mutex::new(None);

/// The kitchen whose menu a path reads: the one its `{slug}` names (its id known without a
/// read once seen), or the home kitchen; and whether it must be checked to be active (a
/// kitchen's own path: a pending or suspended kitchen's menu is 404).
async fn kitchen(app: &App, params: &RawPathParams) -> Result<(String, bool), ApiError> {
    match params.iter().find(|(name, _)| *name == "slug") {
        Some((_, slug)) => Ok((app.kitchens.id_of(slug).await?, true)),
        None => Ok((app.home_kitchen().await?, false)),
    }
}

/// Reads the menu with `read` beside the check that its kitchen is active (one round trip).
async fn while_public<T>(
    app: &App,
    (kitchen, check): &(String, bool),
    read: impl std::future::Future<Output = Result<T, shared::menu::MenuError>>,
) -> Result<T, ApiError> {
    let gate = async {
        if *check {
            app.kitchens.ensure_public(kitchen).await
        } else {
            Ok(())
        }
    };
    let (gate, read) = tokio::join!(gate, read);
    gate?;
    Ok(read?)
}

/// Available dishes, each with its category name: no read at all while the process's copy was
/// checked less than the public window ago, else one Query of the menu's version and stock (the
/// rest from the copy while its version holds). The unfiltered list is rendered once per copy.
async fn list(State(app): State<App>, params: RawPathParams, RawQuery(query): RawQuery) -> Result<Response, ApiError> {
    let filter = public_filter(query.as_deref())?;
    let at = kitchen(&app, &params).await?;
    let kitchen = at.0.clone();
    let menu = while_public(&app, &at, app.menu.of(&kitchen).public_menu()).await?;
    let whole = filter.is_everything();
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

/// One available dish; unavailable and unknown dishes are both 404. From the process's copy
/// within the public window, else one BatchGetItem of the menu's version and the dish's stock.
async fn one(State(app): State<App>, params: RawPathParams) -> Result<Response, ApiError> {
    let raw = params.iter().find(|(name, _)| *name == "id").map_or("", |(_, id)| id);
    let id = path_id(raw, food_not_found)?;
    let at = kitchen(&app, &params).await?;
    let dish = while_public(&app, &at, app.menu.of(&at.0).public_food(&id)).await?;
    Ok(public_cache(Json(json!({ "food": FoodView::dish(&dish) }))))
}

/// The categories in the kitchen's order, from the process's copy (read as the list is).
async fn categories(State(app): State<App>, params: RawPathParams) -> Result<Response, ApiError> {
    let at = kitchen(&app, &params).await?;
    let menu = while_public(&app, &at, app.menu.of(&at.0).public_categories()).await?;
    let items: Vec<_> = menu
        .categories_in_order()
        .into_iter()
        .map(CategoryView::public)
        .collect();
    Ok(public_cache(Json(Items { items })))
}
