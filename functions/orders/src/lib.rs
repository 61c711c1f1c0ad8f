//! `orders` function: a customer places orders, lists and reads their own, and cancels pending
//! ones. Customer tokens only (an admin token is a 403).

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use http::{HeaderMap, HeaderValue, StatusCode, header};
use serde_json::json;
use sha2::{Digest, Sha256};
use shared::accounts::AccountError;
use shared::accounts::http::Customer;
use shared::accounts::model::session;
use shared::domain::menu::{CURRENCY, Money};
use shared::domain::order::{NewOrder, OrderRequest, OrderStatus, PricedFood, order_not_found, price_lines};
use shared::domain::{Role, now_epoch, now_rfc3339};
use shared::http::{JsonBody, QueryParams, Service, path_id, service};
use shared::pagination::PageQuery;
use shared::store::orders::{HistoryEntry, IdempotencyItem, OrderItem, PlaceOutcome, WriteOutcome};
use shared::{ApiError, App};
use ulid::Ulid;

pub fn router(app: App) -> Service {
    service(
        Router::new()
            .route("/api/orders", get(list).post(place))
            .route("/api/orders/{id}", get(one))
            .route("/api/orders/{id}/cancel", post(cancel)),
        app,
    )
}

/// How long a customer's Idempotency-Key is remembered.
pub const IDEMPOTENCY_WINDOW_SECS: i64 = 24 * 3600;
pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";

fn session_ended() -> ApiError {
    AccountError::SessionEnded.into()
}

/// `Idempotency-Key`: 1 to 255 visible ASCII characters, if present.
fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get(IDEMPOTENCY_HEADER) else {
        return Ok(None);
    };
    let invalid = || {
        ApiError::field(
            "invalid_idempotency_key",
            "Idempotency-Key",
            "must be 1 to 255 visible ASCII characters",
            "Invalid Idempotency-Key header",
        )
    };
    let key = value.to_str().map_err(|_| invalid())?.trim();
    if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(invalid());
    }
    Ok(Some(key.to_owned()))
}

/// The first response again, or a 409 when the key was used for another request.
fn replay(record: &IdempotencyItem, request_hash: &str) -> Result<Response, ApiError> {
    if record.request_hash != request_hash {
        return Err(ApiError::conflict(
            "idempotency_conflict",
            "This Idempotency-Key was already used with a different request",
        ));
    }
    let status = StatusCode::from_u16(record.status_code).map_err(ApiError::internal)?;
    let mut response = (status, record.response.clone()).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    Ok(response)
}

/// Validates every line, reads the dishes (with the idempotency record and the session) in one
/// round trip, and writes the order and its idempotency record in one transaction.
async fn place(
    State(app): State<App>,
    caller: Customer,
    headers: HeaderMap,
    JsonBody(req): JsonBody<OrderRequest>,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&headers)?;
    let request = NewOrder::parse(req)?;
    let request_hash = {
        let canonical = serde_json::to_vec(&request).map_err(ApiError::internal)?;
        Sha256::digest(&canonical)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    let food_ids: Vec<String> = request
        .lines
        .iter()
        .map(|l| l.food_item_id.clone())
        .filter(|id| Ulid::from_string(id).is_ok())
        .collect();
    let customer_id = caller.user_id.as_str().to_owned();
    let inputs = app
        .store
        .placement_inputs(
            &food_ids,
            key.as_deref().map(|k| (customer_id.as_str(), k)),
            caller.session_id.as_str(),
        )
        .await?;
    let now = now_epoch();
    if !session::is_live(inputs.session.as_ref(), &caller, now) {
        return Err(session_ended());
    }
    if let Some(record) = inputs.idempotency.as_ref().filter(|r| r.is_live(now)) {
        return replay(record, &request_hash);
    }

    let (lines, total) = price_lines(&request.lines, |id| {
        inputs.foods.iter().find(|f| f.id == id).map(|f| PricedFood {
            id: &f.id,
            name: &f.name,
            price: Money::from_kobo(f.price),
            is_available: f.is_available,
        })
    })?;
    let order = OrderItem::new(
        Ulid::new().to_string(),
        &customer_id,
        lines,
        total.kobo(),
        CURRENCY,
        request.delivery_address,
        request.note,
        now_rfc3339(),
    );
    let body = serde_json::to_string(&json!({ "order": order.view() })).map_err(ApiError::internal)?;
    let record = key.as_ref().map(|k| IdempotencyItem {
        pk: shared::store::keys::idempotency_pk(&customer_id, k),
        sk: shared::store::keys::IDEMPOTENCY_SK.into(),
        request_hash: request_hash.clone(),
        order_id: order.id.clone(),
        status_code: StatusCode::CREATED.as_u16(),
        response: body.clone(),
        expires_at: now + IDEMPOTENCY_WINDOW_SECS,
        ttl: now + IDEMPOTENCY_WINDOW_SECS + 3600,
    });
    match app
        .store
        .place_order(&order, record.as_ref(), caller.session_id.as_str(), now)
        .await?
    {
        PlaceOutcome::Placed => {
            tracing::info!(order_id = %order.id, lines = order.items.len(), total = order.total, "order placed");
            let mut response = (StatusCode::CREATED, body).into_response();
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
            Ok(response)
        }
        PlaceOutcome::SessionEnded => Err(session_ended()),
        PlaceOutcome::IdempotencyKeyTaken => {
            // A concurrent retry with the same key got there first: answer as it did.
            let key = key.as_deref().unwrap_or_default();
            match app.store.idempotency_record(&customer_id, key).await? {
                Some(record) => replay(&record, &request_hash),
                None => Err(ApiError::Unavailable(anyhow::anyhow!(
                    "idempotency record vanished after a conflict"
                ))),
            }
        }
    }
}

async fn list(
    State(app): State<App>,
    caller: Customer,
    QueryParams(query): QueryParams<PageQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let scope = format!("orders:customer:{}", caller.user_id.as_str());
    let page = app.cursors.page(&scope, &query)?;
    let result = app
        .accounts
        .live(&caller, app.store.customer_orders(caller.user_id.as_str(), &page))
        .await?;
    let next_cursor = result.last_key.map(|k| app.cursors.encode(&scope, &k)).transpose()?;
    let items: Vec<_> = result.orders.iter().map(OrderItem::view).collect();
    Ok(Json(json!({ "items": items, "next_cursor": next_cursor })))
}

/// The caller's own order; anyone else's is a 404, as if it did not exist.
async fn own_order(app: &App, caller: &Customer, id: &str) -> Result<OrderItem, ApiError> {
    let id = path_id(id, order_not_found)?;
    let order = caller.live(app, app.store.order(&id)).await?;
    order
        .filter(|o| o.customer_id == caller.user_id.as_str())
        .ok_or_else(order_not_found)
}

async fn one(
    State(app): State<App>,
    caller: Customer,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let order = own_order(&app, &caller, &id).await?;
    Ok(Json(json!({ "order": order.view() })))
}

/// Pending orders only; one conditional write, so a cancel racing an admin's confirm has one
/// winner.
async fn cancel(
    State(app): State<App>,
    caller: Customer,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let order = own_order(&app, &caller, &id).await?;
    order
        .status
        .check_transition(OrderStatus::Cancelled, order.payment_status, Role::Customer)?;
    let entry = HistoryEntry {
        status: OrderStatus::Cancelled,
        at: now_rfc3339(),
        by: caller.user_id.as_str().to_owned(),
        by_role: Role::Customer,
    };
    match app
        .store
        .transition_order(&order.id, order.status, &entry, false, Some(caller.user_id.as_str()))
        .await?
    {
        WriteOutcome::Done(order) => {
            tracing::info!(order_id = %order.id, "order cancelled by customer");
            Ok(Json(json!({ "order": order.view() })))
        }
        WriteOutcome::Changed(Some(current)) => {
            current
                .status
                .check_transition(OrderStatus::Cancelled, current.payment_status, Role::Customer)?;
            Err(ApiError::conflict(
                "order_not_cancellable",
                "Only pending orders can be cancelled",
            ))
        }
        WriteOutcome::Changed(None) => Err(order_not_found()),
    }
}
