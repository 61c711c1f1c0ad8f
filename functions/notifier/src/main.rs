// The runtime future nests the SDK clients deeply enough to need more than the default depth.
#![recursion_limit = "256"]

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::telemetry::init();
    let service = shared::app::notifier_from_env()
        .await
        .inspect_err(|err| tracing::error!(error = %err, "invalid configuration"))?;
    lambda_runtime::run(lambda_runtime::service_fn(|event| notifier::handler(&service, event))).await
}
