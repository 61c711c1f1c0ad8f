//! The in-app inbox: each user's notifications (what the notifier tells a customer about their
//! orders also lands here, once per change), an unread count, read and read-all.
//!
//! - [`model`]: a notification and its kinds, its id fixed by the change it comes from;
//! - [`store`]: the user's notifications in their own partition with the unread count beside;
//! - [`service`]: list, count, read, read all, deliver;
//! - [`http`]: errors and the JSON view.

pub mod http;
pub mod model;
pub mod service;
pub mod store;

pub use service::{InboxError, InboxService};
