//! `expiry` function: run every minute by an EventBridge schedule, it cancels (as `system`)
//! every unpaid pending order older than `UNPAID_ORDER_TTL_MINUTES`, giving its stock back, so
//! stock cannot be hoarded with orders nobody pays. It reads the pending orders placed before
//! the cutoff with one Query of the status index (never a scan); the customer is told by the
//! notifier, from the change stream.

use shared::orders::{OrderError, OrderService};

/// The name the action log and the template know this function by.
pub const FUNCTION: &str = "expiry";

/// Orders one sweep expires at most (the rest wait a minute for the next sweep).
pub const SWEEP_LIMIT: i32 = 200;

/// One sweep at `now` (epoch seconds): how many orders expired. Logs one "sweep finished" line
/// with what it cost in DynamoDB.
pub async fn sweep(orders: &OrderService, now: i64) -> Result<usize, OrderError> {
    let started = std::time::Instant::now();
    let (result, db) = shared::platform::db::measure(shared::platform::actions::within(
        FUNCTION,
        orders.expire_unpaid(now, SWEEP_LIMIT),
    ))
    .await;
    shared::log_finished!("sweep finished", db, started, expired = *result.as_ref().unwrap_or(&0),);
    result
}

/// The Lambda entry point: the schedule's event carries nothing the sweep needs.
pub async fn handler(
    orders: &OrderService,
    _event: lambda_runtime::LambdaEvent<serde_json::Value>,
) -> Result<serde_json::Value, lambda_runtime::Error> {
    let expired = sweep(orders, shared::platform::clock::now_epoch())
        .await
        .map_err(|err| {
            tracing::error!(error = %err, "sweep failed; the next one tries again");
            lambda_runtime::Error::from(err.to_string())
        })?;
    Ok(serde_json::json!({ "expired": expired }))
}
