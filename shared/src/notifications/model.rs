//! What the kitchen and its customers are told, decided from a change to the table: an order's
//! or a dish's item as it was and as it is now (the stream's old and new images), or a payment
//! anomaly the webhook recorded. No sending here, and nothing that knows the store: a change in,
//! zero or more notices out.

use crate::alerts::model::{Kind as AlertKind, NewAlert};
use crate::menu::model::Food;
use crate::orders::model::{ChangedBy, Fulfilment, Order, OrderStatus, PaymentMethod, PaymentStatus};
pub use crate::payments::model::PaymentAnomaly;

/// Who a notice is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// The order's customer (by user id): email for an email account, SMS for a phone one.
    Customer(String),
    /// A kitchen (by id): its own email, or for the home kitchen `KITCHEN_EMAIL` when it has
    /// none. `None`: a change no kitchen is named on (a payment anomaly, an order from before
    /// kitchens): the home kitchen's.
    Kitchen(Option<String>),
}

/// The facts of an order a message names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderFacts {
    pub id: String,
    /// Kobo.
    pub total: i64,
    pub fulfilment: Fulfilment,
    /// "2 x Jollof Rice, 1 x Moi Moi".
    pub lines: String,
    /// How it was paid, once it is.
    pub paid_by: Option<PaymentMethod>,
}

impl OrderFacts {
    fn of(order: &Order) -> Self {
        Self {
            id: order.id.clone(),
            total: order.total,
            fulfilment: order.fulfilment,
            lines: order
                .items
                .iter()
                .map(|l| format!("{} x {}", l.quantity, l.name))
                .collect::<Vec<_>>()
                .join(", "),
            paid_by: order.payment_method,
        }
    }

    /// The short form customers and staff say out loud: the id's last six characters.
    pub fn short_id(&self) -> &str {
        let at = self.id.len().saturating_sub(6);
        self.id.get(at..).unwrap_or(&self.id)
    }
}

/// What happened, as a message states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    // To the kitchen.
    NewOrder(OrderFacts),
    PaymentReceived(OrderFacts),
    PaymentAnomaly(PaymentAnomaly),
    RefundFailed(OrderFacts),
    LowStock {
        dish: String,
        left: i64,
    },
    SoldOut {
        dish: String,
    },
    // To the customer.
    Confirmed(OrderFacts),
    OutForDelivery(OrderFacts),
    ReadyForPickup(OrderFacts),
    Completed(OrderFacts),
    CancelledByKitchen(OrderFacts),
    /// Cancelled by the system: nobody paid it in time.
    Expired(OrderFacts),
    Refunded(OrderFacts),
}

impl Event {
    /// A stable name, unique among the notices one change gives (the at-most-once marker's key).
    pub fn key(&self) -> &'static str {
        match self {
            Event::NewOrder(_) => "new-order",
            Event::PaymentReceived(_) => "payment-received",
            Event::PaymentAnomaly(_) => "payment-anomaly",
            Event::RefundFailed(_) => "refund-failed",
            Event::LowStock { .. } => "low-stock",
            Event::SoldOut { .. } => "sold-out",
            Event::Confirmed(_) => "confirmed",
            Event::OutForDelivery(_) => "out-for-delivery",
            Event::ReadyForPickup(_) => "ready-for-pickup",
            Event::Completed(_) => "completed",
            Event::CancelledByKitchen(_) => "cancelled",
            Event::Expired(_) => "expired",
            Event::Refunded(_) => "refunded",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub to: Audience,
    pub event: Event,
}

impl Notice {
    /// The message's name within its stream record (its marker's sort key): one per audience
    /// and event.
    pub fn key(&self) -> String {
        match &self.to {
            Audience::Kitchen(_) => format!("kitchen:{}", self.event.key()),
            Audience::Customer(_) => format!("customer:{}", self.event.key()),
        }
    }

    fn kitchen(kitchen_id: Option<&str>, event: Event) -> Self {
        Self {
            to: Audience::Kitchen(kitchen_id.map(str::to_owned)),
            event,
        }
    }

    fn customer(order: &Order, event: Event) -> Self {
        Self {
            to: Audience::Customer(order.customer_id.clone()),
            event,
        }
    }
}

/// What a change to an order tells whom: a new order (no old image) to the kitchen; a status
/// the customer waits for to the customer (a cancellation only when the kitchen or the expiry
/// of an unpaid order made it: a customer knows their own); a payment to the kitchen and, as a
/// receipt, to the customer; a refund to the customer, a failed one to the kitchen. A change
/// that moves neither status nor payment says nothing.
pub fn order_notices(old: Option<&Order>, new: &Order) -> Vec<Notice> {
    let facts = OrderFacts::of(new);
    let kitchen = new.kitchen_id();
    let Some(old) = old else {
        return vec![Notice::kitchen(kitchen, Event::NewOrder(facts))];
    };
    let mut notices = Vec::new();
    if old.status != new.status {
        let event = match new.status {
            OrderStatus::Confirmed => Some(Event::Confirmed(facts.clone())),
            OrderStatus::OutForDelivery => Some(Event::OutForDelivery(facts.clone())),
            OrderStatus::ReadyForPickup => Some(Event::ReadyForPickup(facts.clone())),
            OrderStatus::Completed => Some(Event::Completed(facts.clone())),
            OrderStatus::Cancelled => match cancelled_by(new) {
                Some(by) if by.is_kitchen() => Some(Event::CancelledByKitchen(facts.clone())),
                Some(ChangedBy::System) => Some(Event::Expired(facts.clone())),
                _ => None,
            },
            OrderStatus::Pending | OrderStatus::Preparing => None,
        };
        notices.extend(event.map(|e| Notice::customer(new, e)));
    }
    if old.payment_status != new.payment_status {
        match new.payment_status {
            PaymentStatus::Paid => {
                notices.push(Notice::kitchen(kitchen, Event::PaymentReceived(facts.clone())));
                notices.push(Notice::customer(new, Event::PaymentReceived(facts)));
            }
            PaymentStatus::Refunded => notices.push(Notice::customer(new, Event::Refunded(facts))),
            PaymentStatus::RefundFailed => notices.push(Notice::kitchen(kitchen, Event::RefundFailed(facts))),
            // Paystack took the refund; the customer is told once the money has gone back.
            PaymentStatus::Unpaid | PaymentStatus::RefundPending => {}
        }
    }
    notices
}

/// What a change to an order puts in its customer's inbox: every notice the customer is sent.
pub fn inbox_notices(old: Option<&Order>, new: &Order) -> Vec<Notice> {
    order_notices(old, new)
        .into_iter()
        .filter(|n| matches!(n.to, Audience::Customer(_)))
        .collect()
}

/// The inbox's kind of a customer's notice (none for what only a kitchen is told).
pub fn inbox_kind(event: &Event) -> Option<crate::inbox::model::Kind> {
    use crate::inbox::model::Kind;
    Some(match event {
        Event::Confirmed(_) => Kind::OrderConfirmed,
        Event::OutForDelivery(_) => Kind::OrderOutForDelivery,
        Event::ReadyForPickup(_) => Kind::OrderReadyForPickup,
        Event::Completed(_) => Kind::OrderCompleted,
        Event::CancelledByKitchen(_) => Kind::OrderCancelled,
        Event::Expired(_) => Kind::OrderExpired,
        Event::Refunded(_) => Kind::OrderRefunded,
        Event::PaymentReceived(_) => Kind::PaymentReceived,
        Event::NewOrder(_)
        | Event::PaymentAnomaly(_)
        | Event::RefundFailed(_)
        | Event::LowStock { .. }
        | Event::SoldOut { .. } => return None,
    })
}

/// The order a notice is about, if any.
pub fn order_of(event: &Event) -> Option<&OrderFacts> {
    match event {
        Event::NewOrder(o)
        | Event::PaymentReceived(o)
        | Event::RefundFailed(o)
        | Event::Confirmed(o)
        | Event::OutForDelivery(o)
        | Event::ReadyForPickup(o)
        | Event::Completed(o)
        | Event::CancelledByKitchen(o)
        | Event::Expired(o)
        | Event::Refunded(o) => Some(o),
        Event::PaymentAnomaly(_) | Event::LowStock { .. } | Event::SoldOut { .. } => None,
    }
}

/// An order as a live frame to `by` carries it (the contract's order summary, what a board
/// ticket shows: the gist of its lines and their count, and its next steps as `by` sees them).
pub fn live_summary(order: &Order, by: ChangedBy) -> serde_json::Value {
    let next = crate::orders::model::NextSteps::of(order.status, order.payment_status, order.fulfilment, by);
    serde_json::json!({
        "next_status": next.next_status,
        "can_cancel": next.can_cancel,
        "can_pay": next.can_pay,
        "id": order.id,
        "customer_id": order.customer_id,
        "status": order.status,
        "payment_status": order.payment_status,
        "payment_method": order.payment_method,
        "fulfilment": order.fulfilment,
        "total": order.total,
        "currency": order.currency,
        "kitchen": order.kitchen,
        "item_count": order.item_count,
        "summary": order.summary,
        "created_at": order.created_at,
        "updated_at": order.updated_at,
    })
}

/// Who cancelled the order (its history's cancelling entry).
fn cancelled_by(order: &Order) -> Option<ChangedBy> {
    order
        .status_history
        .iter()
        .rev()
        .find(|e| e.status == OrderStatus::Cancelled && e.payment_status.is_none())
        .map(|e| e.by_role)
}

/// What a change to a dish tells its kitchen: its tracked stock reaching zero (sold out), or
/// falling to its low-stock threshold from above it. Restocks and edits say nothing.
pub fn dish_notices(old: Option<&Food>, new: &Food, kitchen: Option<&str>) -> Vec<Notice> {
    let (Some(before), Some(now)) = (old.and_then(|f| f.stock), new.stock) else {
        return Vec::new();
    };
    if now >= before {
        return Vec::new();
    }
    if now <= 0 {
        return vec![Notice::kitchen(kitchen, Event::SoldOut { dish: new.name.clone() })];
    }
    match new.low_stock_threshold {
        Some(threshold) if now <= threshold && before > threshold => vec![Notice::kitchen(
            kitchen,
            Event::LowStock {
                dish: new.name.clone(),
                left: now,
            },
        )],
        _ => Vec::new(),
    }
}

/// A recorded payment anomaly tells its order's kitchen.
pub fn anomaly_notices(anomaly: PaymentAnomaly) -> Vec<Notice> {
    let kitchen = anomaly.kitchen_id.clone();
    vec![Notice::kitchen(kitchen.as_deref(), Event::PaymentAnomaly(anomaly))]
}

/// The alert a kitchen's notice raises for its staff, titled `title`: a dish low on stock or
/// sold out (about `dish`, the changed dish's id), a payment anomaly or a failed refund (about
/// their order). Other notices raise none.
pub fn alert_of(event: &Event, dish: Option<&str>, title: String) -> Option<NewAlert> {
    match (event, dish) {
        (Event::LowStock { .. }, Some(dish)) => Some(NewAlert::about_dish(AlertKind::LowStock, dish, title)),
        (Event::SoldOut { .. }, Some(dish)) => Some(NewAlert::about_dish(AlertKind::SoldOut, dish, title)),
        (Event::PaymentAnomaly(a), _) => Some(match &a.order_id {
            Some(order) => NewAlert::about_order(AlertKind::PaymentAnomaly, order, title),
            None => NewAlert::about_deposit(AlertKind::PaymentAnomaly, &a.reference, title),
        }),
        (Event::RefundFailed(o), _) => Some(NewAlert::about_order(AlertKind::RefundFailed, &o.id, title)),
        _ => None,
    }
}

/// Whether a change to a dish restocks it above its threshold (which resolves its stock alerts).
pub fn dish_restocked(old: Option<&Food>, new: &Food) -> bool {
    crate::alerts::model::restocked(old.and_then(|f| f.stock), new.stock, new.low_stock_threshold)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::menu::model::Money;
    use crate::orders::model::{HistoryEntry, NewOrder, OrderLine};

    fn order(fulfilment: Fulfilment) -> Order {
        let request = NewOrder {
            lines: vec![],
            fulfilment,
            delivery_address: (fulfilment == Fulfilment::Delivery).then(|| "1 Marina".into()),
            note: None,
            delivery_location: None,
            coupon_code: None,
            contact_phone: None,
        };
        let line = OrderLine {
            food_item_id: "F".into(),
            name: "Jollof".into(),
            unit_price: 250_000,
            quantity: 2,
            line_total: 500_000,
            stock_taken: false,
        };
        Order::place(
            "u1",
            request.into_parts().1,
            vec![line],
            Money::from_kobo(500_000),
            "t".into(),
        )
    }

    fn moved(order: &Order, status: OrderStatus, by_role: ChangedBy) -> Order {
        order.clone().after(HistoryEntry {
            status,
            payment_status: None,
            at: "t2".into(),
            by: "x".into(),
            by_role,
        })
    }

    fn events(notices: &[Notice]) -> Vec<(&Audience, &'static str)> {
        notices.iter().map(|n| (&n.to, n.event.key())).collect()
    }

    #[test]
    fn a_new_order_tells_the_kitchen_with_its_lines_and_total() {
        let new = order(Fulfilment::Pickup);
        let notices = order_notices(None, &new);
        assert_eq!(events(&notices), [(&Audience::Kitchen(None), "new-order")]);
        let Event::NewOrder(facts) = &notices[0].event else {
            panic!()
        };
        assert_eq!((facts.lines.as_str(), facts.total), ("2 x Jollof", 500_000));
    }

    #[test]
    fn the_customer_hears_of_each_step_they_wait_for_and_of_the_kitchens_cancel_only() {
        let customer = Audience::Customer("u1".into());
        let pending = order(Fulfilment::Pickup);
        let confirmed = moved(&pending, OrderStatus::Confirmed, ChangedBy::Admin);
        assert_eq!(
            events(&order_notices(Some(&pending), &confirmed)),
            [(&customer, "confirmed")]
        );
        let preparing = moved(&confirmed, OrderStatus::Preparing, ChangedBy::Admin);
        assert!(
            order_notices(Some(&confirmed), &preparing).is_empty(),
            "nobody waits on preparing"
        );
        let ready = moved(&preparing, OrderStatus::ReadyForPickup, ChangedBy::Admin);
        assert_eq!(
            events(&order_notices(Some(&preparing), &ready)),
            [(&customer, "ready-for-pickup")]
        );
        let done = moved(&ready, OrderStatus::Completed, ChangedBy::Admin);
        assert_eq!(events(&order_notices(Some(&ready), &done)), [(&customer, "completed")]);

        let by_kitchen = moved(&pending, OrderStatus::Cancelled, ChangedBy::Admin);
        assert_eq!(
            events(&order_notices(Some(&pending), &by_kitchen)),
            [(&customer, "cancelled")]
        );
        let by_customer = moved(&pending, OrderStatus::Cancelled, ChangedBy::Customer);
        assert!(order_notices(Some(&pending), &by_customer).is_empty());
        let expired = moved(&pending, OrderStatus::Cancelled, ChangedBy::System);
        assert_eq!(
            events(&order_notices(Some(&pending), &expired)),
            [(&customer, "expired")],
            "an unpaid order that expired is news to its customer"
        );
        assert!(
            order_notices(Some(&pending), &pending).is_empty(),
            "no change, no message"
        );
    }

    #[test]
    fn payments_tell_the_kitchen_and_the_customer_and_refunds_the_customer_or_the_kitchen_when_they_fail() {
        let unpaid = order(Fulfilment::Delivery);
        let mut paid = unpaid.clone();
        paid.payment_status = PaymentStatus::Paid;
        paid.payment_method = Some(PaymentMethod::Paystack);
        let notices = order_notices(Some(&unpaid), &paid);
        assert_eq!(
            events(&notices),
            [
                (&Audience::Kitchen(None), "payment-received"),
                (&Audience::Customer("u1".into()), "payment-received")
            ]
        );
        assert!(
            notices
                .iter()
                .all(|n| order_of(&n.event).is_some_and(|o| o.paid_by == Some(PaymentMethod::Paystack))),
            "the receipt says how it was paid"
        );
        let mut cancelled = moved(&paid, OrderStatus::Cancelled, ChangedBy::Customer);
        cancelled.payment_status = PaymentStatus::Refunded;
        assert_eq!(
            events(&order_notices(Some(&paid), &cancelled)),
            [(&Audience::Customer("u1".into()), "refunded")]
        );
        cancelled.payment_status = PaymentStatus::RefundFailed;
        assert_eq!(
            events(&order_notices(Some(&paid), &cancelled)),
            [(&Audience::Kitchen(None), "refund-failed")]
        );
    }

    fn dish(stock: Option<i64>, threshold: Option<i64>) -> Food {
        serde_json::from_value(serde_json::json!({
            "id": "F", "name": "Moi Moi", "price": 80000, "currency": "NGN", "category_id": "C",
            "is_available": true, "stock": stock, "low_stock_threshold": threshold,
            "created_at": "t", "updated_at": "t"
        }))
        .unwrap()
    }

    #[test]
    fn the_kitchen_hears_when_a_dish_falls_to_its_threshold_or_sells_out_not_on_restocks() {
        let said = |old: Option<i64>, new: Option<i64>, t: Option<i64>| {
            dish_notices(Some(&dish(old, t)), &dish(new, t), None)
                .iter()
                .map(|n| n.event.key())
                .collect::<Vec<_>>()
        };
        assert_eq!(said(Some(4), Some(3), Some(3)), ["low-stock"]);
        assert_eq!(said(Some(5), Some(1), Some(3)), ["low-stock"], "crossing it counts");
        assert!(said(Some(3), Some(2), Some(3)).is_empty(), "already below: told once");
        assert_eq!(said(Some(2), Some(0), Some(3)), ["sold-out"]);
        assert_eq!(said(Some(5), Some(0), Some(3)), ["sold-out"], "sold out says it all");
        assert!(said(Some(0), Some(5), Some(3)).is_empty(), "a restock");
        assert!(said(None, Some(5), None).is_empty(), "starting to track");
        assert!(said(Some(4), Some(3), None).is_empty(), "no threshold");
        assert!(dish_notices(None, &dish(Some(0), None), None).is_empty(), "a new dish");
    }

    #[test]
    fn stock_notices_and_payment_troubles_raise_alerts_and_a_restock_resolves_them() {
        let kinds = |old: Option<i64>, new: Option<i64>| {
            dish_notices(Some(&dish(old, Some(3))), &dish(new, Some(3)), Some("K1"))
                .iter()
                .filter_map(|n| alert_of(&n.event, Some("F"), "t".into()))
                .map(|a| (a.kind, a.subject))
                .collect::<Vec<_>>()
        };
        use crate::alerts::model::{Kind, Subject};
        assert_eq!(kinds(Some(4), Some(3)), [(Kind::LowStock, Subject::Dish("F".into()))]);
        assert_eq!(kinds(Some(1), Some(0)), [(Kind::SoldOut, Subject::Dish("F".into()))]);
        assert!(kinds(Some(0), Some(9)).is_empty());

        let o = order(Fulfilment::Pickup);
        let refund = alert_of(&Event::RefundFailed(OrderFacts::of(&o)), None, "t".into()).expect("alert");
        assert_eq!(
            (refund.kind, refund.subject),
            (Kind::RefundFailed, Subject::Order(o.id.clone()))
        );
        assert!(alert_of(&Event::NewOrder(OrderFacts::of(&o)), None, "t".into()).is_none());
        assert!(alert_of(&Event::Confirmed(OrderFacts::of(&o)), None, "t".into()).is_none());

        assert!(dish_restocked(Some(&dish(Some(0), Some(3))), &dish(Some(10), Some(3))));
        assert!(!dish_restocked(Some(&dish(Some(0), Some(3))), &dish(Some(2), Some(3))));
        assert!(!dish_restocked(None, &dish(Some(10), Some(3))));
    }
}
