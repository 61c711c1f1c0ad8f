//! Reading the fields of a request into account types, with the contract's error codes.

use super::identifier::{Identifier, IdentifierError};
use super::otp::Otp;
use super::password::Password;
use super::referral::ReferralCode;
use crate::platform::validation::Invalid;

pub fn identifier(raw: Option<&str>, default_country: &str) -> Result<Identifier, Invalid> {
    let raw = raw.unwrap_or_default();
    Identifier::parse(raw, default_country).map_err(|err| {
        let problem = match err {
            IdentifierError::Empty => "is required".to_owned(),
            other => other.to_string(),
        };
        Invalid::field(
            "invalid_identifier",
            "identifier",
            problem,
            "Enter a valid email address or phone number",
        )
    })
}

/// A new password (signup): 8 to 128 characters.
pub fn new_password(raw: Option<String>) -> Result<Password, Invalid> {
    new_password_field(raw, "password")
}

/// A new password in the field `field` (`new_password` at reset and change).
pub fn new_password_field(raw: Option<String>, field: &str) -> Result<Password, Invalid> {
    let invalid = |problem: &str| {
        Invalid::field(
            "invalid_password",
            field,
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
pub fn login_password(raw: Option<String>) -> Result<Password, Invalid> {
    typed_password(raw, "password")
}

/// A password typed to prove who one is (`password` at login, `current_password` at change).
pub fn typed_password(raw: Option<String>, field: &str) -> Result<Password, Invalid> {
    match raw {
        Some(raw) if !raw.is_empty() => Ok(Password::candidate(raw)),
        _ => Err(Invalid::field(
            "invalid_password",
            field,
            "is required",
            "Password is required",
        )),
    }
}

pub fn otp(raw: Option<&str>) -> Result<Otp, Invalid> {
    match raw {
        None => Err(Invalid::field("invalid_otp", "otp", "is required", "Invalid OTP")),
        Some(raw) => Otp::parse(raw).map_err(|e| Invalid::field("invalid_otp", "otp", e.to_string(), "Invalid OTP")),
    }
}

/// A referral code given at signup, if any.
pub fn referral_code(raw: Option<&str>) -> Result<Option<ReferralCode>, Invalid> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(raw) => ReferralCode::parse(raw).map(Some).map_err(|e| {
            Invalid::field(
                "invalid_referral_code",
                "referral_code",
                e.to_string(),
                "Invalid referral code",
            )
        }),
    }
}

/// A required string field that is not otherwise validated (e.g. a token).
pub fn required<'a>(raw: Option<&'a str>, field: &str) -> Result<&'a str, Invalid> {
    match raw.map(str::trim) {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(Invalid::field(
            "invalid_request",
            field,
            "is required",
            format!("{field} is required"),
        )),
    }
}

/// Two or three fields read together: every problem reported at once.
pub fn all2<A, B>(a: Result<A, Invalid>, b: Result<B, Invalid>) -> Result<(A, B), Invalid> {
    match (a, b) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        (a, b) => Err(merged([a.err(), b.err()])),
    }
}

pub fn all3<A, B, C>(
    a: Result<A, Invalid>,
    b: Result<B, Invalid>,
    c: Result<C, Invalid>,
) -> Result<(A, B, C), Invalid> {
    match (a, b, c) {
        (Ok(a), Ok(b), Ok(c)) => Ok((a, b, c)),
        (a, b, c) => Err(merged([a.err(), b.err(), c.err()])),
    }
}

fn merged(errors: impl IntoIterator<Item = Option<Invalid>>) -> Invalid {
    Invalid::merge(errors).unwrap_or_else(|| Invalid::field("invalid_request", "body", "is invalid", "Invalid request"))
}
