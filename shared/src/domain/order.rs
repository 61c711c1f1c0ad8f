//! Orders: the state machine and the rules for placing one. The transition rules live here and
//! nowhere else; the store turns them into conditional writes.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::menu::Money;
use super::user::Role;
use crate::platform::error::ApiError;
use crate::platform::validation::Problems;

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
    Completed,
    Cancelled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    Unpaid,
    Paid,
}

/// Why a status change is refused; each maps to the contract's 409.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransitionError {
    Completed,
    Cancelled,
    PaymentRequired,
    NotCancellable,
    Invalid { from: OrderStatus, to: OrderStatus },
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 6] = [
        OrderStatus::Pending,
        OrderStatus::Confirmed,
        OrderStatus::Preparing,
        OrderStatus::OutForDelivery,
        OrderStatus::Completed,
        OrderStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Pending => "pending",
            OrderStatus::Confirmed => "confirmed",
            OrderStatus::Preparing => "preparing",
            OrderStatus::OutForDelivery => "out_for_delivery",
            OrderStatus::Completed => "completed",
            OrderStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw.trim().to_ascii_lowercase())
    }

    /// The one step forward in the kitchen's flow, if any.
    fn next(self) -> Option<Self> {
        match self {
            OrderStatus::Pending => Some(OrderStatus::Confirmed),
            OrderStatus::Confirmed => Some(OrderStatus::Preparing),
            OrderStatus::Preparing => Some(OrderStatus::OutForDelivery),
            OrderStatus::OutForDelivery => Some(OrderStatus::Completed),
            OrderStatus::Completed | OrderStatus::Cancelled => None,
        }
    }

    /// Whether `by` may move an order from `self` to `to`, given its payment state.
    pub fn check_transition(self, to: OrderStatus, payment: PaymentStatus, by: Role) -> Result<(), TransitionError> {
        if by == Role::Customer {
            return match (self, to) {
                (OrderStatus::Pending, OrderStatus::Cancelled) => Ok(()),
                (_, OrderStatus::Cancelled) => Err(TransitionError::NotCancellable),
                (from, to) => Err(TransitionError::Invalid { from, to }),
            };
        }
        match self {
            OrderStatus::Completed => return Err(TransitionError::Completed),
            OrderStatus::Cancelled => return Err(TransitionError::Cancelled),
            _ => {}
        }
        let allowed = self.next() == Some(to)
            || (to == OrderStatus::Cancelled && matches!(self, OrderStatus::Pending | OrderStatus::Confirmed));
        if !allowed {
            return Err(TransitionError::Invalid { from: self, to });
        }
        if to == OrderStatus::Confirmed && payment != PaymentStatus::Paid {
            return Err(TransitionError::PaymentRequired);
        }
        Ok(())
    }
}

impl PaymentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Unpaid => "unpaid",
            PaymentStatus::Paid => "paid",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "unpaid" => Some(PaymentStatus::Unpaid),
            "paid" => Some(PaymentStatus::Paid),
            _ => None,
        }
    }
}

/// What setting the payment status does to an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentChange {
    /// Already in that state: a no-op 200.
    Unchanged,
    MarkPaid,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentError {
    OnCancelled,
    /// Paid orders do not go back to unpaid (refunds are a later feature).
    CannotUnpay,
}

pub fn check_payment(
    status: OrderStatus,
    current: PaymentStatus,
    requested: PaymentStatus,
) -> Result<PaymentChange, PaymentError> {
    if status == OrderStatus::Cancelled {
        return Err(PaymentError::OnCancelled);
    }
    match (current, requested) {
        (a, b) if a == b => Ok(PaymentChange::Unchanged),
        (PaymentStatus::Unpaid, PaymentStatus::Paid) => Ok(PaymentChange::MarkPaid),
        _ => Err(PaymentError::CannotUnpay),
    }
}

pub fn order_not_found() -> ApiError {
    ApiError::not_found("order_not_found", "Order not found")
}

impl From<TransitionError> for ApiError {
    fn from(err: TransitionError) -> Self {
        match err {
            TransitionError::Completed => ApiError::conflict("order_completed", "Cannot update a completed order"),
            TransitionError::Cancelled => ApiError::conflict("order_cancelled", "Cannot update a cancelled order"),
            TransitionError::PaymentRequired => {
                ApiError::conflict("payment_required", "Payment has not been completed")
            }
            TransitionError::NotCancellable => {
                ApiError::conflict("order_not_cancellable", "Only pending orders can be cancelled")
            }
            TransitionError::Invalid { from, to } => ApiError::conflict(
                "invalid_transition",
                format!("Cannot change an order from {} to {}", from.as_str(), to.as_str()),
            ),
        }
    }
}

impl From<PaymentError> for ApiError {
    fn from(err: PaymentError) -> Self {
        match err {
            PaymentError::OnCancelled => {
                ApiError::conflict("payment_on_cancelled", "Cannot update payment on a cancelled order")
            }
            PaymentError::CannotUnpay => {
                ApiError::conflict("invalid_payment_transition", "A paid order cannot be marked unpaid")
            }
        }
    }
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
    pub delivery_address: String,
    pub note: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct OrderRequest {
    #[serde(default)]
    pub items: Option<Value>,
    #[serde(default)]
    pub delivery_address: Option<Value>,
    #[serde(default)]
    pub note: Option<Value>,
}

fn text(value: &Value, max: usize) -> Result<Option<String>, String> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) => {
            let t = s.trim();
            if t.chars().count() > max {
                Err(format!("must be at most {max} characters"))
            } else if t.is_empty() {
                Ok(None)
            } else {
                Ok(Some(t.to_owned()))
            }
        }
        _ => Err("must be a string".into()),
    }
}

impl NewOrder {
    pub fn parse(req: OrderRequest) -> Result<Self, ApiError> {
        let items = match req.items {
            None | Some(Value::Null) => return Err(empty_order()),
            Some(Value::Array(items)) if items.is_empty() => return Err(empty_order()),
            Some(Value::Array(items)) => items,
            Some(_) => {
                return Err(ApiError::field(
                    "invalid_items",
                    "items",
                    "must be a list",
                    "Invalid order items",
                ));
            }
        };
        let mut p = Problems::default();
        let mut lines: Vec<RequestedLine> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let id = match item.get("food_item_id") {
                Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_ascii_uppercase()),
                _ => {
                    p.add("invalid_items", &format!("items[{i}].food_item_id"), "is required");
                    None
                }
            };
            let quantity = match item.get("quantity").and_then(Value::as_i64) {
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
        let address = match req.delivery_address {
            None => {
                p.add("invalid_delivery_address", "delivery_address", "is required");
                None
            }
            Some(v) => match text(&v, ADDRESS_MAX) {
                Ok(Some(a)) => Some(a),
                Ok(None) => {
                    p.add("invalid_delivery_address", "delivery_address", "is required");
                    None
                }
                Err(e) => {
                    p.add("invalid_delivery_address", "delivery_address", e);
                    None
                }
            },
        };
        let note = match req.note {
            None => None,
            Some(v) => p.check("invalid_note", "note", text(&v, NOTE_MAX)).flatten(),
        };
        p.finish("The order is invalid")?;
        let delivery_address = address.ok_or_else(|| ApiError::internal(anyhow::anyhow!("address lost")))?;
        Ok(Self {
            lines,
            delivery_address,
            note,
        })
    }
}

fn empty_order() -> ApiError {
    ApiError::field("empty_order", "items", "is empty", "You must include at least one item")
}

/// A priced line: the dish's name and price at the moment of ordering.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLine {
    pub food_item_id: String,
    pub name: String,
    pub unit_price: i64,
    pub quantity: i64,
    pub line_total: i64,
}

/// What a dish looked like when the order was placed.
pub struct PricedFood<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub price: Money,
    pub is_available: bool,
}

/// Prices every line from the current menu; the first unknown or unavailable dish rejects the
/// whole order. Returns the lines and the total.
pub fn price_lines<'a>(
    lines: &[RequestedLine],
    lookup: impl Fn(&str) -> Option<PricedFood<'a>>,
) -> Result<(Vec<OrderLine>, Money), ApiError> {
    let mut priced = Vec::with_capacity(lines.len());
    let mut total = Money::from_kobo(0);
    for line in lines {
        let food = lookup(&line.food_item_id).ok_or_else(|| {
            ApiError::field(
                "food_not_found",
                "items",
                format!("{} does not exist", line.food_item_id),
                format!("Food item {} does not exist", line.food_item_id),
            )
        })?;
        if !food.is_available {
            return Err(ApiError::conflict(
                "food_unavailable",
                format!("{} is currently unavailable", food.name),
            ));
        }
        let overflow = || ApiError::internal(anyhow::anyhow!("order total overflow"));
        let line_total = food.price.checked_mul(line.quantity).ok_or_else(overflow)?;
        total = total.checked_add(line_total).ok_or_else(overflow)?;
        priced.push(OrderLine {
            food_item_id: food.id.to_owned(),
            name: food.name.to_owned(),
            unit_price: food.price.kobo(),
            quantity: line.quantity,
            line_total: line_total.kobo(),
        });
    }
    Ok((priced, total))
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrderStatus::*;
    use PaymentStatus::*;
    use serde_json::json;

    #[test]
    fn the_kitchen_flow_goes_one_step_at_a_time() {
        assert_eq!(Pending.check_transition(Confirmed, Paid, Role::Admin), Ok(()));
        assert_eq!(Confirmed.check_transition(Preparing, Paid, Role::Admin), Ok(()));
        assert_eq!(Preparing.check_transition(OutForDelivery, Paid, Role::Admin), Ok(()));
        assert_eq!(OutForDelivery.check_transition(Completed, Paid, Role::Admin), Ok(()));
        assert_eq!(
            Pending.check_transition(Preparing, Paid, Role::Admin),
            Err(TransitionError::Invalid {
                from: Pending,
                to: Preparing
            })
        );
        assert!(matches!(
            Preparing.check_transition(Confirmed, Paid, Role::Admin),
            Err(TransitionError::Invalid { .. })
        ));
        assert!(matches!(
            Pending.check_transition(Pending, Paid, Role::Admin),
            Err(TransitionError::Invalid { .. })
        ));
    }

    #[test]
    fn confirming_needs_payment() {
        assert_eq!(
            Pending.check_transition(Confirmed, Unpaid, Role::Admin),
            Err(TransitionError::PaymentRequired)
        );
    }

    #[test]
    fn finished_orders_do_not_move() {
        for to in OrderStatus::ALL {
            assert_eq!(
                Completed.check_transition(to, Paid, Role::Admin),
                Err(TransitionError::Completed)
            );
            assert_eq!(
                Cancelled.check_transition(to, Paid, Role::Admin),
                Err(TransitionError::Cancelled)
            );
        }
    }

    #[test]
    fn admins_cancel_pending_or_confirmed_customers_only_pending() {
        assert_eq!(Pending.check_transition(Cancelled, Unpaid, Role::Admin), Ok(()));
        assert_eq!(Confirmed.check_transition(Cancelled, Paid, Role::Admin), Ok(()));
        assert!(Preparing.check_transition(Cancelled, Paid, Role::Admin).is_err());
        assert_eq!(Pending.check_transition(Cancelled, Unpaid, Role::Customer), Ok(()));
        for from in [Confirmed, Preparing, OutForDelivery, Completed, Cancelled] {
            assert_eq!(
                from.check_transition(Cancelled, Paid, Role::Customer),
                Err(TransitionError::NotCancellable)
            );
        }
        assert!(Pending.check_transition(Confirmed, Paid, Role::Customer).is_err());
    }

    #[test]
    fn payment_goes_one_way_and_not_on_cancelled_orders() {
        assert_eq!(check_payment(Pending, Unpaid, Paid), Ok(PaymentChange::MarkPaid));
        assert_eq!(check_payment(Confirmed, Paid, Paid), Ok(PaymentChange::Unchanged));
        assert_eq!(check_payment(Pending, Unpaid, Unpaid), Ok(PaymentChange::Unchanged));
        assert_eq!(check_payment(Confirmed, Paid, Unpaid), Err(PaymentError::CannotUnpay));
        assert_eq!(check_payment(Cancelled, Unpaid, Paid), Err(PaymentError::OnCancelled));
    }

    #[test]
    fn statuses_round_trip_through_their_names() {
        for s in OrderStatus::ALL {
            assert_eq!(OrderStatus::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), json!(s.as_str()));
        }
        assert_eq!(OrderStatus::parse("delivered"), None);
    }

    fn parse(v: Value) -> Result<NewOrder, ApiError> {
        NewOrder::parse(serde_json::from_value(v).unwrap())
    }

    #[test]
    fn repeated_dishes_merge_in_first_seen_order() {
        let o = parse(json!({"items": [
            {"food_item_id": "b", "quantity": 1}, {"food_item_id": "a", "quantity": 2}, {"food_item_id": "B", "quantity": 3}
        ], "delivery_address": " 1 Marina, Lagos "})).unwrap();
        assert_eq!(
            o.lines,
            vec![
                RequestedLine {
                    food_item_id: "B".into(),
                    quantity: 4
                },
                RequestedLine {
                    food_item_id: "A".into(),
                    quantity: 2
                }
            ]
        );
        assert_eq!(o.delivery_address, "1 Marina, Lagos");
        assert_eq!(o.note, None);
    }

    #[test]
    fn order_requests_are_validated_whole() {
        assert_eq!(
            parse(json!({"items": [], "delivery_address": "x"})).unwrap_err().code(),
            "empty_order"
        );
        assert_eq!(
            parse(json!({"delivery_address": "x"})).unwrap_err().code(),
            "empty_order"
        );
        for q in [json!(0), json!(51), json!(1.5), json!("2")] {
            let err =
                parse(json!({"items": [{"food_item_id": "a", "quantity": q}], "delivery_address": "x"})).unwrap_err();
            assert_eq!(err.code(), "invalid_quantity", "{q}");
        }
        let err = parse(json!({"items": [{"food_item_id": "a", "quantity": 30}, {"food_item_id": "a", "quantity": 30}], "delivery_address": "x"})).unwrap_err();
        assert_eq!(err.code(), "invalid_quantity");
        let many: Vec<Value> = (0..51)
            .map(|i| json!({"food_item_id": format!("f{i}"), "quantity": 1}))
            .collect();
        assert_eq!(
            parse(json!({"items": many, "delivery_address": "x"}))
                .unwrap_err()
                .code(),
            "too_many_items"
        );
        assert_eq!(
            parse(json!({"items": [{"food_item_id": "a", "quantity": 1}]}))
                .unwrap_err()
                .code(),
            "invalid_delivery_address"
        );
        let err = parse(
            json!({"items": [{"food_item_id": "a", "quantity": 1}], "delivery_address": "x", "note": "n".repeat(501)}),
        )
        .unwrap_err();
        assert_eq!(err.code(), "invalid_note");
    }

    #[test]
    fn lines_are_priced_from_the_menu_and_totalled() {
        let lines = vec![RequestedLine {
            food_item_id: "A".into(),
            quantity: 3,
        }];
        let (priced, total) = price_lines(&lines, |id| {
            (id == "A").then_some(PricedFood {
                id: "A",
                name: "Jollof",
                price: Money::from_kobo(250_000),
                is_available: true,
            })
        })
        .unwrap();
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
        assert_eq!(err.code(), "food_not_found");
        assert_eq!(err.to_string(), "Food item Z does not exist");
        let err = price_lines(&lines, |_| {
            Some(PricedFood {
                id: "A",
                name: "Jollof",
                price: Money::from_kobo(1),
                is_available: false,
            })
        })
        .unwrap_err();
        assert_eq!(err.code(), "food_unavailable");
        assert_eq!(err.to_string(), "Jollof is currently unavailable");
    }
}
