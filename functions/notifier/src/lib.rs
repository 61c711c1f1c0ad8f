//! `notifier` function: reads the table's change stream (a DynamoDB Streams event source
//! mapping) and sends what each change tells the kitchen and the customers. Records are handled
//! in order; the first that fails is reported (`ReportBatchItemFailures`), so the stream retries
//! from it and nothing after it is lost or sent out of order.

use aws_lambda_events::event::dynamodb::{Event, EventRecord};
use aws_lambda_events::event::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use lambda_runtime::LambdaEvent;
use shared::notifications::{NotificationService, StreamChange};

#[cfg(feature = "local")]
pub mod local;

/// The name the action log and the template know this function by.
pub const FUNCTION: &str = "notifier";

/// A stream record as the notifications slice takes it (an absent image is `None`).
pub fn change_of(record: &EventRecord) -> StreamChange {
    let image = |item: &serde_dynamo::Item| {
        (!item.is_empty())
            .then(|| std::collections::HashMap::<String, aws_sdk_dynamodb::types::AttributeValue>::from(item.clone()))
    };
    StreamChange {
        event_id: record.event_id.clone(),
        old: image(&record.change.old_image),
        new: image(&record.change.new_image),
    }
}

/// Handles a batch: every record up to the first failure; that one (by its sequence number) is
/// reported as the batch's failure.
///
/// Logs one "batch finished" line with what the batch cost in DynamoDB, as the HTTP functions
/// log "request finished".
pub async fn handle(service: &NotificationService, event: &Event) -> DynamoDbEventResponse {
    let started = std::time::Instant::now();
    let (response, db) = shared::platform::db::measure(shared::platform::actions::within(
        FUNCTION,
        handle_records(service, event),
    ))
    .await;
    shared::log_finished!(
        "batch finished",
        db,
        started,
        records = event.records.len(),
        failed = response.batch_item_failures.len(),
    );
    response
}

async fn handle_records(service: &NotificationService, event: &Event) -> DynamoDbEventResponse {
    let mut response = DynamoDbEventResponse::default();
    for record in &event.records {
        if let Err(err) = service.handle(change_of(record)).await {
            tracing::error!(event_id = %record.event_id, error = %err, "stream record failed; the stream retries from it");
            // The type is non-exhaustive: no struct literal.
            #[allow(clippy::field_reassign_with_default)]
            let mut failure = DynamoDbBatchItemFailure::default();
            failure.item_identifier = record.change.sequence_number.clone();
            response.batch_item_failures.push(failure);
            break;
        }
    }
    response
}

/// The Lambda entry point.
pub async fn handler(
    service: &NotificationService,
    event: LambdaEvent<Event>,
) -> Result<DynamoDbEventResponse, lambda_runtime::Error> {
    Ok(handle(service, &event.payload).await)
}
