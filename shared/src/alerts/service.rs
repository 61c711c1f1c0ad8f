//! The alert flows: raise one (the notifier, from the change stream: once per change, one open
//! per subject and kind), list a kitchen's open or resolved alerts, resolve one (a member of the
//! kitchen) or a dish's stock alerts (the system, on a restock above the threshold).

use super::model::{Alert, Kind, NewAlert, Resolver, Status, Subject};
use super::store::AlertStore;
use crate::platform::clock::now_rfc3339;
use crate::platform::db::Page;
use crate::platform::error::Failure;
use crate::platform::pagination::PageRequest;

#[derive(Debug, thiserror::Error)]
pub enum AlertError {
    #[error("no such alert")]
    NotFound,
    #[error(transparent)]
    Failure(#[from] Failure),
}

#[derive(Clone, Debug)]
pub struct AlertService {
    store: AlertStore,
}

impl AlertService {
    pub fn new(store: AlertStore) -> Self {
        Self { store }
    }

    /// Raises `new` for the kitchen, from the change `source` at `at`: the alert when it opened
    /// now, `None` when one of its kind is open about the same subject already or this change
    /// raised it before.
    pub async fn raise(
        &self,
        kitchen_id: &str,
        source: &str,
        at: &str,
        new: NewAlert,
    ) -> Result<Option<Alert>, AlertError> {
        let alert = new.open(source, at);
        Ok(self.store.raise(kitchen_id, &alert).await?.then_some(alert))
    }

    pub async fn page(&self, kitchen_id: &str, status: Status, page: &PageRequest) -> Result<Page<Alert>, AlertError> {
        Ok(self.store.page(kitchen_id, status, page).await?)
    }

    /// Resolves the kitchen's alert `id` (resolved already: as it is); another kitchen's or
    /// none is not found.
    pub async fn resolve(&self, kitchen_id: &str, id: &str, by: &Resolver) -> Result<Alert, AlertError> {
        let alert = self.store.alert(kitchen_id, id).await?.ok_or(AlertError::NotFound)?;
        let Some(resolved) = alert.resolved(by, &now_rfc3339()) else {
            return Ok(alert);
        };
        if self.store.resolve(kitchen_id, &alert, &resolved).await? {
            return Ok(resolved);
        }
        // Resolved meanwhile (by someone else, or a restock): that resolution stands.
        self.store.alert(kitchen_id, id).await?.ok_or(AlertError::NotFound)
    }

    /// Resolves the dish's open stock alerts as the system (a restock above the threshold): the
    /// alerts it resolved.
    pub async fn resolve_stock(&self, kitchen_id: &str, dish_id: &str) -> Result<Vec<Alert>, AlertError> {
        let open = self
            .store
            .open_about(kitchen_id, &Kind::STOCK, &Subject::Dish(dish_id.to_owned()))
            .await?;
        let mut resolved = Vec::with_capacity(open.len());
        for alert in open {
            let Some(done) = alert.resolved(&Resolver::System, &now_rfc3339()) else {
                continue;
            };
            if self.store.resolve(kitchen_id, &alert, &done).await? {
                resolved.push(done);
            }
        }
        Ok(resolved)
    }
}
