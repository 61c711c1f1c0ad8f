//! The live-update flows: a ticket for a signed-in user (the ticket route), a connection
//! opened with it (`$connect`) and closed (`$disconnect`), what a client says (`$default`:
//! subscribe to a kitchen it works in), and frames sent to a user's or a kitchen's connections
//! (the stream consumer). Sending is best effort: the apps poll when frames do not come.

use std::sync::Arc;

use super::model::{ClientMessage, Frame, Holder, Ticket};
use super::store::RealtimeStore;
use crate::kitchens::model::Slug;
use crate::kitchens::store::KitchenStore;
use crate::platform::clock::now_epoch;
use crate::platform::error::Failure;
use crate::platform::push::{Posted, Push};

#[derive(Debug, thiserror::Error)]
pub enum RealtimeError {
    /// No ticket, or one unknown, used or expired.
    #[error("the ticket is missing, used or expired")]
    BadTicket,
    #[error(transparent)]
    Failure(#[from] Failure),
}

/// Whose connections a frame went to (a gone one's entry there is forgotten).
#[derive(Clone, Copy)]
enum Audience<'a> {
    User(&'a str),
    Kitchen(&'a str),
}

#[derive(Clone)]
pub struct RealtimeService {
    store: RealtimeStore,
    kitchens: KitchenStore,
    /// Where frames go (the management API); none: nothing is sent (a function that only
    /// answers clients).
    push: Option<Arc<dyn Push>>,
}

impl std::fmt::Debug for RealtimeService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RealtimeService")
            .field("push", &self.push.is_some())
            .finish_non_exhaustive()
    }
}

impl RealtimeService {
    pub fn new(db: crate::platform::db::Db) -> Self {
        Self {
            store: RealtimeStore::new(db.clone()),
            kitchens: KitchenStore::new(db),
            push: None,
        }
    }

    /// The same service sending frames through `push`.
    pub fn with_push(mut self, push: Arc<dyn Push>) -> Self {
        self.push = Some(push);
        self
    }

    /// A new single-use ticket for `holder`, good for 60 s.
    pub async fn ticket(&self, holder: &Holder) -> Result<Ticket, RealtimeError> {
        let ticket = Ticket::new();
        self.store.issue(&ticket, holder, now_epoch()).await?;
        Ok(ticket)
    }

    /// Opens connection `connection_id` with the ticket given (used up by this).
    pub async fn connect(&self, connection_id: &str, ticket: Option<&str>) -> Result<Holder, RealtimeError> {
        let ticket = ticket.and_then(Ticket::parse).ok_or(RealtimeError::BadTicket)?;
        let now = now_epoch();
        let holder = self.store.redeem(&ticket, now).await?.ok_or(RealtimeError::BadTicket)?;
        self.store.open(connection_id, &holder, now).await?;
        Ok(holder)
    }

    pub async fn disconnect(&self, connection_id: &str) -> Result<(), RealtimeError> {
        Ok(self.store.close(connection_id).await?)
    }

    /// The answer to what a client said.
    pub async fn message(&self, connection_id: &str, raw: &str) -> Result<Frame, RealtimeError> {
        let kitchen = match ClientMessage::parse(raw) {
            Ok(ClientMessage::Subscribe { kitchen }) => kitchen,
            Err(unreadable) => return Ok(Frame::error(unreadable.code())),
        };
        let Some(conn) = self.store.connection(connection_id).await? else {
            return Ok(Frame::error("not_connected"));
        };
        // An unknown kitchen says no more than one the caller does not work in.
        let Some(kitchen_id) = (match Slug::parse(&kitchen) {
            Ok(slug) => self.kitchens.id_of(&slug).await?,
            Err(_) => None,
        }) else {
            return Ok(Frame::error("not_kitchen_staff"));
        };
        let member = conn.holder.platform_admin
            || self
                .kitchens
                .role_of(&kitchen_id, &conn.holder.user_id)
                .await?
                .is_some();
        if !member {
            return Ok(Frame::error("not_kitchen_staff"));
        }
        if !self.store.subscribe(connection_id, &kitchen_id, now_epoch()).await? {
            return Ok(Frame::error("not_connected"));
        }
        Ok(Frame::subscribed(&kitchen))
    }

    /// Sends `frame` to every open connection of the user's: how many got it.
    pub async fn to_user(&self, user_id: &str, frame: &Frame) -> Result<usize, RealtimeError> {
        let Some(push) = &self.push else { return Ok(0) };
        let connections = self.store.of_user(user_id, now_epoch()).await?;
        Ok(self
            .send(push.as_ref(), &connections, frame, Audience::User(user_id))
            .await)
    }

    /// Sends `frame` to every connection watching the kitchen: how many got it.
    pub async fn to_kitchen(&self, kitchen_id: &str, frame: &Frame) -> Result<usize, RealtimeError> {
        let Some(push) = &self.push else { return Ok(0) };
        let connections = self.store.of_kitchen(kitchen_id, now_epoch()).await?;
        Ok(self
            .send(push.as_ref(), &connections, frame, Audience::Kitchen(kitchen_id))
            .await)
    }

    async fn send(&self, push: &dyn Push, connections: &[String], frame: &Frame, audience: Audience<'_>) -> usize {
        let text = frame.text();
        let text = &text;
        let posts = connections.iter().map(|id| async move {
            let posted = push.post(id, text).await;
            (id, posted)
        });
        let mut sent = 0;
        for (id, posted) in futures_util::future::join_all(posts).await {
            match posted {
                Ok(Posted::Sent) => sent += 1,
                Ok(Posted::Gone) => {
                    let entry = match audience {
                        Audience::User(user) => self.store.drop_user_entry(user, id).await,
                        Audience::Kitchen(kitchen) => self.store.drop_kitchen_entry(kitchen, id).await,
                    };
                    if let Err(err) = entry.and(self.store.close(id).await) {
                        tracing::warn!(connection_id = %id, error = %err, "a gone connection was not forgotten");
                    }
                }
                Err(err) => {
                    tracing::warn!(connection_id = %id, error = %format!("{err:#}"), "a frame was not sent; the app polls");
                }
            }
        }
        sent
    }
}
