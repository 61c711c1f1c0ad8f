//! Sales reports, kept from the table's change stream (never by scanning orders): each
//! kitchen's figures per local day and per dish per day, and every kitchen's per day for the
//! platform, each stream record counted once.
//!
//! - [`model`]: what an order counts for in its day, the change a stream record makes, ranges;
//! - [`store`]: the day items, moved with `ADD` beside a counted marker, read by range;
//! - [`service`]: count a change, a kitchen's report, the platform's, the CSV;
//! - [`http`]: errors as the contract's.

pub mod http;
pub mod model;
pub mod service;
pub mod store;

pub use service::{ReportError, ReportService};
