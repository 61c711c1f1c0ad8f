//! The server's signing and MAC keys, in one place. Each purpose gets its own key, derived from the
//! master secret (`JWT_SECRET`) with HKDF-SHA256 and a distinct label, so a key that leaks from one
//! use (a cursor MAC, say) says nothing about another (JWT signatures), and no key is the raw
//! secret. Changing a label retires every value made with that key (tokens, pending codes,
//! cursors) at once.

use hkdf::Hkdf;
use sha2::Sha256;

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

/// Every key the functions use.
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
        let keys = Keys::derive(&[9u8; 32]);
        let shown = format!("{keys:?}");
        assert!(shown.contains("redacted"));
        assert!(!shown.contains(&format!("{:?}", keys.jwt.bytes())));
    }
}
