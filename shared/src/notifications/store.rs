//! The notifier's records: what a stream change is (an order, a dish, a payment anomaly, or
//! something nobody is told about), and a marker per message, claimed before it is sent and
//! marked sent after, so a redelivered stream record sends nothing twice and a message whose
//! sender was killed between the two is sent again rather than lost.
//!
//! | item | PK | SK | |
//! |---|---|---|---|
//! | sent marker | `NOTIFIED#<stream event id>` | `<audience>:<message>` | `state`: `sending` (claimed), `sent`; `resent`: true when sent again after an earlier delivery stopped between its claim and its mark (a copy may have gone out twice); TTL 3 days (a stream keeps records 24 hours) |

use super::model::PaymentAnomaly;
use crate::menu::model::Food;
use crate::menu::store::{food_from, is_food};
use crate::orders::model::Order;
use crate::orders::store::{is_order, order_from};
use crate::payments::store::{anomaly_from, is_anomaly};
use crate::platform::clock::now_epoch;
use crate::platform::db::{Db, Item, PK, SK, TTL, n, s};
use crate::platform::error::Failure;

/// A marker's state: claimed and being sent, or sent.
const STATE: &str = "state";
const SENDING: &str = "sending";
const SENT: &str = "sent";
/// Set on a message sent after an earlier delivery's claim was found unfinished.
const RESENT: &str = "resent";

/// What a claim found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// Nobody had claimed the message: send it.
    Mine,
    /// An earlier delivery sent it.
    Sent,
    /// An earlier delivery claimed it and never said it was sent.
    Unfinished,
}

#[derive(serde::Deserialize)]
struct Marker {
    state: Option<String>,
    #[serde(default)]
    resent: bool,
}

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

    /// Claims the right to send `message` for stream event `event_id` (a marker saying
    /// "sending"): [`Claim::Sent`] when an earlier delivery of the record sent it,
    /// [`Claim::Unfinished`] when an earlier delivery claimed it and ended before saying it was
    /// sent (its process was killed mid-send: whether it went out is unknown).
    pub async fn claim(&self, event_id: &str, message: &str) -> Result<Claim, Failure> {
        let item: Item = [
            (PK.to_owned(), s(Self::marker_pk(event_id))),
            (SK.to_owned(), s(message)),
            (STATE.to_owned(), s(SENDING)),
            (TTL.to_owned(), n(now_epoch() + MARKER_SECS)),
        ]
        .into_iter()
        .collect();
        if self.db.put_new(item, "PutItem notification marker").await? {
            return Ok(Claim::Mine);
        }
        let marker: Option<Marker> = self
            .db
            .get_item(Self::marker_pk(event_id), message, "GetItem notification marker")
            .await?;
        Ok(match marker.and_then(|m| m.state).as_deref() {
            Some(SENDING) => Claim::Unfinished,
            // Sent, or a marker from before markers said (those were written once sent).
            _ => Claim::Sent,
        })
    }

    /// Records that a claimed message went out; `resent` when the claim was found unfinished
    /// (an earlier delivery may have sent it too: the one duplicate the markers cannot rule out).
    pub async fn sent(&self, event_id: &str, message: &str, resent: bool) -> Result<(), Failure> {
        crate::platform::db::write_gate().await?;
        let mut update = self
            .db
            .update_item(Self::marker_pk(event_id), message)
            .update_expression(if resent {
                "SET #state = :sent, #resent = :resent"
            } else {
                "SET #state = :sent"
            })
            .expression_attribute_names("#state", STATE)
            .expression_attribute_values(":sent", s(SENT));
        if resent {
            update = update
                .expression_attribute_names("#resent", RESENT)
                .expression_attribute_values(":resent", aws_sdk_dynamodb::types::AttributeValue::Bool(true));
        }
        update
            .send()
            .await
            .map_err(|e| crate::platform::db::db_error("UpdateItem notification marker", e))?;
        Ok(())
    }

    /// Whether `message` of stream event `event_id` was sent again after an earlier delivery
    /// stopped between claiming and marking it (so a second copy may have gone out); for audits.
    pub async fn resent(&self, event_id: &str, message: &str) -> Result<bool, Failure> {
        let marker: Option<Marker> = self
            .db
            .get_item(Self::marker_pk(event_id), message, "GetItem notification marker")
            .await?;
        Ok(marker.is_some_and(|m| m.resent))
    }

    /// Gives a claim back when the message could not be sent, so a retry sends it.
    pub async fn release(&self, event_id: &str, message: &str) -> Result<(), Failure> {
        self.db
            .delete(Self::marker_pk(event_id), message, "DeleteItem notification marker")
            .await
    }
}
