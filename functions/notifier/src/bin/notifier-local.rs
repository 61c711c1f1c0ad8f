//! `notifier-local`: the notifier fed by the local table's stream (`infra/local/dev.sh up` runs
//! it). Same configuration as the function, plus `DYNAMODB_ENDPOINT` (DynamoDB Local).
#![recursion_limit = "256"]

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    shared::telemetry::init();
    let config = shared::config::Config::from_env()?;
    let sdk = shared::aws::sdk_config().await;
    let db = shared::App::db_of(&config, &sdk);
    let service = shared::app::notifier_from_env().await?;
    tracing::info!(table = %config.table_name, "reading the local table's stream");
    notifier::local::LocalStream::of(&sdk, config.dynamodb_endpoint.as_deref(), db)
        .checkpointed_from_env()
        .run(async |batch| notifier::handle(&service, batch).await, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await;
    Ok(())
}
