//! Sessions: one per login, the family of its refresh tokens. Only the newest refresh token of a
//! family (`current_jti`) can be exchanged; presenting an older one means it was stolen or
//! replayed, and the whole family is revoked.

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, ReturnValuesOnConditionCheckFailure};
use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};

use super::accounts::AccountItem;
use super::keys::{self, ACCOUNT_SK, SESSION_SK};
use super::{Conditional, Store, conditional_update, db_error, mapping_error, n, s};
use crate::domain::Role;
use crate::platform::error::ApiError;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub session_id: String,
    pub user_id: String,
    pub identifier_key: String,
    pub role: Role,
    /// The only refresh token of this family that may be exchanged.
    pub current_jti: String,
    pub revoked: bool,
    pub created_at: String,
    /// Epoch seconds; the newest refresh token's expiry.
    pub expires_at: i64,
    pub ttl: i64,
}

impl SessionItem {
    pub fn new(
        session_id: &str,
        account: &AccountItem,
        refresh_jti: &str,
        expires_at: i64,
        created_at: String,
    ) -> Self {
        Self {
            pk: keys::session_pk(session_id),
            sk: SESSION_SK.into(),
            session_id: session_id.into(),
            user_id: account.id.clone(),
            identifier_key: account.identifier_key.clone(),
            role: account.role,
            current_jti: refresh_jti.into(),
            revoked: false,
            created_at,
            expires_at,
            ttl: expires_at + 86_400,
        }
    }

    pub fn is_active(&self, now: i64) -> bool {
        !self.revoked && self.expires_at > now
    }
}

#[derive(Debug)]
pub enum RotateOutcome {
    Rotated(SessionItem),
    /// An already-rotated token was presented: the family is now revoked.
    Reused,
    /// Revoked earlier (logout or reuse) or unknown.
    Revoked,
}

impl Store {
    pub async fn create_session(&self, session: &SessionItem) -> Result<(), ApiError> {
        let item = serde_dynamo::to_item(session).map_err(|e| mapping_error("session", e))?;
        self.client()
            .put_item()
            .table_name(self.table())
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .await
            .map_err(|e| db_error("PutItem session", e))?;
        Ok(())
    }

    /// Swaps `presented_jti` for `new_jti` in one conditional write. On a mismatch the old item
    /// comes back with the failure, so reuse is told from revocation without another read.
    pub async fn rotate_session(
        &self,
        session_id: &str,
        presented_jti: &str,
        new_jti: &str,
        new_expires_at: i64,
    ) -> Result<RotateOutcome, ApiError> {
        let req = self
            .client()
            .update_item()
            .table_name(self.table())
            .key(keys::PK, s(keys::session_pk(session_id)))
            .key(keys::SK, s(SESSION_SK))
            .update_expression("SET current_jti = :new, expires_at = :exp, #ttl = :ttl")
            .condition_expression("current_jti = :old AND revoked = :f")
            .expression_attribute_names("#ttl", keys::TTL)
            .expression_attribute_values(":new", s(new_jti))
            .expression_attribute_values(":old", s(presented_jti))
            .expression_attribute_values(":f", AttributeValue::Bool(false))
            .expression_attribute_values(":exp", n(new_expires_at))
            .expression_attribute_values(":ttl", n(new_expires_at + 86_400))
            .return_values(ReturnValue::AllNew)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        match conditional_update::<SessionItem>(req, "session", "UpdateItem session").await? {
            Conditional::Applied(Some(session)) => Ok(RotateOutcome::Rotated(session)),
            Conditional::Applied(None) => Err(ApiError::internal(anyhow::anyhow!("rotate returned no item"))),
            Conditional::Failed(Some(old)) if !old.revoked => {
                tracing::warn!(session_id, "refresh token reuse detected; revoking the session");
                self.revoke_session(session_id).await?;
                Ok(RotateOutcome::Reused)
            }
            Conditional::Failed(_) => Ok(RotateOutcome::Revoked),
        }
    }

    /// Revokes a session (idempotent). False when no such session exists.
    pub async fn revoke_session(&self, session_id: &str) -> Result<bool, ApiError> {
        let req = self
            .client()
            .update_item()
            .table_name(self.table())
            .key(keys::PK, s(keys::session_pk(session_id)))
            .key(keys::SK, s(SESSION_SK))
            .update_expression("SET revoked = :t")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":t", AttributeValue::Bool(true));
        match conditional_update::<IgnoredAny>(req, "session", "UpdateItem revoke session").await? {
            Conditional::Applied(_) => Ok(true),
            Conditional::Failed(_) => Ok(false),
        }
    }

    pub async fn session(&self, session_id: &str) -> Result<Option<SessionItem>, ApiError> {
        self.get_item(keys::session_pk(session_id), SESSION_SK, "session")
            .await
            .map_err(Into::into)
    }

    /// An account and a session in one strongly consistent BatchGetItem (`GET /me`).
    pub async fn account_and_session(
        &self,
        identifier_key: &str,
        session_id: &str,
    ) -> Result<(Option<AccountItem>, Option<SessionItem>), ApiError> {
        let keys = vec![
            (keys::account_pk_from_key(identifier_key), ACCOUNT_SK.to_owned()),
            (keys::session_pk(session_id), SESSION_SK.to_owned()),
        ];
        let (mut account, mut session) = (None, None);
        for item in self.batch_get(keys, "BatchGetItem account+session").await? {
            match super::sk_of(&item) {
                ACCOUNT_SK => account = Some(serde_dynamo::from_item(item).map_err(|e| mapping_error("account", e))?),
                SESSION_SK => session = Some(serde_dynamo::from_item(item).map_err(|e| mapping_error("session", e))?),
                _ => {}
            }
        }
        Ok((account, session))
    }
}
