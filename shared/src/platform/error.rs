//! Errors that belong to no feature: [`Failure`] (a dependency or a bug, what stores and services
//! return besides their domain outcomes) and [`ApiError`], the one error type every route returns,
//! rendered in one place. Each feature maps its own errors to `ApiError` once, in its `http.rs`.
//!
//! Body: `{"error": {"code": "...", "message": "...", "fields": {...}}}`. Internal failures are
//! logged with their cause and answered with a generic 500; the cause never reaches the client.

use axum::Json;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use serde::Serialize;

pub use crate::platform::validation::Fields;

/// Something outside the domain went wrong: a dependency is throttling, timing out or unreachable
/// (retryable), or a bug or unexpected answer (not). Carries its cause for the logs only.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error("unavailable: {0:#}")]
    Unavailable(anyhow::Error),
    #[error("internal: {0:#}")]
    Internal(anyhow::Error),
}

impl Failure {
    pub fn internal(err: impl Into<anyhow::Error>) -> Self {
        Self::Internal(err.into())
    }

    /// A state the code believes impossible, named for the logs.
    pub fn bug(what: impl std::fmt::Display) -> Self {
        Self::Internal(anyhow::anyhow!("{what}"))
    }
}

impl From<Failure> for ApiError {
    fn from(failure: Failure) -> Self {
        match failure {
            Failure::Unavailable(cause) => ApiError::Unavailable(cause),
            Failure::Internal(cause) => ApiError::Internal(cause),
        }
    }
}

impl From<crate::platform::validation::Invalid> for ApiError {
    fn from(invalid: crate::platform::validation::Invalid) -> Self {
        ApiError::BadRequest {
            code: invalid.code,
            message: invalid.message,
            fields: Some(invalid.fields),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request is malformed or a value breaks a rule.
    #[error("{message}")]
    BadRequest {
        code: &'static str,
        message: String,
        fields: Option<Fields>,
    },
    /// 401: no usable credentials.
    #[error("{message}")]
    Unauthorized { code: &'static str, message: &'static str },
    /// 403: authenticated, but not allowed.
    #[error("{message}")]
    Forbidden { code: &'static str, message: &'static str },
    /// 404: the thing (or route) does not exist.
    #[error("{message}")]
    NotFound { code: &'static str, message: String },
    /// 405: the path exists, the method does not.
    #[error("Method not allowed")]
    MethodNotAllowed,
    /// 409: the request conflicts with the current state.
    #[error("{message}")]
    Conflict {
        code: &'static str,
        message: String,
        /// Which parts of the request ran into the state (e.g. the order lines short of stock).
        fields: Option<Fields>,
    },
    /// 409 with facts the client acts on beside `code` (e.g. when a closed kitchen opens next).
    #[error("{message}")]
    ConflictWith {
        code: &'static str,
        message: String,
        extra: serde_json::Map<String, serde_json::Value>,
    },
    /// 413: the body is larger than the contract allows.
    #[error("Request body is too large")]
    PayloadTooLarge,
    /// 429: slow down; `retry_after` seconds if known.
    #[error("{message}")]
    TooManyRequests {
        code: &'static str,
        message: &'static str,
        retry_after: Option<u64>,
    },
    /// 503: a dependency is throttling or unreachable; safe to retry.
    #[error("service unavailable: {0:#}")]
    Unavailable(anyhow::Error),
    /// 500: a bug or an unexpected dependency failure.
    #[error("internal error: {0:#}")]
    Internal(anyhow::Error),
}

impl ApiError {
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::BadRequest {
            code,
            message: message.into(),
            fields: None,
        }
    }

    /// A 400 naming each offending field.
    pub fn bad_request_fields(code: &'static str, message: impl Into<String>, fields: Fields) -> Self {
        Self::BadRequest {
            code,
            message: message.into(),
            fields: Some(fields),
        }
    }

    /// A 400 naming the offending field.
    pub fn field(code: &'static str, field: &str, problem: impl Into<String>, message: impl Into<String>) -> Self {
        let mut fields = Fields::new();
        fields.insert(field.to_owned(), problem.into());
        Self::BadRequest {
            code,
            message: message.into(),
            fields: Some(fields),
        }
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self::NotFound {
            code,
            message: message.into(),
        }
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            message: message.into(),
            fields: None,
        }
    }

    /// A conflict naming the parts of the request it concerns.
    pub fn conflict_fields(code: &'static str, message: impl Into<String>, fields: Fields) -> Self {
        Self::Conflict {
            code,
            message: message.into(),
            fields: Some(fields),
        }
    }

    pub fn internal(err: impl Into<anyhow::Error>) -> Self {
        Self::Internal(err.into())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            Self::Forbidden { .. } => StatusCode::FORBIDDEN,
            Self::NotFound { .. } => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict { .. } | Self::ConflictWith { .. } => StatusCode::CONFLICT,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::BadRequest { code, .. }
            | Self::Unauthorized { code, .. }
            | Self::Forbidden { code, .. }
            | Self::NotFound { code, .. }
            | Self::Conflict { code, .. }
            | Self::ConflictWith { code, .. }
            | Self::TooManyRequests { code, .. } => code,
            Self::MethodNotAllowed => "method_not_allowed",
            Self::PayloadTooLarge => "payload_too_large",
            Self::Unavailable(_) => "service_unavailable",
            Self::Internal(_) => "internal_error",
        }
    }

    /// The sentence the client sees: never the internal cause.
    pub fn public_message(&self) -> String {
        match self {
            Self::Unavailable(_) => "The service is busy. Please retry shortly".into(),
            Self::Internal(_) => "Something went wrong on our side".into(),
            other => other.to_string(),
        }
    }

    fn retry_after(&self) -> Option<u64> {
        match self {
            Self::TooManyRequests { retry_after, .. } => *retry_after,
            Self::Unavailable(_) => Some(1),
            _ => None,
        }
    }
}

#[derive(Serialize)]
struct ErrorEnvelope<'a> {
    error: ErrorBody<'a>,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    code: &'a str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    fields: Option<&'a Fields>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    extra: Option<&'a serde_json::Map<String, serde_json::Value>>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            Self::Internal(cause) => tracing::error!(error = ?cause, "request failed"),
            Self::Unavailable(cause) => tracing::warn!(error = ?cause, "dependency unavailable"),
            other => tracing::info!(
                status = other.status().as_u16(),
                code = other.code(),
                "request rejected"
            ),
        }
        let fields = match &self {
            Self::BadRequest { fields, .. } | Self::Conflict { fields, .. } => fields.as_ref(),
            _ => None,
        };
        let extra = match &self {
            Self::ConflictWith { extra, .. } => Some(extra),
            _ => None,
        };
        let body = ErrorEnvelope {
            error: ErrorBody {
                code: self.code(),
                message: self.public_message(),
                fields,
                extra,
            },
        };
        let mut response = (self.status(), Json(body)).into_response();
        if let Some(secs) = self.retry_after() {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    async fn render(err: ApiError) -> (StatusCode, http::HeaderMap, serde_json::Value) {
        let res = err.into_response();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        (status, headers, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test]
    async fn internal_errors_do_not_leak_their_cause() {
        let (status, _, body) = render(ApiError::internal(anyhow::anyhow!("table secret-table missing"))).await;
        assert_eq!(status, 500);
        assert_eq!(body["error"]["code"], "internal_error");
        assert!(!body.to_string().contains("secret-table"));
    }

    #[tokio::test]
    async fn field_errors_name_the_field() {
        let err = ApiError::field(
            "invalid_password",
            "password",
            "must be 8 to 128 characters",
            "Invalid password",
        );
        let (status, _, body) = render(err).await;
        assert_eq!(status, 400);
        assert_eq!(body["error"]["code"], "invalid_password");
        assert_eq!(body["error"]["fields"]["password"], "must be 8 to 128 characters");
    }

    #[tokio::test]
    async fn too_many_requests_carries_retry_after() {
        let err = ApiError::TooManyRequests {
            code: "otp_cooldown",
            message: "Wait",
            retry_after: Some(42),
        };
        let (status, headers, body) = render(err).await;
        assert_eq!(status, 429);
        assert_eq!(headers[header::RETRY_AFTER], "42");
        assert_eq!(body["error"]["code"], "otp_cooldown");
        assert!(body["error"].get("fields").is_none());
    }

    #[tokio::test]
    async fn unavailable_is_a_503_with_retry_after() {
        let (status, headers, body) = render(ApiError::Unavailable(anyhow::anyhow!("throttled"))).await;
        assert_eq!(status, 503);
        assert_eq!(headers[header::RETRY_AFTER], "1");
        assert_eq!(body["error"]["code"], "service_unavailable");
    }
}
