//! Paystack's API, the three calls the kitchen makes: initialize a transaction, verify one,
//! refund one. JSON over HTTPS with the secret key as a bearer token, with timeouts well inside
//! the function's own; `PAYSTACK_BASE_URL` points it at the local Paystack in development.
//! Answers with `"status": false` (or a 4xx) are Paystack refusing; anything else that fails is
//! Paystack being unavailable.

use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

use super::model::{CURRENCY, Charge, Outcome, Reference, outcome_from};

/// Paystack itself.
pub const DEFAULT_BASE_URL: &str = "https://api.paystack.co";

#[derive(Debug, thiserror::Error)]
pub enum PaystackError {
    /// Paystack answered and said no (its message).
    #[error("Paystack refused: {0}")]
    Refused(String),
    /// No usable answer (network, timeout, 5xx, a body that is not Paystack's).
    #[error("Paystack unavailable: {0:#}")]
    Unavailable(anyhow::Error),
}

/// The secret key; its `Debug` never shows it.
#[derive(Clone)]
pub struct SecretKey(String);

impl SecretKey {
    pub fn new(key: String) -> Self {
        Self(key)
    }

    pub fn expose(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

/// A transaction to start.
#[derive(Debug, Clone, Serialize)]
pub struct NewTransaction {
    pub email: String,
    /// Kobo.
    pub amount: i64,
    pub currency: &'static str,
    pub reference: Reference,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    pub metadata: Value,
    /// The kitchen's subaccount: Paystack settles the payment to it...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subaccount: Option<String>,
    /// ...less this flat amount (kobo), the platform's commission.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction_charge: Option<i64>,
}

impl NewTransaction {
    pub fn for_order(order_id: &str, email: String, amount: i64, callback_url: Option<String>) -> Self {
        Self {
            email,
            amount,
            currency: CURRENCY,
            reference: Reference::new(order_id),
            callback_url,
            metadata: serde_json::json!({ "order_id": order_id }),
            subaccount: None,
            transaction_charge: None,
        }
    }

    /// A wallet deposit of `amount` under its own reference.
    pub fn for_deposit(reference: Reference, email: String, amount: i64, callback_url: Option<String>) -> Self {
        Self {
            email,
            amount,
            currency: CURRENCY,
            metadata: serde_json::json!({ "wallet_deposit": reference.as_str() }),
            reference,
            callback_url,
            subaccount: None,
            transaction_charge: None,
        }
    }

    /// The same transaction split with a kitchen's subaccount: the platform keeps
    /// `commission_percent` of the amount, rounded down to the kobo.
    pub fn split(mut self, subaccount: String, commission_percent: u8) -> Self {
        self.transaction_charge = Some(self.amount * i64::from(commission_percent) / 100);
        self.subaccount = Some(subaccount);
        self
    }
}

/// A started transaction: where the customer pays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Started {
    pub reference: Reference,
    pub authorization_url: String,
    pub access_code: String,
}

#[derive(Clone)]
pub struct Paystack {
    http: reqwest::Client,
    base_url: String,
    secret: SecretKey,
}

impl Paystack {
    pub fn new(base_url: &str, secret: SecretKey) -> Result<Self, PaystackError> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(2))
            .timeout(Duration::from_secs(6))
            .build()
            .map_err(|e| PaystackError::Unavailable(e.into()))?;
        Ok(Self {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
            secret,
        })
    }

    pub fn secret(&self) -> &SecretKey {
        &self.secret
    }

    /// `POST /transaction/initialize`.
    pub async fn initialize(&self, tx: &NewTransaction) -> Result<Started, PaystackError> {
        let data = self
            .send(
                self.http
                    .post(format!("{}/transaction/initialize", self.base_url))
                    .json(tx),
            )
            .await?;
        let field = |name: &str| {
            data.get(name)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| PaystackError::Unavailable(anyhow::anyhow!("initialize answered without {name}")))
        };
        Ok(Started {
            reference: tx.reference.clone(),
            authorization_url: field("authorization_url")?,
            access_code: field("access_code")?,
        })
    }

    /// `GET /transaction/verify/{reference}`: the charge if the transaction succeeded.
    pub async fn verify(&self, reference: &Reference) -> Result<Option<Charge>, PaystackError> {
        Ok(match self.outcome(reference).await? {
            Outcome::Paid(charge) => Some(charge),
            Outcome::Failed | Outcome::Open => None,
        })
    }

    /// `GET /transaction/verify/{reference}`: paid, declined, or not finished.
    pub async fn outcome(&self, reference: &Reference) -> Result<Outcome, PaystackError> {
        let url = format!("{}/transaction/verify/{}", self.base_url, reference.as_str());
        let data = self.send(self.http.get(url)).await?;
        Ok(outcome_from(&data))
    }

    /// `POST /refund` of the whole transaction.
    pub async fn refund(&self, reference: &Reference) -> Result<(), PaystackError> {
        self.send(
            self.http
                .post(format!("{}/refund", self.base_url))
                .json(&serde_json::json!({ "transaction": reference.as_str() })),
        )
        .await?;
        Ok(())
    }

    /// Sends with the key and reads Paystack's envelope `{status, message, data}`.
    async fn send(&self, request: reqwest::RequestBuilder) -> Result<Value, PaystackError> {
        let key = String::from_utf8_lossy(self.secret.expose()).into_owned();
        let response = request
            .bearer_auth(key)
            .send()
            .await
            .map_err(|e| PaystackError::Unavailable(e.into()))?;
        let status = response.status();
        let body: Value = match response.json().await {
            Ok(body) => body,
            Err(e) => return Err(PaystackError::Unavailable(anyhow::anyhow!("{status}: {e}"))),
        };
        let message = body
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("no message")
            .to_owned();
        match (status.as_u16(), body.get("status").and_then(Value::as_bool)) {
            (200..=299, Some(true)) => Ok(body.get("data").cloned().unwrap_or(Value::Null)),
            (400..=499, _) | (200..=299, Some(false)) => Err(PaystackError::Refused(message)),
            _ => Err(PaystackError::Unavailable(anyhow::anyhow!("{status}: {message}"))),
        }
    }
}

/// Cancelled orders' payments go back through Paystack.
#[async_trait::async_trait]
impl crate::orders::Refunds for Paystack {
    async fn refund(&self, reference: &str) -> Result<(), crate::orders::RefundRefused> {
        use crate::orders::RefundRefused;
        let reference = Reference::parse(reference)
            .ok_or_else(|| RefundRefused::Refused(format!("{reference:?} is not a reference of ours")))?;
        Paystack::refund(self, &reference).await.map_err(|err| match err {
            PaystackError::Refused(reason) => RefundRefused::Refused(reason),
            other => RefundRefused::Unavailable(other.to_string()),
        })
    }
}
