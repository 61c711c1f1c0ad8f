//! `verify` function: the routes that check and send codes: `verify/`, `resend-otp/`,
//! `password/forgot/` and `password/reset/`.

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
            .route("/api/auths/password/reset", post(reset)),
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
