//! Key construction: the only place that knows how keys are spelled.

pub use crate::platform::db::{GSI1PK, GSI1SK, GSI2PK, GSI2SK, GSI3PK, GSI3SK, PK, SK, TTL};

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
