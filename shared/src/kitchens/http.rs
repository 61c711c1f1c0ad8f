//! The kitchens' HTTP edge: the one mapping of their errors to the contract's, the extractor of
//! a kitchen's member (`KitchenMember<Staff | Manager | Owner>`), and the kitchen as the API
//! shows it (with `open_now`, `next_open_at` and `is_home` computed at read time).

use std::marker::PhantomData;

use axum::extract::{FromRef, FromRequestParts, RawPathParams};
use http::request::Parts;
use jiff::Timestamp;
use serde_json::{Value, json};

use super::model::{Kitchen, KitchenRole, Member};
use super::service::{KitchenError, KitchenService};
use crate::accounts::Accounts;
use crate::accounts::http::{caller, token_subject};
use crate::accounts::model::Subject;
use crate::platform::error::ApiError;
use crate::platform::guard;

impl From<KitchenError> for ApiError {
    fn from(err: KitchenError) -> Self {
        match err {
            KitchenError::Invalid(invalid) => invalid.into(),
            KitchenError::SlugTaken => ApiError::conflict_fields(
                "slug_taken",
                "This slug is taken; choose another",
                [("slug".to_owned(), "is taken".to_owned())].into(),
            ),
            KitchenError::NotFound => kitchen_not_found(),
            KitchenError::NotStaff => ApiError::Forbidden {
                code: "not_kitchen_staff",
                message: "You are not on this kitchen's staff with the role this needs",
            },
            KitchenError::UserNotFound => {
                ApiError::not_found("user_not_found", "No verified user has this email or phone number")
            }
            KitchenError::AlreadyMember => ApiError::conflict("already_member", "This user is already a member"),
            KitchenError::MemberNotFound => ApiError::not_found("member_not_found", "This user is not a member"),
            KitchenError::OwnerStays => ApiError::conflict("owner_cannot_be_removed", "The owner cannot be removed"),
            KitchenError::Account(err) => err.into(),
            KitchenError::Failure(failure) => failure.into(),
        }
    }
}

pub fn kitchen_not_found() -> ApiError {
    ApiError::not_found("kitchen_not_found", "Kitchen not found")
}

/// A kitchen as the API shows it at `now`; `home` is the home kitchen's slug (`HOME_KITCHEN`).
pub fn kitchen_view(kitchen: &Kitchen, home: Option<&str>, now: Timestamp) -> Value {
    let schedule = kitchen.schedule();
    let mut view = serde_json::to_value(kitchen).unwrap_or(Value::Null);
    if let Some(object) = view.as_object_mut() {
        object.insert("open_now".into(), json!(schedule.open_at(now)));
        object.insert(
            "next_open_at".into(),
            json!(schedule.next_open_at(now).map(|t| t.to_string())),
        );
        object.insert("is_home".into(), json!(home == Some(kitchen.slug.as_str())));
    }
    view
}

/// A member's kitchen, as `GET /api/kitchens/mine/` lists it.
pub fn membership_view(kitchen: &Kitchen, role: KitchenRole, home: Option<&str>, now: Timestamp) -> Value {
    json!({ "kitchen": kitchen_view(kitchen, home, now), "role": role })
}

/// The least role a route needs of a kitchen's member.
pub trait MinRole {
    const ROLE: KitchenRole;
}

/// The order board: status and payment changes, alerts.
#[derive(Debug, Clone, Copy)]
pub struct Staff;
/// Menu, coupons, settings, orders, alerts, reports.
#[derive(Debug, Clone, Copy)]
pub struct Manager;
/// The staff list.
#[derive(Debug, Clone, Copy)]
pub struct Owner;

impl MinRole for Staff {
    const ROLE: KitchenRole = KitchenRole::Staff;
}
impl MinRole for Manager {
    const ROLE: KitchenRole = KitchenRole::Manager;
}
impl MinRole for Owner {
    const ROLE: KitchenRole = KitchenRole::Owner;
}

/// A caller acting for the kitchen of the path's `{slug}`: a member with at least `R`'s role,
/// or the platform admin. The token is checked here; the session and the membership are read
/// together (one round trip) by a check required of the request ([`guard::require`]), so a
/// revoked session is a 401, a non-member or a lower role a 403 `not_kitchen_staff`, and no
/// answer or write gets out before the check passes. An unknown slug is a 404 (after the
/// session check).
#[derive(Debug, Clone)]
pub struct KitchenMember<R> {
    pub subject: Subject,
    pub kitchen_id: String,
    pub slug: String,
    role: PhantomData<R>,
}

impl<S: Send + Sync, R: MinRole + Send + Sync> FromRequestParts<S> for KitchenMember<R>
where
    Accounts: FromRef<S>,
    KitchenService: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let accounts = Accounts::from_ref(state);
        let subject = token_subject(parts, &accounts)?;
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| kitchen_not_found())?;
        let slug = params
            .iter()
            .find(|(name, _)| *name == "slug")
            .map(|(_, value)| value.to_owned())
            .ok_or_else(kitchen_not_found)?;
        let kitchens = KitchenService::from_ref(state);
        let kitchen_id = match kitchens.id_of(&slug).await {
            Ok(id) => id,
            Err(err) => {
                // The session still decides first: a revoked one is a 401 whatever the slug.
                caller(parts, &accounts, None)?;
                return Err(err.into());
            }
        };
        let (who, id) = (subject.clone(), kitchen_id.clone());
        guard::require(async move { Ok(kitchens.authorize(&who, &id, R::ROLE).await?) })?;
        Ok(Self {
            subject,
            kitchen_id,
            slug,
            role: PhantomData,
        })
    }
}

/// A member as the staff list shows them.
pub fn member_view(member: &Member) -> Value {
    json!({
        "user_id": member.user_id,
        "identifier": member.identifier,
        "role": member.role,
        "added_at": member.added_at,
    })
}
