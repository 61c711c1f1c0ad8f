//! Domain rules. Values are parsed into types that cannot hold invalid data ("parse, don't
//! validate"); handlers work with these types only.

pub mod identifier;
pub mod menu;
pub mod order;
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

pub use crate::platform::clock::{now_epoch, now_rfc3339, rfc3339};
