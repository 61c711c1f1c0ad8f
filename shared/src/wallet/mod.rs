//! The wallet: each customer's balance and the ledger of what moved it (deposits through
//! Paystack, order payments, refunds, the platform admin's adjustments).
//!
//! - [`model`]: applying an entry (never below zero), the ledger check, deposits, adjustments;
//! - [`store`]: the wallet and its entries in the customer's own partition, written together;
//!   the actions other features put in their own transactions (an order's payment or refund);
//! - [`service`]: balance, history, adjustments, crediting a deposit once;
//! - [`http`]: errors as the contract's, and the JSON views.

pub mod http;
pub mod model;
pub mod service;
pub mod store;

pub use service::{WalletError, WalletService};
