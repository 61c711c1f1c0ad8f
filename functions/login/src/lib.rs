//! `login` function: login, token refresh, logout and the caller's own profile (`me`).

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};
use shared::auth::{Caller, session_ended, unauthorized};
use shared::domain::profile::ProfileUpdate;
use shared::domain::tokens::{Subject, TokenType};
use shared::domain::{now_epoch, now_rfc3339};
use shared::http::{JsonBody, Service, no_store, service};
use shared::platform::patch::Patch;
use shared::store::sessions::{RotateOutcome, SessionItem};
use shared::store::throttle::Window;
use shared::{ApiError, App, input};
use ulid::Ulid;

pub fn router(app: App) -> Service {
    service(
        Router::new()
            .route("/api/auths/login", post(login))
            .route("/api/auths/token/refresh", post(refresh))
            .route("/api/auths/logout", post(logout))
            .route("/api/auths/me", get(me).patch(update_me)),
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

fn invalid_credentials() -> ApiError {
    ApiError::Unauthorized {
        code: "invalid_credentials",
        message: "Invalid credentials",
    }
}

/// The token pair as login and refresh answer it.
fn token_body(app: &App, access: String, refresh: String) -> Value {
    json!({
        "access": access,
        "refresh": refresh,
        "token_type": "Bearer",
        "expires_in": app.tokens.access_ttl.as_secs(),
        "refresh_expires_in": app.tokens.refresh_ttl.as_secs(),
    })
}

async fn login(State(app): State<App>, JsonBody(req): JsonBody<LoginRequest>) -> Result<Response, ApiError> {
    let identifier = input::identifier(req.identifier.as_deref(), &app.config.default_country_code);
    let password = input::login_password(req.password);
    let (identifier, password) = match (identifier, password) {
        (Ok(i), Ok(p)) => (i, p),
        (i, p) => return Err(ApiError::merge([i.err(), p.err()])),
    };

    let key = identifier.storage_key();
    let now = now_epoch();
    let window = Window::at(now, app.config.login_window.as_secs() as i64);
    let (account, failures) = app.store.account_for_login(&key, window).await?;
    // Throttled per identifier whether or not it has an account, so the answer reveals nothing.
    if failures >= app.config.login_max_failures {
        return Err(ApiError::TooManyRequests {
            code: "too_many_login_attempts",
            message: "Too many failed logins. Please wait and try again",
            retry_after: Some(window.retry_after(now)),
        });
    }
    // Unknown users are checked against a dummy hash: same work, same answer, same time.
    let stored_hash = account.as_ref().map(|a| a.password_hash.clone());
    if !app.passwords.verify(password, stored_hash).await {
        app.store.record_login_failure(&key, window).await?;
        return Err(invalid_credentials());
    }
    let Some(account) = account else {
        return Err(invalid_credentials());
    };
    if !account.is_verified {
        return Err(ApiError::Forbidden {
            code: "account_not_verified",
            message: "Account not verified",
        });
    }

    let subject = Subject {
        user_id: account.id.clone(),
        identifier_key: account.identifier_key.clone(),
        role: account.role,
        session_id: Ulid::new().to_string(),
    };
    let refresh = app
        .tokens
        .issue(TokenType::Refresh, &subject)
        .map_err(ApiError::internal)?;
    let access = app
        .tokens
        .issue(TokenType::Access, &subject)
        .map_err(ApiError::internal)?;
    let session = SessionItem::new(
        &subject.session_id,
        &account,
        &refresh.claims.jti,
        refresh.claims.exp,
        now_rfc3339(),
    );
    if failures > 0 {
        let (created, cleared) = tokio::join!(
            app.store.create_session(&session),
            app.store.clear_login_failures(&key, window)
        );
        created?;
        cleared?;
    } else {
        app.store.create_session(&session).await?;
    }
    tracing::info!(user_id = %account.id, session_id = %subject.session_id, "logged in");

    let mut body = token_body(&app, access.token, refresh.token);
    body["user"] = json!(account.to_user());
    Ok(no_store(Json(body)))
}

async fn refresh(State(app): State<App>, JsonBody(req): JsonBody<RefreshRequest>) -> Result<Response, ApiError> {
    let token = input::required(req.refresh.as_deref(), "refresh")?;
    let claims = app.tokens.verify(token, TokenType::Refresh).map_err(unauthorized)?;
    let subject = Subject {
        user_id: claims.sub.clone(),
        identifier_key: claims.idk.clone(),
        role: claims.role,
        session_id: claims.sid.clone(),
    };
    let next = app
        .tokens
        .issue(TokenType::Refresh, &subject)
        .map_err(ApiError::internal)?;
    match app
        .store
        .rotate_session(&claims.sid, &claims.jti, &next.claims.jti, next.claims.exp)
        .await?
    {
        RotateOutcome::Rotated(session) => {
            // The role is the session's, as recorded at login.
            let subject = Subject {
                role: session.role,
                ..subject
            };
            let access = app
                .tokens
                .issue(TokenType::Access, &subject)
                .map_err(ApiError::internal)?;
            Ok(no_store(Json(token_body(&app, access.token, next.token))))
        }
        RotateOutcome::Reused => Err(ApiError::Unauthorized {
            code: "token_reused",
            message: "This refresh token was already used. The session has been ended; please log in again",
        }),
        RotateOutcome::Revoked => Err(session_ended()),
    }
}

async fn logout(State(app): State<App>, JsonBody(req): JsonBody<RefreshRequest>) -> Result<Response, ApiError> {
    let token = input::required(req.refresh.as_deref(), "refresh")?;
    let claims = app.tokens.verify(token, TokenType::Refresh).map_err(unauthorized)?;
    app.store.revoke_session(&claims.sid).await?;
    tracing::info!(user_id = %claims.sub, session_id = %claims.sid, "logged out");
    Ok(no_store(StatusCode::NO_CONTENT.into_response()))
}

async fn me(State(app): State<App>, caller: Caller) -> Result<Json<Value>, ApiError> {
    let (account, session) = app
        .store
        .account_and_session(caller.identifier_key(), caller.session_id())
        .await?;
    if !session.is_some_and(|s| s.is_active(now_epoch()) && s.user_id == caller.user_id()) {
        return Err(session_ended());
    }
    let account = account.ok_or_else(session_ended)?;
    Ok(Json(json!({ "user": account.to_user() })))
}

async fn update_me(
    State(app): State<App>,
    caller: Caller,
    JsonBody(req): JsonBody<ProfileRequest>,
) -> Result<Json<Value>, ApiError> {
    let update = ProfileUpdate::parse(req.first_name, req.last_name, req.address, req.gender)?;
    caller.ensure_live(&app).await?;
    let account = app
        .store
        .update_profile(caller.identifier_key(), &update, &now_rfc3339())
        .await?
        .ok_or_else(session_ended)?;
    Ok(Json(json!({ "user": account.to_user() })))
}
