//! Sessions: one per login, the family of its refresh tokens. Only the newest refresh token of a
//! family (`current_jti`) can be exchanged; presenting an older one means it was stolen or
//! replayed, and the whole family is revoked. Access tokens are honoured only while their session
//! lives, and only for the user, role and identifier the session was started for.

use serde::{Deserialize, Serialize};

use super::tokens::Subject;
use super::user::Role;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub session_id: String,
    pub user_id: String,
    pub identifier_key: String,
    pub role: Role,
    /// The only refresh token of this family that may be exchanged.
    pub current_jti: String,
    pub revoked: bool,
    pub created_at: String,
    /// Epoch seconds; the newest refresh token's expiry (never past `absolute_expires_at`).
    pub expires_at: i64,
    /// Epoch seconds; the end of the session however often it is refreshed. Sessions started
    /// before the limit existed have none (their refresh tokens' lifetime bounds them).
    #[serde(default)]
    pub absolute_expires_at: Option<i64>,
}

/// Sessions last at most this long from login unless configured (`SESSION_MAX_AGE_SECONDS`).
pub const DEFAULT_MAX_AGE_SECS: i64 = 30 * 86_400;

/// What a presented refresh token that could not be exchanged means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshRefused {
    /// An already-rotated token of a live family: revoke the family.
    Reused,
    /// The family was ended earlier (logout, reuse) or never existed.
    Ended,
}

impl Session {
    /// A session whose first refresh token expires at `expires_at`; it ends for good at
    /// `absolute_expires_at`.
    pub fn start(
        subject: &Subject,
        refresh_jti: &str,
        expires_at: i64,
        absolute_expires_at: i64,
        created_at: String,
    ) -> Self {
        Self {
            session_id: subject.session_id.clone(),
            user_id: subject.user_id.clone(),
            identifier_key: subject.identifier_key.clone(),
            role: subject.role,
            current_jti: refresh_jti.into(),
            revoked: false,
            created_at,
            expires_at: expires_at.min(absolute_expires_at),
            absolute_expires_at: Some(absolute_expires_at),
        }
    }

    /// The latest any token of this session may expire (refreshing does not move it).
    pub fn not_after(&self) -> i64 {
        self.absolute_expires_at.unwrap_or(i64::MAX)
    }

    /// Whether a token speaking for `subject` in this session is still honoured at `now`: the
    /// session is neither revoked nor expired, and the token's user, role and identifier are the
    /// session's (a token claiming another role on a live session counts for nothing).
    pub fn lets_through(&self, subject: &Subject, now: i64) -> bool {
        !self.revoked
            && self.expires_at > now
            && self.user_id == subject.user_id
            && self.role == subject.role
            && self.identifier_key == subject.identifier_key
    }

    /// Why a refresh token of this family was not exchanged (the exchange requires it to be the
    /// current one of a family not revoked).
    pub fn refused_refresh(session: Option<&Session>) -> RefreshRefused {
        match session {
            Some(s) if !s.revoked => RefreshRefused::Reused,
            _ => RefreshRefused::Ended,
        }
    }
}

/// Whether the session of `subject`, as read, lets its access token through.
pub fn is_live(session: Option<&Session>, subject: &Subject, now: i64) -> bool {
    session.is_some_and(|s| s.lets_through(subject, now))
}

/// How many times an account ended every session (a reset, a password change, "sign out
/// everywhere"). A login reads it with the password; its session starts only while the epoch is
/// still that one, so a login that overlaps an "end every session" never outlives it.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(transparent)]
pub struct SessionEpoch(pub u64);

#[cfg(test)]
mod tests {
    use super::*;

    fn subject() -> Subject {
        Subject {
            user_id: "u1".into(),
            identifier_key: "EMAIL#a@b.com".into(),
            role: Role::Customer,
            session_id: "s1".into(),
        }
    }

    #[test]
    fn a_session_lets_its_own_users_tokens_through_until_it_ends() {
        let s = Session::start(&subject(), "j1", 2_000, 5_000, "t".into());
        assert!(is_live(Some(&s), &subject(), 1_999));
        assert!(!is_live(Some(&s), &subject(), 2_000));
        assert!(!is_live(None, &subject(), 1_000));
        let other = Subject {
            user_id: "u2".into(),
            ..subject()
        };
        assert!(!is_live(Some(&s), &other, 1_000));
        let revoked = Session { revoked: true, ..s };
        assert!(!is_live(Some(&revoked), &subject(), 1_000));
    }

    #[test]
    fn a_token_claiming_another_role_or_identifier_than_its_session_counts_for_nothing() {
        let s = Session::start(&subject(), "j1", 2_000, 5_000, "t".into());
        let admin = Subject {
            role: Role::Admin,
            ..subject()
        };
        assert!(!is_live(Some(&s), &admin, 1_000));
        let other_identifier = Subject {
            identifier_key: "EMAIL#c@d.com".into(),
            ..subject()
        };
        assert!(!is_live(Some(&s), &other_identifier, 1_000));
    }

    #[test]
    fn a_session_ends_at_its_absolute_limit_however_it_starts() {
        let s = Session::start(&subject(), "j1", 9_000, 5_000, "t".into());
        assert_eq!(s.expires_at, 5_000);
        assert_eq!(s.not_after(), 5_000);
        assert!(!is_live(Some(&s), &subject(), 5_000));
    }

    #[test]
    fn refresh_token_reuse_revokes_the_family() {
        let s = Session::start(&subject(), "j2", 2_000, 5_000, "t".into());
        assert_eq!(Session::refused_refresh(Some(&s)), RefreshRefused::Reused);
        let revoked = Session { revoked: true, ..s };
        assert_eq!(Session::refused_refresh(Some(&revoked)), RefreshRefused::Ended);
        assert_eq!(Session::refused_refresh(None), RefreshRefused::Ended);
    }
}
