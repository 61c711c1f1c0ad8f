#![recursion_limit = "256"]

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::telemetry::init();
    let app = shared::App::from_env(realtime::FUNCTION)
        .await
        .inspect_err(|err| tracing::error!(error = %err, "invalid configuration"))?;
    lambda_runtime::run(lambda_runtime::service_fn(|event| realtime::handler(&app, event))).await
}
