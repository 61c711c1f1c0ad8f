//! The accounts model: identifiers, passwords, codes, tokens, sessions, profiles and the abuse
//! limits, with their rules. Imports neither HTTP nor the store.

pub mod fields;
pub mod identifier;
pub mod otp;
pub mod password;
pub mod profile;
pub mod referral;
pub mod session;
pub mod throttle;
pub mod tokens;
pub mod user;

pub use identifier::{Channel, Email, Identifier, Phone};
pub use otp::{CodeError, CodePolicy, CodePurpose, Otp, OtpHasher, PendingCode};
pub use password::{Password, PasswordHasher};
pub use referral::ReferralCode;
pub use session::{RefreshRefused, Session};
pub use throttle::{LoginCounter, LoginThrottle, Window};
pub use tokens::{Claims, Subject, TokenError, TokenType, Tokens};
pub use user::{Account, Role, User};
