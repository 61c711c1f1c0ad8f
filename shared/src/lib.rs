//! Everything the Chuks Kitchen functions share: configuration, the error type and its rendering,
//! HTTP plumbing (routing conventions, JSON bodies, auth), the domain rules, the DynamoDB store and
//! OTP delivery.
//!
//! Each function crate builds an axum `Router<App>` with its routes and hands it to
//! [`http::service`], which adds the contract's conventions (optional trailing slash, JSON 404/405,
//! request-scoped tracing). `main` then calls `lambda_http::run` on the result.

pub mod app;
pub mod auth;
pub mod aws;
pub mod config;
pub mod domain;
pub mod error;
pub mod http;
pub mod input;
pub mod notify;
pub mod pagination;
pub mod store;
pub mod telemetry;
pub mod verification;

pub use app::App;
pub use error::ApiError;
