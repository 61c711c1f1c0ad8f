//! Orders. One item per order (`PK = ORDER#<ulid>`, `SK = ORDER`) holding its lines (name and
//! price snapshots) and status history, so an order is one GetItem and a status change plus its
//! history entry is one conditional UpdateItem. Indexed three ways:
//! GSI1 `CUSTOMER#<id>` (a customer's orders), GSI2 `ORDERSTATUS#<status>` (the admin's queue,
//! moved by the same write that changes the status), GSI3 `ORDERS` (every order); all sorted by
//! the order's ULID, so newest first is `ScanIndexForward = false`.

use aws_sdk_dynamodb::types::{
    AttributeValue, Put, ReturnValue, ReturnValuesOnConditionCheckFailure, TransactWriteItem,
};
use serde::{Deserialize, Serialize};

use super::keys::{self, IDEMPOTENCY_SK, ORDER_SK};
use super::{Conditional, Item, Store, build_error, conditional_update, mapping_error, n, s, sk_of, transact};
use crate::accounts::model::Session;
use crate::accounts::store::{AccountStore, is_session, session_from, session_key};
use crate::domain::Role;
use crate::domain::order::{OrderLine, OrderStatus, PaymentStatus};
use crate::menu::model::Food;
use crate::menu::store::{food_from, food_key, is_food};
use crate::platform::error::ApiError;
use crate::platform::pagination::PageRequest;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub status: OrderStatus,
    pub at: String,
    /// The user who made the change.
    pub by: String,
    pub by_role: Role,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    #[serde(rename = "GSI1PK")]
    pub gsi1pk: String,
    #[serde(rename = "GSI1SK")]
    pub gsi1sk: String,
    #[serde(rename = "GSI2PK")]
    pub gsi2pk: String,
    #[serde(rename = "GSI2SK")]
    pub gsi2sk: String,
    #[serde(rename = "GSI3PK")]
    pub gsi3pk: String,
    #[serde(rename = "GSI3SK")]
    pub gsi3sk: String,
    pub id: String,
    pub customer_id: String,
    pub status: OrderStatus,
    pub payment_status: PaymentStatus,
    pub items: Vec<OrderLine>,
    pub total: i64,
    pub currency: String,
    pub delivery_address: String,
    #[serde(default)]
    pub note: Option<String>,
    pub status_history: Vec<HistoryEntry>,
    #[serde(default)]
    pub paid_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// An order as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderView {
    pub id: String,
    pub customer_id: String,
    pub status: OrderStatus,
    pub payment_status: PaymentStatus,
    pub items: Vec<OrderLine>,
    pub total: i64,
    pub currency: String,
    pub delivery_address: String,
    pub note: Option<String>,
    pub status_history: Vec<HistoryEntry>,
    pub paid_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl OrderItem {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        id: String,
        customer_id: &str,
        items: Vec<OrderLine>,
        total: i64,
        currency: &str,
        delivery_address: String,
        note: Option<String>,
        now: String,
    ) -> Self {
        let status = OrderStatus::Pending;
        Self {
            pk: keys::order_pk(&id),
            sk: ORDER_SK.into(),
            gsi1pk: keys::customer_orders_gsi1pk(customer_id),
            gsi1sk: id.clone(),
            gsi2pk: keys::status_gsi2pk(status.as_str()),
            gsi2sk: id.clone(),
            gsi3pk: keys::ALL_ORDERS_GSI3PK.into(),
            gsi3sk: id.clone(),
            id,
            customer_id: customer_id.into(),
            status,
            payment_status: PaymentStatus::Unpaid,
            items,
            total,
            currency: currency.into(),
            delivery_address,
            note,
            status_history: vec![HistoryEntry {
                status,
                at: now.clone(),
                by: customer_id.into(),
                by_role: Role::Customer,
            }],
            paid_at: None,
            created_at: now.clone(),
            updated_at: now,
        }
    }

    pub fn view(&self) -> OrderView {
        OrderView {
            id: self.id.clone(),
            customer_id: self.customer_id.clone(),
            status: self.status,
            payment_status: self.payment_status,
            items: self.items.clone(),
            total: self.total,
            currency: self.currency.clone(),
            delivery_address: self.delivery_address.clone(),
            note: self.note.clone(),
            status_history: self.status_history.clone(),
            paid_at: self.paid_at.clone(),
            created_at: self.created_at.clone(),
            updated_at: self.updated_at.clone(),
        }
    }
}

/// The first response to an order request, kept for 24 h under the customer's Idempotency-Key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdempotencyItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    /// SHA-256 of the normalised request.
    pub request_hash: String,
    pub order_id: String,
    pub status_code: u16,
    /// The response body, verbatim.
    pub response: String,
    pub expires_at: i64,
    pub ttl: i64,
}

impl IdempotencyItem {
    pub fn is_live(&self, now: i64) -> bool {
        self.expires_at > now
    }
}

/// What a placement needs to read first, in one round trip.
#[derive(Debug, Default)]
pub struct PlacementInputs {
    pub foods: Vec<Food>,
    pub idempotency: Option<IdempotencyItem>,
    pub session: Option<Session>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum PlaceOutcome {
    Placed,
    /// A concurrent request with the same Idempotency-Key won.
    IdempotencyKeyTaken,
    SessionEnded,
}

#[derive(Debug, PartialEq, Eq)]
pub enum WriteOutcome {
    Done(Box<OrderItem>),
    /// The condition failed: the order as it is now (None: it does not exist).
    Changed(Option<Box<OrderItem>>),
}

/// A page of orders and the key to continue after.
pub struct OrderPage {
    pub orders: Vec<OrderItem>,
    pub last_key: Option<Item>,
}

impl Store {
    /// The dishes of an order request, the customer's idempotency record and the session, in
    /// one BatchGetItem.
    pub async fn placement_inputs(
        &self,
        food_ids: &[String],
        idempotency: Option<(&str, &str)>,
        session_id: &str,
    ) -> Result<PlacementInputs, ApiError> {
        let mut wanted: Vec<(String, String)> = food_ids.iter().map(|id| food_key(id)).collect();
        if let Some((customer, key)) = idempotency {
            wanted.push((keys::idempotency_pk(customer, key), IDEMPOTENCY_SK.to_owned()));
        }
        wanted.push(session_key(session_id));
        let mut inputs = PlacementInputs::default();
        for item in self.batch_get(wanted, "BatchGetItem order inputs").await? {
            match sk_of(&item) {
                _ if is_food(&item) => inputs.foods.push(food_from(item)?),
                IDEMPOTENCY_SK => {
                    inputs.idempotency =
                        Some(serde_dynamo::from_item(item).map_err(|e| mapping_error("idempotency", e))?)
                }
                _ if is_session(&item) => inputs.session = Some(session_from(item)?),
                _ => {}
            }
        }
        Ok(inputs)
    }

    /// Writes the order and its idempotency record in one transaction, conditioned on the order
    /// id being new, the key being free (or expired) and the session still live.
    pub async fn place_order(
        &self,
        order: &OrderItem,
        idempotency: Option<&IdempotencyItem>,
        session_id: &str,
        now: i64,
    ) -> Result<PlaceOutcome, ApiError> {
        let order_put = Put::builder()
            .table_name(self.table())
            .set_item(Some(
                serde_dynamo::to_item(order).map_err(|e| mapping_error("order", e))?,
            ))
            .condition_expression("attribute_not_exists(PK)")
            .build()
            .map_err(build_error)?;
        let mut items = vec![TransactWriteItem::builder().put(order_put).build()];
        items.push(AccountStore::new(self.clone()).live_session_check(session_id, now)?);
        if let Some(record) = idempotency {
            let p = Put::builder()
                .table_name(self.table())
                .set_item(Some(
                    serde_dynamo::to_item(record).map_err(|e| mapping_error("idempotency", e))?,
                ))
                .condition_expression("attribute_not_exists(PK) OR expires_at <= :now")
                .expression_attribute_values(":now", n(now));
            items.push(
                TransactWriteItem::builder()
                    .put(p.build().map_err(build_error)?)
                    .build(),
            );
        }
        Ok(match transact(self, "place order", items).await? {
            None => PlaceOutcome::Placed,
            Some(c) if c.condition_failed(1) => PlaceOutcome::SessionEnded,
            Some(c) if idempotency.is_some() && c.condition_failed(2) => PlaceOutcome::IdempotencyKeyTaken,
            Some(c) => return Err(ApiError::internal(anyhow::anyhow!("place order cancelled: {:?}", c.0))),
        })
    }

    pub async fn idempotency_record(&self, customer_id: &str, key: &str) -> Result<Option<IdempotencyItem>, ApiError> {
        self.get_item(
            keys::idempotency_pk(customer_id, key),
            IDEMPOTENCY_SK,
            "idempotency record",
        )
        .await
        .map_err(Into::into)
    }

    pub async fn order(&self, id: &str) -> Result<Option<OrderItem>, ApiError> {
        self.get_item(keys::order_pk(id), ORDER_SK, "order")
            .await
            .map_err(Into::into)
    }

    pub async fn customer_orders(&self, customer_id: &str, page: &PageRequest) -> Result<OrderPage, ApiError> {
        self.orders_page(
            crate::platform::db::GSI1,
            keys::customer_orders_gsi1pk(customer_id),
            page,
        )
        .await
    }

    /// The admin's view: one status, or every order.
    pub async fn orders_by_status(
        &self,
        status: Option<OrderStatus>,
        page: &PageRequest,
    ) -> Result<OrderPage, ApiError> {
        match status {
            Some(status) => {
                self.orders_page(crate::platform::db::GSI2, keys::status_gsi2pk(status.as_str()), page)
                    .await
            }
            None => {
                self.orders_page(crate::platform::db::GSI3, keys::ALL_ORDERS_GSI3PK.to_owned(), page)
                    .await
            }
        }
    }

    async fn orders_page(
        &self,
        index: crate::platform::db::Index,
        pk: String,
        page: &PageRequest,
    ) -> Result<OrderPage, ApiError> {
        let page = self.query_page(index, pk, page, "Query orders").await?;
        Ok(OrderPage {
            orders: page.items,
            last_key: page.last_key,
        })
    }

    /// Moves an order from `from` to `to` and appends `entry` to its history in one conditional
    /// write: the status must still be `from` (and the payment `paid` when `require_paid`, and
    /// the customer `owner` when given). The status index moves with it.
    pub async fn transition_order(
        &self,
        id: &str,
        from: OrderStatus,
        entry: &HistoryEntry,
        require_paid: bool,
        owner: Option<&str>,
    ) -> Result<WriteOutcome, ApiError> {
        let history = serde_dynamo::to_attribute_value::<_, AttributeValue>(vec![entry])
            .map_err(|e| mapping_error("history entry", e))?;
        let mut condition = "#status = :from".to_owned();
        let mut req = self
            .client()
            .update_item()
            .table_name(self.table())
            .key(keys::PK, s(keys::order_pk(id)))
            .key(keys::SK, s(ORDER_SK))
            .update_expression(
                "SET #status = :to, GSI2PK = :gsi2, updated_at = :at, status_history = list_append(status_history, :entry)",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":from", s(from.as_str()))
            .expression_attribute_values(":to", s(entry.status.as_str()))
            .expression_attribute_values(":gsi2", s(keys::status_gsi2pk(entry.status.as_str())))
            .expression_attribute_values(":at", s(&entry.at))
            .expression_attribute_values(":entry", history);
        if require_paid {
            condition.push_str(" AND payment_status = :paid");
            req = req.expression_attribute_values(":paid", s(PaymentStatus::Paid.as_str()));
        }
        if let Some(owner) = owner {
            condition.push_str(" AND customer_id = :owner");
            req = req.expression_attribute_values(":owner", s(owner));
        }
        self.conditional_order_write(req.condition_expression(condition), "UpdateItem order status")
            .await
    }

    /// Marks an order paid: one conditional write (unpaid, and not cancelled).
    pub async fn mark_order_paid(&self, id: &str, at: &str) -> Result<WriteOutcome, ApiError> {
        let req = self
            .client()
            .update_item()
            .table_name(self.table())
            .key(keys::PK, s(keys::order_pk(id)))
            .key(keys::SK, s(ORDER_SK))
            .update_expression("SET payment_status = :paid, paid_at = :at, updated_at = :at")
            .condition_expression("payment_status = :unpaid AND #status <> :cancelled")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":paid", s(PaymentStatus::Paid.as_str()))
            .expression_attribute_values(":unpaid", s(PaymentStatus::Unpaid.as_str()))
            .expression_attribute_values(":cancelled", s(OrderStatus::Cancelled.as_str()))
            .expression_attribute_values(":at", s(at));
        self.conditional_order_write(req, "UpdateItem order payment").await
    }

    async fn conditional_order_write(
        &self,
        req: aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder,
        operation: &'static str,
    ) -> Result<WriteOutcome, ApiError> {
        let req = req
            .return_values(ReturnValue::AllNew)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        match conditional_update::<OrderItem>(req, "order", operation).await? {
            Conditional::Applied(Some(order)) => Ok(WriteOutcome::Done(Box::new(order))),
            Conditional::Applied(None) => Err(ApiError::internal(anyhow::anyhow!("{operation} returned nothing"))),
            // No item back means there was no item: an update on a missing key only fails its
            // condition because the attributes are absent.
            Conditional::Failed(current) => Ok(WriteOutcome::Changed(current.map(Box::new))),
        }
    }
}
