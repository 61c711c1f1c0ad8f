//! Domain rules. Values are parsed into types that cannot hold invalid data ("parse, don't
//! validate"); handlers work with these types only.

pub mod identifier;
pub mod menu;
pub mod otp;
pub mod password;
pub mod profile;
pub mod referral;
pub mod tokens;
pub mod user;

pub use identifier::{Channel, Email, Identifier, Phone};
pub use otp::{Otp, OtpHasher};
pub use password::{Password, PasswordHasher};
pub use referral::ReferralCode;
pub use user::{Role, User};

/// Seconds since the Unix epoch, now.
pub fn now_epoch() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// RFC 3339 UTC timestamp, now, at millisecond precision.
pub fn now_rfc3339() -> String {
    rfc3339(time::OffsetDateTime::now_utc())
}

pub fn rfc3339(at: time::OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    let at = at.replace_nanosecond(at.millisecond() as u32 * 1_000_000).unwrap_or(at);
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| at.unix_timestamp().to_string())
}
