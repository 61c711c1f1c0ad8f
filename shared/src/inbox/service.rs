//! The inbox flows: a user's notifications, newest first, the unread count, reading one or all;
//! and delivering one (the notifier, from the change stream: once per change).

use super::model::Notification;
use super::store::InboxStore;
use crate::platform::db::Page;
use crate::platform::error::Failure;
use crate::platform::pagination::PageRequest;

/// Notifications marked read in one write.
const READ_BATCH: usize = 50;
/// Rounds of read-all (each takes what is unread then).
const READ_ALL_ROUNDS: usize = 5;

#[derive(Debug, thiserror::Error)]
pub enum InboxError {
    #[error("no such notification")]
    NotFound,
    #[error(transparent)]
    Failure(#[from] Failure),
}

#[derive(Clone, Debug)]
pub struct InboxService {
    store: InboxStore,
}

impl InboxService {
    pub fn new(store: InboxStore) -> Self {
        Self { store }
    }

    /// Delivers a notification to `user_id`'s inbox: `false` when it was delivered before.
    pub async fn deliver(&self, user_id: &str, notification: &Notification) -> Result<bool, InboxError> {
        Ok(self.store.deliver(user_id, notification).await?)
    }

    pub async fn page(&self, user_id: &str, page: &PageRequest) -> Result<Page<Notification>, InboxError> {
        Ok(self.store.page(user_id, page).await?)
    }

    pub async fn unread(&self, user_id: &str) -> Result<i64, InboxError> {
        Ok(self.store.unread(user_id).await?)
    }

    /// Marks one of the user's notifications read (read already: as it is); anyone else's is
    /// not found.
    pub async fn read(&self, user_id: &str, id: &str) -> Result<Notification, InboxError> {
        let mut notification = self
            .store
            .notification(user_id, id)
            .await?
            .ok_or(InboxError::NotFound)?;
        if !notification.read && !self.store.mark_read(user_id, &[id]).await? {
            tracing::info!(user_id, notification_id = id, "read meanwhile");
        }
        notification.read = true;
        Ok(notification)
    }

    /// Marks every unread notification of the user's read: the unread count after (0 unless new
    /// ones arrived meanwhile).
    pub async fn read_all(&self, user_id: &str) -> Result<i64, InboxError> {
        for _ in 0..READ_ALL_ROUNDS {
            let unread = self.store.unread_items(user_id).await?;
            if unread.is_empty() {
                break;
            }
            let mut raced = false;
            for batch in unread.chunks(READ_BATCH) {
                let ids: Vec<&str> = batch.iter().map(|n| n.id.as_str()).collect();
                raced |= !self.store.mark_read(user_id, &ids).await?;
            }
            if !raced {
                break;
            }
        }
        Ok(self.store.unread(user_id).await?)
    }
}
