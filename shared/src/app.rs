//! The state every route gets: configuration, the store, token and password services and, for
//! the functions that send codes, the OTP sender. Built once per Lambda instance.

use std::sync::Arc;

use crate::domain::tokens::Tokens;
use crate::domain::{OtpHasher, PasswordHasher};
use crate::notify::OtpSender;
use crate::platform::config::Config;
use crate::platform::error::ApiError;
use crate::platform::pagination::Cursors;
use crate::store::Store;

#[derive(Clone)]
pub struct App {
    pub config: Arc<Config>,
    pub store: Store,
    pub tokens: Arc<Tokens>,
    pub passwords: PasswordHasher,
    pub otp_hasher: OtpHasher,
    pub cursors: Cursors,
    notifier: Option<Arc<dyn OtpSender>>,
}

impl App {
    pub fn new(config: Config, store: Store, notifier: Option<Arc<dyn OtpSender>>) -> Self {
        let keys = crate::platform::keys::Keys::derive(&config.jwt_secret);
        let tokens = Tokens::new(
            keys.jwt.bytes(),
            &config.jwt_issuer,
            config.access_token_ttl,
            config.refresh_token_ttl,
        );
        Self {
            otp_hasher: OtpHasher::new(&keys.otp),
            cursors: Cursors::new(&keys.cursor),
            config: Arc::new(config),
            store,
            tokens: Arc::new(tokens),
            passwords: PasswordHasher::new(),
            notifier,
        }
    }

    /// For functions that only use DynamoDB.
    pub async fn from_env() -> Result<Self, crate::platform::config::ConfigError> {
        let config = Config::from_env()?;
        let sdk = crate::platform::aws::sdk_config().await;
        let store = Self::store(&config, &sdk);
        Ok(Self::new(config, store, None))
    }

    fn store(config: &Config, sdk: &crate::platform::aws::SdkConfig) -> Store {
        Store::new(
            crate::platform::aws::dynamodb_config(sdk, config.dynamodb_endpoint.as_deref()),
            config.table_name.clone(),
        )
    }

    /// For functions that deliver OTPs (requires `OTP_SENDER_EMAIL`).
    #[cfg(feature = "notify")]
    pub async fn from_env_with_notifier() -> Result<Self, crate::platform::config::ConfigError> {
        let config = Config::from_env()?;
        let from = config.require_sender_email()?.to_owned();
        let sdk = crate::platform::aws::sdk_config().await;
        let store = Self::store(&config, &sdk);
        let sender = crate::notify::AwsOtpSender::new(
            crate::platform::aws::sesv2(&sdk, config.ses_endpoint.as_deref()),
            crate::platform::aws::sns(&sdk, config.sns_endpoint.as_deref()),
            from,
            config.sms_sender_id.clone(),
        );
        Ok(Self::new(config, store, Some(Arc::new(sender))))
    }

    pub fn notifier(&self) -> Result<&dyn OtpSender, ApiError> {
        self.notifier
            .as_deref()
            .ok_or_else(|| ApiError::internal(anyhow::anyhow!("this function was started without an OTP sender")))
    }
}
