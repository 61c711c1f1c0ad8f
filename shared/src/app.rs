//! The state every route gets, built once per Lambda instance: configuration, the features'
//! services and the cursor signer. The one place that wires the features to the platform.

use std::sync::Arc;

use crate::accounts::Accounts;
use crate::accounts::notify::OtpSender;
use crate::accounts::store::AccountStore;
use crate::menu::MenuService;
use crate::menu::store::MenuStore;
use crate::orders::OrderService;
use crate::orders::store::OrderStore;
use crate::platform::config::{Config, ConfigError};
use crate::platform::db::Db;
use crate::platform::keys::Keys;
use crate::platform::pagination::Cursors;

#[derive(Clone)]
pub struct App {
    pub config: Arc<Config>,
    pub accounts: Accounts,
    pub menu: MenuService,
    pub orders: OrderService,
    pub cursors: Cursors,
    db: Db,
}

impl App {
    pub fn new(config: Config, db: Db, sender: Option<Arc<dyn OtpSender>>) -> Self {
        let keys = Keys::derive(&config.jwt_secret);
        let accounts = Accounts::new(AccountStore::new(db.clone()), &keys, &config, sender);
        Self {
            orders: OrderService::new(OrderStore::new(db.clone()), accounts.clone()),
            accounts,
            menu: MenuService::new(MenuStore::new(db.clone())),
            cursors: Cursors::new(&keys.cursor),
            config: Arc::new(config),
            db,
        }
    }

    /// The table, for tools and tests (requests go through the services).
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// For functions that only use DynamoDB.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let config = Config::from_env()?;
        let sdk = crate::platform::aws::sdk_config().await;
        let db = Self::db_of(&config, &sdk);
        Ok(Self::new(config, db, None))
    }

    fn db_of(config: &Config, sdk: &crate::platform::aws::SdkConfig) -> Db {
        Db::new(
            crate::platform::aws::dynamodb_config(sdk, config.dynamodb_endpoint.as_deref()),
            config.table_name.clone(),
        )
    }

    /// For functions that deliver codes (requires `OTP_SENDER_EMAIL`).
    #[cfg(feature = "notify")]
    pub async fn from_env_with_notifier() -> Result<Self, ConfigError> {
        let config = Config::from_env()?;
        let from = config.require_sender_email()?.to_owned();
        let sdk = crate::platform::aws::sdk_config().await;
        let db = Self::db_of(&config, &sdk);
        let sender = crate::accounts::notify::AwsOtpSender::new(
            crate::platform::aws::sesv2(&sdk, config.ses_endpoint.as_deref()),
            crate::platform::aws::sns(&sdk, config.sns_endpoint.as_deref()),
            from,
            config.sms_sender_id.clone(),
        );
        Ok(Self::new(config, db, Some(Arc::new(sender))))
    }
}
