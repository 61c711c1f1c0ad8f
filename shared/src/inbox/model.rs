//! A notification in a user's inbox. Its id is a ULID fixed by what it comes from (the stream
//! record and the kind of notice, at the change's time), so a redelivered change writes the same
//! notification again, which its store refuses: each change lands once. Imports neither HTTP nor
//! the store.

use serde::{Deserialize, Serialize};

/// What a notification is about (the contract's `kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    OrderConfirmed,
    OrderOutForDelivery,
    OrderReadyForPickup,
    OrderCompleted,
    OrderCancelled,
    OrderExpired,
    OrderRefunded,
    PaymentReceived,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::OrderConfirmed => "order_confirmed",
            Kind::OrderOutForDelivery => "order_out_for_delivery",
            Kind::OrderReadyForPickup => "order_ready_for_pickup",
            Kind::OrderCompleted => "order_completed",
            Kind::OrderCancelled => "order_cancelled",
            Kind::OrderExpired => "order_expired",
            Kind::OrderRefunded => "order_refunded",
            Kind::PaymentReceived => "payment_received",
        }
    }
}

/// The kitchen a notification is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KitchenRef {
    pub id: String,
    pub slug: String,
    pub name: String,
}

/// One notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub id: String,
    pub kind: Kind,
    pub title: String,
    pub body: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kitchen: Option<KitchenRef>,
    pub read: bool,
    pub at: String,
}

/// The id of the notification of `kind` a change (`source`: the stream record's id) gives, at
/// `at` (RFC 3339): a ULID of that time whose random part is fixed by the source and kind.
pub fn notification_id(source: &str, kind: Kind, at: &str) -> String {
    crate::platform::ids::derived_ulid(&format!("{source}:{}", kind.as_str()), at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_gives_the_same_id_every_time_and_ids_sort_by_time() {
        let a = notification_id("event-1", Kind::OrderConfirmed, "2026-12-03T10:00:00Z");
        assert_eq!(
            a,
            notification_id("event-1", Kind::OrderConfirmed, "2026-12-03T10:00:00Z")
        );
        assert_ne!(
            a,
            notification_id("event-1", Kind::OrderRefunded, "2026-12-03T10:00:00Z")
        );
        assert_ne!(
            a,
            notification_id("event-2", Kind::OrderConfirmed, "2026-12-03T10:00:00Z")
        );
        let later = notification_id("event-0", Kind::OrderConfirmed, "2026-12-03T10:00:01Z");
        assert!(later > a, "newer sorts after");
        assert!(ulid::Ulid::from_string(&a).is_ok());
    }
}
