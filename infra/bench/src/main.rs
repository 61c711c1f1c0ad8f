//! `bench`: runs every function's release binary under a local Lambda Runtime API against
//! DynamoDB Local and the SES/SNS emulator, and prints per function and route: cold start next
//! to a hello-world Lambda, first-invocation latency, warm p50/p99, CPU per request, DynamoDB
//! round trips and consumed capacity (as the functions log them), peak RSS and binary size,
//! with pass/fail against the targets. Started by `infra/bench/run.sh`.

mod cost;
mod process;
mod runtime;
mod scenarios;
mod stats;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use process::FunctionProcess;
use stats::percentile;

#[derive(Parser, Clone)]
#[command(about = "Benchmark the Chuks Kitchen functions")]
pub struct Args {
    /// Directory holding the release binaries (signup, ..., hello-lambda).
    #[arg(long, default_value = "target/release")]
    pub bin_dir: PathBuf,
    /// Directory of cargo-lambda arm64 builds (<function>/bootstrap), for sizes.
    #[arg(long, default_value = "target/lambda")]
    pub arm64_dir: PathBuf,
    #[arg(long, env = "BENCH_DYNAMODB")]
    pub dynamodb: String,
    #[arg(long, env = "BENCH_MOTO")]
    pub moto: String,
    /// Cold starts per function (each alternated with a hello-world cold start).
    #[arg(long, default_value_t = 9)]
    pub cold_runs: usize,
    /// Measured warm requests per route.
    #[arg(long, default_value_t = 100)]
    pub requests: usize,
    /// Unmeasured warm-up requests per route.
    #[arg(long, default_value_t = 10)]
    pub warmup: usize,
    /// Only these functions (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
    /// Only the routes whose name contains this (e.g. "GET /api/orders"), for profiling one.
    #[arg(long)]
    pub route: Option<String>,
    /// Also write the report (markdown) here.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// The local Paystack (infra/local/paystack/server.py, started with the bench's key), for the
    /// payments function; without it, payments cannot be measured.
    #[arg(long, env = "BENCH_PAYSTACK")]
    pub paystack: Option<String>,
    /// The SAM template: each function's memory size, for the cost table.
    #[arg(long, default_value = "infra/template.yaml")]
    pub template: PathBuf,
}

pub const FUNCTIONS: &[&str] = &[
    "signup", "verify", "login", "foods", "orders", "admin", "payments", "notifier",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Read,
    Write,
    Placement,
    StatusChange,
}

#[derive(Default)]
struct RouteResult {
    route: String,
    kind: Option<Kind>,
    hashes_password: bool,
    first_ms: f64,
    p50_ms: f64,
    p99_ms: f64,
    cpu_ms: f64,
    calls: f64,
    round_trips: f64,
    capacity: f64,
    paystack_calls: u32,
}

/// The hello-world Lambda on one tokio runtime flavour: the floor under every function.
struct Baseline {
    flavor: &'static str,
    init_ms: Vec<f64>,
    first_ms: f64,
    p50_ms: f64,
    p99_ms: f64,
    cpu_ms: f64,
    peak_rss_kib: u64,
}

#[derive(Default)]
struct FunctionResult {
    init_ms: Vec<f64>,
    /// Cold starts with the key rings from `JWT_SECRET` instead of Secrets Manager.
    env_keys_init_ms: Vec<f64>,
    hello_init_ms: Vec<f64>,
    peak_rss_kib: u64,
    routes: Vec<RouteResult>,
}

fn median(v: &[f64]) -> f64 {
    percentile(v, 50.0)
}

/// "median ms (min-max)".
fn spread(v: &[f64]) -> String {
    let min = v.iter().copied().fold(f64::INFINITY, f64::min);
    let max = v.iter().copied().fold(0.0, f64::max);
    format!("{:.2} ms ({:.2}-{:.2})", median(v), min, max)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let env = scenarios::function_env(&args, scenarios::KeySource::Secrets);
    let env_keys = scenarios::function_env(&args, scenarios::KeySource::Environment);
    let functions: Vec<&str> = FUNCTIONS
        .iter()
        .copied()
        .filter(|f| args.only.is_empty() || args.only.iter().any(|o| o == f))
        .collect();
    eprintln!("preparing data ...");
    let data = scenarios::Data::prepare(&args).await?;
    let hello = args.bin_dir.join("hello-lambda");
    let mut results: BTreeMap<&str, FunctionResult> = BTreeMap::new();

    for &function in &functions {
        let binary = args.bin_dir.join(function);
        let result = results.entry(function).or_default();
        eprintln!(
            "{function}: {} cold starts, alternating with hello-lambda",
            args.cold_runs
        );
        for _ in 0..args.cold_runs {
            let h = FunctionProcess::start(&hello, "hello", &[]).await?;
            result.hello_init_ms.push(ms(h.init));
            h.stop().await;
            let f = FunctionProcess::start(&binary, function, &env).await?;
            result.init_ms.push(ms(f.init));
            f.stop().await;
            if !shared::platform::routes::key_rings_for(function).is_empty() {
                let f = FunctionProcess::start(&binary, function, &env_keys).await?;
                result.env_keys_init_ms.push(ms(f.init));
                f.stop().await;
            }
        }
        for scenario in data
            .scenarios(function, args.warmup + args.requests + 1)
            .await?
            .into_iter()
            .filter(|s| args.route.as_ref().is_none_or(|r| s.route.contains(r.as_str())))
        {
            eprintln!("{function}: {}", scenario.route);
            let mut proc = FunctionProcess::start(&binary, function, &env).await?;
            result.init_ms.push(ms(proc.init));
            let mut events = scenario.events.into_iter();
            let first = events.next().ok_or_else(|| anyhow::anyhow!("no events"))?;
            let (first_latency, response) = proc.invoke(first).await?;
            scenarios::check(&scenario.route, scenario.expect, &response)?;
            run_warm(
                &mut proc,
                &scenario.route,
                scenario.expect,
                events.by_ref().take(args.warmup),
            )
            .await?;
            let (latencies, cpu) = run_warm(&mut proc, &scenario.route, scenario.expect, events).await?;
            let db = proc.last_requests_db(latencies.len()).await;
            result.peak_rss_kib = result.peak_rss_kib.max(proc.peak_rss_kib());
            let avg = |f: fn(&process::RequestDb) -> f64| db.iter().map(f).sum::<f64>() / db.len().max(1) as f64;
            result.routes.push(RouteResult {
                route: scenario.route.clone(),
                kind: Some(scenario.kind),
                hashes_password: scenario.hashes_password,
                first_ms: ms(first_latency),
                p50_ms: median(&latencies),
                p99_ms: percentile(&latencies, 99.0),
                cpu_ms: ms(cpu) / latencies.len().max(1) as f64,
                calls: avg(|d| d.calls as f64),
                round_trips: avg(|d| d.round_trips as f64),
                capacity: avg(|d| d.capacity_units),
                paystack_calls: scenario.paystack_calls,
            });
            proc.stop().await;
        }
    }

    let mut baselines = Vec::new();
    for flavor in ["current_thread", "multi_thread"] {
        eprintln!("hello-lambda on tokio {flavor}");
        baselines.push(baseline(&args, &hello, flavor).await?);
    }

    let mut report = render(&args, &functions, &results, &baselines);
    let sizes = cost::memory_sizes(&std::fs::read_to_string(&args.template)?)?;
    let measured: Vec<cost::Measured> = functions
        .iter()
        .filter_map(|f| results.get(f).map(|r| (*f, r)))
        .flat_map(|(function, r)| {
            r.routes.iter().map(move |route| cost::Measured {
                function,
                route: &route.route,
                cpu_ms: route.cpu_ms,
                round_trips: route.round_trips,
                capacity: route.capacity,
                paystack_calls: route.paystack_calls,
            })
        })
        .collect();
    cost::render(&mut report, &measured, &sizes);
    println!("{report}");
    if let Some(out) = &args.out {
        std::fs::write(out, &report)?;
        eprintln!("report written to {}", out.display());
    }
    Ok(())
}

/// Invokes `events` one after the other on a warm process, checking each status: their
/// latencies (ms) and the CPU time the process spent on them.
async fn run_warm(
    proc: &mut FunctionProcess,
    route: &str,
    expect: scenarios::Expect,
    events: impl IntoIterator<Item = String>,
) -> anyhow::Result<(Vec<f64>, Duration)> {
    let cpu_before = proc.cpu_time();
    let mut latencies = Vec::new();
    for event in events {
        let (latency, response) = proc.invoke(event).await?;
        scenarios::check(route, expect, &response)?;
        latencies.push(ms(latency));
    }
    Ok((latencies, proc.cpu_time().saturating_sub(cpu_before)))
}

/// Cold starts, then warm invocations with an API Gateway event, of the hello-world Lambda.
async fn baseline(args: &Args, hello: &std::path::Path, flavor: &'static str) -> anyhow::Result<Baseline> {
    let env = [("HELLO_RUNTIME".to_owned(), flavor.to_owned())];
    let mut init_ms = Vec::new();
    for _ in 0..args.cold_runs {
        let p = FunctionProcess::start(hello, "hello", &env).await?;
        init_ms.push(ms(p.init));
        p.stop().await;
    }
    let event = || scenarios::event("GET", "/api/foods/", "", None, None, &[]);
    let events = |n| (0..n).map(|_| event());
    let mut proc = FunctionProcess::start(hello, "hello", &env).await?;
    let (first, _) = proc.invoke(event()).await?;
    run_warm(&mut proc, "hello", scenarios::Expect::Status(200), events(args.warmup)).await?;
    let (latencies, cpu) = run_warm(
        &mut proc,
        "hello",
        scenarios::Expect::Status(200),
        events(args.requests),
    )
    .await?;
    let result = Baseline {
        flavor,
        first_ms: ms(first),
        p50_ms: median(&latencies),
        p99_ms: percentile(&latencies, 99.0),
        cpu_ms: ms(cpu) / latencies.len().max(1) as f64,
        peak_rss_kib: proc.peak_rss_kib(),
        init_ms,
    };
    proc.stop().await;
    Ok(result)
}

fn size(path: &std::path::Path) -> Option<u64> {
    std::fs::metadata(path).ok().map(|m| m.len())
}

fn mb(bytes: u64) -> String {
    format!("{:.2} MB", bytes as f64 / 1_048_576.0)
}

fn pass(ok: bool) -> &'static str {
    if ok { "pass" } else { "FAIL" }
}

fn render(args: &Args, functions: &[&str], results: &BTreeMap<&str, FunctionResult>, baselines: &[Baseline]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## Summary per function\n");
    let _ = writeln!(
        out,
        "| function | init median (min-max) | hello-world init median (min-max) | ratio | target <= 1.5x | peak RSS | target <= 32 MB | x86_64 binary | arm64 binary | target <= 8 MB |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|---|---|");
    for &f in functions {
        let Some(r) = results.get(f) else { continue };
        // The ratio compares only the dedicated, alternated cold starts.
        let own = &r.init_ms[..args.cold_runs.min(r.init_ms.len())];
        let ratio = median(own) / median(&r.hello_init_ms);
        let x86 = size(&args.bin_dir.join(f));
        let arm = size(&args.arm64_dir.join(f).join("bootstrap"));
        let rss_mb = r.peak_rss_kib as f64 / 1024.0;
        // The target is the deployed (arm64) binary's; without an arm64 build, the x86_64 one
        // stands in.
        let deployed = arm.or(x86).unwrap_or(0);
        let _ = writeln!(
            out,
            "| {f} | {} | {} | {ratio:.2}x | {} | {rss_mb:.1} MB | {} | {} | {} | {} |",
            spread(own),
            spread(&r.hello_init_ms),
            pass(ratio <= 1.5),
            pass(rss_mb <= 32.0),
            x86.map(mb).unwrap_or_else(|| "-".into()),
            arm.map(mb).unwrap_or_else(|| "not built".into()),
            pass(deployed <= 8 * 1_048_576),
        );
    }
    let _ = writeln!(out, "\n## Reading the key rings at cold start\n");
    let _ = writeln!(
        out,
        "Each function with key rings started {} times reading them from Secrets Manager (one `GetSecretValue` per ring, here to moto on loopback) and {} times from `JWT_SECRET`, alternated.\n",
        args.cold_runs, args.cold_runs
    );
    let _ = writeln!(
        out,
        "| function | init, keys from Secrets Manager | init, keys from the environment | difference (medians) |"
    );
    let _ = writeln!(out, "|---|---|---|---|");
    for &f in functions {
        let Some(r) = results.get(f) else { continue };
        if r.env_keys_init_ms.is_empty() {
            continue;
        }
        let own = &r.init_ms[..args.cold_runs.min(r.init_ms.len())];
        let _ = writeln!(
            out,
            "| {f} | {} | {} | {:+.2} ms |",
            spread(own),
            spread(&r.env_keys_init_ms),
            median(own) - median(&r.env_keys_init_ms)
        );
    }
    let _ = writeln!(out, "\n## The floor: a hello-world Lambda\n");
    let _ = writeln!(
        out,
        "`hello-lambda` answers a fixed body: what the runtime API exchange and the process cost with no work at all. Same event size as a menu request, {} warm requests after {} warm-up requests.\n",
        args.requests, args.warmup
    );
    let _ = writeln!(
        out,
        "| tokio runtime | init median (min-max) | first invocation | warm p50 | warm p99 | CPU / request | peak RSS |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|");
    for b in baselines {
        let _ = writeln!(
            out,
            "| {} | {} | {:.2} ms | {:.2} ms | {:.2} ms | {:.3} ms | {:.1} MB |",
            b.flavor,
            spread(&b.init_ms),
            b.first_ms,
            b.p50_ms,
            b.p99_ms,
            b.cpu_ms,
            b.peak_rss_kib as f64 / 1024.0
        );
    }
    let _ = writeln!(out, "\n## Per route\n");
    let _ = writeln!(
        out,
        "Warm figures over {} sequential requests after {} warm-up requests, each route in a fresh process (its first invocation is the cold one). DynamoDB figures are per request, as the function logged them: operations, sequential round trips (operations run side by side count once), capacity units reported by DynamoDB Local.\n",
        args.requests, args.warmup
    );
    let _ = writeln!(
        out,
        "| function | route | first invocation | warm p50 | warm p99 | CPU / request | DynamoDB calls | round trips | target | capacity units | CPU target |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|---|---|---|");
    for &f in functions {
        let Some(r) = results.get(f) else { continue };
        for route in &r.routes {
            let round_trip_target = match route.kind {
                Some(Kind::Read) => format!("= 1: {}", pass(route.round_trips <= 1.0)),
                Some(Kind::Placement) => format!("<= 2: {}", pass(route.round_trips <= 2.0)),
                Some(Kind::StatusChange) => format!("= 1: {}", pass(route.round_trips <= 1.0)),
                _ => "-".into(),
            };
            let cpu_target = if route.hashes_password {
                "argon2 route".to_owned()
            } else {
                format!("<= 1 ms: {}", pass(route.cpu_ms <= 1.0))
            };
            let _ = writeln!(
                out,
                "| {f} | {} | {:.2} ms | {:.2} ms | {:.2} ms | {:.3} ms | {:.2} | {:.2} | {round_trip_target} | {:.2} | {cpu_target} |",
                route.route,
                route.first_ms,
                route.p50_ms,
                route.p99_ms,
                route.cpu_ms,
                route.calls,
                route.round_trips,
                route.capacity
            );
        }
    }
    out
}
