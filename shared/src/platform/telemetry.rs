//! Logging: JSON lines on Lambda (CloudWatch parses them), readable text elsewhere.
//! Level from `RUST_LOG` (default `info`). Nothing secret is ever logged: passwords, OTPs and
//! tokens have redacting `Debug` impls or are never passed to a log macro, and the libraries that
//! print what goes over the wire at debug and trace levels (the AWS SDK's request and response
//! bodies carry code messages; the Lambda runtime's carry request bodies) are held at `info`
//! whatever `RUST_LOG` says.

use tracing_subscriber::EnvFilter;

/// Targets that log message bodies below `info`.
const WIRE_TARGETS: &[&str] = &[
    "aws_smithy_runtime",
    "aws_smithy_runtime_api",
    "aws_smithy_http_client",
    "aws_smithy_http",
    "aws_sdk_dynamodb",
    "aws_sdk_sesv2",
    "aws_sdk_sns",
    "aws_config",
    "aws_sigv4",
    "hyper",
    "hyper_util",
    "h2",
    "rustls",
    "lambda_runtime",
    "lambda_runtime_api_client",
    "lambda_http",
];

/// The filter for a `RUST_LOG`-style spec, with the wire-level targets held at `info`.
pub fn filter(spec: &str) -> EnvFilter {
    let mut filter = EnvFilter::try_new(spec).unwrap_or_else(|_| EnvFilter::new("info"));
    for target in WIRE_TARGETS {
        if let Ok(directive) = format!("{target}=info").parse() {
            filter = filter.add_directive(directive);
        }
    }
    filter
}

pub fn init() {
    let spec = std::env::var("RUST_LOG")
        .or_else(|_| std::env::var("AWS_LAMBDA_LOG_LEVEL"))
        .unwrap_or_else(|_| "info".into());
    let json = match std::env::var("LOG_FORMAT") {
        Ok(v) => v.eq_ignore_ascii_case("json"),
        Err(_) => std::env::var_os("AWS_LAMBDA_FUNCTION_NAME").is_some(),
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter(&spec))
        .with_target(false);
    let result = if json {
        builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .without_time()
            .try_init()
    } else {
        builder.with_ansi(false).try_init()
    };
    // A second init (tests) is harmless.
    let _ = result;
}

/// Logs the line that closes one unit of work (an HTTP request, a stream batch): its own
/// fields, then what it asked of DynamoDB (a [`crate::platform::db::DbUsage`]) and how long it
/// took since `started` (an `Instant`). The bench (`infra/bench/src/process.rs`) reads these
/// fields; they are named here only.
#[macro_export]
macro_rules! log_finished {
    ($message:literal, $usage:expr, $started:expr, $($field:ident = $value:expr),* $(,)?) => {{
        let usage: $crate::platform::db::DbUsage = $usage;
        ::tracing::info!(
            $($field = $value,)*
            dynamodb_calls = usage.calls,
            dynamodb_round_trips = usage.round_trips,
            dynamodb_capacity_units = usage.capacity_units,
            elapsed_ms = ($started.elapsed().as_secs_f64() * 1e6).round() / 1e3,
            $message
        )
    }};
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl Write for Buffer {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn even_at_trace_level_the_sdk_and_runtime_print_no_bodies() {
        let buffer = Buffer::default();
        let writer = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(super::filter("trace"))
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            tracing::trace!(target: "aws_smithy_runtime::client::http", "request body: code 123456");
            tracing::debug!(target: "lambda_runtime::layers", "event: password hunter2");
            tracing::info!(target: "aws_smithy_runtime::client", "retrying");
            tracing::debug!(target: "shared::orders", "our own debug line");
        });
        let out = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
        assert!(!out.contains("123456") && !out.contains("hunter2"), "{out}");
        assert!(out.contains("retrying") && out.contains("our own debug line"), "{out}");
    }
}
