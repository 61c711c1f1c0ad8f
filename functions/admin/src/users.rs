//! `GET /api/auths/admin/users/`: accounts, newest first, without hashes or codes.

use axum::Json;
use axum::extract::State;
use serde_json::Value;
use shared::accounts::http::Admin;
use shared::http::QueryParams;
use shared::pagination::PageQuery;
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
