//! A function process under the local runtime API: start it cold, invoke it, and read what the
//! kernel says about it (CPU time, peak memory) and what it logged (DynamoDB use per request).

use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::runtime::RuntimeApi;

pub struct FunctionProcess {
    child: Child,
    pub pid: u32,
    pub runtime: RuntimeApi,
    /// Start -> first `invocation/next`.
    pub init: Duration,
    logs: Arc<Mutex<Vec<String>>>,
}

/// The DynamoDB use one request logged.
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestDb {
    pub calls: u64,
    pub round_trips: u64,
    pub capacity_units: f64,
}

impl FunctionProcess {
    pub async fn start(binary: &Path, name: &str, env: &[(String, String)]) -> anyhow::Result<Self> {
        let mut runtime = RuntimeApi::start().await?;
        let mut cmd = Command::new(binary);
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("AWS_LAMBDA_RUNTIME_API", runtime.addr.to_string())
            .env("AWS_LAMBDA_FUNCTION_NAME", name)
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512")
            .env("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/{name}"))
            .env("AWS_LAMBDA_LOG_STREAM_NAME", "bench")
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let started = Instant::now();
        let mut child = cmd.spawn()?;
        let pid = child.id().ok_or_else(|| anyhow::anyhow!("no pid"))?;
        let logs = Arc::new(Mutex::new(Vec::new()));
        for stream in [
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn tokio::io::AsyncRead + Unpin + Send>),
            child.stderr.take().map(|s| Box::new(s) as _),
        ]
        .into_iter()
        .flatten()
        {
            let logs = logs.clone();
            tokio::spawn(async move {
                let mut lines = BufReader::new(stream).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Ok(mut l) = logs.lock() {
                        l.push(line);
                    }
                }
            });
        }
        let ready = runtime.ready(Duration::from_secs(30)).await;
        let ready = match ready {
            Ok(at) => at,
            Err(e) => {
                let logs = logs.lock().map(|l| l.join("\n")).unwrap_or_default();
                anyhow::bail!("{name}: {e}\n{logs}");
            }
        };
        Ok(Self {
            child,
            pid,
            runtime,
            init: ready - started,
            logs,
        })
    }

    pub async fn invoke(&mut self, event: String) -> anyhow::Result<(Duration, Value)> {
        let (latency, body) = self.runtime.invoke(event).await?;
        Ok((latency, serde_json::from_str(&body)?))
    }

    /// CPU time (user + system) of every thread so far, from /proc/<pid>/task/*/schedstat.
    pub fn cpu_time(&self) -> Duration {
        let mut total = 0u64;
        if let Ok(tasks) = std::fs::read_dir(format!("/proc/{}/task", self.pid)) {
            for task in tasks.flatten() {
                if let Ok(stat) = std::fs::read_to_string(task.path().join("schedstat")) {
                    total += stat
                        .split_whitespace()
                        .next()
                        .and_then(|v| v.parse::<u64>().ok())
                        .unwrap_or(0);
                }
            }
        }
        Duration::from_nanos(total)
    }

    /// Peak resident memory (VmHWM), in KiB.
    pub fn peak_rss_kib(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.pid))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmHWM:"))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|v| v.parse().ok())
            })
            .unwrap_or(0)
    }

    /// The DynamoDB figures of the last `n` requests, from their "request finished" log lines
    /// ("batch finished" for the stream consumer).
    pub async fn last_requests_db(&self, n: usize) -> Vec<RequestDb> {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let logs = self.logs.lock().map(|l| l.clone()).unwrap_or_default();
        let finished: Vec<RequestDb> = logs
            .iter()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .filter(|v| {
                matches!(
                    v["fields"]["message"].as_str(),
                    Some("request finished" | "batch finished")
                )
            })
            .map(|v| RequestDb {
                calls: v["fields"]["dynamodb_calls"].as_u64().unwrap_or(0),
                round_trips: v["fields"]["dynamodb_round_trips"].as_u64().unwrap_or(0),
                capacity_units: v["fields"]["dynamodb_capacity_units"].as_f64().unwrap_or(0.0),
            })
            .collect();
        finished[finished.len().saturating_sub(n)..].to_vec()
    }

    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}
