//! Reading request fields into domain types, with the contract's error codes.

use crate::domain::identifier::IdentifierError;
use crate::domain::{Identifier, Otp, Password};
use crate::platform::error::ApiError;

pub fn identifier(raw: Option<&str>, default_country: &str) -> Result<Identifier, ApiError> {
    let raw = raw.unwrap_or_default();
    Identifier::parse(raw, default_country).map_err(|err| {
        let problem = match err {
            IdentifierError::Empty => "is required".to_owned(),
            other => other.to_string(),
        };
        ApiError::field(
            "invalid_identifier",
            "identifier",
            problem,
            "Enter a valid email address or phone number",
        )
    })
}

/// A new password (signup): 8 to 128 characters.
pub fn new_password(raw: Option<String>) -> Result<Password, ApiError> {
    let invalid = |problem: &str| {
        ApiError::field(
            "invalid_password",
            "password",
            problem,
            "Password must be 8 to 128 characters",
        )
    };
    match raw {
        None => Err(invalid("is required")),
        Some(raw) => Password::parse(raw).map_err(|e| invalid(&e.to_string())),
    }
}

/// A password typed at login: required, any length (a wrong length is just a wrong password).
pub fn login_password(raw: Option<String>) -> Result<Password, ApiError> {
    match raw {
        Some(raw) if !raw.is_empty() => Ok(Password::candidate(raw)),
        _ => Err(ApiError::field(
            "invalid_password",
            "password",
            "is required",
            "Password is required",
        )),
    }
}

pub fn otp(raw: Option<&str>) -> Result<Otp, ApiError> {
    match raw {
        None => Err(ApiError::field("invalid_otp", "otp", "is required", "Invalid OTP")),
        Some(raw) => Otp::parse(raw).map_err(|e| ApiError::field("invalid_otp", "otp", e.to_string(), "Invalid OTP")),
    }
}

/// A required string field that is not otherwise validated (e.g. a token).
pub fn required<'a>(raw: Option<&'a str>, field: &str) -> Result<&'a str, ApiError> {
    match raw.map(str::trim) {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(ApiError::field(
            "invalid_request",
            field,
            "is required",
            format!("{field} is required"),
        )),
    }
}
