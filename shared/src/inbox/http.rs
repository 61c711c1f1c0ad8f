//! The inbox at the HTTP edge: its errors as the contract's.

use super::service::InboxError;
use crate::platform::error::ApiError;

/// For ids that name no notification of the caller's.
pub fn notification_not_found() -> ApiError {
    ApiError::not_found("notification_not_found", "Notification not found")
}

impl From<InboxError> for ApiError {
    fn from(err: InboxError) -> Self {
        match err {
            InboxError::NotFound => notification_not_found(),
            InboxError::Failure(f) => f.into(),
        }
    }
}
