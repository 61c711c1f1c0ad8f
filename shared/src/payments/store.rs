//! Payments in the table. An order's open payment is one conditional update on the order
//! (pending, unpaid and without one); marking paid is one conditional update on the order too.
//! A reference names its order (`ck-<order id>-<attempt>`, [`super::model::Reference::order_id`]), so a
//! webhook needs no lookup item.
//!
//! | item | PK | SK |
//! |---|---|---|
//! | payment anomaly | `PAYANOMALY#<reference>#<transaction id>` | `PAYANOMALY` (kept 90 days) |
//! | (an order's `payment`, `payment_status`, `payment_method`) | `ORDER#<ulid>` | `ORDER` |
//!
//! Tables written before 2026-11-30 (evening) also hold `PAYREF#<reference>` / `PAYREF` items
//! (the reference's order, for the webhook's former lookup); nothing reads them any more.

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, ReturnValuesOnConditionCheckFailure};

use super::model::{Charge, PaymentAnomaly};
use crate::orders::model::{HistoryEntry, OnlinePayment, Order, OrderStatus, PaymentMethod, PaymentStatus};
use crate::orders::store::order_key;
use crate::platform::db::{
    Conditional, Db, Item, PK, SK, TTL, conditional_update, from_item, mapping_error, n, s, sk_of, to_item,
};
use crate::platform::error::Failure;

const ANOMALY_SK: &str = "PAYANOMALY";
/// How long an anomaly stays on record.
const ANOMALY_KEPT_SECS: i64 = 90 * 24 * 3600;

/// Whether a stored item is a payment anomaly (for the notifier, reading the stream).
pub fn is_anomaly(item: &Item) -> bool {
    sk_of(item) == ANOMALY_SK
}

pub fn anomaly_from(item: Item) -> Result<PaymentAnomaly, Failure> {
    from_item(item, "payment anomaly")
}

/// What opening a payment did.
#[derive(Debug)]
pub enum Opened {
    Done,
    /// The order moved (paid, cancelled, or another payment opened): as it is now.
    Changed(Option<Box<Order>>),
}

/// What marking paid did.
#[derive(Debug)]
pub enum Marked {
    Done(Box<Order>),
    /// The order was no longer unpaid at that total (or not there): as it is now.
    Changed(Option<Box<Order>>),
}

#[derive(Clone, Debug)]
pub struct PaymentStore {
    db: Db,
}

impl PaymentStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// Records `payment` on the order, while it is pending, unpaid and without one.
    pub async fn open(&self, order: &Order, payment: &OnlinePayment) -> Result<Opened, Failure> {
        self.open_instead(order, None, payment).await
    }

    /// Opens `payment` for the order while it is pending and unpaid, in place of the open
    /// payment with reference `replacing` (one Paystack declined), or of none: the same answers
    /// as [`Self::open`].
    pub async fn open_instead(
        &self,
        order: &Order,
        replacing: Option<&str>,
        payment: &OnlinePayment,
    ) -> Result<Opened, Failure> {
        let value =
            serde_dynamo::to_attribute_value::<_, AttributeValue>(payment).map_err(|e| mapping_error("payment", e))?;
        let (pk, sk) = order_key(&order.id);
        let mut req = self
            .db
            .update_item(pk, &sk)
            .update_expression("SET #payment = :payment")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#payment", "payment")
            .expression_attribute_values(":payment", value)
            .expression_attribute_values(":pending", s(OrderStatus::Pending.as_str()))
            .expression_attribute_values(":unpaid", s(PaymentStatus::Unpaid.as_str()))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        req = match replacing {
            None => req
                .condition_expression(
                    "#status = :pending AND payment_status = :unpaid AND (attribute_not_exists(#payment) OR #payment = :null)",
                )
                .expression_attribute_values(":null", AttributeValue::Null(true)),
            Some(reference) => req
                .condition_expression("#status = :pending AND payment_status = :unpaid AND #payment.#reference = :old")
                .expression_attribute_names("#reference", "reference")
                .expression_attribute_values(":old", s(reference)),
        };
        Ok(
            match conditional_update::<Order>(req, "order", "UpdateItem order payment opened").await? {
                Conditional::Applied(_) => Opened::Done,
                Conditional::Failed(order) => Opened::Changed(order.map(Box::new)),
            },
        )
    }

    /// Records a charge that was not applied, once per Paystack transaction (a redelivered
    /// event finds it there): `false` when it was already recorded.
    pub async fn record_anomaly(&self, anomaly: &PaymentAnomaly, charge: &Charge) -> Result<bool, Failure> {
        let pk = format!("PAYANOMALY#{}#{}", charge.reference.as_str(), charge.transaction_id);
        let mut item = to_item(anomaly, [(PK, pk), (SK, ANOMALY_SK.to_owned())], "payment anomaly")?;
        item.insert(
            TTL.to_owned(),
            n(crate::platform::clock::now_epoch() + ANOMALY_KEPT_SECS),
        );
        self.db.put_new(item, "PutItem payment anomaly").await
    }

    /// Marks the order paid by Paystack with `charge`, only while it is unpaid, in the status
    /// `entry` records (so never cancelled), its total is the amount paid and the charge is its
    /// open payment's; `entry` goes into its history.
    pub async fn mark_paid(&self, order_id: &str, charge: &Charge, entry: &HistoryEntry) -> Result<Marked, Failure> {
        let history = serde_dynamo::to_attribute_value::<_, AttributeValue>(vec![entry])
            .map_err(|e| mapping_error("history entry", e))?;
        let (pk, sk) = order_key(order_id);
        let req = self
            .db
            .update_item(pk, &sk)
            .update_expression(
                "SET payment_status = :paid, payment_method = :paystack, paid_at = :at, updated_at = :at, \
                 #payment.#tx = :tx, #payment.#channel = :channel, \
                 status_history = list_append(status_history, :entry)",
            )
            .condition_expression(
                "payment_status = :unpaid AND #status = :status AND #total = :amount AND #currency = :currency AND #payment.#reference = :reference",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#total", "total")
            .expression_attribute_names("#currency", "currency")
            .expression_attribute_names("#payment", "payment")
            .expression_attribute_names("#tx", "transaction_id")
            .expression_attribute_names("#channel", "channel")
            .expression_attribute_names("#reference", "reference")
            .expression_attribute_values(":paid", s(PaymentStatus::Paid.as_str()))
            .expression_attribute_values(":paystack", s(PaymentMethod::Paystack.as_str()))
            .expression_attribute_values(":at", s(&entry.at))
            .expression_attribute_values(":tx", n(charge.transaction_id))
            .expression_attribute_values(":channel", s(&charge.channel))
            .expression_attribute_values(":entry", history)
            .expression_attribute_values(":unpaid", s(PaymentStatus::Unpaid.as_str()))
            .expression_attribute_values(":status", s(entry.status.as_str()))
            .expression_attribute_values(":amount", n(charge.amount))
            .expression_attribute_values(":currency", s(&charge.currency))
            .expression_attribute_values(":reference", s(charge.reference.as_str()))
            .return_values(ReturnValue::AllNew)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        Ok(
            match conditional_update::<Order>(req, "order", "UpdateItem order paid by Paystack").await? {
                Conditional::Applied(Some(order)) => Marked::Done(Box::new(order)),
                Conditional::Applied(None) => return Err(Failure::bug("mark paid returned nothing")),
                Conditional::Failed(order) => Marked::Changed(order.map(Box::new)),
            },
        )
    }
}
