//! A small implementation of the Lambda Runtime API (`/2018-06-01/runtime/...`), enough to run
//! a function binary as Lambda does: it hands out one event per `invocation/next` and collects
//! the responses, noting when the process first asked for work (the end of its init).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use tokio::sync::{Mutex, mpsc, oneshot};

pub struct Invocation {
    pub id: String,
    pub body: String,
}

pub enum Outcome {
    Response { id: String, body: String, at: Instant },
    Error { id: String, body: String },
    InitError(String),
}

struct Shared {
    events: Mutex<mpsc::Receiver<Invocation>>,
    ready: Mutex<Option<oneshot::Sender<Instant>>>,
    outcomes: mpsc::UnboundedSender<Outcome>,
}

/// One runtime API server, for one function process.
pub struct RuntimeApi {
    pub addr: SocketAddr,
    events: mpsc::Sender<Invocation>,
    outcomes: mpsc::UnboundedReceiver<Outcome>,
    ready: Option<oneshot::Receiver<Instant>>,
    server: tokio::task::JoinHandle<()>,
}

async fn next(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    if let Some(tx) = shared.ready.lock().await.take() {
        let _ = tx.send(Instant::now());
    }
    let event = shared.events.lock().await.recv().await;
    let Some(event) = event else {
        // No more work: keep the caller waiting until it is stopped.
        std::future::pending::<()>().await;
        unreachable!()
    };
    let mut headers = HeaderMap::new();
    let deadline = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis()
        + 900_000;
    let header = |v: String| HeaderValue::from_str(&v).unwrap_or(HeaderValue::from_static("x"));
    headers.insert("lambda-runtime-aws-request-id", header(event.id.clone()));
    headers.insert("lambda-runtime-deadline-ms", header(deadline.to_string()));
    headers.insert(
        "lambda-runtime-invoked-function-arn",
        HeaderValue::from_static("arn:aws:lambda:us-east-1:123456789012:function:bench"),
    );
    headers.insert(
        "lambda-runtime-trace-id",
        header(format!("Root=1-00000000-{}", event.id)),
    );
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    (StatusCode::OK, headers, event.body)
}

async fn response(State(shared): State<Arc<Shared>>, Path(id): Path<String>, body: String) -> StatusCode {
    let _ = shared.outcomes.send(Outcome::Response {
        id,
        body,
        at: Instant::now(),
    });
    StatusCode::ACCEPTED
}

async fn error(State(shared): State<Arc<Shared>>, Path(id): Path<String>, body: String) -> StatusCode {
    let _ = shared.outcomes.send(Outcome::Error { id, body });
    StatusCode::ACCEPTED
}

async fn init_error(State(shared): State<Arc<Shared>>, body: String) -> StatusCode {
    let _ = shared.outcomes.send(Outcome::InitError(body));
    StatusCode::ACCEPTED
}

impl RuntimeApi {
    pub async fn start() -> anyhow::Result<Self> {
        let (events_tx, events_rx) = mpsc::channel(1);
        let (outcomes_tx, outcomes_rx) = mpsc::unbounded_channel();
        let (ready_tx, ready_rx) = oneshot::channel();
        let shared = Arc::new(Shared {
            events: Mutex::new(events_rx),
            ready: Mutex::new(Some(ready_tx)),
            outcomes: outcomes_tx,
        });
        let app = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route("/2018-06-01/runtime/invocation/{id}/response", post(response))
            .route("/2018-06-01/runtime/invocation/{id}/error", post(error))
            .route("/2018-06-01/runtime/init/error", post(init_error))
            .with_state(shared);
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self {
            addr,
            events: events_tx,
            outcomes: outcomes_rx,
            ready: Some(ready_rx),
            server,
        })
    }

    /// When the process first asked for an event: the end of its init.
    pub async fn ready(&mut self, timeout: Duration) -> anyhow::Result<Instant> {
        let rx = self
            .ready
            .take()
            .ok_or_else(|| anyhow::anyhow!("ready() called twice"))?;
        tokio::select! {
            at = rx => Ok(at?),
            Some(Outcome::InitError(body)) = self.outcomes.recv() => Err(anyhow::anyhow!("init error: {body}")),
            _ = tokio::time::sleep(timeout) => Err(anyhow::anyhow!("the function did not start within {timeout:?}")),
        }
    }

    /// Hands one event to the function and waits for its answer; returns the latency (event
    /// handed out -> response received) and the response.
    pub async fn invoke(&mut self, body: String) -> anyhow::Result<(Duration, String)> {
        let id = ulid::Ulid::new().to_string();
        let sent = Instant::now();
        self.events.send(Invocation { id: id.clone(), body }).await?;
        let deadline = tokio::time::sleep(Duration::from_secs(30));
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                outcome = self.outcomes.recv() => match outcome {
                    Some(Outcome::Response { id: got, body, at }) if got == id => return Ok((at - sent, body)),
                    Some(Outcome::Error { id: got, body }) if got == id => anyhow::bail!("invocation error: {body}"),
                    Some(Outcome::InitError(body)) => anyhow::bail!("init error: {body}"),
                    Some(_) => continue,
                    None => anyhow::bail!("runtime API closed"),
                },
                _ = &mut deadline => anyhow::bail!("no response within 30 s"),
            }
        }
    }
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        self.server.abort();
    }
}
