//! Notifications: what the kitchen and its customers are told when an order, a payment or a
//! dish's stock changes, sent from the table's change stream (never from a request), each
//! message at most once per stream record.

pub mod model;
pub mod service;
pub mod store;
pub mod templates;

pub use service::{NotificationService, NotifyError, StreamChange};
