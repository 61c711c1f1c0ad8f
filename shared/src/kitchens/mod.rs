//! Kitchens: the platform's many kitchens, each with its own menu, hours, delivery rules and
//! staff (contract v3, "Kitchens"): the model, the store, the service (applying, public reads, a
//! member's kitchens, the admin's decision) and its HTTP edge (the `kitchens` function).

pub mod http;
pub mod model;
pub mod service;
pub mod store;

pub use service::{KitchenError, KitchenService};
