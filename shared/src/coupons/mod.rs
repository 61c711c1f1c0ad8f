//! Coupons and customer tiers: each kitchen's offers, the discount arithmetic, who may use a
//! coupon and when.
//!
//! - [`model`]: codes, the four kinds and their discounts, admission, tiers (no HTTP, no store);
//! - [`store`]: a kitchen's coupons under its own partition, the code guard;
//! - [`service`]: the managers' flows;
//! - [`http`]: errors as the contract's, and the JSON view.

pub mod http;
pub mod model;
pub mod service;
pub mod store;

pub use service::{CouponError, CouponService};
