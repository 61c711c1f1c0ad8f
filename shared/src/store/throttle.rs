//! Abuse limits, as fixed-window counters in DynamoDB that expire through TTL: failed logins
//! per identifier per window, and codes sent per identifier per UTC day.

use aws_sdk_dynamodb::types::{ReturnValue, TransactWriteItem, Update};

use super::keys::{self, THROTTLE_SK};
use super::{Store, build_error, db_error, n, s};
use crate::platform::error::ApiError;

/// A fixed time window: its number and when it ends (epoch seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub index: i64,
    pub ends_at: i64,
}

impl Window {
    pub fn at(now: i64, length_secs: i64) -> Self {
        let length = length_secs.max(1);
        let index = now.div_euclid(length);
        Self {
            index,
            ends_at: (index + 1) * length,
        }
    }

    /// Seconds until the window ends (at least 1).
    pub fn retry_after(&self, now: i64) -> u64 {
        (self.ends_at - now).max(1) as u64
    }
}

/// One UTC day.
pub fn day(now: i64) -> Window {
    Window::at(now, 86_400)
}

impl Store {
    /// Counts a failed login; returns the failures in this window so far.
    pub async fn record_login_failure(&self, identifier_key: &str, window: Window) -> Result<u32, ApiError> {
        let out = self
            .client()
            .update_item()
            .table_name(self.table())
            .key(keys::PK, s(keys::login_throttle_pk(identifier_key, window.index)))
            .key(keys::SK, s(THROTTLE_SK))
            .update_expression("ADD failures :one SET #ttl = :ttl")
            .expression_attribute_names("#ttl", keys::TTL)
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":ttl", n(window.ends_at + 3600))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(|e| db_error("UpdateItem login failures", e))?;
        Ok(failures_of(out.attributes.as_ref()))
    }

    /// Forgets the failures of this window after a successful login.
    pub async fn clear_login_failures(&self, identifier_key: &str, window: Window) -> Result<(), ApiError> {
        self.client()
            .delete_item()
            .table_name(self.table())
            .key(keys::PK, s(keys::login_throttle_pk(identifier_key, window.index)))
            .key(keys::SK, s(THROTTLE_SK))
            .send()
            .await
            .map_err(|e| db_error("DeleteItem login failures", e))?;
        Ok(())
    }

    /// A transaction action counting one code sent to `identifier_key` today, failing its
    /// condition once `limit` codes were sent.
    pub(crate) fn otp_send_counter(
        &self,
        identifier_key: &str,
        today: Window,
        limit: u32,
    ) -> Result<TransactWriteItem, ApiError> {
        Ok(TransactWriteItem::builder()
            .update(
                Update::builder()
                    .table_name(self.table())
                    .key(keys::PK, s(keys::otp_throttle_pk(identifier_key, today.index)))
                    .key(keys::SK, s(THROTTLE_SK))
                    .update_expression("ADD sends :one SET #ttl = :ttl")
                    .condition_expression("attribute_not_exists(sends) OR sends < :limit")
                    .expression_attribute_names("#ttl", keys::TTL)
                    .expression_attribute_values(":one", n(1))
                    .expression_attribute_values(":limit", n(limit))
                    .expression_attribute_values(":ttl", n(today.ends_at + 3600))
                    .build()
                    .map_err(build_error)?,
            )
            .build())
    }
}

pub(crate) fn failures_of(item: Option<&super::Item>) -> u32 {
    item.and_then(|i| i.get("failures"))
        .and_then(|v| v.as_n().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_fixed_and_say_how_long_to_wait() {
        let w = Window::at(1_000, 900);
        assert_eq!(
            w,
            Window {
                index: 1,
                ends_at: 1_800
            }
        );
        assert_eq!(w.retry_after(1_000), 800);
        assert_eq!(Window::at(1_799, 900).index, 1);
        assert_eq!(Window::at(1_800, 900).index, 2);
        assert_eq!(day(86_399).index, 0);
        assert_eq!(day(86_400).retry_after(86_400), 86_400);
    }
}
