//! `kitchen-ops keys`: the key rings' secrets in Secrets Manager, rotated in three steps so that
//! nobody is logged out and no code or cursor in flight goes bad:
//!
//! 1. `add`: a new random key joins the ring, not yet active. Every function learns it within
//!    the cache period (`KEYS_CACHE_SECONDS`, 5 minutes) and so can check what it will sign.
//! 2. `activate`: after that wait, the new key signs new tokens, codes and cursors.
//! 3. `retire`: once everything the old key signed has expired (the refresh-token lifetime for
//!    the token keys, the code lifetime for the code keys), the old key leaves the ring.
//!
//! Key material is generated here and written to the secret; it is never printed.

use anyhow::{Context as _, bail};
use base64::Engine as _;
use rand::RngCore as _;
use serde_json::{Map, Value};
use shared::platform::keys::{ACTIVE_MEMBER, Kid, Ring};
use shared::platform::secrets::aws_sdk_secretsmanager::Client;

/// A ring's secret as a JSON document, checked to be a valid ring after every change.
#[derive(Debug, Clone, PartialEq)]
pub struct RingDocument(Map<String, Value>);

impl RingDocument {
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        Ring::from_secret(text)?;
        let members: Map<String, Value> = serde_json::from_str(text)?;
        Ok(Self(members))
    }

    /// A ring with one new key, active.
    pub fn first(kid: &str) -> anyhow::Result<Self> {
        Kid::parse(kid)?;
        let mut members = Map::new();
        members.insert(ACTIVE_MEMBER.into(), Value::String(kid.into()));
        members.insert(kid.into(), Value::String(new_secret()));
        Self::checked(members)
    }

    fn checked(members: Map<String, Value>) -> anyhow::Result<Self> {
        let text = Value::Object(members.clone()).to_string();
        Ring::from_secret(&text)?;
        Ok(Self(members))
    }

    pub fn text(&self) -> String {
        Value::Object(self.0.clone()).to_string()
    }

    pub fn active(&self) -> &str {
        self.0.get(ACTIVE_MEMBER).and_then(Value::as_str).unwrap_or_default()
    }

    /// The key ids, sorted.
    pub fn kids(&self) -> Vec<&str> {
        let mut kids: Vec<&str> = self
            .0
            .keys()
            .filter(|k| *k != ACTIVE_MEMBER)
            .map(String::as_str)
            .collect();
        kids.sort_unstable();
        kids
    }

    /// The next key id: `k<n+1>` after the highest `k<n>`.
    pub fn next_kid(&self) -> String {
        let highest = self
            .kids()
            .iter()
            .filter_map(|k| k.strip_prefix('k')?.parse::<u32>().ok())
            .max()
            .unwrap_or(0);
        format!("k{}", highest + 1)
    }

    /// Step 1: a new key that checks but does not sign yet.
    pub fn add(&self, kid: &str) -> anyhow::Result<Self> {
        Kid::parse(kid)?;
        if self.0.contains_key(kid) || kid == ACTIVE_MEMBER {
            bail!("the ring already has a key {kid:?}");
        }
        let mut members = self.0.clone();
        members.insert(kid.into(), Value::String(new_secret()));
        Self::checked(members)
    }

    /// Step 2: the key signs from now on.
    pub fn activate(&self, kid: &str) -> anyhow::Result<Self> {
        if !self.0.contains_key(kid) || kid == ACTIVE_MEMBER {
            bail!("the ring has no key {kid:?} (keys: {})", self.kids().join(", "));
        }
        let mut members = self.0.clone();
        members.insert(ACTIVE_MEMBER.into(), Value::String(kid.into()));
        Self::checked(members)
    }

    /// Step 3: the key no longer checks anything.
    pub fn retire(&self, kid: &str) -> anyhow::Result<Self> {
        if kid == self.active() {
            bail!("{kid:?} is the active key: activate another one first");
        }
        if !self.0.contains_key(kid) || kid == ACTIVE_MEMBER {
            bail!("the ring has no key {kid:?} (keys: {})", self.kids().join(", "));
        }
        let mut members = self.0.clone();
        members.remove(kid);
        Self::checked(members)
    }
}

/// 48 random bytes from the OS generator, base64url: 64 characters, 384 bits.
fn new_secret() -> String {
    let mut bytes = [0u8; 48];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The secret's ring, or `None` when the secret does not exist.
pub async fn read(client: &Client, secret_id: &str) -> anyhow::Result<Option<RingDocument>> {
    match client.get_secret_value().secret_id(secret_id).send().await {
        Ok(value) => {
            let text = value.secret_string().context("the secret has no text value")?;
            Ok(Some(
                RingDocument::parse(text).with_context(|| format!("the secret {secret_id}"))?,
            ))
        }
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_resource_not_found_exception()) =>
        {
            Ok(None)
        }
        Err(err) => Err(sdk_error(err)).context("GetSecretValue"),
    }
}

/// Writes the ring as the secret's new current version (creating the secret if needed).
pub async fn write(client: &Client, secret_id: &str, ring: &RingDocument, exists: bool) -> anyhow::Result<()> {
    let result = if exists {
        client
            .put_secret_value()
            .secret_id(secret_id)
            .secret_string(ring.text())
            .send()
            .await
            .map(|_| ())
            .map_err(sdk_error)
    } else {
        client
            .create_secret()
            .name(secret_id)
            .secret_string(ring.text())
            .send()
            .await
            .map(|_| ())
            .map_err(sdk_error)
    };
    result.with_context(|| format!("writing the secret {secret_id}"))
}

/// An SDK error with its whole chain (the operator's own terminal).
fn sdk_error<E: std::error::Error + Send + Sync + 'static, R: std::fmt::Debug>(
    err: shared::platform::secrets::aws_sdk_secretsmanager::error::SdkError<E, R>,
) -> anyhow::Error {
    anyhow::anyhow!(
        "{}",
        shared::platform::secrets::aws_sdk_secretsmanager::error::DisplayErrorContext(err)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rotation_adds_then_activates_then_retires() {
        let ring = RingDocument::first("k1").unwrap();
        assert_eq!((ring.active(), ring.kids()), ("k1", vec!["k1"]));
        let added = ring.add(&ring.next_kid()).unwrap();
        assert_eq!((added.active(), added.kids()), ("k1", vec!["k1", "k2"]));
        let active = added.activate("k2").unwrap();
        assert_eq!(active.active(), "k2");
        let retired = active.retire("k1").unwrap();
        assert_eq!((retired.active(), retired.kids()), ("k2", vec!["k2"]));
        assert_eq!(retired.next_kid(), "k3");
        // What the functions read is a valid ring whose active key is k2.
        let parsed = Ring::from_secret(&retired.text()).unwrap();
        assert_eq!(parsed.active().unwrap().0.as_str(), "k2");
    }

    #[test]
    fn the_active_key_cannot_be_retired_and_unknown_keys_are_named() {
        let ring = RingDocument::first("k1").unwrap().add("k2").unwrap();
        assert!(ring.retire("k1").unwrap_err().to_string().contains("active"));
        assert!(ring.activate("k9").is_err());
        assert!(ring.retire("k9").is_err());
        assert!(ring.add("k2").is_err(), "no second k2");
        assert!(ring.add("bad kid").is_err());
        assert!(ring.add("active").is_err());
    }

    #[test]
    fn generated_keys_are_long_random_and_distinct() {
        let ring = RingDocument::first("k1").unwrap().add("k2").unwrap();
        let k1 = ring.0["k1"].as_str().unwrap();
        let k2 = ring.0["k2"].as_str().unwrap();
        assert_eq!(k1.len(), 64);
        assert_ne!(k1, k2);
    }

    #[test]
    fn a_secret_that_is_not_a_ring_is_refused() {
        assert!(RingDocument::parse(r#"{"active":"k1"}"#).is_err());
        assert!(RingDocument::parse("JWT_SECRET=abc").is_err());
    }
}
