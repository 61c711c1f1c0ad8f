//! `local-refunds`: the payments function's refund worker fed by the local table's stream, as
//! Lambda's event source mapping feeds it on AWS (`infra/local/dev.sh up` runs it). Same
//! configuration as the payments function.
#![recursion_limit = "256"]

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    shared::telemetry::init();
    let app = shared::App::from_env(payments::FUNCTION).await?;
    let worker = app
        .payments
        .clone()
        .ok_or_else(|| anyhow::anyhow!("the refund worker needs Paystack's key (PAYSTACK_SECRET_KEY)"))?;
    let patience = app.config.stream_patience;
    let sdk = shared::aws::sdk_config().await;
    tracing::info!(table = %app.config.table_name, "refund worker reading the local table's stream");
    notifier::local::LocalStream::of(&sdk, app.config.dynamodb_endpoint.as_deref(), app.db().clone())
        .retrying(notifier::local::REFUND_RETRIES)
        .in_batches_of(notifier::local::REFUND_BATCH_SIZE)
        .checkpointed_from_env()
        .run(
            async |batch| payments::refund_batch(&worker, batch, patience).await,
            async {
                let _ = tokio::signal::ctrl_c().await;
            },
        )
        .await;
    Ok(())
}
