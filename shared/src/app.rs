//! The state every route gets, built once per Lambda instance: configuration, the features'
//! services and the cursor signer. The one place that wires the features to the platform.

use std::sync::Arc;

use crate::accounts::Accounts;
use crate::accounts::notify::OtpSender;
use crate::accounts::store::AccountStore;
use crate::cart::CartService;
use crate::cart::store::CartStore;
use crate::menu::MenuService;
use crate::orders::OrderService;
use crate::orders::model::UnpaidRules;
use crate::orders::store::OrderStore;
use crate::platform::config::{Config, ConfigError};
use crate::platform::db::Db;
use crate::platform::front_door::FrontDoor;
use crate::platform::http::Gated;
use crate::platform::keys::{KeyRing, KeyRings, LOCAL_KID, Purpose, Ring};
use crate::platform::pagination::Cursors;
use crate::platform::routes::{holds_paystack_key, key_rings_for};

#[derive(Clone)]
pub struct App {
    pub config: Arc<Config>,
    pub accounts: Accounts,
    pub menu: MenuService,
    pub kitchens: crate::kitchens::KitchenService,
    pub orders: OrderService,
    pub cart: CartService,
    /// Paystack payments: only where the function holds Paystack's key.
    #[cfg(feature = "payments")]
    pub payments: Option<crate::payments::service::PaymentService>,
    pub cursors: Cursors,
    pub coupons: crate::coupons::CouponService,
    pub wallets: crate::wallet::WalletService,
    pub inbox: crate::inbox::InboxService,
    pub alerts: crate::alerts::AlertService,
    /// Live updates: tickets and connections (frames are sent by the stream consumer).
    pub realtime: crate::realtime::RealtimeService,
    /// Sales reports (kept from the stream by the notifier).
    pub reports: crate::reports::ReportService,
    /// The dish photos' bucket: only where the function signs uploads (`admin`).
    #[cfg(feature = "images")]
    pub images: Option<crate::platform::images::ImageBucket>,
    db: Db,
    keys: KeyRings,
    sender: Option<Arc<dyn OtpSender>>,
    front_door: FrontDoor,
}

impl axum::extract::FromRef<App> for Accounts {
    fn from_ref(app: &App) -> Accounts {
        app.accounts.clone()
    }
}

impl axum::extract::FromRef<App> for crate::kitchens::KitchenService {
    fn from_ref(app: &App) -> crate::kitchens::KitchenService {
        app.kitchens.clone()
    }
}

impl Gated for App {
    fn front_door(&self) -> &FrontDoor {
        &self.front_door
    }
}

impl App {
    /// The home kitchen's id: the kitchen `/api/foods/*`, `/api/cart/*` and `/api/orders/admin/*`
    /// act on (one read the first time an instance asks; neither slug nor id ever changes).
    pub async fn home_kitchen(&self) -> Result<String, crate::platform::error::ApiError> {
        let slug = self.home_kitchen_slug();
        self.kitchens.id_of(slug).await.map_err(|err| match err {
            crate::kitchens::KitchenError::NotFound => crate::platform::error::ApiError::Unavailable(anyhow::anyhow!(
                "the home kitchen {slug} does not exist: run kitchen-ops create-kitchen --home (or seed-demo)"
            )),
            other => other.into(),
        })
    }

    /// The home kitchen's slug.
    pub fn home_kitchen_slug(&self) -> &str {
        self.config
            .home_kitchen
            .as_deref()
            .unwrap_or(crate::platform::config::DEFAULT_HOME_KITCHEN)
    }

    /// Every key ring from `JWT_SECRET` (tests and tools; none without it).
    pub fn new(config: Config, db: Db, sender: Option<Arc<dyn OtpSender>>) -> Self {
        let keys = match config.local_secret.as_deref().map(KeyRings::local) {
            Some(Ok(keys)) => keys,
            _ => KeyRings::none(),
        };
        Self::with_keys(Arc::new(config), db, sender, keys)
    }

    /// With key rings loaded elsewhere (e.g. by [`load_keys`] from Secrets Manager).
    pub fn with_key_rings(config: Config, db: Db, sender: Option<Arc<dyn OtpSender>>, keys: KeyRings) -> Self {
        Self::with_keys(Arc::new(config), db, sender, keys)
    }

    fn with_keys(config: Arc<Config>, db: Db, sender: Option<Arc<dyn OtpSender>>, keys: KeyRings) -> Self {
        let accounts = Accounts::new(AccountStore::new(db.clone()), &keys, &config, sender.clone());
        let front_door = match config.origin_verify.as_deref() {
            Some(value) => FrontDoor::locked(value),
            None => FrontDoor::open(),
        };
        // Checkout reaches the cart through the orders' port, which the cart's store implements.
        let order_store = OrderStore::new(db.clone()).with_cart(Arc::new(CartStore::new(db.clone())));
        let menu = MenuService::new(db.clone()).with_public_window(config.public_read_window);
        let tiers = crate::coupons::model::TierThresholds {
            regular_orders: config.customer_tiers.regular_orders,
            regular_spent: config.customer_tiers.regular_spent,
            vip_orders: config.customer_tiers.vip_orders,
            vip_spent: config.customer_tiers.vip_spent,
        };
        let orders = OrderService::new(order_store, menu.clone())
            .with_unpaid_rules(UnpaidRules {
                ttl_secs: config.unpaid_order_ttl.as_secs() as i64,
                max_open: config.max_open_unpaid_orders as usize,
            })
            .with_tier_thresholds(tiers);
        #[cfg(feature = "payments")]
        let payments = Self::paystack_of(&config).map(|paystack| {
            crate::payments::service::PaymentService::new(
                crate::payments::store::PaymentStore::new(db.clone()),
                orders.clone(),
                crate::wallet::WalletService::new(crate::wallet::store::WalletStore::new(db.clone())),
                paystack,
            )
            .with_splits(
                crate::kitchens::store::KitchenStore::new(db.clone()),
                config.platform_commission_percent,
            )
        });
        Self {
            front_door,
            #[cfg(feature = "payments")]
            payments,
            #[cfg(feature = "images")]
            images: None,
            cart: CartService::new(CartStore::new(db.clone()), menu.clone(), orders.clone()),
            orders,
            accounts: accounts.clone(),
            menu,
            kitchens: crate::kitchens::KitchenService::new(
                crate::kitchens::store::KitchenStore::new(db.clone()),
                accounts.clone(),
                config.default_country_code.clone(),
            )
            .with_public_window(config.public_read_window),
            cursors: Cursors::new(keys.tokens.clone()),
            coupons: crate::coupons::CouponService::new(db.clone()).with_thresholds(tiers),
            wallets: crate::wallet::WalletService::new(crate::wallet::store::WalletStore::new(db.clone())),
            inbox: crate::inbox::InboxService::new(crate::inbox::store::InboxStore::new(db.clone())),
            alerts: crate::alerts::AlertService::new(crate::alerts::store::AlertStore::new(db.clone())),
            realtime: crate::realtime::RealtimeService::new(db.clone()),
            reports: crate::reports::ReportService::new(db.clone()),
            config,
            db,
            keys,
            sender,
        }
    }

    /// The same app holding only the key rings (and Paystack key) `function` is given on AWS
    /// ([`key_rings_for`], [`holds_paystack_key`]): what the tests run each function's routes on.
    pub fn for_function(&self, function: &str) -> Self {
        let keys = self.keys.only(key_rings_for(function));
        let mut config = (*self.config).clone();
        if !holds_paystack_key(function) {
            config.paystack_secret_key = None;
        }
        let app = Self::with_keys(Arc::new(config), self.db.clone(), self.sender.clone(), keys);
        #[cfg(feature = "images")]
        let app = match function {
            "admin" => Self {
                images: self.images.clone(),
                ..app
            },
            _ => app,
        };
        app
    }

    /// The app with the dish photos' bucket (as `from_env` makes it when `IMAGES_BUCKET` is set).
    #[cfg(feature = "images")]
    pub fn with_images(self, images: crate::platform::images::ImageBucket) -> Self {
        Self {
            images: Some(images),
            ..self
        }
    }

    /// The app with the photos bucket its configuration names (`IMAGES_BUCKET`; none without
    /// the `images` feature).
    fn with_configured_images(self, sdk: &crate::platform::aws::SdkConfig) -> Self {
        #[cfg(feature = "images")]
        let app = Self {
            images: Self::image_bucket_of(&self.config, sdk),
            ..self
        };
        #[cfg(not(feature = "images"))]
        let app = {
            let _ = sdk;
            self
        };
        app
    }

    /// The photos bucket the configuration names, if it names one.
    #[cfg(feature = "images")]
    pub fn image_bucket_of(
        config: &Config,
        sdk: &crate::platform::aws::SdkConfig,
    ) -> Option<crate::platform::images::ImageBucket> {
        use crate::platform::images::{BucketSettings, ImageBucket};
        let name = config.images_bucket.clone()?;
        let public_base = config
            .images_base_url
            .clone()
            .or_else(|| config.app_url.as_ref().map(|a| a.as_str().to_owned()))
            .unwrap_or_default();
        Some(ImageBucket::new(
            sdk,
            BucketSettings {
                name,
                public_base,
                upload_url: config.images_upload_url.clone(),
                endpoint: config.s3_endpoint.clone(),
            },
        ))
    }

    /// The Paystack client, where the configuration holds Paystack's key.
    #[cfg(feature = "payments")]
    fn paystack_of(config: &Config) -> Option<crate::payments::paystack::Paystack> {
        use crate::payments::paystack::{Paystack, SecretKey};
        let key = config.paystack_secret_key.clone()?;
        match Paystack::new(&config.paystack_base_url, SecretKey::new(key)) {
            Ok(paystack) => Some(paystack),
            Err(err) => {
                tracing::error!(error = %err, "the Paystack client could not be built");
                None
            }
        }
    }

    /// The table, for tools and tests (requests go through the services).
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// `function`'s app, for functions that only use DynamoDB.
    pub async fn from_env(function: &'static str) -> Result<Self, ConfigError> {
        let mut config = Config::from_env()?;
        let sdk = crate::platform::aws::sdk_config().await;
        let db = Self::db_of(&config, &sdk);
        let (keys, paystack_key) = load_secrets(&config, &sdk, function).await?;
        config.paystack_secret_key = paystack_key;
        Ok(Self::with_keys(Arc::new(config), db, None, keys).with_configured_images(&sdk))
    }

    /// The table `config` names, through its endpoint (DynamoDB Local) when it gives one.
    pub fn db_of(config: &Config, sdk: &crate::platform::aws::SdkConfig) -> Db {
        Db::new(
            crate::platform::aws::dynamodb_config(sdk, config.dynamodb_endpoint.as_deref()),
            config.table_name.clone(),
        )
    }

    /// `function`'s app, for functions that deliver codes (requires `OTP_SENDER_EMAIL`).
    #[cfg(feature = "notify")]
    pub async fn from_env_with_notifier(function: &'static str) -> Result<Self, ConfigError> {
        let mut config = Config::from_env()?;
        let from = config.require_sender_email()?.to_owned();
        let sdk = crate::platform::aws::sdk_config().await;
        let db = Self::db_of(&config, &sdk);
        let (keys, paystack_key) = load_secrets(&config, &sdk, function).await?;
        config.paystack_secret_key = paystack_key;
        let sender = crate::accounts::notify::AwsOtpSender::new(outbox_of(&config, &sdk, from));
        Ok(Self::with_keys(Arc::new(config), db, Some(Arc::new(sender)), keys).with_configured_images(&sdk))
    }
}

/// Email (SES) and SMS (SNS) from `from`, as configured.
#[cfg(feature = "notify")]
fn outbox_of(
    config: &Config,
    sdk: &crate::platform::aws::SdkConfig,
    from: String,
) -> crate::platform::outbox::AwsOutbox {
    crate::platform::outbox::AwsOutbox::new(
        crate::platform::aws::sesv2(sdk, config.ses_endpoint.as_deref()),
        crate::platform::aws::sns(sdk, config.sns_endpoint.as_deref()),
        from,
        config.sms_sender_id.clone(),
    )
}

/// The notifier's service (requires `OTP_SENDER_EMAIL`, the address messages come from;
/// `KITCHEN_EMAIL` is where the kitchen's go).
#[cfg(feature = "notify")]
pub async fn notifier_from_env() -> Result<crate::notifications::NotificationService, ConfigError> {
    use crate::notifications::NotificationService;
    use crate::notifications::store::NotificationStore;
    let config = Config::from_env()?;
    let from = config.require_sender_email()?.to_owned();
    let sdk = crate::platform::aws::sdk_config().await;
    let db = App::db_of(&config, &sdk);
    let outbox = outbox_of(&config, &sdk, from);
    let service = NotificationService::new(
        NotificationStore::new(db.clone()),
        AccountStore::new(db.clone()),
        Arc::new(outbox),
        config.kitchen_email.clone(),
    )
    .with_home(config.home_kitchen.clone())
    .with_patience(config.stream_patience);
    Ok(match config.realtime_endpoint.as_deref() {
        #[cfg(feature = "push")]
        Some(endpoint) => service.with_realtime(
            crate::realtime::RealtimeService::new(db)
                .with_push(Arc::new(crate::platform::push::ManagementApi::new(&sdk, endpoint))),
        ),
        _ => service,
    })
}

/// Where a function's secrets are read from: one Secrets Manager client for all of them, made
/// on the first read (a function that names no secret makes none).
struct SecretSource<'a> {
    config: &'a Config,
    #[cfg_attr(not(feature = "secrets"), allow(dead_code))]
    sdk: &'a crate::platform::aws::SdkConfig,
    #[cfg(feature = "secrets")]
    client: std::sync::OnceLock<crate::platform::secrets::aws_sdk_secretsmanager::Client>,
}

impl<'a> SecretSource<'a> {
    fn new(config: &'a Config, sdk: &'a crate::platform::aws::SdkConfig) -> Self {
        Self {
            config,
            sdk,
            #[cfg(feature = "secrets")]
            client: std::sync::OnceLock::new(),
        }
    }

    #[cfg(feature = "secrets")]
    fn client(&self) -> &crate::platform::secrets::aws_sdk_secretsmanager::Client {
        self.client
            .get_or_init(|| crate::platform::secrets::client(self.sdk, self.config.secrets_endpoint.as_deref()))
    }
}

/// The key rings `function` uses, each from its secret (one read at cold start) or, where no
/// secret is named, from `JWT_SECRET`; the others stay empty.
pub async fn load_keys(
    config: &Config,
    sdk: &crate::platform::aws::SdkConfig,
    function: &'static str,
) -> Result<KeyRings, ConfigError> {
    keys_from(&SecretSource::new(config, sdk), function).await
}

async fn keys_from(source: &SecretSource<'_>, function: &'static str) -> Result<KeyRings, ConfigError> {
    let config = source.config;
    // The secrets are read side by side: a cold start waits for the slowest, not for the sum.
    let rings = key_rings_for(function).iter().map(|&purpose| async move {
        let ring = match (config.key_secret_id(purpose), config.local_secret.as_deref()) {
            (Some(secret_id), _) => {
                crate::platform::actions::within(function, from_secret(source, secret_id, purpose)).await?
            }
            (None, Some(master)) => {
                KeyRing::fixed(Ring::single(LOCAL_KID, master).map_err(|err| ConfigError::Invalid {
                    name: "JWT_SECRET",
                    reason: err.to_string(),
                })?)
            }
            (None, None) => return Err(ConfigError::Missing(purpose.secret_variable())),
        };
        Ok((purpose, ring))
    });
    let mut keys = KeyRings::none();
    for (purpose, ring) in futures_util::future::try_join_all(rings).await? {
        keys.set(purpose, ring);
    }
    Ok(keys)
}

/// `function`'s key rings and Paystack key ([`load_keys`], [`load_paystack_key`]), every
/// secret read side by side with one client.
pub async fn load_secrets(
    config: &Config,
    sdk: &crate::platform::aws::SdkConfig,
    function: &'static str,
) -> Result<(KeyRings, Option<String>), ConfigError> {
    let source = SecretSource::new(config, sdk);
    futures_util::future::try_join(keys_from(&source, function), paystack_key_from(&source, function)).await
}

/// Paystack's secret key for the function that holds it: from its secret (one read at cold
/// start) or, where none is named, `PAYSTACK_SECRET_KEY`; no key for any other function.
pub async fn load_paystack_key(
    config: &Config,
    sdk: &crate::platform::aws::SdkConfig,
    function: &'static str,
) -> Result<Option<String>, ConfigError> {
    paystack_key_from(&SecretSource::new(config, sdk), function).await
}

async fn paystack_key_from(source: &SecretSource<'_>, function: &'static str) -> Result<Option<String>, ConfigError> {
    if !holds_paystack_key(function) {
        return Ok(None);
    }
    let config = source.config;
    match (config.paystack_secret_id.as_deref(), config.paystack_secret_key.clone()) {
        (Some(secret_id), _) => {
            #[cfg(feature = "secrets")]
            {
                let read = crate::platform::actions::within(
                    function,
                    crate::platform::secrets::read_text(source.client(), secret_id, "PaystackSecret"),
                );
                let key = read.await.map_err(|err| ConfigError::Invalid {
                    name: "PAYSTACK_SECRET_ID",
                    reason: format!("{err:#}"),
                })?;
                paystack_key(key, "PAYSTACK_SECRET_ID").map(Some)
            }
            #[cfg(not(feature = "secrets"))]
            {
                let _ = secret_id;
                Err(ConfigError::Invalid {
                    name: "PAYSTACK_SECRET_ID",
                    reason: "this function is built without Secrets Manager support".into(),
                })
            }
        }
        (None, Some(key)) => paystack_key(key, "PAYSTACK_SECRET_KEY").map(Some),
        (None, None) => Err(ConfigError::Missing("PAYSTACK_SECRET_ID")),
    }
}

/// A Paystack secret key (`sk_test_...`, `sk_live_...`); anything else (the template's
/// placeholder, a public key) stops the function at start-up.
fn paystack_key(key: String, name: &'static str) -> Result<String, ConfigError> {
    if key.starts_with("sk_") && key.len() >= 16 && !key.chars().any(char::is_whitespace) {
        Ok(key)
    } else {
        Err(ConfigError::Invalid {
            name,
            reason: "does not hold a Paystack secret key (sk_test_... or sk_live_...)".into(),
        })
    }
}

#[cfg(feature = "secrets")]
async fn from_secret(source: &SecretSource<'_>, secret_id: &str, purpose: Purpose) -> Result<KeyRing, ConfigError> {
    use crate::platform::secrets::SecretRing;
    SecretRing::new(source.client().clone(), secret_id.to_owned(), purpose)
        .load(source.config.keys_cache)
        .await
        .map_err(|err| ConfigError::Invalid {
            name: purpose.secret_variable(),
            reason: format!("{err:#}"),
        })
}

#[cfg(not(feature = "secrets"))]
async fn from_secret(_: &SecretSource<'_>, _: &str, purpose: Purpose) -> Result<KeyRing, ConfigError> {
    Err(ConfigError::Invalid {
        name: purpose.secret_variable(),
        reason: "this function is built without Secrets Manager support (the shared crate's `secrets` feature)".into(),
    })
}
