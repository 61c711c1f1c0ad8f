//! One-time codes: 6 random digits, stored only as an HMAC-SHA256 keyed with a server secret
//! (a plain hash of a 6-digit code is reversed by trying a million values).

use std::fmt;

use hmac::{Hmac, Mac};
use rand::Rng;
use sha2::Sha256;

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
    key: [u8; 32],
}

impl OtpHasher {
    /// Under the OTP key ([`crate::platform::keys::Keys::otp`]).
    pub fn new(key: &crate::platform::keys::Key) -> Self {
        Self { key: *key.bytes() }
    }

    fn mac(&self, identifier_key: &str, otp: &Otp) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC accepts any key length");
        mac.update(identifier_key.as_bytes());
        mac.update(b"\0");
        mac.update(otp.0.as_bytes());
        mac
    }

    pub fn hash(&self, identifier_key: &str, otp: &Otp) -> String {
        hex(&self.mac(identifier_key, otp).finalize().into_bytes())
    }

    /// Constant-time comparison against a stored hash.
    pub fn matches(&self, identifier_key: &str, otp: &Otp, stored_hex: &str) -> bool {
        match unhex(stored_hex) {
            Some(bytes) => self.mac(identifier_key, otp).verify_slice(&bytes).is_ok(),
            None => false,
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::keys::Key;

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
        let h = OtpHasher::new(&Key::from_bytes([3; 32]));
        let otp = Otp::parse("123456").unwrap();
        let stored = h.hash("EMAIL#a@b.com", &otp);
        assert!(!stored.contains("123456"));
        assert!(h.matches("EMAIL#a@b.com", &otp, &stored));
        assert!(!h.matches("EMAIL#a@b.com", &Otp::parse("123457").unwrap(), &stored));
        assert!(!h.matches("EMAIL#c@d.com", &otp, &stored));
        assert!(!h.matches("EMAIL#a@b.com", &otp, "zz"));
    }

    #[test]
    fn another_secret_gives_another_hash() {
        let otp = Otp::parse("123456").unwrap();
        let a = OtpHasher::new(&Key::from_bytes([b'a'; 32])).hash("k", &otp);
        let b = OtpHasher::new(&Key::from_bytes([b'b'; 32])).hash("k", &otp);
        assert_ne!(a, b);
    }
}
