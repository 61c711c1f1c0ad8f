//! The wallet: a balance in kobo and the ledger of what moved it. Every change is one entry
//! applied to the wallet as read: the entry says how much (signed) and the balance right after,
//! and the wallet's sequence number goes up by one, so a ledger always sums to its balance and
//! entries sort in the order they were applied. Imports neither HTTP nor the store.

use serde::{Deserialize, Serialize};

use crate::platform::validation::Invalid;

/// The least and most one deposit may be (NGN 100 to NGN 1,000,000).
pub const DEPOSIT_MIN: i64 = 10_000;
pub const DEPOSIT_MAX: i64 = 100_000_000;
/// The most one adjustment may move either way (NGN 1,000,000).
pub const ADJUSTMENT_MAX: i64 = 100_000_000;
pub const NOTE_MAX: usize = 300;

/// A customer's wallet as stored (none stored: empty, at sequence 0).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wallet {
    /// Kobo; never below 0.
    pub balance: i64,
    /// How many entries have been applied.
    pub seq: i64,
}

/// What moved a wallet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Deposit,
    Payment,
    Refund,
    Adjustment,
}

/// One ledger entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub id: String,
    pub kind: EntryKind,
    /// Kobo, signed: a payment is negative.
    pub amount: i64,
    pub balance_after: i64,
    /// Which application of the wallet it was (1, 2, ...).
    pub seq: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Who applied an adjustment (the platform admin).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    pub at: String,
}

/// What an entry is about, besides its kind and amount.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct About {
    pub order_id: Option<String>,
    pub reference: Option<String>,
    pub note: Option<String>,
    pub by: Option<String>,
}

/// Why a wallet cannot take an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WalletRefusal {
    /// It would go below zero.
    #[error("the balance of {balance} kobo does not cover {needed} kobo")]
    InsufficientFunds { balance: i64, needed: i64 },
}

impl Wallet {
    /// The wallet after `amount` (signed) moved it, and the entry that says so; never below 0.
    pub fn apply(
        &self,
        kind: EntryKind,
        amount: i64,
        about: About,
        at: &str,
    ) -> Result<(Wallet, Entry), WalletRefusal> {
        let balance = self
            .balance
            .checked_add(amount)
            .filter(|b| *b >= 0)
            .ok_or(WalletRefusal::InsufficientFunds {
                balance: self.balance,
                needed: amount.saturating_neg(),
            })?;
        let next = Wallet {
            balance,
            seq: self.seq + 1,
        };
        let entry = Entry {
            id: ulid::Ulid::new().to_string(),
            kind,
            amount,
            balance_after: balance,
            seq: next.seq,
            order_id: about.order_id,
            reference: about.reference,
            note: about.note,
            by: about.by,
            at: at.to_owned(),
        };
        Ok((next, entry))
    }
}

/// Whether `entries` (every entry of a wallet, any order) add up to `wallet`: their amounts sum
/// to the balance, each `balance_after` follows from the one before, and none is missing.
pub fn ledger_adds_up(wallet: &Wallet, entries: &[Entry]) -> bool {
    let mut sorted: Vec<&Entry> = entries.iter().collect();
    sorted.sort_by_key(|e| e.seq);
    let mut balance = 0_i64;
    for (i, entry) in sorted.iter().enumerate() {
        balance += entry.amount;
        if entry.seq != i as i64 + 1 || entry.balance_after != balance || balance < 0 {
            return false;
        }
    }
    balance == wallet.balance && sorted.len() as i64 == wallet.seq
}

/// A deposit's amount, as asked: whole kobo from [`DEPOSIT_MIN`] to [`DEPOSIT_MAX`].
pub fn deposit_amount(raw: Option<i64>) -> Result<i64, Invalid> {
    match raw {
        Some(kobo) if (DEPOSIT_MIN..=DEPOSIT_MAX).contains(&kobo) => Ok(kobo),
        _ => Err(Invalid::field(
            "invalid_amount",
            "amount",
            format!("must be a whole number of kobo from {DEPOSIT_MIN} to {DEPOSIT_MAX}"),
            "A deposit is from NGN 100 to NGN 1,000,000",
        )),
    }
}

/// The platform admin's adjustment: a signed amount (not 0) and a note saying why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adjustment {
    pub amount: i64,
    pub note: String,
}

impl Adjustment {
    pub fn parse(amount: Option<i64>, note: Option<&str>) -> Result<Self, Invalid> {
        let mut p = crate::platform::validation::Problems::default();
        let amount = match amount {
            Some(a) if a != 0 && a.abs() <= ADJUSTMENT_MAX => Some(a),
            _ => {
                p.add(
                    "invalid_amount",
                    "amount",
                    format!("must be a whole number of kobo, not 0, at most {ADJUSTMENT_MAX} either way"),
                );
                None
            }
        };
        let note = match note.map(str::trim) {
            Some(n) if !n.is_empty() && n.chars().count() <= NOTE_MAX && !n.chars().any(char::is_control) => {
                Some(n.to_owned())
            }
            _ => {
                p.add(
                    "invalid_note",
                    "note",
                    format!("must say why, in 1 to {NOTE_MAX} characters"),
                );
                None
            }
        };
        p.finish("The adjustment is invalid")?;
        match (amount, note) {
            (Some(amount), Some(note)) => Ok(Self { amount, note }),
            _ => Err(Invalid::field(
                "invalid_amount",
                "amount",
                "is required",
                "The adjustment is invalid",
            )),
        }
    }
}

/// Where a deposit stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DepositStatus {
    Pending,
    Credited,
}

/// A deposit opened with Paystack: credited once, for exactly the amount initialized.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deposit {
    pub reference: String,
    pub customer_id: String,
    /// Kobo, as initialized.
    pub amount: i64,
    pub currency: String,
    pub status: DepositStatus,
    pub created_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credited_at: Option<String>,
}

/// What a successful charge does to a deposit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DepositOutcome {
    /// Credit the wallet with the deposit's amount.
    Credit,
    /// Credited before (a repeat, or verify after the webhook): nothing changes.
    AlreadyCredited,
    /// Another amount or currency than initialized: no credit, an anomaly to look into.
    Anomaly,
}

impl Deposit {
    /// The reference of a new deposit: `wd-<ulid>`.
    pub fn new_reference() -> String {
        format!("wd-{}", ulid::Ulid::new())
    }

    /// Whether a reference is one of ours for a deposit.
    pub fn is_deposit_reference(reference: &str) -> bool {
        reference
            .strip_prefix("wd-")
            .is_some_and(|id| ulid::Ulid::from_string(id).is_ok())
    }

    /// A charge of `amount` `currency` for this deposit.
    pub fn charged(&self, amount: i64, currency: &str) -> DepositOutcome {
        if self.status == DepositStatus::Credited {
            DepositOutcome::AlreadyCredited
        } else if amount != self.amount || currency != self.currency {
            DepositOutcome::Anomaly
        } else {
            DepositOutcome::Credit
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(w: Wallet, kind: EntryKind, amount: i64) -> Result<(Wallet, Entry), WalletRefusal> {
        w.apply(kind, amount, About::default(), "t")
    }

    #[test]
    fn a_wallet_never_goes_below_zero_and_each_entry_says_the_balance_after_it() {
        let (w, deposit) = apply(Wallet::default(), EntryKind::Deposit, 500_000).unwrap();
        assert_eq!(
            (w.balance, w.seq, deposit.balance_after, deposit.seq),
            (500_000, 1, 500_000, 1)
        );
        let (w, payment) = apply(w, EntryKind::Payment, -350_000).unwrap();
        assert_eq!(
            (w.balance, payment.amount, payment.balance_after),
            (150_000, -350_000, 150_000)
        );
        assert_eq!(
            apply(w, EntryKind::Payment, -150_001),
            Err(WalletRefusal::InsufficientFunds {
                balance: 150_000,
                needed: 150_001
            })
        );
        let (w, _) = apply(w, EntryKind::Payment, -150_000).unwrap();
        assert_eq!(w.balance, 0, "exactly the balance may be spent");
        assert!(apply(w, EntryKind::Adjustment, i64::MAX).is_ok_and(|(w, _)| w.balance == i64::MAX));
        assert!(
            apply(Wallet { balance: 1, seq: 1 }, EntryKind::Deposit, i64::MAX).is_err(),
            "no overflow"
        );
    }

    #[test]
    fn a_ledger_adds_up_only_when_every_entry_is_there_in_order() {
        let mut w = Wallet::default();
        let mut entries = Vec::new();
        for (kind, amount) in [
            (EntryKind::Deposit, 200_000),
            (EntryKind::Payment, -120_000),
            (EntryKind::Refund, 120_000),
            (EntryKind::Adjustment, -50_000),
        ] {
            let (next, entry) = apply(w, kind, amount).unwrap();
            w = next;
            entries.push(entry);
        }
        assert!(ledger_adds_up(&w, &entries));
        entries.reverse();
        assert!(ledger_adds_up(&w, &entries), "any order: sorted by sequence");
        let missing: Vec<Entry> = entries.iter().filter(|e| e.seq != 2).cloned().collect();
        assert!(!ledger_adds_up(&w, &missing));
        let mut off = entries.clone();
        off[0].amount += 1;
        assert!(!ledger_adds_up(&w, &off));
        assert!(ledger_adds_up(&Wallet::default(), &[]), "a new wallet");
    }

    #[test]
    fn a_deposit_is_credited_once_for_exactly_its_amount() {
        let mut d = Deposit {
            reference: Deposit::new_reference(),
            customer_id: "u".into(),
            amount: 500_000,
            currency: "NGN".into(),
            status: DepositStatus::Pending,
            created_at: "t".into(),
            credited_at: None,
        };
        assert!(Deposit::is_deposit_reference(&d.reference));
        assert!(!Deposit::is_deposit_reference(
            "ck-01JD5Q4A1B3C5D7E9F1G3H5J7K-01JD5Q4A1B3C5D7E9F1G3H5J7K"
        ));
        assert_eq!(d.charged(500_000, "NGN"), DepositOutcome::Credit);
        assert_eq!(d.charged(499_999, "NGN"), DepositOutcome::Anomaly);
        assert_eq!(d.charged(500_000, "USD"), DepositOutcome::Anomaly);
        d.status = DepositStatus::Credited;
        assert_eq!(d.charged(500_000, "NGN"), DepositOutcome::AlreadyCredited);
    }

    #[test]
    fn deposits_and_adjustments_are_checked() {
        assert!(deposit_amount(Some(DEPOSIT_MIN)).is_ok());
        assert!(deposit_amount(Some(DEPOSIT_MIN - 1)).is_err());
        assert!(deposit_amount(Some(DEPOSIT_MAX + 1)).is_err());
        assert!(deposit_amount(None).is_err());
        assert_eq!(
            Adjustment::parse(Some(-5_000), Some("  goodwill  ")),
            Ok(Adjustment {
                amount: -5_000,
                note: "goodwill".into()
            })
        );
        let err = Adjustment::parse(Some(0), Some("")).unwrap_err();
        assert_eq!(err.fields.len(), 2, "{err:?}");
    }
}
