//! Key rings from AWS Secrets Manager: one `GetSecretValue` at cold start, re-read in the
//! background after the cache period ([`crate::platform::keys::KeyRing`]). The secret's text is
//! parsed straight into keys and never logged; errors name the secret, not its content.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;

use crate::platform::actions::{self, Resource};
use crate::platform::keys::{KeyRing, Purpose, Ring, RingSource};

pub use aws_sdk_secretsmanager;

/// The Secrets Manager client, with the endpoint override used locally (moto).
pub fn client(sdk: &crate::platform::aws::SdkConfig, endpoint: Option<&str>) -> aws_sdk_secretsmanager::Client {
    let mut builder = aws_sdk_secretsmanager::config::Builder::from(sdk);
    if let Some(endpoint) = endpoint {
        builder = builder.endpoint_url(endpoint);
    }
    aws_sdk_secretsmanager::Client::from_conf(builder.build())
}

/// A plain text secret (e.g. Paystack's secret key), read once; `resource` names it as the
/// template does, for the action log.
pub async fn read_text(
    client: &aws_sdk_secretsmanager::Client,
    secret_id: &str,
    resource: &'static str,
) -> anyhow::Result<String> {
    actions::record("secretsmanager:GetSecretValue", Resource::Secret(resource));
    let value = client
        .get_secret_value()
        .secret_id(secret_id)
        .send()
        .await
        .with_context(|| format!("reading the secret {secret_id}"))?;
    let text = value
        .secret_string()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .with_context(|| format!("the secret {secret_id} has no text value"))?;
    Ok(text.to_owned())
}

/// One ring's secret.
pub struct SecretRing {
    client: aws_sdk_secretsmanager::Client,
    secret_id: String,
    purpose: Purpose,
}

impl SecretRing {
    pub fn new(client: aws_sdk_secretsmanager::Client, secret_id: String, purpose: Purpose) -> Self {
        Self {
            client,
            secret_id,
            purpose,
        }
    }

    /// Reads the ring now and keeps it fresh every `max_age`.
    pub async fn load(self, max_age: Duration) -> anyhow::Result<KeyRing> {
        KeyRing::load(Arc::new(self), max_age).await
    }
}

#[async_trait::async_trait]
impl RingSource for SecretRing {
    async fn fetch(&self) -> anyhow::Result<Ring> {
        actions::record(
            "secretsmanager:GetSecretValue",
            Resource::Secret(self.purpose.resource()),
        );
        let value = self
            .client
            .get_secret_value()
            .secret_id(&self.secret_id)
            .send()
            .await
            .with_context(|| format!("reading the secret {}", self.secret_id))?;
        let text = value
            .secret_string()
            .with_context(|| format!("the secret {} has no text value", self.secret_id))?;
        Ring::from_secret(text).with_context(|| format!("the secret {} is not a key ring", self.secret_id))
    }
}
