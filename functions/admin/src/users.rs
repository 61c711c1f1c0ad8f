//! `GET /api/auths/admin/users/`: accounts, newest first, without hashes or codes.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};
use shared::auth::Admin;
use shared::http::QueryParams;
use shared::pagination::PageQuery;
use shared::{ApiError, App};

pub async fn list(
    State(app): State<App>,
    admin: Admin,
    QueryParams(query): QueryParams<PageQuery>,
) -> Result<Json<Value>, ApiError> {
    let scope = "users";
    let page = app.cursors.page(scope, &query)?;
    let (accounts, last_key) = admin.live(&app, app.store.users_page(&page)).await?;
    let next_cursor = last_key.map(|k| app.cursors.encode(scope, &k)).transpose()?;
    let items: Vec<_> = accounts.iter().map(|a| a.to_user()).collect();
    Ok(Json(json!({ "items": items, "next_cursor": next_cursor })))
}
