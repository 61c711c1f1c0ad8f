//! Consuming the table's change stream (a Lambda event source mapping): a batch's records are
//! handled in order, and the first that fails is reported by its sequence number
//! (`ReportBatchItemFailures`), so the stream retries from it and nothing after it is lost or
//! handled out of order. One "batch finished" line says what the batch cost, as the HTTP
//! functions' "request finished" does.

use std::time::Duration;

use aws_lambda_events::event::dynamodb::{Event, EventRecord};
use aws_lambda_events::event::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};

/// The first wait before a failed record is tried again within the batch; it doubles each time,
/// up to [`LONGEST_WAIT`].
const FIRST_WAIT: Duration = Duration::from_millis(250);
const LONGEST_WAIT: Duration = Duration::from_secs(4);

/// Runs `attempt` until it succeeds, trying again after 0.25 s, 0.5 s, ... up to 4 s between
/// tries while the next try would still start within `patience` of `begun`; the last failure
/// when it would not (each failure logged with `what`).
pub async fn patiently<T, E: std::fmt::Display>(
    begun: tokio::time::Instant,
    patience: Duration,
    what: &str,
    mut attempt: impl AsyncFnMut() -> Result<T, E>,
) -> Result<T, E> {
    let mut wait = FIRST_WAIT;
    let mut outcome = attempt().await;
    while let Err(err) = &outcome
        && begun.elapsed() + wait < patience
    {
        tracing::warn!(what, error = %err, wait_ms = wait.as_millis() as u64, "failed; trying it again");
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(LONGEST_WAIT);
        outcome = attempt().await;
    }
    outcome
}

/// Runs `handle` on each record of `event` in order, as `function` (for the action log), up to
/// the first failure, which is reported. A record that fails is tried again, waiting longer each
/// time, while the batch is younger than `patience` (set well inside the function's timeout): a
/// part that is down for a few seconds (the database, the email service, Paystack) costs a wait,
/// not one of the mapping's few retries (Lambda retries a stream batch at once, without backoff).
pub async fn in_order<E: std::fmt::Display>(
    function: &'static str,
    event: &Event,
    patience: Duration,
    handle: impl AsyncFn(&EventRecord) -> Result<(), E>,
) -> DynamoDbEventResponse {
    let started = std::time::Instant::now();
    let records = async {
        let mut response = DynamoDbEventResponse::default();
        let begun = tokio::time::Instant::now();
        for record in &event.records {
            let outcome = patiently(begun, patience, &record.event_id, async || handle(record).await).await;
            if let Err(err) = outcome {
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

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    fn two_records() -> Event {
        let record = |seq: &str| {
            serde_json::json!({
                "eventID": format!("event-{seq}"),
                "eventName": "MODIFY",
                "eventSource": "aws:dynamodb",
                "awsRegion": "eu-west-1",
                "dynamodb": {"Keys": {"PK": {"S": "X"}}, "SequenceNumber": seq, "SizeBytes": 1, "StreamViewType": "NEW_AND_OLD_IMAGES"}
            })
        };
        serde_json::from_value(serde_json::json!({"Records": [record("1"), record("2")]})).unwrap()
    }

    /// A handler whose first record fails `failures` times, then succeeds.
    async fn run(failures: usize, patience: Duration) -> (DynamoDbEventResponse, usize) {
        let tries = Cell::new(0);
        let response = in_order("test", &two_records(), patience, async |record| {
            if record.event_id == "event-1" {
                tries.set(tries.get() + 1);
                if tries.get() <= failures {
                    return Err("the email service is down");
                }
            }
            Ok(())
        })
        .await;
        (response, tries.get())
    }

    #[tokio::test(start_paused = true)]
    async fn a_write_failing_while_the_table_is_down_is_done_once_it_is_back_within_the_patience() {
        // The notifier's "sent" mark after the database died under it: tried until it is back
        // (here after 3 s), so the message does not look unfinished to the record's retry.
        let back = tokio::time::Instant::now() + Duration::from_secs(3);
        let tries = Cell::new(0);
        let marked = patiently(
            tokio::time::Instant::now(),
            Duration::from_secs(20),
            "mark",
            async || {
                tries.set(tries.get() + 1);
                if tokio::time::Instant::now() < back {
                    Err("connection refused")
                } else {
                    Ok(())
                }
            },
        )
        .await;
        assert_eq!(marked, Ok(()));
        assert!(tries.get() > 1);
        let never = patiently(
            tokio::time::Instant::now(),
            Duration::from_secs(2),
            "mark",
            async || Err::<(), _>("connection refused"),
        )
        .await;
        assert_eq!(
            never,
            Err("connection refused"),
            "past the patience the failure is given back"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_record_failing_for_a_while_is_tried_again_within_the_patience() {
        let (response, tries) = run(3, Duration::from_secs(20)).await;
        assert!(response.batch_item_failures.is_empty());
        assert_eq!(tries, 4);
    }

    #[tokio::test(start_paused = true)]
    async fn a_record_still_failing_when_the_patience_is_spent_is_reported_for_the_stream_to_retry() {
        let (response, tries) = run(usize::MAX, Duration::from_secs(3)).await;
        assert_eq!(response.batch_item_failures.len(), 1);
        assert_eq!(response.batch_item_failures[0].item_identifier.as_deref(), Some("1"));
        // 250 ms, 500 ms, 1 s waits fit in 3 s; the next (2 s) would not.
        assert_eq!(tries, 4);
        let (response, tries) = run(usize::MAX, Duration::ZERO).await;
        assert_eq!(
            (response.batch_item_failures.len(), tries),
            (1, 1),
            "no patience: no wait"
        );
    }
}
