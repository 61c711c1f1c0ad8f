//! Integration tests: one binary, every function, against DynamoDB Local and moto.
//! Run with `infra/local/dev.sh test`.

mod events;
mod login;
mod menu;
mod orders;
mod routing;
mod signup;
mod template;
mod verify;
