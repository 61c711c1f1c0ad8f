//! `verify` function: `POST /api/auths/verify/` and `POST /api/auths/resend-otp/`.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use shared::domain::{now_epoch, now_rfc3339};
use shared::http::{JsonBody, Service, service};
use shared::store::accounts::{ReplaceOutcome, VerifyOutcome};
use shared::{ApiError, App, input, verification};

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

fn user_not_found() -> ApiError {
    ApiError::not_found("user_not_found", "User not found")
}

fn already_verified() -> ApiError {
    ApiError::conflict("already_verified", "Account already verified")
}

fn invalid_otp() -> ApiError {
    ApiError::field("invalid_otp", "otp", "does not match", "Invalid OTP")
}

fn otp_expired() -> ApiError {
    ApiError::field(
        "otp_expired",
        "otp",
        "has expired",
        "OTP expired. Please request a new one",
    )
}

fn too_many_attempts() -> ApiError {
    ApiError::TooManyRequests {
        code: "too_many_attempts",
        message: "Too many wrong codes. Please request a new one",
        retry_after: None,
    }
}

async fn verify(State(app): State<App>, JsonBody(req): JsonBody<VerifyRequest>) -> Result<Json<Value>, ApiError> {
    let identifier = input::identifier(req.identifier.as_deref(), &app.config.default_country_code);
    let otp = input::otp(req.otp.as_deref());
    let (identifier, otp) = match (identifier, otp) {
        (Ok(i), Ok(o)) => (i, o),
        (i, o) => return Err(ApiError::merge([i.err(), o.err()])),
    };
    let key = identifier.storage_key();
    let max = app.config.otp_max_attempts;

    let (account, pending) = app.store.account_with_otp(&key).await?;
    let mut account = account.ok_or_else(user_not_found)?;
    if account.is_verified {
        return Err(already_verified());
    }
    let pending = pending.ok_or_else(otp_expired)?;
    if pending.attempts >= max {
        return Err(too_many_attempts());
    }
    if now_epoch() >= pending.expires_at {
        return Err(otp_expired());
    }
    if !app.otp_hasher.matches(&key, &otp, &pending.code_hash) {
        return if app.store.record_wrong_otp(&key, &pending.code_hash, max).await? {
            Err(invalid_otp())
        } else {
            // Another request used the last attempt, or the code was replaced meanwhile.
            Err(too_many_attempts())
        };
    }
    let now = now_rfc3339();
    match app
        .store
        .complete_verification(&key, &pending.code_hash, max, &now)
        .await?
    {
        VerifyOutcome::Verified => {
            tracing::info!(user_id = %account.id, "account verified");
            account.is_verified = true;
            account.updated_at = now;
            Ok(Json(json!({ "user": account.to_user() })))
        }
        VerifyOutcome::AlreadyVerified => Err(already_verified()),
        VerifyOutcome::OtpChanged => Err(invalid_otp()),
    }
}

async fn resend(State(app): State<App>, JsonBody(req): JsonBody<ResendRequest>) -> Result<Json<Value>, ApiError> {
    let identifier = input::identifier(req.identifier.as_deref(), &app.config.default_country_code)?;
    let key = identifier.storage_key();
    let cooldown = app.config.otp_resend_cooldown.as_secs() as i64;

    let (account, previous) = app.store.account_with_otp(&key).await?;
    let account = account.ok_or_else(user_not_found)?;
    if account.is_verified {
        return Err(already_verified());
    }
    let now = now_epoch();
    if let Some(prev) = &previous {
        let wait = prev.sent_at + cooldown - now;
        // A failed delivery lifts the cooldown: the user never got that code.
        if prev.delivered && wait > 0 {
            return Err(cooldown_error(wait));
        }
    }
    let (otp, item) = verification::issue(&app, &identifier);
    let previous_hash = previous.as_ref().map(|p| p.code_hash.as_str());
    match app
        .store
        .replace_otp(&key, &item, previous_hash, app.config.otp_daily_limit)
        .await?
    {
        ReplaceOutcome::Replaced => {}
        // A concurrent resend replaced it first.
        ReplaceOutcome::Raced => return Err(cooldown_error(cooldown)),
        ReplaceOutcome::DailyLimit => return Err(verification::daily_limit_error()),
    }
    let status = verification::deliver(&app, &identifier, &otp, &item).await?;
    Ok(Json(json!({ "otp": status })))
}

fn cooldown_error(wait_secs: i64) -> ApiError {
    ApiError::TooManyRequests {
        code: "otp_cooldown",
        message: "Please wait before requesting another code",
        retry_after: Some(wait_secs.max(1) as u64),
    }
}
