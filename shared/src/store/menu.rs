//! The menu: categories and dishes in one partition (`PK = MENU`), so the whole menu is one
//! Query. Category names are unique through guard items written in the same transaction;
//! each category keeps a `food_count` maintained in the same transactions that add, move and
//! delete dishes, so "delete only when empty" and "a dish's category exists" are conditions,
//! not read-then-write checks.

use aws_sdk_dynamodb::types::{ConditionCheck, Delete, Put, TransactWriteItem, Update};
use serde::{Deserialize, Serialize};

use super::keys::{self, CATEGORY_NAME_SK, MENU_PK};
use super::{Item, Store, build_error, db_error, mapping_error, n, s, transact};
use crate::domain::menu::{CURRENCY, CategoryChange, FoodChange, Money, Name};
use crate::platform::error::ApiError;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CategoryItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub id: String,
    pub name: String,
    /// Lower-cased name: what uniqueness is decided on.
    pub name_key: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Dishes in this category (available or not).
    pub food_count: i64,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FoodItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Kobo.
    pub price: i64,
    pub currency: String,
    pub category_id: String,
    #[serde(default)]
    pub image_url: Option<String>,
    pub is_available: bool,
    pub created_at: String,
    pub updated_at: String,
    /// Optimistic-locking version, bumped by every write.
    #[serde(default)]
    pub version: u64,
}

impl CategoryItem {
    pub fn new(name: &Name, description: Option<String>, now: String) -> Self {
        let id = ulid::Ulid::new().to_string();
        Self {
            pk: MENU_PK.into(),
            sk: keys::category_sk(&id),
            id,
            name: name.as_str().to_owned(),
            name_key: name.unique_key(),
            description,
            food_count: 0,
            created_at: now.clone(),
            updated_at: now,
        }
    }
}

impl FoodItem {
    pub fn new(name: &Name, price: Money, category_id: String, now: String) -> Self {
        let id = ulid::Ulid::new().to_string();
        Self {
            pk: MENU_PK.into(),
            sk: keys::food_sk(&id),
            id,
            name: name.as_str().to_owned(),
            description: None,
            price: price.kobo(),
            currency: CURRENCY.into(),
            category_id,
            image_url: None,
            is_available: true,
            created_at: now.clone(),
            updated_at: now,
            version: 0,
        }
    }
}

/// Retries of an optimistic write that found the item changed since it was read.
const OPTIMISTIC_ATTEMPTS: usize = 5;

fn contended(what: &str) -> ApiError {
    ApiError::Unavailable(anyhow::anyhow!(
        "{what}: the item kept changing under {OPTIMISTIC_ATTEMPTS} attempts"
    ))
}

#[derive(Debug, Serialize, Deserialize)]
struct CategoryNameGuard {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    category_id: String,
}

/// The whole menu, as stored.
#[derive(Debug, Default, Clone)]
pub struct Menu {
    pub categories: Vec<CategoryItem>,
    pub foods: Vec<FoodItem>,
}

impl Menu {
    pub fn category(&self, id: &str) -> Option<&CategoryItem> {
        self.categories.iter().find(|c| c.id == id)
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum CategoryWrite {
    Done(CategoryItem),
    NameTaken,
    NotFound,
}

#[derive(Debug, PartialEq, Eq)]
pub enum CategoryDelete {
    Deleted,
    NotFound,
    NotEmpty(i64),
}

#[derive(Debug, PartialEq, Eq)]
#[allow(
    clippy::large_enum_variant,
    reason = "returned once per write: a box would only add an allocation"
)]
pub enum FoodWrite {
    Done(FoodItem),
    NotFound,
    CategoryNotFound,
}

fn put_item(table: &str, item: Item, condition: Option<&str>) -> Result<TransactWriteItem, ApiError> {
    let mut put = Put::builder().table_name(table).set_item(Some(item));
    if let Some(c) = condition {
        put = put.condition_expression(c);
    }
    Ok(TransactWriteItem::builder()
        .put(put.build().map_err(build_error)?)
        .build())
}

fn name_guard(table: &str, name_key: &str, category_id: &str) -> Result<TransactWriteItem, ApiError> {
    let guard = CategoryNameGuard {
        pk: keys::category_name_pk(name_key),
        sk: CATEGORY_NAME_SK.into(),
        category_id: category_id.into(),
    };
    put_item(
        table,
        serde_dynamo::to_item(guard).map_err(|e| mapping_error("category name guard", e))?,
        Some("attribute_not_exists(PK)"),
    )
}

/// Removes the guard of a category name (in the transaction that renames or deletes it).
fn drop_name_guard(table: &str, name_key: &str) -> Result<TransactWriteItem, ApiError> {
    Ok(TransactWriteItem::builder()
        .delete(
            Delete::builder()
                .table_name(table)
                .key(keys::PK, s(keys::category_name_pk(name_key)))
                .key(keys::SK, s(CATEGORY_NAME_SK))
                .build()
                .map_err(build_error)?,
        )
        .build())
}

/// `ADD food_count :delta` on a category that must exist.
fn count_change(table: &str, category_id: &str, delta: i64) -> Result<TransactWriteItem, ApiError> {
    Ok(TransactWriteItem::builder()
        .update(
            Update::builder()
                .table_name(table)
                .key(keys::PK, s(MENU_PK))
                .key(keys::SK, s(keys::category_sk(category_id)))
                .update_expression("ADD food_count :d")
                .condition_expression("attribute_exists(PK)")
                .expression_attribute_values(":d", n(delta))
                .build()
                .map_err(build_error)?,
        )
        .build())
}

impl Store {
    /// The whole menu in one Query (following `LastEvaluatedKey` past 1 MB pages).
    pub async fn menu(&self) -> Result<Menu, ApiError> {
        self.query_menu(MenuPart::Everything).await
    }

    /// The categories only: the key condition reads the `CATEGORY#` items and no dish.
    pub async fn categories(&self) -> Result<Menu, ApiError> {
        self.query_menu(MenuPart::Categories).await
    }

    /// One dish and every category (so the dish carries its category name), in one Query: the
    /// partition is read (and paid for) as for the whole menu, but a filter drops the other
    /// dishes before they are sent, so the function decodes a handful of items, not the menu.
    pub async fn food_with_categories(&self, id: &str) -> Result<Menu, ApiError> {
        self.query_menu(MenuPart::FoodAndCategories(id.to_owned())).await
    }

    async fn query_menu(&self, part: MenuPart) -> Result<Menu, ApiError> {
        let mut menu = Menu::default();
        let mut start: Option<Item> = None;
        loop {
            let mut query = self
                .client()
                .query()
                .table_name(self.table())
                .expression_attribute_values(":pk", s(MENU_PK))
                .set_exclusive_start_key(start.take());
            query = match &part {
                MenuPart::Everything => query.key_condition_expression("PK = :pk"),
                MenuPart::Categories => query
                    .key_condition_expression("PK = :pk AND begins_with(SK, :category)")
                    .expression_attribute_values(":category", s(CATEGORY_PREFIX)),
                // A filter cannot name key attributes: the dish by its `id`, the categories
                // by the attribute only they carry.
                MenuPart::FoodAndCategories(id) => query
                    .key_condition_expression("PK = :pk")
                    .filter_expression("id = :id OR attribute_exists(food_count)")
                    .expression_attribute_values(":id", s(id.as_str())),
            };
            let out = query.send().await.map_err(|e| db_error("Query menu", e))?;
            for item in out.items.unwrap_or_default() {
                let sk = item
                    .get(keys::SK)
                    .and_then(|v| v.as_s().ok())
                    .cloned()
                    .unwrap_or_default();
                if sk.starts_with(CATEGORY_PREFIX) {
                    menu.categories
                        .push(serde_dynamo::from_item(item).map_err(|e| mapping_error("category", e))?);
                } else if sk.starts_with(FOOD_PREFIX) {
                    menu.foods
                        .push(serde_dynamo::from_item(item).map_err(|e| mapping_error("food", e))?);
                }
            }
            match out.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => break,
            }
        }
        Ok(menu)
    }

    async fn get_menu_item<T: serde::de::DeserializeOwned>(
        &self,
        sk: String,
        what: &'static str,
    ) -> Result<Option<T>, ApiError> {
        self.get_item(MENU_PK.to_owned(), &sk, what).await.map_err(Into::into)
    }

    pub async fn category(&self, id: &str) -> Result<Option<CategoryItem>, ApiError> {
        self.get_menu_item(keys::category_sk(id), "category").await
    }

    pub async fn food(&self, id: &str) -> Result<Option<FoodItem>, ApiError> {
        self.get_menu_item(keys::food_sk(id), "food").await
    }

    /// Creates a category and its name guard atomically.
    pub async fn create_category(&self, category: &CategoryItem) -> Result<CategoryWrite, ApiError> {
        let items = vec![
            put_item(
                self.table(),
                serde_dynamo::to_item(category).map_err(|e| mapping_error("category", e))?,
                Some("attribute_not_exists(PK)"),
            )?,
            name_guard(self.table(), &category.name_key, &category.id)?,
        ];
        Ok(match transact(self, "create category", items).await? {
            None => CategoryWrite::Done(category.clone()),
            Some(c) if c.condition_failed(1) => CategoryWrite::NameTaken,
            Some(c) => {
                return Err(ApiError::internal(anyhow::anyhow!(
                    "create category cancelled: {:?}",
                    c.0
                )));
            }
        })
    }

    /// Renames and/or re-describes a category. A rename swaps the name guards in the same
    /// transaction as the update, conditioned on the name that was read, so of two concurrent
    /// renames one wins and the other is decided again on fresh data.
    pub async fn update_category(
        &self,
        id: &str,
        change: &CategoryChange,
        now: &str,
    ) -> Result<CategoryWrite, ApiError> {
        for _ in 0..OPTIMISTIC_ATTEMPTS {
            let Some(current) = self.category(id).await? else {
                return Ok(CategoryWrite::NotFound);
            };
            let mut next = current.clone();
            if let Some(name) = &change.name {
                next.name = name.as_str().to_owned();
                next.name_key = name.unique_key();
            }
            if let Some(description) = &change.description {
                next.description = description.clone();
            }
            next.updated_at = now.to_owned();
            let description = match &next.description {
                Some(d) => s(d),
                None => aws_sdk_dynamodb::types::AttributeValue::Null(true),
            };
            // SET, not Put: `food_count` moves independently and must not be overwritten.
            let mut items = vec![
                TransactWriteItem::builder()
                    .update(
                        Update::builder()
                            .table_name(self.table())
                            .key(keys::PK, s(MENU_PK))
                            .key(keys::SK, s(keys::category_sk(id)))
                            .update_expression(
                                "SET #name = :name, name_key = :key, description = :desc, updated_at = :now",
                            )
                            .condition_expression("attribute_exists(PK) AND name_key = :old")
                            .expression_attribute_names("#name", "name")
                            .expression_attribute_values(":name", s(&next.name))
                            .expression_attribute_values(":key", s(&next.name_key))
                            .expression_attribute_values(":desc", description)
                            .expression_attribute_values(":now", s(now))
                            .expression_attribute_values(":old", s(&current.name_key))
                            .build()
                            .map_err(build_error)?,
                    )
                    .build(),
            ];
            let renamed = next.name_key != current.name_key;
            if renamed {
                items.push(name_guard(self.table(), &next.name_key, id)?);
                items.push(drop_name_guard(self.table(), &current.name_key)?);
            }
            match transact(self, "update category", items).await? {
                None => return Ok(CategoryWrite::Done(next)),
                Some(c) if c.condition_failed(0) => continue,
                Some(c) if renamed && c.condition_failed(1) => return Ok(CategoryWrite::NameTaken),
                Some(c) => {
                    return Err(ApiError::internal(anyhow::anyhow!(
                        "update category cancelled: {:?}",
                        c.0
                    )));
                }
            }
        }
        Err(contended("update category"))
    }

    /// Deletes a category and its name guard, only while it holds no dishes.
    pub async fn delete_category(&self, id: &str) -> Result<CategoryDelete, ApiError> {
        for _ in 0..OPTIMISTIC_ATTEMPTS {
            let Some(current) = self.category(id).await? else {
                return Ok(CategoryDelete::NotFound);
            };
            if current.food_count > 0 {
                return Ok(CategoryDelete::NotEmpty(current.food_count));
            }
            let items = vec![
                TransactWriteItem::builder()
                    .delete(
                        Delete::builder()
                            .table_name(self.table())
                            .key(keys::PK, s(MENU_PK))
                            .key(keys::SK, s(keys::category_sk(id)))
                            .condition_expression("attribute_exists(PK) AND food_count = :zero")
                            .expression_attribute_values(":zero", n(0))
                            .build()
                            .map_err(build_error)?,
                    )
                    .build(),
                drop_name_guard(self.table(), &current.name_key)?,
            ];
            match transact(self, "delete category", items).await? {
                None => return Ok(CategoryDelete::Deleted),
                // A dish arrived or it was deleted meanwhile: decide again on fresh data.
                Some(_) => continue,
            }
        }
        Err(contended("delete category"))
    }

    /// Creates a dish; its category must exist (checked in the same transaction, which also
    /// counts the dish into the category).
    pub async fn create_food(&self, food: &FoodItem) -> Result<FoodWrite, ApiError> {
        let items = vec![
            put_item(
                self.table(),
                serde_dynamo::to_item(food).map_err(|e| mapping_error("food", e))?,
                Some("attribute_not_exists(PK)"),
            )?,
            count_change(self.table(), &food.category_id, 1)?,
        ];
        Ok(match transact(self, "create food", items).await? {
            None => FoodWrite::Done(food.clone()),
            Some(c) if c.condition_failed(1) => FoodWrite::CategoryNotFound,
            Some(c) => return Err(ApiError::internal(anyhow::anyhow!("create food cancelled: {:?}", c.0))),
        })
    }

    /// Applies a change to a dish. Moving it to another category moves its count in the same
    /// transaction (the new category must exist).
    pub async fn update_food(&self, id: &str, change: &FoodChange, now: &str) -> Result<FoodWrite, ApiError> {
        for _ in 0..OPTIMISTIC_ATTEMPTS {
            let Some(current) = self.food(id).await? else {
                return Ok(FoodWrite::NotFound);
            };
            let mut next = current.clone();
            if let Some(name) = &change.name {
                next.name = name.as_str().to_owned();
            }
            if let Some(description) = &change.description {
                next.description = description.clone();
            }
            if let Some(price) = change.price {
                next.price = price.kobo();
            }
            if let Some(category_id) = &change.category_id {
                next.category_id = category_id.clone();
            }
            if let Some(image_url) = &change.image_url {
                next.image_url = image_url.clone();
            }
            if let Some(is_available) = change.is_available {
                next.is_available = is_available;
            }
            next.updated_at = now.to_owned();
            next.version = current.version + 1;

            // Conditioned on the version read, so concurrent patches never lose an update or a
            // category move's count.
            let mut items = vec![
                TransactWriteItem::builder()
                    .put(
                        Put::builder()
                            .table_name(self.table())
                            .set_item(Some(
                                serde_dynamo::to_item(&next).map_err(|e| mapping_error("food", e))?,
                            ))
                            .condition_expression(
                                "attribute_exists(PK) AND (version = :seen OR attribute_not_exists(version))",
                            )
                            .expression_attribute_values(":seen", n(current.version))
                            .build()
                            .map_err(build_error)?,
                    )
                    .build(),
            ];
            let moved = next.category_id != current.category_id;
            if moved {
                items.push(count_change(self.table(), &next.category_id, 1)?);
                items.push(count_change(self.table(), &current.category_id, -1)?);
            } else {
                items.push(
                    TransactWriteItem::builder()
                        .condition_check(
                            ConditionCheck::builder()
                                .table_name(self.table())
                                .key(keys::PK, s(MENU_PK))
                                .key(keys::SK, s(keys::category_sk(&next.category_id)))
                                .condition_expression("attribute_exists(PK)")
                                .build()
                                .map_err(build_error)?,
                        )
                        .build(),
                );
            }
            match transact(self, "update food", items).await? {
                None => return Ok(FoodWrite::Done(next)),
                Some(c) if c.condition_failed(0) => continue,
                Some(c) if c.condition_failed(1) => return Ok(FoodWrite::CategoryNotFound),
                Some(c) => return Err(ApiError::internal(anyhow::anyhow!("update food cancelled: {:?}", c.0))),
            }
        }
        Err(contended("update food"))
    }

    /// Deletes a dish and counts it out of its category. False if it does not exist.
    pub async fn delete_food(&self, id: &str) -> Result<bool, ApiError> {
        for _ in 0..OPTIMISTIC_ATTEMPTS {
            let Some(current) = self.food(id).await? else {
                return Ok(false);
            };
            let items = vec![
                TransactWriteItem::builder()
                    .delete(
                        Delete::builder()
                            .table_name(self.table())
                            .key(keys::PK, s(MENU_PK))
                            .key(keys::SK, s(keys::food_sk(id)))
                            .condition_expression("category_id = :c")
                            .expression_attribute_values(":c", s(&current.category_id))
                            .build()
                            .map_err(build_error)?,
                    )
                    .build(),
                count_change(self.table(), &current.category_id, -1)?,
            ];
            match transact(self, "delete food", items).await? {
                None => return Ok(true),
                // Moved or deleted meanwhile: decide again.
                Some(_) => continue,
            }
        }
        Err(contended("delete food"))
    }
}

/// A category as the API shows it; `food_count` only to admins.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CategoryView {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub food_count: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
}

/// A dish as the API shows it, with its category's name riding along.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FoodView {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub price: i64,
    pub currency: String,
    pub category_id: String,
    pub category_name: Option<String>,
    pub image_url: Option<String>,
    pub is_available: bool,
    pub created_at: String,
    pub updated_at: String,
}

impl CategoryItem {
    pub fn view(&self, with_count: bool) -> CategoryView {
        CategoryView {
            id: self.id.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            food_count: with_count.then_some(self.food_count),
            created_at: self.created_at.clone(),
            updated_at: self.updated_at.clone(),
        }
    }
}

impl FoodItem {
    pub fn view(&self, category_name: Option<&str>) -> FoodView {
        FoodView {
            id: self.id.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            price: self.price,
            currency: self.currency.clone(),
            category_id: self.category_id.clone(),
            category_name: category_name.map(str::to_owned),
            image_url: self.image_url.clone(),
            is_available: self.is_available,
            created_at: self.created_at.clone(),
            updated_at: self.updated_at.clone(),
        }
    }
}

const CATEGORY_PREFIX: &str = "CATEGORY#";
const FOOD_PREFIX: &str = "FOOD#";

/// Which items of the menu partition a read needs.
enum MenuPart {
    Everything,
    Categories,
    /// The dish with this id, and every category.
    FoodAndCategories(String),
}

/// Which dishes a menu listing shows.
#[derive(Debug, Default, Clone)]
pub struct FoodFilter {
    pub include_unavailable: bool,
    pub category_id: Option<String>,
    /// Case-insensitive substring of the name.
    pub name_contains: Option<String>,
}

impl Menu {
    /// Dishes with their category names, grouped by category name then by dish name.
    pub fn food_views(&self, filter: &FoodFilter) -> Vec<FoodView> {
        let needle = filter
            .name_contains
            .as_ref()
            .map(|q| q.trim().to_lowercase())
            .filter(|q| !q.is_empty());
        let category = filter.category_id.as_ref().map(|c| c.trim().to_ascii_uppercase());
        let mut views: Vec<FoodView> = self
            .foods
            .iter()
            .filter(|f| filter.include_unavailable || f.is_available)
            .filter(|f| category.as_ref().is_none_or(|c| &f.category_id == c))
            .filter(|f| {
                needle
                    .as_ref()
                    .is_none_or(|q| f.name.to_lowercase().contains(q.as_str()))
            })
            .map(|f| f.view(self.category(&f.category_id).map(|c| c.name.as_str())))
            .collect();
        views.sort_by(|a, b| {
            (a.category_name.as_deref().map(str::to_lowercase), a.name.to_lowercase())
                .cmp(&(b.category_name.as_deref().map(str::to_lowercase), b.name.to_lowercase()))
        });
        views
    }

    pub fn category_views(&self, with_count: bool) -> Vec<CategoryView> {
        let mut views: Vec<CategoryView> = self.categories.iter().map(|c| c.view(with_count)).collect();
        views.sort_by_key(|c| c.name.to_lowercase());
        views
    }
}
