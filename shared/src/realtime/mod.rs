//! Live updates over WebSocket: single-use tickets that open a connection, the connections
//! (each user's, and each kitchen's for the staff who subscribed to its board), and sending
//! frames to them (a connection that has gone is forgotten).
//!
//! - [`model`]: tickets, what a client may say, the frames;
//! - [`store`]: tickets and connections in the table, each with a TTL;
//! - [`service`]: issue and redeem a ticket, connect, subscribe, disconnect, send to a user or a
//!   kitchen;
//! - [`http`]: errors as the ticket route answers them.

pub mod http;
pub mod model;
pub mod service;
pub mod store;

pub use service::{RealtimeError, RealtimeService};
