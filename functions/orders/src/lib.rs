//! `orders` function: a customer places orders, lists and reads their own, cancels pending
//! ones, keeps a cart per kitchen that checks out into an order, and finds, tries and looks back
//! on coupons. Customer tokens only (an admin token is a 403).

use axum::extract::{FromRequestParts, Path, RawPathParams, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::response::Response;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use http::HeaderMap;
use http::request::Parts;
use serde_json::{Value, json};
use shared::accounts::http::Customer;
use shared::cart::http::cart_body;
use shared::cart::model::Quantity;
use shared::coupons::http::coupon_view;
use shared::http::{JsonBody, PathId, QueryParams, Service, path_id, service};
use shared::menu::http::food_not_found;
use shared::orders::http::{
    handover_input, idempotency_key, lines_input, order_body, order_input, order_not_found, placement_response,
    viewed_page,
};
use shared::orders::model::{ChangedBy, Handover, NewOrder, RequestedLine};
use shared::pagination::PageQuery;
use shared::{ApiError, App};

pub fn router(app: App) -> Service {
    service(
        Router::new()
            .route("/api/orders", get(list).post(place))
            .route("/api/orders/{id}", get(one))
            .route("/api/orders/{id}/cancel", post(cancel))
            .route("/api/cart", get(cart).delete(clear_cart))
            .route("/api/cart/items/{id}", put(set_line).delete(remove_line))
            .route("/api/cart/checkout", post(checkout))
            .route("/api/kitchens/{slug}/cart", get(cart).delete(clear_cart))
            .route(
                "/api/kitchens/{slug}/cart/items/{id}",
                put(set_line).delete(remove_line),
            )
            .route("/api/kitchens/{slug}/cart/checkout", post(checkout))
            .route("/api/carts", get(carts))
            .route("/api/coupons", get(usable_coupons))
            .route("/api/kitchens/{slug}/coupons", get(usable_coupons))
            .route("/api/coupons/validate", post(validate_coupon))
            .route("/api/coupons/usage", get(coupon_usage))
            .route("/api/wallet", get(wallet))
            .route("/api/wallet/transactions", get(wallet_entries))
            .route("/api/orders/{id}/pay/wallet", post(pay_from_wallet)),
        app,
    )
}

/// The kitchen whose cart a path names: its `{slug}` (any status: a closed or paused kitchen's
/// cart still takes lines; checkout says whether it takes orders), else the home kitchen.
struct CartAt(String);

impl FromRequestParts<App> for CartAt {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        Ok(CartAt(KitchenAt::from_request_parts(parts, app).await?.id))
    }
}

/// Priced on the server; retried requests with the same `Idempotency-Key` get the first answer.
async fn place(
    State(app): State<App>,
    customer: Customer,
    headers: HeaderMap,
    JsonBody(body): JsonBody<Value>,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&headers)?;
    let request = NewOrder::parse(order_input(&body), &app.config.default_country_code)?;
    let placement = app.orders.place(&customer, key, request).await?;
    placement_response(placement)
}

#[derive(Debug, Default, serde::Deserialize)]
struct OrdersQuery {
    /// Only this kitchen's orders (its slug).
    #[serde(default)]
    kitchen: Option<String>,
    #[serde(flatten)]
    page: PageQuery,
}

/// The customer's orders, newest first, every kitchen's or one's (`?kitchen=slug`).
async fn list(
    State(app): State<App>,
    customer: Customer,
    QueryParams(query): QueryParams<OrdersQuery>,
) -> Result<Json<Value>, ApiError> {
    let kitchen = match query.kitchen.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(slug) => Some(app.kitchens.id_of(slug).await?),
    };
    let scope = match &kitchen {
        None => format!("orders:customer:{}", customer.user_id),
        Some(k) => format!("orders:customer:{}:{k}", customer.user_id),
    };
    let page = app.cursors.page(&scope, &query.page)?;
    let orders = app.orders.customer_orders(&customer, &page, kitchen.as_deref()).await?;
    Ok(Json(
        app.cursors
            .listing(&scope, &viewed_page(&orders, ChangedBy::Customer))?,
    ))
}

async fn one(State(app): State<App>, customer: Customer, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let id = path_id(&id, order_not_found)?;
    let order = app.orders.own_order(&customer, &id).await?;
    Ok(Json(order_body(&order, ChangedBy::Customer)))
}

/// Pending orders only.
async fn cancel(State(app): State<App>, customer: Customer, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let id = path_id(&id, order_not_found)?;
    let order = app.orders.cancel_own(&customer, &id).await?;
    Ok(Json(order_body(&order, ChangedBy::Customer)))
}

async fn cart(State(app): State<App>, customer: Customer, CartAt(kitchen): CartAt) -> Result<Json<Value>, ApiError> {
    Ok(Json(cart_body(&app.cart.cart(&customer, &kitchen).await?)))
}

/// The customer's non-empty carts, one per kitchen, each with its kitchen.
async fn carts(State(app): State<App>, customer: Customer) -> Result<Json<Value>, ApiError> {
    let carts = app.cart.carts(&customer).await?;
    let ids: Vec<&str> = carts.iter().map(|(kitchen, _)| kitchen.as_str()).collect();
    let kitchens = app.kitchens.many(&ids).await?;
    let items: Vec<Value> = carts
        .iter()
        .filter_map(|(id, cart)| {
            let kitchen = kitchens.iter().find(|k| &k.id == id)?;
            Some(json!({
                "kitchen": {"id": kitchen.id, "slug": kitchen.slug.as_str(), "name": kitchen.name},
                "cart": cart,
            }))
        })
        .collect();
    Ok(Json(json!({ "items": items })))
}

#[derive(serde::Deserialize)]
struct LineRequest {
    #[serde(default)]
    quantity: Option<Value>,
}

/// Puts a dish in the cart at `quantity`, or changes its line.
async fn set_line(
    State(app): State<App>,
    customer: Customer,
    CartAt(kitchen): CartAt,
    PathId(id): PathId,
    JsonBody(req): JsonBody<LineRequest>,
) -> Result<Json<Value>, ApiError> {
    let id = path_id(&id, food_not_found)?;
    let quantity = Quantity::parse(req.quantity.as_ref().and_then(Value::as_i64))?;
    Ok(Json(cart_body(
        &app.cart.set_line(&customer, &kitchen, &id, quantity).await?,
    )))
}

/// Takes a dish out of the cart; a dish that is not in it changes nothing.
async fn remove_line(
    State(app): State<App>,
    customer: Customer,
    CartAt(kitchen): CartAt,
    PathId(id): PathId,
) -> Result<Json<Value>, ApiError> {
    let id = path_id(&id, food_not_found)?;
    Ok(Json(cart_body(&app.cart.remove_line(&customer, &kitchen, &id).await?)))
}

async fn clear_cart(State(app): State<App>, customer: Customer, CartAt(kitchen): CartAt) -> Result<Response, ApiError> {
    app.cart.clear(&customer, &kitchen).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The cart becomes an order (delivery or pickup), through the same placement as `POST
/// /api/orders/`; retried requests with the same `Idempotency-Key` get the first answer.
async fn checkout(
    State(app): State<App>,
    customer: Customer,
    CartAt(kitchen): CartAt,
    headers: HeaderMap,
    JsonBody(body): JsonBody<Value>,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&headers)?;
    let handover = Handover::parse(handover_input(&body), &app.config.default_country_code)?;
    let placement = app.cart.checkout(&customer, &kitchen, key, handover).await?;
    placement_response(placement)
}

/// The kitchen a path names by `{slug}` (else the home kitchen): its id and slug.
struct KitchenAt {
    id: String,
    slug: String,
}

impl FromRequestParts<App> for KitchenAt {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let params = RawPathParams::from_request_parts(parts, app)
            .await
            .map_err(|_| ApiError::not_found("route_not_found", "No route matches this path"))?;
        let slug = params
            .iter()
            .find(|(name, _)| *name == "slug")
            .map(|(_, v)| v.to_owned());
        KitchenAt::named(app, slug.as_deref()).await
    }
}

impl KitchenAt {
    /// The kitchen with this slug, or the home kitchen.
    async fn named(app: &App, slug: Option<&str>) -> Result<Self, ApiError> {
        match slug {
            Some(slug) => Ok(KitchenAt {
                id: app.kitchens.id_of(slug).await?,
                slug: slug.to_owned(),
            }),
            None => Ok(KitchenAt {
                id: app.home_kitchen().await?,
                slug: app.home_kitchen_slug().to_owned(),
            }),
        }
    }
}

/// The kitchen's coupons the caller can use now.
async fn usable_coupons(
    State(app): State<App>,
    customer: Customer,
    kitchen: KitchenAt,
) -> Result<Json<Value>, ApiError> {
    let coupons = app.coupons.usable(&kitchen.id, &customer.user_id).await?;
    let items: Vec<Value> = coupons.iter().map(|c| coupon_view(c, &kitchen.slug)).collect();
    Ok(Json(json!({ "items": items })))
}

/// What a coupon would take off the caller's order: `items`, or their cart at `kitchen`
/// (default the home kitchen). The same checks as placing the order; nothing is written.
async fn validate_coupon(
    State(app): State<App>,
    customer: Customer,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<Value>, ApiError> {
    let code = match body.get("code") {
        Some(Value::String(code)) if !code.trim().is_empty() => code.clone(),
        _ => {
            return Err(ApiError::field(
                "invalid_code",
                "code",
                "is required",
                "Give a coupon code",
            ));
        }
    };
    let slug = match body.get("kitchen") {
        None | Some(Value::Null) => None,
        Some(Value::String(slug)) => Some(slug.trim().to_owned()),
        Some(_) => {
            return Err(ApiError::field(
                "invalid_kitchen",
                "kitchen",
                "must be a kitchen's slug",
                "Invalid kitchen",
            ));
        }
    };
    let kitchen = KitchenAt::named(&app, slug.as_deref()).await?;
    let lines = match body.get("items") {
        None | Some(Value::Null) => None,
        Some(_) => Some(RequestedLine::parse_all(lines_input(&body))?),
    };
    let quote = app.orders.quote(&customer, &kitchen.id, lines, &code).await?;
    Ok(Json(json!({
        "coupon": coupon_view(&quote.coupon, &kitchen.slug),
        "subtotal": quote.subtotal,
        "discount": quote.discount,
        "currency": shared::menu::model::CURRENCY,
    })))
}

/// The caller's coupon uses, newest first.
async fn coupon_usage(
    State(app): State<App>,
    customer: Customer,
    QueryParams(query): QueryParams<PageQuery>,
) -> Result<Json<Value>, ApiError> {
    let scope = format!("coupons:usage:{}", customer.user_id);
    let page = app.cursors.page(&scope, &query)?;
    let usage = app.coupons.usage(&customer.user_id, &page).await?;
    Ok(Json(app.cursors.listing(&scope, &usage)?))
}

/// The caller's wallet (0 for a new account).
async fn wallet(State(app): State<App>, customer: Customer) -> Result<Json<Value>, ApiError> {
    let wallet = app.wallets.wallet(&customer.user_id).await?;
    Ok(Json(json!({ "wallet": shared::wallet::http::wallet_view(&wallet) })))
}

/// The caller's wallet history, the last applied first.
async fn wallet_entries(
    State(app): State<App>,
    customer: Customer,
    QueryParams(query): QueryParams<PageQuery>,
) -> Result<Json<Value>, ApiError> {
    let scope = format!("wallet:{}", customer.user_id);
    let page = app.cursors.page(&scope, &query)?;
    let entries = app.wallets.entries(&customer.user_id, &page).await?;
    Ok(Json(app.cursors.listing(&scope, &entries)?))
}

/// Pays the caller's pending, unpaid order from their wallet, in one write.
async fn pay_from_wallet(
    State(app): State<App>,
    customer: Customer,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = path_id(&id, order_not_found)?;
    let order = app.orders.pay_from_wallet(&customer, &id).await?;
    Ok(Json(order_body(&order, ChangedBy::Customer)))
}
