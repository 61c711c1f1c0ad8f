//! `GET /api/auths/admin/users/`: accounts, newest first, without hashes or codes; and the
//! platform admin's signed wallet adjustments (`POST /api/auths/admin/users/{id}/wallet/`).

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};
use shared::accounts::http::Admin;
use shared::http::QueryParams;
use shared::http::{JsonBody, PathId, path_id};
use shared::pagination::PageQuery;
use shared::wallet::http::wallet_view;
use shared::wallet::model::Adjustment;
use shared::{ApiError, App};

pub async fn list(
    State(app): State<App>,
    _admin: Admin,
    QueryParams(query): QueryParams<PageQuery>,
) -> Result<Json<Value>, ApiError> {
    const SCOPE: &str = "users";
    let page = app.cursors.page(SCOPE, &query)?;
    let users = app.accounts.users(&page).await?.map(|a| a.user());
    Ok(Json(app.cursors.listing(SCOPE, &users)?))
}

#[derive(Debug, serde::Deserialize)]
pub struct AdjustRequest {
    #[serde(default)]
    amount: Option<Value>,
    #[serde(default)]
    note: Option<Value>,
}

fn user_not_found() -> ApiError {
    ApiError::not_found("user_not_found", "User not found")
}

/// Moves a customer's wallet by a signed amount (not 0), with a note saying why; never below 0.
pub async fn adjust_wallet(
    State(app): State<App>,
    admin: Admin,
    PathId(id): PathId,
    JsonBody(req): JsonBody<AdjustRequest>,
) -> Result<Json<Value>, ApiError> {
    let id = path_id(&id, user_not_found)?;
    let adjustment = Adjustment::parse(
        req.amount.as_ref().and_then(Value::as_i64),
        req.note.as_ref().and_then(Value::as_str),
    )?;
    app.accounts.account_by_id(&id).await?.ok_or_else(user_not_found)?;
    let wallet = app.wallets.adjust(&id, &admin.user_id, &adjustment).await?;
    Ok(Json(json!({ "wallet": wallet_view(&wallet) })))
}
