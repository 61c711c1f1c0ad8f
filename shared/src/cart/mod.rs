//! The cart: a customer's lines kept on the server, priced at current menu prices on every read,
//! checked out through the orders' one placement flow.
//!
//! - [`model`]: lines, their limits and idle expiry, the priced view (no HTTP, no store);
//! - [`store`]: one item per customer, written under its version;
//! - [`service`]: the flows (read, change a line, clear, checkout);
//! - [`http`]: errors as the contract's, the views.

pub mod http;
pub mod model;
pub mod service;
pub mod store;

pub use service::{CartError, CartService};
