//! Orders: the state machine, what each change needs to still hold when it is written, and the
//! rules for placing one (lines merged and bounded, priced from the menu, idempotent retries).
//! The rules live here and nowhere else; the store turns the preconditions into conditional
//! writes. Imports neither HTTP nor the store.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::accounts::model::Role;
use crate::accounts::model::identifier::Phone;
use crate::coupons::model::{AppliedCoupon, PricedLine};
use crate::kitchens::model::Location;
use crate::menu::model::{Food, Money};
use crate::platform::validation::{Invalid, Problems};

pub const MAX_LINES: usize = 50;
pub const MAX_QUANTITY: i64 = 50;
pub const ADDRESS_MAX: usize = 500;
pub const NOTE_MAX: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Pending,
    Confirmed,
    Preparing,
    OutForDelivery,
    ReadyForPickup,
    Completed,
    Cancelled,
}

/// How the food reaches the customer: it decides the order's road after `preparing`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fulfilment {
    /// To the order's address (the default; orders from before v2 are deliveries).
    #[default]
    Delivery,
    /// Collected at the kitchen's counter.
    Pickup,
}

impl Fulfilment {
    pub const ALL: [Fulfilment; 2] = [Fulfilment::Delivery, Fulfilment::Pickup];

    pub fn as_str(self) -> &'static str {
        match self {
            Fulfilment::Delivery => "delivery",
            Fulfilment::Pickup => "pickup",
        }
    }

    /// What the food waits in once prepared.
    fn handover(self) -> OrderStatus {
        match self {
            Fulfilment::Delivery => OrderStatus::OutForDelivery,
            Fulfilment::Pickup => OrderStatus::ReadyForPickup,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    Unpaid,
    Paid,
    /// Paystack took the refund of a cancelled order and is sending the money back.
    RefundPending,
    /// The money went back to the customer.
    Refunded,
    /// Paystack refused to refund a cancelled order: the kitchen must settle it.
    RefundFailed,
}

/// How an order was paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    Paystack,
    /// Cash or any pay-at-the-counter payment the kitchen records by hand.
    Cash,
    /// The customer's wallet.
    Wallet,
}

impl PaymentMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Paystack => "paystack",
            PaymentMethod::Cash => "cash",
            PaymentMethod::Wallet => "wallet",
        }
    }
}

/// An online payment opened for an order: where the customer pays, and once paid, Paystack's
/// transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnlinePayment {
    pub provider: String,
    pub reference: String,
    pub authorization_url: String,
    /// Kobo, the order's total when it was opened.
    pub amount: i64,
    pub currency: String,
    #[serde(default)]
    pub transaction_id: Option<i64>,
    #[serde(default)]
    pub channel: Option<String>,
}

/// Who made a change to an order (its history's `by_role`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangedBy {
    Customer,
    /// The platform admin (on any kitchen's board).
    Admin,
    /// A kitchen's member on its board (owner, manager or staff): the kitchen's side, as the
    /// admin.
    Staff,
    /// Paystack's webhook, or a verification with Paystack.
    Paystack,
    /// The platform itself: an unpaid order expiring.
    System,
}

impl ChangedBy {
    /// How a history entry names the platform's own changes (`by`).
    pub const SYSTEM: &'static str = "system";

    /// Someone working a kitchen's board: the platform admin, or one of its members.
    pub fn on_the_board(role: Role) -> Self {
        match role {
            Role::Admin => ChangedBy::Admin,
            Role::Customer => ChangedBy::Staff,
        }
    }

    /// Whether the change came from the kitchen's side.
    pub fn is_kitchen(self) -> bool {
        matches!(self, ChangedBy::Admin | ChangedBy::Staff)
    }
}

impl From<Role> for ChangedBy {
    fn from(role: Role) -> Self {
        match role {
            Role::Customer => ChangedBy::Customer,
            Role::Admin => ChangedBy::Admin,
        }
    }
}

/// Why a status change is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("the order is completed")]
    Completed,
    #[error("the order is cancelled")]
    Cancelled,
    #[error("confirming needs payment")]
    PaymentRequired,
    #[error("only pending orders can be cancelled by their customer")]
    NotCancellable,
    #[error("no step from {} to {}", from.as_str(), to.as_str())]
    Invalid { from: OrderStatus, to: OrderStatus },
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 7] = [
        OrderStatus::Pending,
        OrderStatus::Confirmed,
        OrderStatus::Preparing,
        OrderStatus::OutForDelivery,
        OrderStatus::ReadyForPickup,
        OrderStatus::Completed,
        OrderStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Pending => "pending",
            OrderStatus::Confirmed => "confirmed",
            OrderStatus::Preparing => "preparing",
            OrderStatus::OutForDelivery => "out_for_delivery",
            OrderStatus::ReadyForPickup => "ready_for_pickup",
            OrderStatus::Completed => "completed",
            OrderStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw.trim().to_ascii_lowercase())
    }

    /// The one step forward in the kitchen's flow for this fulfilment, if any: delivery goes
    /// `preparing -> out_for_delivery -> completed`, pickup `preparing -> ready_for_pickup ->
    /// completed`.
    pub fn next(self, fulfilment: Fulfilment) -> Option<Self> {
        match self {
            OrderStatus::Pending => Some(OrderStatus::Confirmed),
            OrderStatus::Confirmed => Some(OrderStatus::Preparing),
            OrderStatus::Preparing => Some(fulfilment.handover()),
            OrderStatus::OutForDelivery | OrderStatus::ReadyForPickup if self == fulfilment.handover() => {
                Some(OrderStatus::Completed)
            }
            _ => None,
        }
    }

    /// Whether `by` may move an order of `fulfilment` from `self` to `to`, given its payment
    /// state; if so, what the write must still find. Customers cancel only pending orders; the
    /// kitchen goes one step at a time along the fulfilment's road (or cancels a pending or
    /// confirmed order); confirming needs payment.
    pub fn check_transition(
        self,
        to: OrderStatus,
        payment: PaymentStatus,
        fulfilment: Fulfilment,
        by: ChangedBy,
    ) -> Result<Precondition, TransitionError> {
        if by == ChangedBy::System {
            // Expiry: only an order still pending and unpaid, and only while it is.
            return match (self, to, payment) {
                (OrderStatus::Pending, OrderStatus::Cancelled, PaymentStatus::Unpaid) => Ok(Precondition {
                    payment: Some(PaymentStatus::Unpaid),
                    ..Precondition::status_is(self)
                }),
                (_, OrderStatus::Cancelled, _) => Err(TransitionError::NotCancellable),
                (from, to, _) => Err(TransitionError::Invalid { from, to }),
            };
        }
        if by == ChangedBy::Paystack {
            return Err(TransitionError::Invalid { from: self, to });
        }
        if by == ChangedBy::Customer {
            return match (self, to) {
                (OrderStatus::Pending, OrderStatus::Cancelled) => Ok(Precondition::status_is(self)),
                (_, OrderStatus::Cancelled) => Err(TransitionError::NotCancellable),
                (from, to) => Err(TransitionError::Invalid { from, to }),
            };
        }
        match self {
            OrderStatus::Completed => return Err(TransitionError::Completed),
            OrderStatus::Cancelled => return Err(TransitionError::Cancelled),
            _ => {}
        }
        let allowed = self.next(fulfilment) == Some(to)
            || (to == OrderStatus::Cancelled && matches!(self, OrderStatus::Pending | OrderStatus::Confirmed));
        if !allowed {
            return Err(TransitionError::Invalid { from: self, to });
        }
        let mut precondition = Precondition::status_is(self);
        if to == OrderStatus::Confirmed {
            if payment != PaymentStatus::Paid {
                return Err(TransitionError::PaymentRequired);
            }
            precondition.payment = Some(PaymentStatus::Paid);
        }
        Ok(precondition)
    }

    /// Reads a status a client named (`invalid_status` naming the field otherwise).
    pub fn parse_field(raw: Option<&str>, field: &str) -> Result<Self, Invalid> {
        raw.and_then(Self::parse).ok_or_else(|| {
            let names: Vec<_> = Self::ALL.iter().map(|s| s.as_str()).collect();
            Invalid::field(
                "invalid_status",
                field,
                format!("must be one of {}", names.join(", ")),
                "Unknown order status",
            )
        })
    }
}

/// Orders nobody has paid: how long one holds its stock, how many one customer may hold. Stock
/// cannot be hoarded with orders nobody pays (contract, "v2 corrections").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnpaidRules {
    /// An unpaid pending order older than this is cancelled by the system (`UNPAID_ORDER_TTL_MINUTES`).
    pub ttl_secs: i64,
    /// Unpaid pending orders one customer may hold at once (`MAX_OPEN_UNPAID_ORDERS`).
    pub max_open: usize,
}

impl Default for UnpaidRules {
    fn default() -> Self {
        Self {
            ttl_secs: 30 * 60,
            max_open: 3,
        }
    }
}

/// The orders a customer was last seen holding unpaid, as listed beside their account. The list
/// is kept by placements only: an order paid or cancelled since stays listed until a placement
/// finds the list full and looks, so no other write has to know about it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenOrders {
    #[serde(default)]
    pub ids: Vec<String>,
    #[serde(default)]
    pub version: u64,
}

/// What a placement does to the customer's list of unpaid orders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenSlot {
    /// The list has room: the new order is added while it still has (fewer than `max`).
    Add { max: usize },
    /// The list was full of orders some of which are no longer open: it becomes `ids` (those
    /// still open and the new order) while it is still at `version`.
    Replace { ids: Vec<String>, version: u64 },
}

impl UnpaidRules {
    /// Whether an order in this state holds one of its customer's places.
    pub fn holds_a_place(status: OrderStatus, payment: PaymentStatus) -> bool {
        status == OrderStatus::Pending && payment == PaymentStatus::Unpaid
    }

    /// The slot a new order takes, if the listed orders leave room: `None` while the listed
    /// orders still open (`still_open`, once looked at) fill every place.
    pub fn slot_for(&self, new_order: &str, open: &OpenOrders, still_open: Option<&[String]>) -> Option<OpenSlot> {
        if open.ids.len() < self.max_open {
            return Some(OpenSlot::Add { max: self.max_open });
        }
        let still_open = still_open?;
        if still_open.len() >= self.max_open {
            return None;
        }
        let mut ids = still_open.to_vec();
        ids.push(new_order.to_owned());
        Some(OpenSlot::Replace {
            ids,
            version: open.version,
        })
    }

    /// The newest order id an expired order can have at `now` (epoch seconds): orders are
    /// ULIDs, so their ids sort by the time they were placed.
    pub fn expired_before(&self, now: i64) -> String {
        let cutoff_ms = (now - self.ttl_secs).max(0) as u64 * 1000;
        ulid::Ulid::from_parts(cutoff_ms, 0).to_string()
    }
}

/// Which statuses a write accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusRule {
    Is(OrderStatus),
    IsNot(OrderStatus),
}

/// What a write must still find for a decision taken on an order as read to hold: its status,
/// its payment, and (for a customer's change) its owner. The store turns this into the write's
/// condition, so the rule and the condition cannot drift apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Precondition {
    pub status: StatusRule,
    pub payment: Option<PaymentStatus>,
    pub payment_method: Option<PaymentMethod>,
    pub customer: Option<String>,
}

impl Precondition {
    fn status_is(status: OrderStatus) -> Self {
        Self {
            status: StatusRule::Is(status),
            payment: None,
            payment_method: None,
            customer: None,
        }
    }

    /// Also requires the order to be `customer`'s.
    pub fn owned_by(mut self, customer: &str) -> Self {
        self.customer = Some(customer.to_owned());
        self
    }
}

impl PaymentStatus {
    /// Reads a payment status a client named.
    pub fn parse_field(raw: Option<&str>) -> Result<Self, Invalid> {
        raw.and_then(Self::parse).ok_or_else(|| {
            Invalid::field(
                "invalid_payment_status",
                "payment_status",
                "must be one of unpaid, paid, refund_pending, refunded, refund_failed",
                "Unknown payment status",
            )
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Unpaid => "unpaid",
            PaymentStatus::Paid => "paid",
            PaymentStatus::RefundPending => "refund_pending",
            PaymentStatus::Refunded => "refunded",
            PaymentStatus::RefundFailed => "refund_failed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim().to_ascii_lowercase();
        [
            PaymentStatus::Unpaid,
            PaymentStatus::Paid,
            PaymentStatus::RefundPending,
            PaymentStatus::Refunded,
            PaymentStatus::RefundFailed,
        ]
        .into_iter()
        .find(|p| p.as_str() == raw)
    }
}

/// What setting the payment status does to an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentChange {
    /// Already in that state: nothing to write.
    Unchanged,
    /// Set `to` (and, when it is paid, how), with what the write must still find.
    Set {
        to: PaymentStatus,
        method: Option<PaymentMethod>,
        requires: Precondition,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    #[error("the order is cancelled")]
    OnCancelled,
    /// Paid orders do not go back to unpaid; only a cancelled cash payment is refunded by hand
    /// (Paystack payments are refunded through Paystack).
    #[error("no such payment change")]
    InvalidTransition,
}

/// The kitchen records a payment by hand: cash paid for an order that is not cancelled, or cash
/// handed back for a cancelled order it was paid in cash for.
pub fn check_payment(
    status: OrderStatus,
    current: PaymentStatus,
    method: Option<PaymentMethod>,
    requested: PaymentStatus,
) -> Result<PaymentChange, PaymentError> {
    let requires = |payment, payment_method| Precondition {
        status: StatusRule::Is(status),
        payment: Some(payment),
        payment_method,
        customer: None,
    };
    match (requested, current) {
        (PaymentStatus::Paid, _) if status == OrderStatus::Cancelled => Err(PaymentError::OnCancelled),
        (a, b) if a == b => Ok(PaymentChange::Unchanged),
        (PaymentStatus::Paid, PaymentStatus::Unpaid) => Ok(PaymentChange::Set {
            to: PaymentStatus::Paid,
            method: Some(PaymentMethod::Cash),
            requires: requires(PaymentStatus::Unpaid, None),
        }),
        (PaymentStatus::Refunded, PaymentStatus::Paid)
            if status == OrderStatus::Cancelled && method == Some(PaymentMethod::Cash) =>
        {
            Ok(PaymentChange::Set {
                to: PaymentStatus::Refunded,
                method: None,
                requires: requires(PaymentStatus::Paid, Some(PaymentMethod::Cash)),
            })
        }
        _ => Err(PaymentError::InvalidTransition),
    }
}

/// Why an order cannot be paid for (online or from the wallet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PayError {
    #[error("the order is paid already")]
    AlreadyPaid,
    #[error("only pending, unpaid orders can be paid for")]
    NotPayable,
}

/// Whether an order may start (or resume) a payment (Paystack, the wallet): a paid order never, otherwise only
/// a pending, unpaid one.
pub fn check_payable(order: &Order) -> Result<(), PayError> {
    payable(order.status, order.payment_status)
}

fn payable(status: OrderStatus, payment: PaymentStatus) -> Result<(), PayError> {
    match (payment, status) {
        (PaymentStatus::Paid, _) => Err(PayError::AlreadyPaid),
        (PaymentStatus::Unpaid, OrderStatus::Pending) => Ok(()),
        _ => Err(PayError::NotPayable),
    }
}

/// What can happen to an order next, for the one looking at it: the API's order views carry it,
/// so no screen keeps its own copy of these rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct NextSteps {
    /// The kitchen's next step now: none for a customer, none while the order waits for its
    /// payment, none once it is finished.
    pub next_status: Option<OrderStatus>,
    /// Whether the viewer may cancel it now.
    pub can_cancel: bool,
    /// A customer: whether it can be paid for now (online or from the wallet). The kitchen:
    /// whether a payment at the counter can be recorded now.
    pub can_pay: bool,
}

impl NextSteps {
    /// For `by` (the customer, or the kitchen's side: `Admin` or `Staff`), as the transitions
    /// and payment rules above decide.
    pub fn of(status: OrderStatus, payment: PaymentStatus, fulfilment: Fulfilment, by: ChangedBy) -> Self {
        let allowed = |to| status.check_transition(to, payment, fulfilment, by).is_ok();
        let kitchen = by.is_kitchen();
        Self {
            next_status: status.next(fulfilment).filter(|to| kitchen && allowed(*to)),
            can_cancel: allowed(OrderStatus::Cancelled),
            can_pay: if kitchen {
                matches!(
                    check_payment(status, payment, None, PaymentStatus::Paid),
                    Ok(PaymentChange::Set { .. })
                )
            } else {
                payable(status, payment).is_ok()
            },
        }
    }
}

/// What an order's next steps are read from: an order, or a list's summary of one.
pub trait Standing {
    fn standing(&self) -> (OrderStatus, PaymentStatus, Fulfilment);
}

impl Standing for Order {
    fn standing(&self) -> (OrderStatus, PaymentStatus, Fulfilment) {
        (self.status, self.payment_status, self.fulfilment)
    }
}

impl Standing for OrderSummary {
    fn standing(&self) -> (OrderStatus, PaymentStatus, Fulfilment) {
        (self.status, self.payment_status, self.fulfilment)
    }
}

/// An order (or its summary) as the API shows it to `by`: every field, and its next steps.
#[derive(Debug, Serialize)]
pub struct Viewed<'a, T> {
    #[serde(flatten)]
    pub order: &'a T,
    #[serde(flatten)]
    pub next: NextSteps,
}

impl<'a, T: Standing> Viewed<'a, T> {
    pub fn by(order: &'a T, by: ChangedBy) -> Self {
        let (status, payment, fulfilment) = order.standing();
        Self {
            order,
            next: NextSteps::of(status, payment, fulfilment, by),
        }
    }
}

/// A whole Paystack payment to give back, for a cancelled order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refund {
    pub reference: String,
    /// Kobo.
    pub amount: i64,
    /// Whether an earlier attempt failed (the kitchen is trying again).
    pub retry: bool,
}

impl Refund {
    /// What Paystack's answer to the refund request makes of the order: `refund_pending` when it
    /// took the refund (the money moves later: its `refund.processed` webhook settles it),
    /// `refund_failed` when it refused; written only while the order is still as it was read
    /// (cancelled, paid through Paystack, not settled by another attempt).
    pub fn settle(&self, accepted: bool) -> PaymentChange {
        PaymentChange::Set {
            to: if accepted {
                PaymentStatus::RefundPending
            } else {
                PaymentStatus::RefundFailed
            },
            method: None,
            requires: Precondition {
                status: StatusRule::Is(OrderStatus::Cancelled),
                payment: Some(if self.retry {
                    PaymentStatus::RefundFailed
                } else {
                    PaymentStatus::Paid
                }),
                payment_method: Some(PaymentMethod::Paystack),
                customer: None,
            },
        }
    }
}

/// What Paystack's word on a refund (its `refund.processed` or `refund.failed` webhook) does to
/// the order it refunds: `refunded` or `refund_failed`, from `refund_pending` (or from `paid`,
/// when the webhook came before the request's own answer was written); nothing for an order
/// already settled (a redelivery) or not refunded through Paystack.
pub fn refund_settled(order: &Order, processed: bool) -> Option<PaymentChange> {
    if order.status != OrderStatus::Cancelled || order.payment_method != Some(PaymentMethod::Paystack) {
        return None;
    }
    let from = match order.payment_status {
        from @ (PaymentStatus::RefundPending | PaymentStatus::Paid) => from,
        // A failed refund the kitchen asked again for is pending again before it settles.
        PaymentStatus::RefundFailed | PaymentStatus::Refunded | PaymentStatus::Unpaid => return None,
    };
    Some(PaymentChange::Set {
        to: if processed {
            PaymentStatus::Refunded
        } else {
            PaymentStatus::RefundFailed
        },
        method: None,
        requires: Precondition {
            status: StatusRule::Is(OrderStatus::Cancelled),
            payment: Some(from),
            payment_method: Some(PaymentMethod::Paystack),
            customer: None,
        },
    })
}

/// A requested order line, merged by dish.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestedLine {
    pub food_item_id: String,
    pub quantity: i64,
}

/// A validated order request (before the dishes are looked up).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewOrder {
    /// In the order first requested; repeated dishes merged.
    pub lines: Vec<RequestedLine>,
    pub fulfilment: Fulfilment,
    /// Required for delivery; none for pickup.
    pub delivery_address: Option<String>,
    pub note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery_location: Option<Location>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coupon_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_phone: Option<String>,
}

/// How an order is fulfilled and its details (a coupon among them), as checked for placement
/// and checkout alike.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Handover {
    pub fulfilment: Fulfilment,
    pub delivery_address: Option<String>,
    pub note: Option<String>,
    /// Where a delivery goes on the map (a kitchen that delivers within a radius needs it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery_location: Option<Location>,
    /// The coupon code the customer gave, upper-case (which coupon it names, if any, is the
    /// placement's to find out).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coupon_code: Option<String>,
    /// A number the rider can call, international form (`+234...`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_phone: Option<String>,
}

/// A map point as it was sent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LocationInput {
    /// Absent or null.
    Missing,
    /// An object: its `lat` and `lng`, where they were numbers.
    Given {
        lat: Option<f64>,
        lng: Option<f64>,
    },
    NotAnObject,
}

/// One requested line as it was sent: the dish id if it was a non-empty string, the quantity if
/// it was a whole number.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineInput {
    pub food_item_id: Option<String>,
    pub quantity: Option<i64>,
}

/// The lines as they were sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinesInput {
    /// Absent or null.
    Missing,
    NotAList,
    Lines(Vec<LineInput>),
}

/// A text field as it was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextInput {
    /// Absent or null.
    Missing,
    NotText,
    Text(String),
}

/// How an order is to be handed over, as it was sent (placement and checkout).
#[derive(Debug, Clone, PartialEq)]
pub struct HandoverInput {
    pub fulfilment: TextInput,
    pub delivery_address: TextInput,
    pub note: TextInput,
    pub delivery_location: LocationInput,
    pub coupon_code: TextInput,
    pub contact_phone: TextInput,
}

/// An order request as it was sent, before any rule is applied.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderInput {
    pub items: LinesInput,
    pub handover: HandoverInput,
}

/// Trimmed text of at most `max` characters without control characters (as profile fields);
/// blank is `None`.
fn text(input: TextInput, max: usize) -> Result<Option<String>, String> {
    match input {
        TextInput::Missing => Ok(None),
        TextInput::Text(s) => {
            let t = s.trim();
            if t.chars().count() > max {
                Err(format!("must be at most {max} characters"))
            } else if t.chars().any(char::is_control) {
                Err("must be text without control characters".into())
            } else if t.is_empty() {
                Ok(None)
            } else {
                Ok(Some(t.to_owned()))
            }
        }
        TextInput::NotText => Err("must be a string".into()),
    }
}

/// The lines of a request: each checked, every problem reported to `p`, repeated dishes
/// merged; `Err` when there are none (or they are not a list).
fn check_lines(input: LinesInput, p: &mut Problems) -> Result<Vec<RequestedLine>, Invalid> {
    let items = match input {
        LinesInput::Missing => return Err(empty_order()),
        LinesInput::Lines(items) if items.is_empty() => return Err(empty_order()),
        LinesInput::Lines(items) => items,
        LinesInput::NotAList => {
            return Err(Invalid::field(
                "invalid_items",
                "items",
                "must be a list",
                "Invalid order items",
            ));
        }
    };
    let mut lines: Vec<RequestedLine> = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        let id = match item.food_item_id.as_deref().map(str::trim) {
            Some(s) if !s.is_empty() => Some(s.to_ascii_uppercase()),
            _ => {
                p.add("invalid_items", &format!("items[{i}].food_item_id"), "is required");
                None
            }
        };
        let quantity = match item.quantity {
            Some(q) if (1..=MAX_QUANTITY).contains(&q) => Some(q),
            _ => {
                p.add(
                    "invalid_quantity",
                    &format!("items[{i}].quantity"),
                    format!("must be a whole number from 1 to {MAX_QUANTITY}"),
                );
                None
            }
        };
        if let (Some(id), Some(quantity)) = (id, quantity) {
            match lines.iter_mut().find(|l| l.food_item_id == id) {
                Some(line) => line.quantity += quantity,
                None => lines.push(RequestedLine {
                    food_item_id: id,
                    quantity,
                }),
            }
        }
    }
    for line in &lines {
        if line.quantity > MAX_QUANTITY {
            p.add(
                "invalid_quantity",
                "items",
                format!(
                    "{} is ordered {} times; at most {MAX_QUANTITY}",
                    line.food_item_id, line.quantity
                ),
            );
        }
    }
    if lines.len() > MAX_LINES {
        p.add(
            "too_many_items",
            "items",
            format!("at most {MAX_LINES} different dishes per order"),
        );
    }
    Ok(lines)
}

impl RequestedLine {
    /// The lines of a request on their own (`validate`): the same rules as an order's.
    pub fn parse_all(input: LinesInput) -> Result<Vec<Self>, Invalid> {
        let mut p = Problems::default();
        let lines = check_lines(input, &mut p)?;
        p.finish("The order is invalid")?;
        Ok(lines)
    }
}

impl NewOrder {
    /// Every line and field checked, every problem reported at once; repeated dishes merged.
    /// `country`: the calling code a national contact number is read in (e.g. "234").
    pub fn parse(input: OrderInput, country: &str) -> Result<Self, Invalid> {
        let mut p = Problems::default();
        let lines = check_lines(input.items, &mut p)?;
        let handover = Handover::check(input.handover, country, &mut p);
        p.finish("The order is invalid")?;
        let Some(handover) = handover else {
            return Err(Invalid::field(
                "invalid_fulfilment",
                "fulfilment",
                "is invalid",
                "The order is invalid",
            ));
        };
        Ok(Self {
            lines,
            fulfilment: handover.fulfilment,
            delivery_address: handover.delivery_address,
            note: handover.note,
            delivery_location: handover.delivery_location,
            coupon_code: handover.coupon_code,
            contact_phone: handover.contact_phone,
        })
    }

    /// SHA-256 of the request as understood (lines merged, text trimmed), hex: what an
    /// idempotency key is bound to.
    pub fn fingerprint(&self) -> String {
        fingerprint(&("order", self))
    }

    /// The lines, and how the order is handed over.
    pub fn into_parts(self) -> (Vec<RequestedLine>, Handover) {
        let handover = Handover {
            fulfilment: self.fulfilment,
            delivery_address: self.delivery_address,
            note: self.note,
            delivery_location: self.delivery_location,
            coupon_code: self.coupon_code,
            contact_phone: self.contact_phone,
        };
        (self.lines, handover)
    }
}

/// SHA-256 of a value's JSON, hex.
fn fingerprint(value: &impl Serialize) -> String {
    // Serialising plain strings and integers cannot fail; an empty fingerprint would still only
    // ever match itself.
    let canonical = serde_json::to_vec(value).unwrap_or_default();
    Sha256::digest(&canonical).iter().map(|b| format!("{b:02x}")).collect()
}

impl Handover {
    /// What a checkout's idempotency key is bound to: the checkout request (the lines are the
    /// cart's, gone once it succeeded), never equal to an order request's.
    pub fn checkout_fingerprint(&self) -> String {
        fingerprint(&("checkout", self))
    }

    /// A checked handover on its own (checkout: the lines come from the cart).
    pub fn parse(input: HandoverInput, country: &str) -> Result<Self, Invalid> {
        let mut p = Problems::default();
        let handover = Self::check(input, country, &mut p);
        p.finish("The order is invalid")?;
        handover.ok_or_else(|| Invalid::field("invalid_fulfilment", "fulfilment", "is invalid", "The order is invalid"))
    }

    /// `fulfilment` is `delivery` (the default) or `pickup`; a delivery needs an address of at
    /// most [`ADDRESS_MAX`] characters, a pickup none (one given is not kept); a note is at most
    /// [`NOTE_MAX`]; a contact phone is a phone number as an account's (national numbers read in
    /// `country`). Problems go to `p`; `None` when there were any.
    fn check(input: HandoverInput, country: &str, p: &mut Problems) -> Option<Self> {
        let fulfilment = match input.fulfilment {
            TextInput::Missing => Some(Fulfilment::Delivery),
            TextInput::Text(raw) => {
                let found = Fulfilment::ALL
                    .into_iter()
                    .find(|f| f.as_str() == raw.trim().to_ascii_lowercase());
                if found.is_none() {
                    p.add("invalid_fulfilment", "fulfilment", "must be delivery or pickup");
                }
                found
            }
            TextInput::NotText => {
                p.add("invalid_fulfilment", "fulfilment", "must be delivery or pickup");
                None
            }
        };
        let address = match (fulfilment, text(input.delivery_address, ADDRESS_MAX)) {
            (Some(Fulfilment::Pickup), _) => Some(None),
            (_, Ok(Some(a))) => Some(Some(a)),
            (_, Ok(None)) => {
                p.add(
                    "invalid_delivery_address",
                    "delivery_address",
                    "is required for delivery",
                );
                None
            }
            (_, Err(e)) => {
                p.add("invalid_delivery_address", "delivery_address", e);
                None
            }
        };
        let note = p.check("invalid_note", "note", text(input.note, NOTE_MAX));
        let location = match input.delivery_location {
            LocationInput::Missing => Some(None),
            LocationInput::Given {
                lat: Some(lat),
                lng: Some(lng),
            } => Location::new(lat, lng).map(Some),
            _ => None,
        };
        if location.is_none() {
            p.add(
                "invalid_delivery_location",
                "delivery_location",
                "must be {\"lat\": -90..90, \"lng\": -180..180}",
            );
        }
        let coupon_code = p.check("invalid_coupon_code", "coupon_code", text(input.coupon_code, 64));
        let contact_phone = p.check(
            "invalid_contact_phone",
            "contact_phone",
            text(input.contact_phone, 40).and_then(|raw| {
                raw.map(|raw| {
                    Phone::parse(&raw, country)
                        .map(|phone| phone.as_str().to_owned())
                        .map_err(|e| e.to_string())
                })
                .transpose()
            }),
        );
        Some(Self {
            contact_phone: contact_phone?,
            coupon_code: coupon_code?.map(|c| c.to_ascii_uppercase()),
            fulfilment: fulfilment?,
            delivery_address: address?,
            note: note?,
            // A pickup goes nowhere.
            delivery_location: location?.filter(|_| fulfilment == Some(Fulfilment::Delivery)),
        })
    }
}

fn empty_order() -> Invalid {
    Invalid::field("empty_order", "items", "is empty", "You must include at least one item")
}

/// A priced line: the dish's name and price at the moment of ordering.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLine {
    pub food_item_id: String,
    pub name: String,
    pub unit_price: i64,
    pub quantity: i64,
    pub line_total: i64,
    /// Whether placing the order took these portions from the dish's stock (so that a
    /// cancellation gives back exactly what was taken).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stock_taken: bool,
}

/// Priced lines as a coupon's discount sees them.
pub fn priced_lines(lines: &[OrderLine]) -> Vec<PricedLine> {
    lines
        .iter()
        .map(|l| PricedLine {
            food_item_id: l.food_item_id.clone(),
            unit_price: l.unit_price,
            quantity: l.quantity,
        })
        .collect()
}

/// A line asking for more than is left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shortfall {
    pub food_item_id: String,
    pub name: String,
    pub left: i64,
}

/// Why an order cannot be priced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PricingError {
    #[error("no dish {0}")]
    FoodNotFound(String),
    /// The dish (named) is switched off.
    #[error("{0} is switched off")]
    FoodUnavailable(String),
    #[error("the total overflows")]
    Overflow,
    /// Lines asking for more portions than are left (every one of them).
    #[error("not enough stock")]
    InsufficientStock(Vec<Shortfall>),
    /// Lines outside their dish's quantity limits (every one of them).
    #[error("quantities out of range")]
    QuantityOutOfRange(Vec<OutOfRange>),
}

/// A line whose quantity its dish does not allow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutOfRange {
    pub food_item_id: String,
    pub name: String,
    pub limits: crate::menu::model::QuantityLimits,
}

/// Prices every line from the current menu; the first unknown or unavailable dish rejects the
/// whole order, and so does any line asking for more than its dish has left (all such lines are
/// named). Lines of dishes with tracked stock are marked to take it. Returns the lines and the
/// total.
pub fn price_lines<'a>(
    lines: &[RequestedLine],
    lookup: impl Fn(&str) -> Option<&'a Food>,
) -> Result<(Vec<OrderLine>, Money), PricingError> {
    let mut priced = Vec::with_capacity(lines.len());
    let mut total = Money::from_kobo(0);
    let mut short = Vec::new();
    let mut out_of_range = Vec::new();
    for line in lines {
        let food = lookup(&line.food_item_id).ok_or_else(|| PricingError::FoodNotFound(line.food_item_id.clone()))?;
        if !food.is_available {
            return Err(PricingError::FoodUnavailable(food.name.clone()));
        }
        if !food.limits().allows(line.quantity) {
            out_of_range.push(OutOfRange {
                food_item_id: food.id.clone(),
                name: food.name.clone(),
                limits: food.limits(),
            });
        }
        if !food.can_supply(line.quantity) {
            short.push(Shortfall {
                food_item_id: food.id.clone(),
                name: food.name.clone(),
                left: food.stock.unwrap_or_default().max(0),
            });
        }
        let price = Money::from_kobo(food.price);
        let line_total = price.checked_mul(line.quantity).ok_or(PricingError::Overflow)?;
        total = total.checked_add(line_total).ok_or(PricingError::Overflow)?;
        priced.push(OrderLine {
            food_item_id: food.id.clone(),
            name: food.name.clone(),
            unit_price: price.kobo(),
            quantity: line.quantity,
            line_total: line_total.kobo(),
            stock_taken: food.stock.is_some(),
        });
    }
    if !out_of_range.is_empty() {
        return Err(PricingError::QuantityOutOfRange(out_of_range));
    }
    if !short.is_empty() {
        return Err(PricingError::InsufficientStock(short));
    }
    Ok((priced, total))
}

/// Portions of one dish an order takes or gives back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Portions {
    pub food_item_id: String,
    pub quantity: i64,
}

/// One entry of an order's history: who moved it where (or changed its payment), when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// The status after the change (unchanged by a payment change).
    pub status: OrderStatus,
    /// Set by payment changes: the payment status after the change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_status: Option<PaymentStatus>,
    pub at: String,
    /// The user who made the change, or `paystack`.
    pub by: String,
    pub by_role: ChangedBy,
}

/// An order: its priced lines (name and price snapshots), its state and its history. Its
/// serialisation is how the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    pub id: String,
    pub customer_id: String,
    pub status: OrderStatus,
    pub payment_status: PaymentStatus,
    pub items: Vec<OrderLine>,
    pub total: i64,
    pub currency: String,
    #[serde(default)]
    pub fulfilment: Fulfilment,
    /// Where a delivery goes; none for a pickup.
    #[serde(default)]
    pub delivery_address: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    pub status_history: Vec<HistoryEntry>,
    #[serde(default)]
    pub paid_at: Option<String>,
    /// How it was paid (set with `paid`).
    #[serde(default)]
    pub payment_method: Option<PaymentMethod>,
    /// The online payment opened for it (Paystack), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment: Option<OnlinePayment>,
    pub created_at: String,
    pub updated_at: String,
    /// Portions of all lines together, for lists (absent on orders placed before it was kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_count: Option<i64>,
    /// The lines in a few words, for lists: [`gist`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The kitchen it was ordered from, as it was named then (absent only on orders placed
    /// before kitchens, until the operator's upgrade gives them the home kitchen).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kitchen: Option<KitchenRef>,
    /// The lines' sum (kobo; orders from before it was kept: their total).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtotal: Option<i64>,
    /// The kitchen's delivery fee (kobo): 0 for a pickup.
    #[serde(default)]
    pub delivery_fee: i64,
    /// Taken off by a coupon (kobo).
    #[serde(default)]
    pub discount: i64,
    /// The coupon that took it off, as it was at placement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon: Option<AppliedCoupon>,
    /// Where a delivery goes on the map, if the customer said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_location: Option<Location>,
    /// A number the rider can call, if the customer gave one.
    #[serde(default)]
    pub contact_phone: Option<String>,
    /// Who ordered, as their account read at placement (absent on orders from before it was
    /// kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<CustomerRef>,
}

/// The customer as an order names it, so the kitchen (and a rider) can reach them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerRef {
    /// First and last name, as far as the account has them.
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

impl CustomerRef {
    pub fn of(account: &crate::accounts::model::Account) -> Self {
        let name = [account.first_name.as_deref(), account.last_name.as_deref()]
            .into_iter()
            .flatten()
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        Self {
            name: (!name.is_empty()).then_some(name),
            phone: account.phone.clone(),
            email: account.email.clone(),
        }
    }
}

/// A kitchen as an order names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KitchenRef {
    pub id: String,
    pub slug: String,
    pub name: String,
}

/// An order as a list shows it: the customer's history and the kitchen's board read this much
/// of each order, the lines only as their gist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderSummary {
    pub id: String,
    pub customer_id: String,
    pub status: OrderStatus,
    pub payment_status: PaymentStatus,
    #[serde(default)]
    pub payment_method: Option<PaymentMethod>,
    #[serde(default)]
    pub fulfilment: Fulfilment,
    pub total: i64,
    pub currency: String,
    #[serde(default)]
    pub item_count: Option<i64>,
    #[serde(default)]
    pub summary: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl OrderSummary {
    /// The attributes a list reads of each order (a projection: nothing else is sent). The
    /// order indexes hold exactly these on a deployed stack, and an index's projection cannot
    /// change in place: a ticket's customer and address are read with the one order.
    pub const ATTRIBUTES: &'static [&'static str] = &[
        "id",
        "customer_id",
        "status",
        "payment_status",
        "payment_method",
        "fulfilment",
        "total",
        "currency",
        "item_count",
        "summary",
        "created_at",
        "updated_at",
    ];
}

/// How long a gist may grow before the rest is counted instead of named.
const GIST_CHARS: usize = 120;

/// The lines in a few words: "2 × Dodo, 1 × Jollof Rice", and "and 3 more" past
/// [`GIST_CHARS`] characters.
pub fn gist(lines: &[OrderLine]) -> String {
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        let part = format!("{} × {}", line.quantity, line.name);
        let sep = if out.is_empty() { "" } else { ", " };
        if i > 0 && out.chars().count() + sep.len() + part.chars().count() > GIST_CHARS {
            let rest = lines.len() - i;
            out.push_str(&format!(" and {rest} more"));
            break;
        }
        out.push_str(sep);
        out.push_str(&part);
    }
    out
}

impl Order {
    /// The portions placing this order takes from stock.
    pub fn stock_taken(&self) -> Vec<Portions> {
        self.items
            .iter()
            .filter(|l| l.stock_taken)
            .map(|l| Portions {
                food_item_id: l.food_item_id.clone(),
                quantity: l.quantity,
            })
            .collect()
    }

    /// What moving to `to` gives back to stock: everything placing it took, when it is cancelled.
    pub fn stock_returned(&self, to: OrderStatus) -> Vec<Portions> {
        if to == OrderStatus::Cancelled {
            self.stock_taken()
        } else {
            Vec::new()
        }
    }

    /// The Paystack refund this order is owed: it is cancelled and was paid through Paystack,
    /// and nothing was refunded yet (or the last attempt failed and the kitchen tries again).
    pub fn refund_due(&self) -> Option<Refund> {
        let retry = match self.payment_status {
            PaymentStatus::Paid => false,
            PaymentStatus::RefundFailed => true,
            PaymentStatus::Unpaid | PaymentStatus::RefundPending | PaymentStatus::Refunded => return None,
        };
        if self.status != OrderStatus::Cancelled || self.payment_method != Some(PaymentMethod::Paystack) {
            return None;
        }
        let payment = self.payment.as_ref()?;
        Some(Refund {
            reference: payment.reference.clone(),
            amount: payment.amount,
            retry,
        })
    }

    /// The order after `entry`: its status (and payment status, when the entry names one),
    /// history and update time.
    pub fn after(mut self, entry: HistoryEntry) -> Self {
        self.status = entry.status;
        if let Some(payment) = entry.payment_status {
            self.payment_status = payment;
        }
        self.updated_at = entry.at.clone();
        self.status_history.push(entry);
        self
    }

    /// A new order: pending, unpaid, its first history entry by the customer.
    pub fn place(customer_id: &str, handover: Handover, lines: Vec<OrderLine>, total: Money, now: String) -> Self {
        let status = OrderStatus::Pending;
        Self {
            id: ulid::Ulid::new().to_string(),
            customer_id: customer_id.into(),
            status,
            payment_status: PaymentStatus::Unpaid,
            total: total.kobo(),
            currency: crate::menu::model::CURRENCY.into(),
            fulfilment: handover.fulfilment,
            delivery_address: handover.delivery_address,
            note: handover.note,
            status_history: vec![HistoryEntry {
                status,
                payment_status: None,
                at: now.clone(),
                by: customer_id.into(),
                by_role: ChangedBy::Customer,
            }],
            paid_at: None,
            payment_method: None,
            payment: None,
            created_at: now.clone(),
            updated_at: now,
            item_count: Some(lines.iter().map(|l| l.quantity).sum()),
            summary: Some(gist(&lines)),
            items: lines,
            kitchen: None,
            subtotal: Some(total.kobo()),
            delivery_fee: 0,
            discount: 0,
            coupon: None,
            delivery_location: handover.delivery_location,
            contact_phone: handover.contact_phone,
            customer: None,
        }
    }

    /// The order with the kitchen's delivery fee: `total = subtotal + delivery_fee - discount`.
    pub fn with_delivery_fee(mut self, fee: i64) -> Self {
        self.delivery_fee = fee;
        self.total = self.subtotal.unwrap_or(self.total) + fee - self.discount;
        self
    }

    /// The order with a coupon's `discount` (on the subtotal only, never more than it):
    /// `total = subtotal + delivery_fee - discount`.
    pub fn with_coupon(mut self, coupon: AppliedCoupon, discount: i64) -> Self {
        let subtotal = self.subtotal.unwrap_or(self.total);
        self.discount = discount.clamp(0, subtotal);
        self.coupon = Some(coupon);
        self.total = subtotal + self.delivery_fee - self.discount;
        self
    }

    /// The lines as a coupon's discount sees them.
    pub fn priced_lines(&self) -> Vec<PricedLine> {
        priced_lines(&self.items)
    }

    /// The coupon use moving to `to` gives back: the order's, when it is cancelled.
    pub fn coupon_returned(&self, to: OrderStatus) -> Option<&AppliedCoupon> {
        self.coupon.as_ref().filter(|_| to == OrderStatus::Cancelled)
    }

    /// What moving to `to` gives back to the customer's wallet: the total of a wallet-paid
    /// order, when it is cancelled.
    pub fn wallet_refund_due(&self, to: OrderStatus) -> Option<i64> {
        let paid_from_wallet =
            self.payment_status == PaymentStatus::Paid && self.payment_method == Some(PaymentMethod::Wallet);
        (to == OrderStatus::Cancelled && paid_from_wallet).then_some(self.total)
    }

    /// What moving to `to` adds to its customer's spending: the total, when it completes.
    pub fn spending_counted(&self, to: OrderStatus) -> Option<i64> {
        (to == OrderStatus::Completed).then_some(self.total)
    }

    /// The order as placed by `customer`.
    pub fn by_customer(mut self, customer: CustomerRef) -> Self {
        self.customer = Some(customer);
        self
    }

    /// The order as placed with `kitchen`.
    pub fn from_kitchen(mut self, kitchen: KitchenRef) -> Self {
        self.kitchen = Some(kitchen);
        self
    }

    /// The id of the kitchen it belongs to.
    pub fn kitchen_id(&self) -> Option<&str> {
        self.kitchen.as_ref().map(|k| k.id.as_str())
    }
}

/// How long a customer's `Idempotency-Key` is remembered.
pub const IDEMPOTENCY_WINDOW_SECS: i64 = 24 * 3600;

/// An `Idempotency-Key`: 1 to 255 visible ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn parse(raw: &[u8]) -> Result<Self, Invalid> {
        let invalid = || {
            Invalid::field(
                "invalid_idempotency_key",
                "Idempotency-Key",
                "must be 1 to 255 visible ASCII characters",
                "Invalid Idempotency-Key header",
            )
        };
        let key = std::str::from_utf8(raw).map_err(|_| invalid())?.trim();
        if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(invalid());
        }
        Ok(Self(key.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The first answer to a placement, kept under the customer's key for
/// [`IDEMPOTENCY_WINDOW_SECS`], to be given again to a retry of the same request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdempotencyRecord {
    /// [`NewOrder::fingerprint`] of the request.
    pub request_hash: String,
    pub order_id: String,
    pub status_code: u16,
    /// The answer's body, verbatim.
    pub response: String,
    pub expires_at: i64,
}

/// What a retry with a known key gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replay {
    /// The first answer again.
    Same,
    /// The key was used for another request.
    Conflict,
}

impl IdempotencyRecord {
    pub fn is_live(&self, now: i64) -> bool {
        self.expires_at > now
    }

    pub fn replay_for(&self, fingerprint: &str) -> Replay {
        if self.request_hash == fingerprint {
            Replay::Same
        } else {
            Replay::Conflict
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Fulfilment::*;
    use OrderStatus::*;
    use PaymentStatus::*;
    use serde_json::json;

    fn pickup_with_phone(phone: &str) -> HandoverInput {
        HandoverInput {
            fulfilment: TextInput::Text("pickup".into()),
            delivery_address: TextInput::Missing,
            note: TextInput::Missing,
            delivery_location: LocationInput::Missing,
            coupon_code: TextInput::Missing,
            contact_phone: TextInput::Text(phone.into()),
        }
    }

    #[test]
    fn next_steps_say_what_the_kitchen_and_the_customer_can_do_now() {
        let kitchen = |status, payment, fulfilment| NextSteps::of(status, payment, fulfilment, ChangedBy::Staff);
        let customer = |status, payment| NextSteps::of(status, payment, Delivery, ChangedBy::Customer);
        let steps = |next_status, can_cancel, can_pay| NextSteps {
            next_status,
            can_cancel,
            can_pay,
        };
        assert_eq!(
            kitchen(Pending, Unpaid, Delivery),
            steps(None, true, true),
            "awaiting its payment"
        );
        assert_eq!(kitchen(Pending, Paid, Delivery), steps(Some(Confirmed), true, false));
        assert_eq!(kitchen(Confirmed, Paid, Pickup), steps(Some(Preparing), true, false));
        assert_eq!(
            kitchen(Preparing, Paid, Pickup),
            steps(Some(ReadyForPickup), false, false)
        );
        assert_eq!(
            kitchen(Preparing, Paid, Delivery),
            steps(Some(OutForDelivery), false, false)
        );
        assert_eq!(
            kitchen(OutForDelivery, Paid, Delivery),
            steps(Some(Completed), false, false)
        );
        assert_eq!(kitchen(Completed, Paid, Delivery), steps(None, false, false));
        assert_eq!(kitchen(Cancelled, Unpaid, Delivery), steps(None, false, false));
        assert_eq!(customer(Pending, Unpaid), steps(None, true, true));
        assert_eq!(customer(Pending, Paid), steps(None, true, false));
        assert_eq!(customer(Confirmed, Paid), steps(None, false, false));
        assert_eq!(customer(Cancelled, Unpaid), steps(None, false, false));
    }

    #[test]
    fn a_contact_phone_is_kept_in_international_form_and_a_bad_one_is_named() {
        let handover = Handover::parse(pickup_with_phone(" 0803 123 4567 "), "234").unwrap();
        assert_eq!(handover.contact_phone.as_deref(), Some("+2348031234567"));
        let handover = Handover::parse(pickup_with_phone(""), "234").unwrap();
        assert_eq!(handover.contact_phone, None, "blank is none");
        let err = Handover::parse(pickup_with_phone("12"), "234").unwrap_err();
        assert_eq!(err.code, "invalid_contact_phone");
        assert!(err.fields.contains_key("contact_phone"), "{err:?}");
    }

    #[test]
    fn the_kitchen_flow_goes_one_step_at_a_time() {
        let ok = |from: OrderStatus, to| from.check_transition(to, Paid, Delivery, ChangedBy::Admin).map(|_| ());
        assert_eq!(ok(Pending, Confirmed), Ok(()));
        assert_eq!(ok(Confirmed, Preparing), Ok(()));
        assert_eq!(ok(Preparing, OutForDelivery), Ok(()));
        assert_eq!(ok(OutForDelivery, Completed), Ok(()));
        assert_eq!(
            Pending.check_transition(Preparing, Paid, Delivery, ChangedBy::Admin),
            Err(TransitionError::Invalid {
                from: Pending,
                to: Preparing
            })
        );
        assert!(matches!(
            Preparing.check_transition(Confirmed, Paid, Delivery, ChangedBy::Admin),
            Err(TransitionError::Invalid { .. })
        ));
        assert!(matches!(
            Pending.check_transition(Pending, Paid, Delivery, ChangedBy::Admin),
            Err(TransitionError::Invalid { .. })
        ));
    }

    #[test]
    fn pickup_orders_wait_at_the_counter_instead_of_going_out() {
        let ok = |from: OrderStatus, to, f| from.check_transition(to, Paid, f, ChangedBy::Admin).map(|_| ());
        assert_eq!(ok(Preparing, ReadyForPickup, Pickup), Ok(()));
        assert_eq!(ok(ReadyForPickup, Completed, Pickup), Ok(()));
        assert_eq!(
            ok(Preparing, OutForDelivery, Pickup),
            Err(TransitionError::Invalid {
                from: Preparing,
                to: OutForDelivery
            }),
            "a pickup order refuses out_for_delivery"
        );
        assert!(
            ok(Preparing, ReadyForPickup, Delivery).is_err(),
            "a delivery is not collected"
        );
        assert!(ok(OutForDelivery, Completed, Pickup).is_err());
        assert!(ok(ReadyForPickup, Completed, Delivery).is_err());
        assert_eq!(Pending.next(Pickup), Some(Confirmed));
        assert_eq!(Completed.next(Pickup), None);
    }

    #[test]
    fn confirming_needs_payment() {
        assert_eq!(
            Pending.check_transition(Confirmed, Unpaid, Delivery, ChangedBy::Admin),
            Err(TransitionError::PaymentRequired)
        );
    }

    #[test]
    fn a_confirmation_is_written_only_onto_a_paid_order_still_in_its_state() {
        let p = Pending
            .check_transition(Confirmed, Paid, Delivery, ChangedBy::Admin)
            .unwrap();
        assert_eq!(p.status, StatusRule::Is(Pending));
        assert_eq!(p.payment, Some(Paid));
        let p = Confirmed
            .check_transition(Preparing, Paid, Delivery, ChangedBy::Admin)
            .unwrap();
        assert_eq!((p.status, p.payment), (StatusRule::Is(Confirmed), None));
    }

    #[test]
    fn a_customers_cancel_is_written_only_onto_their_own_pending_order() {
        let p = Pending
            .check_transition(Cancelled, Unpaid, Delivery, ChangedBy::Customer)
            .unwrap()
            .owned_by("u1");
        assert_eq!(p.status, StatusRule::Is(Pending));
        assert_eq!(p.customer.as_deref(), Some("u1"));
    }

    #[test]
    fn finished_orders_do_not_move() {
        for to in OrderStatus::ALL {
            assert_eq!(
                Completed.check_transition(to, Paid, Delivery, ChangedBy::Admin),
                Err(TransitionError::Completed)
            );
            assert_eq!(
                Cancelled.check_transition(to, Paid, Delivery, ChangedBy::Admin),
                Err(TransitionError::Cancelled)
            );
        }
    }

    #[test]
    fn admins_cancel_pending_or_confirmed_customers_only_pending() {
        let ok = |from: OrderStatus, payment, by| from.check_transition(Cancelled, payment, Delivery, by).map(|_| ());
        assert_eq!(ok(Pending, Unpaid, ChangedBy::Admin), Ok(()));
        assert_eq!(ok(Confirmed, Paid, ChangedBy::Admin), Ok(()));
        assert!(
            Preparing
                .check_transition(Cancelled, Paid, Delivery, ChangedBy::Admin)
                .is_err()
        );
        assert_eq!(ok(Pending, Unpaid, ChangedBy::Customer), Ok(()));
        for from in [Confirmed, Preparing, OutForDelivery, Completed, Cancelled] {
            assert_eq!(
                from.check_transition(Cancelled, Paid, Delivery, ChangedBy::Customer),
                Err(TransitionError::NotCancellable)
            );
        }
        assert!(
            Pending
                .check_transition(Confirmed, Paid, Delivery, ChangedBy::Customer)
                .is_err()
        );
    }

    #[test]
    fn the_system_expires_only_pending_unpaid_orders_and_only_while_they_are() {
        let requires = Pending
            .check_transition(Cancelled, Unpaid, Delivery, ChangedBy::System)
            .unwrap();
        assert_eq!(requires.status, StatusRule::Is(Pending));
        assert_eq!(requires.payment, Some(Unpaid), "a payment landing first wins");
        assert_eq!(
            Pending.check_transition(Cancelled, Paid, Delivery, ChangedBy::System),
            Err(TransitionError::NotCancellable)
        );
        assert_eq!(
            Confirmed.check_transition(Cancelled, Paid, Delivery, ChangedBy::System),
            Err(TransitionError::NotCancellable)
        );
        assert!(
            Pending
                .check_transition(Confirmed, Unpaid, Delivery, ChangedBy::System)
                .is_err()
        );
        assert!(
            Pending
                .check_transition(Cancelled, Unpaid, Delivery, ChangedBy::Paystack)
                .is_err()
        );
    }

    #[test]
    fn a_customer_holds_at_most_the_maximum_of_unpaid_orders() {
        let rules = UnpaidRules {
            ttl_secs: 1800,
            max_open: 3,
        };
        let listed = |ids: &[&str]| OpenOrders {
            ids: ids.iter().map(|s| s.to_string()).collect(),
            version: 7,
        };
        assert_eq!(
            rules.slot_for("N", &listed(&["A", "B"]), None),
            Some(OpenSlot::Add { max: 3 })
        );
        // Full as listed: only a look at the listed orders can make room.
        assert_eq!(rules.slot_for("N", &listed(&["A", "B", "C"]), None), None);
        let all_open = ["A".to_string(), "B".into(), "C".into()];
        assert_eq!(rules.slot_for("N", &listed(&["A", "B", "C"]), Some(&all_open)), None);
        assert_eq!(
            rules.slot_for("N", &listed(&["A", "B", "C"]), Some(&all_open[..1])),
            Some(OpenSlot::Replace {
                ids: vec!["A".into(), "N".into()],
                version: 7
            })
        );
        assert!(UnpaidRules::holds_a_place(Pending, Unpaid));
        for (status, payment) in [(Pending, Paid), (Cancelled, Unpaid), (Confirmed, Paid)] {
            assert!(!UnpaidRules::holds_a_place(status, payment));
        }
    }

    #[test]
    fn expired_orders_are_those_placed_before_the_cutoff() {
        let rules = UnpaidRules {
            ttl_secs: 1800,
            max_open: 3,
        };
        let now = 1_800_000_000;
        let cutoff = rules.expired_before(now);
        let placed = |secs: i64| ulid::Ulid::from_parts(secs as u64 * 1000, 12345).to_string();
        assert!(placed(now - 1801) < cutoff);
        assert!(placed(now - 1799) > cutoff);
        assert!(placed(now) > cutoff);
    }

    #[test]
    fn payment_goes_one_way_and_not_on_cancelled_orders() {
        match check_payment(Pending, Unpaid, None, Paid) {
            Ok(PaymentChange::Set { to, method, requires }) => {
                assert_eq!((to, method), (Paid, Some(PaymentMethod::Cash)));
                assert_eq!(
                    requires.status,
                    StatusRule::Is(Pending),
                    "the history names the status as read"
                );
                assert_eq!(requires.payment, Some(Unpaid));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            check_payment(Confirmed, Paid, Some(PaymentMethod::Cash), Paid),
            Ok(PaymentChange::Unchanged)
        );
        assert_eq!(
            check_payment(Pending, Unpaid, None, Unpaid),
            Ok(PaymentChange::Unchanged)
        );
        assert_eq!(
            check_payment(Confirmed, Paid, Some(PaymentMethod::Cash), Unpaid),
            Err(PaymentError::InvalidTransition)
        );
        assert_eq!(
            check_payment(Cancelled, Unpaid, None, Paid),
            Err(PaymentError::OnCancelled)
        );
    }

    #[test]
    fn only_cash_paid_for_a_cancelled_order_is_refunded_by_hand() {
        match check_payment(Cancelled, Paid, Some(PaymentMethod::Cash), Refunded) {
            Ok(PaymentChange::Set { to, requires, .. }) => {
                assert_eq!(to, Refunded);
                assert_eq!(requires.payment_method, Some(PaymentMethod::Cash));
                assert_eq!(requires.status, StatusRule::Is(Cancelled));
            }
            other => panic!("{other:?}"),
        }
        for (status, payment, method) in [
            (Cancelled, Paid, Some(PaymentMethod::Paystack)),
            (Confirmed, Paid, Some(PaymentMethod::Cash)),
            (Cancelled, Unpaid, None),
        ] {
            assert_eq!(
                check_payment(status, payment, method, Refunded),
                Err(PaymentError::InvalidTransition),
                "{status:?} {payment:?} {method:?}"
            );
        }
        assert_eq!(
            check_payment(Cancelled, Refunded, Some(PaymentMethod::Cash), RefundFailed),
            Err(PaymentError::InvalidTransition)
        );
        for p in [Unpaid, Paid, Refunded, RefundFailed] {
            assert_eq!(PaymentStatus::parse(p.as_str()), Some(p));
        }
    }

    #[test]
    fn statuses_round_trip_through_their_names() {
        for s in OrderStatus::ALL {
            assert_eq!(OrderStatus::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), json!(s.as_str()));
        }
        assert_eq!(OrderStatus::parse("delivered"), None);
    }

    fn food(id: &str, name: &str, price: i64, is_available: bool) -> Food {
        let mut food = Food::new(
            &crate::menu::model::Name::parse(name).unwrap(),
            Money::from_kobo(price),
            "C".into(),
            String::new(),
        );
        food.id = id.into();
        food.is_available = is_available;
        food
    }

    #[test]
    fn lines_outside_their_dish_limits_are_all_named_before_stock_is_looked_at() {
        let mut suya = food("A", "Suya", 100, true);
        suya.min_quantity = 2;
        suya.max_quantity = 4;
        suya.stock = Some(0);
        let rice = food("B", "Rice", 100, true);
        let menu = [suya.clone(), rice.clone()];
        let lookup = |id: &str| menu.iter().find(|f| f.id == id);
        let line = |id: &str, quantity| RequestedLine {
            food_item_id: id.into(),
            quantity,
        };
        for quantity in [1, 5] {
            match price_lines(&[line("A", quantity), line("B", 50)], lookup) {
                Err(PricingError::QuantityOutOfRange(lines)) => {
                    assert_eq!(lines.len(), 1);
                    assert_eq!(lines[0].food_item_id, "A");
                    assert_eq!(lines[0].limits.problem(), "must be from 2 to 4");
                }
                other => panic!("{quantity}: {other:?}"),
            }
        }
        assert!(matches!(
            price_lines(&[line("A", 2)], lookup),
            Err(PricingError::InsufficientStock(_))
        ));
        assert!(price_lines(&[line("B", 50)], lookup).is_ok(), "50 is the default limit");
    }

    #[test]
    fn lines_asking_for_more_than_is_left_are_all_named_and_tracked_lines_take_stock() {
        let lines = vec![
            RequestedLine {
                food_item_id: "A".into(),
                quantity: 3,
            },
            RequestedLine {
                food_item_id: "B".into(),
                quantity: 1,
            },
            RequestedLine {
                food_item_id: "C".into(),
                quantity: 9,
            },
        ];
        let mut a = food("A", "Jollof", 100, true);
        a.stock = Some(2);
        let mut b = food("B", "Suya", 100, true);
        b.stock = Some(0);
        let c = food("C", "Water", 100, true);
        let menu = [a, b, c];
        let lookup = |id: &str| menu.iter().find(|f| f.id == id);
        match price_lines(&lines, lookup) {
            Err(PricingError::InsufficientStock(short)) => {
                assert_eq!(
                    short
                        .iter()
                        .map(|s| (s.food_item_id.as_str(), s.left))
                        .collect::<Vec<_>>(),
                    [("A", 2), ("B", 0)]
                );
            }
            other => panic!("{other:?}"),
        }
        let (priced, _) = price_lines(&lines[2..], lookup).unwrap();
        assert!(!priced[0].stock_taken, "untracked dishes take nothing");
        let mut plenty = menu[0].clone();
        plenty.stock = Some(3);
        let (priced, _) = price_lines(&lines[..1], |_| Some(&plenty)).unwrap();
        assert!(priced[0].stock_taken);
    }

    #[test]
    fn a_list_reads_each_order_for_its_summary_and_the_gist_names_the_lines() {
        let line = |name: &str, quantity| OrderLine {
            food_item_id: name.into(),
            name: name.into(),
            unit_price: 100,
            quantity,
            line_total: 100 * quantity,
            stock_taken: false,
        };
        let handover = NewOrder {
            lines: vec![],
            fulfilment: Pickup,
            delivery_address: None,
            note: None,
            delivery_location: None,
            coupon_code: None,
            contact_phone: None,
        }
        .into_parts()
        .1;
        let order = Order::place(
            "u1",
            handover,
            vec![line("Dodo", 2), line("Jollof Rice", 1)],
            Money::from_kobo(300),
            "t".into(),
        );
        assert_eq!(order.summary.as_deref(), Some("2 × Dodo, 1 × Jollof Rice"));
        assert_eq!(order.item_count, Some(3));

        // The projection names exactly the summary's fields, read back from the order as stored.
        let stored = serde_json::to_value(&order).unwrap();
        let summary: OrderSummary = serde_json::from_value(stored).unwrap();
        let shown = serde_json::to_value(&summary).unwrap();
        let mut fields: Vec<&str> = shown.as_object().unwrap().keys().map(String::as_str).collect();
        let mut projected = OrderSummary::ATTRIBUTES.to_vec();
        fields.sort_unstable();
        projected.sort_unstable();
        assert_eq!(fields, projected);
        assert_eq!((summary.item_count, summary.total), (Some(3), 300));

        // Fifty lines: named while they fit, then counted.
        let many: Vec<_> = (0..50).map(|i| line(&format!("Dish number {i}"), 1)).collect();
        let text = gist(&many);
        assert!(text.chars().count() <= GIST_CHARS + " and 50 more".len(), "{text}");
        let named = text.matches(" × ").count();
        assert!(text.ends_with(&format!(" and {} more", 50 - named)), "{text}");
        assert_eq!(gist(&[]), "");
    }

    #[test]
    fn a_cancellation_gives_back_exactly_what_was_taken() {
        let request = NewOrder {
            lines: vec![],
            fulfilment: Delivery,
            delivery_address: Some("1 Marina".into()),
            note: None,
            delivery_location: None,
            coupon_code: None,
            contact_phone: None,
        };
        let line = |id: &str, quantity, stock_taken| OrderLine {
            food_item_id: id.into(),
            name: id.into(),
            unit_price: 1,
            quantity,
            line_total: quantity,
            stock_taken,
        };
        let order = Order::place(
            "u1",
            request.into_parts().1,
            vec![line("A", 2, true), line("B", 5, false)],
            Money::from_kobo(7),
            "t".into(),
        );
        assert_eq!(
            order.stock_returned(Cancelled),
            [Portions {
                food_item_id: "A".into(),
                quantity: 2
            }]
        );
        assert!(order.stock_returned(Confirmed).is_empty());
        let after = order.clone().after(HistoryEntry {
            status: Cancelled,
            payment_status: None,
            at: "t2".into(),
            by: "u1".into(),
            by_role: ChangedBy::Customer,
        });
        assert_eq!(
            (after.status, after.updated_at.as_str(), after.status_history.len()),
            (Cancelled, "t2", 2)
        );
    }

    #[test]
    fn lines_are_priced_from_the_menu_and_totalled() {
        let lines = vec![RequestedLine {
            food_item_id: "A".into(),
            quantity: 3,
        }];
        let jollof = food("A", "Jollof", 250_000, true);
        let (priced, total) = price_lines(&lines, |id| (id == "A").then_some(&jollof)).unwrap();
        assert_eq!(priced[0].line_total, 750_000);
        assert_eq!(total.kobo(), 750_000);
        let err = price_lines(
            &[RequestedLine {
                food_item_id: "Z".into(),
                quantity: 1,
            }],
            |_| None,
        )
        .unwrap_err();
        assert_eq!(err, PricingError::FoodNotFound("Z".into()));
        let off = food("A", "Jollof", 1, false);
        let err = price_lines(&lines, |_| Some(&off)).unwrap_err();
        assert_eq!(err, PricingError::FoodUnavailable("Jollof".into()));
    }

    #[test]
    fn new_orders_start_pending_and_unpaid_with_the_customer_in_their_history() {
        let request = NewOrder {
            lines: vec![],
            fulfilment: Delivery,
            delivery_address: Some("1 Marina".into()),
            note: None,
            delivery_location: None,
            coupon_code: None,
            contact_phone: None,
        };
        let order = Order::place("u1", request.into_parts().1, vec![], Money::from_kobo(5), "t".into());
        assert_eq!((order.status, order.payment_status), (Pending, Unpaid));
        assert_eq!(order.status_history.len(), 1);
        assert_eq!(order.status_history[0].by, "u1");
        assert_eq!(order.status_history[0].by_role, ChangedBy::Customer);
    }

    #[test]
    fn idempotency_keys_are_visible_ascii_and_bound_to_one_request() {
        assert!(IdempotencyKey::parse(b"abc-123").is_ok());
        for bad in [&b""[..], b"   ", b"a b", "é".as_bytes(), &[b'k'; 256]] {
            assert_eq!(IdempotencyKey::parse(bad).unwrap_err().code, "invalid_idempotency_key");
        }
        let record = IdempotencyRecord {
            request_hash: "h1".into(),
            order_id: "o".into(),
            status_code: 201,
            response: "{}".into(),
            expires_at: 100,
        };
        assert_eq!(record.replay_for("h1"), Replay::Same);
        assert_eq!(record.replay_for("h2"), Replay::Conflict);
        assert!(record.is_live(99) && !record.is_live(100));
    }

    #[test]
    fn paystacks_word_on_a_refund_settles_it_once() {
        let request = NewOrder {
            lines: vec![],
            fulfilment: Pickup,
            delivery_address: None,
            note: None,
            delivery_location: None,
            coupon_code: None,
            contact_phone: None,
        };
        let mut order = Order::place("u1", request.into_parts().1, vec![], Money::from_kobo(5), "t".into());
        order.status = Cancelled;
        order.payment_method = Some(PaymentMethod::Paystack);
        for (from, processed, to) in [
            (RefundPending, true, Refunded),
            (RefundPending, false, RefundFailed),
            (Paid, true, Refunded),
        ] {
            order.payment_status = from;
            match refund_settled(&order, processed) {
                Some(PaymentChange::Set { to: got, requires, .. }) => {
                    assert_eq!(got, to);
                    assert_eq!(requires.payment, Some(from), "while it is still as read");
                }
                other => panic!("{other:?}"),
            }
        }
        for settled in [Refunded, RefundFailed, Unpaid] {
            order.payment_status = settled;
            assert_eq!(
                refund_settled(&order, true),
                None,
                "{settled:?}: a redelivery changes nothing"
            );
        }
        order.payment_status = RefundPending;
        order.payment_method = Some(PaymentMethod::Cash);
        assert_eq!(refund_settled(&order, true), None);
        order.payment_method = Some(PaymentMethod::Paystack);
        order.status = Confirmed;
        assert_eq!(refund_settled(&order, true), None);
    }

    #[test]
    fn only_a_cancelled_order_paid_through_paystack_is_owed_a_refund() {
        let request = NewOrder {
            lines: vec![],
            fulfilment: Pickup,
            delivery_address: None,
            note: None,
            delivery_location: None,
            coupon_code: None,
            contact_phone: None,
        };
        let mut order = Order::place("u1", request.into_parts().1, vec![], Money::from_kobo(5), "t".into());
        order.payment = Some(OnlinePayment {
            provider: "paystack".into(),
            reference: "ck_1".into(),
            authorization_url: "u".into(),
            amount: 5,
            currency: "NGN".into(),
            transaction_id: Some(1),
            channel: Some("card".into()),
        });
        order.payment_status = Paid;
        order.payment_method = Some(PaymentMethod::Paystack);
        assert_eq!(order.refund_due(), None, "still pending");
        order.status = Cancelled;
        let refund = order.refund_due().unwrap();
        assert_eq!(
            (refund.reference.as_str(), refund.amount, refund.retry),
            ("ck_1", 5, false)
        );
        match refund.settle(true) {
            PaymentChange::Set { to, method, requires } => {
                assert_eq!((to, method), (RefundPending, None), "the webhook settles it later");
                assert_eq!(requires.status, StatusRule::Is(Cancelled));
                assert_eq!(requires.payment, Some(Paid), "never settled twice");
                assert_eq!(requires.payment_method, Some(PaymentMethod::Paystack));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            refund.settle(false),
            PaymentChange::Set { to: RefundFailed, .. }
        ));

        order.payment_status = RefundFailed;
        let again = order.refund_due().unwrap();
        assert!(again.retry, "a failed refund may be tried again");
        assert!(matches!(
            again.settle(true),
            PaymentChange::Set {
                to: RefundPending,
                requires: Precondition {
                    payment: Some(RefundFailed),
                    ..
                },
                ..
            }
        ));

        order.payment_status = RefundPending;
        assert_eq!(order.refund_due(), None, "asked for once");
        order.payment_status = Refunded;
        assert_eq!(order.refund_due(), None, "refunded once");
        order.payment_status = Paid;
        order.payment_method = Some(PaymentMethod::Cash);
        assert_eq!(order.refund_due(), None, "cash goes back by hand");
        order.payment_method = Some(PaymentMethod::Paystack);
        order.payment_status = Unpaid;
        assert_eq!(order.refund_due(), None);
    }
}
