#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::telemetry::init();
    let app = shared::App::from_env("kitchens")
        .await
        .inspect_err(|err| tracing::error!(error = %err, "invalid configuration"))?;
    lambda_http::run(kitchens::router(app)).await
}
