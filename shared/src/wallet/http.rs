//! The wallet at the HTTP edge: its errors as the contract's, and the JSON views.

use serde_json::{Value, json};

use super::model::{Wallet, WalletRefusal};
use super::service::WalletError;
use crate::platform::error::ApiError;

impl From<WalletRefusal> for ApiError {
    fn from(refusal: WalletRefusal) -> Self {
        match refusal {
            WalletRefusal::InsufficientFunds { balance, needed } => ApiError::conflict(
                "insufficient_funds",
                format!(
                    "Your wallet holds {}; this needs {}",
                    crate::menu::model::naira(balance),
                    crate::menu::model::naira(needed)
                ),
            ),
        }
    }
}

impl From<WalletError> for ApiError {
    fn from(err: WalletError) -> Self {
        match err {
            WalletError::Invalid(invalid) => invalid.into(),
            WalletError::Refused(refusal) => refusal.into(),
            WalletError::DepositNotFound => ApiError::not_found("deposit_not_found", "Deposit not found"),
            WalletError::Failure(f) => f.into(),
        }
    }
}

/// A wallet as the contract shows it.
pub fn wallet_view(wallet: &Wallet) -> Value {
    json!({"balance": wallet.balance, "currency": crate::menu::model::CURRENCY})
}
