//! `notifier` function: reads the table's change stream (a DynamoDB Streams event source
//! mapping) and sends what each change tells the kitchen and the customers. Records are handled
//! in order; the first that fails is reported (`ReportBatchItemFailures`), so the stream retries
//! from it and nothing after it is lost or sent out of order.

// The handler's future nests every notification's flow (inbox, reports, alerts, frames, mail):
// built alone (as `sam build` builds it), computing its layout needs more than the default 128.
#![recursion_limit = "256"]

use aws_lambda_events::event::dynamodb::{Event, EventRecord};
use aws_lambda_events::event::streams::DynamoDbEventResponse;
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
        at: shared::platform::clock::rfc3339_of_epoch(record.change.approximate_creation_date_time.timestamp()),
        old: image(&record.change.old_image),
        new: image(&record.change.new_image),
    }
}

/// Handles a batch: every record up to the first failure (tried again for up to the service's
/// patience); that one (by its sequence number) is reported as the batch's failure
/// (`shared::platform::stream::in_order`).
pub async fn handle(service: &NotificationService, event: &Event) -> DynamoDbEventResponse {
    shared::platform::stream::in_order(FUNCTION, event, service.patience(), async |record| {
        service.handle(change_of(record)).await.map(|_| ())
    })
    .await
}

/// The Lambda entry point.
pub async fn handler(
    service: &NotificationService,
    event: LambdaEvent<Event>,
) -> Result<DynamoDbEventResponse, lambda_runtime::Error> {
    Ok(handle(service, &event.payload).await)
}
