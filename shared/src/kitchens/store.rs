//! Kitchens in the table. Every row of a kitchen sits under its own `KITCHEN#<id>` partition, so
//! a kitchen's data is reachable only through key conditions that name it; the slug maps to the
//! id through a guard item that also keeps slugs unique; a member's kitchens are listed under
//! the member, so "mine" is one Query.
//!
//! | item | PK | SK |
//! |---|---|---|
//! | kitchen | `KITCHEN#<id>` | `KITCHEN` |
//! | slug guard | `SLUG#<slug>` | `SLUG` (`kitchen_id`) |
//! | member | `KITCHEN#<id>` | `MEMBER#<user id>` (`role`, `identifier`, `added_at`) |
//! | a user's kitchens | `MEMBERSHIPS#<user id>` | `KITCHEN#<id>` (`role`) |

use aws_sdk_dynamodb::types::ReturnValue;
use serde::{Deserialize, Serialize};

use super::model::{Kitchen, KitchenRole, KitchenStatus, Member, Slug};
use crate::platform::db::{Conditional, Db, PK, SK, conditional_update, from_item, s, to_item, transact};
use crate::platform::error::Failure;

const KITCHEN_SK: &str = "KITCHEN";
const SLUG_SK: &str = "SLUG";

fn kitchen_pk(id: &str) -> String {
    format!("KITCHEN#{id}")
}

fn slug_pk(slug: &Slug) -> String {
    format!("SLUG#{}", slug.as_str())
}

fn member_sk(user_id: &str) -> String {
    format!("MEMBER#{user_id}")
}

fn memberships_pk(user_id: &str) -> String {
    format!("MEMBERSHIPS#{user_id}")
}

#[derive(Debug, Serialize, Deserialize)]
struct SlugGuard {
    kitchen_id: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct Membership {
    kitchen_id: String,
    role: KitchenRole,
}

/// What opening a kitchen came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opened {
    Opened,
    /// Another kitchen has the slug (concurrent applications with one slug: exactly one opens).
    SlugTaken,
}

#[derive(Clone, Debug)]
pub struct KitchenStore {
    db: Db,
}

impl KitchenStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// The kitchen, its slug guard, its owner and the owner's list entry, in one transaction
    /// conditioned on the slug being free.
    pub async fn open(&self, kitchen: &Kitchen, owner: &Member) -> Result<Opened, Failure> {
        let guard = to_item(
            &SlugGuard {
                kitchen_id: kitchen.id.clone(),
            },
            [(PK, slug_pk(&kitchen.slug)), (SK, SLUG_SK.to_owned())],
            "slug guard",
        )?;
        let items = vec![
            self.db
                .put_action(guard, |p| p.condition_expression("attribute_not_exists(PK)"))?,
            self.db.put_action(
                to_item(
                    kitchen,
                    [(PK, kitchen_pk(&kitchen.id)), (SK, KITCHEN_SK.to_owned())],
                    "kitchen",
                )?,
                |p| p.condition_expression("attribute_not_exists(PK)"),
            )?,
            self.db.put_action(
                to_item(
                    owner,
                    [(PK, kitchen_pk(&kitchen.id)), (SK, member_sk(&owner.user_id))],
                    "member",
                )?,
                |p| p,
            )?,
            self.db.put_action(
                to_item(
                    &Membership {
                        kitchen_id: kitchen.id.clone(),
                        role: owner.role,
                    },
                    [(PK, memberships_pk(&owner.user_id)), (SK, kitchen_pk(&kitchen.id))],
                    "membership",
                )?,
                |p| p,
            )?,
        ];
        Ok(match transact(&self.db, "open kitchen", items).await? {
            None => Opened::Opened,
            Some(c) if c.condition_failed(0) => Opened::SlugTaken,
            Some(c) => return Err(Failure::bug(format!("open kitchen cancelled: {:?}", c.0))),
        })
    }

    pub async fn kitchen(&self, id: &str) -> Result<Option<Kitchen>, Failure> {
        self.db.get_item(kitchen_pk(id), KITCHEN_SK, "kitchen").await
    }

    /// The kitchen a slug names (its guard, then the kitchen).
    pub async fn by_slug(&self, slug: &Slug) -> Result<Option<Kitchen>, Failure> {
        let guard: Option<SlugGuard> = self.db.get_item(slug_pk(slug), SLUG_SK, "slug guard").await?;
        match guard {
            Some(guard) => self.kitchen(&guard.kitchen_id).await,
            None => Ok(None),
        }
    }

    /// The user's role in the kitchen, if a member.
    pub async fn role_of(&self, kitchen_id: &str, user_id: &str) -> Result<Option<KitchenRole>, Failure> {
        let member: Option<Member> = self
            .db
            .get_item(kitchen_pk(kitchen_id), &member_sk(user_id), "member")
            .await?;
        Ok(member.map(|m| m.role))
    }

    /// The kitchens the user belongs to, with the role in each: one Query, one BatchGetItem.
    pub async fn memberships(&self, user_id: &str) -> Result<Vec<(Kitchen, KitchenRole)>, Failure> {
        let rows = self
            .db
            .query_partition(
                &memberships_pk(user_id),
                |q| q.consistent_read(true),
                "Query memberships",
            )
            .await?;
        let memberships: Vec<Membership> = rows
            .into_iter()
            .map(|item| from_item(item, "membership"))
            .collect::<Result<_, _>>()?;
        let keys = memberships
            .iter()
            .map(|m| (kitchen_pk(&m.kitchen_id), KITCHEN_SK.to_owned()))
            .collect();
        let kitchens: Vec<Kitchen> = self
            .db
            .batch_get(keys, "BatchGetItem kitchens")
            .await?
            .into_iter()
            .map(|item| from_item(item, "kitchen"))
            .collect::<Result<_, _>>()?;
        let mut out: Vec<(Kitchen, KitchenRole)> = memberships
            .into_iter()
            .filter_map(|m| {
                let kitchen = kitchens.iter().find(|k| k.id == m.kitchen_id)?.clone();
                Some((kitchen, m.role))
            })
            .collect();
        out.sort_by(|a, b| a.0.name.cmp(&b.0.name));
        Ok(out)
    }

    /// Sets the kitchen's status while it exists: the kitchen as it now is.
    pub async fn set_status(&self, id: &str, status: KitchenStatus) -> Result<Option<Kitchen>, Failure> {
        let req = self
            .db
            .update_item(kitchen_pk(id), KITCHEN_SK)
            .update_expression("SET #status = :status")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":status", s(status.as_str()))
            .return_values(ReturnValue::AllNew);
        match conditional_update(req, "kitchen", "UpdateItem kitchen status").await? {
            Conditional::Applied(kitchen) => Ok(kitchen),
            Conditional::Failed(_) => Ok(None),
        }
    }
}
