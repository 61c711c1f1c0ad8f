//! Accounts: signup with an email or phone number, codes (SES email, SNS SMS), login with JWTs,
//! sessions and their refresh-token families, profiles, abuse limits, and who may call what.
//!
//! - [`model`]: identifiers, passwords, codes, tokens, sessions and their rules (no HTTP, no store);
//! - [`store`]: the items, keys and conditions in the table;
//! - [`service`]: the flows, for handlers, the operator command and other features;
//! - [`notify`]: code delivery;
//! - [`http`]: errors as the contract's, and the caller extractors.

pub mod http;
pub mod model;
pub mod notify;
pub mod service;
pub mod store;

pub use service::{AccountError, Accounts};
