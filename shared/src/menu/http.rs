//! The menu at the HTTP edge: its errors as the contract's, the JSON shapes of categories and
//! dishes, and the admin's dish fields as sent.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::model::{Category, Food, FoodFields, NumberInput, StockError};
use super::service::{Dish, MenuError};
use crate::platform::error::ApiError;
use crate::platform::patch::Patch;

impl From<MenuError> for ApiError {
    fn from(err: MenuError) -> Self {
        match err {
            MenuError::Invalid(invalid) => invalid.into(),
            MenuError::FoodNotFound => food_not_found(),
            MenuError::CategoryNotFound => category_not_found(),
            MenuError::CategoryExists => {
                ApiError::conflict("category_exists", "A category with this name already exists")
            }
            MenuError::UnknownCategory => ApiError::field(
                "invalid_category",
                "category_id",
                "does not exist",
                "Category does not exist",
            ),
            MenuError::CategoryNotEmpty(n) => ApiError::conflict(
                "category_not_empty",
                format!("This category still has {n} food item(s). Move or delete them first"),
            ),
            MenuError::Stock(StockError::NotTracked) => {
                ApiError::conflict("stock_not_tracked", "This dish's stock is not tracked; set stock first")
            }
            MenuError::Stock(StockError::Insufficient { left }) => ApiError::conflict(
                "insufficient_stock",
                format!("Only {left} left: stock cannot go below zero"),
            ),
            MenuError::Failure(failure) => failure.into(),
        }
    }
}

/// For path ids that cannot name a dish.
pub fn food_not_found() -> ApiError {
    ApiError::not_found("food_not_found", "Food item not found")
}

/// For path ids that cannot name a category.
pub fn category_not_found() -> ApiError {
    ApiError::not_found("category_not_found", "Category not found")
}

/// A category as the API shows it; `food_count` only to admins.
#[derive(Debug, Serialize)]
pub struct CategoryView<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub food_count: Option<i64>,
    pub created_at: &'a str,
    pub updated_at: &'a str,
}

impl<'a> CategoryView<'a> {
    pub fn public(c: &'a Category) -> Self {
        Self::of(c, false)
    }

    pub fn admin(c: &'a Category) -> Self {
        Self::of(c, true)
    }

    fn of(c: &'a Category, with_count: bool) -> Self {
        Self {
            id: &c.id,
            name: &c.name,
            description: c.description.as_deref(),
            food_count: with_count.then_some(c.food_count),
            created_at: &c.created_at,
            updated_at: &c.updated_at,
        }
    }
}

/// A dish's stock as admins see it (`null`: not tracked).
#[derive(Debug, Serialize)]
pub struct StockView {
    pub stock: Option<i64>,
    pub low_stock_threshold: Option<i64>,
}

/// A dish as the API shows it, with its category's name riding along; `sold_out` to everyone,
/// the stock itself only to admins.
#[derive(Debug, Serialize)]
pub struct FoodView<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub description: Option<&'a str>,
    pub price: i64,
    pub currency: &'a str,
    pub category_id: &'a str,
    pub category_name: Option<&'a str>,
    pub image_url: Option<&'a str>,
    pub is_available: bool,
    pub sold_out: bool,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub stock: Option<StockView>,
    pub created_at: &'a str,
    pub updated_at: &'a str,
}

impl<'a> FoodView<'a> {
    /// As the public menu shows it.
    pub fn of(f: &'a Food, category_name: Option<&'a str>) -> Self {
        Self {
            id: &f.id,
            name: &f.name,
            description: f.description.as_deref(),
            price: f.price,
            currency: &f.currency,
            category_id: &f.category_id,
            category_name,
            image_url: f.image_url.as_deref(),
            is_available: f.is_available,
            sold_out: f.sold_out(),
            stock: None,
            created_at: &f.created_at,
            updated_at: &f.updated_at,
        }
    }

    pub fn dish(d: &'a Dish) -> Self {
        Self::of(&d.food, d.category_name.as_deref())
    }

    /// As admins see it: with its stock.
    pub fn admin(f: &'a Food, category_name: Option<&'a str>) -> Self {
        Self {
            stock: Some(StockView {
                stock: f.stock,
                low_stock_threshold: f.low_stock_threshold,
            }),
            ..Self::of(f, category_name)
        }
    }

    pub fn admin_dish(d: &'a Dish) -> Self {
        Self::admin(&d.food, d.category_name.as_deref())
    }
}

/// A number as it came in JSON.
pub fn number_input(v: &Value) -> NumberInput {
    match v.as_i64() {
        Some(n) => NumberInput::Whole(n),
        None if v.is_number() => NumberInput::NotWhole,
        None => NumberInput::NotANumber,
    }
}

fn number_patch(patch: Patch<Value>) -> Patch<NumberInput> {
    match patch {
        Patch::Absent => Patch::Absent,
        Patch::Null => Patch::Null,
        Patch::Value(v) => Patch::Value(number_input(&v)),
    }
}

/// A dish's fields as an admin sends them; the price is read as whatever JSON came.
#[derive(Debug, Default, Deserialize)]
pub struct FoodRequest {
    #[serde(default)]
    pub name: Patch<String>,
    #[serde(default)]
    pub description: Patch<String>,
    #[serde(default)]
    pub price: Patch<Value>,
    #[serde(default)]
    pub category_id: Patch<String>,
    #[serde(default)]
    pub image_url: Patch<String>,
    #[serde(default)]
    pub is_available: Patch<bool>,
    #[serde(default)]
    pub stock: Patch<Value>,
    #[serde(default)]
    pub low_stock_threshold: Patch<Value>,
}

impl FoodRequest {
    pub fn fields(self) -> FoodFields {
        FoodFields {
            name: self.name,
            description: self.description,
            price: number_patch(self.price),
            category_id: self.category_id,
            image_url: self.image_url,
            is_available: self.is_available,
            stock: number_patch(self.stock),
            low_stock_threshold: number_patch(self.low_stock_threshold),
        }
    }
}

/// A category's fields as an admin sends them.
#[derive(Debug, Deserialize)]
pub struct CategoryRequest {
    #[serde(default)]
    pub name: Patch<String>,
    #[serde(default)]
    pub description: Patch<String>,
}
