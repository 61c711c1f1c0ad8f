//! `expiry-local`: the expiry sweep every minute against the local table, as the schedule runs
//! the function on AWS (`infra/local/dev.sh up` runs it). Same configuration as the function.
#![recursion_limit = "256"]

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    shared::telemetry::init();
    let app = shared::App::from_env(expiry::FUNCTION).await?;
    let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
    tracing::info!("sweeping unpaid orders every minute");
    loop {
        tokio::select! {
            _ = every.tick() => {
                if let Err(err) = expiry::sweep(&app, shared::platform::clock::now_epoch()).await {
                    tracing::warn!(error = %err, "sweep failed; trying again in a minute");
                }
            }
            _ = tokio::signal::ctrl_c() => return Ok(()),
        }
    }
}
