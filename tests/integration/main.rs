//! Integration tests: one binary, every function, against DynamoDB Local and moto.
//! Run with `infra/local/dev.sh test`.

// The notifier's future (email, SMS and the inbox for each record) nests deeply enough that a
// fresh (non-incremental) build of this crate outgrows the default query depth computing the
// layout of the tests that drive it through the local stream.
#![recursion_limit = "256"]

mod abuse;
mod alerts;
mod cart;
mod code_login;
mod coupons;
mod dish_details;
mod dish_photos;
mod events;
mod kitchens;
mod login;
mod menu;
mod menu_import;
mod notifier;
mod openapi;
mod orders;
mod payments;
mod paystack;
mod realtime;
mod recovery;
mod reports;
mod routes;
mod routing;
mod secrets;
mod signup;
mod stock;
mod template;
mod unpaid;
mod verify;
mod wallet;
