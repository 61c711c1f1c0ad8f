//! The wallet flows: the balance and its history, the platform admin's adjustments, and a
//! Paystack deposit credited once (whether the webhook or `verify` comes first, however often).
//! Each change is decided on the wallet as read and written at its sequence number; when another
//! change got there first, it is decided again on the wallet as it now is.

use super::model::{
    About, Adjustment, Deposit, DepositOutcome, Entry, EntryKind, Wallet, WalletRefusal, ledger_adds_up,
};
use super::store::{Applied, WalletStore};
use crate::platform::clock::now_rfc3339;
use crate::platform::db::Page;
use crate::platform::error::Failure;
use crate::platform::pagination::PageRequest;
use crate::platform::retry::{Round, on_condition};
use crate::platform::validation::Invalid;

/// Changes to one wallet decided again when another got there first (each round one wins).
pub const ATTEMPTS: usize = 16;

#[derive(Debug, thiserror::Error)]
pub enum WalletError {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Refused(#[from] WalletRefusal),
    /// No such deposit of the caller's.
    #[error("no such deposit")]
    DepositNotFound,
    #[error(transparent)]
    Failure(#[from] Failure),
}

/// What a successful charge did to a deposit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credit {
    /// Credited now: the wallet after it.
    Credited(Wallet),
    /// Credited before: nothing changed.
    AlreadyCredited,
    /// Another amount or currency than initialized: not credited.
    Anomaly(Deposit),
    /// Not one of our deposits.
    Unknown,
}

#[derive(Clone, Debug)]
pub struct WalletService {
    store: WalletStore,
}

impl WalletService {
    pub fn new(store: WalletStore) -> Self {
        Self { store }
    }

    pub fn store(&self) -> &WalletStore {
        &self.store
    }

    pub async fn wallet(&self, user_id: &str) -> Result<Wallet, WalletError> {
        Ok(self.store.wallet(user_id).await?)
    }

    /// A page of the wallet's entries, the last applied first.
    pub async fn entries(&self, user_id: &str, page: &PageRequest) -> Result<Page<Entry>, WalletError> {
        Ok(self.store.entries(user_id, page).await?)
    }

    /// Whether the customer's ledger adds up to their balance.
    pub async fn ledger_adds_up(&self, user_id: &str) -> Result<bool, WalletError> {
        let (wallet, entries) = tokio::try_join!(self.store.wallet(user_id), self.store.all_entries(user_id))?;
        Ok(ledger_adds_up(&wallet, &entries))
    }

    /// The platform admin moves a wallet by a signed amount, saying why; never below zero.
    pub async fn adjust(&self, user_id: &str, admin_id: &str, adjustment: &Adjustment) -> Result<Wallet, WalletError> {
        let store = &self.store;
        let wallet = store.wallet(user_id).await?;
        on_condition("wallet adjustment", ATTEMPTS, wallet, |current: Wallet| async move {
            let about = About {
                note: Some(adjustment.note.clone()),
                by: Some(admin_id.to_owned()),
                ..About::default()
            };
            let (next, entry) = current.apply(EntryKind::Adjustment, adjustment.amount, about, &now_rfc3339())?;
            Ok(match store.apply(user_id, &current, &next, &entry, Vec::new()).await? {
                Applied::Done => {
                    tracing::info!(user_id, admin_id, amount = adjustment.amount, "wallet adjusted");
                    Round::Done(next)
                }
                Applied::Moved => Round::Again(store.wallet(user_id).await?),
            })
        })
        .await
    }

    /// Records a deposit opened with Paystack for `customer_id`.
    pub async fn open_deposit(&self, deposit: &Deposit) -> Result<(), WalletError> {
        Ok(self.store.open_deposit(deposit).await?)
    }

    /// The caller's deposit with this reference (anyone else's is not found).
    pub async fn own_deposit(&self, customer_id: &str, reference: &str) -> Result<Deposit, WalletError> {
        self.store
            .deposit(reference)
            .await?
            .filter(|d| d.customer_id == customer_id)
            .ok_or(WalletError::DepositNotFound)
    }

    /// A successful charge of `amount` `currency` for the deposit `reference`: the wallet is
    /// credited with the deposit's amount and the deposit marked credited, in one write, only
    /// while it is pending; a repeat finds it credited.
    pub async fn credit(&self, reference: &str, amount: i64, currency: &str) -> Result<Credit, WalletError> {
        let Some(deposit) = self.store.deposit(reference).await? else {
            return Ok(Credit::Unknown);
        };
        let store = &self.store;
        let wallet = store.wallet(&deposit.customer_id).await?;
        on_condition(
            "deposit credit",
            ATTEMPTS,
            (deposit, wallet),
            |(deposit, current)| async move {
                match deposit.charged(amount, currency) {
                    DepositOutcome::AlreadyCredited => return Ok(Round::Done(Credit::AlreadyCredited)),
                    DepositOutcome::Anomaly => return Ok(Round::Done(Credit::Anomaly(deposit))),
                    DepositOutcome::Credit => {}
                }
                let at = now_rfc3339();
                let about = About {
                    reference: Some(deposit.reference.clone()),
                    ..About::default()
                };
                let (next, entry) = current.apply(EntryKind::Deposit, deposit.amount, about, &at)?;
                let mark = store.credit_deposit_action(&deposit, &at)?;
                Ok(
                    match store
                        .apply(&deposit.customer_id, &current, &next, &entry, vec![mark])
                        .await?
                    {
                        Applied::Done => {
                            tracing::info!(reference = %deposit.reference, amount = deposit.amount, "deposit credited");
                            Round::Done(Credit::Credited(next))
                        }
                        Applied::Moved => {
                            let fresh = store.deposit(&deposit.reference).await?.unwrap_or(deposit);
                            let wallet = store.wallet(&fresh.customer_id).await?;
                            Round::Again((fresh, wallet))
                        }
                    },
                )
            },
        )
        .await
    }
}
