//! `kitchens` function: the platform's kitchens. A signed-in user applies for a kitchen (it
//! opens pending, the applicant its owner) and lists their own; anyone reads an active kitchen
//! by its slug; the platform admin activates or suspends one.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use shared::accounts::http::{Admin, Caller};
use shared::http::{JsonBody, Service, public_cache, service};
use shared::kitchens::http::{kitchen_view, membership_view};
use shared::kitchens::model::{ApplicationInput, KitchenStatus};
use shared::{ApiError, App};

pub fn router(app: App) -> Service {
    service(
        Router::new()
            .route("/api/kitchens", post(apply))
            .route("/api/kitchens/mine", get(mine))
            .route("/api/kitchens/{slug}", get(one))
            .route("/api/kitchens/admin/{slug}/status", post(decide)),
        app,
    )
}

fn home(app: &App) -> Option<&str> {
    app.config.home_kitchen.as_deref()
}

/// A new kitchen, pending, with the caller as its owner.
async fn apply(
    State(app): State<App>,
    caller: Caller,
    JsonBody(input): JsonBody<ApplicationInput>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    caller.ensure_live(&app).await?;
    let kitchen = app.kitchens.apply(&caller, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "kitchen": kitchen_view(&kitchen, home(&app), jiff::Timestamp::now()) })),
    ))
}

/// The caller's kitchens, whatever their status, with the caller's role in each.
async fn mine(State(app): State<App>, caller: Caller) -> Result<Json<Value>, ApiError> {
    let mine = caller.live(&app, app.kitchens.mine(&caller)).await?;
    let now = jiff::Timestamp::now();
    let items: Vec<Value> = mine
        .iter()
        .map(|(kitchen, role)| membership_view(kitchen, *role, home(&app), now))
        .collect();
    Ok(Json(json!({ "items": items })))
}

/// An active kitchen by its slug (any other: 404), cacheable at the edge.
async fn one(State(app): State<App>, Path(slug): Path<String>) -> Result<axum::response::Response, ApiError> {
    let kitchen = app.kitchens.public(&slug).await?;
    Ok(public_cache(Json(
        json!({ "kitchen": kitchen_view(&kitchen, home(&app), jiff::Timestamp::now()) }),
    )))
}

#[derive(Debug, Deserialize)]
struct Decision {
    #[serde(default)]
    status: Option<String>,
}

/// The platform admin activates or suspends a kitchen (`pending` cannot be set).
async fn decide(
    State(app): State<App>,
    admin: Admin,
    Path(slug): Path<String>,
    JsonBody(decision): JsonBody<Decision>,
) -> Result<Json<Value>, ApiError> {
    let status = KitchenStatus::parse_decision(decision.status.as_deref())?;
    admin.ensure_live(&app).await?;
    let kitchen = app.kitchens.decide(&slug, status).await?;
    Ok(Json(
        json!({ "kitchen": kitchen_view(&kitchen, home(&app), jiff::Timestamp::now()) }),
    ))
}
