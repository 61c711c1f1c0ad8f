//! `local-api`: every function behind one HTTP server on 127.0.0.1, each request handed to the
//! function API Gateway would route it to. Configured from the environment like the functions
//! (TABLE_NAME, JWT_SECRET or the key rings' secrets, OTP_SENDER_EMAIL, endpoint overrides); `LOCAL_API_PORT` (9100).
//! Used by the API fuzzing in `infra/local/dev.sh test`; `dev.sh up` uses `cargo lambda watch`.

use api_tests::{Function, routers_from_env};
use axum::extract::Request;
use tower::ServiceExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    shared::telemetry::init();
    // Each function reads its own configuration and key rings, as on Lambda.
    let routers = routers_from_env().await?;
    let dispatch = move |req: Request| {
        let router = routers[&Function::for_path(req.uri().path())].clone();
        async move {
            // The functions take Lambda's body type, as on AWS.
            let (parts, body) = req.into_parts();
            let bytes = axum::body::to_bytes(body, 1024 * 1024).await.unwrap_or_default();
            let req = http::Request::from_parts(parts, lambda_http::Body::from(bytes.to_vec()));
            match router.oneshot(req).await {
                Ok(response) => response,
                Err(never) => match never {},
            }
        }
    };
    let port: u16 = std::env::var("LOCAL_API_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(9100);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    tracing::info!(port, "local API listening");
    axum::serve(listener, axum::Router::new().fallback(dispatch))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
