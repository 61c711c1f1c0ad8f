//! Carts in the table: one item per customer and kitchen holding its lines, written whole under
//! the version read (a customer's own two devices cannot lose each other's change), expired by
//! TTL after [`IDLE_SECS`](super::model::IDLE_SECS) without a change. A customer's carts share a
//! partition, so "my carts" is one Query.
//!
//! | item | PK | SK | |
//! |---|---|---|---|
//! | cart | `CART#<customer>` | `KITCHEN#<kitchen id>` | TTL `expires_at`; deleted by checkout in the order's transaction |

use aws_sdk_dynamodb::types::TransactWriteItem;

use super::model::Cart;
use crate::orders::store::{CartLines, CartPort};
use crate::platform::db::{Db, Item, PK, SK, TTL, db_error, from_item, n, to_item, write_gate};
use crate::platform::error::Failure;

const CART_PREFIX: &str = "CART#";

fn cart_pk(customer_id: &str) -> String {
    format!("{CART_PREFIX}{customer_id}")
}

fn cart_sk(kitchen_id: &str) -> String {
    format!("KITCHEN#{kitchen_id}")
}

/// Checkout's way to the cart: its key and lines for the placement's read, and its deletion
/// (at the version read: a cart changed meanwhile fails the order's transaction).
impl CartPort for CartStore {
    fn key(&self, customer_id: &str, kitchen_id: &str) -> (String, String) {
        (cart_pk(customer_id), cart_sk(kitchen_id))
    }

    fn is_cart(&self, item: &Item) -> bool {
        matches!(item.get(PK), Some(aws_sdk_dynamodb::types::AttributeValue::S(pk)) if pk.starts_with(CART_PREFIX))
    }

    fn lines(&self, item: Option<Item>, now: i64) -> Result<CartLines, Failure> {
        let stored: Option<Cart> = item.map(|item| from_item(item, "cart")).transpose()?;
        let cart = Cart::live(stored, now);
        Ok(CartLines {
            lines: cart.order_lines().unwrap_or_default(),
            version: cart.version,
        })
    }

    fn delete_at(&self, customer_id: &str, kitchen_id: &str, version: u64) -> Result<TransactWriteItem, Failure> {
        self.db.delete_action(cart_pk(customer_id), cart_sk(kitchen_id), |d| {
            d.condition_expression("version = :seen")
                .expression_attribute_values(":seen", n(version))
        })
    }
}

/// What a conditional cart write did.
#[derive(Debug, PartialEq, Eq)]
pub enum Saved {
    Done,
    /// The cart changed since it was read: decide again.
    Stale,
}

#[derive(Clone, Debug)]
pub struct CartStore {
    db: Db,
}

impl CartStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    pub async fn cart(&self, customer_id: &str, kitchen_id: &str) -> Result<Option<Cart>, Failure> {
        self.db
            .get_item(cart_pk(customer_id), &cart_sk(kitchen_id), "cart")
            .await
    }

    /// Writes `next` over the cart read at `seen` (0: there was none).
    pub async fn save(&self, customer_id: &str, kitchen_id: &str, seen: u64, next: &Cart) -> Result<Saved, Failure> {
        let mut item = to_item(next, [(PK, cart_pk(customer_id)), (SK, cart_sk(kitchen_id))], "cart")?;
        item.insert(TTL.to_owned(), n(next.expires_at));
        write_gate().await?;
        let res = self
            .db
            .client()
            .put_item()
            .table_name(self.db.table())
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK) OR version = :seen")
            .expression_attribute_values(":seen", n(seen))
            .send()
            .await;
        match res {
            Ok(_) => Ok(Saved::Done),
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(Saved::Stale)
            }
            Err(err) => Err(db_error("PutItem cart", err)),
        }
    }

    /// Every cart of the customer, with the kitchen each is at (one Query of their partition).
    pub async fn carts(&self, customer_id: &str) -> Result<Vec<(String, Cart)>, Failure> {
        let items = self
            .db
            .query_partition(&cart_pk(customer_id), |q| q.consistent_read(true), "Query carts")
            .await?;
        let mut carts = Vec::new();
        for item in items {
            let kitchen = crate::platform::db::sk_of(&item)
                .trim_start_matches("KITCHEN#")
                .to_owned();
            carts.push((kitchen, from_item(item, "cart")?));
        }
        Ok(carts)
    }

    pub async fn clear(&self, customer_id: &str, kitchen_id: &str) -> Result<(), Failure> {
        self.db
            .delete(cart_pk(customer_id), &cart_sk(kitchen_id), "DeleteItem cart")
            .await
    }
}
