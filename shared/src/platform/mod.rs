//! What every feature uses and that knows no feature: configuration, keys, the AWS clients, the
//! DynamoDB helpers, errors and validation results, HTTP conventions, pagination, the route
//! list, retry loops, time, logging, and the record of AWS actions each function performs.

pub mod actions;
pub mod aws;
pub mod clock;
pub mod config;
pub mod db;
pub mod error;
pub mod front_door;
pub mod guard;
pub mod http;
pub mod ids;
#[cfg(feature = "images")]
pub mod images;
pub mod keys;
pub mod outbox;
pub mod pagination;
pub mod patch;
pub mod push;
pub mod retry;
pub mod routes;
#[cfg(feature = "secrets")]
pub mod secrets;
pub mod stream;
pub mod telemetry;
pub mod validation;
