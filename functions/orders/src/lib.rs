//! `orders` function: a customer places orders, lists and reads their own, and cancels pending
//! ones. Customer tokens only (an admin token is a 403).

use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use http::HeaderMap;
use serde_json::{Value, json};
use shared::accounts::http::Customer;
use shared::http::{JsonBody, QueryParams, Service, path_id, service};
use shared::orders::http::{idempotency_key, order_input, order_not_found, placement_response};
use shared::orders::model::NewOrder;
use shared::pagination::PageQuery;
use shared::{ApiError, App};

pub fn router(app: App) -> Service {
    service(
        Router::new()
            .route("/api/orders", get(list).post(place))
            .route("/api/orders/{id}", get(one))
            .route("/api/orders/{id}/cancel", post(cancel)),
        app,
    )
}

/// Priced on the server; retried requests with the same `Idempotency-Key` get the first answer.
async fn place(
    State(app): State<App>,
    customer: Customer,
    headers: HeaderMap,
    JsonBody(body): JsonBody<Value>,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&headers)?;
    let request = NewOrder::parse(order_input(&body))?;
    let placement = app.orders.place(&customer, key, request).await?;
    placement_response(placement)
}

async fn list(
    State(app): State<App>,
    customer: Customer,
    QueryParams(query): QueryParams<PageQuery>,
) -> Result<Json<Value>, ApiError> {
    let scope = format!("orders:customer:{}", customer.user_id);
    let page = app.cursors.page(&scope, &query)?;
    let orders = app.orders.customer_orders(&customer, &page).await?;
    Ok(Json(app.cursors.listing(&scope, &orders)?))
}

async fn one(State(app): State<App>, customer: Customer, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let id = path_id(&id, order_not_found)?;
    let order = app.orders.own_order(&customer, &id).await?;
    Ok(Json(json!({ "order": order })))
}

/// Pending orders only.
async fn cancel(State(app): State<App>, customer: Customer, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let id = path_id(&id, order_not_found)?;
    let order = app.orders.cancel_own(&customer, &id).await?;
    Ok(Json(json!({ "order": order })))
}
