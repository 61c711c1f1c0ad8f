//! Sign-up codes as the SES emulator delivered them, shared by `load` and `live`.

use std::time::Duration;

use anyhow::bail;
use serde_json::Value;

/// The newest 6-digit code the emulator delivered to `email`.
pub async fn code_for(http: &reqwest::Client, moto: &str, email: &str) -> anyhow::Result<String> {
    for _ in 0..50 {
        let data: Value = http
            .get(format!("{moto}/moto-api/data.json"))
            .send()
            .await?
            .json()
            .await?;
        let found = data["ses"]["Message"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|m| {
                m["destinations"]["ToAddresses"]
                    .as_array()
                    .is_some_and(|to| to.iter().any(|a| a.as_str() == Some(email)))
            })
            .filter_map(|m| m["body"].as_str())
            .next_back()
            .and_then(|body| {
                body.split(|c: char| !c.is_ascii_digit())
                    .find(|w| w.len() == 6)
                    .map(str::to_owned)
            });
        if let Some(code) = found {
            return Ok(code);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("no code reached {email}")
}
