//! Passwords: 8 to 128 characters, stored only as an argon2id hash.
//!
//! Parameters are explicit (OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane) and hashing runs
//! on one dedicated thread, so a login never stalls the async executor. One thread, not the
//! blocking pool: each pool thread got its own malloc arena that kept its own 19 MiB, which the
//! benchmark measured as 120-220 MB of resident memory; one thread keeps one. Unknown users are checked
//! against a dummy hash with the same parameters, so both failures cost the same time.

use std::fmt;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

pub const MIN_CHARS: usize = 8;
pub const MAX_CHARS: usize = 128;

/// Memory cost in KiB, passes and lanes of every hash we make.
pub const ARGON2_M_COST_KIB: u32 = 19 * 1024;
pub const ARGON2_T_COST: u32 = 2;
pub const ARGON2_P_COST: u32 = 1;

/// A hash (of a random password nobody knows) made with the parameters above; verifying against
/// it costs the same as verifying a real user's hash.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$3qJ3mCvdtAEN1JRzc2c4Dw$oLSQXEAhx7qSNbaKtCsySwLMOvbZ8SUIQvnWF0ZDBrA";

#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be {MIN_CHARS} to {MAX_CHARS} characters")]
pub struct PasswordError;

impl Password {
    pub fn parse(raw: String) -> Result<Self, PasswordError> {
        let n = raw.chars().count();
        if (MIN_CHARS..=MAX_CHARS).contains(&n) {
            Ok(Self(raw))
        } else {
            Err(PasswordError)
        }
    }

    /// For checking a login attempt: any length is accepted (a wrong length is just a wrong
    /// password), bounded so nobody makes us hash megabytes.
    pub fn candidate(raw: String) -> Self {
        Self(raw.chars().take(MAX_CHARS + 1).collect())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

type Job = Box<dyn FnOnce() + Send>;

/// Runs `work` on the hashing thread (started on first use) and awaits its result.
async fn on_hashing_thread<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> anyhow::Result<T> {
    static WORKER: std::sync::OnceLock<std::sync::mpsc::Sender<Job>> = std::sync::OnceLock::new();
    let worker = WORKER.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("argon2".into())
            .spawn(move || {
                for job in rx {
                    job();
                }
            })
            .expect("the hashing thread starts");
        tx
    });
    let (tx, rx) = tokio::sync::oneshot::channel();
    worker
        .send(Box::new(move || {
            let _ = tx.send(work());
        }))
        .map_err(|_| anyhow::anyhow!("the hashing thread is gone"))?;
    Ok(rx.await?)
}

#[derive(Clone)]
pub struct PasswordHasher {
    argon2: Argon2<'static>,
}

impl Default for PasswordHasher {
    fn default() -> Self {
        Self::new()
    }
}

impl PasswordHasher {
    pub fn new() -> Self {
        let params = Params::new(ARGON2_M_COST_KIB, ARGON2_T_COST, ARGON2_P_COST, None)
            .expect("argon2 parameters are constants within argon2's bounds");
        Self {
            argon2: Argon2::new(Algorithm::Argon2id, Version::V0x13, params),
        }
    }

    /// Hashes on the hashing thread.
    pub async fn hash(&self, password: Password) -> anyhow::Result<String> {
        let argon2 = self.argon2.clone();
        on_hashing_thread(move || {
            let salt = SaltString::generate(&mut OsRng);
            argon2
                .hash_password(password.expose().as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| anyhow::anyhow!("argon2 hash failed: {e}"))
        })
        .await?
    }

    /// Verifies on the hashing thread. `None` (unknown user) checks the dummy hash and fails.
    pub async fn verify(&self, password: Password, stored: Option<String>) -> bool {
        let argon2 = self.argon2.clone();
        let known = stored.is_some();
        on_hashing_thread(move || {
            let stored = stored.unwrap_or_else(|| DUMMY_HASH.to_owned());
            let ok = match PasswordHash::new(&stored) {
                Ok(parsed) => argon2.verify_password(password.expose().as_bytes(), &parsed).is_ok(),
                Err(err) => {
                    tracing::error!(error = %err, "stored password hash is malformed");
                    false
                }
            };
            ok && known
        })
        .await
        .unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_is_counted_in_characters() {
        assert!(Password::parse("1234567".into()).is_err());
        assert!(Password::parse("12345678".into()).is_ok());
        assert!(Password::parse("é".repeat(128)).is_ok());
        assert!(Password::parse("é".repeat(129)).is_err());
    }

    #[test]
    fn debug_never_shows_the_password() {
        assert!(!format!("{:?}", Password::parse("hunter2hunter2".into()).unwrap()).contains("hunter2"));
    }

    #[test]
    fn dummy_hash_uses_the_live_parameters() {
        let parsed = PasswordHash::new(DUMMY_HASH).unwrap();
        assert_eq!(parsed.algorithm.as_str(), "argon2id");
        let params = Params::try_from(&parsed).unwrap();
        assert_eq!(params.m_cost(), ARGON2_M_COST_KIB);
        assert_eq!(params.t_cost(), ARGON2_T_COST);
        assert_eq!(params.p_cost(), ARGON2_P_COST);
    }

    #[tokio::test]
    async fn hash_then_verify_round_trips() {
        let hasher = PasswordHasher::new();
        let hash = hasher
            .hash(Password::parse("correct horse".into()).unwrap())
            .await
            .unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(
            hasher
                .verify(Password::candidate("correct horse".into()), Some(hash.clone()))
                .await
        );
        assert!(
            !hasher
                .verify(Password::candidate("wrong horse".into()), Some(hash))
                .await
        );
    }

    #[tokio::test]
    async fn unknown_user_never_verifies() {
        let hasher = PasswordHasher::new();
        assert!(!hasher.verify(Password::candidate("anything".into()), None).await);
    }
}
