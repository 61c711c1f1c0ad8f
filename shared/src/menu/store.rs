//! The menus in the table: each kitchen's categories and dishes in one partition of its own
//! (`PK = KITCHEN#<kitchen id>#MENU`), so a kitchen's whole menu is one Query and no key reaches
//! another kitchen's dishes. Category names are unique through guard items written in the same
//! transaction; each category's `food_count` moves in the same transactions that add, move and
//! delete dishes, so "delete only when empty" and "a dish's category exists" are conditions, not
//! read-then-write checks. Changes are conditioned on the state they were decided on (the name
//! read, the dish's version): a failed condition comes back as `Stale`, and the service decides
//! again.
//!
//! Every admin change also adds 1 to the menu's version in its transaction. Readers keep a copy
//! of the menu in the process and reuse it while the version is unchanged, reading live only
//! what orders move without an admin edit: the tracked dishes' stock.
//!
//! | item | PK | SK |
//! |---|---|---|
//! | category | `KITCHEN#<k>#MENU` | `CATEGORY#<ulid>` |
//! | dish | `KITCHEN#<k>#MENU` | `FOOD#<ulid>` (`kitchen_id` too) |
//! | menu version (`v`) | `KITCHEN#<k>#MENU` | `VERSION` |
//! | category-name guard | `KITCHEN#<k>#CATEGORYNAME#<lower-cased name>` | `CATEGORYNAME` |
//! | which kitchen a dish is in | `DISH#<ulid>` | `DISH` (`kitchen_id`) |
//!
//! An order names dishes by id alone; the pointer (written and deleted with the dish, never
//! changed: a dish stays in its kitchen) says whose they are, and each process keeps what it
//! has learnt ([`DishKitchens`]).

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, ReturnValuesOnConditionCheckFailure, TransactWriteItem};
use serde::{Deserialize, Serialize};

use super::model::{Category, Food, Menu, StockAdjustment, StockLevel, StockLevels};
use crate::platform::db::{
    Conditional, Db, Item, PK, SK, conditional_update, db_error, from_item, n, s, set_all, to_item, transact,
};
use crate::platform::error::Failure;

const DISH_SK: &str = "DISH";
const CATEGORY_PREFIX: &str = "CATEGORY#";
const FOOD_PREFIX: &str = "FOOD#";
const CATEGORY_NAME_SK: &str = "CATEGORYNAME";
const VERSION_SK: &str = "VERSION";
/// The most dishes one import transaction writes: two items a new dish, one a changed one,
/// plus a count per category and the version, within DynamoDB's 100 items.
pub const IMPORT_BATCH: usize = 30;
/// The version item's counter.
const VERSION: &str = "v";

fn category_sk(id: &str) -> String {
    format!("{CATEGORY_PREFIX}{id}")
}

fn food_sk(id: &str) -> String {
    format!("{FOOD_PREFIX}{id}")
}

/// A kitchen's menu partition.
pub fn menu_pk(kitchen_id: &str) -> String {
    format!("KITCHEN#{kitchen_id}#MENU")
}

fn category_name_pk(kitchen_id: &str, name_key: &str) -> String {
    format!("KITCHEN#{kitchen_id}#CATEGORYNAME#{name_key}")
}

fn dish_pk(id: &str) -> String {
    format!("DISH#{id}")
}

/// The key of a kitchen's dish, for features that read dishes in their own batch (order
/// placement) or move their stock in their own transaction.
pub fn food_key(kitchen_id: &str, id: &str) -> (String, String) {
    (menu_pk(kitchen_id), food_sk(id))
}

#[derive(Debug, Serialize, Deserialize)]
struct DishPointer {
    kitchen_id: String,
}

/// Which kitchen each dish is in, as far as this process has learnt: a dish never changes
/// kitchen, so what is known stays true (a deleted dish's entry names a kitchen whose menu no
/// longer holds it, which its reader finds out).
#[derive(Clone, Debug, Default)]
pub struct DishKitchens(std::sync::Arc<std::sync::RwLock<std::collections::HashMap<String, String>>>);

impl DishKitchens {
    /// The kitchen of each of `ids` that exists: from memory, the rest in one BatchGetItem.
    pub async fn of(&self, db: &Db, ids: &[&str]) -> Result<std::collections::HashMap<String, String>, Failure> {
        let mut found = std::collections::HashMap::new();
        let mut missing = Vec::new();
        if let Ok(known) = self.0.read() {
            for id in ids {
                match known.get(*id) {
                    Some(kitchen) => {
                        found.insert((*id).to_owned(), kitchen.clone());
                    }
                    None => missing.push((dish_pk(id), DISH_SK.to_owned())),
                }
            }
        }
        missing.sort();
        missing.dedup();
        if missing.is_empty() {
            return Ok(found);
        }
        for item in db.batch_get(missing, "BatchGetItem dish kitchens").await? {
            let Some(AttributeValue::S(pk)) = item.get(PK) else {
                continue;
            };
            let id = pk.trim_start_matches("DISH#").to_owned();
            let pointer: DishPointer = from_item(item, "dish pointer")?;
            if let Ok(mut known) = self.0.write() {
                known.insert(id.clone(), pointer.kitchen_id.clone());
            }
            found.insert(id, pointer.kitchen_id);
        }
        Ok(found)
    }

    /// Learns where a dish is (from a menu read or a write).
    pub fn learn(&self, id: &str, kitchen_id: &str) {
        if let Ok(mut known) = self.0.write() {
            known.insert(id.to_owned(), kitchen_id.to_owned());
        }
    }
}

/// Whether a batch-read item is a dish.
pub fn is_food(item: &Item) -> bool {
    crate::platform::db::sk_of(item).starts_with(FOOD_PREFIX)
}

pub fn food_from(item: Item) -> Result<Food, Failure> {
    from_item(item, "food")
}

#[derive(Debug, Serialize, Deserialize)]
struct CategoryNameGuard {
    category_id: String,
}

/// What a create did.
#[derive(Debug, PartialEq, Eq)]
pub enum Created {
    Done,
    /// Category: the name is taken. Dish: the category does not exist.
    Refused,
}

/// What a change decided on an item as read did.
#[derive(Debug, PartialEq, Eq)]
pub enum Changed {
    Done,
    /// The item moved (or went) since it was read: decide again.
    Stale,
    /// Category: the new name is taken. Dish: the new category does not exist.
    Refused,
}

/// What a stock adjustment did.
#[derive(Debug, PartialEq, Eq)]
pub enum Adjusted {
    /// The dish as written.
    Done(Food),
    /// Not tracked or not enough: the dish as it was (`None`: no such dish).
    Refused(Option<Food>),
}

/// What a reader checks its copy of the menu against: the version, and the tracked dishes'
/// stock.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct MenuState {
    pub version: u64,
    pub levels: StockLevels,
}

fn version_of(item: &Item) -> Result<u64, Failure> {
    match item.get(VERSION) {
        None => Ok(0),
        Some(AttributeValue::N(v)) => v
            .parse()
            .map_err(|_| Failure::bug(format!("menu version is not a count: {v}"))),
        Some(other) => Err(Failure::bug(format!("menu version is not a number: {other:?}"))),
    }
}

/// A dish's stock level from an item projected to `id`, `stock` and `updated_at`; `None` when
/// its stock is not tracked.
fn level_of(item: &Item) -> Result<Option<(String, StockLevel)>, Failure> {
    let Some(AttributeValue::N(stock)) = item.get("stock") else {
        return Ok(None);
    };
    let text = |name: &str| match item.get(name) {
        Some(AttributeValue::S(v)) => Ok(v.clone()),
        _ => Err(Failure::bug(format!("tracked dish without {name}"))),
    };
    let stock = stock
        .parse()
        .map_err(|_| Failure::bug(format!("dish stock is not a count: {stock}")))?;
    Ok(Some((
        text("id")?,
        StockLevel {
            stock,
            updated_at: text("updated_at")?,
        },
    )))
}

/// One kitchen's menu: every key this store builds names the kitchen.
#[derive(Clone, Debug)]
pub struct MenuStore {
    db: Db,
    kitchen_id: String,
    menu_pk: String,
}

impl MenuStore {
    pub fn of(db: Db, kitchen_id: &str) -> Self {
        Self {
            db,
            kitchen_id: kitchen_id.to_owned(),
            menu_pk: menu_pk(kitchen_id),
        }
    }

    pub fn kitchen_id(&self) -> &str {
        &self.kitchen_id
    }

    fn category_item(&self, category: &Category) -> Result<Item, Failure> {
        to_item(
            category,
            [(PK, self.menu_pk.clone()), (SK, category_sk(&category.id))],
            "category",
        )
    }

    fn food_item(&self, food: &Food) -> Result<Item, Failure> {
        let mut item = to_item(food, [(PK, self.menu_pk.clone()), (SK, food_sk(&food.id))], "food")?;
        item.insert("kitchen_id".to_owned(), s(&self.kitchen_id));
        Ok(item)
    }

    fn dish_pointer(&self, food_id: &str) -> Result<Item, Failure> {
        to_item(
            &DishPointer {
                kitchen_id: self.kitchen_id.clone(),
            },
            [(PK, dish_pk(food_id)), (SK, DISH_SK.to_owned())],
            "dish pointer",
        )
    }

    /// The whole menu in one Query (following `LastEvaluatedKey` past 1 MB pages), strongly
    /// consistent: it holds at least every change up to a version read before it.
    pub async fn menu(&self) -> Result<Menu, Failure> {
        let mut menu = Menu::default();
        let items = self
            .db
            .query_partition(&self.menu_pk, |q| q.consistent_read(true), "Query menu")
            .await?;
        for item in items {
            let sk = crate::platform::db::sk_of(&item);
            if sk.starts_with(CATEGORY_PREFIX) {
                menu.categories.push(from_item(item, "category")?);
            } else if sk.starts_with(FOOD_PREFIX) {
                menu.foods.push(from_item(item, "food")?);
            }
        }
        Ok(menu)
    }

    /// The menu's version and the tracked dishes' stock, in one Query of the menu partition
    /// filtered to those items and projected to those attributes: the read units of the whole
    /// partition, but only a handful of small items to decode.
    pub async fn state(&self) -> Result<MenuState, Failure> {
        let items = self
            .db
            .query_partition(
                &self.menu_pk,
                |q| {
                    q.filter_expression("attribute_type(stock, :number) OR attribute_exists(#v)")
                        .projection_expression("id, stock, updated_at, #v")
                        .expression_attribute_names("#v", VERSION)
                        .expression_attribute_values(":number", s("N"))
                },
                "Query menu state",
            )
            .await?;
        let mut state = MenuState::default();
        for item in items {
            if item.contains_key(VERSION) {
                state.version = version_of(&item)?;
            } else if let Some((id, level)) = level_of(&item)? {
                state.levels.insert(id, level);
            }
        }
        Ok(state)
    }

    /// The menu's version alone: one GetItem of one small item.
    pub async fn version(&self) -> Result<u64, Failure> {
        let out = self
            .db
            .client()
            .get_item()
            .table_name(self.db.table())
            .key(PK, s(&self.menu_pk))
            .key(SK, s(VERSION_SK))
            .projection_expression("#v")
            .expression_attribute_names("#v", VERSION)
            .send()
            .await
            .map_err(|e| db_error("GetItem menu version", e))?;
        out.item.as_ref().map_or(Ok(0), version_of)
    }

    /// The menu's version and one dish's stock level (`None`: not tracked, or no such dish), in
    /// one BatchGetItem projected to those attributes.
    pub async fn version_and_level(&self, id: &str) -> Result<(u64, Option<StockLevel>), Failure> {
        let keys = vec![
            (self.menu_pk.clone(), VERSION_SK.to_owned()),
            (self.menu_pk.clone(), food_sk(id)),
        ];
        let items = self
            .db
            .batch_get_projected(
                keys,
                "id, stock, updated_at, #v",
                &[("#v", VERSION)],
                "BatchGetItem menu version and dish stock",
            )
            .await?;
        let (mut version, mut level) = (0, None);
        for item in &items {
            if item.contains_key(VERSION) {
                version = version_of(item)?;
            } else if let Some((_, found)) = level_of(item)? {
                level = Some(found);
            }
        }
        Ok((version, level))
    }

    /// `ADD v 1` on the menu's version, in the transaction of every admin change.
    fn new_version(&self) -> Result<TransactWriteItem, Failure> {
        self.db.update_action(&self.menu_pk, VERSION_SK, |a| {
            a.update_expression("ADD #v :one")
                .expression_attribute_names("#v", VERSION)
                .expression_attribute_values(":one", n(1))
        })
    }

    pub async fn category(&self, id: &str) -> Result<Option<Category>, Failure> {
        self.db
            .get_item(self.menu_pk.clone(), &category_sk(id), "category")
            .await
    }

    /// A dish and a category, as they are now, in one BatchGetItem.
    pub async fn food_and_category(
        &self,
        id: &str,
        category_id: &str,
    ) -> Result<(Option<Food>, Option<Category>), Failure> {
        let wanted = vec![
            (self.menu_pk.clone(), food_sk(id)),
            (self.menu_pk.clone(), category_sk(category_id)),
        ];
        let (mut food, mut category) = (None, None);
        for item in self.db.batch_get(wanted, "BatchGetItem food and category").await? {
            if is_food(&item) {
                food = Some(food_from(item)?);
            } else {
                category = Some(from_item(item, "category")?);
            }
        }
        Ok((food, category))
    }

    pub async fn food(&self, id: &str) -> Result<Option<Food>, Failure> {
        self.db.get_item(self.menu_pk.clone(), &food_sk(id), "food").await
    }

    fn name_guard(&self, name_key: &str, category_id: &str) -> Result<TransactWriteItem, Failure> {
        let guard = to_item(
            &CategoryNameGuard {
                category_id: category_id.into(),
            },
            [
                (PK, category_name_pk(&self.kitchen_id, name_key)),
                (SK, CATEGORY_NAME_SK.to_owned()),
            ],
            "category name guard",
        )?;
        self.db
            .put_action(guard, |p| p.condition_expression("attribute_not_exists(PK)"))
    }

    /// Removes the guard of a category name (in the transaction that renames or deletes it).
    fn drop_name_guard(&self, name_key: &str) -> Result<TransactWriteItem, Failure> {
        self.db
            .delete_action(category_name_pk(&self.kitchen_id, name_key), CATEGORY_NAME_SK, |a| a)
    }

    /// `ADD food_count :delta` on a category that must exist.
    fn count_change(&self, category_id: &str, delta: i64) -> Result<TransactWriteItem, Failure> {
        self.db.update_action(&self.menu_pk, category_sk(category_id), |a| {
            a.update_expression("ADD food_count :d")
                .condition_expression("attribute_exists(PK)")
                .expression_attribute_values(":d", n(delta))
        })
    }

    /// Creates a category and its name guard atomically; `Refused` when the name is taken.
    pub async fn create_category(&self, category: &Category) -> Result<Created, Failure> {
        let mut items = vec![
            self.db.put_action(self.category_item(category)?, |p| {
                p.condition_expression("attribute_not_exists(PK)")
            })?,
            self.name_guard(&category.name_key, &category.id)?,
        ];
        items.push(self.new_version()?);
        Ok(match transact(&self.db, "create category", items).await? {
            None => Created::Done,
            Some(c) if c.condition_failed(1) => Created::Refused,
            Some(c) => return Err(Failure::bug(format!("create category cancelled: {:?}", c.0))),
        })
    }

    /// Writes `next` over `current` as read: conditioned on the name read, so of two concurrent
    /// renames one wins and the other is decided again. A rename swaps the name guards in the
    /// same transaction. `SET`, not Put: `food_count` moves independently.
    pub async fn change_category(&self, current: &Category, next: &Category) -> Result<Changed, Failure> {
        let description = match &next.description {
            Some(d) => s(d),
            None => AttributeValue::Null(true),
        };
        let mut items = vec![self.db.update_action(&self.menu_pk, category_sk(&current.id), |a| {
            a.update_expression(
                "SET #name = :name, name_key = :key, description = :desc, #position = :position, updated_at = :now",
            )
            .condition_expression("attribute_exists(PK) AND name_key = :old")
            .expression_attribute_names("#name", "name")
            .expression_attribute_names("#position", "position")
            .expression_attribute_values(":name", s(&next.name))
            .expression_attribute_values(":position", n(next.position))
            .expression_attribute_values(":key", s(&next.name_key))
            .expression_attribute_values(":desc", description)
            .expression_attribute_values(":now", s(&next.updated_at))
            .expression_attribute_values(":old", s(&current.name_key))
        })?];
        let renamed = next.name_key != current.name_key;
        if renamed {
            items.push(self.name_guard(&next.name_key, &current.id)?);
            items.push(self.drop_name_guard(&current.name_key)?);
        }
        items.push(self.new_version()?);
        Ok(match transact(&self.db, "update category", items).await? {
            None => Changed::Done,
            Some(c) if c.condition_failed(0) => Changed::Stale,
            Some(c) if renamed && c.condition_failed(1) => Changed::Refused,
            Some(c) => return Err(Failure::bug(format!("update category cancelled: {:?}", c.0))),
        })
    }

    /// Deletes a category read as empty, with its name guard, only while it is still empty.
    pub async fn delete_empty_category(&self, current: &Category) -> Result<Changed, Failure> {
        let mut items = vec![
            self.db.delete_action(&self.menu_pk, category_sk(&current.id), |a| {
                a.condition_expression("attribute_exists(PK) AND food_count = :zero")
                    .expression_attribute_values(":zero", n(0))
            })?,
            self.drop_name_guard(&current.name_key)?,
        ];
        items.push(self.new_version()?);
        Ok(match transact(&self.db, "delete category", items).await? {
            None => Changed::Done,
            // A dish arrived or it was deleted meanwhile: decide again on fresh data.
            Some(_) => Changed::Stale,
        })
    }

    /// Creates a dish; its category must exist (checked in the same transaction, which also
    /// counts the dish into the category): `Refused` otherwise.
    pub async fn create_food(&self, food: &Food) -> Result<Created, Failure> {
        let mut items = vec![
            self.db.put_action(self.food_item(food)?, |p| {
                p.condition_expression("attribute_not_exists(PK)")
            })?,
            self.count_change(&food.category_id, 1)?,
            self.db.put_action(self.dish_pointer(&food.id)?, |p| p)?,
        ];
        items.push(self.new_version()?);
        Ok(match transact(&self.db, "create food", items).await? {
            None => Created::Done,
            Some(c) if c.condition_failed(1) => Created::Refused,
            Some(c) => return Err(Failure::bug(format!("create food cancelled: {:?}", c.0))),
        })
    }

    /// Writes `next` over `current` as read, conditioned on the version read, so concurrent
    /// patches never lose an update or a category move's count. Moving it to another category
    /// moves its count in the same transaction (the new category must exist: `Refused`). The
    /// stock is written only when the admin set it (`sets_stock`): otherwise the orders and
    /// restocks moving it meanwhile would be undone.
    pub async fn change_food(&self, current: &Food, next: &Food, sets_stock: bool) -> Result<Changed, Failure> {
        let mut items = vec![self.food_update(current, next, sets_stock)?];
        if next.category_id != current.category_id {
            items.push(self.count_change(&next.category_id, 1)?);
            items.push(self.count_change(&current.category_id, -1)?);
        } else {
            items.push(
                self.db
                    .check_action(&self.menu_pk, category_sk(&next.category_id), |a| {
                        a.condition_expression("attribute_exists(PK)")
                    })?,
            );
        }
        items.push(self.new_version()?);
        Ok(match transact(&self.db, "update food", items).await? {
            None => Changed::Done,
            Some(c) if c.condition_failed(0) => Changed::Stale,
            Some(c) if c.condition_failed(1) => Changed::Refused,
            Some(c) => return Err(Failure::bug(format!("update food cancelled: {:?}", c.0))),
        })
    }

    /// `SET` of every field of `next` but its id and creation (and its stock unless
    /// `sets_stock`), on the dish as read (`version`).
    fn food_update(&self, current: &Food, next: &Food, sets_stock: bool) -> Result<TransactWriteItem, Failure> {
        let mut fields = to_item(next, [], "food")?;
        for key in ["id", "created_at"] {
            fields.remove(key);
        }
        if !sets_stock {
            fields.remove("stock");
        }
        let set = set_all(&fields);
        self.db.update_action(&self.menu_pk, food_sk(&current.id), |mut a| {
            for (placeholder, name) in &set.names {
                a = a.expression_attribute_names(placeholder, name);
            }
            for (placeholder, value) in &set.values {
                a = a.expression_attribute_values(placeholder, value.clone());
            }
            a.update_expression(&set.clause)
                .condition_expression(
                    "attribute_exists(PK) AND (#f_version = :seen OR attribute_not_exists(#f_version))",
                )
                .expression_attribute_names("#f_version", "version")
                .expression_attribute_values(":seen", n(current.version))
        })
    }

    /// Writes part of an import in one transaction: new dishes (with their pointers), changed
    /// dishes (each on its version as read), each category's count moved once by the sum of its
    /// dishes' moves (or checked to exist), and the menu's version. At most [`IMPORT_BATCH`]
    /// dishes; `Stale` when a dish or category moved since it was read (nothing is written).
    pub async fn import_batch(&self, creates: &[&Food], updates: &[(&Food, &Food, bool)]) -> Result<Changed, Failure> {
        let mut counts: std::collections::BTreeMap<&str, i64> = std::collections::BTreeMap::new();
        let mut items = Vec::new();
        for food in creates {
            items.push(self.db.put_action(self.food_item(food)?, |p| {
                p.condition_expression("attribute_not_exists(PK)")
            })?);
            items.push(self.db.put_action(self.dish_pointer(&food.id)?, |p| p)?);
            *counts.entry(&food.category_id).or_default() += 1;
        }
        for (current, next, sets_stock) in updates {
            items.push(self.food_update(current, next, *sets_stock)?);
            if next.category_id != current.category_id {
                *counts.entry(&next.category_id).or_default() += 1;
                *counts.entry(&current.category_id).or_default() -= 1;
            } else {
                counts.entry(&next.category_id).or_default();
            }
        }
        for (category_id, delta) in counts {
            items.push(if delta == 0 {
                self.db.check_action(&self.menu_pk, category_sk(category_id), |a| {
                    a.condition_expression("attribute_exists(PK)")
                })?
            } else {
                self.count_change(category_id, delta)?
            });
        }
        items.push(self.new_version()?);
        Ok(match transact(&self.db, "import menu", items).await? {
            None => Changed::Done,
            Some(_) => Changed::Stale,
        })
    }

    /// `ADD stock :add` in one write, on a dish whose stock is tracked and (when taking away)
    /// holds at least what is taken: the dish as written, or as it was when refused (`None`:
    /// there is no such dish).
    pub async fn adjust_stock(&self, id: &str, adjustment: StockAdjustment, now: &str) -> Result<Adjusted, Failure> {
        let req = self
            .db
            .update_item(self.menu_pk.clone(), &food_sk(id))
            .update_expression("ADD stock :add SET updated_at = :now")
            .condition_expression("attribute_type(stock, :number) AND stock >= :least")
            .expression_attribute_values(":add", n(adjustment.add))
            .expression_attribute_values(":now", s(now))
            .expression_attribute_values(":number", s("N"))
            .expression_attribute_values(":least", n(adjustment.needs_at_least()))
            .return_values(ReturnValue::AllNew)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        Ok(
            match conditional_update::<Food>(req, "food", "UpdateItem food stock").await? {
                Conditional::Applied(Some(food)) => Adjusted::Done(food),
                Conditional::Applied(None) => return Err(Failure::bug("stock adjustment returned nothing")),
                Conditional::Failed(food) => Adjusted::Refused(food),
            },
        )
    }

    /// Deletes a dish as read and counts it out of its category; `Stale` if it moved or went.
    pub async fn delete_food(&self, current: &Food) -> Result<Changed, Failure> {
        let mut items = vec![
            self.db.delete_action(&self.menu_pk, food_sk(&current.id), |a| {
                a.condition_expression("category_id = :c")
                    .expression_attribute_values(":c", s(&current.category_id))
            })?,
            self.count_change(&current.category_id, -1)?,
            self.db.delete_action(dish_pk(&current.id), DISH_SK, |d| d)?,
        ];
        items.push(self.new_version()?);
        Ok(match transact(&self.db, "delete food", items).await? {
            None => Changed::Done,
            Some(_) => Changed::Stale,
        })
    }
}
