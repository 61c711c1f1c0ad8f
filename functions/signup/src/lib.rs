//! `signup` function: `POST /api/auths/signup/`.

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
    service(Router::new().route("/api/auths/signup", post(signup)), app)
}

#[derive(Debug, Deserialize)]
pub struct SignupRequest {
    #[serde(default)]
    pub identifier: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub referral_code: Option<String>,
}

/// Every field is validated before any work, and every problem reported at once.
async fn signup(
    State(app): State<App>,
    SourceAddress(source): SourceAddress,
    JsonBody(req): JsonBody<SignupRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let (identifier, password, referrer) = fields::all3(
        fields::identifier(req.identifier.as_deref(), &app.accounts.settings().default_country),
        fields::new_password(req.password),
        fields::referral_code(req.referral_code.as_deref()),
    )?;
    let signed_up = app.accounts.signup(identifier, password, referrer, &source).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "user": signed_up.account.user(), "otp": signed_up.code })),
    ))
}
