//! Key construction: the only place that knows how keys are spelled.

use crate::domain::Identifier;

pub const PK: &str = "PK";
pub const SK: &str = "SK";
pub const GSI1: &str = "GSI1";
pub const GSI1PK: &str = "GSI1PK";
pub const GSI1SK: &str = "GSI1SK";
pub const TTL: &str = "ttl";

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
