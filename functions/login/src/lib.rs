//! `login` function: login, token refresh, logout, the caller's own profile (`me`) and their
//! inbox (notifications, unread count, read, read all) and the ticket that opens their live
//! updates' WebSocket.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};
use shared::accounts::http::{Caller, SourceAddress, token_body};
use shared::accounts::model::fields;
use shared::accounts::model::profile::ProfileUpdate;
use shared::http::{JsonBody, Service, no_store, service};
use shared::platform::patch::Patch;
use shared::{ApiError, App};

pub fn router(app: App) -> Service {
    service(
        Router::new()
            .route("/api/auths/login", post(login))
            .route("/api/auths/token/refresh", post(refresh))
            .route("/api/auths/logout", post(logout))
            .route("/api/auths/logout-all", post(logout_all))
            .route("/api/auths/password/change", post(change_password))
            .route("/api/auths/me", get(me).patch(update_me))
            .route("/api/notifications", get(notifications))
            .route("/api/notifications/unread-count", get(unread_count))
            .route("/api/notifications/read-all", post(read_all))
            .route("/api/notifications/{id}/read", post(read))
            .route("/api/realtime/ticket", post(realtime_ticket)),
        app,
    )
}

#[derive(Debug, Deserialize)]
pub struct LoginRequest {
    #[serde(default)]
    pub identifier: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct RefreshRequest {
    #[serde(default)]
    pub refresh: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct ProfileRequest {
    #[serde(default)]
    pub first_name: Patch<String>,
    #[serde(default)]
    pub last_name: Patch<String>,
    #[serde(default)]
    pub address: Patch<String>,
    #[serde(default)]
    pub gender: Patch<String>,
}

async fn login(
    State(app): State<App>,
    SourceAddress(source): SourceAddress,
    JsonBody(req): JsonBody<LoginRequest>,
) -> Result<Response, ApiError> {
    let (identifier, password) = fields::all2(
        fields::identifier(req.identifier.as_deref(), &app.accounts.settings().default_country),
        fields::login_password(req.password),
    )?;
    let logged_in = app.accounts.login(&identifier, password, &source).await?;
    let mut body = token_body(&logged_in.tokens);
    body["user"] = json!(logged_in.account.user());
    Ok(no_store(Json(body)))
}

async fn refresh(State(app): State<App>, JsonBody(req): JsonBody<RefreshRequest>) -> Result<Response, ApiError> {
    let token = fields::required(req.refresh.as_deref(), "refresh")?;
    let pair = app.accounts.refresh(token).await?;
    Ok(no_store(Json(token_body(&pair))))
}

async fn logout(State(app): State<App>, JsonBody(req): JsonBody<RefreshRequest>) -> Result<Response, ApiError> {
    let token = fields::required(req.refresh.as_deref(), "refresh")?;
    app.accounts.logout(token).await?;
    Ok(no_store(StatusCode::NO_CONTENT.into_response()))
}

#[derive(Debug, Deserialize)]
pub struct ChangePasswordRequest {
    #[serde(default)]
    pub current_password: Option<String>,
    #[serde(default)]
    pub new_password: Option<String>,
}

/// Every session ends, this one included; the answer is a fresh login.
async fn change_password(
    State(app): State<App>,
    caller: Caller,
    JsonBody(req): JsonBody<ChangePasswordRequest>,
) -> Result<Response, ApiError> {
    let (current, new_password) = fields::all2(
        fields::typed_password(req.current_password, "current_password"),
        fields::new_password_field(req.new_password, "new_password"),
    )?;
    let logged_in = app.accounts.change_password(&caller, current, new_password).await?;
    let mut body = token_body(&logged_in.tokens);
    body["user"] = json!(logged_in.account.user());
    Ok(no_store(Json(body)))
}

/// Ends every session of the caller, this one included.
async fn logout_all(State(app): State<App>, caller: Caller) -> Result<Response, ApiError> {
    app.accounts.logout_all(&caller).await?;
    Ok(no_store(StatusCode::NO_CONTENT.into_response()))
}

/// The caller's account, with their tier and what earned it (read side by side).
async fn me(State(app): State<App>, caller: Caller) -> Result<Json<Value>, ApiError> {
    let (account, standing) = tokio::join!(app.accounts.me(&caller), app.coupons.standing(&caller.user_id));
    let (account, (stats, tier)) = (account?, standing?);
    let mut user = json!(account.user());
    user["tier"] = json!(tier.as_str());
    user["stats"] = json!(stats);
    Ok(Json(json!({ "user": user })))
}

async fn update_me(
    State(app): State<App>,
    caller: Caller,
    JsonBody(req): JsonBody<ProfileRequest>,
) -> Result<Json<Value>, ApiError> {
    let update = ProfileUpdate::parse(req.first_name, req.last_name, req.address, req.gender)?;
    let account = app.accounts.update_profile(&caller, &update).await?;
    Ok(Json(json!({ "user": account.user() })))
}

/// The caller's notifications, newest first.
async fn notifications(
    State(app): State<App>,
    caller: Caller,
    shared::http::QueryParams(query): shared::http::QueryParams<shared::pagination::PageQuery>,
) -> Result<Json<Value>, ApiError> {
    let scope = format!("inbox:{}", caller.user_id);
    let page = app.cursors.page(&scope, &query)?;
    let found = app.inbox.page(&caller.user_id, &page).await?;
    Ok(Json(app.cursors.listing(&scope, &found)?))
}

async fn unread_count(State(app): State<App>, caller: Caller) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!({ "unread": app.inbox.unread(&caller.user_id).await? })))
}

/// Marks one of the caller's notifications read (another's: 404).
async fn read(
    State(app): State<App>,
    caller: Caller,
    shared::http::PathId(id): shared::http::PathId,
) -> Result<Json<Value>, ApiError> {
    let id = shared::http::path_id(&id, shared::inbox::http::notification_not_found)?;
    let notification = app.inbox.read(&caller.user_id, &id).await?;
    Ok(Json(json!({ "notification": notification })))
}

async fn read_all(State(app): State<App>, caller: Caller) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!({ "unread": app.inbox.read_all(&caller.user_id).await? })))
}

/// A single-use ticket, good for 60 s, that opens the caller's live-update WebSocket at `url`.
async fn realtime_ticket(State(app): State<App>, caller: Caller) -> Result<Response, ApiError> {
    let Some(url) = app.config.realtime_url.clone() else {
        return Err(ApiError::Unavailable(anyhow::anyhow!(
            "live updates are not configured (REALTIME_URL); the apps poll"
        )));
    };
    let holder = shared::realtime::model::Holder {
        user_id: caller.user_id.clone(),
        platform_admin: caller.role == shared::accounts::model::Role::Admin,
    };
    let ticket = app.realtime.ticket(&holder).await?;
    Ok(no_store(Json(json!({
        "ticket": ticket.as_str(),
        "url": url,
        "expires_in": shared::realtime::model::TICKET_SECS,
    }))))
}
