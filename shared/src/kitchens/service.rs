//! The kitchens' flows: a verified user applies for a kitchen (it opens pending, the applicant
//! its owner), the public reads and lists active kitchens, a member lists their kitchens, the
//! platform admin lists kitchens and decides on their status, managers change settings, the
//! owner manages the staff; and the check that a caller may act for a kitchen.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use jiff::Timestamp;

use super::model::{Application, ApplicationInput, Kitchen, KitchenChange, KitchenRole, KitchenStatus, Member, Slug};
use super::store::{KitchenStore, Opened, StaffChange, member_key};
use crate::accounts::model::{Identifier, Role, Subject};
use crate::accounts::{AccountError, Accounts};
use crate::platform::clock::now_rfc3339;
use crate::platform::db::Page;
use crate::platform::error::Failure;
use crate::platform::pagination::PageRequest;
use crate::platform::validation::Invalid;

#[derive(Debug, thiserror::Error)]
pub enum KitchenError {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("the slug is taken")]
    SlugTaken,
    #[error("no such kitchen")]
    NotFound,
    #[error("not a member of the kitchen's staff with the role needed")]
    NotStaff,
    #[error("no verified user has that identifier")]
    UserNotFound,
    #[error("already a member")]
    AlreadyMember,
    #[error("not a member")]
    MemberNotFound,
    #[error("the owner cannot be removed")]
    OwnerStays,
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Failure(#[from] Failure),
}

/// Who may act for a kitchen at a route: a member with at least the role, or the platform admin.
#[derive(Clone)]
pub struct KitchenService {
    store: KitchenStore,
    accounts: Accounts,
    default_country: String,
    /// Slug to id, for the instance's life: neither ever changes, so a found pair stays true.
    ids: Arc<RwLock<HashMap<String, String>>>,
    /// Kitchens found public, and when that was read (the start of the read): a public menu
    /// read within the public window asks no more.
    public: Arc<RwLock<HashMap<String, std::time::Instant>>>,
    public_window: std::time::Duration,
}

impl std::fmt::Debug for KitchenService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KitchenService").finish_non_exhaustive()
    }
}

impl KitchenService {
    pub fn new(store: KitchenStore, accounts: Accounts, default_country: String) -> Self {
        Self {
            store,
            accounts,
            default_country,
            ids: Arc::default(),
            public: Arc::default(),
            public_window: std::time::Duration::ZERO,
        }
    }

    /// The same service taking a kitchen found public as still public for `window`
    /// (configuration: `PUBLIC_READ_WINDOW_MS`, as the public menus).
    pub fn with_public_window(mut self, window: std::time::Duration) -> Self {
        self.public_window = window;
        self
    }

    /// Whether the kitchen is public (active): no read while it was found so less than the
    /// public window ago; a kitchen suspended meanwhile stops showing within the window.
    pub async fn ensure_public(&self, id: &str) -> Result<(), KitchenError> {
        let recently = self
            .public
            .read()
            .ok()
            .and_then(|seen| seen.get(id).copied())
            .is_some_and(|at| at.elapsed() < self.public_window);
        if recently {
            return Ok(());
        }
        let asked = std::time::Instant::now();
        self.public_by_id(id).await?;
        if let Ok(mut seen) = self.public.write() {
            seen.insert(id.to_owned(), asked);
        }
        Ok(())
    }

    /// The id of the kitchen a slug names, whatever its status: one read the first time, none
    /// after (slugs and ids never change).
    pub async fn id_of(&self, slug: &str) -> Result<String, KitchenError> {
        if let Some(id) = self.ids.read().ok().and_then(|ids| ids.get(slug).cloned()) {
            return Ok(id);
        }
        let parsed = Slug::parse(slug).map_err(|_| KitchenError::NotFound)?;
        let id = self.store.id_of(&parsed).await?.ok_or(KitchenError::NotFound)?;
        if let Ok(mut ids) = self.ids.write() {
            ids.insert(slug.to_owned(), id.clone());
        }
        Ok(id)
    }

    /// Whether `who` may act for the kitchen with at least `needed`: their session lives and
    /// they are a member with that role (read together, one round trip), or they are the
    /// platform admin (the session alone).
    pub async fn authorize(&self, who: &Subject, kitchen_id: &str, needed: KitchenRole) -> Result<(), KitchenError> {
        if who.role == Role::Admin {
            return Ok(self.accounts.ensure_live(who).await?);
        }
        let member: Option<Member> = self
            .accounts
            .live_with(who, member_key(kitchen_id, &who.user_id), "member")
            .await?;
        match member {
            Some(member) if member.role.at_least(needed) => Ok(()),
            _ => Err(KitchenError::NotStaff),
        }
    }

    /// A new kitchen, pending, with the applicant as its owner. A taken or reserved slug, given
    /// or made from the name, is refused as it is (never altered to fit).
    pub async fn apply(&self, applicant: &Subject, input: &ApplicationInput) -> Result<Kitchen, KitchenError> {
        let application = Application::parse(input, &self.default_country)?;
        if application.slug.is_reserved() {
            return Err(KitchenError::SlugTaken);
        }
        let now = now_rfc3339();
        let kitchen = application.open(ulid::Ulid::new().to_string(), now.clone());
        let owner = Member {
            user_id: applicant.user_id.clone(),
            identifier: identifier_of(applicant),
            role: KitchenRole::Owner,
            added_at: now,
        };
        match self.store.open(&kitchen, Some(&owner)).await? {
            Opened::Opened => {
                tracing::info!(kitchen_id = %kitchen.id, slug = %kitchen.slug.as_str(), "kitchen applied for");
                Ok(kitchen)
            }
            Opened::SlugTaken => Err(KitchenError::SlugTaken),
        }
    }

    /// A kitchen customers may see: an active one (any other is as if it did not exist).
    pub async fn public(&self, slug: &str) -> Result<Kitchen, KitchenError> {
        let id = self.id_of(slug).await?;
        self.public_by_id(&id).await
    }

    /// The kitchen with this id while it is public (one GetItem): what a public menu read runs
    /// beside its own.
    pub async fn public_by_id(&self, id: &str) -> Result<Kitchen, KitchenError> {
        self.store
            .kitchen(id)
            .await?
            .filter(Kitchen::is_public)
            .ok_or(KitchenError::NotFound)
    }

    /// The caller's kitchens, whatever their status, with the caller's role in each.
    pub async fn mine(&self, user: &Subject) -> Result<Vec<(Kitchen, KitchenRole)>, KitchenError> {
        Ok(self.store.memberships(&user.user_id).await?)
    }

    /// The platform admin's decision on a kitchen: active or suspended.
    pub async fn decide(&self, slug: &str, status: KitchenStatus) -> Result<Kitchen, KitchenError> {
        let slug = Slug::parse(slug).map_err(|_| KitchenError::NotFound)?;
        for _ in 0..3 {
            let mut kitchen = self.store.by_slug(&slug).await?.ok_or(KitchenError::NotFound)?;
            if self.store.set_status(&kitchen.id, kitchen.status, status).await? {
                tracing::info!(kitchen_id = %kitchen.id, status = status.as_str(), "kitchen status set");
                kitchen.status = status;
                return Ok(kitchen);
            }
        }
        Err(Failure::Unavailable(anyhow::anyhow!("the kitchen's status kept changing")).into())
    }

    /// Active kitchens, a page at a time, those whose name contains `q` (any case) and, with
    /// `open_now`, those open at `now`. The filters apply within the page read, so a page may
    /// hold fewer than asked and still have a next one.
    pub async fn directory(
        &self,
        q: Option<&str>,
        open_now: bool,
        now: Timestamp,
        page: &PageRequest,
    ) -> Result<Page<Kitchen>, KitchenError> {
        let q = q.map(|q| q.trim().to_lowercase()).filter(|q| !q.is_empty());
        let mut page = self.store.directory(Some(KitchenStatus::Active), page).await?;
        page.items.retain(|k| {
            k.is_public()
                && q.as_ref().is_none_or(|q| k.name.to_lowercase().contains(q.as_str()))
                && (!open_now || k.schedule().open_at(now))
        });
        Ok(page)
    }

    /// Every kitchen, or those of one status (the platform admin's list).
    pub async fn all(&self, status: Option<KitchenStatus>, page: &PageRequest) -> Result<Page<Kitchen>, KitchenError> {
        Ok(self.store.directory(status, page).await?)
    }

    /// Kitchens by id, whatever their status (one BatchGetItem; those that exist).
    pub async fn many(&self, ids: &[&str]) -> Result<Vec<Kitchen>, KitchenError> {
        Ok(self.store.many(ids).await?)
    }

    /// A kitchen by id, whatever its status (its members' view).
    pub async fn kitchen(&self, id: &str) -> Result<Kitchen, KitchenError> {
        self.store.kitchen(id).await?.ok_or(KitchenError::NotFound)
    }

    /// A manager's change to the kitchen's settings.
    pub async fn change(&self, id: &str, change: &KitchenChange) -> Result<Kitchen, KitchenError> {
        let kitchen = self.store.change(id, change).await?.ok_or(KitchenError::NotFound)?;
        tracing::info!(kitchen_id = %id, "kitchen settings changed");
        Ok(kitchen)
    }

    /// Parses a settings change (the kitchen's phone read in the platform's default country).
    pub fn parse_change(&self, body: &serde_json::Map<String, serde_json::Value>) -> Result<KitchenChange, Invalid> {
        KitchenChange::parse(body, &self.default_country)
    }

    /// Every member, the owner first, then by when they were added.
    pub async fn staff(&self, kitchen_id: &str) -> Result<Vec<Member>, KitchenError> {
        let mut members = self.store.members(kitchen_id).await?;
        members.sort_by(|a, b| {
            (a.role != KitchenRole::Owner, &a.added_at).cmp(&(b.role != KitchenRole::Owner, &b.added_at))
        });
        Ok(members)
    }

    /// Adds a verified user as a manager or staff.
    pub async fn add_member(
        &self,
        kitchen_id: &str,
        identifier: &Identifier,
        role: KitchenRole,
    ) -> Result<Member, KitchenError> {
        let account = match self.accounts.verified_account(identifier).await {
            Err(AccountError::UserNotFound) => return Err(KitchenError::UserNotFound),
            other => other?,
        };
        let member = Member {
            user_id: account.id.clone(),
            identifier: identifier.as_str().to_owned(),
            role,
            added_at: now_rfc3339(),
        };
        match self.store.add_member(kitchen_id, &member).await? {
            StaffChange::Done => {
                tracing::info!(kitchen_id = %kitchen_id, user_id = %member.user_id, "member added");
                Ok(member)
            }
            StaffChange::Conflict => Err(KitchenError::AlreadyMember),
        }
    }

    /// Removes a manager or staff member (the owner stays); effective on their next request.
    pub async fn remove_member(&self, kitchen_id: &str, user_id: &str) -> Result<(), KitchenError> {
        let member = self
            .store
            .member(kitchen_id, user_id)
            .await?
            .ok_or(KitchenError::MemberNotFound)?;
        if member.role == KitchenRole::Owner {
            return Err(KitchenError::OwnerStays);
        }
        match self.store.remove_member(kitchen_id, &member).await? {
            StaffChange::Done => {
                tracing::info!(kitchen_id = %kitchen_id, user_id = %user_id, "member removed");
                Ok(())
            }
            StaffChange::Conflict => Err(KitchenError::MemberNotFound),
        }
    }
}

/// How a member is shown: their email or phone, as they sign in.
fn identifier_of(user: &Subject) -> String {
    user.identifier_key
        .split_once('#')
        .map_or(user.identifier_key.as_str(), |(_, identifier)| identifier)
        .to_owned()
}
