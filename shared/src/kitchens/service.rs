//! The kitchens' flows: a verified user applies for a kitchen (it opens pending, the applicant
//! its owner), the public reads active kitchens by slug, a member lists their kitchens, the
//! platform admin decides on a kitchen's status.

use super::model::{Application, ApplicationInput, Kitchen, KitchenRole, KitchenStatus, Member, Slug};
use super::store::{KitchenStore, Opened};
use crate::accounts::model::Subject;
use crate::platform::clock::now_rfc3339;
use crate::platform::error::Failure;
use crate::platform::validation::Invalid;

#[derive(Debug, thiserror::Error)]
pub enum KitchenError {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("the slug is taken")]
    SlugTaken,
    #[error("no such kitchen")]
    NotFound,
    #[error(transparent)]
    Failure(#[from] Failure),
}

#[derive(Clone, Debug)]
pub struct KitchenService {
    store: KitchenStore,
    default_country: String,
}

impl KitchenService {
    pub fn new(store: KitchenStore, default_country: String) -> Self {
        Self { store, default_country }
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
        match self.store.open(&kitchen, &owner).await? {
            Opened::Opened => {
                tracing::info!(kitchen_id = %kitchen.id, slug = %kitchen.slug.as_str(), "kitchen applied for");
                Ok(kitchen)
            }
            Opened::SlugTaken => Err(KitchenError::SlugTaken),
        }
    }

    /// A kitchen customers may see: an active one (any other is as if it did not exist).
    pub async fn public(&self, slug: &str) -> Result<Kitchen, KitchenError> {
        let slug = Slug::parse(slug).map_err(|_| KitchenError::NotFound)?;
        self.store
            .by_slug(&slug)
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
        let kitchen = self.store.by_slug(&slug).await?.ok_or(KitchenError::NotFound)?;
        let kitchen = self
            .store
            .set_status(&kitchen.id, status)
            .await?
            .ok_or(KitchenError::NotFound)?;
        tracing::info!(kitchen_id = %kitchen.id, status = status.as_str(), "kitchen status set");
        Ok(kitchen)
    }

    /// The user's role in a kitchen, if a member.
    pub async fn role_of(&self, kitchen_id: &str, user_id: &str) -> Result<Option<KitchenRole>, KitchenError> {
        Ok(self.store.role_of(kitchen_id, user_id).await?)
    }
}

/// How a member is shown: their email or phone, as they sign in.
fn identifier_of(user: &Subject) -> String {
    user.identifier_key
        .split_once('#')
        .map_or(user.identifier_key.as_str(), |(_, identifier)| identifier)
        .to_owned()
}
