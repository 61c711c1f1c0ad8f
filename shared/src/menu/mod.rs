//! The menus: each kitchen's categories and dishes, read by everyone, managed by its managers.
//!
//! - [`model`]: money, names, categories, dishes, edits and listing rules (no HTTP, no store);
//! - [`store`]: the menu partition, name guards, counts and conditional changes;
//! - [`service`]: reads and the admin's changes, retried on a moved item;
//! - [`http`]: errors as the contract's, and the JSON views;
//! - `import` (feature `import`): spreadsheets read, checked and planned (no store).

pub mod http;
#[cfg(feature = "import")]
pub mod import;
pub mod model;
pub mod service;
pub mod store;

pub use service::{KitchenMenu, MenuError, MenuService};
