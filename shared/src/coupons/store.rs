//! A kitchen's coupons in the table: all of them in one partition of the kitchen's own
//! (`KITCHEN#<k>#COUPONS`), so every key names the kitchen; a code is one coupon's per kitchen
//! through a guard item written in the same transaction.
//!
//! | item | PK | SK |
//! |---|---|---|
//! | coupon | `KITCHEN#<k>#COUPONS` | `COUPON#<ulid>` |
//! | code guard | `KITCHEN#<k>#COUPONCODE#<CODE>` | `COUPONCODE` (`coupon_id`) |

use serde::{Deserialize, Serialize};

use super::model::Coupon;
use crate::platform::db::{Db, PK, SK, from_item, s, set_all, to_item, transact};
use crate::platform::error::Failure;

const COUPON_PREFIX: &str = "COUPON#";
const CODE_SK: &str = "COUPONCODE";

fn coupons_pk(kitchen_id: &str) -> String {
    format!("KITCHEN#{kitchen_id}#COUPONS")
}

fn coupon_sk(id: &str) -> String {
    format!("{COUPON_PREFIX}{id}")
}

fn code_pk(kitchen_id: &str, code: &str) -> String {
    format!("KITCHEN#{kitchen_id}#COUPONCODE#{code}")
}

#[derive(Debug, Serialize, Deserialize)]
struct CodeGuard {
    coupon_id: String,
}

/// What a write did.
#[derive(Debug, PartialEq, Eq)]
pub enum Written {
    Done,
    /// Create: the code is taken. Change or delete: the coupon moved or went since it was read.
    Refused,
}

/// One kitchen's coupons.
#[derive(Clone, Debug)]
pub struct CouponStore {
    db: Db,
    kitchen_id: String,
}

impl CouponStore {
    pub fn of(db: Db, kitchen_id: &str) -> Self {
        Self {
            db,
            kitchen_id: kitchen_id.to_owned(),
        }
    }

    fn item(&self, coupon: &Coupon) -> Result<crate::platform::db::Item, Failure> {
        to_item(
            coupon,
            [(PK, coupons_pk(&self.kitchen_id)), (SK, coupon_sk(&coupon.id))],
            "coupon",
        )
    }

    /// Creates the coupon and its code guard together; `Refused` when the code is taken.
    pub async fn create(&self, coupon: &Coupon) -> Result<Written, Failure> {
        let guard = to_item(
            &CodeGuard {
                coupon_id: coupon.id.clone(),
            },
            [
                (PK, code_pk(&self.kitchen_id, coupon.code.as_str())),
                (SK, CODE_SK.to_owned()),
            ],
            "coupon code guard",
        )?;
        let items = vec![
            self.db.put_action(self.item(coupon)?, |p| {
                p.condition_expression("attribute_not_exists(PK)")
            })?,
            self.db
                .put_action(guard, |p| p.condition_expression("attribute_not_exists(PK)"))?,
        ];
        Ok(match transact(&self.db, "create coupon", items).await? {
            None => Written::Done,
            Some(c) if c.condition_failed(1) => Written::Refused,
            Some(c) => return Err(Failure::bug(format!("create coupon cancelled: {:?}", c.0))),
        })
    }

    /// Every coupon of the kitchen, newest first (one Query of its partition).
    pub async fn all(&self) -> Result<Vec<Coupon>, Failure> {
        let items = self
            .db
            .query_partition(
                &coupons_pk(&self.kitchen_id),
                |q| q.consistent_read(true),
                "Query coupons",
            )
            .await?;
        let mut coupons = items
            .into_iter()
            .map(|item| from_item::<Coupon>(item, "coupon"))
            .collect::<Result<Vec<_>, _>>()?;
        coupons.sort_by(|a, b| b.id.cmp(&a.id));
        Ok(coupons)
    }

    pub async fn coupon(&self, id: &str) -> Result<Option<Coupon>, Failure> {
        self.db
            .get_item(coupons_pk(&self.kitchen_id), &coupon_sk(id), "coupon")
            .await
    }

    /// Writes a manager's change over the coupon as read (`updated_at`), leaving `uses` to the
    /// orders that move it.
    pub async fn change(&self, current: &Coupon, next: &Coupon) -> Result<Written, Failure> {
        let mut fields = to_item(next, [], "coupon")?;
        for key in ["id", "kitchen_id", "code", "uses", "created_at"] {
            fields.remove(key);
        }
        // A cleared optional field is written as NULL (read back as none).
        let set = set_all(&fields);
        let mut req = self
            .db
            .update_item(coupons_pk(&self.kitchen_id), &coupon_sk(&current.id))
            .update_expression(&set.clause)
            .condition_expression("attribute_exists(PK) AND #seen = :seen")
            .expression_attribute_names("#seen", "updated_at")
            .expression_attribute_values(":seen", s(&current.updated_at));
        for (placeholder, name) in set.names {
            req = req.expression_attribute_names(placeholder, name);
        }
        for (placeholder, value) in set.values {
            req = req.expression_attribute_values(placeholder, value);
        }
        Ok(
            match crate::platform::db::conditional_update::<Coupon>(req, "coupon", "UpdateItem coupon").await? {
                crate::platform::db::Conditional::Applied(_) => Written::Done,
                crate::platform::db::Conditional::Failed(_) => Written::Refused,
            },
        )
    }

    /// Deletes the coupon as read and frees its code.
    pub async fn delete(&self, current: &Coupon) -> Result<Written, Failure> {
        let items = vec![
            self.db
                .delete_action(coupons_pk(&self.kitchen_id), coupon_sk(&current.id), |d| {
                    d.condition_expression("attribute_exists(PK)")
                })?,
            self.db
                .delete_action(code_pk(&self.kitchen_id, current.code.as_str()), CODE_SK, |d| d)?,
        ];
        Ok(match transact(&self.db, "delete coupon", items).await? {
            None => Written::Done,
            Some(_) => Written::Refused,
        })
    }
}
