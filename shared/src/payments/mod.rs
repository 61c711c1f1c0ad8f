//! Payments: Paystack checkout, its signed webhook, verification and refunds.
//!
//! - [`model`]: the webhook signature over raw bytes, references, what a charge does to an order
//!   (no HTTP, no store);
//! - [`paystack`]: Paystack's API (initialize, verify, refund).

#[cfg(feature = "payments")]
pub mod http;
pub mod model;
#[cfg(feature = "payments")]
pub mod paystack;
#[cfg(feature = "payments")]
pub mod service;
pub mod store;
