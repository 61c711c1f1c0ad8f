//! The table's indexes and what each holds: the one list the table is made from (tests, the
//! local stack, the operator command) and the SAM template is held to (a test compares them).
//! What each index serves is in `docs/data-model.md`.

use crate::orders::model::OrderSummary;
use crate::platform::db::table::{IndexSpec, Projected};
use crate::platform::db::{GSI1, GSI2, GSI3};

/// `GSI1` holds whole items: the users list and the customer lookup read accounts from it (and a
/// customer's orders). `GSI2` (orders by status, the kitchen's board) and `GSI3` (every order)
/// serve only the order lists, so they hold only what a list shows: an order's write then
/// costs those indexes the summary's size, not the whole order's, and so does a list's read.
pub const INDEXES: &[IndexSpec] = &[
    IndexSpec {
        index: GSI1,
        projected: Projected::All,
    },
    IndexSpec {
        index: GSI2,
        projected: Projected::Only(OrderSummary::ATTRIBUTES),
    },
    IndexSpec {
        index: GSI3,
        projected: Projected::Only(OrderSummary::ATTRIBUTES),
    },
];
