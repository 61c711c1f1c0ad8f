//! Wallets in the table: the balance and every entry in the customer's own partition, each
//! entry keyed by its sequence number, so the history is one Query in the order applied and an
//! entry can only be written once. A change writes the wallet (conditioned on the sequence number
//! it was read at) and its entry in one transaction, so no two changes apply to the same balance.
//!
//! | item | PK | SK | |
//! |---|---|---|---|
//! | wallet | `WALLET#<user>` | `WALLET` | `balance`, `seq` (absent: 0 and 0) |
//! | entry | `WALLET#<user>` | `ENTRY#<seq, 12 digits>` | `kind`, `amount`, `balance_after`, `order_id?`, `reference?`, `note?`, `at` |
//! | deposit | `DEPOSIT#<reference>` | `DEPOSIT` | `customer_id`, `amount`, `status` (`pending` -> `credited` once) |

use aws_sdk_dynamodb::types::TransactWriteItem;

use super::model::{Deposit, DepositStatus, Entry, Wallet};
use crate::platform::db::{Db, Item, PK, Page, SK, from_item, n, s, to_item, transact};
use crate::platform::error::Failure;
use crate::platform::pagination::PageRequest;

const WALLET_SK: &str = "WALLET";
const ENTRY_PREFIX: &str = "ENTRY#";
const DEPOSIT_SK: &str = "DEPOSIT";

fn wallet_pk(user_id: &str) -> String {
    format!("WALLET#{user_id}")
}

/// The key of a customer's wallet.
pub fn wallet_key(user_id: &str) -> (String, String) {
    (wallet_pk(user_id), WALLET_SK.to_owned())
}

fn entry_key(user_id: &str, seq: i64) -> (String, String) {
    (wallet_pk(user_id), format!("{ENTRY_PREFIX}{seq:012}"))
}

fn deposit_key(reference: &str) -> (String, String) {
    (format!("DEPOSIT#{reference}"), DEPOSIT_SK.to_owned())
}

/// Whether a batch-read item is a wallet.
pub fn is_wallet(item: &Item) -> bool {
    crate::platform::db::sk_of(item) == WALLET_SK
}

pub fn wallet_from(item: Item) -> Result<Wallet, Failure> {
    from_item(item, "wallet")
}

/// The actions that apply `entry` to the customer's wallet as read (`current`), leaving it
/// `next`, for a transaction: the wallet, only while still at `current`'s sequence number, and
/// the entry, only if new.
pub fn apply_actions(
    db: &Db,
    user_id: &str,
    current: &Wallet,
    next: &Wallet,
    entry: &Entry,
) -> Result<Vec<TransactWriteItem>, Failure> {
    let (pk, sk) = wallet_key(user_id);
    let wallet = db.update_action(pk, sk, |a| {
        let a = a
            .update_expression("SET balance = :balance, seq = :next")
            .expression_attribute_values(":balance", n(next.balance))
            .expression_attribute_values(":next", n(next.seq));
        if current.seq == 0 {
            a.condition_expression("attribute_not_exists(PK)")
        } else {
            a.condition_expression("seq = :seen")
                .expression_attribute_values(":seen", n(current.seq))
        }
    })?;
    let (pk, sk) = entry_key(user_id, entry.seq);
    let entry = db.put_action(to_item(entry, [(PK, pk), (SK, sk)], "wallet entry")?, |p| {
        p.condition_expression("attribute_not_exists(PK)")
    })?;
    Ok(vec![wallet, entry])
}

/// What a change did.
#[derive(Debug, PartialEq, Eq)]
pub enum Applied {
    Done,
    /// The wallet moved since it was read (or the deposit was credited meanwhile).
    Moved,
}

#[derive(Clone, Debug)]
pub struct WalletStore {
    db: Db,
}

impl WalletStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// The customer's wallet (an empty one when none was ever written).
    pub async fn wallet(&self, user_id: &str) -> Result<Wallet, Failure> {
        let (pk, sk) = wallet_key(user_id);
        Ok(self.db.get_item(pk, &sk, "wallet").await?.unwrap_or_default())
    }

    /// Applies `entry` to the wallet as read, with any `also` actions in the same transaction.
    pub async fn apply(
        &self,
        user_id: &str,
        current: &Wallet,
        next: &Wallet,
        entry: &Entry,
        also: Vec<TransactWriteItem>,
    ) -> Result<Applied, Failure> {
        let mut items = apply_actions(&self.db, user_id, current, next, entry)?;
        items.extend(also);
        Ok(match transact(&self.db, "apply wallet entry", items).await? {
            None => Applied::Done,
            Some(c) if c.any_condition_failed() => Applied::Moved,
            Some(c) => return Err(Failure::bug(format!("wallet entry cancelled: {:?}", c.0))),
        })
    }

    /// A page of the customer's entries, the last applied first.
    pub async fn entries(&self, user_id: &str, page: &PageRequest) -> Result<Page<Entry>, Failure> {
        self.db
            .query_prefix_page(wallet_pk(user_id), ENTRY_PREFIX, page, "wallet entry")
            .await
    }

    /// Every entry of the customer's wallet (the ledger check).
    pub async fn all_entries(&self, user_id: &str) -> Result<Vec<Entry>, Failure> {
        let mut all = Vec::new();
        let mut page = PageRequest {
            limit: 100,
            start: None,
        };
        loop {
            let found = self.entries(user_id, &page).await?;
            all.extend(found.items);
            match found.last_key {
                Some(key) => page.start = Some(key),
                None => return Ok(all),
            }
        }
    }

    /// Records a deposit opened with Paystack.
    pub async fn open_deposit(&self, deposit: &Deposit) -> Result<(), Failure> {
        let (pk, sk) = deposit_key(&deposit.reference);
        let item = to_item(deposit, [(PK, pk), (SK, sk)], "deposit")?;
        if self.db.put_new(item, "PutItem deposit").await? {
            Ok(())
        } else {
            Err(Failure::bug("a new deposit reference was taken"))
        }
    }

    pub async fn deposit(&self, reference: &str) -> Result<Option<Deposit>, Failure> {
        let (pk, sk) = deposit_key(reference);
        self.db.get_item(pk, &sk, "deposit").await
    }

    /// The action that marks a pending deposit credited (only while pending: a deposit is
    /// credited once).
    pub fn credit_deposit_action(&self, deposit: &Deposit, at: &str) -> Result<TransactWriteItem, Failure> {
        let (pk, sk) = deposit_key(&deposit.reference);
        self.db.update_action(pk, sk, |a| {
            a.update_expression("SET #status = :credited, credited_at = :at")
                .condition_expression("#status = :pending")
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":credited", s(status(DepositStatus::Credited)))
                .expression_attribute_values(":pending", s(status(DepositStatus::Pending)))
                .expression_attribute_values(":at", s(at))
        })
    }
}

fn status(status: DepositStatus) -> &'static str {
    match status {
        DepositStatus::Pending => "pending",
        DepositStatus::Credited => "credited",
    }
}
