//! Menu and order rules (moving into their feature folders).

pub use crate::menu::model as menu;
pub mod order;

pub use crate::accounts::model::{Role, user};
pub use crate::platform::clock::{now_epoch, now_rfc3339, rfc3339};
