//! Orders in the table. One item per order holding its lines (name and price snapshots) and its
//! status history, so an order is one GetItem and a status change plus its history entry is one
//! conditional UpdateItem, whose condition is the model's [`Precondition`]. Indexed three ways,
//! all sorted by the order's ULID, so newest first is `ScanIndexForward = false`.
//!
//! | item | PK | SK | indexes |
//! |---|---|---|---|
//! | order | `ORDER#<ulid>` | `ORDER` | GSI1 `CUSTOMER#<customer>` (a customer's orders), GSI2 `KITCHEN#<k>#STATUS#<status>` (the kitchen's board, moved by the write that changes the status), GSI3 `KITCHEN#<k>#ORDERS` (every order of the kitchen); sort key the order id |
//! | (a dish's `stock`) | `KITCHEN#<k>#MENU` | `FOOD#<ulid>` | taken by placement (`ADD stock -q` if `stock >= q`) and given back by a cancellation, each in the order's transaction |
//! | first answer to an `Idempotency-Key` | `IDEMPOTENCY#<customer>#<key>` | `IDEMPOTENCY` | (TTL an hour after the 24 h window) |
//! | a customer's unpaid orders (`OpenOrders`) | `OPENORDERS#<customer>` | `OPENORDERS` | written by placement only: `ADD ids` while `size(ids) < max`, or the whole list at its `version` |
//!
//! Expiry reads each kitchen's GSI2 `KITCHEN#<k>#STATUS#pending` with `GSI2SK < ` the ULID of
//! the cutoff (a key condition: the pending orders placed before it, oldest first), never a
//! scan. An order placed before kitchens (no `kitchen`) keeps the old `ORDERSTATUS#<status>` /
//! `ORDERS` keys until `kitchen-ops adopt-home-kitchen` moves it.

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, ReturnValuesOnConditionCheckFailure, TransactWriteItem};

use super::model::{
    HistoryEntry, IdempotencyKey, IdempotencyRecord, OpenOrders, OpenSlot, Order, OrderStatus, OrderSummary,
    PaymentMethod, PaymentStatus, Portions, Precondition, RequestedLine, StatusRule,
};
use crate::accounts::model::tokens::Subject;
use crate::accounts::store::{account_from, account_key, is_account, live_session_check};
use crate::coupons::model::{AppliedCoupon, Coupon, CustomerUses, Stats, Usage};
use crate::coupons::store as coupons;
use crate::kitchens::model::Kitchen;
use crate::kitchens::store::{is_kitchen, kitchen_from, kitchen_key};
use crate::menu::model::Food;
use crate::menu::store::{food_from, food_key, is_food};
use crate::platform::db::{
    Conditional, Db, GSI1, GSI1PK, GSI1SK, GSI2, GSI2PK, GSI2SK, GSI3, GSI3PK, GSI3SK, Index, Item, PK, Page, SK, TTL,
    conditional_update, db_error, from_item, mapping_error, n, projected, s, sk_of, to_item, transact,
};
use crate::platform::error::Failure;
use crate::platform::pagination::PageRequest;
use crate::wallet::model::{Entry, Wallet};
use crate::wallet::store as wallets;

const ORDER_SK: &str = "ORDER";
const IDEMPOTENCY_SK: &str = "IDEMPOTENCY";
/// Every order of a kitchen (GSI3).
fn all_orders_gsi3pk(kitchen_id: Option<&str>) -> String {
    match kitchen_id {
        Some(k) => format!("KITCHEN#{k}#ORDERS"),
        None => "ORDERS".to_owned(),
    }
}
const OPEN_ORDERS_SK: &str = "OPENORDERS";

fn open_orders_key(customer_id: &str) -> (String, String) {
    (format!("OPENORDERS#{customer_id}"), OPEN_ORDERS_SK.to_owned())
}
/// Idempotency records stay an hour past their window before TTL removes them.
const IDEMPOTENCY_TTL_GRACE_SECS: i64 = 3600;

fn order_pk(id: &str) -> String {
    format!("ORDER#{id}")
}

/// The key of an order, for features that write it in their own transactions (payments).
pub fn order_key(id: &str) -> (String, String) {
    (order_pk(id), ORDER_SK.to_owned())
}

/// Whether a stored item is an order.
pub fn is_order(item: &Item) -> bool {
    crate::platform::db::sk_of(item) == ORDER_SK
}

pub fn order_from(item: Item) -> Result<Order, Failure> {
    from_item(item, "order")
}

fn customer_orders_gsi1pk(customer_id: &str) -> String {
    format!("CUSTOMER#{customer_id}")
}

/// A kitchen's orders of one status (GSI2: its board).
pub fn status_gsi2pk(kitchen_id: Option<&str>, status: OrderStatus) -> String {
    match kitchen_id {
        Some(k) => format!("KITCHEN#{k}#STATUS#{}", status.as_str()),
        None => format!("ORDERSTATUS#{}", status.as_str()),
    }
}

/// The GSI3 partition of a kitchen's orders, for the operator's upgrade.
pub fn kitchen_orders_gsi3pk(kitchen_id: &str) -> String {
    all_orders_gsi3pk(Some(kitchen_id))
}

/// An Idempotency-Key is scoped to the customer who sent it.
fn idempotency_pk(customer_id: &str, key: &IdempotencyKey) -> String {
    format!("IDEMPOTENCY#{customer_id}#{}", key.as_str())
}

/// What a placement reads first, in one round trip.
#[derive(Debug, Default)]
pub struct PlacementInputs {
    pub foods: Vec<Food>,
    pub idempotency: Option<IdempotencyRecord>,
    /// The kitchen ordered from.
    pub kitchen: Option<Kitchen>,
    /// The customer's cart item, for a checkout (read through the [`CartPort`]).
    pub cart: Option<Item>,
    /// The customer's unpaid orders, as listed.
    pub open: OpenOrders,
    /// The coupon the customer's code names at the kitchen, if any.
    pub coupon: Option<Coupon>,
    /// The customer's count of that code's uses.
    pub coupon_uses: Option<CustomerUses>,
    /// The customer's completed orders and spending (their tier), read with a coupon.
    pub stats: Stats,
    /// The customer's account (the order names them for the kitchen).
    pub account: Option<crate::accounts::model::Account>,
}

/// A coupon use to count in a placement's transaction.
pub struct CouponUse<'a> {
    pub coupon: &'a Coupon,
    pub seen: Option<&'a CustomerUses>,
    pub usage: Usage,
}

/// What an order's status change writes besides the order (each in the same transaction).
#[derive(Debug, Default)]
pub struct Alongside<'a> {
    /// Portions given back to stock (a cancellation).
    pub stock: &'a [Portions],
    /// The coupon use given back (a cancellation), and whether its counts still can be.
    pub coupon: Option<(&'a AppliedCoupon, bool)>,
    /// Spending added to the customer's stats (a completion).
    pub spending: Option<i64>,
    /// A wallet-paid order's refund into the wallet (a cancellation): the order becomes
    /// `refunded` in the same write.
    pub refund: Option<WalletChange<'a>>,
}

/// A wallet as read, as it will be, and the entry between.
#[derive(Debug, Clone, Copy)]
pub struct WalletChange<'a> {
    pub current: &'a Wallet,
    pub next: &'a Wallet,
    pub entry: &'a Entry,
}

impl Alongside<'_> {
    pub fn is_empty(&self) -> bool {
        self.stock.is_empty() && self.coupon.is_none() && self.spending.is_none() && self.refund.is_none()
    }
}

/// What paying from the wallet did.
#[derive(Debug)]
pub enum WalletPaid {
    Done(Box<Order>),
    /// The order or the wallet moved since they were read.
    Moved,
}

/// An order's state, as far as its customer's places for unpaid orders go.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct OrderState {
    pub id: String,
    pub status: OrderStatus,
    pub payment_status: PaymentStatus,
}

#[derive(Debug, PartialEq, Eq)]
pub enum PlaceOutcome {
    Placed,
    /// A concurrent request with the same Idempotency-Key won.
    IdempotencyKeyTaken,
    SessionEnded,
    /// The cart changed (or went) since it was read.
    CartChanged,
    /// Orders in flight took the stock first: each short dish with what is left now (`None`:
    /// its stock is no longer tracked).
    ShortOf(Vec<(String, Option<i64>)>),
    /// A dish was deleted meanwhile.
    FoodGone(String),
    /// The coupon changed (a manager, or other orders using it) or the customer's count of it
    /// did, since they were read: to be decided again.
    CouponMoved,
    /// The customer's places for unpaid orders filled (or their list changed) meanwhile.
    TooManyOpen,
}

#[derive(Debug, PartialEq, Eq)]
pub enum GiveBackOutcome {
    Done,
    /// The order moved since it was read: as it is now (None: it does not exist).
    Changed(Option<Box<Order>>),
    /// This dish cannot take portions back (deleted, or its stock no longer tracked).
    DishGone(String),
    /// The coupon (or the customer's count of it) is no longer the one the order used.
    CouponGone,
    /// The customer's wallet moved since it was read (its refund is decided again).
    WalletMoved,
}

#[derive(Debug, PartialEq, Eq)]
pub enum WriteOutcome {
    Done(Box<Order>),
    /// The precondition failed: the order as it is now (None: it does not exist).
    Changed(Option<Box<Order>>),
}

/// The lines a checkout orders, as the cart holds them, and the version they were read at.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CartLines {
    pub lines: Vec<RequestedLine>,
    pub version: u64,
}

/// The customer's cart as a checkout needs it. The cart is another feature's: it is read in the
/// placement's own BatchGetItem and deleted in the order's own transaction through this port,
/// which the cart's store implements (`app.rs` wires it), so orders never imports the cart.
pub trait CartPort: Send + Sync {
    /// The key of the customer's cart item at a kitchen.
    fn key(&self, customer_id: &str, kitchen_id: &str) -> (String, String);
    /// Whether a batch-read item is a cart.
    fn is_cart(&self, item: &Item) -> bool;
    /// The lines of the cart item as they stand at `now` (none: empty or idle too long).
    fn lines(&self, item: Option<Item>, now: i64) -> Result<CartLines, Failure>;
    /// The transaction action that deletes the cart while it is still at `version`.
    fn delete_at(&self, customer_id: &str, kitchen_id: &str, version: u64) -> Result<TransactWriteItem, Failure>;
}

#[derive(Clone)]
pub struct OrderStore {
    db: Db,
    cart: Option<std::sync::Arc<dyn CartPort>>,
}

impl std::fmt::Debug for OrderStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrderStore").finish_non_exhaustive()
    }
}

impl OrderStore {
    pub fn new(db: Db) -> Self {
        Self { db, cart: None }
    }

    /// The same store with checkout's way to the cart.
    pub fn with_cart(mut self, cart: std::sync::Arc<dyn CartPort>) -> Self {
        self.cart = Some(cart);
        self
    }

    fn cart_port(&self) -> Result<&dyn CartPort, Failure> {
        self.cart
            .as_deref()
            .ok_or_else(|| Failure::bug("a checkout through an order store without the cart port"))
    }

    /// The lines of a cart read with the placement's inputs.
    pub fn cart_lines(&self, item: Option<Item>, now: i64) -> Result<CartLines, Failure> {
        self.cart_port()?.lines(item, now)
    }

    fn order_item(order: &Order) -> Result<Item, Failure> {
        to_item(
            order,
            [
                (PK, order_pk(&order.id)),
                (SK, ORDER_SK.to_owned()),
                (GSI1PK, customer_orders_gsi1pk(&order.customer_id)),
                (GSI1SK, order.id.clone()),
                (GSI2PK, status_gsi2pk(order.kitchen_id(), order.status)),
                (GSI2SK, order.id.clone()),
                (GSI3PK, all_orders_gsi3pk(order.kitchen_id())),
                (GSI3SK, order.id.clone()),
            ],
            "order",
        )
    }

    /// The dishes of an order request (or the customer's cart), the customer's idempotency
    /// record and unpaid orders, in one BatchGetItem (the caller's session is read beside it by
    /// the request's caller check, and the write is conditioned on it).
    pub async fn placement_inputs(
        &self,
        kitchen_id: &str,
        food_ids: &[&str],
        customer: &Subject,
        cart: bool,
        idempotency: Option<&IdempotencyKey>,
        coupon_code: Option<&str>,
    ) -> Result<PlacementInputs, Failure> {
        let customer_id = customer.user_id.as_str();
        let mut wanted: Vec<(String, String)> = food_ids.iter().map(|id| food_key(kitchen_id, id)).collect();
        wanted.push(kitchen_key(kitchen_id));
        wanted.push(account_key(&customer.identifier_key));
        wanted.push(open_orders_key(customer_id));
        if let Some(code) = coupon_code {
            wanted.push(coupons::coupon_key(kitchen_id, code));
            wanted.push(coupons::uses_key(kitchen_id, code, customer_id));
            wanted.push(coupons::stats_key(customer_id));
        }
        let cart_of = cart.then_some(customer_id);
        let idempotency = idempotency.map(|key| (customer_id, key));
        let port = match cart_of {
            Some(customer) => {
                let port = self.cart_port()?;
                wanted.push(port.key(customer, kitchen_id));
                Some(port)
            }
            None => None,
        };
        if let Some((customer, key)) = idempotency {
            wanted.push((idempotency_pk(customer, key), IDEMPOTENCY_SK.to_owned()));
        }
        let mut inputs = PlacementInputs::default();
        for item in self.db.batch_get(wanted, "BatchGetItem order inputs").await? {
            if is_food(&item) {
                inputs.foods.push(food_from(item)?);
            } else if is_kitchen(&item) {
                inputs.kitchen = Some(kitchen_from(item)?);
            } else if port.is_some_and(|p| p.is_cart(&item)) {
                inputs.cart = Some(item);
            } else if sk_of(&item) == IDEMPOTENCY_SK {
                inputs.idempotency = Some(from_item(item, "idempotency")?);
            } else if sk_of(&item) == OPEN_ORDERS_SK {
                inputs.open = from_item(item, "open orders")?;
            } else if coupons::is_coupon(&item) {
                inputs.coupon = Some(coupons::coupon_from(item)?);
            } else if coupons::is_uses(&item) {
                inputs.coupon_uses = Some(coupons::uses_from(item)?);
            } else if coupons::is_stats(&item) {
                inputs.stats = coupons::stats_from(item)?;
            } else if is_account(&item) {
                inputs.account = Some(account_from(item)?);
            }
        }
        Ok(inputs)
    }

    /// `portions` taken from a dish's stock, only while it holds that many.
    fn take_stock(&self, kitchen_id: &str, portions: &Portions) -> Result<TransactWriteItem, Failure> {
        let (pk, sk) = food_key(kitchen_id, &portions.food_item_id);
        self.db.update_action(pk, sk, |a| {
            a.update_expression("ADD stock :minus")
                .condition_expression("stock >= :quantity")
                .expression_attribute_values(":minus", n(-portions.quantity))
                .expression_attribute_values(":quantity", n(portions.quantity))
                .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
        })
    }

    /// `portions` given back to a dish, while it exists and its stock is tracked.
    fn give_back_stock(&self, kitchen_id: &str, portions: &Portions) -> Result<TransactWriteItem, Failure> {
        let (pk, sk) = food_key(kitchen_id, &portions.food_item_id);
        self.db.update_action(pk, sk, |a| {
            a.update_expression("ADD stock :quantity")
                .condition_expression("attribute_type(stock, :number)")
                .expression_attribute_values(":quantity", n(portions.quantity))
                .expression_attribute_values(":number", s("N"))
        })
    }

    /// Writes the order, its idempotency record and the stock it takes in one transaction
    /// (deleting the cart it came from, read at `cart_version`), conditioned on the order id
    /// being new, the session still live, the key free (or expired), the cart unchanged and
    /// every tracked dish holding what its line takes.
    pub async fn place(
        &self,
        order: &Order,
        idempotency: Option<(&IdempotencyKey, &IdempotencyRecord)>,
        cart_version: Option<u64>,
        open: &OpenSlot,
        coupon: Option<CouponUse<'_>>,
        session_id: &str,
        now: i64,
    ) -> Result<PlaceOutcome, Failure> {
        let (open_pk, open_sk) = open_orders_key(&order.customer_id);
        let mut items = vec![
            self.db.put_action(Self::order_item(order)?, |p| {
                p.condition_expression("attribute_not_exists(PK)")
            })?,
            live_session_check(&self.db, session_id, now)?,
            self.db.update_action(open_pk, open_sk, |a| match open {
                OpenSlot::Add { max } => a
                    .update_expression("ADD ids :id, version :one")
                    .condition_expression("attribute_not_exists(ids) OR size(ids) < :max")
                    .expression_attribute_values(":id", AttributeValue::Ss(vec![order.id.clone()]))
                    .expression_attribute_values(":one", n(1))
                    .expression_attribute_values(":max", n(*max as i64)),
                OpenSlot::Replace { ids, version } => a
                    .update_expression("SET ids = :ids, version = :next")
                    .condition_expression("version = :seen")
                    .expression_attribute_values(":ids", AttributeValue::Ss(ids.clone()))
                    .expression_attribute_values(":next", n(*version as i64 + 1))
                    .expression_attribute_values(":seen", n(*version as i64)),
            })?,
        ];
        if let Some((key, record)) = idempotency {
            let mut item = to_item(
                record,
                [
                    (PK, idempotency_pk(&order.customer_id, key)),
                    (SK, IDEMPOTENCY_SK.to_owned()),
                ],
                "idempotency",
            )?;
            item.insert(TTL.to_owned(), n(record.expires_at + IDEMPOTENCY_TTL_GRACE_SECS));
            items.push(self.db.put_action(item, |p| {
                p.condition_expression("attribute_not_exists(PK) OR expires_at <= :now")
                    .expression_attribute_values(":now", n(now))
            })?);
        }
        let cart_index = items.len();
        if let Some(version) = cart_version {
            let kitchen_id = order
                .kitchen_id()
                .ok_or_else(|| Failure::bug("a checkout's order names no kitchen"))?;
            items.push(self.cart_port()?.delete_at(&order.customer_id, kitchen_id, version)?);
        }
        let coupon_at = items.len();
        if let Some(used) = &coupon {
            items.extend(coupons::take_use(
                &self.db,
                used.coupon,
                used.seen,
                &order.customer_id,
                &used.usage,
            )?);
        }
        let first_stock = items.len();
        let taken = order.stock_taken();
        if !taken.is_empty() {
            let kitchen_id = order
                .kitchen_id()
                .ok_or_else(|| Failure::bug("an order taking stock names no kitchen"))?;
            for portions in &taken {
                items.push(self.take_stock(kitchen_id, portions)?);
            }
        }
        let Some(c) = transact(&self.db, "place order", items).await? else {
            return Ok(PlaceOutcome::Placed);
        };
        if c.condition_failed(1) {
            return Ok(PlaceOutcome::SessionEnded);
        }
        if idempotency.is_some() && c.condition_failed(3) {
            return Ok(PlaceOutcome::IdempotencyKeyTaken);
        }
        if cart_version.is_some() && c.condition_failed(cart_index) {
            return Ok(PlaceOutcome::CartChanged);
        }
        if c.condition_failed(2) {
            return Ok(PlaceOutcome::TooManyOpen);
        }
        if coupon.is_some() && (c.condition_failed(coupon_at) || c.condition_failed(coupon_at + 1)) {
            return Ok(PlaceOutcome::CouponMoved);
        }
        let mut short = Vec::new();
        for index in c.failed_conditions().filter(|&i| i >= first_stock) {
            let food_id = taken[index - first_stock].food_item_id.clone();
            match c.item(index).cloned() {
                None => return Ok(PlaceOutcome::FoodGone(food_id)),
                Some(item) => short.push((food_id, food_from(item)?.stock)),
            }
        }
        if short.is_empty() {
            return Err(Failure::bug(format!("place order cancelled: {:?}", c.0)));
        }
        Ok(PlaceOutcome::ShortOf(short))
    }

    /// The states of the listed orders (a placement that found the customer's list full).
    pub async fn order_states(&self, ids: &[String]) -> Result<Vec<OrderState>, Failure> {
        let keys = ids.iter().map(|id| order_key(id)).collect();
        let items = self
            .db
            .batch_get_projected(
                keys,
                "id, #status, payment_status",
                &[("#status", "status")],
                "BatchGetItem order states",
            )
            .await?;
        items.into_iter().map(|item| from_item(item, "order state")).collect()
    }

    /// Of the orders `ids`, those of the kitchen (one BatchGetItem projected to id and kitchen).
    pub async fn of_kitchen(&self, ids: &[&str], kitchen_id: &str) -> Result<Vec<String>, Failure> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        #[derive(serde::Deserialize)]
        struct Whose {
            id: String,
            #[serde(default)]
            kitchen: Option<super::model::KitchenRef>,
        }
        let keys = ids.iter().map(|id| order_key(id)).collect();
        let items = self
            .db
            .batch_get_projected(keys, "id, kitchen", &[], "BatchGetItem order kitchens")
            .await?;
        let mut out = Vec::new();
        for item in items {
            let whose: Whose = from_item(item, "order kitchen")?;
            if whose.kitchen.is_some_and(|k| k.id == kitchen_id) {
                out.push(whose.id);
            }
        }
        Ok(out)
    }

    /// Pending orders placed before `before` (an order id: ULIDs sort by time), oldest first, at
    /// most `limit`: one Query of the status index.
    pub async fn pending_before(
        &self,
        kitchen_id: Option<&str>,
        before: &str,
        limit: i32,
    ) -> Result<Vec<OrderSummary>, Failure> {
        let query = self
            .db
            .client()
            .query()
            .table_name(self.db.table())
            .index_name(GSI2.name)
            .key_condition_expression("#pk = :pk AND #sk < :before")
            .expression_attribute_names("#pk", GSI2.pk)
            .expression_attribute_names("#sk", GSI2.sk)
            .expression_attribute_values(":pk", s(status_gsi2pk(kitchen_id, OrderStatus::Pending)))
            .expression_attribute_values(":before", s(before))
            .scan_index_forward(true)
            .limit(limit);
        let out = projected(query, OrderSummary::ATTRIBUTES)
            .send()
            .await
            .map_err(|e| db_error("Query pending orders", e))?;
        out.items
            .unwrap_or_default()
            .into_iter()
            .map(|item| from_item(item, "order summary"))
            .collect()
    }

    pub async fn idempotency_record(
        &self,
        customer_id: &str,
        key: &IdempotencyKey,
    ) -> Result<Option<IdempotencyRecord>, Failure> {
        self.db
            .get_item(idempotency_pk(customer_id, key), IDEMPOTENCY_SK, "idempotency record")
            .await
    }

    pub async fn order(&self, id: &str) -> Result<Option<Order>, Failure> {
        self.db.get_item(order_pk(id), ORDER_SK, "order").await
    }

    /// A page of order summaries: each order read only for what a list shows.
    async fn page(&self, index: Index, pk: String, page: &PageRequest) -> Result<Page<OrderSummary>, Failure> {
        self.db
            .query_page_projected(index, pk, page, OrderSummary::ATTRIBUTES, "Query orders")
            .await
    }

    /// A customer's orders, newest first.
    pub async fn customer_orders(&self, customer_id: &str, page: &PageRequest) -> Result<Page<OrderSummary>, Failure> {
        self.page(GSI1, customer_orders_gsi1pk(customer_id), page).await
    }

    /// A kitchen's view, newest first: one status, or every order (only its own: the key names it).
    pub async fn orders(
        &self,
        kitchen_id: &str,
        status: Option<OrderStatus>,
        page: &PageRequest,
    ) -> Result<Page<OrderSummary>, Failure> {
        match status {
            Some(status) => self.page(GSI2, status_gsi2pk(Some(kitchen_id), status), page).await,
            None => self.page(GSI3, all_orders_gsi3pk(Some(kitchen_id)), page).await,
        }
    }

    /// A page of a kitchen's orders whole (at most 100: its GSI3 partition, which holds summaries,
    /// then the orders themselves in one BatchGetItem), for the operator's rebuild of its reports.
    pub async fn kitchen_orders_whole(&self, kitchen_id: &str, start: Option<Item>) -> Result<Page<Order>, Failure> {
        let page = PageRequest { limit: 100, start };
        let summaries = self.orders(kitchen_id, None, &page).await?;
        let keys = summaries.items.iter().map(|o| order_key(&o.id)).collect::<Vec<_>>();
        let mut items = Vec::with_capacity(keys.len());
        if !keys.is_empty() {
            for item in self.db.batch_get(keys, "BatchGetItem kitchen orders").await? {
                items.push(from_item::<Order>(item, "order")?);
            }
        }
        Ok(Page {
            items,
            last_key: summaries.last_key,
        })
    }

    /// Appends `entry` to the order's history and moves it to the entry's status (its status
    /// index with it) in one write, conditioned on `requires`.
    pub async fn transition(
        &self,
        order: &Order,
        requires: &Precondition,
        entry: &HistoryEntry,
    ) -> Result<WriteOutcome, Failure> {
        let id = &order.id;
        let history = serde_dynamo::to_attribute_value::<_, AttributeValue>(vec![entry])
            .map_err(|e| mapping_error("history entry", e))?;
        let req = self
            .db
            .update_item(order_pk(id), ORDER_SK)
            .update_expression(
                "SET #status = :to, GSI2PK = :gsi2, updated_at = :at, status_history = list_append(status_history, :entry)",
            )
            .expression_attribute_values(":to", s(entry.status.as_str()))
            .expression_attribute_values(":gsi2", s(status_gsi2pk(order.kitchen_id(), entry.status)))
            .expression_attribute_values(":at", s(&entry.at))
            .expression_attribute_values(":entry", history);
        self.conditional_write(req, requires, "UpdateItem order status").await
    }

    /// A status change with what it writes alongside ([`Alongside`]: stock and a coupon use
    /// given back by a cancellation, spending counted by a completion): the order's change and
    /// its history entry (conditioned on `requires` and on the order not having moved since it
    /// was read) and the rest, in one transaction. A dish deleted or no longer tracked meanwhile
    /// cannot take its portions back: `DishGone` names it, to be left out; a coupon deleted
    /// meanwhile cannot take its use back: `CouponGone`.
    pub async fn transition_with(
        &self,
        order: &Order,
        requires: &Precondition,
        entry: &HistoryEntry,
        alongside: &Alongside<'_>,
    ) -> Result<GiveBackOutcome, Failure> {
        let give_back = alongside.stock;
        let history = serde_dynamo::to_attribute_value::<_, AttributeValue>(vec![entry])
            .map_err(|e| mapping_error("history entry", e))?;
        let (condition, names, values) = precondition_expression(requires);
        let mut items = vec![self.db.update_action(order_pk(&order.id), ORDER_SK, |mut a| {
            for (k, v) in names {
                a = a.expression_attribute_names(k, v);
            }
            for (k, v) in values {
                a = a.expression_attribute_values(k, v);
            }
            let (set, also) = match alongside.refund {
                Some(_) => (
                    ", payment_status = :refunded",
                    " AND payment_status = :paid AND payment_method = :wallet",
                ),
                None => ("", ""),
            };
            if alongside.refund.is_some() {
                a = a
                    .expression_attribute_values(":refunded", s(PaymentStatus::Refunded.as_str()))
                    .expression_attribute_values(":paid", s(PaymentStatus::Paid.as_str()))
                    .expression_attribute_values(":wallet", s(PaymentMethod::Wallet.as_str()));
            }
            a.update_expression(format!(
                "SET #status = :to, GSI2PK = :gsi2, updated_at = :at, status_history = list_append(status_history, :entry){set}"
            ))
            .condition_expression(format!("{condition} AND updated_at = :seen{also}"))
            .expression_attribute_values(":to", s(entry.status.as_str()))
            .expression_attribute_values(":gsi2", s(status_gsi2pk(order.kitchen_id(), entry.status)))
            .expression_attribute_values(":at", s(&entry.at))
            .expression_attribute_values(":entry", history)
            .expression_attribute_values(":seen", s(&order.updated_at))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
        })?];
        if !give_back.is_empty() {
            let kitchen_id = order
                .kitchen_id()
                .ok_or_else(|| Failure::bug("an order giving stock back names no kitchen"))?;
            for portions in give_back {
                items.push(self.give_back_stock(kitchen_id, portions)?);
            }
        }
        let coupon_at = items.len();
        if let Some((coupon, counts)) = alongside.coupon {
            let kitchen_id = order
                .kitchen_id()
                .ok_or_else(|| Failure::bug("an order with a coupon names no kitchen"))?;
            items.extend(coupons::give_back_use(
                &self.db,
                kitchen_id,
                coupon,
                &order.customer_id,
                &order.id,
                counts,
            )?);
        }
        if let Some(total) = alongside.spending {
            items.push(coupons::count_completed(&self.db, &order.customer_id, total)?);
        }
        let wallet_at = items.len();
        if let Some(change) = alongside.refund {
            items.extend(wallets::apply_actions(
                &self.db,
                &order.customer_id,
                change.current,
                change.next,
                change.entry,
            )?);
        }
        let Some(c) = transact(&self.db, "change order status", items).await? else {
            return Ok(GiveBackOutcome::Done);
        };
        if c.condition_failed(0) {
            return Ok(match c.item(0).cloned() {
                Some(item) => GiveBackOutcome::Changed(Some(Box::new(from_item(item, "order")?))),
                None => GiveBackOutcome::Changed(None),
            });
        }
        match c.failed_conditions().next() {
            Some(index) if index >= wallet_at => Ok(GiveBackOutcome::WalletMoved),
            Some(index) if index >= coupon_at => Ok(GiveBackOutcome::CouponGone),
            Some(index) => Ok(GiveBackOutcome::DishGone(give_back[index - 1].food_item_id.clone())),
            None => Err(Failure::bug(format!("order status change cancelled: {:?}", c.0))),
        }
    }

    /// The customer's wallet.
    pub async fn wallet(&self, customer_id: &str) -> Result<Wallet, Failure> {
        wallets::WalletStore::new(self.db.clone()).wallet(customer_id).await
    }

    /// Pays a pending, unpaid order of the customer's from their wallet as read: the order
    /// marked paid (`wallet`, with `entry` in its history) and the wallet debited, in one write.
    pub async fn pay_from_wallet(
        &self,
        order: &Order,
        entry: &HistoryEntry,
        wallet: WalletChange<'_>,
    ) -> Result<WalletPaid, Failure> {
        let history = serde_dynamo::to_attribute_value::<_, AttributeValue>(vec![entry])
            .map_err(|e| mapping_error("history entry", e))?;
        let mut items = vec![self.db.update_action(order_pk(&order.id), ORDER_SK, |a| {
            a.update_expression(
                "SET payment_status = :paid, payment_method = :wallet, paid_at = :at, updated_at = :at, \
                 status_history = list_append(status_history, :entry)",
            )
            .condition_expression(
                "#status = :pending AND payment_status = :unpaid AND customer_id = :customer AND #total = :total",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#total", "total")
            .expression_attribute_values(":paid", s(PaymentStatus::Paid.as_str()))
            .expression_attribute_values(":wallet", s(PaymentMethod::Wallet.as_str()))
            .expression_attribute_values(":at", s(&entry.at))
            .expression_attribute_values(":entry", history)
            .expression_attribute_values(":pending", s(OrderStatus::Pending.as_str()))
            .expression_attribute_values(":unpaid", s(PaymentStatus::Unpaid.as_str()))
            .expression_attribute_values(":customer", s(&order.customer_id))
            .expression_attribute_values(":total", n(order.total))
        })?];
        items.extend(wallets::apply_actions(
            &self.db,
            &order.customer_id,
            wallet.current,
            wallet.next,
            wallet.entry,
        )?);
        Ok(match transact(&self.db, "pay from wallet", items).await? {
            None => {
                let mut paid = order.clone();
                paid.payment_status = PaymentStatus::Paid;
                paid.payment_method = Some(PaymentMethod::Wallet);
                paid.paid_at = Some(entry.at.clone());
                paid.updated_at = entry.at.clone();
                paid.status_history.push(entry.clone());
                WalletPaid::Done(Box::new(paid))
            }
            Some(c) if c.any_condition_failed() => WalletPaid::Moved,
            Some(c) => return Err(Failure::bug(format!("pay from wallet cancelled: {:?}", c.0))),
        })
    }

    /// Sets an order's payment status (and, when paid, how and when) with its history entry,
    /// conditioned on `requires`.
    pub async fn set_payment(
        &self,
        id: &str,
        requires: &Precondition,
        method: Option<PaymentMethod>,
        entry: &HistoryEntry,
    ) -> Result<WriteOutcome, Failure> {
        let history = serde_dynamo::to_attribute_value::<_, AttributeValue>(vec![entry])
            .map_err(|e| mapping_error("history entry", e))?;
        let to = entry.payment_status.unwrap_or(PaymentStatus::Paid);
        let mut set =
            "SET payment_status = :to, updated_at = :at, status_history = list_append(status_history, :entry)"
                .to_owned();
        let mut req = self
            .db
            .update_item(order_pk(id), ORDER_SK)
            .expression_attribute_values(":to", s(to.as_str()))
            .expression_attribute_values(":at", s(&entry.at))
            .expression_attribute_values(":entry", history);
        if let Some(method) = method {
            set.push_str(", paid_at = :at, payment_method = :method");
            req = req.expression_attribute_values(":method", s(method.as_str()));
        }
        self.conditional_write(req.update_expression(set), requires, "UpdateItem order payment")
            .await
    }

    /// Sends an order update under the condition a [`Precondition`] spells; the order comes back
    /// as written, or as it is when the condition failed.
    async fn conditional_write(
        &self,
        req: aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder,
        requires: &Precondition,
        operation: &'static str,
    ) -> Result<WriteOutcome, Failure> {
        let (condition, names, values) = precondition_expression(requires);
        let mut req = req;
        for (k, v) in names {
            req = req.expression_attribute_names(k, v);
        }
        for (k, v) in values {
            req = req.expression_attribute_values(k, v);
        }
        let req = req
            .condition_expression(condition)
            .return_values(ReturnValue::AllNew)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        match conditional_update::<Order>(req, "order", operation).await? {
            Conditional::Applied(Some(order)) => Ok(WriteOutcome::Done(Box::new(order))),
            Conditional::Applied(None) => Err(Failure::bug(format!("{operation} returned nothing"))),
            // No item back means there was no item: an update on a missing key only fails its
            // condition because the attributes are absent.
            Conditional::Failed(current) => Ok(WriteOutcome::Changed(current.map(Box::new))),
        }
    }
}

/// The condition a [`Precondition`] spells, with its names and values.
fn precondition_expression(
    requires: &Precondition,
) -> (String, Vec<(&'static str, String)>, Vec<(&'static str, AttributeValue)>) {
    let (status_op, status) = match requires.status {
        StatusRule::Is(status) => ("=", status),
        StatusRule::IsNot(status) => ("<>", status),
    };
    let mut condition = format!("#status {status_op} :required_status");
    let names = vec![("#status", "status".to_owned())];
    let mut values = vec![(":required_status", s(status.as_str()))];
    if let Some(payment) = requires.payment {
        condition.push_str(" AND payment_status = :required_payment");
        values.push((":required_payment", s(payment.as_str())));
    }
    if let Some(method) = requires.payment_method {
        condition.push_str(" AND payment_method = :required_method");
        values.push((":required_method", s(method.as_str())));
    }
    if let Some(customer) = &requires.customer {
        condition.push_str(" AND customer_id = :required_customer");
        values.push((":required_customer", s(customer)));
    }
    (condition, names, values)
}
