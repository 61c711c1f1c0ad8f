//! The notifier's flow, for one change to the table (one stream record): decide what it tells
//! whom (the model), then for each message claim it (a conditional marker, so a redelivered
//! record sends nothing twice), find the address, render and send it. A message that cannot be
//! sent gives its claim back and fails the record, so the stream retries it (and only what was
//! not sent yet goes out again); a sent one is marked so.

use std::sync::Arc;

use super::model::{
    Audience, Notice, alert_of, anomaly_notices, dish_notices, dish_restocked, inbox_kind, inbox_notices,
    order_notices, order_of,
};
use super::store::{Changed, Claim, NotificationStore, decode};
use super::templates::{headline, render};
use crate::accounts::store::AccountStore;
use crate::kitchens::store::KitchenStore;
use crate::orders::model::Order;
use crate::platform::db::Item;
use crate::platform::error::Failure;
use crate::platform::outbox::Outbox;

#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error(transparent)]
    Store(#[from] Failure),
    #[error("sending {message} failed: {cause:#}")]
    Send { message: String, cause: anyhow::Error },
}

/// Where a message goes: an email address or a phone number (+E.164).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Recipient {
    Email(String),
    Sms(String),
}

/// One change to the table, as the stream carries it.
#[derive(Debug, Clone)]
pub struct StreamChange {
    /// The stream record's id: the same when the record is delivered again.
    pub event_id: String,
    /// When the change was made (the stream record's approximate time), RFC 3339.
    pub at: String,
    pub old: Option<Item>,
    pub new: Option<Item>,
}

fn alert_failure(err: crate::alerts::AlertError) -> NotifyError {
    match err {
        crate::alerts::AlertError::Failure(f) => NotifyError::Store(f),
        crate::alerts::AlertError::NotFound => NotifyError::Store(Failure::bug("an alert went missing")),
    }
}

#[derive(Clone)]
pub struct NotificationService {
    store: NotificationStore,
    accounts: AccountStore,
    outbox: Arc<dyn Outbox>,
    /// Where the kitchen's messages go; none: the kitchen gets none (logged).
    kitchen: Option<String>,
    kitchens: KitchenStore,
    /// The home kitchen's slug.
    home: Option<String>,
    /// The home kitchen's id, once found (every change to an order from before kitchens needs it).
    home_id: Arc<std::sync::Mutex<Option<String>>>,
    inbox: crate::inbox::InboxService,
    alerts: crate::alerts::AlertService,
    /// Sales figures, kept from each change to an order.
    reports: crate::reports::ReportService,
    /// Live frames to the apps' WebSockets; none: nothing is pushed (the apps poll).
    realtime: Option<crate::realtime::RealtimeService>,
    /// How long a failing record is tried again within a batch (none by default).
    patience: std::time::Duration,
}

impl NotificationService {
    pub fn new(
        store: NotificationStore,
        accounts: AccountStore,
        outbox: Arc<dyn Outbox>,
        kitchen: Option<String>,
    ) -> Self {
        let kitchens = KitchenStore::new(store.db().clone());
        let inbox = crate::inbox::InboxService::new(crate::inbox::store::InboxStore::new(store.db().clone()));
        let alerts = crate::alerts::AlertService::new(crate::alerts::store::AlertStore::new(store.db().clone()));
        let reports = crate::reports::ReportService::new(store.db().clone());
        Self {
            inbox,
            alerts,
            reports,
            realtime: None,
            store,
            accounts,
            outbox,
            kitchen,
            kitchens,
            home: None,
            home_id: Arc::default(),
            patience: std::time::Duration::ZERO,
        }
    }

    /// The same service trying a failing record again for up to `patience` within a batch.
    pub fn with_patience(mut self, patience: std::time::Duration) -> Self {
        self.patience = patience;
        self
    }

    pub fn patience(&self) -> std::time::Duration {
        self.patience
    }

    /// The same service knowing the home kitchen (`HOME_KITCHEN`), whose messages go to
    /// `KITCHEN_EMAIL` when it has no email of its own.
    pub fn with_home(mut self, slug: Option<String>) -> Self {
        self.home = slug;
        self
    }

    /// The same service pushing live frames through `realtime`.
    pub fn with_realtime(mut self, realtime: crate::realtime::RealtimeService) -> Self {
        self.realtime = Some(realtime);
        self
    }

    /// What a change (the item before and after) tells whom.
    pub fn notices(old: Option<Item>, new: Option<Item>) -> Result<Vec<Notice>, Failure> {
        Ok(Self::notices_of(decode(old, new)?))
    }

    /// What a decoded change tells whom.
    fn notices_of(changed: Changed) -> Vec<Notice> {
        match changed {
            Changed::Order { old, new } => order_notices(old.as_deref(), &new),
            Changed::Dish { old, new, kitchen_id } => dish_notices(old.as_deref(), &new, kitchen_id.as_deref()),
            Changed::Anomaly(anomaly) => anomaly_notices(anomaly),
            Changed::Other => Vec::new(),
        }
    }

    /// Puts what a change to an order tells its customer in their inbox, once per stream record
    /// (each notification's id is fixed by the record): how many landed now.
    async fn to_inbox(
        &self,
        event_id: &str,
        old: Option<&Order>,
        new: &Order,
    ) -> Result<Vec<crate::inbox::model::Notification>, NotifyError> {
        let kitchen = new.kitchen.as_ref().map(|k| crate::inbox::model::KitchenRef {
            id: k.id.clone(),
            slug: k.slug.clone(),
            name: k.name.clone(),
        });
        let mut landed = Vec::new();
        for notice in inbox_notices(old, new) {
            let (Audience::Customer(user_id), Some(kind)) = (&notice.to, inbox_kind(&notice.event)) else {
                continue;
            };
            let message = render(&notice.event);
            let notification = crate::inbox::model::Notification {
                id: crate::inbox::model::notification_id(event_id, kind, &new.updated_at),
                kind,
                title: message.subject,
                body: message.text,
                order_id: order_of(&notice.event).map(|o| o.id.clone()),
                kitchen: kitchen.clone(),
                read: false,
                at: new.updated_at.clone(),
            };
            let delivered = self
                .inbox
                .deliver(user_id, &notification)
                .await
                .map_err(|err| match err {
                    crate::inbox::InboxError::Failure(f) => NotifyError::Store(f),
                    crate::inbox::InboxError::NotFound => NotifyError::Store(Failure::bug("delivering found nothing")),
                })?;
            if delivered {
                landed.push(notification);
            }
        }
        Ok(landed)
    }

    /// Sends what `change` tells, each message at most once per stream record, and puts the
    /// customer's in their inbox: how many messages went out.
    pub async fn handle(&self, change: StreamChange) -> Result<usize, NotifyError> {
        let StreamChange { event_id, at, old, new } = change;
        let changed = decode(old, new)?;
        if let Changed::Order { old, new } = &changed {
            let landed = self.to_inbox(&event_id, old.as_deref(), new).await?;
            if !landed.is_empty() {
                tracing::info!(event_id = %event_id, landed = landed.len(), "notifications in the inbox");
            }
            // The order's kitchen, found once for its board and its figures.
            let kitchen = self.kitchen_id(new.kitchen_id().map(str::to_owned)).await?;
            self.push_order(new, kitchen.as_deref(), &landed).await;
            if let Some(kitchen) = &kitchen
                && self.reports.count(&event_id, kitchen, old.as_deref(), new).await?
            {
                tracing::debug!(event_id = %event_id, order_id = %new.id, "counted in the sales figures");
            }
        }
        let restock = match &changed {
            Changed::Dish { old, new, kitchen_id } if dish_restocked(old.as_deref(), new) => {
                Some((kitchen_id.clone(), new.id.clone()))
            }
            _ => None,
        };
        let dish = match &changed {
            Changed::Dish { new, .. } => Some(new.id.clone()),
            _ => None,
        };
        let notices = Self::notices_of(changed);
        self.raise_alerts(&event_id, &at, &notices, dish.as_deref()).await?;
        if let Some((kitchen_id, dish)) = restock
            && let Some(kitchen_id) = self.kitchen_id(kitchen_id).await?
        {
            let resolved = self
                .alerts
                .resolve_stock(&kitchen_id, &dish)
                .await
                .map_err(alert_failure)?;
            if !resolved.is_empty() {
                tracing::info!(event_id = %event_id, dish = %dish, resolved = resolved.len(), "restocked: stock alerts resolved");
            }
            for alert in &resolved {
                self.push_alert(&kitchen_id, alert).await;
            }
        }
        let mut sent = 0;
        for notice in notices {
            let key = notice.key();
            let claim = self.store.claim(&event_id, &key).await?;
            match claim {
                Claim::Mine => {}
                Claim::Sent => {
                    tracing::info!(event_id = %event_id, message = %key, "already sent for this record");
                    continue;
                }
                // The delivery before this one stopped between claiming and sending (or between
                // sending and saying so): sending again risks a second copy, skipping risks none
                // at all; a customer is better told twice.
                Claim::Unfinished => {
                    tracing::warn!(event_id = %event_id, message = %key, "an earlier delivery claimed this message and stopped; sending it (perhaps again)");
                }
            }
            match self.deliver(&notice).await {
                Ok(true) => {
                    // Sent: the mark is tried again for up to the patience (the table down for a
                    // moment must not leave a sent message looking unfinished, or the record's
                    // retry would send it twice); one that still cannot be written does not
                    // fail the record, which only a later redelivery could then send again.
                    let marked = crate::platform::stream::patiently(
                        tokio::time::Instant::now(),
                        self.patience,
                        &key,
                        async || self.store.sent(&event_id, &key, claim == Claim::Unfinished).await,
                    )
                    .await;
                    if let Err(err) = marked {
                        tracing::warn!(event_id = %event_id, message = %key, error = %err, "sent, but not marked so");
                    }
                    sent += 1;
                    tracing::info!(event_id = %event_id, message = %key, "notification sent");
                }
                Ok(false) => {}
                Err(cause) => {
                    if let Err(err) = self.store.release(&event_id, &key).await {
                        tracing::error!(event_id = %event_id, message = %key, error = %err, "claim not given back; the retry will skip this message");
                    }
                    return Err(NotifyError::Send { message: key, cause });
                }
            }
        }
        Ok(sent)
    }

    /// The kitchen a change names, or the home kitchen's id when it names none (`None` when
    /// there is no home kitchen to be found).
    async fn kitchen_id(&self, named: Option<String>) -> Result<Option<String>, Failure> {
        if named.is_some() {
            return Ok(named);
        }
        if let Some(id) = self.home_id.lock().ok().and_then(|id| id.clone()) {
            return Ok(Some(id));
        }
        let Some(slug) = self
            .home
            .as_deref()
            .and_then(|s| crate::kitchens::model::Slug::parse(s).ok())
        else {
            return Ok(None);
        };
        let id = self.kitchens.id_of(&slug).await?;
        if let (Some(id), Ok(mut kept)) = (&id, self.home_id.lock()) {
            *kept = Some(id.clone());
        }
        Ok(id)
    }

    /// Raises the alerts the kitchen's notices call for (each once per change, one open per
    /// subject and kind).
    async fn raise_alerts(
        &self,
        event_id: &str,
        at: &str,
        notices: &[Notice],
        dish: Option<&str>,
    ) -> Result<(), NotifyError> {
        for notice in notices {
            let Audience::Kitchen(kitchen_id) = &notice.to else {
                continue;
            };
            let Some(new) = alert_of(&notice.event, dish, headline(&notice.event)) else {
                continue;
            };
            let Some(kitchen_id) = self.kitchen_id(kitchen_id.clone()).await? else {
                tracing::warn!(
                    event_id,
                    alert = new.kind.as_str(),
                    "no kitchen to alert (no home kitchen)"
                );
                continue;
            };
            if let Some(alert) = self
                .alerts
                .raise(&kitchen_id, event_id, at, new)
                .await
                .map_err(alert_failure)?
            {
                tracing::info!(event_id, alert_id = %alert.id, kind = alert.kind.as_str(), "alert raised");
                self.push_alert(&kitchen_id, &alert).await;
            }
        }
        Ok(())
    }

    /// Live frames about a changed order: to its customer (`order.updated`, and each
    /// notification that landed in their inbox) and to its kitchen's board (`board.updated`).
    /// Best effort: a frame that cannot be sent is logged, and the apps poll.
    async fn push_order(&self, order: &Order, kitchen_id: Option<&str>, landed: &[crate::inbox::model::Notification]) {
        use crate::realtime::model::Frame;
        let Some(realtime) = &self.realtime else { return };
        use crate::orders::model::ChangedBy;
        let mut frames = vec![Frame::order_updated(super::model::live_summary(
            order,
            ChangedBy::Customer,
        ))];
        frames.extend(
            landed
                .iter()
                .filter_map(|n| serde_json::to_value(n).ok())
                .map(Frame::notification),
        );
        for frame in &frames {
            if let Err(err) = realtime.to_user(&order.customer_id, frame).await {
                tracing::warn!(order_id = %order.id, error = %err, "live frame to the customer not sent");
            }
        }
        if let Some(kitchen_id) = kitchen_id
            && let Err(err) = realtime
                .to_kitchen(
                    kitchen_id,
                    &Frame::board_updated(super::model::live_summary(order, ChangedBy::Staff)),
                )
                .await
        {
            tracing::warn!(order_id = %order.id, error = %err, "live frame to the board not sent");
        }
    }

    /// A live `alert` frame to the kitchen's boards (best effort).
    async fn push_alert(&self, kitchen_id: &str, alert: &crate::alerts::model::Alert) {
        let Some(realtime) = &self.realtime else { return };
        let Ok(value) = serde_json::to_value(alert) else { return };
        if let Err(err) = realtime
            .to_kitchen(kitchen_id, &crate::realtime::model::Frame::alert(value))
            .await
        {
            tracing::warn!(alert_id = %alert.id, error = %err, "live alert frame not sent");
        }
    }

    /// Where a kitchen's messages go: its own email; for the home kitchen (or no kitchen named),
    /// `KITCHEN_EMAIL` when it has none.
    async fn kitchen_address(&self, kitchen_id: Option<&str>) -> anyhow::Result<Option<String>> {
        let Some(id) = kitchen_id else {
            return Ok(self.kitchen.clone());
        };
        let kitchen = self.kitchens.kitchen(id).await?;
        Ok(match kitchen {
            Some(k) if k.email.is_some() => k.email,
            Some(k) if Some(k.slug.as_str()) == self.home.as_deref() => self.kitchen.clone(),
            _ => None,
        })
    }

    /// Where a notice goes: the kitchen's email, the customer's email or phone (where the
    /// account signed up); `None` when there is nobody to send it to (logged).
    pub async fn recipient(&self, notice: &Notice) -> anyhow::Result<Option<Recipient>> {
        match &notice.to {
            Audience::Kitchen(kitchen_id) => {
                let address = self.kitchen_address(kitchen_id.as_deref()).await?;
                if address.is_none() {
                    tracing::warn!(
                        message = notice.event.key(),
                        kitchen_id = kitchen_id.as_deref().unwrap_or("home"),
                        "the kitchen has no email (and no KITCHEN_EMAIL for the home kitchen): not sent"
                    );
                }
                Ok(address.map(Recipient::Email))
            }
            Audience::Customer(user_id) => {
                let Some(account) = self.accounts.account_by_id(user_id).await? else {
                    tracing::warn!(user_id = %user_id, "the order's customer has no account: nothing sent");
                    return Ok(None);
                };
                let key = account.identifier_key.as_str();
                match (key.strip_prefix("EMAIL#"), key.strip_prefix("PHONE#")) {
                    (Some(email), _) => Ok(Some(Recipient::Email(email.to_owned()))),
                    (None, Some(phone)) => Ok(Some(Recipient::Sms(phone.to_owned()))),
                    (None, None) => {
                        tracing::warn!(user_id = %user_id, "the customer's identifier is neither an email nor a phone: nothing sent");
                        Ok(None)
                    }
                }
            }
        }
    }

    /// Renders and sends one notice: `false` when there is nobody to send it to.
    async fn deliver(&self, notice: &Notice) -> anyhow::Result<bool> {
        let message = render(&notice.event);
        match self.recipient(notice).await? {
            None => return Ok(false),
            Some(Recipient::Email(address)) => {
                self.outbox
                    .email(&address, &message.subject, &message.text, Some(&message.html))
                    .await?
            }
            Some(Recipient::Sms(phone)) => self.outbox.sms(&phone, &message.text).await?,
        }
        Ok(true)
    }
}
