//! Configuration, read once from the environment at start-up.
//!
//! Every variable is documented in README.md. A missing or malformed required value stops the
//! function at init with a message naming the variable, instead of failing on the first request.

use std::time::Duration;

use crate::platform::keys::{MIN_SECRET_BYTES, Purpose};

/// How long a function uses its copy of a key ring before re-reading it (`KEYS_CACHE_SECONDS`).
pub const DEFAULT_KEYS_CACHE_SECONDS: u64 = 300;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("missing required environment variable {0}")]
    Missing(&'static str),
    #[error("environment variable {name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
}

/// The home kitchen's slug unless `HOME_KITCHEN` says otherwise.
pub const DEFAULT_HOME_KITCHEN: &str = "chuks-kitchen";

#[derive(Clone)]
pub struct Config {
    /// DynamoDB table holding every item (`TABLE_NAME`).
    pub table_name: String,
    /// Endpoint overrides for local emulators (`DYNAMODB_ENDPOINT`, `SES_ENDPOINT`, `SNS_ENDPOINT`).
    pub dynamodb_endpoint: Option<String>,
    pub ses_endpoint: Option<String>,
    pub sns_endpoint: Option<String>,
    /// Secrets Manager endpoint override (`SECRETSMANAGER_ENDPOINT`, moto locally).
    pub secrets_endpoint: Option<String>,
    /// Dish photos: the bucket (`IMAGES_BUCKET`; unset: no uploads), where its objects are
    /// served (`IMAGES_BASE_URL`, the CDN), where browsers post uploads (`IMAGES_UPLOAD_URL`;
    /// default the bucket's regional endpoint) and an S3 endpoint override (`S3_ENDPOINT`).
    pub images_bucket: Option<String>,
    pub images_base_url: Option<String>,
    pub images_upload_url: Option<String>,
    pub s3_endpoint: Option<String>,
    /// Verified SES identity that OTP emails come from (`OTP_SENDER_EMAIL`).
    pub sender_email: Option<String>,
    /// Optional SNS sender id shown on SMS (`SMS_SENDER_ID`).
    pub sms_sender_id: Option<String>,
    /// Where the kitchen's notifications go (`KITCHEN_EMAIL`; the notifier only).
    pub kitchen_email: Option<String>,
    /// Where browsers open the live-update WebSocket (`REALTIME_URL`, e.g.
    /// `wss://<front door>/ws`; the ticket route only). None: live updates are off (the apps poll).
    pub realtime_url: Option<String>,
    /// The WebSocket API's management endpoint frames are posted to (`REALTIME_ENDPOINT`,
    /// `https://<api>.execute-api.<region>.amazonaws.com/<stage>`; the stream consumer only).
    pub realtime_endpoint: Option<String>,
    /// The master secret of both key rings for local runs and tests (`JWT_SECRET`, at least 32
    /// bytes), used where no secret is named for a ring.
    pub local_secret: Option<Vec<u8>>,
    /// The Secrets Manager secret of the token keys (`TOKEN_KEYS_SECRET_ID`).
    pub token_keys_secret_id: Option<String>,
    /// The Secrets Manager secret of the code keys (`CODE_KEYS_SECRET_ID`).
    pub code_keys_secret_id: Option<String>,
    /// How long a copy of a key ring is used before it is re-read (`KEYS_CACHE_SECONDS`).
    pub keys_cache: Duration,
    /// Paystack's secret key for local runs and tests (`PAYSTACK_SECRET_KEY`), used where no
    /// secret is named.
    pub paystack_secret_key: Option<String>,
    /// The Secrets Manager secret holding Paystack's secret key (`PAYSTACK_SECRET_ID`).
    pub paystack_secret_id: Option<String>,
    /// Paystack's API (`PAYSTACK_BASE_URL`; the local Paystack in development).
    pub paystack_base_url: String,
    /// The value CloudFront adds to every request it forwards (`ORIGIN_VERIFY`); when set,
    /// requests without it are refused. Unset: no front door (local runs).
    pub origin_verify: Option<String>,
    /// `iss` of every token we issue and the only issuer we accept (`JWT_ISSUER`).
    pub jwt_issuer: String,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    /// How long a login session lasts at most, refreshes included (`SESSION_MAX_AGE_SECONDS`;
    /// unset: the accounts model's default, 30 days).
    pub session_max_age: Option<Duration>,
    pub otp_ttl: Duration,
    pub otp_resend_cooldown: Duration,
    /// Wrong codes a code survives (`OTP_MAX_ATTEMPTS`); unset: the accounts model's default.
    pub otp_max_attempts: Option<u32>,
    /// Codes sent to one identifier per UTC day, resends included (`OTP_DAILY_LIMIT`).
    pub otp_daily_limit: u32,
    /// Failed logins of one identifier from one source address within one window before 429
    /// (`LOGIN_MAX_FAILURES`).
    pub login_max_failures: u32,
    /// Failed logins of one identifier from all sources within one window before 429
    /// (`LOGIN_MAX_FAILURES_PER_IDENTIFIER`, 10 times `LOGIN_MAX_FAILURES` by default).
    pub login_max_failures_per_identifier: u32,
    /// The login throttling window (`LOGIN_WINDOW_SECONDS`).
    pub login_window: Duration,
    /// Country calling code used to read national phone numbers (`DEFAULT_COUNTRY_CODE`, "234").
    pub default_country_code: String,
    /// Calling codes of the countries codes are sent to by SMS (`SMS_COUNTRIES`, "234").
    pub sms_countries: Vec<String>,
    /// How long an unpaid pending order holds its stock (`UNPAID_ORDER_TTL_MINUTES`, 30).
    pub unpaid_order_ttl: Duration,
    /// Unpaid pending orders a customer may hold at once (`MAX_OPEN_UNPAID_ORDERS`, 3).
    pub max_open_unpaid_orders: u32,
    /// How long a public menu read may be answered from the process's copy without asking the
    /// table (`PUBLIC_READ_WINDOW_MS`, 0..=10000, default 2000): public menus lag a change (an
    /// admin's, or stock an order took) by at most this (the CDN in front by up to 60 s more).
    pub public_read_window: Duration,
    /// How long a stream consumer (the notifier, the refund worker) keeps trying a failing
    /// record within one batch before reporting it (`STREAM_PATIENCE_MS`, 0..=25000, default
    /// 6000; set well inside the function's timeout): a part down for a while costs a wait, not
    /// one of the event source mapping's few retries.
    pub stream_patience: Duration,
    /// What the platform keeps of a payment to a kitchen with a Paystack subaccount
    /// (`PLATFORM_COMMISSION_PERCENT`, 0..=100, default 0).
    pub platform_commission_percent: u8,
    /// The web app's origin (`APP_URL`), where payments send customers back to.
    pub app_url: Option<AppOrigin>,
    /// The home kitchen's slug (`HOME_KITCHEN`, default [`DEFAULT_HOME_KITCHEN`]): the kitchen
    /// the routes without one act on.
    pub home_kitchen: Option<String>,
    /// Where the customer tiers begin (`TIER_REGULAR_ORDERS` 3, `TIER_REGULAR_SPENT_NAIRA`
    /// 30000, `TIER_VIP_ORDERS` 10, `TIER_VIP_SPENT_NAIRA` 300000).
    pub customer_tiers: CustomerTiers,
}

/// Completed orders and spending (kobo) each tier needs; VIP never below regular.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustomerTiers {
    pub regular_orders: i64,
    pub regular_spent: i64,
    pub vip_orders: i64,
    pub vip_spent: i64,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("table_name", &self.table_name)
            .field("dynamodb_endpoint", &self.dynamodb_endpoint)
            .field("ses_endpoint", &self.ses_endpoint)
            .field("sns_endpoint", &self.sns_endpoint)
            .field("sender_email", &self.sender_email)
            .field("secrets_endpoint", &self.secrets_endpoint)
            .field("images_bucket", &self.images_bucket)
            .field("images_base_url", &self.images_base_url)
            .field("local_secret", &self.local_secret.as_ref().map(|_| "<redacted>"))
            .field("token_keys_secret_id", &self.token_keys_secret_id)
            .field("code_keys_secret_id", &self.code_keys_secret_id)
            .field("keys_cache", &self.keys_cache)
            .field("origin_verify", &self.origin_verify.as_ref().map(|_| "<redacted>"))
            .field(
                "paystack_secret_key",
                &self.paystack_secret_key.as_ref().map(|_| "<redacted>"),
            )
            .field("paystack_secret_id", &self.paystack_secret_id)
            .field("paystack_base_url", &self.paystack_base_url)
            .field("jwt_issuer", &self.jwt_issuer)
            .field("access_token_ttl", &self.access_token_ttl)
            .field("refresh_token_ttl", &self.refresh_token_ttl)
            .field("session_max_age", &self.session_max_age)
            .field("otp_ttl", &self.otp_ttl)
            .field("otp_resend_cooldown", &self.otp_resend_cooldown)
            .field("otp_max_attempts", &self.otp_max_attempts)
            .field("otp_daily_limit", &self.otp_daily_limit)
            .field("login_max_failures", &self.login_max_failures)
            .field(
                "login_max_failures_per_identifier",
                &self.login_max_failures_per_identifier,
            )
            .field("login_window", &self.login_window)
            .field("default_country_code", &self.default_country_code)
            .field("sms_countries", &self.sms_countries)
            .field("unpaid_order_ttl", &self.unpaid_order_ttl)
            .field("max_open_unpaid_orders", &self.max_open_unpaid_orders)
            .field("public_read_window", &self.public_read_window)
            .field("stream_patience", &self.stream_patience)
            .field("platform_commission_percent", &self.platform_commission_percent)
            .field("app_url", &self.app_url)
            .field("home_kitchen", &self.home_kitchen)
            .field("customer_tiers", &self.customer_tiers)
            .finish()
    }
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads configuration through `lookup` (the environment in production, a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let required = |name: &'static str| get(name).ok_or(ConfigError::Missing(name));
        let seconds = |name: &'static str, default: u64| -> Result<Duration, ConfigError> {
            match get(name) {
                None => Ok(Duration::from_secs(default)),
                Some(raw) => match raw.parse::<u64>() {
                    Ok(n) if n > 0 => Ok(Duration::from_secs(n)),
                    _ => Err(ConfigError::Invalid {
                        name,
                        reason: format!("expected a positive number of seconds, got {raw:?}"),
                    }),
                },
            }
        };

        let millis = |name: &'static str, default: u64, most: u64| -> Result<Duration, ConfigError> {
            match get(name) {
                None => Ok(Duration::from_millis(default)),
                Some(raw) => match raw.parse::<u64>() {
                    Ok(ms) if ms <= most => Ok(Duration::from_millis(ms)),
                    _ => Err(ConfigError::Invalid {
                        name,
                        reason: format!("expected milliseconds from 0 to {most}, got {raw:?}"),
                    }),
                },
            }
        };

        let local_secret = get("JWT_SECRET").map(String::into_bytes);
        if let Some(short) = local_secret.as_ref().filter(|s| s.len() < MIN_SECRET_BYTES) {
            return Err(ConfigError::Invalid {
                name: "JWT_SECRET",
                reason: format!("must be at least {MIN_SECRET_BYTES} bytes long (got {})", short.len()),
            });
        }

        let count = |name: &'static str, default: u32| -> Result<u32, ConfigError> {
            match get(name) {
                None => Ok(default),
                Some(raw) => match raw.parse::<u32>() {
                    Ok(n) if (1..=1000).contains(&n) => Ok(n),
                    _ => Err(ConfigError::Invalid {
                        name,
                        reason: format!("expected a number from 1 to 1000, got {raw:?}"),
                    }),
                },
            }
        };
        let login_max_failures = count("LOGIN_MAX_FAILURES", 5)?;
        let otp_max_attempts = match get("OTP_MAX_ATTEMPTS") {
            None => None,
            Some(_) => Some(count("OTP_MAX_ATTEMPTS", 0)?),
        };

        let calling_code = |name: &'static str, raw: &str| -> Result<String, ConfigError> {
            let cc = raw.trim().trim_start_matches('+').to_owned();
            if cc.is_empty() || cc.len() > 3 || !cc.bytes().all(|b| b.is_ascii_digit()) || cc.starts_with('0') {
                return Err(ConfigError::Invalid {
                    name,
                    reason: format!("expected a country calling code such as 234, got {raw:?}"),
                });
            }
            Ok(cc)
        };
        let cc = calling_code(
            "DEFAULT_COUNTRY_CODE",
            &get("DEFAULT_COUNTRY_CODE").unwrap_or_else(|| "234".into()),
        )?;
        let sms_countries = get("SMS_COUNTRIES")
            .unwrap_or_else(|| "234".into())
            .split(',')
            .map(|code| calling_code("SMS_COUNTRIES", code))
            .collect::<Result<Vec<_>, _>>()?;

        let whole = |name: &'static str, default: i64| -> Result<i64, ConfigError> {
            match get(name) {
                None => Ok(default),
                Some(raw) => match raw.replace([',', '_'], "").parse::<i64>() {
                    Ok(n) if (1..=1_000_000_000).contains(&n) => Ok(n),
                    _ => Err(ConfigError::Invalid {
                        name,
                        reason: format!("expected a whole number from 1 to 1000000000, got {raw:?}"),
                    }),
                },
            }
        };
        let customer_tiers = CustomerTiers {
            regular_orders: whole("TIER_REGULAR_ORDERS", 3)?,
            regular_spent: whole("TIER_REGULAR_SPENT_NAIRA", 30_000)? * 100,
            vip_orders: whole("TIER_VIP_ORDERS", 10)?,
            vip_spent: whole("TIER_VIP_SPENT_NAIRA", 300_000)? * 100,
        };
        if customer_tiers.vip_orders < customer_tiers.regular_orders
            || customer_tiers.vip_spent < customer_tiers.regular_spent
        {
            return Err(ConfigError::Invalid {
                name: "TIER_VIP_ORDERS",
                reason: "the VIP tier must need at least what the regular tier needs".into(),
            });
        }

        Ok(Self {
            customer_tiers,
            table_name: required("TABLE_NAME")?,
            dynamodb_endpoint: get("DYNAMODB_ENDPOINT"),
            ses_endpoint: get("SES_ENDPOINT"),
            sns_endpoint: get("SNS_ENDPOINT"),
            secrets_endpoint: get("SECRETSMANAGER_ENDPOINT"),
            images_bucket: get("IMAGES_BUCKET"),
            images_base_url: get("IMAGES_BASE_URL"),
            images_upload_url: get("IMAGES_UPLOAD_URL"),
            s3_endpoint: get("S3_ENDPOINT"),
            sender_email: get("OTP_SENDER_EMAIL"),
            sms_sender_id: get("SMS_SENDER_ID"),
            kitchen_email: get("KITCHEN_EMAIL"),
            realtime_url: get("REALTIME_URL"),
            realtime_endpoint: get("REALTIME_ENDPOINT"),
            local_secret,
            token_keys_secret_id: get(Purpose::Tokens.secret_variable()),
            code_keys_secret_id: get(Purpose::Codes.secret_variable()),
            keys_cache: seconds("KEYS_CACHE_SECONDS", DEFAULT_KEYS_CACHE_SECONDS)?,
            paystack_secret_key: get("PAYSTACK_SECRET_KEY"),
            paystack_secret_id: get("PAYSTACK_SECRET_ID"),
            paystack_base_url: get("PAYSTACK_BASE_URL").unwrap_or_else(|| "https://api.paystack.co".into()),
            origin_verify: match get("ORIGIN_VERIFY") {
                Some(v) if v.len() < 16 => {
                    return Err(ConfigError::Invalid {
                        name: "ORIGIN_VERIFY",
                        reason: format!("must be at least 16 characters long (got {})", v.len()),
                    });
                }
                other => other,
            },
            jwt_issuer: get("JWT_ISSUER").unwrap_or_else(|| "chuks-kitchen".into()),
            access_token_ttl: seconds("ACCESS_TOKEN_TTL_SECONDS", 24 * 3600)?,
            refresh_token_ttl: seconds("REFRESH_TOKEN_TTL_SECONDS", 7 * 24 * 3600)?,
            session_max_age: match get("SESSION_MAX_AGE_SECONDS") {
                None => None,
                Some(_) => Some(seconds("SESSION_MAX_AGE_SECONDS", 1)?),
            },
            otp_ttl: seconds("OTP_TTL_SECONDS", 600)?,
            otp_resend_cooldown: seconds("OTP_RESEND_COOLDOWN_SECONDS", 60)?,
            otp_max_attempts,
            otp_daily_limit: count("OTP_DAILY_LIMIT", 10)?,
            login_max_failures,
            login_max_failures_per_identifier: count(
                "LOGIN_MAX_FAILURES_PER_IDENTIFIER",
                login_max_failures.saturating_mul(10).min(1000),
            )?,
            login_window: seconds("LOGIN_WINDOW_SECONDS", 900)?,
            default_country_code: cc,
            sms_countries,
            unpaid_order_ttl: Duration::from_secs(u64::from(count("UNPAID_ORDER_TTL_MINUTES", 30)?) * 60),
            max_open_unpaid_orders: count("MAX_OPEN_UNPAID_ORDERS", 3)?,
            public_read_window: millis("PUBLIC_READ_WINDOW_MS", 2000, 10_000)?,
            stream_patience: millis("STREAM_PATIENCE_MS", 6000, 25_000)?,
            platform_commission_percent: match get("PLATFORM_COMMISSION_PERCENT") {
                None => 0,
                Some(raw) => match raw.parse::<u8>() {
                    Ok(p) if p <= 100 => p,
                    _ => {
                        return Err(ConfigError::Invalid {
                            name: "PLATFORM_COMMISSION_PERCENT",
                            reason: format!("expected a whole percentage from 0 to 100, got {raw:?}"),
                        });
                    }
                },
            },
            app_url: match get("APP_URL") {
                None => None,
                Some(raw) => Some(AppOrigin::parse(&raw).ok_or_else(|| ConfigError::Invalid {
                    name: "APP_URL",
                    reason: format!("expected the web app's origin, such as https://chukskitchen.ng, got {raw:?}"),
                })?),
            },
            home_kitchen: Some(get("HOME_KITCHEN").unwrap_or_else(|| DEFAULT_HOME_KITCHEN.to_owned())),
        })
    }

    /// The secret a ring is read from, if one is named.
    pub fn key_secret_id(&self, purpose: Purpose) -> Option<&str> {
        match purpose {
            Purpose::Tokens => self.token_keys_secret_id.as_deref(),
            Purpose::Codes => self.code_keys_secret_id.as_deref(),
        }
    }

    /// The sender address, required by functions that deliver OTPs.
    pub fn require_sender_email(&self) -> Result<&str, ConfigError> {
        self.sender_email
            .as_deref()
            .ok_or(ConfigError::Missing("OTP_SENDER_EMAIL"))
    }
}

/// The app's own origin (`APP_URL`): `scheme://host[:port]`, the only place Paystack may send a
/// customer back to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppOrigin(String);

impl AppOrigin {
    /// `https://chukskitchen.ng` (a trailing `/` is dropped); a path, query, user or anything
    /// but http(s) is refused.
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim().trim_end_matches('/');
        let (scheme, rest) = raw.split_once("://")?;
        let fine = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']');
        (matches!(scheme, "http" | "https") && !rest.is_empty() && rest.chars().all(fine))
            .then(|| Self(format!("{scheme}://{}", rest.to_ascii_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| map.get(k).cloned()
    }

    const SECRET: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn defaults_follow_the_contract() {
        let c = Config::from_lookup(lookup(&[("TABLE_NAME", "t"), ("JWT_SECRET", SECRET)])).unwrap();
        assert_eq!(c.access_token_ttl, Duration::from_secs(86_400));
        assert_eq!(c.refresh_token_ttl, Duration::from_secs(604_800));
        assert_eq!(c.otp_ttl, Duration::from_secs(600));
        assert_eq!(c.otp_resend_cooldown, Duration::from_secs(60));
        assert_eq!(c.otp_max_attempts, None, "the accounts model's default applies");
        assert_eq!(c.default_country_code, "234");
    }

    #[test]
    fn customer_tiers_default_to_the_contract_and_are_configurable_in_naira() {
        let c = Config::from_lookup(lookup(&[("TABLE_NAME", "t")])).unwrap();
        assert_eq!(
            c.customer_tiers,
            CustomerTiers {
                regular_orders: 3,
                regular_spent: 3_000_000,
                vip_orders: 10,
                vip_spent: 30_000_000
            }
        );
        let c = Config::from_lookup(lookup(&[
            ("TABLE_NAME", "t"),
            ("TIER_REGULAR_ORDERS", "2"),
            ("TIER_REGULAR_SPENT_NAIRA", "10,000"),
        ]))
        .unwrap();
        assert_eq!(
            (c.customer_tiers.regular_orders, c.customer_tiers.regular_spent),
            (2, 1_000_000)
        );
        let err = Config::from_lookup(lookup(&[("TABLE_NAME", "t"), ("TIER_VIP_ORDERS", "2")])).unwrap_err();
        assert!(
            matches!(
                err,
                ConfigError::Invalid {
                    name: "TIER_VIP_ORDERS",
                    ..
                }
            ),
            "{err}"
        );
        let err = Config::from_lookup(lookup(&[("TABLE_NAME", "t"), ("TIER_VIP_SPENT_NAIRA", "lots")])).unwrap_err();
        assert!(
            matches!(
                err,
                ConfigError::Invalid {
                    name: "TIER_VIP_SPENT_NAIRA",
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn missing_table_name_is_named() {
        let err = Config::from_lookup(lookup(&[("JWT_SECRET", SECRET)])).unwrap_err();
        assert_eq!(err, ConfigError::Missing("TABLE_NAME"));
        assert!(err.to_string().contains("TABLE_NAME"));
    }

    #[test]
    fn short_jwt_secret_is_refused() {
        let err = Config::from_lookup(lookup(&[("TABLE_NAME", "t"), ("JWT_SECRET", "short")])).unwrap_err();
        assert!(matches!(err, ConfigError::Invalid { name: "JWT_SECRET", .. }), "{err}");
    }

    #[test]
    fn malformed_lifetime_is_refused() {
        let err = Config::from_lookup(lookup(&[
            ("TABLE_NAME", "t"),
            ("JWT_SECRET", SECRET),
            ("OTP_TTL_SECONDS", "ten"),
        ]))
        .unwrap_err();
        assert!(matches!(
            err,
            ConfigError::Invalid {
                name: "OTP_TTL_SECONDS",
                ..
            }
        ));
    }

    #[test]
    fn sms_countries_default_to_nigeria_and_are_checked() {
        let c = Config::from_lookup(lookup(&[("TABLE_NAME", "t"), ("JWT_SECRET", SECRET)])).unwrap();
        assert_eq!(c.sms_countries, vec!["234".to_owned()]);
        let c = Config::from_lookup(lookup(&[
            ("TABLE_NAME", "t"),
            ("JWT_SECRET", SECRET),
            ("SMS_COUNTRIES", "+234, 44"),
        ]))
        .unwrap();
        assert_eq!(c.sms_countries, vec!["234".to_owned(), "44".to_owned()]);
        let err = Config::from_lookup(lookup(&[
            ("TABLE_NAME", "t"),
            ("JWT_SECRET", SECRET),
            ("SMS_COUNTRIES", "234,uk"),
        ]))
        .unwrap_err();
        assert!(
            matches!(
                err,
                ConfigError::Invalid {
                    name: "SMS_COUNTRIES",
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn debug_output_hides_the_secret() {
        let c = Config::from_lookup(lookup(&[("TABLE_NAME", "t"), ("JWT_SECRET", SECRET)])).unwrap();
        assert!(!format!("{c:?}").contains(SECRET));
    }
}
