//! The admin's order routes: the kitchen's queue, status changes and payments.

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::{Value, json};
use shared::accounts::http::Admin;
use shared::http::{JsonBody, QueryParams, path_id};
use shared::orders::http::order_not_found;
use shared::orders::model::{OrderStatus, PaymentStatus};
use shared::pagination::PageQuery;
use shared::{ApiError, App};

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub status: Option<String>,
    #[serde(flatten)]
    pub page: PageQuery,
}

#[derive(Debug, Deserialize)]
pub struct StatusRequest {
    #[serde(default)]
    pub status: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct PaymentRequest {
    #[serde(default)]
    pub payment_status: Option<String>,
}

/// Newest first, one status or all, paginated.
pub async fn list(
    State(app): State<App>,
    _admin: Admin,
    QueryParams(query): QueryParams<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let status = match query.status.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => Some(OrderStatus::parse_field(Some(raw), "status")?),
    };
    let scope = format!("orders:admin:{}", status.map_or("all", OrderStatus::as_str));
    let page = app.cursors.page(&scope, &query.page)?;
    let orders = app.orders.orders(status, &page).await?;
    Ok(Json(app.cursors.listing(&scope, &orders)?))
}

pub async fn one(State(app): State<App>, _admin: Admin, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let id = path_id(&id, order_not_found)?;
    let order = app.orders.order(&id).await?;
    Ok(Json(json!({ "order": order })))
}

/// One step of the lifecycle (or a cancel), by the rules of the order's state machine.
pub async fn set_status(
    State(app): State<App>,
    admin: Admin,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<StatusRequest>,
) -> Result<Json<Value>, ApiError> {
    let to = OrderStatus::parse_field(req.status.as_deref(), "status")?;
    let id = path_id(&id, order_not_found)?;
    let order = app.orders.set_status(&admin, &id, to).await?;
    Ok(Json(json!({ "order": order })))
}

/// `unpaid -> paid`; `paid` again is a no-op 200; never on a cancelled order.
pub async fn set_payment(
    State(app): State<App>,
    admin: Admin,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<PaymentRequest>,
) -> Result<Json<Value>, ApiError> {
    let requested = PaymentStatus::parse_field(req.payment_status.as_deref())?;
    let id = path_id(&id, order_not_found)?;
    let order = app.orders.set_payment(&admin, &id, requested).await?;
    Ok(Json(json!({ "order": order })))
}
