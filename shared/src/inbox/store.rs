//! Inboxes in the table: a user's notifications in their own partition, newest last by id, and
//! the unread count beside them, written together.
//!
//! | item | PK | SK | |
//! |---|---|---|---|
//! | notification | `INBOX#<user>` | `N#<ulid>` | `kind`, `title`, `body`, `order_id?`, `kitchen?`, `read`, `at`; TTL a year on |
//! | unread count | `INBOX#<user>` | `UNREAD` | `unread` |

use super::model::Notification;
use crate::platform::db::{Db, Item, PK, Page, SK, TTL, from_item, n, to_item, transact};
use crate::platform::error::Failure;
use crate::platform::pagination::PageRequest;

const ITEM_PREFIX: &str = "N#";
const UNREAD_SK: &str = "UNREAD";
/// How long a notification is kept.
const KEPT_SECS: i64 = 365 * 24 * 3600;

fn inbox_pk(user_id: &str) -> String {
    format!("INBOX#{user_id}")
}

fn item_sk(id: &str) -> String {
    format!("{ITEM_PREFIX}{id}")
}

#[derive(Clone, Debug)]
pub struct InboxStore {
    db: Db,
}

impl InboxStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    fn counter(&self, user_id: &str, by: i64) -> Result<aws_sdk_dynamodb::types::TransactWriteItem, Failure> {
        self.db.update_action(inbox_pk(user_id), UNREAD_SK.to_owned(), |a| {
            a.update_expression("ADD unread :by")
                .expression_attribute_values(":by", n(by))
        })
    }

    /// Puts a new notification and counts it unread, in one write; `false` when it is there
    /// already (the same change delivered again).
    pub async fn deliver(&self, user_id: &str, notification: &Notification) -> Result<bool, Failure> {
        let mut item = to_item(
            notification,
            [(PK, inbox_pk(user_id)), (SK, item_sk(&notification.id))],
            "notification",
        )?;
        item.insert(TTL.to_owned(), n(crate::platform::clock::now_epoch() + KEPT_SECS));
        let items = vec![
            self.db
                .put_action(item, |p| p.condition_expression("attribute_not_exists(PK)"))?,
            self.counter(user_id, 1)?,
        ];
        Ok(match transact(&self.db, "deliver notification", items).await? {
            None => true,
            Some(c) if c.condition_failed(0) => false,
            Some(c) => return Err(Failure::bug(format!("deliver notification cancelled: {:?}", c.0))),
        })
    }

    /// A page of the user's notifications, newest first.
    pub async fn page(&self, user_id: &str, page: &PageRequest) -> Result<Page<Notification>, Failure> {
        self.db
            .query_prefix_page(inbox_pk(user_id), ITEM_PREFIX, page, "notification")
            .await
    }

    /// The user's unread notifications (read-all), oldest first.
    pub async fn unread_items(&self, user_id: &str) -> Result<Vec<Notification>, Failure> {
        let items: Vec<Item> = self
            .db
            .query_partition(
                &inbox_pk(user_id),
                |q| {
                    // Only notifications hold `read` (a filter cannot name the key).
                    q.filter_expression("#read = :no")
                        .expression_attribute_names("#read", "read")
                        .expression_attribute_values(":no", aws_sdk_dynamodb::types::AttributeValue::Bool(false))
                },
                "Query unread notifications",
            )
            .await?;
        items.into_iter().map(|item| from_item(item, "notification")).collect()
    }

    pub async fn unread(&self, user_id: &str) -> Result<i64, Failure> {
        #[derive(serde::Deserialize)]
        struct Count {
            #[serde(default)]
            unread: i64,
        }
        let count: Option<Count> = self.db.get_item(inbox_pk(user_id), UNREAD_SK, "unread count").await?;
        Ok(count.map_or(0, |c| c.unread.max(0)))
    }

    pub async fn notification(&self, user_id: &str, id: &str) -> Result<Option<Notification>, Failure> {
        self.db.get_item(inbox_pk(user_id), &item_sk(id), "notification").await
    }

    /// Marks these unread notifications read and counts them down, in one write (at most 99);
    /// `false` when one was read meanwhile (nothing written).
    pub async fn mark_read(&self, user_id: &str, ids: &[&str]) -> Result<bool, Failure> {
        let mut items = Vec::with_capacity(ids.len() + 1);
        for id in ids {
            items.push(self.db.update_action(inbox_pk(user_id), item_sk(id), |a| {
                a.update_expression("SET #read = :yes")
                    .condition_expression("#read = :no")
                    .expression_attribute_names("#read", "read")
                    .expression_attribute_values(":yes", aws_sdk_dynamodb::types::AttributeValue::Bool(true))
                    .expression_attribute_values(":no", aws_sdk_dynamodb::types::AttributeValue::Bool(false))
            })?);
        }
        items.push(self.counter(user_id, -(ids.len() as i64))?);
        Ok(match transact(&self.db, "mark notifications read", items).await? {
            None => true,
            Some(c) if c.any_condition_failed() => false,
            Some(c) => return Err(Failure::bug(format!("mark read cancelled: {:?}", c.0))),
        })
    }
}
