//! Orders: placement (priced on the server, idempotent), a customer's orders and cancel, the
//! kitchen's lifecycle and payments.
//!
//! - [`model`]: the state machine and its preconditions, placement rules, pricing, idempotency
//!   (no HTTP, no store);
//! - [`store`]: the order item, its indexes, conditional writes spelled from the preconditions;
//! - [`service`]: the flows, retried on a moved order;
//! - [`http`]: errors as the contract's, the request body and header, replays.

pub mod http;
pub mod model;
pub mod service;
pub mod store;

pub use service::{OrderError, OrderService, RefundRefused, Refunds};
