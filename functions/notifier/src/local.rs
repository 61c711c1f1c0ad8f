//! The local stand-in for Lambda's stream event source mapping: reads the table's change stream
//! from DynamoDB Local (DescribeStream, GetShardIterator, GetRecords), turns each batch into the
//! Lambda event Lambda would send (the same JSON shape, parsed by the same types) and hands it
//! to a consumer's batch handler ([`crate::handle`] for the notifier; the payments function's
//! refund worker in `local-refunds`). A batch that reports a failure is delivered again from the failed
//! record, at most [`RETRIES`] times (the template's `MaximumRetryAttempts`), then set aside with
//! an error in the log (Lambda would put it on the failure queue). Batches are of the mapping's
//! size; with a checkpoint file (`LOCAL_STREAM_CHECKPOINT`) a restarted consumer goes on after
//! the last batch it finished, as the mapping does, instead of from the stream's start.

use std::collections::HashMap;
use std::time::Duration;

use aws_lambda_events::event::dynamodb::Event;
use aws_lambda_events::event::streams::DynamoDbEventResponse;
use aws_sdk_dynamodbstreams::Client;
use aws_sdk_dynamodbstreams::types::{Record, ShardIteratorType};
use serde_json::{Value, json};
use shared::platform::db::Db;

/// How many times a failed record is delivered again before it is set aside: the notifier's
/// event source mapping's `MaximumRetryAttempts` (infra/template.yaml), and the refund worker's.
pub const RETRIES: usize = 5;
pub const REFUND_RETRIES: usize = 10;
/// Records per batch: the notifier's mapping's `BatchSize`, and the refund worker's.
pub const BATCH_SIZE: usize = 25;
pub const REFUND_BATCH_SIZE: usize = 10;
/// How long the poller waits when the stream has nothing new.
const IDLE: Duration = Duration::from_millis(200);

pub struct LocalStream {
    client: Client,
    db: Db,
    /// Open shards and where reading each goes on.
    iterators: HashMap<String, String>,
    /// Shards read to their end.
    done: std::collections::HashSet<String>,
    /// How many times a failed record is delivered again.
    retries: usize,
    /// Records per batch handed to the consumer (the mapping's `BatchSize`).
    batch_size: usize,
    /// The last sequence number handled per shard, and the file that keeps them across a
    /// restart (none: a restart reads every shard from its start).
    positions: HashMap<String, String>,
    checkpoints: Option<std::path::PathBuf>,
}

impl LocalStream {
    /// The stream of `db`'s table, read through `endpoint` (DynamoDB Local) when one is given.
    pub fn of(sdk: &shared::aws::SdkConfig, endpoint: Option<&str>, db: Db) -> Self {
        let mut config = aws_sdk_dynamodbstreams::config::Builder::from(sdk);
        if let Some(endpoint) = endpoint {
            config = config.endpoint_url(endpoint);
        }
        Self::new(Client::from_conf(config.build()), db)
    }

    pub fn new(client: Client, db: Db) -> Self {
        Self {
            client,
            db,
            iterators: HashMap::new(),
            done: Default::default(),
            retries: RETRIES,
            batch_size: BATCH_SIZE,
            positions: HashMap::new(),
            checkpoints: None,
        }
    }

    /// The same stream handing at most `size` records per batch.
    pub fn in_batches_of(mut self, size: usize) -> Self {
        self.batch_size = size;
        self
    }

    /// The same stream keeping its position per shard in `file` (JSON), and going on from the
    /// position kept there: a consumer killed and started again resumes after the last batch it
    /// finished, as Lambda's event source mapping does, and redelivers the one it was killed in.
    pub fn checkpointed(mut self, file: impl Into<std::path::PathBuf>) -> Self {
        let file = file.into();
        self.positions = std::fs::read(&file)
            .ok()
            .and_then(|raw| serde_json::from_slice(&raw).ok())
            .unwrap_or_default();
        self.checkpoints = Some(file);
        self
    }

    /// The stream's checkpoint file from `LOCAL_STREAM_CHECKPOINT`, when set.
    pub fn checkpointed_from_env(self) -> Self {
        match std::env::var_os("LOCAL_STREAM_CHECKPOINT") {
            Some(file) if !file.is_empty() => self.checkpointed(file),
            _ => self,
        }
    }

    fn checkpoint(&mut self, shard: &str, sequence_number: String) {
        self.positions.insert(shard.to_owned(), sequence_number);
        let Some(file) = &self.checkpoints else { return };
        let written = serde_json::to_vec(&self.positions)
            .map_err(std::io::Error::other)
            .and_then(|raw| {
                let partial = file.with_extension("partial");
                std::fs::write(&partial, raw)?;
                std::fs::rename(&partial, file)
            });
        if let Err(err) = written {
            tracing::warn!(file = %file.display(), error = %err, "the stream's position was not kept");
        }
    }

    /// The same stream delivering a failed record again up to `retries` times.
    pub fn retrying(mut self, retries: usize) -> Self {
        self.retries = retries;
        self
    }

    /// Reads the stream until `stop` resolves, feeding every batch to the notifier.
    pub async fn run(
        mut self,
        handle: impl AsyncFn(&Event) -> DynamoDbEventResponse,
        stop: impl std::future::Future<Output = ()>,
    ) {
        tokio::pin!(stop);
        loop {
            let read = self.poll_once(&handle);
            tokio::select! {
                _ = &mut stop => return,
                result = read => match result {
                    Ok(0) => tokio::time::sleep(IDLE).await,
                    Ok(_) => {}
                    Err(err) => {
                        tracing::warn!(error = %format!("{err:#}"), "reading the local stream failed; trying again");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                },
            }
        }
    }

    /// One pass over the stream's shards: how many records were handed to the notifier.
    pub async fn poll_once(&mut self, handle: &impl AsyncFn(&Event) -> DynamoDbEventResponse) -> anyhow::Result<usize> {
        let Some(arn) = self.db.stream_arn().await? else {
            anyhow::bail!("the table {} has no stream", self.db.table());
        };
        self.discover(&arn).await?;
        let mut handled = 0;
        let shards: Vec<String> = self.iterators.keys().cloned().collect();
        for shard in shards {
            let Some(iterator) = self.iterators.get(&shard).cloned() else {
                continue;
            };
            let out = self.client.get_records().shard_iterator(iterator).send().await?;
            let records = out.records.unwrap_or_default();
            // Batches of the mapping's size, each checkpointed once handled (as Lambda moves
            // the shard's position past a batch only when the function is done with it).
            for batch in records.chunks(self.batch_size.max(1)) {
                handled += batch.len();
                deliver(handle, &arn, batch, self.retries).await;
                if let Some(last) = batch
                    .last()
                    .and_then(|r| r.dynamodb.as_ref())
                    .and_then(|c| c.sequence_number.clone())
                {
                    self.checkpoint(&shard, last);
                }
            }
            match out.next_shard_iterator {
                Some(next) => {
                    self.iterators.insert(shard, next);
                }
                None => {
                    self.iterators.remove(&shard);
                    self.done.insert(shard);
                }
            }
        }
        Ok(handled)
    }

    /// Starts reading every shard not read yet, from its oldest record.
    async fn discover(&mut self, arn: &str) -> anyhow::Result<()> {
        let description = self.client.describe_stream().stream_arn(arn).send().await?;
        let shards = description
            .stream_description
            .and_then(|d| d.shards)
            .unwrap_or_default();
        for shard in shards {
            let Some(id) = shard.shard_id else { continue };
            if self.iterators.contains_key(&id) || self.done.contains(&id) {
                continue;
            }
            // After the last batch handled (a restarted consumer goes on from there), else
            // from the shard's oldest record.
            let request = self.client.get_shard_iterator().stream_arn(arn).shard_id(&id);
            let request = match self.positions.get(&id) {
                Some(after) => request
                    .shard_iterator_type(ShardIteratorType::AfterSequenceNumber)
                    .sequence_number(after),
                None => request.shard_iterator_type(ShardIteratorType::TrimHorizon),
            };
            let out = request.send().await?;
            if let Some(iterator) = out.shard_iterator {
                self.iterators.insert(id, iterator);
            }
        }
        Ok(())
    }
}

/// Delivers `records` as Lambda would: again from the first failed record, a few times.
async fn deliver(
    handle: &impl AsyncFn(&Event) -> DynamoDbEventResponse,
    arn: &str,
    records: &[Record],
    retries: usize,
) {
    let mut pending: Vec<Value> = records.iter().map(|r| lambda_record(arn, r)).collect();
    for attempt in 0..=retries {
        let event: Event = match serde_json::from_value(json!({ "Records": pending })) {
            Ok(event) => event,
            Err(err) => {
                tracing::error!(error = %err, "a stream batch does not parse as Lambda's event; set aside");
                return;
            }
        };
        let response = handle(&event).await;
        let Some(failed) = response
            .batch_item_failures
            .first()
            .and_then(|f| f.item_identifier.clone())
        else {
            return;
        };
        let from = event
            .records
            .iter()
            .position(|r| r.change.sequence_number.as_deref() == Some(failed.as_str()))
            .unwrap_or(0);
        pending.drain(..from);
        if attempt < retries {
            tokio::time::sleep(Duration::from_millis(100 << attempt)).await;
        }
    }
    tracing::error!(
        records = pending.len(),
        "stream records still failing after retries; set aside (on AWS: the failure queue)"
    );
}

/// A stream record in the shape Lambda's DynamoDB event gives it.
fn lambda_record(arn: &str, record: &Record) -> Value {
    let image = |item: Option<&HashMap<String, aws_sdk_dynamodbstreams::types::AttributeValue>>| {
        item.map(|i| serde_json::to_value(serde_dynamo::Item::from(i.clone())).unwrap_or(Value::Null))
    };
    let change = record.dynamodb.as_ref();
    let mut dynamodb = json!({
        "ApproximateCreationDateTime": change
            .and_then(|c| c.approximate_creation_date_time)
            .map(|t| t.secs())
            .unwrap_or_default(),
        "Keys": image(change.and_then(|c| c.keys.as_ref())),
        "SequenceNumber": change.and_then(|c| c.sequence_number.clone()),
        "SizeBytes": change.and_then(|c| c.size_bytes).unwrap_or_default(),
        "StreamViewType": change.and_then(|c| c.stream_view_type.as_ref()).map(|v| v.as_str().to_owned()),
    });
    if let Some(new) = image(change.and_then(|c| c.new_image.as_ref())) {
        dynamodb["NewImage"] = new;
    }
    if let Some(old) = image(change.and_then(|c| c.old_image.as_ref())) {
        dynamodb["OldImage"] = old;
    }
    json!({
        "eventID": record.event_id,
        "eventName": record.event_name.as_ref().map(|n| n.as_str().to_owned()),
        "eventVersion": record.event_version,
        "eventSource": "aws:dynamodb",
        "awsRegion": record.aws_region,
        "eventSourceARN": arn,
        "dynamodb": dynamodb,
    })
}
