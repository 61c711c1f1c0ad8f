//! The account flows: signup, code verification and resend, login, token refresh and logout,
//! the caller's profile, the user list, and the live-session check every signed-in request
//! passes. Callable from HTTP handlers, the operator command and other features alike; answers
//! in domain outcomes and [`AccountError`], never in HTTP.

use std::sync::Arc;

use serde::Serialize;
use ulid::Ulid;

use super::model::otp::{CodeError, CodePurpose, GuessPrecondition};
use super::model::profile::ProfileUpdate;
use super::model::session::{self, RefreshRefused, SessionEpoch};
use super::model::tokens::Issued;
use super::model::{
    Account, Channel, CodePolicy, Identifier, LoginCounter, LoginThrottle, Otp, OtpHasher, Password, PasswordHasher,
    PendingCode, ReferralCode, Role, Session, Subject, TokenError, TokenType, Tokens,
};
use super::notify::OtpSender;
use super::store::{
    AccountStore, CountedCode, CreateOutcome, ReplaceOutcome, ResetOutcome, RotateOutcome, SessionStart, VerifyOutcome,
};
use crate::platform::clock::{now_epoch, now_rfc3339};
use crate::platform::config::Config;
use crate::platform::db::Page;
use crate::platform::error::Failure;
use crate::platform::keys::KeyRings;
use crate::platform::pagination::PageRequest;
use crate::platform::validation::Invalid;

/// Why an account flow did not go through.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("{0}")]
    IdentifierTaken(&'static str),
    #[error("the referral code belongs to no user")]
    ReferrerNotFound,
    #[error("no account has this identifier")]
    UserNotFound,
    /// Codes go by SMS only to the configured countries (SMS pumping).
    #[error("codes are not sent by SMS to this country")]
    UnsupportedCountry,
    #[error("the account is verified already")]
    AlreadyVerified,
    #[error("the code does not match")]
    WrongCode,
    #[error("the code has expired")]
    CodeExpired,
    #[error("too many wrong codes")]
    TooManyAttempts,
    #[error("another code may be sent in {wait_secs} s")]
    Cooldown { wait_secs: i64 },
    #[error("the daily number of codes was sent")]
    DailyLimit { retry_after: u64 },
    #[error("too many failed logins")]
    TooManyLogins { retry_after: u64 },
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("the current password is wrong")]
    WrongCurrentPassword,
    #[error("the account is not verified")]
    NotVerified,
    #[error("no token")]
    NotAuthenticated,
    #[error("{0}")]
    Token(#[from] TokenError),
    #[error("a rotated refresh token was presented")]
    TokenReused,
    #[error("the session has ended")]
    SessionEnded,
    #[error("the caller's role may not do this")]
    Forbidden,
    #[error(transparent)]
    Failure(#[from] Failure),
}

/// What the client learns about a code it was sent: never the code.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CodeStatus {
    pub channel: Channel,
    pub expires_in: u64,
    pub delivered: bool,
}

pub struct SignedUp {
    pub account: Account,
    pub code: CodeStatus,
}

/// An access and a refresh token, with their lifetimes.
pub struct TokenPair {
    pub access: String,
    pub refresh: String,
    pub access_ttl_secs: u64,
    pub refresh_ttl_secs: u64,
}

pub struct LoggedIn {
    pub tokens: TokenPair,
    pub account: Account,
}

/// The account rules a deployment configures.
#[derive(Debug, Clone)]
pub struct AccountSettings {
    /// Country calling code for national phone numbers.
    pub default_country: String,
    /// Calling codes of the countries codes are sent to by SMS.
    pub sms_countries: Vec<String>,
    pub codes: CodePolicy,
    pub logins: LoginThrottle,
    /// How long a session lasts at most from login, refreshes included.
    pub session_max_age_secs: i64,
}

impl AccountSettings {
    pub fn from_config(config: &Config) -> Self {
        Self {
            default_country: config.default_country_code.clone(),
            sms_countries: config.sms_countries.clone(),
            codes: CodePolicy {
                ttl_secs: config.otp_ttl.as_secs() as i64,
                resend_cooldown_secs: config.otp_resend_cooldown.as_secs() as i64,
                max_attempts: config
                    .otp_max_attempts
                    .unwrap_or(super::model::otp::DEFAULT_MAX_ATTEMPTS),
                daily_limit: config.otp_daily_limit,
            },
            session_max_age_secs: config
                .session_max_age
                .map_or(super::model::session::DEFAULT_MAX_AGE_SECS, |d| d.as_secs() as i64),
            logins: LoginThrottle {
                max_failures: config.login_max_failures,
                max_failures_per_identifier: config.login_max_failures_per_identifier,
                window_secs: config.login_window.as_secs() as i64,
            },
        }
    }
}

#[derive(Clone)]
pub struct Accounts {
    store: AccountStore,
    tokens: Arc<Tokens>,
    passwords: PasswordHasher,
    otp: OtpHasher,
    settings: Arc<AccountSettings>,
    sender: Option<Arc<dyn OtpSender>>,
}

impl Accounts {
    pub fn new(store: AccountStore, keys: &KeyRings, config: &Config, sender: Option<Arc<dyn OtpSender>>) -> Self {
        Self {
            store,
            tokens: Arc::new(Tokens::new(
                keys.tokens.clone(),
                &config.jwt_issuer,
                config.access_token_ttl,
                config.refresh_token_ttl,
            )),
            passwords: PasswordHasher::new(),
            otp: OtpHasher::new(keys.codes.clone()),
            settings: Arc::new(AccountSettings::from_config(config)),
            sender,
        }
    }

    pub fn store(&self) -> &AccountStore {
        &self.store
    }

    pub fn tokens(&self) -> &Tokens {
        &self.tokens
    }

    pub fn settings(&self) -> &AccountSettings {
        &self.settings
    }

    /// A new customer account, unverified, with its first code sent (asked for from `source`).
    pub async fn signup(
        &self,
        identifier: Identifier,
        password: Password,
        referrer: Option<ReferralCode>,
        source: &str,
    ) -> Result<SignedUp, AccountError> {
        self.check_deliverable(&identifier)?;
        let password_hash = self.passwords.hash(password).await.map_err(Failure::internal)?;
        let (otp, code) = self.issue(&identifier, CodePurpose::Signup)?;
        let mut account = Account::new(&identifier, password_hash, Role::Customer, false, now_rfc3339());
        account.referred_by = referrer.as_ref().map(|r| r.as_str().to_owned());
        let counted = self.counted(&code, source);
        match self
            .store
            .create_account_retrying(&mut account, Some(&counted), referrer.as_ref())
            .await?
        {
            CreateOutcome::Created => {}
            CreateOutcome::IdentifierTaken => return Err(AccountError::IdentifierTaken(identifier.taken_message())),
            CreateOutcome::ReferrerNotFound => return Err(AccountError::ReferrerNotFound),
            CreateOutcome::CodeDailyLimit => return Err(self.daily_limit()),
            CreateOutcome::ReferralCodeCollision => {
                return Err(Failure::bug("referral code collision after retries").into());
            }
        }
        tracing::info!(user_id = %account.id, channel = ?identifier.channel(), "account created");
        let code = self.deliver(&identifier, &otp, &code).await?;
        Ok(SignedUp { account, code })
    }

    /// Checks a code; the right one verifies the account and is used up, a wrong one counts
    /// against the code's attempts.
    pub async fn verify(&self, identifier: &Identifier, otp: &Otp) -> Result<Account, AccountError> {
        let key = identifier.storage_key();
        let (account, pending) = self.store.account_with_code(&key).await?;
        let mut account = account.ok_or(AccountError::UserNotFound)?;
        if account.is_verified {
            return Err(AccountError::AlreadyVerified);
        }
        let pending = pending.ok_or(AccountError::CodeExpired)?;
        let guess = self.check_code(&key, &pending, otp, CodePurpose::Signup).await?;
        let now = now_rfc3339();
        match self.store.complete_verification(&key, guess, &now).await? {
            VerifyOutcome::Verified => {
                tracing::info!(user_id = %account.id, "account verified");
                account.is_verified = true;
                account.updated_at = now;
                Ok(account)
            }
            VerifyOutcome::AlreadyVerified => Err(AccountError::AlreadyVerified),
            VerifyOutcome::CodeChanged => Err(AccountError::WrongCode),
        }
    }

    /// Sends a new code in place of the pending one, after the cooldown and within the daily caps
    /// (the identifier's, and the identifier's from `source`).
    pub async fn resend(&self, identifier: &Identifier, source: &str) -> Result<CodeStatus, AccountError> {
        self.check_deliverable(identifier)?;
        let key = identifier.storage_key();
        let (account, previous) = self.store.account_with_code(&key).await?;
        let account = account.ok_or(AccountError::UserNotFound)?;
        if account.is_verified {
            return Err(AccountError::AlreadyVerified);
        }
        self.send_code(identifier, previous.as_ref(), CodePurpose::Signup, true, source)
            .await
    }

    /// Sends a password reset code. Unknown identifiers get the same answer, cooldown and daily
    /// cap as known ones (a code is stored for them too, one nobody is sent or can guess), so the
    /// answer says nothing about who has an account.
    pub async fn forgot(&self, identifier: &Identifier, source: &str) -> Result<CodeStatus, AccountError> {
        self.check_deliverable(identifier)?;
        let partition = self.store.account_partition(&identifier.storage_key()).await?;
        let known = partition.account.is_some();
        self.send_code(identifier, partition.code.as_ref(), CodePurpose::Reset, known, source)
            .await
    }

    /// Sets a new password with a reset code: the account is verified (the code proves the
    /// identifier, so an owner takes back an address someone else signed up with) and every one
    /// of its sessions ends. An unknown identifier answers exactly like a wrong code.
    pub async fn reset(
        &self,
        identifier: &Identifier,
        otp: &Otp,
        new_password: Password,
    ) -> Result<Account, AccountError> {
        let key = identifier.storage_key();
        let partition = self.store.account_partition(&key).await?;
        let pending = partition.code.as_ref().ok_or(AccountError::WrongCode)?;
        let guess = self.check_code(&key, pending, otp, CodePurpose::Reset).await?;
        let account = partition.account.clone().ok_or(AccountError::WrongCode)?;
        let hash = self.passwords.hash(new_password).await.map_err(Failure::internal)?;
        let now = now_rfc3339();
        match self.store.complete_reset(&key, guess, &hash, &now).await? {
            ResetOutcome::Reset => {}
            ResetOutcome::CodeChanged | ResetOutcome::NoAccount => return Err(AccountError::WrongCode),
        }
        // After the new password is stored: a login that read the old one cannot start a session.
        let (ids, _) = self.store.end_sessions(&key).await?;
        self.store.revoke_sessions(&key, &ids).await?;
        tracing::info!(user_id = %account.id, sessions = ids.len(), "password reset");
        Ok(Account {
            password_hash: hash,
            is_verified: true,
            updated_at: now,
            ..account
        })
    }

    /// Sends a sign-in code (no password): unknown identifiers get the same answer, cooldown and
    /// daily cap as known ones, as [`Self::forgot`].
    pub async fn login_code(&self, identifier: &Identifier, source: &str) -> Result<CodeStatus, AccountError> {
        self.check_deliverable(identifier)?;
        let partition = self.store.account_partition(&identifier.storage_key()).await?;
        let known = partition.account.is_some();
        self.send_code(identifier, partition.code.as_ref(), CodePurpose::Login, known, source)
            .await
    }

    /// Signs in with a sign-in code: the code is used, the account verified (the code proves
    /// the identifier) and a session starts. A wrong code, another purpose's, or an unknown
    /// identifier answers `WrongCode`.
    pub async fn login_with_code(&self, identifier: &Identifier, otp: &Otp) -> Result<LoggedIn, AccountError> {
        let key = identifier.storage_key();
        let partition = self.store.account_partition(&key).await?;
        let pending = partition.code.as_ref().ok_or(AccountError::WrongCode)?;
        let guess = self.check_code(&key, pending, otp, CodePurpose::Login).await?;
        let account = partition.account.clone().ok_or(AccountError::WrongCode)?;
        let now = now_rfc3339();
        match self.store.complete_with_code(&key, guess, None, &now).await? {
            ResetOutcome::Reset => {}
            ResetOutcome::CodeChanged | ResetOutcome::NoAccount => return Err(AccountError::WrongCode),
        }
        let account = Account {
            is_verified: true,
            updated_at: now,
            ..account
        };
        let tokens = self
            .start_session(&account, partition.session_epoch, now_epoch())
            .await?;
        tracing::info!(user_id = %account.id, "logged in with a code");
        Ok(LoggedIn { tokens, account })
    }

    /// A signed-in user changes their password: the current one must be right; every session
    /// ends, the caller's included, and a new one starts (answered like a login).
    pub async fn change_password(
        &self,
        who: &Subject,
        current: Password,
        new_password: Password,
    ) -> Result<LoggedIn, AccountError> {
        let (account, session) = self
            .store
            .account_and_session(&who.identifier_key, &who.session_id)
            .await?;
        require_live(session.as_ref(), who)?;
        let account = account.ok_or(AccountError::SessionEnded)?;
        if !self
            .passwords
            .verify(current, Some(account.password_hash.clone()))
            .await
        {
            return Err(AccountError::WrongCurrentPassword);
        }
        let hash = self.passwords.hash(new_password).await.map_err(Failure::internal)?;
        let now = now_rfc3339();
        let account = self
            .store
            .set_password(&who.identifier_key, &hash, &now)
            .await?
            .ok_or(AccountError::SessionEnded)?;
        // Every session ends (a login that read the old password included); the new one starts
        // under the new epoch, while the old ones are revoked.
        let (mut ids, epoch) = self.store.end_sessions(&who.identifier_key).await?;
        if !ids.contains(&who.session_id) {
            ids.push(who.session_id.clone());
        }
        let (revoked, tokens) = tokio::join!(
            self.store.revoke_sessions(&who.identifier_key, &ids),
            self.start_session(&account, epoch, now_epoch())
        );
        revoked?;
        let tokens = tokens?;
        tracing::info!(user_id = %account.id, sessions = ids.len(), "password changed");
        Ok(LoggedIn { tokens, account })
    }

    /// Checks a guess against the pending code for `purpose`: a code for another purpose, or the
    /// wrong code, counts as a wrong guess (the fifth kills the code).
    async fn check_code<'a>(
        &self,
        key: &str,
        pending: &'a PendingCode,
        otp: &Otp,
        purpose: CodePurpose,
    ) -> Result<GuessPrecondition<'a>, AccountError> {
        let policy = &self.settings.codes;
        policy.check_guessable(pending, now_epoch()).map_err(|e| match e {
            CodeError::Expired => AccountError::CodeExpired,
            // A code works once: used again, it is as good as a wrong one.
            CodeError::Used => AccountError::WrongCode,
            CodeError::TooManyAttempts => AccountError::TooManyAttempts,
        })?;
        let guess = policy.guess(pending);
        if !pending.serves(purpose) || !self.otp.matches(key, otp, &pending.code_hash) {
            return if self.store.record_wrong_guess(key, guess).await? {
                Err(AccountError::WrongCode)
            } else {
                // Another request used the last attempt, or the code was replaced meanwhile.
                Err(AccountError::TooManyAttempts)
            };
        }
        Ok(guess)
    }

    /// Issues a code for `purpose` in place of `previous` after the cooldown and within the daily
    /// cap (one cooldown and one cap per identifier, whatever the codes are for), and sends it
    /// when `deliver`.
    async fn send_code(
        &self,
        identifier: &Identifier,
        previous: Option<&PendingCode>,
        purpose: CodePurpose,
        deliver: bool,
        source: &str,
    ) -> Result<CodeStatus, AccountError> {
        let policy = &self.settings.codes;
        if let Some(wait_secs) = policy.resend_wait(previous, now_epoch()) {
            return Err(AccountError::Cooldown { wait_secs });
        }
        let (otp, code) = self.issue(identifier, purpose)?;
        let previous_hash = previous.map(|p| p.code_hash.as_str());
        match self
            .store
            .replace_code(&identifier.storage_key(), &self.counted(&code, source), previous_hash)
            .await?
        {
            ReplaceOutcome::Replaced => {}
            // A concurrent request replaced it first.
            ReplaceOutcome::Raced => {
                return Err(AccountError::Cooldown {
                    wait_secs: policy.resend_cooldown_secs,
                });
            }
            ReplaceOutcome::DailyLimit => return Err(self.daily_limit()),
        }
        if deliver {
            Ok(self.deliver(identifier, &otp, &code).await?)
        } else {
            Ok(CodeStatus {
                channel: identifier.channel(),
                expires_in: policy.ttl_secs.max(0) as u64,
                delivered: true,
            })
        }
    }

    /// Codes go by SMS only to the configured countries: anything else is refused before any
    /// work, so nobody can make the kitchen pay for texts to premium numbers abroad.
    fn check_deliverable(&self, identifier: &Identifier) -> Result<(), AccountError> {
        match identifier {
            Identifier::Phone(phone) if !phone.in_countries(&self.settings.sms_countries) => {
                Err(AccountError::UnsupportedCountry)
            }
            _ => Ok(()),
        }
    }

    fn issue(&self, identifier: &Identifier, purpose: CodePurpose) -> Result<(Otp, PendingCode), Failure> {
        let otp = Otp::generate();
        let hash = self.otp.hash(&identifier.storage_key(), &otp).map_err(Failure::bug)?;
        let code = self
            .settings
            .codes
            .issue(purpose, hash, identifier.channel(), now_epoch());
        Ok((otp, code))
    }

    fn counted<'a>(&self, code: &'a PendingCode, source: &'a str) -> CountedCode<'a> {
        CountedCode {
            code,
            day: self.settings.codes.counting_day(code.sent_at),
            daily_limit: self.settings.codes.daily_limit,
            source,
            daily_limit_per_source: self.settings.codes.daily_limit_per_address(),
        }
    }

    fn daily_limit(&self) -> AccountError {
        let now = now_epoch();
        AccountError::DailyLimit {
            retry_after: self.settings.codes.counting_day(now).retry_after(now),
        }
    }

    /// Sends a stored code. A delivery failure is logged and recorded (so a resend is allowed at
    /// once), not raised: the account and the code exist either way.
    async fn deliver(&self, identifier: &Identifier, otp: &Otp, code: &PendingCode) -> Result<CodeStatus, Failure> {
        let sender = self
            .sender
            .as_deref()
            .ok_or_else(|| Failure::bug("this function was started without an OTP sender"))?;
        let policy = &self.settings.codes;
        let delivered = match sender.send(identifier, otp, policy.valid_minutes(), code.purpose).await {
            Ok(()) => {
                tracing::info!(channel = ?identifier.channel(), "otp delivered");
                true
            }
            Err(err) => {
                tracing::warn!(channel = ?identifier.channel(), error = %format!("{err:#}"), "otp delivery failed");
                self.store
                    .mark_code_undelivered(&identifier.storage_key(), &code.code_hash)
                    .await?;
                false
            }
        };
        Ok(CodeStatus {
            channel: identifier.channel(),
            expires_in: policy.ttl_secs.max(0) as u64,
            delivered,
        })
    }

    /// Checks the password (unknown identifiers against a dummy hash: same work, same answer),
    /// the throttle and verification, then starts a session. The attempt is counted against the
    /// identifier from `source` (the caller's address) and against the identifier from anywhere
    /// before the password is checked, and given back when the password was right.
    pub async fn login(
        &self,
        identifier: &Identifier,
        password: Password,
        source: &str,
    ) -> Result<LoggedIn, AccountError> {
        let key = identifier.storage_key();
        let now = now_epoch();
        let throttle = self.settings.logins;
        let window = throttle.window(now);
        let count = |counter| {
            self.store
                .count_login_attempt(&key, source, counter, window, throttle.cap(counter))
        };
        // The account and both counters side by side: one round trip.
        let (account, by_source, by_identifier) = tokio::join!(
            self.store.account_and_epoch(&key),
            count(LoginCounter::Source),
            count(LoginCounter::Identifier)
        );
        let (by_source, by_identifier) = (by_source?, by_identifier?);
        if !(by_source && by_identifier) {
            // Throttled per identifier whether or not it has an account, so the answer reveals
            // nothing; a refused attempt is no guess, so what one counter took is given back.
            let counted = if by_source {
                Some(LoginCounter::Source)
            } else if by_identifier {
                Some(LoginCounter::Identifier)
            } else {
                None
            };
            if let Some(counter) = counted {
                self.store
                    .give_back_login_attempt(&key, source, counter, window)
                    .await?;
            }
            return Err(AccountError::TooManyLogins {
                retry_after: window.retry_after(now),
            });
        }
        let (account, epoch) = account?;
        let stored_hash = account.as_ref().map(|a| a.password_hash.clone());
        if !self.passwords.verify(password, stored_hash).await {
            // The attempt stays counted: it was a failed guess.
            return Err(AccountError::InvalidCredentials);
        }
        let account = account.ok_or(AccountError::InvalidCredentials)?;
        // The right password is no guess: this source's failures are forgotten and the
        // identifier's counter gets the attempt back.
        let release = async {
            let (cleared, given_back) = tokio::join!(
                self.store.clear_login_failures(&key, source, window),
                self.store
                    .give_back_login_attempt(&key, source, LoginCounter::Identifier, window)
            );
            cleared.and(given_back)
        };
        if !account.is_verified {
            release.await?;
            return Err(AccountError::NotVerified);
        }
        let (tokens, released) = tokio::join!(self.start_session(&account, epoch, now), release);
        let tokens = tokens?;
        released?;
        tracing::info!(user_id = %account.id, "logged in");
        Ok(LoggedIn { tokens, account })
    }

    /// Starts a session for `account` (a login), unless every session of the account ended after
    /// `epoch` was read: its tokens never outlive its absolute end.
    async fn start_session(&self, account: &Account, epoch: SessionEpoch, now: i64) -> Result<TokenPair, AccountError> {
        let subject = Subject {
            user_id: account.id.clone(),
            identifier_key: account.identifier_key.clone(),
            role: account.role,
            session_id: Ulid::new().to_string(),
        };
        let not_after = now + self.settings.session_max_age_secs;
        let refresh = self
            .tokens
            .issue_until(TokenType::Refresh, &subject, not_after)
            .map_err(Failure::internal)?;
        let access = self
            .tokens
            .issue_until(TokenType::Access, &subject, not_after)
            .map_err(Failure::internal)?;
        let session = Session::start(
            &subject,
            &refresh.claims.jti,
            refresh.claims.exp,
            not_after,
            now_rfc3339(),
        );
        if self.store.create_session(&session, epoch).await? == SessionStart::Ended {
            // "End every session" came between the read and this write (a reset, a change, a
            // logout everywhere): this login does not outlive it.
            return Err(AccountError::SessionEnded);
        }
        tracing::info!(user_id = %account.id, session_id = %subject.session_id, "session started");
        Ok(Self::pair(access, refresh))
    }

    /// The pair as answered, with the lifetimes the tokens really have (shorter than configured
    /// near the end of the session).
    fn pair(access: Issued, refresh: Issued) -> TokenPair {
        let lifetime = |i: &Issued| (i.claims.exp - i.claims.iat).max(0) as u64;
        TokenPair {
            access_ttl_secs: lifetime(&access),
            refresh_ttl_secs: lifetime(&refresh),
            access: access.token,
            refresh: refresh.token,
        }
    }

    /// Exchanges the family's current refresh token for a new pair; an older one revokes the
    /// family.
    pub async fn refresh(&self, refresh_token: &str) -> Result<TokenPair, AccountError> {
        let claims = self.tokens.verify(refresh_token, TokenType::Refresh)?;
        let subject = claims.subject();
        // The session's absolute end rides in the token: refreshing never moves it.
        let not_after = claims.sxp.unwrap_or(i64::MAX);
        if now_epoch() >= not_after {
            return Err(AccountError::SessionEnded);
        }
        let next = self
            .tokens
            .issue_until(TokenType::Refresh, &subject, not_after)
            .map_err(Failure::internal)?;
        match self
            .store
            .rotate_session(&claims.sid, &claims.jti, &next.claims.jti, next.claims.exp)
            .await?
        {
            RotateOutcome::Rotated(session) => {
                // The role is the session's, as recorded at login.
                let subject = Subject {
                    role: session.role,
                    ..subject
                };
                let access = self
                    .tokens
                    .issue_until(TokenType::Access, &subject, not_after)
                    .map_err(Failure::internal)?;
                Ok(Self::pair(access, next))
            }
            RotateOutcome::Refused(current) => match Session::refused_refresh(current.as_ref()) {
                RefreshRefused::Reused => {
                    tracing::warn!(session_id = %claims.sid, "refresh token reuse detected; revoking the session");
                    self.store.revoke_session(&claims.sid).await?;
                    Err(AccountError::TokenReused)
                }
                RefreshRefused::Ended => Err(AccountError::SessionEnded),
            },
        }
    }

    /// Ends the session of a refresh token (idempotent).
    pub async fn logout(&self, refresh_token: &str) -> Result<(), AccountError> {
        let claims = self.tokens.verify(refresh_token, TokenType::Refresh)?;
        self.store.revoke_session(&claims.sid).await?;
        tracing::info!(user_id = %claims.sub, session_id = %claims.sid, "logged out");
        Ok(())
    }

    /// Ends every session of the caller, the current one included: their refresh and access
    /// tokens stop working.
    pub async fn logout_all(&self, who: &Subject) -> Result<(), AccountError> {
        require_live(self.store.session(&who.session_id).await?.as_ref(), who)?;
        let (mut ids, _) = self.store.end_sessions(&who.identifier_key).await?;
        if !ids.contains(&who.session_id) {
            // Started before sessions were listed per account.
            ids.push(who.session_id.clone());
        }
        self.store.revoke_sessions(&who.identifier_key, &ids).await?;
        tracing::info!(user_id = %who.user_id, sessions = ids.len(), "logged out everywhere");
        Ok(())
    }

    /// Who an access token speaks for (signature, issuer, expiry and type checked; no database).
    pub fn authenticate(&self, access_token: &str) -> Result<Subject, AccountError> {
        Ok(self.tokens.verify(access_token, TokenType::Access)?.subject())
    }

    /// `Forbidden` unless `who` has `role`.
    pub fn require_role(who: &Subject, role: Role) -> Result<(), AccountError> {
        if who.role == role {
            Ok(())
        } else {
            Err(AccountError::Forbidden)
        }
    }

    /// Access tokens are honoured only while their session lives. For writes: one read first.
    pub async fn ensure_live(&self, who: &Subject) -> Result<(), AccountError> {
        let session = self.store.session(&who.session_id).await?;
        require_live(session.as_ref(), who)
    }

    /// Checks the session as [`Self::ensure_live`] does, reading `other` (an item of another
    /// feature, such as a kitchen membership) in the same round trip.
    pub async fn live_with<T: serde::de::DeserializeOwned>(
        &self,
        who: &Subject,
        other: (String, String),
        what: &'static str,
    ) -> Result<Option<T>, AccountError> {
        let (session, found) = self.store.session_with(&who.session_id, other, what).await?;
        require_live(session.as_ref(), who)?;
        Ok(found)
    }

    /// The verified account an identifier names (`UserNotFound` for none or an unverified one).
    pub async fn verified_account(&self, identifier: &Identifier) -> Result<Account, AccountError> {
        self.store
            .account(&identifier.storage_key())
            .await?
            .filter(|a| a.is_verified)
            .ok_or(AccountError::UserNotFound)
    }

    /// The caller's own account (the caller extractor checks the session beside this read).
    pub async fn me(&self, who: &Subject) -> Result<Account, AccountError> {
        self.store
            .account(&who.identifier_key)
            .await?
            .ok_or(AccountError::SessionEnded)
    }

    pub async fn update_profile(&self, who: &Subject, update: &ProfileUpdate) -> Result<Account, AccountError> {
        self.store
            .update_profile(&who.identifier_key, update, &now_rfc3339())
            .await?
            .ok_or(AccountError::SessionEnded)
    }

    /// The account with this user id, if any.
    pub async fn account_by_id(&self, id: &str) -> Result<Option<Account>, AccountError> {
        Ok(self.store.account_by_id(id).await?)
    }

    /// Users, newest first (the admin's list).
    pub async fn users(&self, page: &PageRequest) -> Result<Page<Account>, AccountError> {
        Ok(self.store.users_page(page).await?)
    }
}

/// The one place a session lets a request through (or not).
fn require_live(session: Option<&Session>, who: &Subject) -> Result<(), AccountError> {
    if session::is_live(session, who, now_epoch()) {
        Ok(())
    } else {
        Err(AccountError::SessionEnded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, &str)]) -> Config {
        let mut vars = vec![("TABLE_NAME", "t"), ("JWT_SECRET", "0123456789abcdef0123456789abcdef")];
        vars.extend_from_slice(pairs);
        Config::from_lookup(|name| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned())).unwrap()
    }

    #[test]
    fn a_code_dies_after_five_wrong_guesses_unless_configured_otherwise() {
        assert_eq!(AccountSettings::from_config(&config(&[])).codes.max_attempts, 5);
        let three = AccountSettings::from_config(&config(&[("OTP_MAX_ATTEMPTS", "3")]));
        assert_eq!(three.codes.max_attempts, 3);
    }
}
