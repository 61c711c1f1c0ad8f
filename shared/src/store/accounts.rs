//! Accounts (a user and their credentials, keyed by identifier), their OTPs and referral guards.

use aws_sdk_dynamodb::types::{
    ConditionCheck, Delete, Put, ReturnValue, ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update,
};
use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};

use super::keys::{self, ACCOUNT_SK, OTP_SK, REFERRAL_SK};
use super::{Conditional, Store, build_error, conditional_update, db_error, mapping_error, n, s, transact};
use crate::domain::profile::ProfileUpdate;
use crate::domain::{Channel, Identifier, ReferralCode, Role, User};
use crate::platform::error::ApiError;

/// The account item: the user as shown by the API plus what only the server sees.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccountItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    #[serde(rename = "GSI1PK")]
    pub gsi1pk: String,
    #[serde(rename = "GSI1SK")]
    pub gsi1sk: String,
    /// `EMAIL#..` / `PHONE#..`: what tokens and sessions use to find this item.
    pub identifier_key: String,
    pub id: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    pub password_hash: String,
    pub role: Role,
    pub is_verified: bool,
    pub referral_code: String,
    #[serde(default)]
    pub referred_by: Option<String>,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub gender: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl AccountItem {
    /// A new account; its referral code is set by the caller (it may have to be regenerated).
    pub fn new(identifier: &Identifier, password_hash: String, role: Role, is_verified: bool, now: String) -> Self {
        let id = ulid::Ulid::new().to_string();
        Self {
            pk: keys::account_pk(identifier),
            sk: ACCOUNT_SK.into(),
            gsi1pk: keys::USERS_GSI1PK.into(),
            gsi1sk: id.clone(),
            identifier_key: identifier.storage_key(),
            id,
            email: matches!(identifier, Identifier::Email(_)).then(|| identifier.as_str().to_owned()),
            phone: matches!(identifier, Identifier::Phone(_)).then(|| identifier.as_str().to_owned()),
            password_hash,
            role,
            is_verified,
            referral_code: ReferralCode::generate().as_str().to_owned(),
            referred_by: None,
            first_name: None,
            last_name: None,
            address: None,
            gender: None,
            created_at: now.clone(),
            updated_at: now,
        }
    }

    pub fn to_user(&self) -> User {
        User {
            id: self.id.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            role: self.role,
            is_verified: self.is_verified,
            referral_code: self.referral_code.clone(),
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            address: self.address.clone(),
            gender: self.gender.clone(),
            created_at: self.created_at.clone(),
            updated_at: self.updated_at.clone(),
        }
    }
}

/// The pending one-time code of an account.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OtpItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    /// HMAC of the code; the code itself is never stored.
    pub code_hash: String,
    pub channel: Channel,
    /// Epoch seconds.
    pub sent_at: i64,
    pub expires_at: i64,
    pub attempts: u32,
    /// False when the last delivery attempt failed: a resend is then allowed at once.
    pub delivered: bool,
    /// TTL clean-up (a day after expiry).
    pub ttl: i64,
}

impl OtpItem {
    pub fn new(account_pk: String, code_hash: String, channel: Channel, now: i64, lifetime_secs: i64) -> Self {
        Self {
            pk: account_pk,
            sk: OTP_SK.into(),
            code_hash,
            channel,
            sent_at: now,
            expires_at: now + lifetime_secs,
            attempts: 0,
            delivered: true,
            ttl: now + lifetime_secs + 86_400,
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct ReferralGuard {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    user_id: String,
}

#[derive(Debug, PartialEq, Eq)]
pub enum CreateOutcome {
    Created,
    IdentifierTaken,
    /// The referral code the new user gave belongs to nobody.
    ReferrerNotFound,
    /// The generated referral code exists already: generate another and retry.
    ReferralCodeCollision,
    /// The identifier was sent its daily number of codes already.
    OtpDailyLimit,
}

#[derive(Debug, PartialEq, Eq)]
pub enum ReplaceOutcome {
    Replaced,
    /// Another resend replaced it first.
    Raced,
    DailyLimit,
}

#[derive(Debug, PartialEq, Eq)]
pub enum VerifyOutcome {
    Verified,
    AlreadyVerified,
    /// The code was replaced, used, or ran out of attempts meanwhile.
    OtpChanged,
}

impl Store {
    /// Creates an account with its referral guard and (optionally) its first OTP in one
    /// transaction; the account put is conditional on the identifier being free, the guard on the
    /// code being free, and a referral code given at signup must exist.
    pub async fn create_account(
        &self,
        account: &AccountItem,
        otp: Option<(&OtpItem, u32)>,
        referrer_code: Option<&str>,
    ) -> Result<CreateOutcome, ApiError> {
        let put = |item: super::Item| -> Result<TransactWriteItem, ApiError> {
            Ok(TransactWriteItem::builder()
                .put(
                    Put::builder()
                        .table_name(self.table())
                        .set_item(Some(item))
                        .condition_expression("attribute_not_exists(PK)")
                        .build()
                        .map_err(build_error)?,
                )
                .build())
        };
        let mut items = vec![
            put(serde_dynamo::to_item(account).map_err(|e| mapping_error("account", e))?)?,
            put(serde_dynamo::to_item(ReferralGuard {
                pk: keys::referral_pk(&account.referral_code),
                sk: REFERRAL_SK.into(),
                user_id: account.id.clone(),
            })
            .map_err(|e| mapping_error("referral guard", e))?)?,
        ];
        let referrer_index = referrer_code.map(|code| {
            items.push(
                TransactWriteItem::builder()
                    .condition_check(
                        ConditionCheck::builder()
                            .table_name(self.table())
                            .key(keys::PK, s(keys::referral_pk(code)))
                            .key(keys::SK, s(REFERRAL_SK))
                            .condition_expression("attribute_exists(PK)")
                            .build()
                            .expect("table, key and condition are set"),
                    )
                    .build(),
            );
            items.len() - 1
        });
        let mut counter_index: Option<usize> = None;
        if let Some((otp, daily_limit)) = otp {
            let item = serde_dynamo::to_item(otp).map_err(|e| mapping_error("otp", e))?;
            items.push(
                TransactWriteItem::builder()
                    .put(
                        Put::builder()
                            .table_name(self.table())
                            .set_item(Some(item))
                            .build()
                            .map_err(build_error)?,
                    )
                    .build(),
            );
            items.push(self.otp_send_counter(
                &account.identifier_key,
                super::throttle::day(otp.sent_at),
                daily_limit,
            )?);
            counter_index = Some(items.len() - 1);
        }
        Ok(match transact(self, "create account", items).await? {
            None => CreateOutcome::Created,
            Some(c) if c.condition_failed(0) => CreateOutcome::IdentifierTaken,
            Some(c) if referrer_index.is_some_and(|i| c.condition_failed(i)) => CreateOutcome::ReferrerNotFound,
            Some(c) if c.condition_failed(1) => CreateOutcome::ReferralCodeCollision,
            Some(c) if counter_index.is_some_and(|i| c.condition_failed(i)) => CreateOutcome::OtpDailyLimit,
            Some(c) => {
                return Err(ApiError::internal(anyhow::anyhow!(
                    "create account cancelled: {:?}",
                    c.0
                )));
            }
        })
    }

    /// [`Store::create_account`], retried while a generated referral code collides.
    pub async fn create_account_retrying(
        &self,
        account: &mut AccountItem,
        otp: Option<(&OtpItem, u32)>,
        referrer_code: Option<&str>,
    ) -> Result<CreateOutcome, ApiError> {
        const ATTEMPTS: u32 = 5;
        for _ in 0..ATTEMPTS {
            match self.create_account(account, otp, referrer_code).await? {
                CreateOutcome::ReferralCodeCollision => {
                    account.referral_code = ReferralCode::generate().as_str().to_owned();
                }
                done => return Ok(done),
            }
        }
        Err(ApiError::internal(anyhow::anyhow!(
            "{ATTEMPTS} generated referral codes in a row were taken"
        )))
    }

    /// The account and its failed logins in the current window, in one BatchGetItem: login.
    pub async fn account_for_login(
        &self,
        identifier_key: &str,
        window: super::throttle::Window,
    ) -> Result<(Option<AccountItem>, u32), ApiError> {
        let wanted = vec![
            (keys::account_pk_from_key(identifier_key), ACCOUNT_SK.to_owned()),
            (
                keys::login_throttle_pk(identifier_key, window.index),
                keys::THROTTLE_SK.to_owned(),
            ),
        ];
        let (mut account, mut failures) = (None, 0);
        for item in self.batch_get(wanted, "BatchGetItem login").await? {
            match super::sk_of(&item) {
                ACCOUNT_SK => account = Some(serde_dynamo::from_item(item).map_err(|e| mapping_error("account", e))?),
                keys::THROTTLE_SK => failures = super::throttle::failures_of(Some(&item)),
                _ => {}
            }
        }
        Ok((account, failures))
    }

    /// The account alone (strongly consistent).
    pub async fn account(&self, identifier_key: &str) -> Result<Option<AccountItem>, ApiError> {
        self.get_item(keys::account_pk_from_key(identifier_key), ACCOUNT_SK, "account")
            .await
            .map_err(Into::into)
    }

    /// The account and its pending OTP in one strongly consistent Query: verify and resend.
    pub async fn account_with_otp(
        &self,
        identifier_key: &str,
    ) -> Result<(Option<AccountItem>, Option<OtpItem>), ApiError> {
        let out = self
            .client()
            .query()
            .table_name(self.table())
            .key_condition_expression("PK = :pk")
            .expression_attribute_values(":pk", s(keys::account_pk_from_key(identifier_key)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| db_error("Query account", e))?;
        let (mut account, mut otp) = (None, None);
        for item in out.items.unwrap_or_default() {
            match item.get(keys::SK).and_then(|v| v.as_s().ok()).map(String::as_str) {
                Some(ACCOUNT_SK) => {
                    account = Some(serde_dynamo::from_item(item).map_err(|e| mapping_error("account", e))?)
                }
                Some(OTP_SK) => otp = Some(serde_dynamo::from_item(item).map_err(|e| mapping_error("otp", e))?),
                _ => {}
            }
        }
        Ok((account, otp))
    }

    /// Counts a wrong code against the OTP whose hash is `code_hash`. False when that OTP is gone,
    /// replaced, or already out of attempts (the caller answers 429 then).
    pub async fn record_wrong_otp(
        &self,
        identifier_key: &str,
        code_hash: &str,
        max_attempts: u32,
    ) -> Result<bool, ApiError> {
        let req = self
            .client()
            .update_item()
            .table_name(self.table())
            .key(keys::PK, s(keys::account_pk_from_key(identifier_key)))
            .key(keys::SK, s(OTP_SK))
            .update_expression("SET attempts = attempts + :one")
            .condition_expression("code_hash = :h AND attempts < :max")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":h", s(code_hash))
            .expression_attribute_values(":max", n(max_attempts));
        match conditional_update::<IgnoredAny>(req, "otp", "UpdateItem otp attempts").await? {
            Conditional::Applied(_) => Ok(true),
            Conditional::Failed(_) => Ok(false),
        }
    }

    /// Marks the account verified and consumes the OTP, atomically: the OTP must still be the one
    /// that was checked (same hash) and have attempts left, so a code works once.
    pub async fn complete_verification(
        &self,
        identifier_key: &str,
        code_hash: &str,
        max_attempts: u32,
        now_rfc3339: &str,
    ) -> Result<VerifyOutcome, ApiError> {
        let pk = keys::account_pk_from_key(identifier_key);
        let items = vec![
            TransactWriteItem::builder()
                .update(
                    Update::builder()
                        .table_name(self.table())
                        .key(keys::PK, s(&pk))
                        .key(keys::SK, s(ACCOUNT_SK))
                        .update_expression("SET is_verified = :t, updated_at = :now")
                        .condition_expression("attribute_exists(PK) AND is_verified = :f")
                        .expression_attribute_values(":t", aws_sdk_dynamodb::types::AttributeValue::Bool(true))
                        .expression_attribute_values(":f", aws_sdk_dynamodb::types::AttributeValue::Bool(false))
                        .expression_attribute_values(":now", s(now_rfc3339))
                        .build()
                        .map_err(build_error)?,
                )
                .build(),
            TransactWriteItem::builder()
                .delete(
                    Delete::builder()
                        .table_name(self.table())
                        .key(keys::PK, s(&pk))
                        .key(keys::SK, s(OTP_SK))
                        .condition_expression("code_hash = :h AND attempts < :max")
                        .expression_attribute_values(":h", s(code_hash))
                        .expression_attribute_values(":max", n(max_attempts))
                        .build()
                        .map_err(build_error)?,
                )
                .build(),
        ];
        Ok(match transact(self, "verify account", items).await? {
            None => VerifyOutcome::Verified,
            Some(c) if c.condition_failed(0) => VerifyOutcome::AlreadyVerified,
            Some(c) if c.condition_failed(1) => VerifyOutcome::OtpChanged,
            Some(c) => {
                return Err(ApiError::internal(anyhow::anyhow!("verification cancelled: {:?}", c.0)));
            }
        })
    }

    /// Replaces the OTP, provided it is still the one last seen (`previous_hash`, or none), so
    /// two concurrent resends cannot both pass the cooldown, and counts it against the daily
    /// limit, in one transaction.
    pub async fn replace_otp(
        &self,
        identifier_key: &str,
        otp: &OtpItem,
        previous_hash: Option<&str>,
        daily_limit: u32,
    ) -> Result<ReplaceOutcome, ApiError> {
        let item = serde_dynamo::to_item(otp).map_err(|e| mapping_error("otp", e))?;
        let mut put = Put::builder().table_name(self.table()).set_item(Some(item));
        put = match previous_hash {
            Some(prev) => put
                .condition_expression("code_hash = :prev")
                .expression_attribute_values(":prev", s(prev)),
            None => put.condition_expression("attribute_not_exists(PK)"),
        };
        let items = vec![
            TransactWriteItem::builder()
                .put(put.build().map_err(build_error)?)
                .build(),
            self.otp_send_counter(identifier_key, super::throttle::day(otp.sent_at), daily_limit)?,
        ];
        Ok(match transact(self, "replace otp", items).await? {
            None => ReplaceOutcome::Replaced,
            Some(c) if c.condition_failed(0) => ReplaceOutcome::Raced,
            Some(c) if c.condition_failed(1) => ReplaceOutcome::DailyLimit,
            Some(c) => return Err(ApiError::internal(anyhow::anyhow!("replace otp cancelled: {:?}", c.0))),
        })
    }

    /// Records that delivery of the OTP with `code_hash` failed, lifting the resend cooldown.
    pub async fn mark_otp_undelivered(&self, identifier_key: &str, code_hash: &str) -> Result<(), ApiError> {
        let req = self
            .client()
            .update_item()
            .table_name(self.table())
            .key(keys::PK, s(keys::account_pk_from_key(identifier_key)))
            .key(keys::SK, s(OTP_SK))
            .update_expression("SET delivered = :f")
            .condition_expression("code_hash = :h")
            .expression_attribute_values(":f", aws_sdk_dynamodb::types::AttributeValue::Bool(false))
            .expression_attribute_values(":h", s(code_hash));
        // A failed condition means the code was replaced or used meanwhile: nothing to record.
        conditional_update::<IgnoredAny>(req, "otp", "UpdateItem otp delivered").await?;
        Ok(())
    }

    /// Applies a profile change and returns the updated account; `None` if it does not exist.
    pub async fn update_profile(
        &self,
        identifier_key: &str,
        update: &ProfileUpdate,
        now_rfc3339: &str,
    ) -> Result<Option<AccountItem>, ApiError> {
        let mut sets = vec!["updated_at = :now".to_owned()];
        let mut req = self
            .client()
            .update_item()
            .table_name(self.table())
            .key(keys::PK, s(keys::account_pk_from_key(identifier_key)))
            .key(keys::SK, s(ACCOUNT_SK))
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":now", s(now_rfc3339))
            .return_values(ReturnValue::AllNew)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::None);
        for (name, value) in [
            ("first_name", &update.first_name),
            ("last_name", &update.last_name),
            ("address", &update.address),
            ("gender", &update.gender),
        ] {
            if let Some(value) = value {
                sets.push(format!("{name} = :{name}"));
                let av = match value {
                    Some(v) => s(v),
                    None => aws_sdk_dynamodb::types::AttributeValue::Null(true),
                };
                req = req.expression_attribute_values(format!(":{name}"), av);
            }
        }
        let req = req.update_expression(format!("SET {}", sets.join(", ")));
        match conditional_update::<AccountItem>(req, "account", "UpdateItem profile").await? {
            Conditional::Applied(account) => Ok(account),
            Conditional::Failed(_) => Ok(None),
        }
    }
}

impl Store {
    /// Users, newest first (admin).
    pub async fn users_page(
        &self,
        page: &crate::platform::pagination::PageRequest,
    ) -> Result<(Vec<AccountItem>, Option<super::Item>), ApiError> {
        let page = self
            .query_page(
                crate::platform::db::GSI1,
                keys::USERS_GSI1PK.to_owned(),
                page,
                "Query users",
            )
            .await?;
        Ok((page.items, page.last_key))
    }
}
