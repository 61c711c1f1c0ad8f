//! The table's indexes and what each holds: the one list the table is made from (tests, the
//! local stack, the operator command) and the SAM template is held to (a test compares them).
//! What each index serves is in `docs/data-model.md`.

use crate::accounts::model::Account;
use crate::orders::model::OrderSummary;
use crate::platform::db::table::{IndexSpec, Projected};
use crate::platform::db::{GSI1, GSI2, GSI3};

/// Every index holds only what is read from it. `GSI1` holds two kinds of items: accounts
/// (the users list and the lookup by user id read whole accounts, which are small) and orders
/// (a customer's own list, which shows summaries). `GSI2` (orders by status, the kitchen's
/// board) and `GSI3` (every order) serve only the order lists. An order's write then costs the
/// indexes the summary's size, not the whole order's, and so does a list's read.
pub const INDEXES: &[IndexSpec] = &[
    IndexSpec {
        index: GSI1,
        projected: Projected::Only(&[Account::ATTRIBUTES, OrderSummary::ATTRIBUTES]),
    },
    IndexSpec {
        index: GSI2,
        projected: Projected::Only(&[OrderSummary::ATTRIBUTES]),
    },
    IndexSpec {
        index: GSI3,
        projected: Projected::Only(&[OrderSummary::ATTRIBUTES]),
    },
];
