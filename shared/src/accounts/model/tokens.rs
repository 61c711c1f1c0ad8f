//! JWTs: HS256 only, with issuer, expiry, a unique `jti`, the login's session (`sid`, the
//! refresh-token family) and a `typ` that keeps access and refresh tokens apart. Each token's
//! header names the key that signed it (`kid`), so that keys rotate without logging anyone out.

use std::time::Duration;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};

use crate::platform::keys::KeyRing;
use serde::{Deserialize, Serialize};
use ulid::Ulid;

use super::user::Role;

/// Clock skew tolerated between the machines that issue and check tokens.
pub const LEEWAY_SECONDS: u64 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenType {
    Access,
    Refresh,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user's id.
    pub sub: String,
    /// The storage key of the user's identifier, to find the account in one read.
    pub idk: String,
    pub role: Role,
    pub typ: TokenType,
    /// The session (refresh-token family) this token belongs to.
    pub sid: String,
    pub jti: String,
    pub iss: String,
    pub iat: i64,
    pub exp: i64,
    /// When the token's session ends for good (epoch seconds), so that a refresh keeps the limit
    /// without reading the session first. Absent on tokens of sessions without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sxp: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("token is expired")]
    Expired,
    #[error("token is invalid")]
    Invalid,
    #[error("token is of the wrong type")]
    WrongType,
}

#[derive(Clone)]
pub struct Tokens {
    keys: KeyRing,
    validation: Validation,
    issuer: String,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
}

/// Who a token is issued to, and who a request with a valid access token comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    pub user_id: String,
    pub identifier_key: String,
    pub role: Role,
    pub session_id: String,
}

impl Claims {
    pub fn subject(&self) -> Subject {
        Subject {
            user_id: self.sub.clone(),
            identifier_key: self.idk.clone(),
            role: self.role,
            session_id: self.sid.clone(),
        }
    }
}

/// A freshly issued token and its claims.
pub struct Issued {
    pub token: String,
    pub claims: Claims,
}

impl Tokens {
    /// Signs with the ring's active key; checks with the key each token names.
    pub fn new(keys: KeyRing, issuer: &str, access_ttl: Duration, refresh_ttl: Duration) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.set_issuer(&[issuer]);
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_exp = true;
        Self {
            keys,
            validation,
            issuer: issuer.to_owned(),
            access_ttl,
            refresh_ttl,
        }
    }

    pub fn issue(&self, typ: TokenType, subject: &Subject) -> anyhow::Result<Issued> {
        self.issue_until(typ, subject, i64::MAX)
    }

    /// A token that expires after its usual lifetime or at `not_after` (epoch seconds), whichever
    /// comes first: tokens of a session never outlive it.
    pub fn issue_until(&self, typ: TokenType, subject: &Subject, not_after: i64) -> anyhow::Result<Issued> {
        let now = crate::platform::clock::now_epoch();
        let ttl = match typ {
            TokenType::Access => self.access_ttl,
            TokenType::Refresh => self.refresh_ttl,
        };
        let claims = Claims {
            sub: subject.user_id.clone(),
            idk: subject.identifier_key.clone(),
            role: subject.role,
            typ,
            sid: subject.session_id.clone(),
            jti: Ulid::new().to_string(),
            iss: self.issuer.clone(),
            iat: now,
            exp: (now + ttl.as_secs() as i64).min(not_after),
            sxp: (not_after != i64::MAX).then_some(not_after),
        };
        let ring = self.keys.current();
        let (kid, keys) = ring
            .active()
            .ok_or_else(|| anyhow::anyhow!("this function holds no token keys"))?;
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(kid.as_str().to_owned());
        let token = jsonwebtoken::encode(&header, &claims, &EncodingKey::from_secret(keys.jwt.bytes()))?;
        Ok(Issued { token, claims })
    }

    /// Checks key id, signature, algorithm, issuer, expiry and type.
    pub fn verify(&self, token: &str, expected: TokenType) -> Result<Claims, TokenError> {
        let kid = jsonwebtoken::decode_header(token)
            .ok()
            .and_then(|header| header.kid)
            .ok_or(TokenError::Invalid)?;
        let ring = self.keys.current();
        let keys = ring.get(&kid).ok_or(TokenError::Invalid)?;
        let decoding = DecodingKey::from_secret(keys.jwt.bytes());
        let data = jsonwebtoken::decode::<Claims>(token, &decoding, &self.validation).map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenError::Expired,
            _ => TokenError::Invalid,
        })?;
        if data.claims.typ != expected {
            return Err(TokenError::WrongType);
        }
        Ok(data.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::keys::Ring;

    const SEVEN: &[u8] = &[7u8; 32];

    fn ring(secret: &[u8]) -> KeyRing {
        KeyRing::fixed(Ring::single("k1", secret).unwrap())
    }

    fn subject(role: Role) -> Subject {
        Subject {
            user_id: "u1".into(),
            identifier_key: "EMAIL#a@b.com".into(),
            role,
            session_id: "s1".into(),
        }
    }

    fn tokens() -> Tokens {
        Tokens::new(
            ring(SEVEN),
            "chuks-kitchen",
            Duration::from_secs(60),
            Duration::from_secs(120),
        )
    }

    #[test]
    fn issued_tokens_verify_with_their_type() {
        let t = tokens();
        let access = t.issue(TokenType::Access, &subject(Role::Customer)).unwrap();
        let claims = t.verify(&access.token, TokenType::Access).unwrap();
        assert_eq!(claims, access.claims);
        assert_eq!(claims.exp - claims.iat, 60);
        assert_eq!(t.verify(&access.token, TokenType::Refresh), Err(TokenError::WrongType));
    }

    #[test]
    fn tokens_never_outlive_the_limit_they_are_issued_under() {
        let t = tokens();
        let now = crate::platform::clock::now_epoch();
        let capped = t
            .issue_until(TokenType::Refresh, &subject(Role::Customer), now + 30)
            .unwrap();
        assert_eq!(capped.claims.exp, now + 30);
        let free = t
            .issue_until(TokenType::Refresh, &subject(Role::Customer), now + 10_000)
            .unwrap();
        assert_eq!(free.claims.exp - free.claims.iat, 120);
    }

    #[test]
    fn each_token_has_a_unique_jti() {
        let t = tokens();
        let a = t.issue(TokenType::Refresh, &subject(Role::Customer)).unwrap();
        let b = t.issue(TokenType::Refresh, &subject(Role::Customer)).unwrap();
        assert_ne!(a.claims.jti, b.claims.jti);
    }

    #[test]
    fn tampered_and_foreign_tokens_are_invalid() {
        let t = tokens();
        let token = t.issue(TokenType::Access, &subject(Role::Customer)).unwrap().token;
        let mut tampered = token.clone();
        tampered.pop();
        tampered.push(if token.ends_with('A') { 'B' } else { 'A' });
        assert_eq!(t.verify(&tampered, TokenType::Access), Err(TokenError::Invalid));

        let other = Tokens::new(
            ring(&[8u8; 32]),
            "chuks-kitchen",
            Duration::from_secs(60),
            Duration::from_secs(60),
        );
        let foreign = other.issue(TokenType::Access, &subject(Role::Admin)).unwrap().token;
        assert_eq!(t.verify(&foreign, TokenType::Access), Err(TokenError::Invalid));

        let other_iss = Tokens::new(
            ring(SEVEN),
            "someone-else",
            Duration::from_secs(60),
            Duration::from_secs(60),
        );
        let foreign = other_iss.issue(TokenType::Access, &subject(Role::Admin)).unwrap().token;
        assert_eq!(t.verify(&foreign, TokenType::Access), Err(TokenError::Invalid));
        assert_eq!(t.verify("not.a.jwt", TokenType::Access), Err(TokenError::Invalid));
    }

    #[test]
    fn the_none_algorithm_is_refused() {
        let t = tokens();
        let claims = t.issue(TokenType::Access, &subject(Role::Admin)).unwrap().claims;
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let forged = format!(
            "{}.{}.",
            b64.encode(br#"{"alg":"none","typ":"JWT"}"#),
            b64.encode(serde_json::to_vec(&claims).unwrap())
        );
        assert_eq!(t.verify(&forged, TokenType::Access), Err(TokenError::Invalid));
    }

    #[test]
    fn expired_tokens_are_refused_past_the_leeway() {
        let t = tokens();
        let mut claims = t.issue(TokenType::Access, &subject(Role::Customer)).unwrap().claims;
        claims.exp = crate::platform::clock::now_epoch() - LEEWAY_SECONDS as i64 - 5;
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some("k1".into());
        let key = crate::platform::keys::Keys::derive(SEVEN).jwt;
        let token = jsonwebtoken::encode(&header, &claims, &EncodingKey::from_secret(key.bytes())).unwrap();
        assert_eq!(t.verify(&token, TokenType::Access), Err(TokenError::Expired));
    }

    const A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    fn rotating(secret: &str) -> Tokens {
        let ring = Ring::from_secret(secret).unwrap();
        Tokens::new(
            KeyRing::fixed(ring),
            "chuks-kitchen",
            Duration::from_secs(60),
            Duration::from_secs(60),
        )
    }

    #[test]
    fn tokens_name_their_key_and_still_verify_after_a_new_key_becomes_active() {
        let before = rotating(&format!(r#"{{"active":"k1","k1":"{A}"}}"#));
        let old = before.issue(TokenType::Access, &subject(Role::Customer)).unwrap().token;
        assert_eq!(jsonwebtoken::decode_header(&old).unwrap().kid.as_deref(), Some("k1"));

        let during = rotating(&format!(r#"{{"active":"k2","k1":"{A}","k2":"{B}"}}"#));
        let new = during.issue(TokenType::Access, &subject(Role::Customer)).unwrap().token;
        assert_eq!(jsonwebtoken::decode_header(&new).unwrap().kid.as_deref(), Some("k2"));
        assert!(
            during.verify(&old, TokenType::Access).is_ok(),
            "the old key still checks"
        );
        assert!(during.verify(&new, TokenType::Access).is_ok());
        // A function that has only just learnt of k2 (added, not yet active) checks its tokens.
        let added = rotating(&format!(r#"{{"active":"k1","k1":"{A}","k2":"{B}"}}"#));
        assert!(added.verify(&new, TokenType::Access).is_ok());

        let after = rotating(&format!(r#"{{"active":"k2","k2":"{B}"}}"#));
        assert_eq!(
            after.verify(&old, TokenType::Access),
            Err(TokenError::Invalid),
            "k1 retired"
        );
        assert!(after.verify(&new, TokenType::Access).is_ok());
    }

    #[test]
    fn a_token_without_a_kid_or_naming_an_unknown_key_is_invalid() {
        let t = tokens();
        let claims = t.issue(TokenType::Access, &subject(Role::Customer)).unwrap().claims;
        let key = crate::platform::keys::Keys::derive(SEVEN).jwt;
        let unnamed = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(key.bytes()),
        )
        .unwrap();
        assert_eq!(t.verify(&unnamed, TokenType::Access), Err(TokenError::Invalid));
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some("k9".into());
        let unknown = jsonwebtoken::encode(&header, &claims, &EncodingKey::from_secret(key.bytes())).unwrap();
        assert_eq!(t.verify(&unknown, TokenType::Access), Err(TokenError::Invalid));
    }

    #[test]
    fn a_function_without_token_keys_cannot_issue() {
        let t = Tokens::new(
            KeyRing::fixed(Ring::empty()),
            "chuks-kitchen",
            Duration::from_secs(60),
            Duration::from_secs(60),
        );
        assert!(t.issue(TokenType::Access, &subject(Role::Customer)).is_err());
    }
}
