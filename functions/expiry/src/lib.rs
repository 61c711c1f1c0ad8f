//! `expiry` function: run every minute by an EventBridge schedule, it cancels (as `system`)
//! every unpaid pending order older than `UNPAID_ORDER_TTL_MINUTES`, giving its stock back, so
//! stock cannot be hoarded with orders nobody pays. For each kitchen (the directory, a page at a
//! time) it reads the pending orders placed before the cutoff with one Query of that kitchen's
//! board index (never a scan); the customer is told by the notifier, from the change stream.

use shared::App;
use shared::orders::OrderError;
use shared::platform::pagination::PageRequest;

/// The name the action log and the template know this function by.
pub const FUNCTION: &str = "expiry";

/// Orders one sweep expires at most (the rest wait a minute for the next sweep).
pub const SWEEP_LIMIT: i32 = 200;

/// One sweep at `now` (epoch seconds): how many orders expired. Logs one "sweep finished" line
/// with what it cost in DynamoDB.
pub async fn sweep(app: &App, now: i64) -> Result<usize, OrderError> {
    let started = std::time::Instant::now();
    let (result, db) =
        shared::platform::db::measure(shared::platform::actions::within(FUNCTION, every_kitchen(app, now))).await;
    shared::log_finished!("sweep finished", db, started, expired = *result.as_ref().unwrap_or(&0),);
    result
}

/// Each kitchen's expired orders, up to [`SWEEP_LIMIT`] in all.
async fn every_kitchen(app: &App, now: i64) -> Result<usize, OrderError> {
    let mut expired = 0;
    let mut page = PageRequest {
        limit: 100,
        start: None,
    };
    loop {
        let kitchens = app.kitchens.all(None, &page).await.map_err(|err| match err {
            shared::kitchens::KitchenError::Failure(failure) => OrderError::Failure(failure),
            other => OrderError::Failure(shared::error::Failure::bug(other)),
        })?;
        for kitchen in &kitchens.items {
            let left = SWEEP_LIMIT - expired as i32;
            if left <= 0 {
                return Ok(expired);
            }
            expired += app.orders.expire_unpaid(Some(&kitchen.id), now, left).await?;
        }
        match kitchens.last_key {
            Some(key) => page.start = Some(key),
            None => return Ok(expired),
        }
    }
}

/// The Lambda entry point: the schedule's event carries nothing the sweep needs.
pub async fn handler(
    app: &App,
    _event: lambda_runtime::LambdaEvent<serde_json::Value>,
) -> Result<serde_json::Value, lambda_runtime::Error> {
    let expired = sweep(app, shared::platform::clock::now_epoch()).await.map_err(|err| {
        tracing::error!(error = %err, "sweep failed; the next one tries again");
        lambda_runtime::Error::from(err.to_string())
    })?;
    Ok(serde_json::json!({ "expired": expired }))
}
