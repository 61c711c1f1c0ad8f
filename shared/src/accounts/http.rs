//! The accounts feature at the HTTP edge: its errors as the contract's, the caller extractors
//! (`Caller` for any signed-in user, `Customer`, `Admin`: each has checked the token and the
//! role, and requires the live session of [`crate::platform::guard`]), and the JSON shapes of
//! tokens and codes.

use axum::extract::{FromRef, FromRequestParts};
use http::request::Parts;
use serde_json::{Value, json};

use super::model::{Role, Subject, TokenError};
use super::service::{AccountError, Accounts, TokenPair};
use crate::platform::error::ApiError;
use crate::platform::front_door::ClientAddress;
use crate::platform::guard;

impl From<AccountError> for ApiError {
    fn from(err: AccountError) -> Self {
        match err {
            AccountError::Invalid(invalid) => invalid.into(),
            AccountError::IdentifierTaken(message) => ApiError::conflict("identifier_taken", message),
            AccountError::ReferrerNotFound => ApiError::field(
                "invalid_referral_code",
                "referral_code",
                "belongs to no user",
                "Invalid referral code",
            ),
            AccountError::UserNotFound => ApiError::not_found("user_not_found", "User not found"),
            AccountError::UnsupportedCountry => ApiError::field(
                "unsupported_country",
                "identifier",
                "codes are not sent by SMS to this country",
                "Phone numbers from this country are not supported. Use an email address",
            ),
            AccountError::AlreadyVerified => ApiError::conflict("already_verified", "Account already verified"),
            AccountError::WrongCode => ApiError::field("invalid_otp", "otp", "does not match", "Invalid OTP"),
            AccountError::CodeExpired => ApiError::field(
                "otp_expired",
                "otp",
                "has expired",
                "OTP expired. Please request a new one",
            ),
            AccountError::TooManyAttempts => ApiError::TooManyRequests {
                code: "too_many_attempts",
                message: "Too many wrong codes. Please request a new one",
                retry_after: None,
            },
            AccountError::Cooldown { wait_secs } => ApiError::TooManyRequests {
                code: "otp_cooldown",
                message: "Please wait before requesting another code",
                retry_after: Some(wait_secs.max(1) as u64),
            },
            AccountError::DailyLimit { retry_after } => ApiError::TooManyRequests {
                code: "otp_daily_limit",
                message: "Too many codes were sent to this identifier today. Please try again tomorrow",
                retry_after: Some(retry_after),
            },
            AccountError::TooManyLogins { retry_after } => ApiError::TooManyRequests {
                code: "too_many_login_attempts",
                message: "Too many failed logins. Please wait and try again",
                retry_after: Some(retry_after),
            },
            AccountError::InvalidCredentials => ApiError::Unauthorized {
                code: "invalid_credentials",
                message: "Invalid credentials",
            },
            AccountError::WrongCurrentPassword => ApiError::field(
                "invalid_current_password",
                "current_password",
                "is not the account's password",
                "The current password is wrong",
            ),
            AccountError::NotVerified => ApiError::Forbidden {
                code: "account_not_verified",
                message: "Account not verified",
            },
            AccountError::NotAuthenticated => ApiError::Unauthorized {
                code: "not_authenticated",
                message: "Authentication required",
            },
            AccountError::Token(TokenError::Expired) => ApiError::Unauthorized {
                code: "token_expired",
                message: "Token expired",
            },
            AccountError::Token(TokenError::Invalid | TokenError::WrongType) => ApiError::Unauthorized {
                code: "invalid_token",
                message: "Invalid or malformed token",
            },
            AccountError::TokenReused => ApiError::Unauthorized {
                code: "token_reused",
                message: "This refresh token was already used. The session has been ended; please log in again",
            },
            AccountError::SessionEnded => ApiError::Unauthorized {
                code: "session_revoked",
                message: "Session has ended. Please log in again",
            },
            AccountError::Forbidden => ApiError::Forbidden {
                code: "forbidden",
                message: "You do not have permission to do this",
            },
            AccountError::Failure(failure) => failure.into(),
        }
    }
}

/// The bearer token of a request.
fn bearer(parts: &Parts) -> Result<&str, AccountError> {
    let header = crate::platform::routes::AUTHORIZATION
        .read(&parts.headers)
        .ok_or(AccountError::NotAuthenticated)?;
    let invalid = || AccountError::Token(TokenError::Invalid);
    let value = header.to_str().map_err(|_| invalid())?;
    let (scheme, token) = value.trim().split_once(' ').ok_or_else(invalid)?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(invalid());
    }
    Ok(token.trim())
}

/// The subject of the request's access token (401 without a valid one): for extractors that
/// then require a check of their own which includes the session (a kitchen's membership).
pub fn token_subject(parts: &Parts, accounts: &Accounts) -> Result<Subject, ApiError> {
    let subject = accounts.authenticate(bearer(parts)?)?;
    tracing::Span::current().record("user_id", subject.user_id.as_str());
    Ok(subject)
}

/// The caller of a request: the token's subject with `role` (if any), and the live-session
/// check required ([`guard::require`]): it runs beside the handler, holds the answer and every
/// write until it settles, and a session that has ended turns the answer into a 401.
pub fn caller(parts: &Parts, accounts: &Accounts, role: Option<Role>) -> Result<Subject, ApiError> {
    let subject = token_subject(parts, accounts)?;
    if let Some(role) = role {
        Accounts::require_role(&subject, role)?;
    }
    let (accounts, who) = (accounts.clone(), subject.clone());
    guard::require(async move { accounts.ensure_live(&who).await.map_err(ApiError::from) })?;
    Ok(subject)
}

macro_rules! caller_extractor {
    ($(#[$doc:meta])* $name:ident, $role:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name(pub Subject);

        impl<S: Send + Sync> FromRequestParts<S> for $name
        where
            Accounts: FromRef<S>,
        {
            type Rejection = ApiError;

            async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
                caller(parts, &Accounts::from_ref(state), $role).map($name)
            }
        }

        impl std::ops::Deref for $name {
            type Target = Subject;

            fn deref(&self) -> &Subject {
                &self.0
            }
        }
    };
}

caller_extractor!(
    /// A signed-in user of any role whose session lives: 401 without a valid access token or
    /// once the session has ended.
    Caller,
    None
);
caller_extractor!(
    /// A signed-in customer whose session lives: 401 without a valid access token (or once the
    /// session has ended), 403 for another role before any database work.
    Customer,
    Some(Role::Customer)
);
caller_extractor!(
    /// A signed-in admin whose session lives: 401 without a valid access token (or once the
    /// session has ended), 403 for another role before any database work.
    Admin,
    Some(Role::Admin)
);

/// The address a request comes from, as the front door established it
/// ([`crate::platform::front_door`]): the CloudFront viewer's address behind CloudFront, API
/// Gateway's `sourceIp` otherwise; never a header a client can write. `unknown` where there is none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceAddress(pub String);

impl<S: Send + Sync> FromRequestParts<S> for SourceAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        // Set by the front door (`platform::front_door`) on every admitted request.
        let address = parts.extensions.get::<ClientAddress>().map(|a| a.0.clone());
        Ok(SourceAddress(address.unwrap_or_else(|| "unknown".to_owned())))
    }
}

/// The token pair as login and refresh answer it.
pub fn token_body(pair: &TokenPair) -> Value {
    json!({
        "access": pair.access,
        "refresh": pair.refresh,
        "token_type": "Bearer",
        "expires_in": pair.access_ttl_secs,
        "refresh_expires_in": pair.refresh_ttl_secs,
    })
}
