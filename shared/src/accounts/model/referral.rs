//! Referral codes: 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L, U).

use rand::Rng;

const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";
pub const LEN: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReferralCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("is not a referral code")]
pub struct ReferralCodeError;

impl ReferralCode {
    pub fn generate() -> Self {
        let mut rng = rand::rngs::OsRng;
        Self(
            (0..LEN)
                .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
                .collect(),
        )
    }

    /// Reads a code as a user typed it: case and surrounding spaces do not matter.
    pub fn parse(raw: &str) -> Result<Self, ReferralCodeError> {
        let code = raw.trim().to_ascii_uppercase();
        if code.len() == LEN && code.bytes().all(|b| ALPHABET.contains(&b)) {
            Ok(Self(code))
        } else {
            Err(ReferralCodeError)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_codes_parse_back() {
        for _ in 0..500 {
            let code = ReferralCode::generate();
            assert_eq!(ReferralCode::parse(&code.as_str().to_lowercase()).unwrap(), code);
        }
    }

    #[test]
    fn malformed_codes_are_rejected() {
        for raw in ["", "ABC", "ABCDEFG0", "ABCDEFGHJ", "ABCD-EFG"] {
            assert!(ReferralCode::parse(raw).is_err(), "{raw}");
        }
    }
}
