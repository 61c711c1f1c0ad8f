//! A kitchen's alerts, for its staff and up (`/api/kitchens/{slug}/manage/alerts/...`): the open
//! or resolved ones, newest first, and resolving one.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::{Value, json};
use shared::alerts::http::{alert_not_found, status_filter};
use shared::alerts::model::Resolver;
use shared::http::{PathId, QueryParams, path_id};
use shared::kitchens::http::{KitchenMember, Staff};
use shared::pagination::PageQuery;
use shared::{ApiError, App};

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub status: Option<String>,
    #[serde(flatten)]
    pub page: PageQuery,
}

pub async fn list(
    State(app): State<App>,
    member: KitchenMember<Staff>,
    QueryParams(query): QueryParams<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let status = status_filter(query.status.as_deref())?;
    let scope = format!("alerts:{}:{}", member.kitchen_id, status.as_str());
    let page = app.cursors.page(&scope, &query.page)?;
    let alerts = app.alerts.page(&member.kitchen_id, status, &page).await?;
    Ok(Json(app.cursors.listing(&scope, &alerts)?))
}

pub async fn resolve(
    State(app): State<App>,
    member: KitchenMember<Staff>,
    PathId(id): PathId,
) -> Result<Json<Value>, ApiError> {
    let id = path_id(&id, alert_not_found)?;
    let by = Resolver::User(member.subject.user_id.clone());
    let alert = app.alerts.resolve(&member.kitchen_id, &id, &by).await?;
    Ok(Json(json!({ "alert": alert })))
}
