//! The menu flows: what the public reads, and the managers' changes to categories and dishes,
//! each on one kitchen's menu ([`MenuService::of`] gives a [`KitchenMenu`]).
//! Changes are decided on the item as read and written conditionally on that state; when the
//! item moved meanwhile, the decision is taken again ([`crate::platform::retry`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::model::{
    Category, CategoryChange, Food, FoodChange, Menu, NewCategory, StockAdjustment, StockError, StockLevels,
};
use super::store::{Adjusted, Changed, Created, DishKitchens, MenuState, MenuStore};
use crate::platform::clock::now_rfc3339;
use crate::platform::db::Db;
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
    #[cfg(feature = "import")]
    #[error(transparent)]
    Import(#[from] super::import::ImportError),
    #[error(transparent)]
    Image(#[from] super::model::ImageError),
    /// `ready` before the photo's object exists.
    #[error("the photo has not been uploaded")]
    UploadMissing,
    #[error(transparent)]
    Failure(#[from] Failure),
}

/// A dish with its category's name (if the category exists).
pub struct Dish {
    pub food: Food,
    pub category_name: Option<String>,
}

/// The process's copy of the menu: read whole at `version`, with the stock levels it shows,
/// and when the table last said they were current (the start of that read).
#[derive(Debug)]
struct Copy {
    version: u64,
    levels: StockLevels,
    menu: Arc<Menu>,
    checked: Instant,
}

/// Every kitchen's menu: each one's process copy, and which kitchen each dish is in.
#[derive(Clone, Debug)]
pub struct MenuService {
    db: Db,
    copies: Arc<Mutex<HashMap<String, Arc<Mutex<Option<Copy>>>>>>,
    dishes: DishKitchens,
    public_window: Duration,
}

impl MenuService {
    pub fn new(db: Db) -> Self {
        Self {
            db,
            copies: Arc::default(),
            dishes: DishKitchens::default(),
            public_window: Duration::ZERO,
        }
    }

    /// The same service answering public reads from a copy younger than `window` without
    /// asking the table (configuration: `PUBLIC_READ_WINDOW_MS`).
    pub fn with_public_window(mut self, window: Duration) -> Self {
        self.public_window = window;
        self
    }

    /// One kitchen's menu (its reads share the process's copy of that menu).
    pub fn of(&self, kitchen_id: &str) -> KitchenMenu {
        let copy = {
            let mut copies = self.copies.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            Arc::clone(copies.entry(kitchen_id.to_owned()).or_default())
        };
        KitchenMenu {
            store: MenuStore::of(self.db.clone(), kitchen_id),
            copy,
            dishes: self.dishes.clone(),
            public_window: self.public_window,
        }
    }

    /// The kitchen of each dish of `ids` that exists (no read for dishes seen before).
    pub async fn kitchens_of(&self, ids: &[&str]) -> Result<HashMap<String, String>, MenuError> {
        Ok(self.dishes.of(&self.db, ids).await?)
    }
}

/// One kitchen's menu: reads through the process's copy, and the managers' changes.
#[derive(Clone, Debug)]
pub struct KitchenMenu {
    store: MenuStore,
    copy: Arc<Mutex<Option<Copy>>>,
    dishes: DishKitchens,
    public_window: Duration,
}

impl KitchenMenu {
    pub fn store(&self) -> &MenuStore {
        &self.store
    }

    pub fn kitchen_id(&self) -> &str {
        self.store.kitchen_id()
    }

    /// Every category and dish as they are now: one Query of the version and the tracked
    /// dishes' stock while the process's copy is current, and the whole menu read again when an
    /// admin changed it.
    pub async fn menu(&self) -> Result<Arc<Menu>, MenuError> {
        let asked = Instant::now();
        let MenuState { version, levels } = self.store.state().await?;
        let (menu, at) = self.at_version(version).await?;
        let mut copy = self.lock();
        match copy.as_mut().filter(|c| c.version == at) {
            Some(c) if c.levels == levels => {
                c.checked = c.checked.max(asked);
                Ok(Arc::clone(&c.menu))
            }
            Some(c) => {
                let now = Arc::new(with_levels(&c.menu, &levels));
                c.levels = levels;
                c.menu = Arc::clone(&now);
                c.checked = c.checked.max(asked);
                Ok(now)
            }
            // The copy moved on meanwhile: answer from the menu as read.
            None => Ok(Arc::new(with_levels(&menu, &levels))),
        }
    }

    /// The copy, when the table said it was current less than the public window ago.
    fn recent(&self) -> Option<Arc<Menu>> {
        self.lock()
            .as_ref()
            .filter(|c| c.checked.elapsed() < self.public_window)
            .map(|c| Arc::clone(&c.menu))
    }

    /// The menu as the public reads it: the process's copy with no read at all while it is
    /// younger than the public window, else [`Self::menu`]. A change (an admin's, or stock an
    /// order took) shows within the window.
    pub async fn public_menu(&self) -> Result<Arc<Menu>, MenuError> {
        match self.recent() {
            Some(menu) => Ok(menu),
            None => self.menu().await,
        }
    }

    /// The categories as the public reads them (as [`Self::public_menu`]).
    pub async fn public_categories(&self) -> Result<Arc<Menu>, MenuError> {
        match self.recent() {
            Some(menu) => Ok(menu),
            None => self.menu().await,
        }
    }

    /// One available dish as the public reads it (as [`Self::public_menu`]).
    pub async fn public_food(&self, id: &str) -> Result<Dish, MenuError> {
        let Some(menu) = self.recent() else {
            return self.food(id, true).await;
        };
        let food = menu
            .food(id)
            .filter(|f| f.is_available)
            .ok_or(MenuError::FoodNotFound)?;
        Ok(Dish {
            category_name: menu.category_name(food).map(str::to_owned),
            food: food.clone(),
        })
    }

    /// The categories: one GetItem of the menu's version while the process's copy is current.
    pub async fn categories(&self) -> Result<Arc<Menu>, MenuError> {
        let version = self.store.version().await?;
        Ok(self.at_version(version).await?.0)
    }

    /// One dish with its category's name: one BatchGetItem of the menu's version and the dish's
    /// stock while the process's copy is current. `FoodNotFound` when it does not exist, or when
    /// `available_only` and it is switched off.
    pub async fn food(&self, id: &str, available_only: bool) -> Result<Dish, MenuError> {
        let (version, level) = self.store.version_and_level(id).await?;
        let (menu, _) = self.at_version(version).await?;
        let food = menu
            .food(id)
            .filter(|f| f.is_available || !available_only)
            .ok_or(MenuError::FoodNotFound)?;
        let mut food = food.clone();
        if let Some(level) = &level {
            food.set_level(level);
        }
        Ok(Dish {
            category_name: menu.category_name(&food).map(str::to_owned),
            food,
        })
    }

    /// The process's copy if it holds `version` or a later one, else the whole menu read again
    /// (and kept). The menu is read after the version was, strongly consistent, so a copy never
    /// holds less than its version says. With the version the copy holds.
    async fn at_version(&self, version: u64) -> Result<(Arc<Menu>, u64), MenuError> {
        if let Some(copy) = self.lock().as_ref().filter(|c| c.version >= version) {
            return Ok((Arc::clone(&copy.menu), copy.version));
        }
        let asked = Instant::now();
        let menu = Arc::new(self.store.menu().await?);
        tracing::debug!(version, kitchen_id = %self.kitchen_id(), "menu read whole");
        for food in &menu.foods {
            self.dishes.learn(&food.id, self.kitchen_id());
        }
        let mut copy = self.lock();
        if copy.as_ref().is_none_or(|c| c.version <= version) {
            *copy = Some(Copy {
                version,
                levels: menu.stock_levels(),
                menu: Arc::clone(&menu),
                checked: asked,
            });
        }
        Ok((menu, version))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Copy>> {
        // A panic elsewhere cannot leave a copy half-written: every write replaces it whole.
        self.copy.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
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
        let food = Food::created(&change, now_rfc3339())
            .ok_or_else(|| Failure::bug("validated create lacks a required field"))??;
        match self.store.create_food(&food).await? {
            Created::Done => {
                tracing::info!(food_id = %food.id, kitchen_id = %self.kitchen_id(), "food created");
                self.dishes.learn(&food.id, self.kitchen_id());
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
            let next = current.changed(change, &now_rfc3339())?;
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

    /// Imports a spreadsheet's rows: every row checked against the menu as it is before anything
    /// is written (any problem: nothing written), new categories created, then the dishes in
    /// transactions of [`super::store::IMPORT_BATCH`]. When a dish or category moved under a
    /// batch, the rows not yet written are decided again on the menu as it is then.
    #[cfg(feature = "import")]
    pub async fn import(&self, sheet: &super::import::Sheet) -> Result<super::import::ImportSummary, MenuError> {
        use super::import::{ImportSummary, parse_rows, plan};
        use super::store::IMPORT_BATCH;

        let mut remaining = parse_rows(sheet)?;
        let mut summary = ImportSummary::default();
        'attempt: for _ in 0..ATTEMPTS {
            let menu = self.store.menu().await?;
            let plan = plan(&remaining, &menu, &now_rfc3339())?;
            for category in &plan.categories {
                match self.store.create_category(category).await? {
                    Created::Done => summary.categories_created += 1,
                    // Made meanwhile by someone else: decide again with it.
                    Created::Refused => continue 'attempt,
                }
            }
            let mut written = std::collections::HashSet::new();
            let mut creates = plan.creates.iter().peekable();
            let mut updates = plan.updates.iter().peekable();
            while creates.peek().is_some() || updates.peek().is_some() {
                let new: Vec<_> = creates.by_ref().take(IMPORT_BATCH).collect();
                let changed: Vec<_> = updates.by_ref().take(IMPORT_BATCH - new.len()).collect();
                let foods: Vec<&Food> = new.iter().map(|(_, f)| f).collect();
                let changes: Vec<(&Food, &Food, bool)> = changed.iter().map(|(_, c, n, s)| (c, n, *s)).collect();
                match self.store.import_batch(&foods, &changes).await? {
                    Changed::Done => {
                        for (row, food) in &new {
                            self.dishes.learn(&food.id, self.kitchen_id());
                            written.insert(*row);
                        }
                        written.extend(changed.iter().map(|(row, ..)| *row));
                        summary.created += new.len();
                        summary.updated += changed.len();
                    }
                    Changed::Stale | Changed::Refused => {
                        remaining.retain(|r| !written.contains(&r.row));
                        continue 'attempt;
                    }
                }
            }
            tracing::info!(kitchen_id = %self.kitchen_id(), ?summary, "menu imported");
            return Ok(summary);
        }
        Err(Failure::Unavailable(anyhow::anyhow!("the menu kept changing during the import")).into())
    }

    /// Changes a dish by `change` (a decision on the dish as read: `None`, nothing to write),
    /// decided again when the dish moved meanwhile. The dish as it is after.
    async fn change_dish<F>(&self, id: &str, change: F) -> Result<Dish, MenuError>
    where
        F: Fn(&Food) -> Result<Option<Food>, MenuError>,
    {
        let change = &change;
        let written = on_condition("change dish", ATTEMPTS, (), |()| async move {
            let current = self.store.food(id).await?.ok_or(MenuError::FoodNotFound)?;
            let Some(next) = change(&current)? else {
                return Ok(Round::Done(current));
            };
            Ok(match self.store.change_food(&current, &next, false).await? {
                Changed::Done => Round::Done(next),
                Changed::Stale => Round::Again(()),
                Changed::Refused => return Err(MenuError::UnknownCategory),
            })
        })
        .await?;
        self.with_category_name(written).await
    }

    /// A pending photo for a dish and the presigned POST its upload goes through (the policy
    /// holds it to the photo's key, type and size). At most [`super::model::MAX_IMAGES`].
    #[cfg(feature = "images")]
    pub async fn start_upload(
        &self,
        bucket: &crate::platform::images::ImageBucket,
        food_id: &str,
        upload: &super::model::ImageUpload,
    ) -> Result<(Dish, super::model::DishImage, crate::platform::images::PresignedPost), MenuError> {
        use super::model::{DishImage, ImageStatus};
        let id = ulid::Ulid::new().to_string();
        let key = format!(
            "images/dishes/{}/{food_id}/{id}.{}",
            self.kitchen_id(),
            upload.extension
        );
        let image = DishImage {
            id,
            url: bucket.url_of(&key),
            key,
            content_type: upload.content_type.to_owned(),
            is_primary: false,
            status: ImageStatus::Pending,
            created_at: now_rfc3339(),
        };
        let dish = self
            .change_dish(food_id, |food| {
                Ok(Some(food.with_pending_image(image.clone(), &now_rfc3339())?))
            })
            .await?;
        let post = bucket
            .presign_post(&image.key, upload.content_type, upload.size)
            .await?;
        Ok((dish, image, post))
    }

    /// The photo's upload confirmed: ready once its object exists (else `UploadMissing`), and
    /// primary when the dish has none.
    #[cfg(feature = "images")]
    pub async fn image_ready(
        &self,
        bucket: &crate::platform::images::ImageBucket,
        food_id: &str,
        image_id: &str,
    ) -> Result<Dish, MenuError> {
        let food = self.stored_food(food_id).await?;
        let image = food
            .images
            .iter()
            .find(|i| i.id == image_id)
            .ok_or(super::model::ImageError::NotFound)?;
        if !bucket.exists(&image.key).await? {
            return Err(MenuError::UploadMissing);
        }
        self.change_dish(food_id, |food| Ok(food.with_image_ready(image_id, &now_rfc3339())?))
            .await
    }

    /// The photo becomes the dish's primary one.
    pub async fn set_primary_image(&self, food_id: &str, image_id: &str) -> Result<Dish, MenuError> {
        self.change_dish(food_id, |food| Ok(food.with_primary_image(image_id, &now_rfc3339())?))
            .await
    }

    /// Takes a photo off the dish, then deletes its object (a failed deletion leaves an object
    /// nothing names, logged; the dish is right either way).
    #[cfg(feature = "images")]
    pub async fn delete_image(
        &self,
        bucket: &crate::platform::images::ImageBucket,
        food_id: &str,
        image_id: &str,
    ) -> Result<(), MenuError> {
        let food = self.stored_food(food_id).await?;
        let (_, gone) = food.without_image(image_id, &now_rfc3339())?;
        self.change_dish(food_id, |food| match food.without_image(image_id, &now_rfc3339()) {
            Ok((next, _)) => Ok(Some(next)),
            // Deleted meanwhile by someone else: nothing left to do.
            Err(super::model::ImageError::NotFound) => Ok(None),
            Err(other) => Err(other.into()),
        })
        .await?;
        if let Err(err) = bucket.delete(&gone.key).await {
            tracing::warn!(error = %err, key = %gone.key, "a deleted photo's object is left in the bucket");
        }
        Ok(())
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

/// `menu` with the stock levels read now.
fn with_levels(menu: &Menu, levels: &StockLevels) -> Menu {
    let mut now = menu.clone();
    now.set_levels(levels);
    now
}
