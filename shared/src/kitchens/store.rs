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
//! | directory entry, by status | `KITCHENS#<status>` | `KITCHEN#<id>` (`kitchen_id`) |
//! | directory entry, every kitchen | `KITCHENS#ALL` | `KITCHEN#<id>` (`kitchen_id`) |
//!
//! The directory lists kitchens without a Scan: a page of entries (one Query on the status's
//! partition), then the kitchens themselves (one BatchGetItem). An entry moves with the
//! kitchen's status in the same transaction that changes it.

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use serde::{Deserialize, Serialize};

use super::model::{Kitchen, KitchenChange, KitchenRole, KitchenStatus, Member, Slug};
use crate::platform::db::{Conditional, Db, PK, Page, SK, conditional_update, from_item, s, to_item, transact};
use crate::platform::error::Failure;
use crate::platform::pagination::PageRequest;
use crate::platform::patch::Patch;

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

/// Which directory partition: one status, or every kitchen.
fn directory_pk(status: Option<KitchenStatus>) -> String {
    format!("KITCHENS#{}", status.map_or("ALL", KitchenStatus::as_str))
}

/// The key of a kitchen's own item, for features that read it in their own batch (placement).
pub fn kitchen_key(id: &str) -> (String, String) {
    (kitchen_pk(id), KITCHEN_SK.to_owned())
}

/// Whether a batch-read item is a kitchen.
pub fn is_kitchen(item: &crate::platform::db::Item) -> bool {
    crate::platform::db::sk_of(item) == KITCHEN_SK
}

pub fn kitchen_from(item: crate::platform::db::Item) -> Result<Kitchen, Failure> {
    from_item(item, "kitchen")
}

/// The key of a user's member item in a kitchen (read beside the session check).
pub fn member_key(kitchen_id: &str, user_id: &str) -> (String, String) {
    (kitchen_pk(kitchen_id), member_sk(user_id))
}

#[derive(Debug, Serialize, Deserialize)]
struct DirectoryEntry {
    kitchen_id: String,
}

/// What a staff change came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffChange {
    Done,
    /// Adding: already a member. Removing: no longer the member that was read.
    Conflict,
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

    /// The kitchen, its slug guard, its directory entries and its owner (if any) with the owner's
    /// list entry, in one transaction
    /// conditioned on the slug being free.
    pub async fn open(&self, kitchen: &Kitchen, owner: Option<&Member>) -> Result<Opened, Failure> {
        let guard = to_item(
            &SlugGuard {
                kitchen_id: kitchen.id.clone(),
            },
            [(PK, slug_pk(&kitchen.slug)), (SK, SLUG_SK.to_owned())],
            "slug guard",
        )?;
        let mut items = vec![
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
            self.directory_put(Some(kitchen.status), &kitchen.id)?,
            self.directory_put(None, &kitchen.id)?,
        ];
        if let Some(owner) = owner {
            items.push(self.db.put_action(
                to_item(
                    owner,
                    [(PK, kitchen_pk(&kitchen.id)), (SK, member_sk(&owner.user_id))],
                    "member",
                )?,
                |p| p,
            )?);
            items.push(self.db.put_action(
                to_item(
                    &Membership {
                        kitchen_id: kitchen.id.clone(),
                        role: owner.role,
                    },
                    [(PK, memberships_pk(&owner.user_id)), (SK, kitchen_pk(&kitchen.id))],
                    "membership",
                )?,
                |p| p,
            )?);
        }
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

    fn directory_put(
        &self,
        status: Option<KitchenStatus>,
        kitchen_id: &str,
    ) -> Result<aws_sdk_dynamodb::types::TransactWriteItem, Failure> {
        let entry = to_item(
            &DirectoryEntry {
                kitchen_id: kitchen_id.to_owned(),
            },
            [(PK, directory_pk(status)), (SK, kitchen_pk(kitchen_id))],
            "directory entry",
        )?;
        self.db.put_action(entry, |p| p)
    }

    /// Moves the kitchen from `from` to `to`: its status and its directory entry in one
    /// transaction, conditioned on the status still being `from`. `false` when it was not.
    pub async fn set_status(&self, id: &str, from: KitchenStatus, to: KitchenStatus) -> Result<bool, Failure> {
        if from == to {
            return Ok(true);
        }
        let items = vec![
            self.db.update_action(kitchen_pk(id), KITCHEN_SK, |u| {
                u.update_expression("SET #status = :to")
                    .condition_expression("#status = :from")
                    .expression_attribute_names("#status", "status")
                    .expression_attribute_values(":to", s(to.as_str()))
                    .expression_attribute_values(":from", s(from.as_str()))
            })?,
            self.db
                .delete_action(directory_pk(Some(from)), &kitchen_pk(id), |d| d)?,
            self.directory_put(Some(to), id)?,
        ];
        Ok(match transact(&self.db, "kitchen status", items).await? {
            None => true,
            Some(c) if c.condition_failed(0) => false,
            Some(c) => return Err(Failure::bug(format!("kitchen status cancelled: {:?}", c.0))),
        })
    }

    /// One page of the directory (one status, or every kitchen), oldest first: a Query for the
    /// entries, a BatchGetItem for the kitchens.
    pub async fn directory(&self, status: Option<KitchenStatus>, page: &PageRequest) -> Result<Page<Kitchen>, Failure> {
        let entries = self
            .db
            .query_table_page(directory_pk(status), page, false, "Query kitchen directory")
            .await?;
        let ids: Vec<String> = entries
            .items
            .into_iter()
            .map(|item| from_item::<DirectoryEntry>(item, "directory entry").map(|e| e.kitchen_id))
            .collect::<Result<_, _>>()?;
        let keys = ids.iter().map(|id| (kitchen_pk(id), KITCHEN_SK.to_owned())).collect();
        let mut kitchens: Vec<Kitchen> = self
            .db
            .batch_get(keys, "BatchGetItem kitchens")
            .await?
            .into_iter()
            .map(|item| from_item(item, "kitchen"))
            .collect::<Result<_, _>>()?;
        kitchens.sort_by_key(|k| ids.iter().position(|id| *id == k.id));
        Ok(Page {
            items: kitchens,
            last_key: entries.last_key,
        })
    }

    /// Kitchens by id, in one BatchGetItem (those that exist).
    pub async fn many(&self, ids: &[&str]) -> Result<Vec<Kitchen>, Failure> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let keys = ids.iter().map(|id| (kitchen_pk(id), KITCHEN_SK.to_owned())).collect();
        self.db
            .batch_get(keys, "BatchGetItem kitchens")
            .await?
            .into_iter()
            .map(|item| from_item(item, "kitchen"))
            .collect()
    }

    /// The id a slug names, from its guard item.
    pub async fn id_of(&self, slug: &Slug) -> Result<Option<String>, Failure> {
        let guard: Option<SlugGuard> = self.db.get_item(slug_pk(slug), SLUG_SK, "slug guard").await?;
        Ok(guard.map(|g| g.kitchen_id))
    }

    /// Applies a settings change field by field (one UpdateItem: concurrent changes to other
    /// fields are kept); the kitchen as it now is, `None` if there is none.
    pub async fn change(&self, id: &str, change: &KitchenChange) -> Result<Option<Kitchen>, Failure> {
        let mut e = Expression::default();
        fn av<T: Serialize>(value: &T) -> Result<AttributeValue, Failure> {
            serde_dynamo::to_attribute_value(value).map_err(|e| crate::platform::db::mapping_error("kitchen", e))
        }
        if let Some(v) = &change.name {
            e.set(&["name"], s(v));
        }
        if let Some(v) = &change.phone {
            e.set(&["phone"], s(v));
        }
        if let Some(v) = &change.address {
            e.set(&["address"], s(v));
        }
        if let Some(v) = &change.timezone {
            e.set(&["timezone"], s(v));
        }
        if let Some(v) = &change.hours {
            e.set(&["hours"], av(v)?);
        }
        if let Some(v) = &change.closures {
            e.set(&["closures"], av(v)?);
        }
        if let Some(v) = change.accepting_orders {
            e.set(&["accepting_orders"], AttributeValue::Bool(v));
        }
        if let Some(v) = change.delivery.enabled {
            e.set(&["delivery", "enabled"], AttributeValue::Bool(v));
        }
        if let Some(v) = change.delivery.fee {
            e.set(&["delivery", "fee"], av(&v)?);
        }
        if let Some(v) = change.delivery.minimum_order {
            e.set(&["delivery", "minimum_order"], av(&v)?);
        }
        if let Patch::Value(v) = change.delivery.radius_km {
            e.set(&["delivery", "radius_km"], av(&v)?);
        }
        if let Some(v) = change.pickup_enabled {
            e.set(&["pickup", "enabled"], AttributeValue::Bool(v));
        }
        let optional: [(&str, Option<AttributeValue>, bool); 5] = [
            (
                "paystack_subaccount",
                patch_value(&change.paystack_subaccount)?,
                change.paystack_subaccount == Patch::Null,
            ),
            (
                "description",
                patch_value(&change.description)?,
                change.description == Patch::Null,
            ),
            ("email", patch_value(&change.email)?, change.email == Patch::Null),
            (
                "location",
                patch_value(&change.location)?,
                change.location == Patch::Null,
            ),
            (
                "image_url",
                patch_value(&change.image_url)?,
                change.image_url == Patch::Null,
            ),
        ];
        for (field, value, cleared) in optional {
            if let Some(value) = value {
                e.set(&[field], value);
            } else if cleared {
                e.remove(&[field]);
            }
        }
        if change.delivery.radius_km == Patch::Null {
            e.remove(&["delivery", "radius_km"]);
        }
        if e.set.is_empty() && e.remove.is_empty() {
            return self.kitchen(id).await;
        }
        let mut req = self
            .db
            .update_item(kitchen_pk(id), KITCHEN_SK)
            .update_expression(e.text())
            .condition_expression("attribute_exists(PK)")
            .return_values(ReturnValue::AllNew);
        for (placeholder, field) in e.names {
            req = req.expression_attribute_names(placeholder, field);
        }
        for (placeholder, value) in e.values {
            req = req.expression_attribute_values(placeholder, value);
        }
        match conditional_update(req, "kitchen", "UpdateItem kitchen settings").await? {
            Conditional::Applied(kitchen) => Ok(kitchen),
            Conditional::Failed(_) => Ok(None),
        }
    }

    /// Every member of the kitchen, the owner included (one Query on the member items).
    pub async fn members(&self, kitchen_id: &str) -> Result<Vec<Member>, Failure> {
        let rows = self
            .db
            .query_partition(
                &kitchen_pk(kitchen_id),
                |q| {
                    q.key_condition_expression("PK = :pk AND begins_with(SK, :member)")
                        .expression_attribute_values(":member", s("MEMBER#"))
                        .consistent_read(true)
                },
                "Query members",
            )
            .await?;
        rows.into_iter().map(|item| from_item(item, "member")).collect()
    }

    /// The member, if the user is one.
    pub async fn member(&self, kitchen_id: &str, user_id: &str) -> Result<Option<Member>, Failure> {
        self.db
            .get_item(kitchen_pk(kitchen_id), &member_sk(user_id), "member")
            .await
    }

    /// Adds a member and their list entry, unless they are one already.
    pub async fn add_member(&self, kitchen_id: &str, member: &Member) -> Result<StaffChange, Failure> {
        let items = vec![
            self.db.put_action(
                to_item(
                    member,
                    [(PK, kitchen_pk(kitchen_id)), (SK, member_sk(&member.user_id))],
                    "member",
                )?,
                |p| p.condition_expression("attribute_not_exists(PK)"),
            )?,
            self.db.put_action(
                to_item(
                    &Membership {
                        kitchen_id: kitchen_id.to_owned(),
                        role: member.role,
                    },
                    [(PK, memberships_pk(&member.user_id)), (SK, kitchen_pk(kitchen_id))],
                    "membership",
                )?,
                |p| p,
            )?,
        ];
        Ok(match transact(&self.db, "add member", items).await? {
            None => StaffChange::Done,
            Some(c) if c.condition_failed(0) => StaffChange::Conflict,
            Some(c) => return Err(Failure::bug(format!("add member cancelled: {:?}", c.0))),
        })
    }

    /// Removes the member (while they still have the role read) and their list entry.
    pub async fn remove_member(&self, kitchen_id: &str, member: &Member) -> Result<StaffChange, Failure> {
        let role = serde_dynamo::to_attribute_value(member.role)
            .map_err(|e| crate::platform::db::mapping_error("member", e))?;
        let items = vec![
            self.db
                .delete_action(kitchen_pk(kitchen_id), &member_sk(&member.user_id), |d| {
                    d.condition_expression("#role = :role")
                        .expression_attribute_names("#role", "role")
                        .expression_attribute_values(":role", role)
                })?,
            self.db
                .delete_action(memberships_pk(&member.user_id), &kitchen_pk(kitchen_id), |d| d)?,
        ];
        Ok(match transact(&self.db, "remove member", items).await? {
            None => StaffChange::Done,
            Some(c) if c.condition_failed(0) => StaffChange::Conflict,
            Some(c) => return Err(Failure::bug(format!("remove member cancelled: {:?}", c.0))),
        })
    }
}

/// A `Patch`'s value as an attribute (`None` when absent or cleared).
fn patch_value<T: Serialize>(patch: &Patch<T>) -> Result<Option<AttributeValue>, Failure> {
    match patch {
        Patch::Value(v) => serde_dynamo::to_attribute_value(v)
            .map(Some)
            .map_err(|e| crate::platform::db::mapping_error("kitchen", e)),
        Patch::Absent | Patch::Null => Ok(None),
    }
}

/// An update expression built field by field, every name and value through a placeholder.
#[derive(Default)]
struct Expression {
    set: Vec<String>,
    remove: Vec<String>,
    names: Vec<(String, String)>,
    values: Vec<(String, AttributeValue)>,
}

impl Expression {
    fn path(&mut self, path: &[&str]) -> String {
        path.iter()
            .map(|part| {
                let placeholder = format!("#n{}", self.names.len());
                self.names.push((placeholder.clone(), (*part).to_owned()));
                placeholder
            })
            .collect::<Vec<_>>()
            .join(".")
    }

    fn set(&mut self, path: &[&str], value: AttributeValue) {
        let placeholder = format!(":v{}", self.values.len());
        let path = self.path(path);
        self.set.push(format!("{path} = {placeholder}"));
        self.values.push((placeholder, value));
    }

    fn remove(&mut self, path: &[&str]) {
        let path = self.path(path);
        self.remove.push(path);
    }

    fn text(&self) -> String {
        let mut parts = Vec::new();
        if !self.set.is_empty() {
            parts.push(format!("SET {}", self.set.join(", ")));
        }
        if !self.remove.is_empty() {
            parts.push(format!("REMOVE {}", self.remove.join(", ")));
        }
        parts.join(" ")
    }
}
