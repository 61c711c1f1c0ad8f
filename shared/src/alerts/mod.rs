//! Kitchen alerts: what the kitchen's staff must look at (a dish running low or sold out, a
//! payment that did not match its order, a refund Paystack refused), at most one open per dish
//! (or order) and kind, resolved by staff or, for stock, by a restock above the threshold.
//! Raised from the table's change stream (the notifier), never from a request.
//!
//! - [`model`]: an alert, its kinds, what it is about, resolving it, when a restock resolves;
//! - [`store`]: a kitchen's alerts in its own partition, open and resolved apart, a guard per
//!   open subject;
//! - [`service`]: raise, list, resolve (by staff or the system);
//! - [`http`]: errors and parsing the status filter.

pub mod http;
pub mod model;
pub mod service;
pub mod store;

pub use service::{AlertError, AlertService};
