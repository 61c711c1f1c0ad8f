//! `live`: how long a kitchen's status change takes to reach the customer's page over the
//! WebSocket (started by `infra/bench/live.sh`, against the local API, the local WebSocket
//! gateway and the notifier reading the local table's stream).
//!
//! A customer opens a socket with a ticket; for each of `--orders` pickup orders the kitchen
//! marks it paid and walks it through confirmed, preparing, ready and completed, and each of
//! those four changes is timed from the moment the kitchen's request is sent to the moment the
//! customer's socket gets the `order.updated` frame saying so. Prints p50, p90, p99 and the
//! worst, and fails if a frame does not come within 10 s.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;
use futures::StreamExt as _;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

#[path = "../codes.rs"]
mod codes;
#[path = "../stats.rs"]
mod stats;
use codes::code_for;
use stats::percentile;

#[derive(Parser)]
#[command(about = "Status change to the customer's socket: latency over the local stack")]
struct Args {
    #[arg(long)]
    api: String,
    #[arg(long)]
    moto: String,
    /// Orders walked through the lifecycle (four timed changes each).
    #[arg(long, default_value_t = 25)]
    orders: usize,
    #[arg(long, env = "LOAD_ADMIN_EMAIL")]
    admin_email: String,
    #[arg(long, env = "LOAD_ADMIN_PASSWORD")]
    admin_password: String,
    #[arg(long)]
    out: Option<PathBuf>,
}

struct Api {
    http: reqwest::Client,
    base: String,
}

impl Api {
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> anyhow::Result<(u16, Value)> {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.with_context(|| path.to_owned())?;
        let status = res.status().as_u16();
        Ok((status, res.json().await.unwrap_or(Value::Null)))
    }

    async fn login(&self, identifier: &str, password: &str) -> anyhow::Result<String> {
        let (status, body) = self
            .call(
                reqwest::Method::POST,
                "/api/auths/login/",
                None,
                Some(json!({"identifier": identifier, "password": password})),
            )
            .await?;
        if status != 200 {
            bail!("login of {identifier}: {status} {body}");
        }
        body["access"].as_str().map(str::to_owned).context("no access token")
    }
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Waits for the `order.updated` frame saying `order` is now `status`.
async fn frame(socket: &mut Socket, order: &str, status: &str) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let next = tokio::time::timeout(left, socket.next())
            .await
            .with_context(|| format!("no frame for {order} {status} within 10 s"))?
            .context("the socket closed")??;
        if let Message::Text(text) = next {
            let f: Value = serde_json::from_str(text.as_str()).unwrap_or(Value::Null);
            if f["type"] == "order.updated" && f["order"]["id"] == order && f["order"]["status"] == status {
                return Ok(());
            }
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let api = Api {
        http: reqwest::Client::new(),
        base: args.api.trim_end_matches('/').to_owned(),
    };
    let admin = api.login(&args.admin_email, &args.admin_password).await?;
    let email = format!("live-{}@bench.example", ulid::Ulid::new().to_string().to_lowercase());
    let password = "live-bench-password";
    let (status, body) = api
        .call(
            reqwest::Method::POST,
            "/api/auths/signup/",
            None,
            Some(json!({"identifier": email, "password": password})),
        )
        .await?;
    if status != 201 {
        bail!("signup: {status} {body}");
    }
    let otp = code_for(&api.http, &args.moto, &email).await?;
    let (status, body) = api
        .call(
            reqwest::Method::POST,
            "/api/auths/verify/",
            None,
            Some(json!({"identifier": email, "otp": otp})),
        )
        .await?;
    if status != 200 {
        bail!("verify: {status} {body}");
    }
    let customer = api.login(&email, password).await?;
    let (_, ticket) = api
        .call(reqwest::Method::POST, "/api/realtime/ticket/", Some(&customer), None)
        .await?;
    let url = format!(
        "{}?ticket={}",
        ticket["url"].as_str().context("no socket url")?,
        ticket["ticket"].as_str().context("no ticket")?
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(url)
        .await
        .context("opening the socket")?;
    let (_, menu) = api.call(reqwest::Method::GET, "/api/foods/", None, None).await?;
    let dish = menu["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|d| d["stock"].is_null() && d["is_available"] == true)
        .and_then(|d| d["id"].as_str())
        .context("an untracked dish on the menu")?
        .to_owned();

    let mut latencies = Vec::new();
    let mut requests = Vec::new();
    for _ in 0..args.orders {
        let (status, placed) = api
            .call(
                reqwest::Method::POST,
                "/api/orders/",
                Some(&customer),
                Some(json!({"items": [{"food_item_id": dish, "quantity": 1}], "fulfilment": "pickup"})),
            )
            .await?;
        if status != 201 {
            bail!("placing: {status} {placed}");
        }
        let id = placed["order"]["id"].as_str().context("order id")?.to_owned();
        frame(&mut socket, &id, "pending").await?;
        let (status, body) = api
            .call(
                reqwest::Method::PATCH,
                &format!("/api/orders/admin/{id}/payment-status/"),
                Some(&admin),
                Some(json!({"payment_status": "paid"})),
            )
            .await?;
        if status != 200 {
            bail!("paid: {status} {body}");
        }
        for step in ["confirmed", "preparing", "ready_for_pickup", "completed"] {
            let sent = Instant::now();
            let (status, body) = api
                .call(
                    reqwest::Method::PATCH,
                    &format!("/api/orders/admin/{id}/status/"),
                    Some(&admin),
                    Some(json!({"status": step})),
                )
                .await?;
            requests.push(sent.elapsed().as_secs_f64() * 1e3);
            if status != 200 {
                bail!("{step}: {status} {body}");
            }
            frame(&mut socket, &id, step).await?;
            latencies.push(sent.elapsed().as_secs_f64() * 1e3);
        }
    }
    let line = |name: &str, v: &[f64]| {
        format!(
            "| {name} | {} | {:.0} ms | {:.0} ms | {:.0} ms | {:.0} ms |",
            v.len(),
            percentile(v, 50.0),
            percentile(v, 90.0),
            percentile(v, 99.0),
            v.iter().copied().fold(0.0, f64::max)
        )
    };
    let report = format!(
        "| from the kitchen's request to | changes | p50 | p90 | p99 | worst |\n|---|---|---|---|---|---|\n{}\n{}\n",
        line("its answer (the status change stored)", &requests),
        line("the customer's socket getting the frame", &latencies),
    );
    print!("{report}");
    if let Some(out) = args.out {
        std::fs::write(out, &report)?;
    }
    Ok(())
}
