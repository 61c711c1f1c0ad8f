//! Which AWS actions each function performs, as IAM names them (`dynamodb:PutItem` on the table,
//! `dynamodb:Query` on an index, `ses:SendEmail`, ...), recorded while the tests and the API
//! fuzzing run so that the test command can hold them against each function's policy in
//! `infra/template.yaml` (DynamoDB Local and moto ignore IAM; AWS does not).
//!
//! Off unless `ACTIONS_LOG` names a file: then each (function, action, resource) is appended to
//! it once per process, tab-separated. The function is the one API Gateway routes the request's
//! path to ([`crate::platform::routes::function_for`]).

use std::collections::HashSet;
use std::io::Write as _;
use std::sync::{Mutex, OnceLock};

/// What kind of resource an action is performed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resource {
    Table,
    Index,
    /// A secret, as the template names it (`TokenKeysSecret`, `CodeKeysSecret`, `PaystackSecret`).
    Secret(&'static str),
    /// The dish photos' bucket (`ImagesBucket`).
    Images,
    /// Anything else (an SES identity, an SMS number).
    Other,
}

impl Resource {
    pub fn as_str(self) -> &'static str {
        match self {
            Resource::Table => "table",
            Resource::Index => "index",
            Resource::Secret(name) => name,
            Resource::Images => "images",
            Resource::Other => "other",
        }
    }
}

tokio::task_local! {
    static FUNCTION: &'static str;
}

struct Log {
    seen: HashSet<(&'static str, String, Resource)>,
    file: std::fs::File,
}

fn log() -> Option<&'static Mutex<Log>> {
    static LOG: OnceLock<Option<Mutex<Log>>> = OnceLock::new();
    LOG.get_or_init(|| {
        let path = std::env::var_os("ACTIONS_LOG")?;
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .inspect_err(|err| tracing::warn!(error = %err, "ACTIONS_LOG cannot be opened; actions are not recorded"))
            .ok()?;
        Some(Mutex::new(Log {
            seen: HashSet::new(),
            file,
        }))
    })
    .as_ref()
}

/// Whether actions are being recorded.
pub fn enabled() -> bool {
    log().is_some()
}

/// Runs `work` as `function` (its actions are recorded as that function's).
pub async fn within<F: Future>(function: &'static str, work: F) -> F::Output {
    FUNCTION.scope(function, work).await
}

/// Records that the current function performed `action` on `resource` (nothing outside a
/// function, e.g. the operator command, or when recording is off).
pub fn record(action: &str, resource: Resource) {
    let Some(log) = log() else { return };
    let Ok(function) = FUNCTION.try_with(|f| *f) else {
        return;
    };
    let Ok(mut log) = log.lock() else { return };
    if log.seen.insert((function, action.to_owned(), resource)) {
        let line = format!("{function}\t{action}\t{}\n", resource.as_str());
        if let Err(err) = log.file.write_all(line.as_bytes()) {
            tracing::warn!(error = %err, "could not record an action");
        }
    }
}
