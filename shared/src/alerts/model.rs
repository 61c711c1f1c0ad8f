//! An alert for a kitchen's staff. Its id is a ULID fixed by the change that raised it (the
//! stream record and the kind), so a redelivered record raises nothing new. Imports neither HTTP
//! nor the store.

use serde::{Deserialize, Serialize};

/// What an alert is about (the contract's `kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    LowStock,
    SoldOut,
    PaymentAnomaly,
    RefundFailed,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::LowStock => "low_stock",
            Kind::SoldOut => "sold_out",
            Kind::PaymentAnomaly => "payment_anomaly",
            Kind::RefundFailed => "refund_failed",
        }
    }

    /// The kinds a restock resolves.
    pub const STOCK: [Kind; 2] = [Kind::LowStock, Kind::SoldOut];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Open,
    Resolved,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Resolved => "resolved",
        }
    }

    /// `open` or `resolved`; anything else is `None`.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim() {
            "open" => Some(Status::Open),
            "resolved" => Some(Status::Resolved),
            _ => None,
        }
    }
}

/// Who resolved an alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolver {
    /// A restock above the threshold.
    System,
    /// A member of the kitchen (or the platform admin), by user id.
    User(String),
}

impl Resolver {
    pub fn as_str(&self) -> &str {
        match self {
            Resolver::System => "system",
            Resolver::User(id) => id,
        }
    }
}

/// What an alert is about: at most one alert of a kind is open per subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    Dish(String),
    Order(String),
    /// A wallet deposit, by its Paystack reference (a deposit paid with another amount).
    Deposit(String),
}

impl Subject {
    /// The subject's part of the open-alert guard's key.
    pub fn key(&self) -> String {
        match self {
            Subject::Dish(id) => format!("DISH#{id}"),
            Subject::Order(id) => format!("ORDER#{id}"),
            Subject::Deposit(reference) => format!("DEPOSIT#{reference}"),
        }
    }
}

/// One alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    pub id: String,
    pub kind: Kind,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub food_item_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    /// The wallet deposit's Paystack reference, for an anomaly about a deposit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deposit_reference: Option<String>,
    pub status: Status,
    pub created_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_by: Option<String>,
}

/// An alert to raise: what it is about, its kind and title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAlert {
    pub kind: Kind,
    pub subject: Subject,
    pub title: String,
}

impl NewAlert {
    pub fn about_dish(kind: Kind, dish_id: &str, title: String) -> Self {
        Self {
            kind,
            subject: Subject::Dish(dish_id.to_owned()),
            title,
        }
    }

    pub fn about_order(kind: Kind, order_id: &str, title: String) -> Self {
        Self {
            kind,
            subject: Subject::Order(order_id.to_owned()),
            title,
        }
    }

    pub fn about_deposit(kind: Kind, reference: &str, title: String) -> Self {
        Self {
            kind,
            subject: Subject::Deposit(reference.to_owned()),
            title,
        }
    }

    /// The open alert this raises for the change `source` (the stream record's id) at `at`.
    pub fn open(self, source: &str, at: &str) -> Alert {
        let (food_item_id, order_id, deposit_reference) = match &self.subject {
            Subject::Dish(id) => (Some(id.clone()), None, None),
            Subject::Order(id) => (None, Some(id.clone()), None),
            Subject::Deposit(reference) => (None, None, Some(reference.clone())),
        };
        Alert {
            id: crate::platform::ids::derived_ulid(&format!("{source}:alert:{}", self.kind.as_str()), at),
            kind: self.kind,
            title: self.title,
            food_item_id,
            order_id,
            deposit_reference,
            status: Status::Open,
            created_at: at.to_owned(),
            resolved_at: None,
            resolved_by: None,
        }
    }
}

impl Alert {
    /// What the alert is about.
    pub fn subject(&self) -> Option<Subject> {
        match (&self.food_item_id, &self.order_id, &self.deposit_reference) {
            (Some(dish), _, _) => Some(Subject::Dish(dish.clone())),
            (None, Some(order), _) => Some(Subject::Order(order.clone())),
            (None, None, Some(reference)) => Some(Subject::Deposit(reference.clone())),
            (None, None, None) => None,
        }
    }

    /// The alert resolved by `by` at `at`; `None` when it is resolved already.
    pub fn resolved(&self, by: &Resolver, at: &str) -> Option<Alert> {
        (self.status == Status::Open).then(|| Alert {
            status: Status::Resolved,
            resolved_at: Some(at.to_owned()),
            resolved_by: Some(by.as_str().to_owned()),
            ..self.clone()
        })
    }
}

/// Whether a change of a dish's stock from `before` to `now` (`None`: not tracked) is a restock
/// above its threshold (none: above zero), which resolves its stock alerts.
pub fn restocked(before: Option<i64>, now: Option<i64>, threshold: Option<i64>) -> bool {
    match (before, now) {
        (Some(_), None) => true,
        (Some(before), Some(now)) => now > before && now > threshold.unwrap_or(0).max(0),
        (None, _) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_restock_resolves_only_when_it_rises_above_the_threshold() {
        assert!(restocked(Some(0), Some(10), Some(3)));
        assert!(restocked(Some(2), Some(4), Some(3)));
        assert!(!restocked(Some(1), Some(3), Some(3)), "at the threshold is still low");
        assert!(!restocked(Some(9), Some(8), Some(3)), "a sale is not a restock");
        assert!(restocked(Some(0), Some(1), None), "no threshold: above zero");
        assert!(!restocked(Some(0), Some(0), None));
        assert!(restocked(Some(0), None, Some(3)), "no longer tracked: never sold out");
        assert!(!restocked(None, Some(5), Some(3)), "newly tracked: nothing was alerted");
    }

    #[test]
    fn an_alert_is_raised_once_per_change_and_kind_and_resolved_once() {
        let raise = || NewAlert::about_dish(Kind::SoldOut, "F1", "Jollof is sold out".into());
        let a = raise().open("ev-1", "2026-12-03T10:00:00Z");
        assert_eq!(a, raise().open("ev-1", "2026-12-03T10:00:00Z"));
        assert_ne!(a.id, raise().open("ev-2", "2026-12-03T10:00:00Z").id);
        let low = NewAlert::about_dish(Kind::LowStock, "F1", "low".into()).open("ev-1", "2026-12-03T10:00:00Z");
        assert_ne!(a.id, low.id, "two kinds from one change are two alerts");
        assert_eq!(a.subject(), Some(Subject::Dish("F1".into())));
        assert_eq!(a.status, Status::Open);

        let done = a
            .resolved(&Resolver::User("U1".into()), "2026-12-03T11:00:00Z")
            .expect("open");
        assert_eq!(done.status, Status::Resolved);
        assert_eq!(done.resolved_by.as_deref(), Some("U1"));
        assert_eq!(done.resolved_at.as_deref(), Some("2026-12-03T11:00:00Z"));
        assert!(done.resolved(&Resolver::System, "later").is_none(), "resolved once");
        let by_system = a.resolved(&Resolver::System, "t").expect("open");
        assert_eq!(by_system.resolved_by.as_deref(), Some("system"));
    }

    #[test]
    fn statuses_parse_as_the_contract_spells_them() {
        assert_eq!(Status::parse("open"), Some(Status::Open));
        assert_eq!(Status::parse(" resolved "), Some(Status::Resolved));
        assert_eq!(Status::parse("closed"), None);
        let order = NewAlert::about_order(Kind::RefundFailed, "O1", "t".into()).open("e", "2026-12-03T10:00:00Z");
        assert_eq!(order.order_id.as_deref(), Some("O1"));
        assert_eq!(order.food_item_id, None);
        assert_eq!(
            serde_json::to_value(&order).expect("json")["kind"],
            serde_json::json!("refund_failed")
        );
    }
}
