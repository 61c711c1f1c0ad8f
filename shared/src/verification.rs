//! Issuing and delivering one-time codes (signup and resend share this).

use serde::Serialize;

use crate::app::App;
use crate::domain::{Channel, Identifier, Otp, now_epoch};
use crate::platform::error::ApiError;
use crate::store::accounts::OtpItem;
use crate::store::keys;

/// What the client learns about a code: never the code.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct OtpStatus {
    pub channel: Channel,
    pub expires_in: u64,
    pub delivered: bool,
}

/// A fresh code and the item that stores its hash.
pub fn issue(app: &App, identifier: &Identifier) -> (Otp, OtpItem) {
    let otp = Otp::generate();
    let hash = app.otp_hasher.hash(&identifier.storage_key(), &otp);
    let item = OtpItem::new(
        keys::account_pk(identifier),
        hash,
        identifier.channel(),
        now_epoch(),
        app.config.otp_ttl.as_secs() as i64,
    );
    (otp, item)
}

/// Sends a stored code. A delivery failure is logged and recorded (so a resend is allowed at
/// once), not raised: the account and the code exist either way.
pub async fn deliver(app: &App, identifier: &Identifier, otp: &Otp, item: &OtpItem) -> Result<OtpStatus, ApiError> {
    let ttl = app.config.otp_ttl.as_secs();
    let delivered = match app.notifier()?.send(identifier, otp, ttl.div_ceil(60)).await {
        Ok(()) => {
            tracing::info!(channel = ?identifier.channel(), "otp delivered");
            true
        }
        Err(err) => {
            tracing::warn!(channel = ?identifier.channel(), error = %format!("{err:#}"), "otp delivery failed");
            app.store
                .mark_otp_undelivered(&identifier.storage_key(), &item.code_hash)
                .await?;
            false
        }
    };
    Ok(OtpStatus {
        channel: identifier.channel(),
        expires_in: ttl,
        delivered,
    })
}

/// 429 once an identifier was sent its daily number of codes; retry after midnight UTC.
pub fn daily_limit_error() -> ApiError {
    ApiError::TooManyRequests {
        code: "otp_daily_limit",
        message: "Too many codes were sent to this identifier today. Please try again tomorrow",
        retry_after: Some(crate::store::throttle::day(now_epoch()).retry_after(now_epoch())),
    }
}
