//! The notifier's records: what a stream change is (an order, a dish, a payment anomaly, or
//! something nobody is told about), and a marker per message sent, so a redelivered stream
//! record sends nothing twice.
//!
//! | item | PK | SK | |
//! |---|---|---|---|
//! | sent marker | `NOTIFIED#<stream event id>` | `<audience>:<message>` | TTL 3 days (a stream keeps records 24 hours) |

use super::model::PaymentAnomaly;
use crate::menu::model::Food;
use crate::menu::store::{food_from, is_food};
use crate::orders::model::Order;
use crate::orders::store::{is_order, order_from};
use crate::payments::store::{anomaly_from, is_anomaly};
use crate::platform::clock::now_epoch;
use crate::platform::db::{Db, Item, PK, SK, TTL, n, s};
use crate::platform::error::Failure;

/// How long a marker outlives the stream record it stands for.
const MARKER_SECS: i64 = 3 * 24 * 3600;

/// A change to the table, decoded.
#[derive(Debug)]
pub enum Changed {
    Order {
        old: Option<Box<Order>>,
        new: Box<Order>,
    },
    Dish {
        old: Option<Box<Food>>,
        new: Box<Food>,
        /// Its kitchen (dishes from before kitchens name none: the home kitchen's).
        kitchen_id: Option<String>,
    },
    Anomaly(PaymentAnomaly),
    /// Removed items, and every item nobody is told about (sessions, carts, markers, ...).
    Other,
}

/// Decodes a stream record's images (`new` is absent for a removal).
pub fn decode(old: Option<Item>, new: Option<Item>) -> Result<Changed, Failure> {
    let Some(new) = new else {
        return Ok(Changed::Other);
    };
    if is_order(&new) {
        return Ok(Changed::Order {
            old: old.map(order_from).transpose()?.map(Box::new),
            new: Box::new(order_from(new)?),
        });
    }
    if is_food(&new) {
        let kitchen_id = match new.get("kitchen_id") {
            Some(aws_sdk_dynamodb::types::AttributeValue::S(id)) => Some(id.clone()),
            _ => None,
        };
        return Ok(Changed::Dish {
            old: old.map(food_from).transpose()?.map(Box::new),
            new: Box::new(food_from(new)?),
            kitchen_id,
        });
    }
    if is_anomaly(&new) && old.is_none() {
        return Ok(Changed::Anomaly(anomaly_from(new)?));
    }
    Ok(Changed::Other)
}

#[derive(Clone)]
pub struct NotificationStore {
    db: Db,
}

impl NotificationStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    fn marker_pk(event_id: &str) -> String {
        format!("NOTIFIED#{event_id}")
    }

    /// Claims the right to send `message` for stream event `event_id`: `false` when it was
    /// claimed before (the stream redelivered the record).
    pub async fn claim(&self, event_id: &str, message: &str) -> Result<bool, Failure> {
        let item: Item = [
            (PK.to_owned(), s(Self::marker_pk(event_id))),
            (SK.to_owned(), s(message)),
            (TTL.to_owned(), n(now_epoch() + MARKER_SECS)),
        ]
        .into_iter()
        .collect();
        self.db.put_new(item, "PutItem notification marker").await
    }

    /// Gives a claim back when the message could not be sent, so a retry sends it.
    pub async fn release(&self, event_id: &str, message: &str) -> Result<(), Failure> {
        self.db
            .delete(Self::marker_pk(event_id), message, "DeleteItem notification marker")
            .await
    }
}
