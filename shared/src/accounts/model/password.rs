//! Passwords: 8 to 128 characters, stored only as an argon2id hash.
//!
//! Parameters are explicit (OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane) and hashing runs
//! on one dedicated thread, so a login never stalls the async executor. That thread owns one
//! 19 MiB working buffer reused by every hash: allocating it per hash made glibc keep each freed
//! buffer (resident memory grew 19 MiB per login up to ~160 MB, measured by the benchmark). Unknown users are checked
//! against a dummy hash with the same parameters, so both failures cost the same time.

use std::fmt;

use std::cell::RefCell;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

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

    /// Hashes on the hashing thread; returns the PHC string (`$argon2id$v=19$m=...`).
    pub async fn hash(&self, password: Password) -> anyhow::Result<String> {
        let argon2 = self.argon2.clone();
        on_hashing_thread(move || {
            let salt = SaltString::generate(&mut OsRng);
            let mut salt_bytes = [0u8; 64];
            let salt_raw = salt
                .decode_b64(&mut salt_bytes)
                .map_err(|e| anyhow::anyhow!("salt: {e}"))?;
            let mut out = [0u8; 32];
            with_blocks(argon2.params(), |blocks| {
                argon2.hash_password_into_with_memory(password.expose().as_bytes(), salt_raw, &mut out, blocks)
            })
            .map_err(|e| anyhow::anyhow!("argon2 hash failed: {e}"))?;
            let hash = Output::new(&out).map_err(|e| anyhow::anyhow!("argon2 output: {e}"))?;
            let p = argon2.params();
            Ok(format!(
                "$argon2id$v=19$m={},t={},p={}${}${}",
                p.m_cost(),
                p.t_cost(),
                p.p_cost(),
                salt.as_str(),
                hash
            ))
        })
        .await?
    }

    /// Verifies on the hashing thread. `None` (unknown user) checks the dummy hash and fails.
    pub async fn verify(&self, password: Password, stored: Option<String>) -> bool {
        let known = stored.is_some();
        on_hashing_thread(move || {
            let stored = stored.unwrap_or_else(|| DUMMY_HASH.to_owned());
            match verify_phc(password.expose().as_bytes(), &stored) {
                Ok(ok) => ok && known,
                Err(err) => {
                    tracing::error!(error = %err, "stored password hash is malformed");
                    false
                }
            }
        })
        .await
        .unwrap_or(false)
    }
}

thread_local! {
    /// The hashing thread's argon2 working memory, reused by every hash.
    static BLOCKS: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

fn with_blocks<T>(params: &Params, f: impl FnOnce(&mut [Block]) -> T) -> T {
    BLOCKS.with(|cell| {
        let mut blocks = cell.borrow_mut();
        if blocks.len() != params.block_count() {
            *blocks = vec![Block::default(); params.block_count()];
        }
        f(&mut blocks)
    })
}

/// Checks a password against a PHC string with the parameters recorded in it.
fn verify_phc(password: &[u8], phc: &str) -> anyhow::Result<bool> {
    let parsed = PasswordHash::new(phc).map_err(|e| anyhow::anyhow!("{e}"))?;
    anyhow::ensure!(parsed.algorithm.as_str() == "argon2id", "not an argon2id hash");
    let params = Params::try_from(&parsed).map_err(|e| anyhow::anyhow!("{e}"))?;
    let salt = parsed.salt.ok_or_else(|| anyhow::anyhow!("no salt"))?;
    let expected = parsed.hash.ok_or_else(|| anyhow::anyhow!("no hash"))?;
    let mut salt_bytes = [0u8; 64];
    let salt_raw = salt.decode_b64(&mut salt_bytes).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut out = vec![0u8; expected.len()];
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    with_blocks(&params, |blocks| {
        argon2.hash_password_into_with_memory(password, salt_raw, &mut out, blocks)
    })
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    // Output's equality is constant-time.
    Ok(Output::new(&out).map_err(|e| anyhow::anyhow!("{e}"))? == expected)
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
    async fn hashes_made_by_the_argon2_crate_still_verify() {
        use argon2::password_hash::PasswordHasher as _;
        let salt = SaltString::generate(&mut OsRng);
        let phc = PasswordHasher::new()
            .argon2
            .hash_password(b"correct horse", &salt)
            .unwrap()
            .to_string();
        assert!(verify_phc(b"correct horse", &phc).unwrap());
        assert!(!verify_phc(b"correct horsf", &phc).unwrap());
    }

    #[tokio::test]
    async fn unknown_user_never_verifies() {
        let hasher = PasswordHasher::new();
        assert!(!hasher.verify(Password::candidate("anything".into()), None).await);
    }
}
