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
use crate::platform::error::ApiError;

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
    let value = header.to_str().map_err(|_| unauthorized(TokenError::Invalid))?;
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
        let claims = app.tokens.verify(token, TokenType::Access).map_err(unauthorized)?;
        tracing::Span::current().record("user_id", claims.sub.as_str());
        Ok(Caller { claims })
    }
}

/// The answer when a token's session was ended (logout, refresh-token reuse) or expired.
pub fn session_ended() -> ApiError {
    ApiError::Unauthorized {
        code: "session_revoked",
        message: "Session has ended. Please log in again",
    }
}

fn require_live(caller: &Caller, session: Option<crate::store::sessions::SessionItem>) -> Result<(), ApiError> {
    match session {
        Some(s) if s.is_active(crate::domain::now_epoch()) && s.user_id == caller.claims.sub => Ok(()),
        _ => Err(session_ended()),
    }
}

impl Caller {
    /// Access tokens are honoured only while their login session lives: 401 otherwise.
    /// For writes: one read before the write.
    pub async fn ensure_live(&self, app: &App) -> Result<(), ApiError> {
        require_live(self, app.store.session(self.session_id()).await?)
    }

    /// For reads: checks the session concurrently with `work`, so the route keeps one sequential
    /// round trip; `work`'s result is dropped when the session is gone.
    pub async fn live<T>(
        &self,
        app: &App,
        work: impl std::future::Future<Output = Result<T, ApiError>>,
    ) -> Result<T, ApiError> {
        let (session, result) = tokio::join!(app.store.session(self.session_id()), work);
        require_live(self, session?)?;
        result
    }
}

/// A caller with the admin role (401 without a valid token, 403 with another role), checked
/// before any database work.
#[derive(Debug, Clone)]
pub struct Admin(pub Caller);

impl FromRequestParts<App> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let caller = Caller::from_request_parts(parts, app).await?;
        caller.require(Role::Admin)?;
        Ok(Admin(caller))
    }
}

impl std::ops::Deref for Admin {
    type Target = Caller;

    fn deref(&self) -> &Caller {
        &self.0
    }
}
