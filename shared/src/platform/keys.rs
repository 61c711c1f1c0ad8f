//! The server's signing and MAC keys, in one place.
//!
//! Keys come in two rings, each read from its own secret so that each function can be given only
//! the one it needs (`crate::platform::routes::key_rings_for`):
//! - **token keys**: JWT signatures and pagination cursors (login, admin, orders);
//! - **code keys**: the MAC of one-time codes (signup, verify).
//!
//! A ring holds one or more master secrets, each under a key id (`kid`); one of them is active
//! (signs new values), the others still verify what they signed. Tokens carry the `kid` of the
//! key that signed them; codes and cursors are checked against every key of the ring. From each
//! master secret, every purpose gets its own key with HKDF-SHA256 and a distinct label, so a key
//! that leaks from one use (a cursor MAC, say) says nothing about another (JWT signatures), and no
//! key is the raw secret.
//!
//! On AWS a ring is a Secrets Manager secret, read at cold start and re-read in the background
//! once its copy is older than `KEYS_CACHE_SECONDS`; rotation (add a key, activate it, retire the
//! old one) is `kitchen-ops keys` and the deploy guide. Locally both rings come from
//! `JWT_SECRET` under the key id `local`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use hkdf::Hkdf;
use sha2::Sha256;

/// The shortest master secret accepted: HS256 keys shorter than the hash output are weak.
pub const MIN_SECRET_BYTES: usize = 32;

/// The member of a ring's secret that names the active key; every other member is a key.
pub const ACTIVE_MEMBER: &str = "active";

const SALT: &[u8] = b"chuks-kitchen/keys";
const JWT_LABEL: &[u8] = b"chuks-kitchen/jwt/hs256/v1";
const OTP_LABEL: &[u8] = b"chuks-kitchen/otp-mac/v1";
const CURSOR_LABEL: &[u8] = b"chuks-kitchen/cursor-mac/v1";

/// A 256-bit key for one purpose. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Key([u8; 32]);

impl Key {
    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// A key given as is (tests and tools that build one purpose alone).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(<redacted>)")
    }
}

/// The keys derived from one master secret, one per purpose.
#[derive(Clone, Debug)]
pub struct Keys {
    /// HS256 signing and verification of access and refresh tokens.
    pub jwt: Key,
    /// HMAC of one-time codes (bound to their identifier).
    pub otp: Key,
    /// HMAC of pagination cursors (bound to their listing).
    pub cursor: Key,
}

impl Keys {
    pub fn derive(master: &[u8]) -> Self {
        let hk = Hkdf::<Sha256>::new(Some(SALT), master);
        let expand = |label: &[u8]| {
            let mut okm = [0u8; 32];
            // 32 bytes is far below HKDF-SHA256's limit of 255 * 32: expand cannot fail.
            if hk.expand(label, &mut okm).is_err() {
                unreachable!("HKDF-SHA256 expands to 32 bytes");
            }
            Key(okm)
        };
        Self {
            jwt: expand(JWT_LABEL),
            otp: expand(OTP_LABEL),
            cursor: expand(CURSOR_LABEL),
        }
    }
}

/// Which ring a function reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// JWT signatures and cursor MACs.
    Tokens,
    /// One-time code MACs.
    Codes,
}

impl Purpose {
    pub const ALL: [Purpose; 2] = [Purpose::Tokens, Purpose::Codes];

    /// The variable naming the ring's secret (its ARN or name).
    pub fn secret_variable(self) -> &'static str {
        match self {
            Purpose::Tokens => "TOKEN_KEYS_SECRET_ID",
            Purpose::Codes => "CODE_KEYS_SECRET_ID",
        }
    }

    /// How the action log and the template name the secret (`TokenKeysSecret`, `CodeKeysSecret`).
    pub fn resource(self) -> &'static str {
        match self {
            Purpose::Tokens => "TokenKeysSecret",
            Purpose::Codes => "CodeKeysSecret",
        }
    }
}

/// Why a ring's secret was refused. Never contains key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RingError {
    #[error("the secret is not a JSON object of strings")]
    NotAnObject,
    #[error("the secret has no \"active\" member naming the signing key")]
    NoActive,
    #[error("the active key {0:?} is not in the secret")]
    ActiveMissing(String),
    #[error("key id {0:?} is not 1 to 64 of A-Z a-z 0-9 . _ -")]
    BadKid(String),
    #[error("key {kid:?} is {len} bytes long; at least {MIN_SECRET_BYTES} are required")]
    Short { kid: String, len: usize },
}

/// A function asked a ring it was not given for a key (a wiring bug: see
/// `crate::platform::routes::key_rings_for`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("this function holds no {0} keys")]
pub struct NoKeys(pub &'static str);

/// A key id, as a token's `kid` header carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kid(String);

impl Kid {
    pub fn parse(raw: &str) -> Result<Kid, RingError> {
        let ok = (1..=64).contains(&raw.len())
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if ok {
            Ok(Kid(raw.to_owned()))
        } else {
            Err(RingError::BadKid(raw.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The keys of one ring at one moment: the active one first.
#[derive(Debug, Clone, Default)]
pub struct Ring {
    entries: Vec<(Kid, Keys)>,
}

impl Ring {
    /// No keys: a function that does not use this ring.
    pub fn empty() -> Self {
        Self::default()
    }

    /// One key, active.
    pub fn single(kid: &str, master: &[u8]) -> Result<Self, RingError> {
        let kid = Kid::parse(kid)?;
        if master.len() < MIN_SECRET_BYTES {
            return Err(RingError::Short {
                kid: kid.0,
                len: master.len(),
            });
        }
        Ok(Self {
            entries: vec![(kid, Keys::derive(master))],
        })
    }

    /// A ring from its secret: `{"active": "<kid>", "<kid>": "<master secret>", ...}`.
    pub fn from_secret(text: &str) -> Result<Self, RingError> {
        let members: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(text).map_err(|_| RingError::NotAnObject)?;
        let active = members
            .get(ACTIVE_MEMBER)
            .ok_or(RingError::NoActive)?
            .as_str()
            .ok_or(RingError::NotAnObject)?;
        let mut entries = Vec::new();
        for (name, value) in &members {
            if name == ACTIVE_MEMBER {
                continue;
            }
            let master = value.as_str().ok_or(RingError::NotAnObject)?;
            let mut one = Self::single(name, master.as_bytes())?;
            entries.append(&mut one.entries);
        }
        let at = entries
            .iter()
            .position(|(kid, _)| kid.0 == active)
            .ok_or_else(|| RingError::ActiveMissing(active.to_owned()))?;
        entries.swap(0, at);
        Ok(Self { entries })
    }

    /// The key that signs new values.
    pub fn active(&self) -> Option<(&Kid, &Keys)> {
        self.entries.first().map(|(kid, keys)| (kid, keys))
    }

    /// The key a token's `kid` names.
    pub fn get(&self, kid: &str) -> Option<&Keys> {
        self.entries.iter().find(|(k, _)| k.0 == kid).map(|(_, keys)| keys)
    }

    /// Every key, the active one first.
    pub fn all(&self) -> impl Iterator<Item = &Keys> {
        self.entries.iter().map(|(_, keys)| keys)
    }

    pub fn kids(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(kid, _)| kid.as_str())
    }
}

/// Where a ring is read from (Secrets Manager on AWS, see `crate::platform::secrets`).
#[async_trait::async_trait]
pub trait RingSource: Send + Sync {
    async fn fetch(&self) -> anyhow::Result<Ring>;
}

/// A ring shared by everything that signs or checks with it, kept fresh from its source.
#[derive(Clone)]
pub struct KeyRing {
    shared: Arc<Shared>,
}

struct Shared {
    ring: RwLock<Arc<Ring>>,
    source: Option<Arc<dyn RingSource>>,
    max_age: Duration,
    fetched: Mutex<Instant>,
    refreshing: AtomicBool,
}

impl KeyRing {
    /// A ring that never changes (local runs, tests, functions without this ring).
    pub fn fixed(ring: Ring) -> Self {
        Self::with(ring, None, Duration::MAX)
    }

    /// Reads the ring once (cold start); later reads happen in the background once the copy is
    /// older than `max_age`.
    pub async fn load(source: Arc<dyn RingSource>, max_age: Duration) -> anyhow::Result<Self> {
        let ring = source.fetch().await?;
        Ok(Self::with(ring, Some(source), max_age))
    }

    fn with(ring: Ring, source: Option<Arc<dyn RingSource>>, max_age: Duration) -> Self {
        Self {
            shared: Arc::new(Shared {
                ring: RwLock::new(Arc::new(ring)),
                source,
                max_age,
                fetched: Mutex::new(Instant::now()),
                refreshing: AtomicBool::new(false),
            }),
        }
    }

    /// The ring as last read. When that copy is stale, a re-read starts in the background; this
    /// call never waits for it.
    pub fn current(&self) -> Arc<Ring> {
        self.refresh_if_stale();
        match self.shared.ring.read() {
            Ok(ring) => ring.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn refresh_if_stale(&self) {
        let Some(source) = self.shared.source.clone() else {
            return;
        };
        let stale = match self.shared.fetched.lock() {
            Ok(at) => at.elapsed() >= self.shared.max_age,
            Err(_) => true,
        };
        if !stale || self.shared.refreshing.swap(true, Ordering::AcqRel) {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            self.shared.refreshing.store(false, Ordering::Release);
            return;
        };
        let shared = self.shared.clone();
        runtime.spawn(async move {
            match source.fetch().await {
                Ok(ring) => {
                    tracing::info!(kids = ?ring.kids().collect::<Vec<_>>(), "keys re-read");
                    if let Ok(mut slot) = shared.ring.write() {
                        *slot = Arc::new(ring);
                    }
                }
                // The old copy keeps serving; the next attempt is one cache period later.
                Err(err) => tracing::warn!(error = %err, "keys could not be re-read; keeping the copy in use"),
            }
            if let Ok(mut at) = shared.fetched.lock() {
                *at = Instant::now();
            }
            shared.refreshing.store(false, Ordering::Release);
        });
    }
}

/// Both rings, as a function holds them (empty where it was not given one).
#[derive(Clone)]
pub struct KeyRings {
    pub tokens: KeyRing,
    pub codes: KeyRing,
}

impl KeyRings {
    /// Both rings from one master secret under the key id `local` (local runs, tests, tools).
    pub fn local(master: &[u8]) -> Result<Self, RingError> {
        let ring = Ring::single(LOCAL_KID, master)?;
        Ok(Self {
            tokens: KeyRing::fixed(ring.clone()),
            codes: KeyRing::fixed(ring),
        })
    }

    /// No keys at all (a function that neither signs nor checks).
    pub fn none() -> Self {
        Self {
            tokens: KeyRing::fixed(Ring::empty()),
            codes: KeyRing::fixed(Ring::empty()),
        }
    }

    pub fn get(&self, purpose: Purpose) -> &KeyRing {
        match purpose {
            Purpose::Tokens => &self.tokens,
            Purpose::Codes => &self.codes,
        }
    }

    pub fn set(&mut self, purpose: Purpose, ring: KeyRing) {
        match purpose {
            Purpose::Tokens => self.tokens = ring,
            Purpose::Codes => self.codes = ring,
        }
    }

    /// The same rings with only those of `purposes` kept.
    pub fn only(&self, purposes: &[Purpose]) -> Self {
        let keep = |p: Purpose| {
            if purposes.contains(&p) {
                self.get(p).clone()
            } else {
                KeyRing::fixed(Ring::empty())
            }
        };
        Self {
            tokens: keep(Purpose::Tokens),
            codes: keep(Purpose::Codes),
        }
    }
}

/// The key id of keys that come from `JWT_SECRET`.
pub const LOCAL_KID: &str = "local";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_purpose_gets_its_own_key_and_none_is_the_secret() {
        let master = b"0123456789abcdef0123456789abcdef";
        let keys = Keys::derive(master);
        let all = [&keys.jwt, &keys.otp, &keys.cursor];
        for (i, a) in all.iter().enumerate() {
            assert_ne!(&a.bytes()[..], &master[..]);
            for b in &all[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }

    #[test]
    fn derivation_is_stable_and_depends_on_the_secret() {
        let a = Keys::derive(&[1u8; 32]);
        assert_eq!(a.jwt, Keys::derive(&[1u8; 32]).jwt);
        assert_ne!(a.jwt, Keys::derive(&[2u8; 32]).jwt);
    }

    #[test]
    fn debug_output_hides_keys() {
        let ring = Ring::single("k1", &[9u8; 32]).unwrap();
        let shown = format!("{ring:?}");
        assert!(shown.contains("redacted"));
        assert!(!shown.contains(&format!("{:?}", Keys::derive(&[9u8; 32]).jwt.bytes())));
    }

    const A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    #[test]
    fn a_secret_names_its_active_key_and_keeps_the_others_for_checking() {
        let ring = Ring::from_secret(&format!(r#"{{"k1":"{A}","active":"k2","k2":"{B}"}}"#)).unwrap();
        let (kid, keys) = ring.active().unwrap();
        assert_eq!(kid.as_str(), "k2");
        assert_eq!(keys.jwt, Keys::derive(B.as_bytes()).jwt);
        assert_eq!(ring.get("k1").unwrap().jwt, Keys::derive(A.as_bytes()).jwt);
        assert_eq!(ring.all().count(), 2);
        assert!(ring.get("k3").is_none());
    }

    #[test]
    fn malformed_secrets_are_refused_without_showing_key_material() {
        let cases = [
            ("not json".to_owned(), RingError::NotAnObject),
            (format!(r#"{{"k1":"{A}"}}"#), RingError::NoActive),
            (
                format!(r#"{{"active":"k9","k1":"{A}"}}"#),
                RingError::ActiveMissing("k9".into()),
            ),
            (
                format!(r#"{{"active":"k1","k1":"{A}","bad kid":"{B}"}}"#),
                RingError::BadKid("bad kid".into()),
            ),
            (
                r#"{"active":"k1","k1":"short"}"#.to_owned(),
                RingError::Short {
                    kid: "k1".into(),
                    len: 5,
                },
            ),
            (
                format!(r#"{{"active":"k1","k1":7,"k2":"{A}"}}"#),
                RingError::NotAnObject,
            ),
        ];
        for (text, expected) in cases {
            let err = Ring::from_secret(&text).unwrap_err();
            assert_eq!(err, expected, "{text}");
            assert!(!err.to_string().contains(A) && !err.to_string().contains("short"));
        }
    }

    struct Sequence(Mutex<Vec<Ring>>);

    #[async_trait::async_trait]
    impl RingSource for Sequence {
        async fn fetch(&self) -> anyhow::Result<Ring> {
            self.0
                .lock()
                .unwrap()
                .pop()
                .ok_or_else(|| anyhow::anyhow!("secret unavailable"))
        }
    }

    #[tokio::test]
    async fn a_stale_ring_is_re_read_in_the_background_and_a_failed_read_keeps_the_old_copy() {
        let first = Ring::single("k1", A.as_bytes()).unwrap();
        let second = Ring::from_secret(&format!(r#"{{"active":"k2","k1":"{A}","k2":"{B}"}}"#)).unwrap();
        let source = Arc::new(Sequence(Mutex::new(vec![second, first])));
        let ring = KeyRing::load(source.clone(), Duration::ZERO).await.unwrap();
        // The first look after the cache period still answers with the copy in hand.
        assert_eq!(ring.current().active().unwrap().0.as_str(), "k1");
        for _ in 0..50 {
            tokio::time::sleep(Duration::from_millis(5)).await;
            if ring.current().active().unwrap().0.as_str() == "k2" {
                break;
            }
        }
        assert_eq!(ring.current().active().unwrap().0.as_str(), "k2");
        // The source now fails: the ring keeps the keys it has.
        for _ in 0..5 {
            tokio::time::sleep(Duration::from_millis(5)).await;
            assert_eq!(ring.current().kids().collect::<Vec<_>>(), ["k2", "k1"]);
        }
    }

    #[tokio::test]
    async fn a_fresh_ring_is_not_re_read() {
        let source = Arc::new(Sequence(Mutex::new(vec![
            Ring::single("k2", B.as_bytes()).unwrap(),
            Ring::single("k1", A.as_bytes()).unwrap(),
        ])));
        let ring = KeyRing::load(source.clone(), Duration::from_secs(300)).await.unwrap();
        for _ in 0..3 {
            assert_eq!(ring.current().active().unwrap().0.as_str(), "k1");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert_eq!(source.0.lock().unwrap().len(), 1, "only the cold start read");
    }
}
