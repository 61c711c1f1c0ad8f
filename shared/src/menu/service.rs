//! The menu flows: what the public reads, and the admin's changes to categories and dishes.
//! Changes are decided on the item as read and written conditionally on that state; when the
//! item moved meanwhile, the decision is taken again ([`crate::platform::retry`]).

use super::model::{Category, CategoryChange, Food, FoodChange, Menu, NewCategory, StockAdjustment, StockError};
use super::store::{Adjusted, Changed, Created, MenuStore};
use crate::platform::clock::now_rfc3339;
use crate::platform::error::Failure;
use crate::platform::retry::{Round, on_condition};
use crate::platform::validation::Invalid;

/// Decisions retried when the item keeps moving under them.
const ATTEMPTS: usize = 5;

#[derive(Debug, thiserror::Error)]
pub enum MenuError {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("no such dish")]
    FoodNotFound,
    #[error("no such category")]
    CategoryNotFound,
    #[error("a category with this name exists")]
    CategoryExists,
    /// A dish names a category that does not exist.
    #[error("the dish's category does not exist")]
    UnknownCategory,
    #[error("the category still has {0} dishes")]
    CategoryNotEmpty(i64),
    #[error(transparent)]
    Stock(#[from] StockError),
    #[error(transparent)]
    Failure(#[from] Failure),
}

/// A dish with its category's name (if the category exists).
pub struct Dish {
    pub food: Food,
    pub category_name: Option<String>,
}

#[derive(Clone, Debug)]
pub struct MenuService {
    store: MenuStore,
}

impl MenuService {
    pub fn new(store: MenuStore) -> Self {
        Self { store }
    }

    pub fn store(&self) -> &MenuStore {
        &self.store
    }

    /// Every category and dish: one Query.
    pub async fn menu(&self) -> Result<Menu, MenuError> {
        Ok(self.store.menu().await?)
    }

    /// The categories alone: one Query that reads no dish.
    pub async fn categories(&self) -> Result<Menu, MenuError> {
        Ok(self.store.categories().await?)
    }

    /// One dish with every category: one Query. `FoodNotFound` when it does not exist, or when
    /// `available_only` and it is switched off.
    pub async fn food(&self, id: &str, available_only: bool) -> Result<Dish, MenuError> {
        let menu = self.store.food_with_categories(id).await?;
        let food = menu
            .food(id)
            .filter(|f| f.is_available || !available_only)
            .ok_or(MenuError::FoodNotFound)?;
        Ok(Dish {
            category_name: menu.category_name(food).map(str::to_owned),
            food: food.clone(),
        })
    }

    pub async fn create_category(&self, new: &NewCategory) -> Result<Category, MenuError> {
        let category = Category::new(new, now_rfc3339());
        match self.store.create_category(&category).await? {
            Created::Done => {
                tracing::info!(category_id = %category.id, "category created");
                Ok(category)
            }
            Created::Refused => Err(MenuError::CategoryExists),
        }
    }

    /// Renames and/or re-describes a category.
    pub async fn update_category(&self, id: &str, change: &CategoryChange) -> Result<Category, MenuError> {
        on_condition("update category", ATTEMPTS, (), |()| async move {
            let current = self.store.category(id).await?.ok_or(MenuError::CategoryNotFound)?;
            let next = current.changed(change, &now_rfc3339());
            Ok(match self.store.change_category(&current, &next).await? {
                Changed::Done => Round::Done(next),
                Changed::Stale => Round::Again(()),
                Changed::Refused => return Err(MenuError::CategoryExists),
            })
        })
        .await
    }

    /// A category that still holds dishes is not deleted: the admin decides where they go first.
    pub async fn delete_category(&self, id: &str) -> Result<(), MenuError> {
        on_condition("delete category", ATTEMPTS, (), |()| async move {
            let current = self.store.category(id).await?.ok_or(MenuError::CategoryNotFound)?;
            if !current.is_empty() {
                return Err(MenuError::CategoryNotEmpty(current.food_count));
            }
            Ok(match self.store.delete_empty_category(&current).await? {
                Changed::Done => Round::Done(()),
                Changed::Stale | Changed::Refused => Round::Again(()),
            })
        })
        .await
    }

    /// Creates a dish from a validated create; its category must exist.
    pub async fn create_food(&self, change: FoodChange) -> Result<Dish, MenuError> {
        let food = Food::created(change, now_rfc3339())
            .ok_or_else(|| Failure::bug("validated create lacks a required field"))?;
        match self.store.create_food(&food).await? {
            Created::Done => {
                tracing::info!(food_id = %food.id, "food created");
                self.with_category_name(food).await
            }
            Created::Refused => Err(MenuError::UnknownCategory),
        }
    }

    /// Applies a change to a dish (a move to another category moves its count). The answer is
    /// the dish as it is after the write, with the stock orders moved meanwhile.
    pub async fn update_food(&self, id: &str, change: &FoodChange) -> Result<Dish, MenuError> {
        let written = on_condition("update food", ATTEMPTS, (), |()| async move {
            let current = self.store.food(id).await?.ok_or(MenuError::FoodNotFound)?;
            let next = current.changed(change, &now_rfc3339());
            Ok(
                match self.store.change_food(&current, &next, change.sets_stock()).await? {
                    Changed::Done => Round::Done(next),
                    Changed::Stale => Round::Again(()),
                    Changed::Refused => return Err(MenuError::UnknownCategory),
                },
            )
        })
        .await?;
        let (food, category) = self.store.food_and_category(id, &written.category_id).await?;
        Ok(Dish {
            // Deleted right after the write: answer with what was written.
            food: food.unwrap_or(written),
            category_name: category.map(|c| c.name),
        })
    }

    /// One dish as stored (no category name): what an admin change is decided on.
    pub async fn stored_food(&self, id: &str) -> Result<Food, MenuError> {
        self.store.food(id).await?.ok_or(MenuError::FoodNotFound)
    }

    /// Adds portions to (or takes them from) a tracked dish, read as `dish`, in one atomic
    /// write: concurrent orders and adjustments all count, and the stock never goes below zero.
    /// The dish's category name is read beside the write.
    pub async fn adjust_stock(&self, dish: &Food, adjustment: StockAdjustment) -> Result<Dish, MenuError> {
        let now = now_rfc3339();
        let (adjusted, category) = tokio::join!(
            self.store.adjust_stock(&dish.id, adjustment, &now),
            self.store.category(&dish.category_id)
        );
        let food = match adjusted? {
            Adjusted::Done(food) => food,
            Adjusted::Refused(None) => return Err(MenuError::FoodNotFound),
            Adjusted::Refused(Some(food)) => return Err(adjustment.refusal(food.stock).into()),
        };
        tracing::info!(food_id = %food.id, add = adjustment.add, stock = ?food.stock, "stock adjusted");
        if food.category_id != dish.category_id {
            // Moved to another category meanwhile: name the one it is in now.
            return self.with_category_name(food).await;
        }
        Ok(Dish {
            category_name: category?.map(|c| c.name),
            food,
        })
    }

    /// Deletes a dish. Orders placed earlier keep their own name and price snapshots.
    pub async fn delete_food(&self, id: &str) -> Result<(), MenuError> {
        on_condition("delete food", ATTEMPTS, (), |()| async move {
            let current = self.store.food(id).await?.ok_or(MenuError::FoodNotFound)?;
            Ok(match self.store.delete_food(&current).await? {
                Changed::Done => Round::Done(()),
                Changed::Stale | Changed::Refused => Round::Again(()),
            })
        })
        .await
    }

    /// Looks up the category name for a response (the write already proved the category exists).
    async fn with_category_name(&self, food: Food) -> Result<Dish, MenuError> {
        let category = self.store.category(&food.category_id).await?;
        Ok(Dish {
            category_name: category.map(|c| c.name),
            food,
        })
    }
}
