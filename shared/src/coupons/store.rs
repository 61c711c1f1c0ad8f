//! Coupons in the table. A kitchen's coupons live in one partition of its own, each under its
//! code, so a code is one coupon's per kitchen by its key alone and a placement reads the coupon
//! a customer typed with one GetItem (in its first BatchGetItem). What a use counts is written in
//! the order's own transaction through the actions below (the orders feature calls them).
//!
//! | item | PK | SK | written by |
//! |---|---|---|---|
//! | coupon | `KITCHEN#<k>#COUPONS` | `COUPON#<CODE>` (`id`, `uses`) | managers; `uses` only by placements (`ADD 1` while `uses < usage_limit`) and cancellations (`ADD -1`) |
//! | a customer's uses of a code | `KITCHEN#<k>#COUPON#<CODE>#CUSTOMER#<c>` | `COUPONUSES` (`coupon_id`, `used`) | placements and cancellations |
//! | a customer's usage history | `CUSTOMER#<c>#COUPONUSAGE` | `ORDER#<order ulid>` | placement (put), cancellation (delete) |
//! | a customer's completed orders and spending (tier) | `CUSTOMER#<c>#STATS` | `STATS` | the write that completes an order (`ADD`) |
//!
//! A manager's change or delete names the coupon by id: one Query of the kitchen's coupon
//! partition (tens of items), kept to that id.

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValuesOnConditionCheckFailure, TransactWriteItem};

use super::model::{AppliedCoupon, Coupon, CustomerUses, Stats, Usage};
use crate::platform::db::{Db, Item, PK, Page, SK, from_item, n, s, set_all, sk_of, to_item};
use crate::platform::error::Failure;
use crate::platform::pagination::PageRequest;

const COUPON_PREFIX: &str = "COUPON#";
const USES_SK: &str = "COUPONUSES";
const STATS_SK: &str = "STATS";
const USAGE_PREFIX: &str = "ORDER#";

fn coupons_pk(kitchen_id: &str) -> String {
    format!("KITCHEN#{kitchen_id}#COUPONS")
}

/// The key of a kitchen's coupon with `code` (upper-case, as stored).
pub fn coupon_key(kitchen_id: &str, code: &str) -> (String, String) {
    (coupons_pk(kitchen_id), format!("{COUPON_PREFIX}{code}"))
}

/// The key of a customer's count of uses of a kitchen's code.
pub fn uses_key(kitchen_id: &str, code: &str, customer_id: &str) -> (String, String) {
    (
        format!("KITCHEN#{kitchen_id}#COUPON#{code}#CUSTOMER#{customer_id}"),
        USES_SK.to_owned(),
    )
}

/// The key of a customer's completed orders and spending.
pub fn stats_key(customer_id: &str) -> (String, String) {
    (format!("CUSTOMER#{customer_id}#STATS"), STATS_SK.to_owned())
}

fn usage_key(customer_id: &str, order_id: &str) -> (String, String) {
    (usage_pk(customer_id), format!("{USAGE_PREFIX}{order_id}"))
}

fn usage_pk(customer_id: &str) -> String {
    format!("CUSTOMER#{customer_id}#COUPONUSAGE")
}

pub fn is_coupon(item: &Item) -> bool {
    sk_of(item).starts_with(COUPON_PREFIX)
}

pub fn is_uses(item: &Item) -> bool {
    sk_of(item) == USES_SK
}

pub fn is_stats(item: &Item) -> bool {
    sk_of(item) == STATS_SK
}

pub fn coupon_from(item: Item) -> Result<Coupon, Failure> {
    from_item(item, "coupon")
}

pub fn uses_from(item: Item) -> Result<CustomerUses, Failure> {
    from_item(item, "coupon uses")
}

pub fn stats_from(item: Item) -> Result<Stats, Failure> {
    from_item(item, "customer stats")
}

/// The actions that count one use of `coupon` by `usage`'s order in the order's own
/// transaction, in this order: the coupon's `uses` (while it is as read and, with a limit, below
/// it), the customer's count (as read, and below their limit), the usage history entry.
/// `seen` is the customer's count as read beside the coupon.
pub fn take_use(
    db: &Db,
    coupon: &Coupon,
    seen: Option<&CustomerUses>,
    customer_id: &str,
    usage: &Usage,
) -> Result<Vec<TransactWriteItem>, Failure> {
    let (pk, sk) = coupon_key(&coupon.kitchen_id, coupon.code.as_str());
    let take = db.update_action(pk, sk, |a| {
        let a = a
            .update_expression("ADD uses :one")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":id", s(&coupon.id))
            .expression_attribute_values(":seen", s(&coupon.updated_at))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        match coupon.usage_limit {
            Some(limit) => a
                .condition_expression("id = :id AND updated_at = :seen AND uses < :limit")
                .expression_attribute_values(":limit", n(limit)),
            None => a.condition_expression("id = :id AND updated_at = :seen"),
        }
    })?;
    let (pk, sk) = uses_key(&coupon.kitchen_id, coupon.code.as_str(), customer_id);
    let count = db.update_action(pk, sk, |a| {
        let a = a
            .expression_attribute_values(":id", s(&coupon.id))
            .expression_attribute_values(":one", n(1));
        match seen {
            // Theirs already: one more, below their limit.
            Some(seen) if seen.coupon_id == coupon.id => a
                .update_expression("ADD used :one")
                .condition_expression("coupon_id = :id AND used < :limit")
                .expression_attribute_values(":limit", n(coupon.per_customer_limit)),
            // Another coupon's count (the code was made again): started over, if still that.
            Some(seen) => a
                .update_expression("SET coupon_id = :id, used = :one")
                .condition_expression("coupon_id = :old")
                .expression_attribute_values(":old", s(&seen.coupon_id)),
            None => a
                .update_expression("SET coupon_id = :id, used = :one")
                .condition_expression("attribute_not_exists(PK)"),
        }
    })?;
    let (pk, sk) = usage_key(customer_id, &usage.order_id);
    let entry = db.put_action(to_item(usage, [(PK, pk), (SK, sk)], "coupon usage")?, |p| p)?;
    Ok(vec![take, count, entry])
}

/// The actions that give a cancelled order's use back, in its own transaction: the coupon's
/// `uses` and the customer's count (each only while it is still that coupon's: a coupon deleted
/// meanwhile fails them, and the cancellation goes ahead without), and the usage entry goes.
pub fn give_back_use(
    db: &Db,
    kitchen_id: &str,
    coupon: &AppliedCoupon,
    customer_id: &str,
    order_id: &str,
    counts: bool,
) -> Result<Vec<TransactWriteItem>, Failure> {
    let mut actions = Vec::with_capacity(3);
    if counts {
        // One count down, while it is still this coupon's and above zero.
        let count_down = |(pk, sk): (String, String), id: &'static str, count: &'static str| {
            db.update_action(pk, sk, |a| {
                a.update_expression(format!("ADD {count} :minus"))
                    .condition_expression(format!("{id} = :id AND {count} > :zero"))
                    .expression_attribute_values(":minus", n(-1))
                    .expression_attribute_values(":zero", n(0))
                    .expression_attribute_values(":id", s(&coupon.id))
            })
        };
        actions.push(count_down(coupon_key(kitchen_id, &coupon.code), "id", "uses")?);
        actions.push(count_down(
            uses_key(kitchen_id, &coupon.code, customer_id),
            "coupon_id",
            "used",
        )?);
    }
    let (pk, sk) = usage_key(customer_id, order_id);
    actions.push(db.delete_action(pk, sk, |d| d)?);
    Ok(actions)
}

/// The action that counts a completed order of `total` kobo into its customer's stats (in the
/// write that completes it, so once per order).
pub fn count_completed(db: &Db, customer_id: &str, total: i64) -> Result<TransactWriteItem, Failure> {
    let (pk, sk) = stats_key(customer_id);
    db.update_action(pk, sk, |a| {
        a.update_expression("ADD completed_orders :one, total_spent :total")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":total", AttributeValue::N(total.to_string()))
    })
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

    fn key(&self, coupon: &Coupon) -> (String, String) {
        coupon_key(&self.kitchen_id, coupon.code.as_str())
    }

    /// Creates the coupon under its code; `Refused` when the code is taken.
    pub async fn create(&self, coupon: &Coupon) -> Result<Written, Failure> {
        let (pk, sk) = self.key(coupon);
        let item = to_item(coupon, [(PK, pk), (SK, sk)], "coupon")?;
        Ok(if self.db.put_new(item, "PutItem coupon").await? {
            Written::Done
        } else {
            Written::Refused
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
            .filter(is_coupon)
            .map(coupon_from)
            .collect::<Result<Vec<_>, _>>()?;
        coupons.sort_by(|a, b| b.id.cmp(&a.id));
        Ok(coupons)
    }

    /// The coupon with this id, if the kitchen has it.
    pub async fn coupon(&self, id: &str) -> Result<Option<Coupon>, Failure> {
        Ok(self.all().await?.into_iter().find(|c| c.id == id))
    }

    /// The coupon with this code, if the kitchen has it.
    pub async fn by_code(&self, code: &str) -> Result<Option<Coupon>, Failure> {
        let (pk, sk) = coupon_key(&self.kitchen_id, code);
        self.db.get_item(pk, &sk, "coupon").await
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
        let (pk, sk) = self.key(current);
        let mut req = self
            .db
            .update_item(pk, &sk)
            .update_expression(&set.clause)
            .condition_expression("id = :id AND #seen = :seen")
            .expression_attribute_names("#seen", "updated_at")
            .expression_attribute_values(":seen", s(&current.updated_at))
            .expression_attribute_values(":id", s(&current.id));
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

    /// Deletes the coupon as read, which frees its code.
    pub async fn delete(&self, current: &Coupon) -> Result<Written, Failure> {
        let (pk, sk) = self.key(current);
        let deleted = self
            .db
            .delete_if(pk, &sk, "id = :id", [(":id", s(&current.id))], "DeleteItem coupon")
            .await?;
        Ok(if deleted { Written::Done } else { Written::Refused })
    }
}

/// A customer's side of coupons: their counts and stats, and their usage history.
#[derive(Clone, Debug)]
pub struct CustomerCoupons {
    db: Db,
}

impl CustomerCoupons {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// The customer's stats and their counts of `codes` at a kitchen, in one BatchGetItem.
    pub async fn standing(
        &self,
        kitchen_id: &str,
        codes: &[&str],
        customer_id: &str,
    ) -> Result<(Stats, Vec<CustomerUses>), Failure> {
        let mut keys: Vec<(String, String)> = codes
            .iter()
            .map(|code| uses_key(kitchen_id, code, customer_id))
            .collect();
        keys.push(stats_key(customer_id));
        let mut stats = Stats::default();
        let mut uses = Vec::new();
        for item in self.db.batch_get(keys, "BatchGetItem coupon standing").await? {
            if is_stats(&item) {
                stats = stats_from(item)?;
            } else if is_uses(&item) {
                uses.push(uses_from(item)?);
            }
        }
        Ok((stats, uses))
    }

    pub async fn stats(&self, customer_id: &str) -> Result<Stats, Failure> {
        let (pk, sk) = stats_key(customer_id);
        Ok(self.db.get_item(pk, &sk, "customer stats").await?.unwrap_or_default())
    }

    /// A page of the customer's uses, newest first.
    pub async fn usage(&self, customer_id: &str, page: &PageRequest) -> Result<Page<Usage>, Failure> {
        let found = self
            .db
            .query_table_page(usage_pk(customer_id), page, true, "Query coupon usage")
            .await?;
        let items = found
            .items
            .into_iter()
            .map(|item| from_item(item, "coupon usage"))
            .collect::<Result<_, _>>()?;
        Ok(Page {
            items,
            last_key: found.last_key,
        })
    }
}
