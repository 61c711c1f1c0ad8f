//! Reports at the HTTP edge: their errors as the contract's.

use super::service::ReportError;
use crate::platform::error::ApiError;

impl From<ReportError> for ApiError {
    fn from(err: ReportError) -> Self {
        match err {
            ReportError::Invalid(invalid) => invalid.into(),
            ReportError::Failure(f) => f.into(),
        }
    }
}
