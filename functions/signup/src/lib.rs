//! `signup` function: `POST /api/auths/signup/`.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};
use shared::domain::{ReferralCode, Role, now_rfc3339};
use shared::http::{JsonBody, Service, service};
use shared::store::accounts::{AccountItem, CreateOutcome};
use shared::{ApiError, App, input, verification};

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

async fn signup(
    State(app): State<App>,
    JsonBody(req): JsonBody<SignupRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    // Validate every field before any work, and report all problems at once.
    let identifier = input::identifier(req.identifier.as_deref(), &app.config.default_country_code);
    let password = input::new_password(req.password);
    let referrer = match req.referral_code.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(raw) => ReferralCode::parse(raw).map(Some).map_err(|e| {
            ApiError::field(
                "invalid_referral_code",
                "referral_code",
                e.to_string(),
                "Invalid referral code",
            )
        }),
    };
    let (identifier, password, referrer) = match (identifier, password, referrer) {
        (Ok(i), Ok(p), Ok(r)) => (i, p, r),
        (i, p, r) => return Err(ApiError::merge([i.err(), p.err(), r.err()])),
    };

    let password_hash = app.passwords.hash(password).await.map_err(ApiError::internal)?;
    let (otp, otp_item) = verification::issue(&app, &identifier);
    let mut account = AccountItem::new(&identifier, password_hash, Role::Customer, false, now_rfc3339());
    account.referred_by = referrer.as_ref().map(|r| r.as_str().to_owned());

    let outcome = app
        .store
        .create_account_retrying(
            &mut account,
            Some((&otp_item, app.config.otp_daily_limit)),
            referrer.as_ref().map(|r| r.as_str()),
        )
        .await?;
    match outcome {
        CreateOutcome::Created => {}
        CreateOutcome::IdentifierTaken => {
            return Err(ApiError::conflict("identifier_taken", identifier.taken_message()));
        }
        CreateOutcome::ReferrerNotFound => {
            return Err(ApiError::field(
                "invalid_referral_code",
                "referral_code",
                "belongs to no user",
                "Invalid referral code",
            ));
        }
        other => {
            return Err(ApiError::internal(anyhow::anyhow!(
                "unexpected signup outcome {other:?}"
            )));
        }
    }
    tracing::info!(user_id = %account.id, channel = ?identifier.channel(), "account created");

    let status = verification::deliver(&app, &identifier, &otp, &otp_item).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "user": account.to_user(), "otp": status })),
    ))
}
