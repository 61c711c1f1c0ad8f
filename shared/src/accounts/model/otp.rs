//! One-time codes: 6 random digits, stored only as an HMAC-SHA256 keyed with a server secret
//! (a plain hash of a 6-digit code is reversed by trying a million values).

use std::fmt;

use hmac::{Hmac, Mac};
use rand::Rng;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::identifier::Channel;
use super::throttle::{Window, day};
use crate::platform::keys::{Key, KeyRing, NoKeys};

type HmacSha256 = Hmac<Sha256>;

#[derive(Clone, PartialEq, Eq)]
pub struct Otp(String);

impl fmt::Debug for Otp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Otp(<redacted>)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be 6 digits")]
pub struct OtpFormatError;

impl Otp {
    pub fn generate() -> Self {
        let n: u32 = rand::rngs::OsRng.gen_range(0..1_000_000);
        Self(format!("{n:06}"))
    }

    pub fn parse(raw: &str) -> Result<Self, OtpFormatError> {
        let raw = raw.trim();
        if raw.len() == 6 && raw.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(OtpFormatError)
        }
    }

    /// The code itself, for the message that delivers it. Never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Keyed hashing of codes, bound to the identifier they were issued for.
#[derive(Clone)]
pub struct OtpHasher {
    keys: KeyRing,
}

impl OtpHasher {
    /// Under the code keys' OTP key ([`crate::platform::keys::Keys::otp`]): the active one MACs
    /// new codes, every key of the ring checks them (a code sent just before a rotation stays good).
    pub fn new(keys: KeyRing) -> Self {
        Self { keys }
    }

    fn mac(key: &Key, identifier_key: &str, otp: &Otp) -> HmacSha256 {
        let mut mac = match HmacSha256::new_from_slice(key.bytes()) {
            Ok(mac) => mac,
            Err(_) => unreachable!("HMAC accepts any key length"),
        };
        mac.update(identifier_key.as_bytes());
        mac.update(b"\0");
        mac.update(otp.0.as_bytes());
        mac
    }

    pub fn hash(&self, identifier_key: &str, otp: &Otp) -> Result<String, NoKeys> {
        let ring = self.keys.current();
        let (_, keys) = ring.active().ok_or(NoKeys("code"))?;
        Ok(hex::encode(
            Self::mac(&keys.otp, identifier_key, otp).finalize().into_bytes(),
        ))
    }

    /// Constant-time comparison against a stored hash, under each key of the ring.
    pub fn matches(&self, identifier_key: &str, otp: &Otp, stored_hex: &str) -> bool {
        let Ok(bytes) = hex::decode(stored_hex) else {
            return false;
        };
        let ring = self.keys.current();
        let mut matched = false;
        for keys in ring.all() {
            matched |= Self::mac(&keys.otp, identifier_key, otp).verify_slice(&bytes).is_ok();
        }
        matched
    }
}

/// Wrong codes a code survives: the next wrong one kills it (`OTP_MAX_ATTEMPTS` overrides).
pub const DEFAULT_MAX_ATTEMPTS: u32 = 5;

/// The rules codes live by: how long one is valid, how soon another may be sent, how many wrong
/// guesses kill one, how many an identifier is sent a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodePolicy {
    pub ttl_secs: i64,
    pub resend_cooldown_secs: i64,
    pub max_attempts: u32,
    pub daily_limit: u32,
}

impl CodePolicy {
    /// Codes one identifier is sent a day at the request of one address: below the daily cap,
    /// so that nobody can use up an owner's codes for the day from one address (half of it,
    /// rounded up, and less than all of it where the cap allows).
    pub fn daily_limit_per_address(&self) -> u32 {
        let half = self.daily_limit.div_ceil(2);
        if half >= self.daily_limit && self.daily_limit > 1 {
            self.daily_limit - 1
        } else {
            half.max(1)
        }
    }
}

/// What a code proves when it is entered: a signup code verifies the account, a reset code
/// sets a new password, a login code starts a session. One is never accepted for another.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodePurpose {
    #[default]
    Signup,
    Reset,
    /// Signing in without the password.
    Login,
}

/// The code an account is waiting for, as stored: its MAC, never the code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingCode {
    /// Codes stored before purposes existed were signup codes.
    #[serde(default)]
    pub purpose: CodePurpose,
    pub code_hash: String,
    pub channel: Channel,
    /// Epoch seconds.
    pub sent_at: i64,
    pub expires_at: i64,
    pub attempts: u32,
    /// False when the last delivery attempt failed: a resend is then allowed at once.
    pub delivered: bool,
    /// When the code was used (epoch seconds). A used code is kept until it expires, so that its
    /// `sent_at` still holds the identifier's cooldown: verifying does not lift it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used_at: Option<i64>,
}

impl PendingCode {
    /// Whether this code may be used for `purpose`: a signup code is not a reset code, and the
    /// other way round.
    pub fn serves(&self, purpose: CodePurpose) -> bool {
        self.purpose == purpose
    }
}

/// Why a guess is not even checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeError {
    Expired,
    /// The code was already used: it works once.
    Used,
    /// `max_attempts` wrong codes were tried: the code is dead, ask for another.
    TooManyAttempts,
}

/// What a write that counts a wrong guess or consumes a code needs to hold: the code is still the
/// one checked and it still has attempts left (concurrent guesses included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GuessPrecondition<'a> {
    pub code_hash: &'a str,
    pub attempts_below: u32,
}

impl CodePolicy {
    pub fn issue(&self, purpose: CodePurpose, code_hash: String, channel: Channel, now: i64) -> PendingCode {
        PendingCode {
            purpose,
            code_hash,
            channel,
            sent_at: now,
            expires_at: now + self.ttl_secs,
            attempts: 0,
            delivered: true,
            used_at: None,
        }
    }

    /// Whether a guess may be checked against `code` now. (A guess for another purpose than
    /// the code's is a wrong guess: see [`PendingCode::serves`].)
    pub fn check_guessable(&self, code: &PendingCode, now: i64) -> Result<(), CodeError> {
        if code.used_at.is_some() {
            Err(CodeError::Used)
        } else if code.attempts >= self.max_attempts {
            Err(CodeError::TooManyAttempts)
        } else if now >= code.expires_at {
            Err(CodeError::Expired)
        } else {
            Ok(())
        }
    }

    pub fn guess<'a>(&self, code: &'a PendingCode) -> GuessPrecondition<'a> {
        GuessPrecondition {
            code_hash: &code.code_hash,
            attempts_below: self.max_attempts,
        }
    }

    /// Seconds to wait before another code may be sent, if any. A failed delivery lifts the
    /// cooldown: the user never got that code.
    pub fn resend_wait(&self, previous: Option<&PendingCode>, now: i64) -> Option<i64> {
        let previous = previous.filter(|p| p.delivered)?;
        let wait = previous.sent_at + self.resend_cooldown_secs - now;
        (wait > 0).then_some(wait)
    }

    /// The day a code sent at `now` counts against (at most `daily_limit` a day).
    pub fn counting_day(&self, now: i64) -> Window {
        day(now)
    }

    pub fn valid_minutes(&self) -> u64 {
        (self.ttl_secs.max(0) as u64).div_ceil(60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::keys::Ring;

    fn hasher(secret: &str) -> OtpHasher {
        OtpHasher::new(KeyRing::fixed(Ring::from_secret(secret).unwrap()))
    }

    const A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    #[test]
    fn a_code_sent_before_a_rotation_still_matches_after_it() {
        let before = hasher(&format!(r#"{{"active":"k1","k1":"{A}"}}"#));
        let otp = Otp::parse("123456").unwrap();
        let stored = before.hash("EMAIL#a@b.com", &otp).unwrap();
        let after = hasher(&format!(r#"{{"active":"k2","k1":"{A}","k2":"{B}"}}"#));
        assert_ne!(
            after.hash("EMAIL#a@b.com", &otp).unwrap(),
            stored,
            "new codes use the new key"
        );
        assert!(after.matches("EMAIL#a@b.com", &otp, &stored));
        assert!(!after.matches("EMAIL#a@b.com", &Otp::parse("123457").unwrap(), &stored));
        let retired = hasher(&format!(r#"{{"active":"k2","k2":"{B}"}}"#));
        assert!(!retired.matches("EMAIL#a@b.com", &otp, &stored));
        assert_eq!(
            OtpHasher::new(KeyRing::fixed(Ring::empty())).hash("EMAIL#a@b.com", &otp),
            Err(NoKeys("code"))
        );
    }

    #[test]
    fn generated_codes_are_six_digits() {
        for _ in 0..1000 {
            let otp = Otp::generate();
            assert_eq!(otp.expose().len(), 6);
            assert!(Otp::parse(otp.expose()).is_ok());
        }
    }

    #[test]
    fn parse_accepts_only_six_digits() {
        assert!(Otp::parse(" 012345 ").is_ok());
        for raw in ["12345", "1234567", "12a456", "", "١٢٣٤٥٦"] {
            assert!(Otp::parse(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn hashes_match_only_the_same_code_and_identifier() {
        let h = hasher(&format!(r#"{{"active":"k1","k1":"{A}"}}"#));
        let otp = Otp::parse("123456").unwrap();
        let stored = h.hash("EMAIL#a@b.com", &otp).unwrap();
        assert!(!stored.contains("123456"));
        assert!(h.matches("EMAIL#a@b.com", &otp, &stored));
        assert!(!h.matches("EMAIL#a@b.com", &Otp::parse("123457").unwrap(), &stored));
        assert!(!h.matches("EMAIL#c@d.com", &otp, &stored));
        assert!(!h.matches("EMAIL#a@b.com", &otp, "zz"));
    }

    fn policy() -> CodePolicy {
        CodePolicy {
            ttl_secs: 600,
            resend_cooldown_secs: 60,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            daily_limit: 10,
        }
    }

    #[test]
    fn five_wrong_codes_kill_a_code() {
        let p = policy();
        let mut code = p.issue(CodePurpose::Signup, "h".into(), Channel::Email, 1_000);
        code.attempts = 4;
        assert_eq!(p.check_guessable(&code, 1_001), Ok(()));
        assert_eq!(p.guess(&code).attempts_below, 5);
        code.attempts = 5;
        assert_eq!(p.check_guessable(&code, 1_001), Err(CodeError::TooManyAttempts));
    }

    #[test]
    fn codes_expire_after_their_lifetime() {
        let p = policy();
        let code = p.issue(CodePurpose::Signup, "h".into(), Channel::Sms, 1_000);
        assert_eq!(p.check_guessable(&code, 1_599), Ok(()));
        assert_eq!(p.check_guessable(&code, 1_600), Err(CodeError::Expired));
        assert_eq!(p.valid_minutes(), 10);
    }

    #[test]
    fn resends_wait_for_the_cooldown_unless_delivery_failed() {
        let p = policy();
        let mut code = p.issue(CodePurpose::Signup, "h".into(), Channel::Email, 1_000);
        assert_eq!(p.resend_wait(None, 1_010), None);
        assert_eq!(p.resend_wait(Some(&code), 1_010), Some(50));
        assert_eq!(p.resend_wait(Some(&code), 1_060), None);
        code.delivered = false;
        assert_eq!(p.resend_wait(Some(&code), 1_010), None);
    }

    #[test]
    fn a_used_code_is_not_guessable_and_still_holds_the_cooldown() {
        let p = policy();
        let mut code = p.issue(CodePurpose::Signup, "h".into(), Channel::Email, 1_000);
        code.used_at = Some(1_005);
        assert_eq!(p.check_guessable(&code, 1_006), Err(CodeError::Used));
        assert_eq!(
            p.resend_wait(Some(&code), 1_010),
            Some(50),
            "using a code does not reset the cooldown"
        );
    }

    #[test]
    fn one_address_gets_fewer_codes_for_an_identifier_than_the_identifiers_daily_cap() {
        let cap = |daily_limit| {
            CodePolicy {
                daily_limit,
                ..policy()
            }
            .daily_limit_per_address()
        };
        assert_eq!(cap(10), 5);
        assert_eq!(cap(3), 2);
        assert_eq!(cap(2), 1);
        assert_eq!(cap(1), 1, "a cap of one cannot be split");
        for daily in 2..50 {
            assert!(cap(daily) < daily, "{daily}");
        }
    }

    #[test]
    fn a_code_serves_only_its_own_purpose() {
        let p = policy();
        let signup = p.issue(CodePurpose::Signup, "h".into(), Channel::Email, 1_000);
        let reset = p.issue(CodePurpose::Reset, "h".into(), Channel::Email, 1_000);
        assert!(signup.serves(CodePurpose::Signup) && !signup.serves(CodePurpose::Reset));
        assert!(reset.serves(CodePurpose::Reset) && !reset.serves(CodePurpose::Signup));
    }

    #[test]
    fn another_secret_gives_another_hash() {
        let otp = Otp::parse("123456").unwrap();
        let a = hasher(&format!(r#"{{"active":"k1","k1":"{A}"}}"#)).hash("k", &otp);
        let b = hasher(&format!(r#"{{"active":"k1","k1":"{B}"}}"#)).hash("k", &otp);
        assert_ne!(a, b);
    }
}
