//! Accounts in the table: the account and its pending code share a partition keyed by the
//! identifier, referral codes are unique through guard items, sessions are one item each, and the
//! abuse counters are fixed-window items that expire through TTL.
//!
//! | item | PK | SK | GSI1PK / GSI1SK |
//! |---|---|---|---|
//! | account (user + credentials) | `ACCOUNT#EMAIL#a@b.com` / `ACCOUNT#PHONE#+234..` | `ACCOUNT` | `USERS` / `<user ulid>` |
//! | pending code of an account | same as account | `OTP` | |
//! | the account's session ids (string set `ids`) | same as account | `SESSIONS` | |
//! | referral-code guard | `REFERRAL#<code>` | `REFERRAL` | |
//! | session (refresh-token family) | `SESSION#<ulid>` | `SESSION` | |
//! | login attempts of an identifier in a window | `THROTTLE#LOGIN#<identifier key>#<window>` | `THROTTLE` | |
//! | login attempts of an identifier from one source address in a window | `THROTTLE#LOGIN#<identifier key>#SRC#<address>#<window>` | `THROTTLE` | |
//! | codes sent on a day | `THROTTLE#OTP#<identifier key>#<day>` | `THROTTLE` | |

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, ReturnValuesOnConditionCheckFailure, TransactWriteItem};
use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};

use super::model::otp::GuessPrecondition;
use super::model::profile::ProfileUpdate;
use super::model::session::SessionEpoch;
use super::model::{Account, LoginCounter, PendingCode, ReferralCode, Session, Window};
use crate::platform::db::{
    Conditional, Db, GSI1, GSI1PK, GSI1SK, Item, PK, Page, SK, TTL, conditional_update, db_error, from_item, n, s,
    sk_of, to_item, transact, write_gate,
};
use crate::platform::error::Failure;
use crate::platform::pagination::PageRequest;

const ACCOUNT_SK: &str = "ACCOUNT";
const OTP_SK: &str = "OTP";
const REFERRAL_SK: &str = "REFERRAL";
const SESSION_SK: &str = "SESSION";
const SESSIONS_SK: &str = "SESSIONS";
const THROTTLE_SK: &str = "THROTTLE";
const USERS_GSI1PK: &str = "USERS";
/// Expired codes and sessions stay a day before TTL removes them (code checks its own expiry).
const TTL_GRACE_SECS: i64 = 86_400;

fn account_pk(identifier_key: &str) -> String {
    format!("ACCOUNT#{identifier_key}")
}

fn referral_pk(code: &str) -> String {
    format!("REFERRAL#{code}")
}

fn session_pk(session_id: &str) -> String {
    format!("SESSION#{session_id}")
}

fn login_throttle_pk(identifier_key: &str, counter: LoginCounter, source: &str, window: i64) -> String {
    match counter {
        LoginCounter::Identifier => format!("THROTTLE#LOGIN#{identifier_key}#{window}"),
        LoginCounter::Source => format!("THROTTLE#LOGIN#{identifier_key}#SRC#{source}#{window}"),
    }
}

fn otp_throttle_pk(identifier_key: &str, day: i64) -> String {
    format!("THROTTLE#OTP#{identifier_key}#{day}")
}

/// The key of a session item, for features that read it in their own batch (order placement).
pub fn session_key(session_id: &str) -> (String, String) {
    (session_pk(session_id), SESSION_SK.to_owned())
}

/// The key of an account item, for features that read it in their own batch (order placement
/// names its customer).
pub fn account_key(identifier_key: &str) -> (String, String) {
    (account_pk(identifier_key), ACCOUNT_SK.to_owned())
}

/// Whether a batch-read item is an account item.
pub fn is_account(item: &Item) -> bool {
    sk_of(item) == ACCOUNT_SK
}

pub fn account_from(item: Item) -> Result<Account, Failure> {
    from_item(item, "account")
}

/// Whether a batch-read item is a session item.
pub fn is_session(item: &Item) -> bool {
    sk_of(item) == SESSION_SK
}

pub fn session_from(item: Item) -> Result<Session, Failure> {
    from_item(item, "session")
}

/// A transaction action that holds only while the session is live (not revoked, not
/// expired): writes made on a session's behalf carry it.
pub fn live_session_check(db: &Db, session_id: &str, now: i64) -> Result<TransactWriteItem, Failure> {
    db.check_action(session_pk(session_id), SESSION_SK, |a| {
        a.condition_expression("revoked = :f AND expires_at > :now")
            .expression_attribute_values(":f", AttributeValue::Bool(false))
            .expression_attribute_values(":now", n(now))
    })
}

/// What the account partition holds.
#[derive(Debug, Default)]
pub struct AccountPartition {
    pub account: Option<Account>,
    pub code: Option<PendingCode>,
    /// The account's session epoch: how many times every session was ended. A session is
    /// started only while the epoch is still the one read before the password was checked.
    pub session_epoch: SessionEpoch,
}

#[derive(Debug, Deserialize)]
struct SessionIds {
    #[serde(default)]
    ids: Vec<String>,
    #[serde(default)]
    epoch: SessionEpoch,
}

/// Whether a new session could start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionStart {
    Started,
    /// Every session of the account was ended after the epoch was read: the login that read it
    /// does not get one.
    Ended,
}

#[derive(Debug, Serialize, Deserialize)]
struct ReferralGuard {
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
    CodeDailyLimit,
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
    CodeChanged,
}

#[derive(Debug, PartialEq, Eq)]
pub enum ResetOutcome {
    Reset,
    /// The code was replaced, used, or ran out of attempts meanwhile.
    CodeChanged,
    /// There is no account (an unknown identifier's code).
    NoAccount,
}

#[derive(Debug)]
pub enum RotateOutcome {
    Rotated(Session),
    /// The presented token was not the current one of a live family: the session as it is.
    Refused(Option<Session>),
}

/// A code counted against an identifier's daily limit, in the transaction that stores it.
pub struct CountedCode<'a> {
    pub code: &'a PendingCode,
    pub day: Window,
    pub daily_limit: u32,
    /// The address that asked for the code, and how many codes it may have this identifier
    /// sent that day.
    pub source: &'a str,
    pub daily_limit_per_source: u32,
}

#[derive(Clone, Debug)]
pub struct AccountStore {
    db: Db,
}

impl AccountStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    fn account_item(account: &Account) -> Result<Item, Failure> {
        to_item(
            account,
            [
                (PK, account_pk(&account.identifier_key)),
                (SK, ACCOUNT_SK.to_owned()),
                (GSI1PK, USERS_GSI1PK.to_owned()),
                (GSI1SK, account.id.clone()),
            ],
            "account",
        )
    }

    fn code_item(identifier_key: &str, code: &PendingCode) -> Result<Item, Failure> {
        let mut item = to_item(code, [(PK, account_pk(identifier_key)), (SK, OTP_SK.to_owned())], "otp")?;
        item.insert(TTL.to_owned(), n(code.expires_at + TTL_GRACE_SECS));
        Ok(item)
    }

    /// Creates an account with its referral guard and (optionally) its first code in one
    /// transaction; the account put is conditional on the identifier being free, the guard on the
    /// code being free, and a referral code given at signup must exist.
    pub async fn create_account(
        &self,
        account: &Account,
        code: Option<&CountedCode<'_>>,
        referrer: Option<&ReferralCode>,
    ) -> Result<CreateOutcome, Failure> {
        let guard = to_item(
            &ReferralGuard {
                user_id: account.id.clone(),
            },
            [(PK, referral_pk(&account.referral_code)), (SK, REFERRAL_SK.to_owned())],
            "referral guard",
        )?;
        let mut items = vec![
            self.db.put_action(Self::account_item(account)?, |p| {
                p.condition_expression("attribute_not_exists(PK)")
            })?,
            self.db
                .put_action(guard, |p| p.condition_expression("attribute_not_exists(PK)"))?,
        ];
        let referrer_index = match referrer {
            None => None,
            Some(code) => {
                items.push(self.db.check_action(referral_pk(code.as_str()), REFERRAL_SK, |a| {
                    a.condition_expression("attribute_exists(PK)")
                })?);
                Some(items.len() - 1)
            }
        };
        let mut counter_index = None;
        if let Some(counted) = code {
            items.push(
                self.db
                    .put_action(Self::code_item(&account.identifier_key, counted.code)?, |p| p)?,
            );
            items.push(self.code_send_counter(&account.identifier_key, counted.day, counted.daily_limit)?);
            counter_index = Some(items.len() - 1);
            items.push(self.code_source_counter(&account.identifier_key, counted)?);
        }
        Ok(match transact(&self.db, "create account", items).await? {
            None => CreateOutcome::Created,
            Some(c) if c.condition_failed(0) => CreateOutcome::IdentifierTaken,
            Some(c) if referrer_index.is_some_and(|i| c.condition_failed(i)) => CreateOutcome::ReferrerNotFound,
            Some(c) if c.condition_failed(1) => CreateOutcome::ReferralCodeCollision,
            Some(c) if counter_index.is_some_and(|i| c.condition_failed(i) || c.condition_failed(i + 1)) => {
                CreateOutcome::CodeDailyLimit
            }
            Some(c) => return Err(Failure::bug(format!("create account cancelled: {:?}", c.0))),
        })
    }

    /// [`Self::create_account`], retried while a generated referral code collides.
    pub async fn create_account_retrying(
        &self,
        account: &mut Account,
        code: Option<&CountedCode<'_>>,
        referrer: Option<&ReferralCode>,
    ) -> Result<CreateOutcome, Failure> {
        const ATTEMPTS: u32 = 5;
        for _ in 0..ATTEMPTS {
            match self.create_account(account, code, referrer).await? {
                CreateOutcome::ReferralCodeCollision => {
                    account.referral_code = ReferralCode::generate().as_str().to_owned();
                }
                done => return Ok(done),
            }
        }
        Err(Failure::bug(format!(
            "{ATTEMPTS} generated referral codes in a row were taken"
        )))
    }

    /// The account alone, strongly consistent (login).
    pub async fn account(&self, identifier_key: &str) -> Result<Option<Account>, Failure> {
        self.db
            .get_item(account_pk(identifier_key), ACCOUNT_SK, "account")
            .await
    }

    /// The account and its session epoch, in one strongly consistent Query (login).
    pub async fn account_and_epoch(&self, identifier_key: &str) -> Result<(Option<Account>, SessionEpoch), Failure> {
        let partition = self.account_partition(identifier_key).await?;
        Ok((partition.account, partition.session_epoch))
    }

    /// The account, its pending code and its session epoch in one strongly consistent Query
    /// (verify, resend, forgot, reset).
    pub async fn account_partition(&self, identifier_key: &str) -> Result<AccountPartition, Failure> {
        let out = self
            .db
            .client()
            .query()
            .table_name(self.db.table())
            .key_condition_expression("PK = :pk")
            .expression_attribute_values(":pk", s(account_pk(identifier_key)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| db_error("Query account", e))?;
        let mut partition = AccountPartition::default();
        for item in out.items.unwrap_or_default() {
            match sk_of(&item) {
                ACCOUNT_SK => partition.account = Some(from_item(item, "account")?),
                OTP_SK => partition.code = Some(from_item(item, "otp")?),
                SESSIONS_SK => {
                    partition.session_epoch = from_item::<SessionIds>(item, "session ids")?.epoch;
                }
                _ => {}
            }
        }
        Ok(partition)
    }

    /// The account and its pending code (verify and resend).
    pub async fn account_with_code(
        &self,
        identifier_key: &str,
    ) -> Result<(Option<Account>, Option<PendingCode>), Failure> {
        let partition = self.account_partition(identifier_key).await?;
        Ok((partition.account, partition.code))
    }

    /// Counts a wrong guess against the code, if the guess's precondition still holds. False when
    /// that code is gone, replaced, or already out of attempts.
    pub async fn record_wrong_guess(
        &self,
        identifier_key: &str,
        guess: GuessPrecondition<'_>,
    ) -> Result<bool, Failure> {
        let req = self
            .db
            .update_item(account_pk(identifier_key), OTP_SK)
            .update_expression("SET attempts = attempts + :one")
            .condition_expression("code_hash = :h AND attempts < :max AND attribute_not_exists(used_at)")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":h", s(guess.code_hash))
            .expression_attribute_values(":max", n(guess.attempts_below));
        match conditional_update::<IgnoredAny>(req, "otp", "UpdateItem otp attempts").await? {
            Conditional::Applied(_) => Ok(true),
            Conditional::Failed(_) => Ok(false),
        }
    }

    /// Marks the account verified and consumes the code, atomically, under the guess's
    /// precondition (same code, attempts left), so a code works once.
    pub async fn complete_verification(
        &self,
        identifier_key: &str,
        guess: GuessPrecondition<'_>,
        now_rfc3339: &str,
    ) -> Result<VerifyOutcome, Failure> {
        let pk = account_pk(identifier_key);
        let items = vec![
            self.db.update_action(&pk, ACCOUNT_SK, |a| {
                a.update_expression("SET is_verified = :t, updated_at = :now")
                    .condition_expression("attribute_exists(PK) AND is_verified = :f")
                    .expression_attribute_values(":t", AttributeValue::Bool(true))
                    .expression_attribute_values(":f", AttributeValue::Bool(false))
                    .expression_attribute_values(":now", s(now_rfc3339))
            })?,
            self.consume_code(&pk, guess)?,
        ];
        Ok(match transact(&self.db, "verify account", items).await? {
            None => VerifyOutcome::Verified,
            Some(c) if c.condition_failed(0) => VerifyOutcome::AlreadyVerified,
            Some(c) if c.condition_failed(1) => VerifyOutcome::CodeChanged,
            Some(c) => return Err(Failure::bug(format!("verification cancelled: {:?}", c.0))),
        })
    }

    /// A transaction action that marks the pending code of the account partition `pk` used,
    /// under the guess's precondition (the code checked, attempts left, not used yet): a code
    /// works once. It stays until it expires, so its send time keeps holding the cooldown.
    fn consume_code(&self, pk: &str, guess: GuessPrecondition<'_>) -> Result<TransactWriteItem, Failure> {
        self.db.update_action(pk, OTP_SK, |a| {
            a.update_expression("SET used_at = :now")
                .condition_expression("code_hash = :h AND attempts < :max AND attribute_not_exists(used_at)")
                .expression_attribute_values(":h", s(guess.code_hash))
                .expression_attribute_values(":max", n(guess.attempts_below))
                .expression_attribute_values(":now", n(crate::platform::clock::now_epoch()))
        })
    }

    /// Sets a new password hash, marks the account verified (the code proved the identifier) and
    /// consumes the reset code, atomically, under the guess's precondition.
    pub async fn complete_reset(
        &self,
        identifier_key: &str,
        guess: GuessPrecondition<'_>,
        password_hash: &str,
        now_rfc3339: &str,
    ) -> Result<ResetOutcome, Failure> {
        self.complete_with_code(identifier_key, guess, Some(password_hash), now_rfc3339)
            .await
    }

    /// Uses the code `guess` names and marks the account verified (the code proves the
    /// identifier), setting `password_hash` too when given, in one transaction.
    pub async fn complete_with_code(
        &self,
        identifier_key: &str,
        guess: GuessPrecondition<'_>,
        password_hash: Option<&str>,
        now_rfc3339: &str,
    ) -> Result<ResetOutcome, Failure> {
        let pk = account_pk(identifier_key);
        let items = vec![
            self.db.update_action(&pk, ACCOUNT_SK, |a| {
                let a = a
                    .condition_expression("attribute_exists(PK)")
                    .expression_attribute_values(":t", AttributeValue::Bool(true))
                    .expression_attribute_values(":now", s(now_rfc3339));
                match password_hash {
                    Some(hash) => a
                        .update_expression("SET password_hash = :hash, is_verified = :t, updated_at = :now")
                        .expression_attribute_values(":hash", s(hash)),
                    None => a.update_expression("SET is_verified = :t, updated_at = :now"),
                }
            })?,
            self.consume_code(&pk, guess)?,
        ];
        Ok(match transact(&self.db, "complete with code", items).await? {
            None => ResetOutcome::Reset,
            Some(c) if c.condition_failed(0) => ResetOutcome::NoAccount,
            Some(c) if c.condition_failed(1) => ResetOutcome::CodeChanged,
            Some(c) => return Err(Failure::bug(format!("reset cancelled: {:?}", c.0))),
        })
    }

    /// Sets a new password hash; `None` when the account is gone.
    pub async fn set_password(
        &self,
        identifier_key: &str,
        password_hash: &str,
        now_rfc3339: &str,
    ) -> Result<Option<Account>, Failure> {
        let req = self
            .db
            .update_item(account_pk(identifier_key), ACCOUNT_SK)
            .update_expression("SET password_hash = :hash, updated_at = :now")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":hash", s(password_hash))
            .expression_attribute_values(":now", s(now_rfc3339))
            .return_values(ReturnValue::AllNew)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::None);
        match conditional_update::<Account>(req, "account", "UpdateItem password").await? {
            Conditional::Applied(account) => Ok(account),
            Conditional::Failed(_) => Ok(None),
        }
    }

    /// Replaces the code, provided it is still the one last seen (`previous_hash`, or none), so
    /// two concurrent resends cannot both pass the cooldown, and counts it against the daily
    /// limit, in one transaction.
    pub async fn replace_code(
        &self,
        identifier_key: &str,
        counted: &CountedCode<'_>,
        previous_hash: Option<&str>,
    ) -> Result<ReplaceOutcome, Failure> {
        let code = self.db.put_action(
            Self::code_item(identifier_key, counted.code)?,
            |p| match previous_hash {
                Some(prev) => p
                    .condition_expression("code_hash = :prev")
                    .expression_attribute_values(":prev", s(prev)),
                None => p.condition_expression("attribute_not_exists(PK)"),
            },
        )?;
        let items = vec![
            code,
            self.code_send_counter(identifier_key, counted.day, counted.daily_limit)?,
            self.code_source_counter(identifier_key, counted)?,
        ];
        Ok(match transact(&self.db, "replace otp", items).await? {
            None => ReplaceOutcome::Replaced,
            Some(c) if c.condition_failed(0) => ReplaceOutcome::Raced,
            Some(c) if c.condition_failed(1) || c.condition_failed(2) => ReplaceOutcome::DailyLimit,
            Some(c) => return Err(Failure::bug(format!("replace otp cancelled: {:?}", c.0))),
        })
    }

    /// Records that delivery of the code with `code_hash` failed, lifting the resend cooldown.
    pub async fn mark_code_undelivered(&self, identifier_key: &str, code_hash: &str) -> Result<(), Failure> {
        let req = self
            .db
            .update_item(account_pk(identifier_key), OTP_SK)
            .update_expression("SET delivered = :f")
            .condition_expression("code_hash = :h")
            .expression_attribute_values(":f", AttributeValue::Bool(false))
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
    ) -> Result<Option<Account>, Failure> {
        let mut sets = vec!["updated_at = :now".to_owned()];
        let mut req = self
            .db
            .update_item(account_pk(identifier_key), ACCOUNT_SK)
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
                    None => AttributeValue::Null(true),
                };
                req = req.expression_attribute_values(format!(":{name}"), av);
            }
        }
        let req = req.update_expression(format!("SET {}", sets.join(", ")));
        match conditional_update::<Account>(req, "account", "UpdateItem profile").await? {
            Conditional::Applied(account) => Ok(account),
            Conditional::Failed(_) => Ok(None),
        }
    }

    /// The account with user id `id` (the users index), for messages about a user's orders.
    pub async fn account_by_id(&self, id: &str) -> Result<Option<Account>, Failure> {
        let out = self
            .db
            .client()
            .query()
            .table_name(self.db.table())
            .index_name(GSI1.name)
            .key_condition_expression("#pk = :pk AND #sk = :sk")
            .expression_attribute_names("#pk", GSI1.pk)
            .expression_attribute_names("#sk", GSI1.sk)
            .expression_attribute_values(":pk", s(USERS_GSI1PK))
            .expression_attribute_values(":sk", s(id))
            .limit(1)
            .send()
            .await
            .map_err(|e| db_error("Query user by id", e))?;
        out.items
            .unwrap_or_default()
            .into_iter()
            .next()
            .map(|item| from_item(item, "account"))
            .transpose()
    }

    /// Users, newest first (admin).
    pub async fn users_page(&self, page: &PageRequest) -> Result<Page<Account>, Failure> {
        self.db
            .query_page(GSI1, USERS_GSI1PK.to_owned(), page, "Query users")
            .await
    }

    fn session_item(session: &Session) -> Result<Item, Failure> {
        let mut item = to_item(
            session,
            [(PK, session_pk(&session.session_id)), (SK, SESSION_SK.to_owned())],
            "session",
        )?;
        item.insert(TTL.to_owned(), n(session.expires_at + TTL_GRACE_SECS));
        Ok(item)
    }

    /// Writes a new session and adds its id to its account's session list, in one transaction:
    /// every session of an account can then be found with one strongly consistent read.
    /// Starts a session and lists it on the account, while the account's session epoch is still
    /// `epoch` (no "end every session" came between the read and this write).
    pub async fn create_session(&self, session: &Session, epoch: SessionEpoch) -> Result<SessionStart, Failure> {
        let items = vec![
            self.db.put_action(Self::session_item(session)?, |p| {
                p.condition_expression("attribute_not_exists(PK)")
            })?,
            self.db
                .update_action(account_pk(&session.identifier_key), SESSIONS_SK, |a| {
                    let a = a
                        .update_expression("ADD ids :id")
                        .expression_attribute_values(":id", AttributeValue::Ss(vec![session.session_id.clone()]));
                    if epoch.0 == 0 {
                        a.condition_expression("attribute_not_exists(epoch) OR epoch = :zero")
                            .expression_attribute_values(":zero", n(0))
                    } else {
                        a.condition_expression("epoch = :epoch")
                            .expression_attribute_values(":epoch", n(epoch.0))
                    }
                })?,
        ];
        match transact(&self.db, "create session", items).await? {
            None => Ok(SessionStart::Started),
            Some(c) if c.condition_failed(1) => Ok(SessionStart::Ended),
            Some(c) => Err(Failure::bug(format!("create session cancelled: {:?}", c.0))),
        }
    }

    /// Ends every session of the account, as one write: the epoch moves on (so no session can
    /// start under the one read before), and the sessions listed at that instant come back to be
    /// revoked ([`Self::revoke_sessions`]). Returns them and the new epoch.
    pub async fn end_sessions(&self, identifier_key: &str) -> Result<(Vec<String>, SessionEpoch), Failure> {
        write_gate().await?;
        let out = self
            .db
            .update_item(account_pk(identifier_key), SESSIONS_SK)
            .update_expression("ADD epoch :one")
            .expression_attribute_values(":one", n(1))
            .return_values(ReturnValue::AllNew)
            .send()
            .await
            .map_err(|e| db_error("UpdateItem session epoch", e))?;
        let sessions: SessionIds = from_item(out.attributes.unwrap_or_default(), "session ids")?;
        Ok((sessions.ids, sessions.epoch))
    }

    /// Revokes every session in `ids` (side by side; sessions already gone are skipped) and
    /// drops them from the account's list.
    pub async fn revoke_sessions(&self, identifier_key: &str, ids: &[String]) -> Result<(), Failure> {
        if ids.is_empty() {
            return Ok(());
        }
        let revoked = futures_util::future::join_all(ids.iter().map(|id| self.revoke_session(id))).await;
        for result in revoked {
            result?;
        }
        write_gate().await?;
        self.db
            .update_item(account_pk(identifier_key), SESSIONS_SK)
            .update_expression("DELETE ids :gone")
            .expression_attribute_values(":gone", AttributeValue::Ss(ids.to_vec()))
            .send()
            .await
            .map_err(|e| db_error("UpdateItem session ids", e))?;
        Ok(())
    }

    /// Swaps `presented_jti` for `new_jti` in one conditional write (the presented token must be
    /// the family's current one and the family not revoked). On a refusal the session comes back
    /// as it is, so reuse is told from revocation without another read.
    pub async fn rotate_session(
        &self,
        session_id: &str,
        presented_jti: &str,
        new_jti: &str,
        new_expires_at: i64,
    ) -> Result<RotateOutcome, Failure> {
        let req = self
            .db
            .update_item(session_pk(session_id), SESSION_SK)
            .update_expression("SET current_jti = :new, expires_at = :exp, #ttl = :ttl")
            .condition_expression("current_jti = :old AND revoked = :f")
            .expression_attribute_names("#ttl", TTL)
            .expression_attribute_values(":new", s(new_jti))
            .expression_attribute_values(":old", s(presented_jti))
            .expression_attribute_values(":f", AttributeValue::Bool(false))
            .expression_attribute_values(":exp", n(new_expires_at))
            .expression_attribute_values(":ttl", n(new_expires_at + TTL_GRACE_SECS))
            .return_values(ReturnValue::AllNew)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        match conditional_update::<Session>(req, "session", "UpdateItem session").await? {
            Conditional::Applied(Some(session)) => Ok(RotateOutcome::Rotated(session)),
            Conditional::Applied(None) => Err(Failure::bug("rotate returned no item")),
            Conditional::Failed(current) => Ok(RotateOutcome::Refused(current)),
        }
    }

    /// Revokes a session (idempotent). False when no such session exists.
    pub async fn revoke_session(&self, session_id: &str) -> Result<bool, Failure> {
        let req = self
            .db
            .update_item(session_pk(session_id), SESSION_SK)
            .update_expression("SET revoked = :t")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":t", AttributeValue::Bool(true));
        match conditional_update::<IgnoredAny>(req, "session", "UpdateItem revoke session").await? {
            Conditional::Applied(_) => Ok(true),
            Conditional::Failed(_) => Ok(false),
        }
    }

    pub async fn session(&self, session_id: &str) -> Result<Option<Session>, Failure> {
        self.db.get_item(session_pk(session_id), SESSION_SK, "session").await
    }

    /// A session and one other item (another feature's, by its key) in one strongly consistent
    /// BatchGetItem: how a kitchen's membership is read beside the session check.
    pub async fn session_with<T: serde::de::DeserializeOwned>(
        &self,
        session_id: &str,
        other: (String, String),
        what: &'static str,
    ) -> Result<(Option<Session>, Option<T>), Failure> {
        let (mut session, mut found) = (None, None);
        for item in self
            .db
            .batch_get(vec![session_key(session_id), other], "BatchGetItem session+")
            .await?
        {
            if is_session(&item) {
                session = Some(session_from(item)?);
            } else {
                found = Some(from_item(item, what)?);
            }
        }
        Ok((session, found))
    }

    /// An account and a session in one strongly consistent BatchGetItem.
    pub async fn account_and_session(
        &self,
        identifier_key: &str,
        session_id: &str,
    ) -> Result<(Option<Account>, Option<Session>), Failure> {
        let keys = vec![
            (account_pk(identifier_key), ACCOUNT_SK.to_owned()),
            session_key(session_id),
        ];
        let (mut account, mut session) = (None, None);
        for item in self.db.batch_get(keys, "BatchGetItem account+session").await? {
            match sk_of(&item) {
                ACCOUNT_SK => account = Some(from_item(item, "account")?),
                SESSION_SK => session = Some(from_item(item, "session")?),
                _ => {}
            }
        }
        Ok((account, session))
    }

    /// Counts a login attempt on `counter` if it is below `cap` (one conditional write, so
    /// parallel attempts cannot pass the cap); false when the counter is full.
    pub async fn count_login_attempt(
        &self,
        identifier_key: &str,
        source: &str,
        counter: LoginCounter,
        window: Window,
        cap: u32,
    ) -> Result<bool, Failure> {
        let req = self
            .db
            .update_item(
                login_throttle_pk(identifier_key, counter, source, window.index),
                THROTTLE_SK,
            )
            .update_expression("ADD failures :one SET #ttl = :ttl")
            .condition_expression("attribute_not_exists(failures) OR failures < :cap")
            .expression_attribute_names("#ttl", TTL)
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":cap", n(cap))
            .expression_attribute_values(":ttl", n(window.ends_at + 3600));
        match conditional_update::<IgnoredAny>(req, "login counter", "UpdateItem login attempt").await? {
            Conditional::Applied(_) => Ok(true),
            Conditional::Failed(_) => Ok(false),
        }
    }

    /// Gives back an attempt counted on `counter` (it was not a failed guess).
    pub async fn give_back_login_attempt(
        &self,
        identifier_key: &str,
        source: &str,
        counter: LoginCounter,
        window: Window,
    ) -> Result<(), Failure> {
        let req = self
            .db
            .update_item(
                login_throttle_pk(identifier_key, counter, source, window.index),
                THROTTLE_SK,
            )
            .update_expression("ADD failures :minus_one")
            .condition_expression("failures > :zero")
            .expression_attribute_values(":minus_one", n(-1))
            .expression_attribute_values(":zero", n(0));
        // A failed condition: already at zero (or gone with its TTL), nothing to give back.
        conditional_update::<IgnoredAny>(req, "login counter", "UpdateItem login attempt back").await?;
        Ok(())
    }

    /// Forgets the failures of one source in this window after its successful login. An
    /// UpdateItem, not a DeleteItem: the login function's policy grants no DeleteItem (the item
    /// itself goes with its TTL).
    pub async fn clear_login_failures(
        &self,
        identifier_key: &str,
        source: &str,
        window: Window,
    ) -> Result<(), Failure> {
        write_gate().await?;
        self.db
            .update_item(
                login_throttle_pk(identifier_key, LoginCounter::Source, source, window.index),
                THROTTLE_SK,
            )
            .update_expression("REMOVE failures")
            .send()
            .await
            .map_err(|e| db_error("UpdateItem clear login failures", e))?;
        Ok(())
    }

    /// A transaction action counting one code sent to `identifier_key` on `day`, failing its
    /// condition once `limit` codes were sent.
    fn code_send_counter(&self, identifier_key: &str, day: Window, limit: u32) -> Result<TransactWriteItem, Failure> {
        self.send_counter(identifier_key, THROTTLE_SK.to_owned(), day, limit)
    }

    /// The identifier's codes of the day asked for from one address, under their own cap.
    fn code_source_counter(
        &self,
        identifier_key: &str,
        counted: &CountedCode<'_>,
    ) -> Result<TransactWriteItem, Failure> {
        self.send_counter(
            identifier_key,
            format!("{THROTTLE_SK}#SOURCE#{}", counted.source),
            counted.day,
            counted.daily_limit_per_source,
        )
    }

    fn send_counter(
        &self,
        identifier_key: &str,
        sk: String,
        day: Window,
        limit: u32,
    ) -> Result<TransactWriteItem, Failure> {
        self.db
            .update_action(otp_throttle_pk(identifier_key, day.index), sk, |a| {
                a.update_expression("ADD sends :one SET #ttl = :ttl")
                    .condition_expression("attribute_not_exists(sends) OR sends < :limit")
                    .expression_attribute_names("#ttl", TTL)
                    .expression_attribute_values(":one", n(1))
                    .expression_attribute_values(":limit", n(limit))
                    .expression_attribute_values(":ttl", n(day.ends_at + 3600))
            })
    }
}
