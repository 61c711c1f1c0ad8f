//! The features' storage, on the platform's DynamoDB helpers.

pub mod keys;
pub mod orders;

pub use crate::platform::db::{
    Cancelled, Conditional, Db as Store, Item, build_error, conditional_update, db_error, mapping_error, measure, n, s,
    sk_of, table, transact,
};
