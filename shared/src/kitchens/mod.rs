//! Kitchens: the platform's many kitchens, each with its own menu, hours, delivery rules and
//! staff (contract v3, "Kitchens"). So far the model, the store and the service (applying,
//! public reads, a member's kitchens, the admin's decision); the HTTP edge follows.

pub mod model;
pub mod service;
pub mod store;

pub use service::{KitchenError, KitchenService};
