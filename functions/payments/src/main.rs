//! One Lambda, two event sources: API Gateway's requests (the routes) and the change stream's
//! batches (the refund worker).

use lambda_runtime::{LambdaEvent, service_fn};
use tower::{Service, ServiceExt};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::telemetry::init();
    let app = shared::App::from_env(payments::FUNCTION)
        .await
        .inspect_err(|err| tracing::error!(error = %err, "invalid configuration"))?;
    let worker = app
        .payments
        .clone()
        .ok_or("the payments function holds no Paystack key")?;
    let patience = app.config.stream_patience;
    let http = lambda_http::Adapter::from(payments::router(app));
    lambda_runtime::run(service_fn(|event: LambdaEvent<serde_json::Value>| {
        let (worker, mut http) = (&worker, http.clone());
        async move {
            let (payload, context) = event.into_parts();
            if payments::is_stream_batch(&payload) {
                let batch = serde_json::from_value(payload)?;
                return Ok::<_, lambda_runtime::Error>(serde_json::to_value(
                    payments::refund_batch(worker, &batch, patience).await,
                )?);
            }
            let request = serde_json::from_value(payload)?;
            let response = http.ready().await?.call(LambdaEvent::new(request, context)).await?;
            Ok(serde_json::to_value(response)?)
        }
    }))
    .await
}
