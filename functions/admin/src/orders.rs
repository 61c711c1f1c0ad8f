//! The admin's order routes: the kitchen's queue, status changes and payments.

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::{Value, json};
use shared::accounts::http::Admin;
use shared::domain::order::{OrderStatus, PaymentChange, PaymentStatus, check_payment, order_not_found};
use shared::domain::{Role, now_rfc3339};
use shared::http::{JsonBody, QueryParams, path_id};
use shared::pagination::PageQuery;
use shared::store::orders::{HistoryEntry, OrderItem, WriteOutcome};
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

fn parse_status(raw: Option<&str>) -> Result<OrderStatus, ApiError> {
    raw.and_then(OrderStatus::parse).ok_or_else(|| {
        let names: Vec<_> = OrderStatus::ALL.iter().map(|s| s.as_str()).collect();
        ApiError::field(
            "invalid_status",
            "status",
            format!("must be one of {}", names.join(", ")),
            "Unknown order status",
        )
    })
}

/// Newest first, one status or all, paginated.
pub async fn list(
    State(app): State<App>,
    admin: Admin,
    QueryParams(query): QueryParams<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let status = match query.status.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => Some(parse_status(Some(raw))?),
    };
    let scope = format!("orders:admin:{}", status.map_or("all", OrderStatus::as_str));
    let page = app.cursors.page(&scope, &query.page)?;
    let result = app
        .accounts
        .live(&admin, app.store.orders_by_status(status, &page))
        .await?;
    let next_cursor = result.last_key.map(|k| app.cursors.encode(&scope, &k)).transpose()?;
    let items: Vec<_> = result.orders.iter().map(OrderItem::view).collect();
    Ok(Json(json!({ "items": items, "next_cursor": next_cursor })))
}

async fn read(app: &App, admin: &Admin, id: &str) -> Result<OrderItem, ApiError> {
    let id = path_id(id, order_not_found)?;
    app.accounts
        .live(admin, app.store.order(&id))
        .await?
        .ok_or_else(order_not_found)
}

pub async fn one(State(app): State<App>, admin: Admin, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let order = read(&app, &admin, &id).await?;
    Ok(Json(json!({ "order": order.view() })))
}

/// Retries when the order moved between our read and our write: each round decides again on
/// the order as it now is, so concurrent changes never skip a step and never both apply.
const ATTEMPTS: usize = 3;

/// One step of the lifecycle: validated by the domain rules against the order as read, then
/// written conditionally on that state (with its history entry, in the same write).
pub async fn set_status(
    State(app): State<App>,
    admin: Admin,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<StatusRequest>,
) -> Result<Json<Value>, ApiError> {
    let to = parse_status(req.status.as_deref())?;
    let mut order = read(&app, &admin, &id).await?;
    for _ in 0..ATTEMPTS {
        order.status.check_transition(to, order.payment_status, Role::Admin)?;
        let entry = HistoryEntry {
            status: to,
            at: now_rfc3339(),
            by: admin.user_id.clone(),
            by_role: Role::Admin,
        };
        let require_paid = to == OrderStatus::Confirmed;
        match app
            .store
            .transition_order(&order.id, order.status, &entry, require_paid, None)
            .await?
        {
            WriteOutcome::Done(updated) => {
                tracing::info!(order_id = %updated.id, from = order.status.as_str(), to = to.as_str(), "order status changed");
                return Ok(Json(json!({ "order": updated.view() })));
            }
            WriteOutcome::Changed(Some(current)) => order = *current,
            WriteOutcome::Changed(None) => return Err(order_not_found()),
        }
    }
    Err(ApiError::Unavailable(anyhow::anyhow!(
        "order {} kept changing",
        order.id
    )))
}

/// `unpaid -> paid`; `paid` again is a no-op 200; never on a cancelled order.
pub async fn set_payment(
    State(app): State<App>,
    admin: Admin,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<PaymentRequest>,
) -> Result<Json<Value>, ApiError> {
    let requested = req
        .payment_status
        .as_deref()
        .and_then(PaymentStatus::parse)
        .ok_or_else(|| {
            ApiError::field(
                "invalid_payment_status",
                "payment_status",
                "must be paid or unpaid",
                "Unknown payment status",
            )
        })?;
    let mut order = read(&app, &admin, &id).await?;
    for _ in 0..ATTEMPTS {
        match check_payment(order.status, order.payment_status, requested)? {
            PaymentChange::Unchanged => return Ok(Json(json!({ "order": order.view() }))),
            PaymentChange::MarkPaid => match app.store.mark_order_paid(&order.id, &now_rfc3339()).await? {
                WriteOutcome::Done(updated) => {
                    tracing::info!(order_id = %updated.id, "order marked paid");
                    return Ok(Json(json!({ "order": updated.view() })));
                }
                WriteOutcome::Changed(Some(current)) => order = *current,
                WriteOutcome::Changed(None) => return Err(order_not_found()),
            },
        }
    }
    Err(ApiError::Unavailable(anyhow::anyhow!(
        "order {} kept changing",
        order.id
    )))
}
