//! `verify` function: `POST /api/auths/verify/` and `POST /api/auths/resend-otp/`.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use shared::accounts::model::fields;
use shared::http::{JsonBody, Service, service};
use shared::{ApiError, App};

pub fn router(app: App) -> Service {
    service(
        Router::new()
            .route("/api/auths/verify", post(verify))
            .route("/api/auths/resend-otp", post(resend)),
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

async fn resend(State(app): State<App>, JsonBody(req): JsonBody<ResendRequest>) -> Result<Json<Value>, ApiError> {
    let identifier = fields::identifier(req.identifier.as_deref(), &app.accounts.settings().default_country)?;
    let code = app.accounts.resend(&identifier).await?;
    Ok(Json(json!({ "otp": code })))
}
