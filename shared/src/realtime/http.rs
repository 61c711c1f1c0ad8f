//! Live updates at the HTTP edge (the ticket route): their errors as the contract's.

use super::service::RealtimeError;
use crate::platform::error::ApiError;

impl From<RealtimeError> for ApiError {
    fn from(err: RealtimeError) -> Self {
        match err {
            RealtimeError::BadTicket => ApiError::Unauthorized {
                code: "invalid_ticket",
                message: "That ticket is used or expired",
            },
            RealtimeError::Failure(f) => f.into(),
        }
    }
}
