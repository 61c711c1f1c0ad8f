//! Who is calling: the `Authorization: Bearer <access token>` of a request, checked.
//!
//! Missing, malformed, expired, tampered and wrong-type tokens are 401s; a valid token with the
//! wrong role is a 403. Neither touches the database.

use axum::extract::FromRequestParts;
use http::header::AUTHORIZATION;
use http::request::Parts;

use crate::app::App;
use crate::domain::Role;
use crate::domain::tokens::{Claims, TokenError, TokenType};
use crate::error::ApiError;

#[derive(Debug, Clone)]
pub struct Caller {
    pub claims: Claims,
}

impl Caller {
    pub fn user_id(&self) -> &str {
        &self.claims.sub
    }

    pub fn role(&self) -> Role {
        self.claims.role
    }

    pub fn session_id(&self) -> &str {
        &self.claims.sid
    }

    pub fn identifier_key(&self) -> &str {
        &self.claims.idk
    }

    /// 403 unless the caller has `role`.
    pub fn require(&self, role: Role) -> Result<&Self, ApiError> {
        if self.claims.role == role {
            Ok(self)
        } else {
            Err(ApiError::Forbidden {
                code: "forbidden",
                message: "You do not have permission to do this",
            })
        }
    }
}

pub fn unauthorized(err: TokenError) -> ApiError {
    match err {
        TokenError::Expired => ApiError::Unauthorized {
            code: "token_expired",
            message: "Token expired",
        },
        TokenError::Invalid | TokenError::WrongType => ApiError::Unauthorized {
            code: "invalid_token",
            message: "Invalid or malformed token",
        },
    }
}

/// Reads the bearer token of a request, if any.
pub fn bearer(parts: &Parts) -> Result<&str, ApiError> {
    let missing = ApiError::Unauthorized {
        code: "not_authenticated",
        message: "Authentication required",
    };
    let header = parts.headers.get(AUTHORIZATION).ok_or(missing)?;
    let value = header
        .to_str()
        .map_err(|_| unauthorized(TokenError::Invalid))?;
    let (scheme, token) = value
        .trim()
        .split_once(' ')
        .ok_or_else(|| unauthorized(TokenError::Invalid))?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(unauthorized(TokenError::Invalid));
    }
    Ok(token.trim())
}

impl FromRequestParts<App> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let token = bearer(parts)?;
        let claims = app
            .tokens
            .verify(token, TokenType::Access)
            .map_err(unauthorized)?;
        tracing::Span::current().record("user_id", claims.sub.as_str());
        Ok(Caller { claims })
    }
}
