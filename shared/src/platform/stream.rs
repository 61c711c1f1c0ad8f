//! Consuming the table's change stream (a Lambda event source mapping): a batch's records are
//! handled in order, and the first that fails is reported by its sequence number
//! (`ReportBatchItemFailures`), so the stream retries from it and nothing after it is lost or
//! handled out of order. One "batch finished" line says what the batch cost, as the HTTP
//! functions' "request finished" does.

use aws_lambda_events::event::dynamodb::{Event, EventRecord};
use aws_lambda_events::event::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};

/// Runs `handle` on each record of `event` in order, as `function` (for the action log), up to
/// the first failure, which is reported.
pub async fn in_order<E: std::fmt::Display>(
    function: &'static str,
    event: &Event,
    handle: impl AsyncFn(&EventRecord) -> Result<(), E>,
) -> DynamoDbEventResponse {
    let started = std::time::Instant::now();
    let records = async {
        let mut response = DynamoDbEventResponse::default();
        for record in &event.records {
            if let Err(err) = handle(record).await {
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
    };
    let (response, db) = crate::platform::db::measure(crate::platform::actions::within(function, records)).await;
    crate::log_finished!(
        "batch finished",
        db,
        started,
        records = event.records.len(),
        failed = response.batch_item_failures.len(),
    );
    response
}

/// A string attribute of a record's key or image (`None` if absent or not a string).
pub fn string_of<'a>(item: &'a serde_dynamo::Item, name: &str) -> Option<&'a str> {
    match item.get(name) {
        Some(serde_dynamo::AttributeValue::S(value)) => Some(value),
        _ => None,
    }
}
