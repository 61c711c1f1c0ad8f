//! DynamoDB, generically: the client (built once, every operation counted and measured per
//! request), the table's key attribute names, and the helpers every feature's store uses:
//! strongly consistent reads, paged index queries, conditional updates whose failed condition is
//! an outcome, and transactions whose cancellation reasons come back per action.
//!
//! Features spell their own keys and conditions (`<feature>/store.rs`); nothing here knows them.
//! The table definition is in [`table`] and nowhere else.

pub mod table;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::types::builders::{ConditionCheckBuilder, DeleteBuilder, PutBuilder, UpdateBuilder};
use aws_sdk_dynamodb::types::{
    AttributeValue, CancellationReason, ConditionCheck, Delete, Put, TransactWriteItem, Update,
};

use crate::platform::error::Failure;
use crate::platform::pagination::PageRequest;

pub type Item = std::collections::HashMap<String, AttributeValue>;

/// The table's key attributes: generic names, each feature gives them meaning.
pub const PK: &str = "PK";
pub const SK: &str = "SK";
pub const GSI1PK: &str = "GSI1PK";
pub const GSI1SK: &str = "GSI1SK";
pub const GSI2PK: &str = "GSI2PK";
pub const GSI2SK: &str = "GSI2SK";
pub const GSI3PK: &str = "GSI3PK";
pub const GSI3SK: &str = "GSI3SK";
/// The TTL attribute (epoch seconds): DynamoDB's janitor; code checks its own expiry fields.
pub const TTL: &str = "ttl";

/// A global secondary index: its name and key attributes (what it holds: `crate::schema::INDEXES`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Index {
    pub name: &'static str,
    pub pk: &'static str,
    pub sk: &'static str,
}

pub const GSI1: Index = Index {
    name: "GSI1",
    pk: GSI1PK,
    sk: GSI1SK,
};
pub const GSI2: Index = Index {
    name: "GSI2",
    pk: GSI2PK,
    sk: GSI2SK,
};
pub const GSI3: Index = Index {
    name: "GSI3",
    pk: GSI3PK,
    sk: GSI3SK,
};

#[derive(Clone, Debug)]
pub struct Db {
    client: Client,
    table: String,
    calls: Arc<AtomicU64>,
}

/// What one request asked of DynamoDB: operations made (retries not counted twice) and the
/// capacity units they consumed, as DynamoDB reported them.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DbUsage {
    pub calls: u32,
    /// Sequential round trips: operations that started while none was in flight (operations
    /// run side by side share one).
    pub round_trips: u32,
    pub capacity_units: f64,
    in_flight: u32,
}

tokio::task_local! {
    /// DynamoDB use of the request running in this task (see [`measure`]).
    static REQUEST_USAGE: std::cell::Cell<DbUsage>;
}

/// Runs `work` and returns what it asked of DynamoDB. The HTTP layer wraps every request in
/// this and logs the figures.
pub async fn measure<F: std::future::Future>(work: F) -> (F::Output, DbUsage) {
    REQUEST_USAGE
        .scope(std::cell::Cell::new(DbUsage::default()), async move {
            let out = work.await;
            (out, REQUEST_USAGE.with(|c| c.get()))
        })
        .await
}

fn record(f: impl FnOnce(&mut DbUsage)) {
    let _ = REQUEST_USAGE.try_with(|c| {
        let mut usage = c.get();
        f(&mut usage);
        c.set(usage);
    });
}

/// Counts every DynamoDB operation, per store and per request, and asks every operation for
/// its consumed capacity (`ReturnConsumedCapacity = TOTAL`) so requests can report it.
#[derive(Debug)]
struct CallCounter(Arc<AtomicU64>);

impl aws_sdk_dynamodb::config::Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "CallCounter"
    }

    fn read_before_execution(
        &self,
        context: &aws_sdk_dynamodb::config::interceptors::BeforeSerializationInterceptorContextRef<'_>,
        _cfg: &mut aws_sdk_dynamodb::config::ConfigBag,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        // The backstop of `write_gate`: a write sent before the caller's checks passed fails.
        if is_write(context.input()) && !crate::platform::guard::writes_allowed() {
            return Err("a write before the caller's session and membership checks passed".into());
        }
        self.0.fetch_add(1, Ordering::Relaxed);
        record(|u| {
            u.calls += 1;
            if u.in_flight == 0 {
                u.round_trips += 1;
            }
            u.in_flight += 1;
        });
        Ok(())
    }

    fn read_after_execution(
        &self,
        _context: &aws_sdk_dynamodb::config::interceptors::FinalizerInterceptorContextRef<'_>,
        _components: &aws_sdk_dynamodb::config::RuntimeComponents,
        _cfg: &mut aws_sdk_dynamodb::config::ConfigBag,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        record(|u| u.in_flight = u.in_flight.saturating_sub(1));
        Ok(())
    }

    fn modify_before_serialization(
        &self,
        context: &mut aws_sdk_dynamodb::config::interceptors::BeforeSerializationInterceptorContextMut<'_>,
        _components: &aws_sdk_dynamodb::config::RuntimeComponents,
        cfg: &mut aws_sdk_dynamodb::config::ConfigBag,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        use aws_sdk_dynamodb::operation::*;
        let total = Some(aws_sdk_dynamodb::types::ReturnConsumedCapacity::Total);
        let input = context.input_mut();
        if crate::platform::actions::enabled() {
            record_actions(input, cfg);
        }
        macro_rules! ask {
            ($($ty:ty),*) => {
                $(if let Some(i) = input.downcast_mut::<$ty>() { i.return_consumed_capacity = total; return Ok(()); })*
            };
        }
        ask!(
            get_item::GetItemInput,
            put_item::PutItemInput,
            update_item::UpdateItemInput,
            delete_item::DeleteItemInput,
            query::QueryInput,
            batch_get_item::BatchGetItemInput,
            transact_write_items::TransactWriteItemsInput
        );
        Ok(())
    }

    fn read_after_deserialization(
        &self,
        context: &aws_sdk_dynamodb::config::interceptors::AfterDeserializationInterceptorContextRef<'_>,
        _components: &aws_sdk_dynamodb::config::RuntimeComponents,
        _cfg: &mut aws_sdk_dynamodb::config::ConfigBag,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        use aws_sdk_dynamodb::operation::*;
        use aws_sdk_dynamodb::types::ConsumedCapacity;
        let Ok(output) = context.output_or_error() else {
            return Ok(());
        };
        let one = |c: &Option<ConsumedCapacity>| c.as_ref().and_then(|c| c.capacity_units).unwrap_or(0.0);
        let many = |c: &Option<Vec<ConsumedCapacity>>| c.iter().flatten().filter_map(|c| c.capacity_units).sum::<f64>();
        let units = if let Some(o) = output.downcast_ref::<get_item::GetItemOutput>() {
            one(&o.consumed_capacity)
        } else if let Some(o) = output.downcast_ref::<put_item::PutItemOutput>() {
            one(&o.consumed_capacity)
        } else if let Some(o) = output.downcast_ref::<update_item::UpdateItemOutput>() {
            one(&o.consumed_capacity)
        } else if let Some(o) = output.downcast_ref::<delete_item::DeleteItemOutput>() {
            one(&o.consumed_capacity)
        } else if let Some(o) = output.downcast_ref::<query::QueryOutput>() {
            one(&o.consumed_capacity)
        } else if let Some(o) = output.downcast_ref::<batch_get_item::BatchGetItemOutput>() {
            many(&o.consumed_capacity)
        } else if let Some(o) = output.downcast_ref::<transact_write_items::TransactWriteItemsOutput>() {
            many(&o.consumed_capacity)
        } else {
            0.0
        };
        record(|u| u.capacity_units += units);
        Ok(())
    }
}

/// Whether an operation changes the table.
fn is_write(input: &aws_smithy_runtime_api::client::interceptors::context::Input) -> bool {
    use aws_sdk_dynamodb::operation::*;
    input.downcast_ref::<put_item::PutItemInput>().is_some()
        || input.downcast_ref::<update_item::UpdateItemInput>().is_some()
        || input.downcast_ref::<delete_item::DeleteItemInput>().is_some()
        || input
            .downcast_ref::<transact_write_items::TransactWriteItemsInput>()
            .is_some()
        || input.downcast_ref::<batch_write_item::BatchWriteItemInput>().is_some()
}

/// Records the IAM actions an operation needs: a transaction needs each of its items' actions
/// (there is no IAM action for the transaction itself), a Query on an index needs the index.
fn record_actions(
    input: &aws_smithy_runtime_api::client::interceptors::context::Input,
    cfg: &aws_sdk_dynamodb::config::ConfigBag,
) {
    use crate::platform::actions::{Resource, record};
    use aws_sdk_dynamodb::operation::{query::QueryInput, transact_write_items::TransactWriteItemsInput};
    if let Some(t) = input.downcast_ref::<TransactWriteItemsInput>() {
        for item in t.transact_items() {
            let action = if item.put().is_some() {
                "dynamodb:PutItem"
            } else if item.update().is_some() {
                "dynamodb:UpdateItem"
            } else if item.delete().is_some() {
                "dynamodb:DeleteItem"
            } else {
                "dynamodb:ConditionCheckItem"
            };
            record(action, Resource::Table);
        }
        return;
    }
    if let Some(q) = input.downcast_ref::<QueryInput>() {
        let resource = if q.index_name().is_some() {
            Resource::Index
        } else {
            Resource::Table
        };
        record("dynamodb:Query", resource);
        return;
    }
    if let Some(metadata) = cfg.load::<aws_smithy_runtime_api::client::orchestrator::Metadata>() {
        record(&format!("dynamodb:{}", metadata.name()), Resource::Table);
    }
}

impl Db {
    /// Builds the client (once: client construction is a measurable part of cold start) with
    /// the interceptor that counts and measures every operation.
    pub fn new(config: aws_sdk_dynamodb::config::Builder, table: impl Into<String>) -> Self {
        let calls = Arc::new(AtomicU64::new(0));
        let config = config.interceptor(CallCounter(calls.clone())).build();
        Self {
            client: Client::from_conf(config),
            table: table.into(),
            calls,
        }
    }

    /// DynamoDB operations this store has made so far.
    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn table(&self) -> &str {
        &self.table
    }
}

/// Maps an SDK failure to the API: throttling, timeouts and unreachable endpoints are 503s
/// (retryable), anything else a logged 500.
pub fn db_error<E, R>(operation: &'static str, err: SdkError<E, R>) -> Failure
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let retryable = match &err {
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) | SdkError::ResponseError(_) => true,
        SdkError::ServiceError(se) => matches!(
            se.err().code(),
            Some(
                "ProvisionedThroughputExceededException"
                    | "ThrottlingException"
                    | "RequestLimitExceeded"
                    | "InternalServerError"
                    | "ServiceUnavailable"
                    | "TransactionInProgressException"
            )
        ),
        _ => false,
    };
    let cause = anyhow::anyhow!("DynamoDB {operation} failed: {}", DisplayErrorContext(&err));
    if retryable {
        Failure::Unavailable(cause)
    } else {
        Failure::Internal(cause)
    }
}

pub fn mapping_error(what: &'static str, err: serde_dynamo::Error) -> Failure {
    Failure::Internal(anyhow::anyhow!("item mapping failed for {what}: {err}"))
}

pub fn build_error(err: aws_sdk_dynamodb::error::BuildError) -> Failure {
    Failure::Internal(anyhow::anyhow!("request build failed: {err}"))
}

/// What a conditional `UpdateItem` did, with the item DynamoDB sent back: the item as written
/// when the request asked for `ReturnValues`, the item as it was when the request asked for
/// `ReturnValuesOnConditionCheckFailure` (`None` as well when there was no item).
pub enum Conditional<T> {
    Applied(Option<T>),
    Failed(Option<T>),
}

/// Before any write: waits for the request's caller checks ([`crate::platform::guard`]); a
/// refused caller writes nothing (the answer becomes the check's own 401 or 403).
pub async fn write_gate() -> Result<(), Failure> {
    crate::platform::guard::settled()
        .await
        .map_err(|refused| Failure::Internal(anyhow::Error::new(refused)))
}

/// A conditional write's result: whether its condition held (a failed condition is an outcome,
/// not an error).
fn condition_held<O, E, R>(res: Result<O, SdkError<E, R>>, operation: &'static str) -> Result<bool, Failure>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match res {
        Ok(_) => Ok(true),
        Err(SdkError::ServiceError(se)) if se.err().code() == Some("ConditionalCheckFailedException") => Ok(false),
        Err(err) => Err(db_error(operation, err)),
    }
}

/// Sends a conditional `UpdateItem`: a failed condition is an outcome, not an error, and the
/// returned item, if any, is mapped to `T` (`what` names it in mapping errors).
pub async fn conditional_update<T: serde::de::DeserializeOwned>(
    req: aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder,
    what: &'static str,
    operation: &'static str,
) -> Result<Conditional<T>, Failure> {
    use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
    let decode = |item: Option<Item>| {
        item.filter(|i| !i.is_empty())
            .map(|i| serde_dynamo::from_item(i).map_err(|e| mapping_error(what, e)))
            .transpose()
    };
    write_gate().await?;
    match req.send().await {
        Ok(out) => Ok(Conditional::Applied(decode(out.attributes)?)),
        Err(e) => match e.as_service_error() {
            Some(UpdateItemError::ConditionalCheckFailedException(ccf)) => {
                Ok(Conditional::Failed(decode(ccf.item.clone())?))
            }
            _ => Err(db_error(operation, e)),
        },
    }
}

/// A Query that reads only `attributes`, every name through a placeholder (several, such as
/// `status` and `total`, are reserved words).
pub fn projected(mut query: QueryFluentBuilder, attributes: &[&str]) -> QueryFluentBuilder {
    let names: Vec<String> = (0..attributes.len()).map(|i| format!("#a{i}")).collect();
    query = query.projection_expression(names.join(", "));
    for (name, attribute) in names.iter().zip(attributes) {
        query = query.expression_attribute_names(name, *attribute);
    }
    query
}

/// What happened to each action of a cancelled transaction.
#[derive(Debug)]
pub struct Cancelled(pub Vec<Option<String>>, Vec<Option<Item>>);

impl Cancelled {
    pub fn from_reasons(reasons: &[CancellationReason]) -> Self {
        Self(
            reasons.iter().map(|r| r.code().map(str::to_owned)).collect(),
            reasons.iter().map(|r| r.item().cloned()).collect(),
        )
    }

    pub fn condition_failed(&self, index: usize) -> bool {
        self.0.get(index).and_then(|c| c.as_deref()) == Some("ConditionalCheckFailed")
    }

    /// The indexes of the actions whose condition failed.
    pub fn failed_conditions(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.0.len()).filter(|&i| self.condition_failed(i))
    }

    /// The item as it was when action `index`'s condition failed, if that action asked for it
    /// (`ReturnValuesOnConditionCheckFailure::AllOld`) and the item existed.
    pub fn item(&self, index: usize) -> Option<&Item> {
        self.1.get(index).and_then(Option::as_ref)
    }

    pub fn any_condition_failed(&self) -> bool {
        self.0.iter().any(|c| c.as_deref() == Some("ConditionalCheckFailed"))
    }

    pub fn conflicted(&self) -> bool {
        self.0.iter().any(|c| c.as_deref() == Some("TransactionConflict"))
    }
}

/// Runs a transaction: `Ok(None)` on success, `Ok(Some(reasons))` when a condition cancelled it,
/// `Err` for anything else. A cancellation caused only by concurrent transactions on the same
/// items (`TransactionConflict`) is retried with backoff: each retry re-evaluates every
/// condition, so a lost race ends as a clean condition failure, not an error.
pub async fn transact(
    db: &Db,
    operation: &'static str,
    items: Vec<aws_sdk_dynamodb::types::TransactWriteItem>,
) -> Result<Option<Cancelled>, Failure> {
    use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
    const ATTEMPTS: u32 = 8;
    write_gate().await?;
    for attempt in 0..ATTEMPTS {
        let res = db
            .client
            .transact_write_items()
            .set_transact_items(Some(items.clone()))
            .send()
            .await;
        let cancelled = match res {
            Ok(_) => return Ok(None),
            Err(err) => match err.as_service_error() {
                Some(TransactWriteItemsError::TransactionCanceledException(ex)) => {
                    Cancelled::from_reasons(ex.cancellation_reasons())
                }
                _ => return Err(db_error(operation, err)),
            },
        };
        if cancelled.any_condition_failed() || !cancelled.conflicted() {
            return Ok(Some(cancelled));
        }
        let jitter = u64::from(ulid::Ulid::new().random() as u8 % 32);
        tokio::time::sleep(std::time::Duration::from_millis(15 * (1 << attempt.min(4)) + jitter)).await;
    }
    Err(Failure::Unavailable(anyhow::anyhow!(
        "{operation}: transaction kept conflicting after {ATTEMPTS} attempts"
    )))
}

/// The actions of a `TransactWriteItems`, each on one item of this table: the caller gives the
/// key and spells the expressions, the action is built and wrapped here.
impl Db {
    /// Puts `item` (its key included).
    pub fn put_action(
        &self,
        item: Item,
        spell: impl FnOnce(PutBuilder) -> PutBuilder,
    ) -> Result<TransactWriteItem, Failure> {
        let put = spell(Put::builder().table_name(self.table()).set_item(Some(item)))
            .build()
            .map_err(build_error)?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    pub fn update_action(
        &self,
        pk: impl Into<String>,
        sk: impl Into<String>,
        spell: impl FnOnce(UpdateBuilder) -> UpdateBuilder,
    ) -> Result<TransactWriteItem, Failure> {
        let update = spell(Update::builder().table_name(self.table()).key(PK, s(pk)).key(SK, s(sk)))
            .build()
            .map_err(build_error)?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    pub fn delete_action(
        &self,
        pk: impl Into<String>,
        sk: impl Into<String>,
        spell: impl FnOnce(DeleteBuilder) -> DeleteBuilder,
    ) -> Result<TransactWriteItem, Failure> {
        let delete = spell(Delete::builder().table_name(self.table()).key(PK, s(pk)).key(SK, s(sk)))
            .build()
            .map_err(build_error)?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }

    /// A condition on an item the transaction does not write.
    pub fn check_action(
        &self,
        pk: impl Into<String>,
        sk: impl Into<String>,
        spell: impl FnOnce(ConditionCheckBuilder) -> ConditionCheckBuilder,
    ) -> Result<TransactWriteItem, Failure> {
        let check = spell(
            ConditionCheck::builder()
                .table_name(self.table())
                .key(PK, s(pk))
                .key(SK, s(sk)),
        )
        .build()
        .map_err(build_error)?;
        Ok(TransactWriteItem::builder().condition_check(check).build())
    }
}

impl Db {
    /// An `UpdateItem` of the item at (`pk`, `sk`), for the caller to give its expressions.
    pub fn update_item(
        &self,
        pk: String,
        sk: &str,
    ) -> aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder {
        self.client
            .update_item()
            .table_name(self.table())
            .key(PK, s(pk))
            .key(SK, s(sk))
    }

    /// One item by key, strongly consistent, mapped to `T`; `None` when absent.
    pub async fn get_item<T: serde::de::DeserializeOwned>(
        &self,
        pk: String,
        sk: &str,
        what: &'static str,
    ) -> Result<Option<T>, Failure> {
        let out = self
            .client
            .get_item()
            .table_name(self.table())
            .key(PK, s(pk))
            .key(SK, s(sk))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| db_error(what, e))?;
        out.item
            .map(|item| serde_dynamo::from_item(item).map_err(|e| mapping_error(what, e)))
            .transpose()
    }

    /// Every item of the table partition `pk`, following `LastEvaluatedKey` past 1 MB pages;
    /// `spell` adds what the read needs (consistency, a filter, a projection).
    pub async fn query_partition(
        &self,
        pk: &str,
        spell: impl Fn(QueryFluentBuilder) -> QueryFluentBuilder,
        operation: &'static str,
    ) -> Result<Vec<Item>, Failure> {
        let mut items = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let query = self
                .client
                .query()
                .table_name(self.table())
                .key_condition_expression("PK = :pk")
                .expression_attribute_values(":pk", s(pk))
                .set_exclusive_start_key(start.take());
            let out = spell(query).send().await.map_err(|e| db_error(operation, e))?;
            items.extend(out.items.unwrap_or_default());
            match out.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => return Ok(items),
            }
        }
    }

    /// Puts `item` only if no item has its key: `true` when written, `false` when one was there
    /// (a marker or a record seen before).
    pub async fn put_new(&self, item: Item, operation: &'static str) -> Result<bool, Failure> {
        write_gate().await?;
        let res = self
            .client
            .put_item()
            .table_name(self.table())
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .await;
        condition_held(res, operation)
    }

    /// Puts `item` whatever was there (an item nothing else writes, such as a connection's).
    pub async fn put(&self, item: Item, operation: &'static str) -> Result<(), Failure> {
        write_gate().await?;
        self.client
            .put_item()
            .table_name(self.table())
            .set_item(Some(item))
            .send()
            .await
            .map_err(|e| db_error(operation, e))?;
        Ok(())
    }

    /// Deletes the item at (`pk`, `sk`), whatever it holds.
    pub async fn delete(&self, pk: String, sk: &str, operation: &'static str) -> Result<(), Failure> {
        write_gate().await?;
        self.client
            .delete_item()
            .table_name(self.table())
            .key(PK, s(pk))
            .key(SK, s(sk))
            .send()
            .await
            .map_err(|e| db_error(operation, e))?;
        Ok(())
    }

    /// Deletes the item at (`pk`, `sk`) while `condition` holds of it: false when it did not.
    pub async fn delete_if(
        &self,
        pk: String,
        sk: &str,
        condition: &str,
        values: impl IntoIterator<Item = (&'static str, AttributeValue)>,
        operation: &'static str,
    ) -> Result<bool, Failure> {
        write_gate().await?;
        let mut req = self
            .client
            .delete_item()
            .table_name(self.table())
            .key(PK, s(pk))
            .key(SK, s(sk))
            .condition_expression(condition);
        for (k, v) in values {
            req = req.expression_attribute_values(k, v);
        }
        condition_held(req.send().await, operation)
    }

    /// Reads items by (PK, SK) in one strongly consistent BatchGetItem (at most 100 keys),
    /// asking again only for keys DynamoDB returned as unprocessed.
    pub async fn batch_get(&self, keys: Vec<(String, String)>, operation: &'static str) -> Result<Vec<Item>, Failure> {
        self.batch_get_from(keys, None, operation).await
    }

    /// [`Db::batch_get`], each item projected to `projection` (with `names` for the `#name`s in
    /// it).
    pub async fn batch_get_projected(
        &self,
        keys: Vec<(String, String)>,
        projection: &str,
        names: &[(&str, &str)],
        operation: &'static str,
    ) -> Result<Vec<Item>, Failure> {
        self.batch_get_from(keys, Some((projection, names)), operation).await
    }

    /// Every key's item, in BatchGetItem calls of at most [`BATCH_GET_KEYS`] keys (DynamoDB
    /// refuses more in one call), each retried for its unprocessed keys.
    async fn batch_get_from(
        &self,
        keys: Vec<(String, String)>,
        projection: Option<(&str, &[(&str, &str)])>,
        operation: &'static str,
    ) -> Result<Vec<Item>, Failure> {
        let mut found = Vec::new();
        for chunk in keys.chunks(BATCH_GET_KEYS) {
            found.extend(self.batch_get_chunk(chunk.to_vec(), projection, operation).await?);
        }
        Ok(found)
    }

    async fn batch_get_chunk(
        &self,
        keys: Vec<(String, String)>,
        projection: Option<(&str, &[(&str, &str)])>,
        operation: &'static str,
    ) -> Result<Vec<Item>, Failure> {
        use aws_sdk_dynamodb::types::KeysAndAttributes;
        let mut found = Vec::new();
        if keys.is_empty() {
            return Ok(found);
        }
        let mut request = KeysAndAttributes::builder()
            .set_keys(Some(
                keys.into_iter()
                    .map(|(pk, sk)| Item::from([(PK.to_owned(), s(pk)), (SK.to_owned(), s(sk))]))
                    .collect(),
            ))
            .consistent_read(true);
        if let Some((projection, names)) = projection {
            request = request.projection_expression(projection);
            for (name, attribute) in names {
                request = request.expression_attribute_names(*name, *attribute);
            }
        }
        let mut request = request.build().map_err(build_error)?;
        for attempt in 0..6u32 {
            let out = self
                .client
                .batch_get_item()
                .request_items(self.table(), request.clone())
                .send()
                .await
                .map_err(|e| db_error(operation, e))?;
            found.extend(
                out.responses
                    .and_then(|mut r| r.remove(self.table()))
                    .unwrap_or_default(),
            );
            match out.unprocessed_keys.and_then(|mut u| u.remove(self.table())) {
                Some(rest) if !rest.keys().is_empty() => {
                    request = rest;
                    tokio::time::sleep(std::time::Duration::from_millis(10 * (1 << attempt))).await;
                }
                _ => return Ok(found),
            }
        }
        Err(Failure::Unavailable(anyhow::anyhow!(
            "{operation}: keys stayed unprocessed"
        )))
    }
}

/// The most keys DynamoDB takes in one BatchGetItem call.
pub const BATCH_GET_KEYS: usize = 100;

/// One page of an index partition, newest first, and the key to continue after.
pub struct Page<T> {
    pub items: Vec<T>,
    pub last_key: Option<Item>,
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            last_key: self.last_key,
        }
    }
}

impl Db {
    /// One page of the partition `pk` of `index`, sort key descending (newest first for ULID
    /// sort keys), each item mapped to `T` (`what` names it in errors).
    pub async fn query_page<T: serde::de::DeserializeOwned>(
        &self,
        index: Index,
        pk: String,
        page: &PageRequest,
        what: &'static str,
    ) -> Result<Page<T>, Failure> {
        self.query_page_of(index, pk, page, None, what).await
    }

    /// [`Db::query_page`], each item read only for `attributes` (a projection: the rest is
    /// never sent, so never decoded).
    pub async fn query_page_projected<T: serde::de::DeserializeOwned>(
        &self,
        index: Index,
        pk: String,
        page: &PageRequest,
        attributes: &[&str],
        what: &'static str,
    ) -> Result<Page<T>, Failure> {
        self.query_page_of(index, pk, page, Some(attributes), what).await
    }

    /// One page of the table partition `pk`, oldest sort key first (a directory's entries) or
    /// newest first.
    pub async fn query_table_page(
        &self,
        pk: String,
        page: &PageRequest,
        newest_first: bool,
        what: &'static str,
    ) -> Result<Page<Item>, Failure> {
        let query = self
            .client
            .query()
            .key_condition_expression("PK = :pk")
            .expression_attribute_values(":pk", s(pk));
        self.one_page(query, page, newest_first, what).await
    }

    /// Sends `query` (its key condition set) for one page of `page` of this table, the newest
    /// sort key first or the oldest: the items and the key to continue after.
    async fn one_page(
        &self,
        query: QueryFluentBuilder,
        page: &PageRequest,
        newest_first: bool,
        what: &'static str,
    ) -> Result<Page<Item>, Failure> {
        let out = query
            .table_name(self.table())
            .scan_index_forward(!newest_first)
            .limit(page.limit)
            .set_exclusive_start_key(page.start.clone())
            .send()
            .await
            .map_err(|e| db_error(what, e))?;
        Ok(Page {
            items: out.items.unwrap_or_default(),
            last_key: out.last_evaluated_key.filter(|k| !k.is_empty()),
        })
    }

    /// One page of the items of the table partition `pk` whose sort key begins with `prefix`,
    /// the greatest sort key first (newest first for ULIDs and zero-padded sequence numbers).
    pub async fn query_prefix_page<T: serde::de::DeserializeOwned>(
        &self,
        pk: String,
        prefix: &str,
        page: &PageRequest,
        what: &'static str,
    ) -> Result<Page<T>, Failure> {
        let query = self
            .client
            .query()
            .key_condition_expression("PK = :pk AND begins_with(SK, :prefix)")
            .expression_attribute_values(":pk", s(pk))
            .expression_attribute_values(":prefix", s(prefix));
        typed(self.one_page(query, page, true, what).await?, what)
    }

    async fn query_page_of<T: serde::de::DeserializeOwned>(
        &self,
        index: Index,
        pk: String,
        page: &PageRequest,
        attributes: Option<&[&str]>,
        what: &'static str,
    ) -> Result<Page<T>, Failure> {
        let mut query = self
            .client
            .query()
            .index_name(index.name)
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", index.pk)
            .expression_attribute_values(":pk", s(pk));
        if let Some(attributes) = attributes {
            query = projected(query, attributes);
        }
        typed(self.one_page(query, page, true, what).await?, what)
    }
}

/// A page of items, each mapped to `T` (`what` names it in errors).
fn typed<T: serde::de::DeserializeOwned>(page: Page<Item>, what: &'static str) -> Result<Page<T>, Failure> {
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(|item| from_item(item, what))
            .collect::<Result<_, _>>()?,
        last_key: page.last_key,
    })
}

/// Maps a stored item to `T` (attributes `T` does not name, such as the keys, are ignored).
pub fn from_item<T: serde::de::DeserializeOwned>(item: Item, what: &'static str) -> Result<T, Failure> {
    serde_dynamo::from_item(item).map_err(|e| mapping_error(what, e))
}

/// Maps `value` to an item and adds its key attributes.
pub fn to_item<T: serde::Serialize>(
    value: &T,
    keys: impl IntoIterator<Item = (&'static str, String)>,
    what: &'static str,
) -> Result<Item, Failure> {
    let mut item: Item = serde_dynamo::to_item(value).map_err(|e| mapping_error(what, e))?;
    for (name, value) in keys {
        item.insert(name.to_owned(), s(value));
    }
    Ok(item)
}

/// `SET` of every attribute of `fields` (`#f0 = :f0, ...`, in name order): the clause, and the
/// names and values to bind to its placeholders.
pub struct SetAll {
    pub clause: String,
    pub names: Vec<(String, String)>,
    pub values: Vec<(String, AttributeValue)>,
}

pub fn set_all(fields: &Item) -> SetAll {
    let mut attributes: Vec<(&String, &AttributeValue)> = fields.iter().collect();
    attributes.sort_by(|a, b| a.0.cmp(b.0));
    let mut out = SetAll {
        clause: String::from("SET "),
        names: Vec::with_capacity(attributes.len()),
        values: Vec::with_capacity(attributes.len()),
    };
    for (i, (name, value)) in attributes.into_iter().enumerate() {
        if i > 0 {
            out.clause.push_str(", ");
        }
        out.clause.push_str(&format!("#f{i} = :f{i}"));
        out.names.push((format!("#f{i}"), name.clone()));
        out.values.push((format!(":f{i}"), value.clone()));
    }
    out
}

pub fn sk_of(item: &Item) -> &str {
    item.get(SK)
        .and_then(|v| v.as_s().ok())
        .map(String::as_str)
        .unwrap_or_default()
}

pub fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

pub fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}
