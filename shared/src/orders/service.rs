//! The order flows: placing an order (idempotently), a customer's orders and cancel, the
//! kitchen's queue, status changes and payments. Every change is decided by the model on the
//! order as read and written under the model's precondition; when the order moved meanwhile, the
//! decision is taken again on the order as it now is ([`crate::platform::retry`]). Callable from
//! handlers, webhooks and stream consumers alike.

use super::model::{
    ChangedBy, CustomerRef, Fulfilment, Handover, HistoryEntry, IDEMPOTENCY_WINDOW_SECS, IdempotencyKey,
    IdempotencyRecord, KitchenRef, MAX_LINES, NewOrder, OpenOrders, OpenSlot, Order, OrderStatus, OrderSummary,
    PaymentChange, PaymentError, PaymentMethod, PaymentStatus, PricingError, Replay, RequestedLine, Shortfall,
    TransitionError, UnpaidRules, check_payment, price_lines,
};
use super::store::{
    Alongside, CouponUse, GiveBackOutcome, OrderStore, PlaceOutcome, PlacementInputs, WalletChange, WalletPaid,
    WriteOutcome,
};
use crate::accounts::AccountError;
use crate::accounts::model::{Role, Subject};
use crate::coupons::model::{Coupon, CouponCode, CouponRefusal, TierThresholds, Usage, UsageKitchen};
use crate::kitchens::model::OrderingRefusal;
use crate::menu::MenuService;
use crate::platform::clock::{now_epoch, now_rfc3339};
use crate::platform::db::Page;
use crate::platform::error::Failure;
use crate::platform::pagination::PageRequest;
use crate::platform::retry::{Round, on_condition};
use crate::platform::validation::Invalid;
use crate::wallet::model::{About, EntryKind, WalletRefusal};

/// A change retried when the order keeps moving under it.
const ATTEMPTS: usize = 3;
/// The status a placement answers with, kept with the first answer for replays.
const PLACED_STATUS: u16 = 201;

#[derive(Debug, thiserror::Error)]
pub enum OrderError {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("no such order")]
    NotFound,
    #[error(transparent)]
    Transition(#[from] TransitionError),
    #[error(transparent)]
    Payment(#[from] PaymentError),
    #[error(transparent)]
    Pricing(#[from] PricingError),
    #[error("the Idempotency-Key was used for another request")]
    IdempotencyConflict,
    #[error("the cart is empty")]
    EmptyCart,
    #[error("the cart changed during checkout")]
    CartChanged,
    #[error("the customer already holds {max} unpaid orders")]
    TooManyOpenOrders { max: usize },
    #[error(transparent)]
    Menu(#[from] crate::menu::MenuError),
    #[error("dishes of more than one kitchen")]
    MixedKitchens,
    #[error("the kitchen is not taking orders on the platform")]
    KitchenUnavailable,
    /// The kitchen does not take the order as asked (closed, the fulfilment off, below its
    /// minimum, outside its area), in the kitchen's time zone.
    #[error("the kitchen does not take this order: {refusal:?}")]
    Refused {
        refusal: OrderingRefusal,
        time_zone: String,
    },
    #[error(transparent)]
    Account(#[from] AccountError),
    /// The coupon given cannot be used on this order.
    #[error(transparent)]
    Coupon(#[from] CouponRefusal),
    /// The order cannot be paid for now.
    #[error(transparent)]
    Pay(#[from] super::model::PayError),
    /// The wallet does not cover it.
    #[error(transparent)]
    Wallet(#[from] WalletRefusal),
    #[error(transparent)]
    Failure(#[from] Failure),
}

/// What a placement answers.
pub enum Placement {
    /// A new order, and the body of the answer (as kept for replays).
    Placed { order: Box<Order>, body: String },
    /// A retry: the first answer, verbatim.
    Replayed { status_code: u16, body: String },
}

/// What an order is made of.
#[derive(Clone)]
enum Basket {
    /// The lines of an order request.
    Lines(Vec<RequestedLine>),
    /// The customer's cart at a kitchen.
    Cart { kitchen_id: String },
}

/// Where a cancelled order's online payment is given back (Paystack, in the payments slice).
#[async_trait::async_trait]
pub trait Refunds: Send + Sync {
    /// Asks for the whole payment `reference` back: `Ok` when the provider took the request.
    async fn refund(&self, reference: &str) -> Result<(), RefundRefused>;
}

/// Why a refund request did not go through.
#[derive(Debug, thiserror::Error)]
pub enum RefundRefused {
    /// The provider said no (its reason, no secret in it): the kitchen must settle it.
    #[error("refused: {0}")]
    Refused(String),
    /// The provider could not be reached or failed: ask again later.
    #[error("unavailable: {0}")]
    Unavailable(String),
}

#[derive(Clone)]
pub struct OrderService {
    store: OrderStore,
    menu: MenuService,
    unpaid: UnpaidRules,
    tiers: TierThresholds,
}

/// What a coupon would take off an order: `validate`'s answer.
#[derive(Debug, Clone)]
pub struct Quote {
    pub coupon: Coupon,
    pub subtotal: i64,
    pub discount: i64,
}

impl OrderService {
    pub fn new(store: OrderStore, menu: MenuService) -> Self {
        Self {
            store,
            menu,
            unpaid: UnpaidRules::default(),
            tiers: TierThresholds::default(),
        }
    }

    /// The same service under other customer tiers (configuration).
    pub fn with_tier_thresholds(mut self, tiers: TierThresholds) -> Self {
        self.tiers = tiers;
        self
    }

    /// The same service under other rules for unpaid orders (configuration).
    pub fn with_unpaid_rules(mut self, unpaid: UnpaidRules) -> Self {
        self.unpaid = unpaid;
        self
    }

    pub fn store(&self) -> &OrderStore {
        &self.store
    }

    /// Prices the request from the current menu and writes the order and the first answer to
    /// its key in one transaction: one read (dishes, key, session) and one write.
    pub async fn place(
        &self,
        customer: &Subject,
        key: Option<IdempotencyKey>,
        request: NewOrder,
    ) -> Result<Placement, OrderError> {
        let fingerprint = request.fingerprint();
        let (lines, handover) = request.into_parts();
        self.placement(customer, key, fingerprint, Basket::Lines(lines), handover)
            .await
    }

    /// Orders the customer's cart: the same placement as [`Self::place`], its lines taken from
    /// the cart (read beside the menu: one round trip), the cart deleted in the order's
    /// transaction. Any refusal leaves the cart as it was.
    pub async fn checkout(
        &self,
        customer: &Subject,
        kitchen_id: &str,
        key: Option<IdempotencyKey>,
        handover: Handover,
    ) -> Result<Placement, OrderError> {
        let fingerprint = handover.checkout_fingerprint();
        let basket = Basket::Cart {
            kitchen_id: kitchen_id.to_owned(),
        };
        self.placement(customer, key, fingerprint, basket, handover).await
    }

    /// The one kitchen the dishes of an order request are from: `MixedKitchens` for more than
    /// one, and a dish no kitchen has is not found (the first such, as pricing would name it).
    async fn kitchen_of(&self, lines: &[RequestedLine]) -> Result<String, OrderError> {
        let ids: Vec<&str> = lines
            .iter()
            .map(|l| l.food_item_id.as_str())
            .filter(|id| ulid::Ulid::from_string(id).is_ok())
            .collect();
        let kitchens = self.menu.kitchens_of(&ids).await?;
        let mut found: Vec<&String> = kitchens.values().collect();
        found.sort();
        found.dedup();
        match found.as_slice() {
            [one] => Ok((*one).clone()),
            [] => {
                let first = lines.first().map(|l| l.food_item_id.clone()).unwrap_or_default();
                Err(PricingError::FoodNotFound(first).into())
            }
            _ => Err(OrderError::MixedKitchens),
        }
    }

    /// What a coupon would take off the caller's order at a kitchen: `lines`, or their cart
    /// there. The same reads and checks as a placement (in one round trip), nothing written.
    pub async fn quote(
        &self,
        customer: &Subject,
        kitchen_id: &str,
        lines: Option<Vec<RequestedLine>>,
        code: &str,
    ) -> Result<Quote, OrderError> {
        let code = CouponCode::parse(code).map_err(|_| CouponRefusal::NotFound)?;
        let basket = match lines {
            Some(lines) => Basket::Lines(lines),
            None => Basket::Cart {
                kitchen_id: kitchen_id.to_owned(),
            },
        };
        let (inputs, menu_foods) = self
            .read_inputs(customer, Some(kitchen_id), &basket, None, Some(code.as_str()))
            .await?;
        let (lines, _) = self.requested_lines(basket, &inputs, now_epoch())?;
        let foods = menu_foods.as_ref().unwrap_or(&inputs.foods);
        let (lines, subtotal) = price_lines(&lines, |id| foods.iter().find(|f| f.id == id))?;
        let (coupon, used, tier) = self.coupon_standing(&inputs)?;
        let discount = coupon.apply(jiff::Timestamp::now(), tier, used, &super::model::priced_lines(&lines))?;
        Ok(Quote {
            coupon: coupon.clone(),
            subtotal: subtotal.kobo(),
            discount,
        })
    }

    /// The lines an order asks for: the request's, or the cart's as read with the inputs (and
    /// the version it was read at); an empty cart orders nothing.
    fn requested_lines(
        &self,
        basket: Basket,
        inputs: &PlacementInputs,
        now: i64,
    ) -> Result<(Vec<RequestedLine>, Option<u64>), OrderError> {
        match basket {
            Basket::Lines(lines) => Ok((lines, None)),
            Basket::Cart { .. } => {
                let cart = self.store.cart_lines(inputs.cart.clone(), now)?;
                if cart.lines.is_empty() {
                    return Err(OrderError::EmptyCart);
                }
                Ok((cart.lines, Some(cart.version)))
            }
        }
    }

    /// The coupon a placement's inputs found (an inactive one is not found), the customer's uses
    /// of it and their tier.
    fn coupon_standing<'a>(
        &self,
        inputs: &'a PlacementInputs,
    ) -> Result<(&'a Coupon, i64, crate::coupons::model::Tier), CouponRefusal> {
        let coupon = inputs
            .coupon
            .as_ref()
            .filter(|c| c.active)
            .ok_or(CouponRefusal::NotFound)?;
        let used = inputs.coupon_uses.as_ref().map_or(0, |u| u.of(coupon));
        Ok((coupon, used, self.tiers.tier(inputs.stats)))
    }

    /// A placement's one read: the dishes (or the cart and the kitchen's menu, side by side),
    /// the kitchen, the customer's idempotency record, unpaid orders and, with a coupon code,
    /// the coupon, their uses of it and their stats. `kitchen` is the kitchen named, if any
    /// (lines otherwise tell theirs).
    async fn read_inputs(
        &self,
        customer: &Subject,
        kitchen: Option<&str>,
        basket: &Basket,
        key: Option<&IdempotencyKey>,
        code: Option<&str>,
    ) -> Result<(PlacementInputs, Option<Vec<crate::menu::model::Food>>), OrderError> {
        Ok(match basket {
            Basket::Lines(lines) => {
                let kitchen_id = match kitchen {
                    Some(k) => k.to_owned(),
                    None => self.kitchen_of(lines).await?,
                };
                let food_ids: Vec<&str> = lines
                    .iter()
                    .map(|l| l.food_item_id.as_str())
                    .filter(|id| ulid::Ulid::from_string(id).is_ok())
                    .collect();
                let inputs = self
                    .store
                    .placement_inputs(&kitchen_id, &food_ids, customer, false, key, code)
                    .await?;
                (inputs, None)
            }
            Basket::Cart { kitchen_id } => {
                let menu = self.menu.of(kitchen_id);
                let (inputs, menu) = tokio::join!(
                    self.store.placement_inputs(kitchen_id, &[], customer, true, key, code),
                    menu.menu()
                );
                (inputs?, Some(menu?.foods.clone()))
            }
        })
    }

    /// The one placement flow, decided again (from a fresh read) when the coupon moved under it.
    async fn placement(
        &self,
        customer: &Subject,
        key: Option<IdempotencyKey>,
        fingerprint: String,
        basket: Basket,
        handover: Handover,
    ) -> Result<Placement, OrderError> {
        let code = match handover.coupon_code.as_deref() {
            Some(raw) => Some(CouponCode::parse(raw).map_err(|_| CouponRefusal::NotFound)?),
            None => None,
        };
        for _ in 0..ATTEMPTS {
            if let Some(placed) = self
                .placement_once(
                    customer,
                    key.clone(),
                    &fingerprint,
                    basket.clone(),
                    handover.clone(),
                    code.as_ref(),
                )
                .await?
            {
                return Ok(placed);
            }
        }
        Err(Failure::Unavailable(anyhow::anyhow!("the coupon kept changing during placement")).into())
    }

    /// Read, check the session, replay a known key, price, apply the coupon, write. `None`: the
    /// coupon (or the customer's count of it) moved since it was read.
    async fn placement_once(
        &self,
        customer: &Subject,
        key: Option<IdempotencyKey>,
        fingerprint: &str,
        basket: Basket,
        handover: Handover,
        code: Option<&CouponCode>,
    ) -> Result<Option<Placement>, OrderError> {
        let (inputs, menu_foods) = self
            .read_inputs(customer, None, &basket, key.as_ref(), code.map(CouponCode::as_str))
            .await?;
        let fingerprint = fingerprint.to_owned();
        let now = now_epoch();
        if let Some(record) = inputs.idempotency.as_ref().filter(|r| r.is_live(now)) {
            return replay(record, &fingerprint).map(Some);
        }
        let kitchen = inputs
            .kitchen
            .as_ref()
            .filter(|k| k.is_public())
            .ok_or(OrderError::KitchenUnavailable)?;
        let (lines, cart_version) = self.requested_lines(basket, &inputs, now)?;
        let foods = menu_foods.as_ref().unwrap_or(&inputs.foods);
        let (lines, total) = price_lines(&lines, |id| foods.iter().find(|f| f.id == id))?;
        let delivery = handover.fulfilment == Fulfilment::Delivery;
        let fee = kitchen
            .takes_order(
                jiff::Timestamp::now(),
                delivery,
                total.kobo(),
                handover.delivery_location.as_ref(),
            )
            .map_err(|refusal| OrderError::Refused {
                refusal,
                time_zone: kitchen.timezone.clone(),
            })?;
        let order = Order::place(&customer.user_id, handover, lines, total, now_rfc3339())
            .from_kitchen(KitchenRef {
                id: kitchen.id.clone(),
                slug: kitchen.slug.as_str().to_owned(),
                name: kitchen.name.clone(),
            })
            .with_delivery_fee(fee);
        let order = match &inputs.account {
            Some(account) => order.by_customer(CustomerRef::of(account)),
            None => order,
        };
        let (order, coupon_use) = match code {
            None => (order, None),
            Some(_) => {
                let (coupon, used, tier) = self.coupon_standing(&inputs)?;
                let discount = coupon.apply(jiff::Timestamp::now(), tier, used, &order.priced_lines())?;
                let order = order.with_coupon(coupon.applied(), discount);
                let usage = Usage {
                    code: coupon.code.as_str().to_owned(),
                    kitchen: UsageKitchen {
                        id: kitchen.id.clone(),
                        slug: kitchen.slug.as_str().to_owned(),
                    },
                    order_id: order.id.clone(),
                    discount,
                    at: order.created_at.clone(),
                };
                let seen = inputs.coupon_uses.as_ref();
                (order, Some(CouponUse { coupon, seen, usage }))
            }
        };
        let slot = self.open_slot(&order.id, &inputs.open).await?;
        let view = serde_json::json!({ "order": super::model::Viewed::by(&order, ChangedBy::Customer) });
        let body = serde_json::to_string(&view).map_err(Failure::internal)?;
        let record = key.as_ref().map(|k| {
            (
                k,
                IdempotencyRecord {
                    request_hash: fingerprint.clone(),
                    order_id: order.id.clone(),
                    status_code: PLACED_STATUS,
                    response: body.clone(),
                    expires_at: now + IDEMPOTENCY_WINDOW_SECS,
                },
            )
        });
        let record = record.as_ref().map(|(k, r)| (*k, r));
        match self
            .store
            .place(
                &order,
                record,
                cart_version,
                &slot,
                coupon_use,
                &customer.session_id,
                now,
            )
            .await?
        {
            PlaceOutcome::CouponMoved => {
                tracing::info!(order_id = %order.id, "coupon moved during placement; deciding again");
                Ok(None)
            }
            PlaceOutcome::Placed => {
                tracing::info!(
                    order_id = %order.id,
                    lines = order.items.len(),
                    total = order.total,
                    from_cart = cart_version.is_some(),
                    discount = order.discount,
                    "order placed"
                );
                Ok(Some(Placement::Placed {
                    order: Box::new(order),
                    body,
                }))
            }
            PlaceOutcome::SessionEnded => Err(AccountError::SessionEnded.into()),
            PlaceOutcome::TooManyOpen => Err(OrderError::TooManyOpenOrders {
                max: self.unpaid.max_open,
            }),
            PlaceOutcome::CartChanged => Err(OrderError::CartChanged),
            PlaceOutcome::FoodGone(id) => Err(PricingError::FoodNotFound(id).into()),
            PlaceOutcome::ShortOf(short) => {
                let mut shortfalls = Vec::new();
                for (food_item_id, left) in short {
                    // A dish whose tracking was switched off meanwhile: nothing is wrong with the
                    // order, but it was decided on stale data.
                    let left = left.ok_or_else(|| {
                        Failure::Unavailable(anyhow::anyhow!(
                            "stock tracking of {food_item_id} changed during placement"
                        ))
                    })?;
                    let name = order
                        .items
                        .iter()
                        .find(|l| l.food_item_id == food_item_id)
                        .map(|l| l.name.clone())
                        .unwrap_or_default();
                    shortfalls.push(Shortfall {
                        food_item_id,
                        name,
                        left: left.max(0),
                    });
                }
                tracing::info!(order_id = %order.id, short = shortfalls.len(), "order refused: stock taken meanwhile");
                Err(PricingError::InsufficientStock(shortfalls).into())
            }
            PlaceOutcome::IdempotencyKeyTaken => {
                // A concurrent retry with the same key got there first: answer as it did.
                let key = key.ok_or_else(|| Failure::bug("a key conflict without a key"))?;
                match self.store.idempotency_record(&customer.user_id, &key).await? {
                    Some(record) => replay(&record, &fingerprint).map(Some),
                    None => Err(
                        Failure::Unavailable(anyhow::anyhow!("idempotency record vanished after a conflict")).into(),
                    ),
                }
            }
        }
    }

    /// The place a new order takes among its customer's unpaid orders. The list is read with the
    /// placement's inputs; only when it is full are the listed orders looked at (one more read),
    /// since some may have been paid or cancelled since.
    async fn open_slot(&self, new_order: &str, open: &OpenOrders) -> Result<OpenSlot, OrderError> {
        let too_many = || OrderError::TooManyOpenOrders {
            max: self.unpaid.max_open,
        };
        if let Some(slot) = self.unpaid.slot_for(new_order, open, None) {
            return Ok(slot);
        }
        let states = self.store.order_states(&open.ids).await?;
        let still_open: Vec<String> = open
            .ids
            .iter()
            .filter(|id| {
                states
                    .iter()
                    .any(|s| &s.id == *id && UnpaidRules::holds_a_place(s.status, s.payment_status))
            })
            .cloned()
            .collect();
        self.unpaid
            .slot_for(new_order, open, Some(&still_open))
            .ok_or_else(too_many)
    }

    /// Cancels, as the system, every unpaid pending order placed more than the unpaid lifetime
    /// before `now` (at most `limit` of them): its stock comes back in the same write, and an
    /// order paid meanwhile is left alone (the write's condition). Returns how many expired.
    pub async fn expire_unpaid(&self, kitchen_id: Option<&str>, now: i64, limit: i32) -> Result<usize, OrderError> {
        let cutoff = self.unpaid.expired_before(now);
        let candidates = self.store.pending_before(kitchen_id, &cutoff, limit).await?;
        let mut expired = 0;
        for summary in candidates {
            if !UnpaidRules::holds_a_place(summary.status, summary.payment_status) {
                continue;
            }
            let Some(order) = self.store.order(&summary.id).await? else {
                continue;
            };
            match self.change_status(order, OrderStatus::Cancelled, Changer::System).await {
                Ok(order) => {
                    tracing::info!(order_id = %order.id, "unpaid order expired");
                    expired += 1;
                }
                // Paid, or cancelled, in the meantime: nothing to expire.
                Err(OrderError::Transition(_)) => {}
                Err(other) => return Err(other),
            }
        }
        Ok(expired)
    }

    /// The customer's orders, newest first.
    /// With `kitchen`, only that kitchen's: the page is read as usual and kept to the kitchen's
    /// orders (the customer's index does not hold the kitchen), so a page may hold fewer than
    /// asked and still have a next one.
    pub async fn customer_orders(
        &self,
        customer: &Subject,
        page: &PageRequest,
        kitchen: Option<&str>,
    ) -> Result<Page<OrderSummary>, OrderError> {
        let mut found = self.store.customer_orders(&customer.user_id, page).await?;
        if let Some(kitchen) = kitchen {
            let ids: Vec<&str> = found.items.iter().map(|o| o.id.as_str()).collect();
            let keep = self.store.of_kitchen(&ids, kitchen).await?;
            found.items.retain(|o| keep.contains(&o.id));
        }
        Ok(found)
    }

    /// The customer's own order; anyone else's is `NotFound`, as if it did not exist.
    pub async fn own_order(&self, customer: &Subject, id: &str) -> Result<Order, OrderError> {
        let order = self.store.order(id).await?;
        order
            .filter(|o| o.customer_id == customer.user_id)
            .ok_or(OrderError::NotFound)
    }

    /// A kitchen's queue, newest first: one status, or every order.
    pub async fn orders(
        &self,
        kitchen_id: &str,
        status: Option<OrderStatus>,
        page: &PageRequest,
    ) -> Result<Page<OrderSummary>, OrderError> {
        Ok(self.store.orders(kitchen_id, status, page).await?)
    }

    /// One of a kitchen's orders (the kitchen's view); another kitchen's is `NotFound`, as if it
    /// did not exist.
    pub async fn order(&self, kitchen_id: &str, id: &str) -> Result<Order, OrderError> {
        self.store
            .order(id)
            .await?
            .filter(|o| o.kitchen_id() == Some(kitchen_id))
            .ok_or(OrderError::NotFound)
    }

    /// A customer cancels their own pending order: one conditional write, so a cancel racing the
    /// kitchen's confirm has one winner. A Paystack payment is refunded from the change stream
    /// (the payments function's refund worker), never on this request's path.
    pub async fn cancel_own(&self, customer: &Subject, id: &str) -> Result<Order, OrderError> {
        let order = self.own_order(customer, id).await?;
        let order = self
            .change_status(order, OrderStatus::Cancelled, Changer::User(customer))
            .await?;
        tracing::info!(order_id = %order.id, "order cancelled by customer");
        Ok(order)
    }

    /// The customer pays their pending, unpaid order from their wallet: the order paid and the
    /// wallet debited in one write (never below zero: `insufficient_funds`, nothing changes).
    /// Decided again when the order or the wallet moved meanwhile (another payment from the same
    /// wallet got there first).
    pub async fn pay_from_wallet(&self, customer: &Subject, id: &str) -> Result<Order, OrderError> {
        let (order, wallet) = tokio::join!(self.own_order(customer, id), self.store.wallet(&customer.user_id));
        let state = (order?, wallet?);
        on_condition(
            "wallet payment",
            crate::wallet::service::ATTEMPTS,
            state,
            |(order, wallet)| async move {
                super::model::check_payable(&order)?;
                let at = now_rfc3339();
                let about = About {
                    order_id: Some(order.id.clone()),
                    ..About::default()
                };
                let (next, ledger) = wallet.apply(EntryKind::Payment, -order.total, about, &at)?;
                let entry = HistoryEntry {
                    status: order.status,
                    payment_status: Some(PaymentStatus::Paid),
                    at,
                    by: customer.user_id.clone(),
                    by_role: ChangedBy::Customer,
                };
                let change = WalletChange {
                    current: &wallet,
                    next: &next,
                    entry: &ledger,
                };
                Ok(match self.store.pay_from_wallet(&order, &entry, change).await? {
                    WalletPaid::Done(paid) => {
                        tracing::info!(order_id = %paid.id, amount = paid.total, "order paid from the wallet");
                        Round::Done(*paid)
                    }
                    WalletPaid::Moved => {
                        let (order, wallet) =
                            tokio::join!(self.own_order(customer, id), self.store.wallet(&customer.user_id));
                        Round::Again((order?, wallet?))
                    }
                })
            },
        )
        .await
    }

    /// The kitchen moves an order one step (or cancels it).
    pub async fn set_status(
        &self,
        admin: &Subject,
        kitchen_id: &str,
        id: &str,
        to: OrderStatus,
    ) -> Result<Order, OrderError> {
        let order = self.order(kitchen_id, id).await?;
        let from = order.status;
        let order = self.change_status(order, to, Changer::Board(admin)).await?;
        tracing::info!(order_id = %order.id, from = from.as_str(), to = to.as_str(), "order status changed");
        Ok(order)
    }

    /// Decides a status change on the order as read and writes it with its history entry under
    /// the model's precondition; decides again on the order as it now is when it moved. A
    /// cancellation gives the stock the order took back in the same write.
    async fn change_status(&self, order: Order, to: OrderStatus, by: Changer<'_>) -> Result<Order, OrderError> {
        // Dishes that can no longer take portions back (deleted, or no longer tracked), and
        // whether the coupon the order used can still take its use back.
        let state = (order, Vec::<String>::new(), true);
        on_condition(
            "order status",
            ATTEMPTS + MAX_LINES + 1,
            state,
            |(order, gone, coupon_counts)| async move {
                let mut requires =
                    order
                        .status
                        .check_transition(to, order.payment_status, order.fulfilment, by.changed_by())?;
                if let Changer::User(user) = by
                    && user.role == Role::Customer
                {
                    requires = requires.owned_by(&user.user_id);
                }
                // A wallet-paid order cancelled: its total back into the wallet in the same write.
                let refund = match order.wallet_refund_due(to) {
                    Some(amount) => {
                        let wallet = self.store.wallet(&order.customer_id).await?;
                        let about = About {
                            order_id: Some(order.id.clone()),
                            ..About::default()
                        };
                        let (next, ledger) = wallet.apply(EntryKind::Refund, amount, about, &now_rfc3339())?;
                        Some((wallet, next, ledger))
                    }
                    None => None,
                };
                let entry = HistoryEntry {
                    status: to,
                    payment_status: refund.as_ref().map(|_| PaymentStatus::Refunded),
                    at: now_rfc3339(),
                    by: by.name().to_owned(),
                    by_role: by.changed_by(),
                };
                let give_back: Vec<_> = order
                    .stock_returned(to)
                    .into_iter()
                    .filter(|p| !gone.contains(&p.food_item_id))
                    .collect();
                let alongside = Alongside {
                    stock: &give_back,
                    coupon: order.coupon_returned(to).map(|c| (c, coupon_counts)),
                    spending: order.spending_counted(to),
                    refund: refund
                        .as_ref()
                        .map(|(current, next, entry)| WalletChange { current, next, entry }),
                };
                if alongside.is_empty() {
                    return Ok(match self.store.transition(&order, &requires, &entry).await? {
                        WriteOutcome::Done(updated) => Round::Done(*updated),
                        WriteOutcome::Changed(Some(current)) => Round::Again((*current, gone, coupon_counts)),
                        WriteOutcome::Changed(None) => return Err(OrderError::NotFound),
                    });
                }
                Ok(
                    match self
                        .store
                        .transition_with(&order, &requires, &entry, &alongside)
                        .await?
                    {
                        GiveBackOutcome::Done => {
                            tracing::info!(
                                order_id = %order.id,
                                dishes = give_back.len(),
                                coupon = alongside.coupon.is_some(),
                                spending = alongside.spending.is_some(),
                                refunded_to_wallet = alongside.refund.is_some(),
                                "order status changed with what goes alongside"
                            );
                            Round::Done(order.after(entry))
                        }
                        GiveBackOutcome::Changed(Some(current)) => Round::Again((*current, gone, coupon_counts)),
                        GiveBackOutcome::Changed(None) => return Err(OrderError::NotFound),
                        GiveBackOutcome::DishGone(id) => {
                            let mut gone = gone;
                            gone.push(id);
                            Round::Again((order, gone, coupon_counts))
                        }
                        GiveBackOutcome::CouponGone => Round::Again((order, gone, false)),
                        GiveBackOutcome::WalletMoved => Round::Again((order, gone, coupon_counts)),
                    },
                )
            },
        )
        .await
    }

    /// The kitchen records a payment by hand (cash): `unpaid -> paid` (never on a cancelled
    /// order), or `paid -> refunded` for a cancelled order paid in cash; the same state again
    /// changes nothing. Each change goes into the order's history.
    pub async fn set_payment(
        &self,
        admin: &Subject,
        kitchen_id: &str,
        id: &str,
        requested: PaymentStatus,
    ) -> Result<Order, OrderError> {
        let order = self.order(kitchen_id, id).await?;
        on_condition("order payment", ATTEMPTS, order, |order: Order| async move {
            Ok(match check_payment(order.status, order.payment_status, order.payment_method, requested)? {
                PaymentChange::Unchanged => Round::Done(order),
                PaymentChange::Set { to, method, requires } => {
                    let entry = HistoryEntry {
                        status: order.status,
                        payment_status: Some(to),
                        at: now_rfc3339(),
                        by: admin.user_id.clone(),
                        by_role: ChangedBy::on_the_board(admin.role),
                    };
                    match self.store.set_payment(&order.id, &requires, method, &entry).await? {
                        WriteOutcome::Done(updated) => {
                            tracing::info!(order_id = %updated.id, payment_status = to.as_str(), "order payment set");
                            Round::Done(*updated)
                        }
                        WriteOutcome::Changed(Some(current)) => Round::Again(*current),
                        WriteOutcome::Changed(None) => return Err(OrderError::NotFound),
                    }
                }
            })
        })
        .await
    }
}

/// Who changes an order's status: a signed-in user, or the platform itself (expiry).
#[derive(Debug, Clone, Copy)]
enum Changer<'a> {
    /// A customer, on their own order.
    User(&'a Subject),
    /// The platform admin or a kitchen's member, on the kitchen's board.
    Board(&'a Subject),
    System,
}

impl Changer<'_> {
    fn changed_by(self) -> ChangedBy {
        match self {
            Changer::User(user) => user.role.into(),
            Changer::Board(user) => ChangedBy::on_the_board(user.role),
            Changer::System => ChangedBy::System,
        }
    }

    fn name(&self) -> &str {
        match self {
            Changer::User(user) | Changer::Board(user) => &user.user_id,
            Changer::System => ChangedBy::SYSTEM,
        }
    }
}

/// Gives back the online payment of a cancelled order that is owed one ([`Order::refund_due`]):
/// asks the provider once, then records `refund_pending` (it took the request; its webhook
/// settles it) or `refund_failed` (it refused: the kitchen is told) while the order is still as
/// read, so two attempts never both settle it. A provider that cannot be reached is an error,
/// so that the caller (the stream, the operator) asks again later; nothing was recorded.
pub async fn refund(store: &OrderStore, refunds: &dyn Refunds, order: Order) -> Result<Order, Failure> {
    let Some(refund) = order.refund_due() else {
        return Ok(order);
    };
    let accepted = match refunds.refund(&refund.reference).await {
        Ok(()) => {
            tracing::info!(order_id = %order.id, amount = refund.amount, retry = refund.retry, "refund requested");
            true
        }
        Err(RefundRefused::Refused(reason)) => {
            tracing::warn!(order_id = %order.id, amount = refund.amount, reason = %reason, "refund refused; the kitchen must settle it");
            false
        }
        Err(RefundRefused::Unavailable(reason)) => {
            return Err(Failure::Unavailable(anyhow::anyhow!(
                "the refund of order {} could not be asked for: {reason}",
                order.id
            )));
        }
    };
    settle_payment(store, order, refund.settle(accepted)).await
}

/// Writes a refund's settlement ([`refund`], or Paystack's refund webhook) with Paystack's
/// history entry, under its precondition; another attempt that settled it first wins.
pub async fn settle_payment(store: &OrderStore, order: Order, change: PaymentChange) -> Result<Order, Failure> {
    let PaymentChange::Set { to, method, requires } = change else {
        return Ok(order);
    };
    let entry = HistoryEntry {
        status: order.status,
        payment_status: Some(to),
        at: now_rfc3339(),
        by: PaymentMethod::Paystack.as_str().to_owned(),
        by_role: ChangedBy::Paystack,
    };
    Ok(match store.set_payment(&order.id, &requires, method, &entry).await? {
        WriteOutcome::Done(updated) => {
            tracing::info!(order_id = %order.id, payment_status = to.as_str(), "refund recorded");
            *updated
        }
        WriteOutcome::Changed(Some(current)) => *current,
        WriteOutcome::Changed(None) => order,
    })
}

/// The first answer again, or a conflict when the key was used for another request.
fn replay(record: &IdempotencyRecord, fingerprint: &str) -> Result<Placement, OrderError> {
    match record.replay_for(fingerprint) {
        Replay::Same => Ok(Placement::Replayed {
            status_code: record.status_code,
            body: record.response.clone(),
        }),
        Replay::Conflict => Err(OrderError::IdempotencyConflict),
    }
}
