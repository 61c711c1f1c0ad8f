//! Alerts at the HTTP edge: their errors as the contract's, and the status filter.

use super::model::Status;
use super::service::AlertError;
use crate::platform::error::ApiError;

/// For ids that name no alert of the path's kitchen.
pub fn alert_not_found() -> ApiError {
    ApiError::not_found("alert_not_found", "Alert not found")
}

/// `?status=`: `open` (the default) or `resolved`.
pub fn status_filter(raw: Option<&str>) -> Result<Status, ApiError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(Status::Open),
        Some(raw) => Status::parse(raw).ok_or_else(|| {
            ApiError::field(
                "invalid_status",
                "status",
                "must be one of open, resolved",
                "Unknown alert status",
            )
        }),
    }
}

impl From<AlertError> for ApiError {
    fn from(err: AlertError) -> Self {
        match err {
            AlertError::NotFound => alert_not_found(),
            AlertError::Failure(f) => f.into(),
        }
    }
}
