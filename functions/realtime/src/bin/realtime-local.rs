//! `realtime-local`: the local WebSocket gateway (`infra/local/dev.sh up` runs it behind the
//! local front door). Same configuration as the function, plus `REALTIME_PORT` (9300).
#![recursion_limit = "256"]

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    shared::telemetry::init();
    let app = shared::App::from_env(realtime::FUNCTION).await?;
    let port: u16 = std::env::var("REALTIME_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(9300);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    tracing::info!(port, "local WebSocket gateway listening (/ws, /@connections/{{id}})");
    axum::serve(listener, realtime::local::Gateway::new(app).router())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
