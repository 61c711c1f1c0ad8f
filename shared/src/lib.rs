//! Everything the Chuks Kitchen functions share: the platform part (configuration, keys, errors,
//! HTTP conventions, DynamoDB helpers, pagination, the route list) and the features.
//!
//! Each function crate builds an axum `Router<App>` with its routes and hands it to
//! [`platform::http::service`], which adds the contract's conventions (optional trailing slash,
//! JSON 404/405, request-scoped tracing). `main` then calls `lambda_http::run` on the result.

pub mod accounts;
pub mod alerts;
pub mod app;
pub mod cart;
pub mod coupons;
pub mod inbox;
pub mod kitchens;
pub mod menu;
pub mod notifications;
pub mod orders;
pub mod payments;
pub mod platform;
pub mod realtime;
pub mod reports;
pub mod schema;
pub mod wallet;

pub use app::App;
pub use platform::error::ApiError;
pub use platform::{aws, config, error, http, pagination, telemetry};
