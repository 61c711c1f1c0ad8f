//! Key construction: the only place that knows how keys are spelled.

use crate::domain::Identifier;

pub use crate::platform::db::{GSI1PK, GSI1SK, GSI2PK, GSI2SK, GSI3PK, GSI3SK, PK, SK, TTL};

pub const ACCOUNT_SK: &str = "ACCOUNT";
pub const OTP_SK: &str = "OTP";
pub const REFERRAL_SK: &str = "REFERRAL";
pub const SESSION_SK: &str = "SESSION";
pub const USERS_GSI1PK: &str = "USERS";

/// The partition of an account: the account item and its OTP.
pub fn account_pk(identifier: &Identifier) -> String {
    account_pk_from_key(&identifier.storage_key())
}

/// Same, from an identifier's storage key (as carried in tokens and sessions).
pub fn account_pk_from_key(identifier_key: &str) -> String {
    format!("ACCOUNT#{identifier_key}")
}

pub fn referral_pk(code: &str) -> String {
    format!("REFERRAL#{code}")
}

pub fn session_pk(session_id: &str) -> String {
    format!("SESSION#{session_id}")
}

/// The one partition holding every category and dish: the whole menu is one Query.
pub const MENU_PK: &str = "MENU";
pub const CATEGORY_NAME_SK: &str = "CATEGORYNAME";

pub fn category_sk(id: &str) -> String {
    format!("CATEGORY#{id}")
}

pub fn food_sk(id: &str) -> String {
    format!("FOOD#{id}")
}

/// Guard making category names unique, case-insensitively.
pub fn category_name_pk(unique_key: &str) -> String {
    format!("CATEGORYNAME#{unique_key}")
}

pub const ORDER_SK: &str = "ORDER";
pub const IDEMPOTENCY_SK: &str = "IDEMPOTENCY";
/// GSI3 partition holding every order, newest first.
pub const ALL_ORDERS_GSI3PK: &str = "ORDERS";

pub fn order_pk(id: &str) -> String {
    format!("ORDER#{id}")
}

/// GSI1: a customer's orders, newest first.
pub fn customer_orders_gsi1pk(customer_id: &str) -> String {
    format!("CUSTOMER#{customer_id}")
}

/// GSI2: orders in one status, newest first.
pub fn status_gsi2pk(status: &str) -> String {
    format!("ORDERSTATUS#{status}")
}

/// An Idempotency-Key is scoped to the customer who sent it.
pub fn idempotency_pk(customer_id: &str, key: &str) -> String {
    format!("IDEMPOTENCY#{customer_id}#{key}")
}

pub const THROTTLE_SK: &str = "THROTTLE";

/// Failed logins of one identifier in one window.
pub fn login_throttle_pk(identifier_key: &str, window: i64) -> String {
    format!("THROTTLE#LOGIN#{identifier_key}#{window}")
}

/// Codes sent to one identifier on one UTC day.
pub fn otp_throttle_pk(identifier_key: &str, day: i64) -> String {
    format!("THROTTLE#OTP#{identifier_key}#{day}")
}
