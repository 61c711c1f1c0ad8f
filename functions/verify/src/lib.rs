//! `verify` function: the routes that check and send codes: `verify/`, `resend-otp/`,
//! `password/forgot/`, `password/reset/`, and signing in with a code (`login/code/` and
//! `login/code/verify/`, which starts a session: this function also holds the token keys).

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};
use shared::accounts::http::SourceAddress;
use shared::accounts::model::fields;
use shared::http::{JsonBody, Service, service};
use shared::{ApiError, App};

pub fn router(app: App) -> Service {
    service(
        Router::new()
            .route("/api/auths/verify", post(verify))
            .route("/api/auths/resend-otp", post(resend))
            .route("/api/auths/password/forgot", post(forgot))
            .route("/api/auths/password/reset", post(reset))
            .route("/api/auths/login/code", post(login_code))
            .route("/api/auths/login/code/verify", post(login_with_code)),
        app,
    )
}

#[derive(Debug, Deserialize)]
pub struct VerifyRequest {
    #[serde(default)]
    pub identifier: Option<String>,
    #[serde(default)]
    pub otp: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct ResendRequest {
    #[serde(default)]
    pub identifier: Option<String>,
}

async fn verify(State(app): State<App>, JsonBody(req): JsonBody<VerifyRequest>) -> Result<Json<Value>, ApiError> {
    let (identifier, otp) = fields::all2(
        fields::identifier(req.identifier.as_deref(), &app.accounts.settings().default_country),
        fields::otp(req.otp.as_deref()),
    )?;
    let account = app.accounts.verify(&identifier, &otp).await?;
    Ok(Json(json!({ "user": account.user() })))
}

async fn resend(
    State(app): State<App>,
    SourceAddress(source): SourceAddress,
    JsonBody(req): JsonBody<ResendRequest>,
) -> Result<Json<Value>, ApiError> {
    let identifier = fields::identifier(req.identifier.as_deref(), &app.accounts.settings().default_country)?;
    let code = app.accounts.resend(&identifier, &source).await?;
    Ok(Json(json!({ "otp": code })))
}

#[derive(Debug, Deserialize)]
pub struct ResetRequest {
    #[serde(default)]
    pub identifier: Option<String>,
    #[serde(default)]
    pub otp: Option<String>,
    #[serde(default)]
    pub new_password: Option<String>,
}

/// The same 202 for known and unknown identifiers; only known ones are sent a code.
async fn forgot(
    State(app): State<App>,
    SourceAddress(source): SourceAddress,
    JsonBody(req): JsonBody<ResendRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let identifier = fields::identifier(req.identifier.as_deref(), &app.accounts.settings().default_country)?;
    let code = app.accounts.forgot(&identifier, &source).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "otp": { "channel": code.channel, "expires_in": code.expires_in } })),
    ))
}

async fn reset(State(app): State<App>, JsonBody(req): JsonBody<ResetRequest>) -> Result<Json<Value>, ApiError> {
    let (identifier, otp, new_password) = fields::all3(
        fields::identifier(req.identifier.as_deref(), &app.accounts.settings().default_country),
        fields::otp(req.otp.as_deref()),
        fields::new_password_field(req.new_password, "new_password"),
    )?;
    let account = app.accounts.reset(&identifier, &otp, new_password).await?;
    Ok(Json(json!({ "user": account.user() })))
}

/// The same 202 for known and unknown identifiers, as `forgot`; only known ones are sent a code.
async fn login_code(
    State(app): State<App>,
    SourceAddress(source): SourceAddress,
    JsonBody(req): JsonBody<ResendRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let identifier = fields::identifier(req.identifier.as_deref(), &app.accounts.settings().default_country)?;
    let code = app.accounts.login_code(&identifier, &source).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "otp": { "channel": code.channel, "expires_in": code.expires_in } })),
    ))
}

/// Signs in with the code: the same body as a login.
async fn login_with_code(
    State(app): State<App>,
    JsonBody(req): JsonBody<VerifyRequest>,
) -> Result<axum::response::Response, ApiError> {
    let (identifier, otp) = fields::all2(
        fields::identifier(req.identifier.as_deref(), &app.accounts.settings().default_country),
        fields::otp(req.otp.as_deref()),
    )?;
    let logged_in = app.accounts.login_with_code(&identifier, &otp).await?;
    let mut body = shared::accounts::http::token_body(&logged_in.tokens);
    body["user"] = json!(logged_in.account.user());
    Ok(shared::http::no_store(Json(body)))
}
