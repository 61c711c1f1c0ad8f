//! `payments` function: a customer pays for an order through Paystack (`pay` opens a transaction
//! and answers the checkout URL; `pay/verify` asks Paystack after the customer comes back), and
//! Paystack's signed webhook tells the kitchen an order is paid, or a refund settled.
//!
//! It is also the refund worker: the table's change stream (filtered to cancelled orders paid
//! through Paystack, `infra/template.yaml`) hands it each such order, and it asks Paystack for the
//! refund (`refund_pending`, or `refund_failed` when Paystack refuses). It is the only function
//! that holds Paystack's key; cancelling an order never waits for Paystack.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::post;
use axum::{Json, Router};
use bytes::Bytes;
use serde_json::{Value, json};
use shared::accounts::http::Customer;
use shared::http::{MAX_BODY_BYTES, Service, parse_json, path_id, service};
use shared::orders::http::order_not_found;
use shared::payments::http::payment_body;
use shared::payments::model::callback_url;
use shared::payments::service::PaymentService;
use shared::platform::routes::PAYSTACK_SIGNATURE;
use shared::{ApiError, App};

use aws_lambda_events::event::dynamodb::Event as DynamoDbEvent;
use aws_lambda_events::event::streams::DynamoDbEventResponse;

pub fn router(app: App) -> Service {
    service(
        Router::new()
            .route("/api/orders/{id}/pay", post(pay))
            .route("/api/orders/{id}/pay/verify", post(verify))
            .route("/api/payments/paystack/webhook", post(webhook))
            .route("/api/wallet/deposit", post(deposit))
            .route("/api/wallet/deposit/verify", post(verify_deposit)),
        app,
    )
}

fn payments(app: &App) -> Result<&PaymentService, ApiError> {
    app.payments
        .as_ref()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("this function holds no Paystack key")))
}

#[derive(Debug, Default, serde::Deserialize)]
struct PayRequest {
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    callback_url: Option<String>,
}

/// Opens (or returns the open) Paystack transaction for the order's total.
async fn pay(
    State(app): State<App>,
    customer: Customer,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let id = path_id(&id, order_not_found)?;
    // The body is optional: no body is `{}`.
    let req: PayRequest = if body.iter().all(u8::is_ascii_whitespace) {
        PayRequest::default()
    } else if body.len() > MAX_BODY_BYTES {
        return Err(ApiError::PayloadTooLarge);
    } else {
        parse_json(&body)?
    };
    let email = checked_email(req.email)?;
    let callback = checked_callback(&app, req.callback_url.as_deref())?;
    let payment = payments(&app)?.pay(&customer, &id, email, callback).await?;
    Ok(Json(payment_body(&payment)))
}

/// The receipt address a customer gave, if any (blank is none).
fn checked_email(email: Option<String>) -> Result<Option<String>, ApiError> {
    let email = email.map(|e| e.trim().to_owned()).filter(|e| !e.is_empty());
    if email
        .as_deref()
        .is_some_and(|e| !email_address::EmailAddress::is_valid(e))
    {
        return Err(ApiError::field(
            "invalid_email",
            "email",
            "is not an email address",
            "Invalid email",
        ));
    }
    Ok(email)
}

/// Where Paystack sends the customer back: only this app's own address.
fn checked_callback(app: &App, raw: Option<&str>) -> Result<Option<String>, ApiError> {
    match raw {
        None => Ok(None),
        Some(raw) => callback_url(raw, app.config.app_url.as_ref()).map_err(|foreign| {
            ApiError::field(
                "invalid_callback_url",
                "callback_url",
                foreign.to_string(),
                "The callback URL must be on this app's own address",
            )
        }),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct DepositRequest {
    #[serde(default)]
    amount: Option<Value>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    callback_url: Option<String>,
}

/// Opens a Paystack transaction that tops up the caller's wallet.
async fn deposit(
    State(app): State<App>,
    customer: Customer,
    shared::http::JsonBody(req): shared::http::JsonBody<DepositRequest>,
) -> Result<Json<Value>, ApiError> {
    let amount = shared::wallet::model::deposit_amount(req.amount.as_ref().and_then(Value::as_i64))?;
    let email = checked_email(req.email)?;
    let callback = checked_callback(&app, req.callback_url.as_deref())?;
    let payment = payments(&app)?.deposit(&customer, amount, email, callback).await?;
    Ok(Json(payment_body(&payment)))
}

#[derive(Debug, Default, serde::Deserialize)]
struct VerifyDepositRequest {
    #[serde(default)]
    reference: Option<Value>,
}

/// Asks Paystack about the caller's deposit and credits it if paid (once).
async fn verify_deposit(
    State(app): State<App>,
    customer: Customer,
    shared::http::JsonBody(req): shared::http::JsonBody<VerifyDepositRequest>,
) -> Result<Json<Value>, ApiError> {
    let reference = match req.reference.as_ref().and_then(Value::as_str).map(str::trim) {
        Some(r) if !r.is_empty() => r.to_owned(),
        _ => {
            return Err(ApiError::field(
                "invalid_reference",
                "reference",
                "is required",
                "Give the deposit's reference",
            ));
        }
    };
    let wallet = payments(&app)?.verify_deposit(&customer, &reference).await?;
    Ok(Json(json!({ "wallet": shared::wallet::http::wallet_view(&wallet) })))
}

/// Asks Paystack about the order's payment and applies what it says.
async fn verify(State(app): State<App>, customer: Customer, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let id = path_id(&id, order_not_found)?;
    let order = payments(&app)?.verify(&customer, &id).await?;
    Ok(Json(shared::orders::http::order_body(
        &order,
        shared::orders::model::ChangedBy::Customer,
    )))
}

/// Paystack's webhook: the signature is checked over the exact bytes received, before parsing.
/// Every delivery Paystack should not retry is acknowledged with `{"received": true}`.
async fn webhook(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Result<Json<Value>, ApiError> {
    let signature = PAYSTACK_SIGNATURE.read(&headers).map(|v| v.as_bytes());
    payments(&app)?.webhook(&body, signature).await?;
    Ok(Json(json!({ "received": true })))
}

/// The name the action log and the template know this function by.
pub const FUNCTION: &str = "payments";

/// Whether a Lambda event is a batch from the table's change stream (else it is API Gateway's).
pub fn is_stream_batch(event: &Value) -> bool {
    event["Records"]
        .as_array()
        .and_then(|records| records.first())
        .is_some_and(|r| r["eventSource"] == "aws:dynamodb")
}

/// The refund worker: asks Paystack for the refund each cancelled order of the batch is owed,
/// in order; one that fails (Paystack out of reach, the table failing) is tried again for up to
/// `patience`, then reported, so the stream retries from it and nothing after it is skipped.
pub async fn refund_batch(
    payments: &PaymentService,
    event: &DynamoDbEvent,
    patience: std::time::Duration,
) -> DynamoDbEventResponse {
    use shared::platform::stream::{in_order, string_of};
    in_order(FUNCTION, event, patience, async |record| {
        // Orders only (the stream's filter on AWS lets nothing else through; the local feed
        // hands every change): the order as it is now decides what is owed.
        if string_of(&record.change.keys, "SK") != Some("ORDER") {
            return Ok(());
        }
        match string_of(&record.change.new_image, "id") {
            Some(order_id) => payments.refund_cancelled(order_id).await.map(|_| ()),
            None => Ok(()),
        }
    })
    .await
}
