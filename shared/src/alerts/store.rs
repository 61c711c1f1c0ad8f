//! A kitchen's alerts in the table, in the kitchen's own partition: open and resolved ones
//! under their own sort-key prefixes (each list is one key-conditioned Query), and a guard per
//! open (kind, subject) holding a copy of that alert, which is what keeps one open at a time.
//!
//! | item | PK | SK | |
//! |---|---|---|---|
//! | open alert | `KITCHEN#<k>#ALERTS` | `OPEN#<ulid>` | the alert |
//! | resolved alert | `KITCHEN#<k>#ALERTS` | `RESOLVED#<ulid>` | the alert; TTL 90 days on |
//! | open guard | `KITCHEN#<k>#ALERTS` | `GUARD#<kind>#DISH#<id>` or `...#ORDER#<id>` | the open alert's copy |
//!
//! Raising puts the guard and the open alert while neither exists and the resolved one does not
//! either (a redelivered change whose alert was resolved meanwhile raises nothing); resolving
//! moves the alert from open to resolved and deletes the guard, in one transaction.

use super::model::{Alert, Kind, Status, Subject};
use crate::platform::db::{Db, Item, PK, Page, SK, TTL, from_item, n, to_item, transact};
use crate::platform::error::Failure;
use crate::platform::pagination::PageRequest;

/// How long a resolved alert is kept.
const RESOLVED_KEPT_SECS: i64 = 90 * 24 * 3600;

fn alerts_pk(kitchen_id: &str) -> String {
    format!("KITCHEN#{kitchen_id}#ALERTS")
}

fn prefix(status: Status) -> &'static str {
    match status {
        Status::Open => "OPEN#",
        Status::Resolved => "RESOLVED#",
    }
}

fn alert_sk(status: Status, id: &str) -> String {
    format!("{}{id}", prefix(status))
}

fn guard_sk(kind: Kind, subject: &Subject) -> String {
    format!("GUARD#{}#{}", kind.as_str(), subject.key())
}

#[derive(Clone, Debug)]
pub struct AlertStore {
    db: Db,
}

impl AlertStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    fn item(&self, kitchen_id: &str, sk: String, alert: &Alert) -> Result<Item, Failure> {
        to_item(alert, [(PK, alerts_pk(kitchen_id)), (SK, sk)], "alert")
    }

    /// Opens `alert` (open, about a subject): `false` when one of its kind is open for that
    /// subject already, or this very alert was raised before (open or resolved).
    pub async fn raise(&self, kitchen_id: &str, alert: &Alert) -> Result<bool, Failure> {
        let Some(subject) = alert.subject() else {
            return Err(Failure::bug("an alert about nothing"));
        };
        let items = vec![
            self.db
                .put_action(self.item(kitchen_id, guard_sk(alert.kind, &subject), alert)?, |p| {
                    p.condition_expression("attribute_not_exists(PK)")
                })?,
            self.db
                .put_action(self.item(kitchen_id, alert_sk(Status::Open, &alert.id), alert)?, |p| {
                    p.condition_expression("attribute_not_exists(PK)")
                })?,
            self.db
                .check_action(alerts_pk(kitchen_id), alert_sk(Status::Resolved, &alert.id), |c| {
                    c.condition_expression("attribute_not_exists(PK)")
                })?,
        ];
        Ok(match transact(&self.db, "raise alert", items).await? {
            None => true,
            Some(c) if c.any_condition_failed() => false,
            Some(c) => return Err(Failure::bug(format!("raise alert cancelled: {:?}", c.0))),
        })
    }

    /// Moves the open `alert` to `resolved` (the same alert, resolved) and frees its subject:
    /// `false` when it was resolved meanwhile (nothing written).
    pub async fn resolve(&self, kitchen_id: &str, alert: &Alert, resolved: &Alert) -> Result<bool, Failure> {
        let mut item = self.item(kitchen_id, alert_sk(Status::Resolved, &resolved.id), resolved)?;
        item.insert(
            TTL.to_owned(),
            n(crate::platform::clock::now_epoch() + RESOLVED_KEPT_SECS),
        );
        let mut items = vec![
            self.db
                .delete_action(alerts_pk(kitchen_id), alert_sk(Status::Open, &alert.id), |d| {
                    d.condition_expression("attribute_exists(PK)")
                })?,
            self.db
                .put_action(item, |p| p.condition_expression("attribute_not_exists(PK)"))?,
        ];
        if let Some(subject) = alert.subject() {
            items.push(
                self.db
                    .delete_action(alerts_pk(kitchen_id), guard_sk(alert.kind, &subject), |d| {
                        d.condition_expression("id = :id")
                            .expression_attribute_values(":id", crate::platform::db::s(&alert.id))
                    })?,
            );
        }
        Ok(match transact(&self.db, "resolve alert", items).await? {
            None => true,
            Some(c) if c.any_condition_failed() => false,
            Some(c) => return Err(Failure::bug(format!("resolve alert cancelled: {:?}", c.0))),
        })
    }

    /// The alert `id` of the kitchen's, open or resolved (one read of both places).
    pub async fn alert(&self, kitchen_id: &str, id: &str) -> Result<Option<Alert>, Failure> {
        let pk = alerts_pk(kitchen_id);
        let found = self
            .db
            .batch_get(
                vec![
                    (pk.clone(), alert_sk(Status::Open, id)),
                    (pk, alert_sk(Status::Resolved, id)),
                ],
                "BatchGetItem alert",
            )
            .await?;
        let mut alerts = found
            .into_iter()
            .map(|item| from_item::<Alert>(item, "alert"))
            .collect::<Result<Vec<_>, _>>()?;
        // Both, only for the instant of a resolution: the resolved one is the newer.
        alerts.sort_by_key(|a| a.status == Status::Open);
        Ok(alerts.into_iter().next())
    }

    /// The open alerts of these kinds about `subject` (one read of their guards).
    pub async fn open_about(&self, kitchen_id: &str, kinds: &[Kind], subject: &Subject) -> Result<Vec<Alert>, Failure> {
        let pk = alerts_pk(kitchen_id);
        let keys = kinds.iter().map(|k| (pk.clone(), guard_sk(*k, subject))).collect();
        self.db
            .batch_get(keys, "BatchGetItem alert guards")
            .await?
            .into_iter()
            .map(|item| from_item(item, "alert"))
            .collect()
    }

    /// A page of the kitchen's alerts in `status`, newest first.
    pub async fn page(&self, kitchen_id: &str, status: Status, page: &PageRequest) -> Result<Page<Alert>, Failure> {
        self.db
            .query_prefix_page(alerts_pk(kitchen_id), prefix(status), page, "alert")
            .await
    }
}
