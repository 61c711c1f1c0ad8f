//! The menu: categories and dishes, the rules admins edit them by, and which dishes a listing
//! shows in which order. Imports neither HTTP nor the store.

use serde::{Deserialize, Serialize};

use crate::platform::patch::Patch;
use crate::platform::validation::{Invalid, Problems};

pub const CURRENCY: &str = "NGN";
pub const NAME_MAX: usize = 120;
pub const DESCRIPTION_MAX: usize = 1000;
pub const URL_MAX: usize = 2048;
/// NGN 10,000,000.00: a price above this is a typo, not a dish.
pub const PRICE_MAX_KOBO: i64 = 1_000_000_000;

/// The most portions of one dish a line may hold; a dish's own limits lie within 1..=this.
pub const QUANTITY_LIMIT: i64 = 50;

/// What a dish is or holds, for the dietary filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tag {
    Vegetarian,
    Vegan,
    Halal,
    Spicy,
    ContainsNuts,
    GlutenFree,
    DairyFree,
    Seafood,
}

impl Tag {
    pub const ALL: [Tag; 8] = [
        Tag::Vegetarian,
        Tag::Vegan,
        Tag::Halal,
        Tag::Spicy,
        Tag::ContainsNuts,
        Tag::GlutenFree,
        Tag::DairyFree,
        Tag::Seafood,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Tag::Vegetarian => "vegetarian",
            Tag::Vegan => "vegan",
            Tag::Halal => "halal",
            Tag::Spicy => "spicy",
            Tag::ContainsNuts => "contains_nuts",
            Tag::GlutenFree => "gluten_free",
            Tag::DairyFree => "dairy_free",
            Tag::Seafood => "seafood",
        }
    }

    /// A tag by its name (case, spaces and hyphens forgiven: `Gluten-free` is `gluten_free`).
    pub fn parse(raw: &str) -> Result<Self, String> {
        let key = raw.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        Self::ALL.into_iter().find(|t| t.as_str() == key).ok_or_else(|| {
            let names: Vec<&str> = Self::ALL.iter().map(|t| t.as_str()).collect();
            format!("{:?} is not a tag; use any of {}", raw.trim(), names.join(", "))
        })
    }

    /// A set of tags: each known, kept once, in the canonical order.
    pub fn parse_all<'a>(raw: impl IntoIterator<Item = &'a str>) -> Result<Vec<Self>, String> {
        let mut tags = raw.into_iter().map(Self::parse).collect::<Result<Vec<_>, _>>()?;
        tags.sort();
        tags.dedup();
        Ok(tags)
    }
}

/// How many portions of a dish one order or cart line may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuantityLimits {
    pub min: i64,
    pub max: i64,
}

impl QuantityLimits {
    pub fn allows(self, quantity: i64) -> bool {
        (self.min..=self.max).contains(&quantity)
    }

    /// What a refused line is told.
    pub fn problem(self) -> String {
        if self.min == self.max {
            format!("must be exactly {}", self.min)
        } else {
            format!("must be from {} to {}", self.min, self.max)
        }
    }
}

/// A dish's quantity limit: a whole number from 1 to [`QUANTITY_LIMIT`].
pub fn parse_limit(input: NumberInput) -> Result<i64, String> {
    match input {
        NumberInput::Whole(n) if (1..=QUANTITY_LIMIT).contains(&n) => Ok(n),
        _ => Err(format!("must be a whole number from 1 to {QUANTITY_LIMIT}")),
    }
}

const fn default_min_quantity() -> i64 {
    1
}

const fn default_max_quantity() -> i64 {
    QUANTITY_LIMIT
}

/// The most photos a dish holds (pending uploads included).
pub const MAX_IMAGES: usize = 8;
/// The largest photo taken (5 MiB).
pub const MAX_IMAGE_BYTES: i64 = 5_242_880;

/// Whether a photo's upload has been confirmed (`ready`); pending photos are never public.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImageStatus {
    Pending,
    Ready,
}

/// A dish's photo: where it is stored (`key`) and served (`url`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DishImage {
    pub id: String,
    pub key: String,
    pub url: String,
    pub content_type: String,
    pub is_primary: bool,
    pub status: ImageStatus,
    pub created_at: String,
}

/// A photo about to be uploaded: its type and size, as the manager's app declares them (the
/// signed upload policy holds the upload to both).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageUpload {
    pub content_type: &'static str,
    pub extension: &'static str,
    pub size: i64,
}

impl ImageUpload {
    pub fn parse(content_type: Option<&str>, size: Option<NumberInput>) -> Result<Self, Invalid> {
        let mut p = Problems::default();
        let kind = match content_type.map(|t| t.trim().to_ascii_lowercase()) {
            Some(t) if t == "image/jpeg" => Some(("image/jpeg", "jpg")),
            Some(t) if t == "image/png" => Some(("image/png", "png")),
            Some(t) if t == "image/webp" => Some(("image/webp", "webp")),
            _ => {
                p.add(
                    "invalid_content_type",
                    "content_type",
                    "must be image/jpeg, image/png or image/webp",
                );
                None
            }
        };
        let size = match size {
            Some(NumberInput::Whole(n)) if (1..=MAX_IMAGE_BYTES).contains(&n) => Some(n),
            _ => {
                p.add(
                    "invalid_size",
                    "size",
                    format!("must be the file's size in bytes, from 1 to {MAX_IMAGE_BYTES} (5 MB)"),
                );
                None
            }
        };
        p.finish("The photo cannot be uploaded")?;
        match (kind, size) {
            (Some((content_type, extension)), Some(size)) => Ok(Self {
                content_type,
                extension,
                size,
            }),
            _ => Err(Invalid::field(
                "invalid_size",
                "size",
                "is required",
                "The photo cannot be uploaded",
            )),
        }
    }
}

/// Why a photo change is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    #[error("a dish holds at most {MAX_IMAGES} photos")]
    TooMany,
    #[error("no such photo")]
    NotFound,
    /// Only an uploaded photo can be the dish's primary one.
    #[error("the photo is not uploaded yet")]
    NotReady,
}

/// An amount in kobo (the minor unit of NGN). Always an integer, never a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Money(i64);

/// A number as it was sent (a price, a stock count): a whole number, another number, or not a
/// number at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberInput {
    Whole(i64),
    NotWhole,
    NotANumber,
}

impl Money {
    pub fn kobo(self) -> i64 {
        self.0
    }

    pub fn from_kobo(kobo: i64) -> Self {
        Self(kobo)
    }

    /// A price: a whole number from 1 to [`PRICE_MAX_KOBO`] kobo.
    pub fn parse_price(input: NumberInput) -> Result<Self, String> {
        match input {
            NumberInput::Whole(n) if (1..=PRICE_MAX_KOBO).contains(&n) => Ok(Self(n)),
            NumberInput::Whole(_) => Err(format!("must be from 1 to {PRICE_MAX_KOBO} kobo")),
            NumberInput::NotWhole => Err("must be a whole number of kobo (no decimals)".into()),
            NumberInput::NotANumber => Err("must be an integer amount in kobo".into()),
        }
    }

    pub fn checked_mul(self, n: i64) -> Option<Self> {
        self.0.checked_mul(n).map(Self)
    }

    pub fn checked_add(self, other: Self) -> Option<Self> {
        self.0.checked_add(other.0).map(Self)
    }
}

/// The most portions a dish's stock may hold, or an adjustment may move.
pub const STOCK_MAX: i64 = 1_000_000;

/// A portion count: a whole number from 0 to [`STOCK_MAX`].
pub fn parse_count(input: NumberInput) -> Result<i64, String> {
    match input {
        NumberInput::Whole(n) if (0..=STOCK_MAX).contains(&n) => Ok(n),
        NumberInput::Whole(_) => Err(format!("must be from 0 to {STOCK_MAX}")),
        NumberInput::NotWhole | NumberInput::NotANumber => Err("must be a whole number".into()),
    }
}

/// Why stock cannot be adjusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StockError {
    #[error("the dish's stock is not tracked")]
    NotTracked,
    #[error("only {left} left")]
    Insufficient { left: i64 },
}

/// A restock or write-off: `add` portions (negative takes some away). What the write needs: the
/// stock tracked and, when taking away, at least that much there, so that concurrent orders and
/// adjustments never take it below zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StockAdjustment {
    pub add: i64,
}

impl StockAdjustment {
    pub fn parse(input: Option<NumberInput>) -> Result<Self, Invalid> {
        let invalid = |problem: String| Invalid::field("invalid_add", "add", problem, "Invalid stock adjustment");
        match input {
            None => Err(invalid("is required".into())),
            Some(NumberInput::Whole(n)) if n.abs() <= STOCK_MAX => Ok(Self { add: n }),
            Some(NumberInput::Whole(_)) => Err(invalid(format!("must be from -{STOCK_MAX} to {STOCK_MAX}"))),
            Some(_) => Err(invalid("must be a whole number of portions".into())),
        }
    }

    /// The least stock the dish must hold for the adjustment to leave it at zero or more.
    pub fn needs_at_least(self) -> i64 {
        (-self.add).max(0)
    }

    /// Why the adjustment was refused, from the dish as it was when refused.
    pub fn refusal(self, stock: Option<i64>) -> StockError {
        match stock {
            None => StockError::NotTracked,
            Some(left) => StockError::Insufficient { left },
        }
    }
}

/// A category of the menu. `food_count` (its dishes, available or not) is kept by the same
/// writes that add, move and delete dishes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    pub id: String,
    pub name: String,
    /// Lower-cased name: what uniqueness is decided on.
    pub name_key: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Where it stands on the menu: lower first, then by name (0 unless its admins said).
    #[serde(default)]
    pub position: i64,
    pub food_count: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// A dish.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Food {
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
    /// Portions left; `None`: not tracked (never sold out). Moved only by atomic adjustments
    /// (orders, cancellations, restocks) or an admin's explicit set.
    #[serde(default)]
    pub stock: Option<i64>,
    /// The kitchen is told when stock falls to this; `None`: never.
    #[serde(default)]
    pub low_stock_threshold: Option<i64>,
    #[serde(default)]
    pub tags: Vec<Tag>,
    #[serde(default)]
    pub featured: bool,
    #[serde(default = "default_min_quantity")]
    pub min_quantity: i64,
    #[serde(default = "default_max_quantity")]
    pub max_quantity: i64,
    /// Its photos, pending and ready, oldest first. The primary one's url is `image_url`.
    #[serde(default)]
    pub images: Vec<DishImage>,
    pub created_at: String,
    pub updated_at: String,
    /// Optimistic-locking version, bumped by every admin edit (not by stock movements).
    #[serde(default)]
    pub version: u64,
}

impl Category {
    pub fn new(new: &NewCategory, now: String) -> Self {
        Self {
            id: ulid::Ulid::new().to_string(),
            name: new.name.as_str().to_owned(),
            name_key: new.name.unique_key(),
            description: new.description.clone(),
            position: new.position,
            food_count: 0,
            created_at: now.clone(),
            updated_at: now,
        }
    }

    /// The category after `change`.
    pub fn changed(&self, change: &CategoryChange, now: &str) -> Self {
        let mut next = self.clone();
        if let Some(name) = &change.name {
            next.name = name.as_str().to_owned();
            next.name_key = name.unique_key();
        }
        if let Some(description) = &change.description {
            next.description = description.clone();
        }
        if let Some(position) = change.position {
            next.position = position;
        }
        next.updated_at = now.to_owned();
        next
    }

    pub fn is_empty(&self) -> bool {
        self.food_count <= 0
    }
}

impl Food {
    pub fn new(name: &Name, price: Money, category_id: String, now: String) -> Self {
        Self {
            id: ulid::Ulid::new().to_string(),
            name: name.as_str().to_owned(),
            description: None,
            price: price.kobo(),
            currency: CURRENCY.into(),
            category_id,
            image_url: None,
            is_available: true,
            stock: None,
            low_stock_threshold: None,
            tags: Vec::new(),
            featured: false,
            min_quantity: default_min_quantity(),
            max_quantity: default_max_quantity(),
            images: Vec::new(),
            created_at: now.clone(),
            updated_at: now,
            version: 0,
        }
    }

    pub fn limits(&self) -> QuantityLimits {
        QuantityLimits {
            min: self.min_quantity,
            max: self.max_quantity,
        }
    }

    /// Tracked and none left. A sold-out dish stays listed.
    pub fn sold_out(&self) -> bool {
        self.stock.is_some_and(|n| n <= 0)
    }

    /// Whether `quantity` portions can be taken (always, when not tracked).
    pub fn can_supply(&self, quantity: i64) -> bool {
        self.stock.is_none_or(|n| n >= quantity)
    }

    /// A new dish from a validated create (`None` if a required field is missing); refused
    /// when its limits cross.
    pub fn created(change: &FoodChange, now: String) -> Option<Result<Self, Invalid>> {
        let base = Self::new(
            change.name.as_ref()?,
            change.price?,
            change.category_id.clone()?,
            now.clone(),
        );
        Some(base.changed(change, &now).map(|f| Self { version: 0, ..f }))
    }

    /// The dish after `change`, one version on; refused when the quantity limits it would have
    /// cross (`min_quantity` above `max_quantity`).
    pub fn changed(&self, change: &FoodChange, now: &str) -> Result<Self, Invalid> {
        let mut next = self.clone();
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
        if let Some(stock) = change.stock {
            next.stock = stock;
        }
        if let Some(threshold) = change.low_stock_threshold {
            next.low_stock_threshold = threshold;
        }
        if let Some(tags) = &change.tags {
            next.tags.clone_from(tags);
        }
        if let Some(featured) = change.featured {
            next.featured = featured;
        }
        if let Some(min) = change.min_quantity {
            next.min_quantity = min;
        }
        if let Some(max) = change.max_quantity {
            next.max_quantity = max;
        }
        if next.min_quantity > next.max_quantity {
            let (code, field, problem) = if change.max_quantity.is_some() {
                (
                    "invalid_max_quantity",
                    "max_quantity",
                    format!("must be at least min_quantity ({})", next.min_quantity),
                )
            } else {
                (
                    "invalid_min_quantity",
                    "min_quantity",
                    format!("must be at most max_quantity ({})", next.max_quantity),
                )
            };
            return Err(Invalid::field(code, field, problem, "The quantity limits cross"));
        }
        next.updated_at = now.to_owned();
        next.version = self.version + 1;
        Ok(next)
    }
}

impl Food {
    /// The photos customers see: the uploaded ones.
    pub fn ready_images(&self) -> impl Iterator<Item = &DishImage> {
        self.images.iter().filter(|i| i.status == ImageStatus::Ready)
    }

    fn image(&self, id: &str) -> Result<&DishImage, ImageError> {
        self.images.iter().find(|i| i.id == id).ok_or(ImageError::NotFound)
    }

    /// The dish after a photo change: `image_url` follows the primary photo (a dish without
    /// photos keeps the address a manager typed), one version on.
    fn with_images(&self, images: Vec<DishImage>, now: &str) -> Food {
        let mut next = self.clone();
        let had_primary = self.images.iter().any(|i| i.is_primary);
        next.images = images;
        match next.images.iter().find(|i| i.is_primary) {
            Some(primary) => next.image_url = Some(primary.url.clone()),
            None if had_primary => next.image_url = None,
            None => {}
        }
        next.updated_at = now.to_owned();
        next.version = self.version + 1;
        next
    }

    /// A new pending photo (refused when the dish holds [`MAX_IMAGES`] already).
    pub fn with_pending_image(&self, image: DishImage, now: &str) -> Result<Food, ImageError> {
        if self.images.len() >= MAX_IMAGES {
            return Err(ImageError::TooMany);
        }
        let mut images = self.images.clone();
        images.push(DishImage {
            status: ImageStatus::Pending,
            is_primary: false,
            ..image
        });
        Ok(self.with_images(images, now))
    }

    /// The photo uploaded: ready, and primary when the dish has no primary photo yet. Already
    /// ready: `None` (nothing to write).
    pub fn with_image_ready(&self, id: &str, now: &str) -> Result<Option<Food>, ImageError> {
        if self.image(id)?.status == ImageStatus::Ready {
            return Ok(None);
        }
        let has_primary = self.images.iter().any(|i| i.is_primary);
        let images = self
            .images
            .iter()
            .map(|i| match i.id == id {
                true => DishImage {
                    status: ImageStatus::Ready,
                    is_primary: !has_primary,
                    ..i.clone()
                },
                false => i.clone(),
            })
            .collect();
        Ok(Some(self.with_images(images, now)))
    }

    /// The photo becomes the primary one (exactly one ready photo is); already primary: `None`.
    pub fn with_primary_image(&self, id: &str, now: &str) -> Result<Option<Food>, ImageError> {
        let image = self.image(id)?;
        if image.status != ImageStatus::Ready {
            return Err(ImageError::NotReady);
        }
        if image.is_primary {
            return Ok(None);
        }
        let images = self
            .images
            .iter()
            .map(|i| DishImage {
                is_primary: i.id == id,
                ..i.clone()
            })
            .collect();
        Ok(Some(self.with_images(images, now)))
    }

    /// The dish without the photo; when it was the primary one, the oldest remaining ready
    /// photo becomes primary. With the photo taken away (its object is deleted after the write).
    pub fn without_image(&self, id: &str, now: &str) -> Result<(Food, DishImage), ImageError> {
        let gone = self.image(id)?.clone();
        let mut images: Vec<DishImage> = self.images.iter().filter(|i| i.id != id).cloned().collect();
        if gone.is_primary
            && let Some(next) = images.iter_mut().find(|i| i.status == ImageStatus::Ready)
        {
            next.is_primary = true;
        }
        Ok((self.with_images(images, now), gone))
    }
}

/// The menu as read: categories and dishes.
#[derive(Debug, Default, Clone)]
pub struct Menu {
    pub categories: Vec<Category>,
    pub foods: Vec<Food>,
}

/// A tracked dish's stock as it is now. Orders, cancellations and restocks move it without an
/// admin edit of the menu, so it is read live beside a menu kept by version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockLevel {
    pub stock: i64,
    pub updated_at: String,
}

/// The stock level of every tracked dish, by dish id.
pub type StockLevels = std::collections::BTreeMap<String, StockLevel>;

impl Food {
    /// The dish with its stock as it is now.
    pub fn set_level(&mut self, level: &StockLevel) {
        self.stock = Some(level.stock);
        self.updated_at.clone_from(&level.updated_at);
    }
}

/// Which dishes a menu listing shows.
#[derive(Debug, Default, Clone)]
pub struct FoodFilter {
    pub include_unavailable: bool,
    pub category_id: Option<String>,
    /// Case-insensitive substring of the name.
    pub name_contains: Option<String>,
    /// Every one of these tags.
    pub tags: Vec<Tag>,
    pub featured_only: bool,
}

impl FoodFilter {
    /// Whether the listing is the whole public menu (nothing narrows it).
    pub fn is_everything(&self) -> bool {
        self.category_id.is_none() && self.name_contains.is_none() && self.tags.is_empty() && !self.featured_only
    }
}

impl Menu {
    /// The stock levels of this menu's tracked dishes.
    pub fn stock_levels(&self) -> StockLevels {
        self.foods
            .iter()
            .filter_map(|f| {
                let level = StockLevel {
                    stock: f.stock?,
                    updated_at: f.updated_at.clone(),
                };
                Some((f.id.clone(), level))
            })
            .collect()
    }

    /// Applies the stock levels read now to the dishes they name. A dish not named keeps its
    /// own: stock tracking starts and stops only by an admin edit, which makes a new menu.
    pub fn set_levels(&mut self, levels: &StockLevels) {
        for food in &mut self.foods {
            if let Some(level) = levels.get(&food.id) {
                food.set_level(level);
            }
        }
    }

    pub fn category(&self, id: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.id == id)
    }

    /// The name of a dish's category, if it still exists.
    pub fn category_name(&self, food: &Food) -> Option<&str> {
        self.category(&food.category_id).map(|c| c.name.as_str())
    }

    /// Where a dish's category stands on the menu (position, then name); a dish whose category
    /// is gone comes first, as `None` sorts.
    fn category_place(&self, food: &Food) -> Option<(i64, String)> {
        self.category(&food.category_id)
            .map(|c| (c.position, c.name.to_lowercase()))
    }

    pub fn food(&self, id: &str) -> Option<&Food> {
        self.foods.iter().find(|f| f.id == id)
    }

    /// The dishes a listing shows, grouped by category (in the kitchen's order) then by dish
    /// name.
    pub fn listing(&self, filter: &FoodFilter) -> Vec<&Food> {
        let needle = filter
            .name_contains
            .as_ref()
            .map(|q| q.trim().to_lowercase())
            .filter(|q| !q.is_empty());
        let category = filter.category_id.as_ref().map(|c| c.trim().to_ascii_uppercase());
        let mut foods: Vec<(Option<(i64, String)>, String, &Food)> = self
            .foods
            .iter()
            .filter(|f| filter.include_unavailable || f.is_available)
            .filter(|f| category.as_ref().is_none_or(|c| &f.category_id == c))
            .filter(|f| {
                needle
                    .as_ref()
                    .is_none_or(|q| f.name.to_lowercase().contains(q.as_str()))
            })
            .filter(|f| filter.tags.iter().all(|t| f.tags.contains(t)))
            .filter(|f| !filter.featured_only || f.featured)
            .map(|f| (self.category_place(f), f.name.to_lowercase(), f))
            .collect();
        foods.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        foods.into_iter().map(|(_, _, f)| f).collect()
    }

    /// The categories in the kitchen's order: by position, then by name.
    pub fn categories_in_order(&self) -> Vec<&Category> {
        let mut categories: Vec<&Category> = self.categories.iter().collect();
        categories.sort_by_cached_key(|c| (c.position, c.name.to_lowercase()));
        categories
    }
}

/// A display name: trimmed, inner whitespace collapsed, 1 to [`NAME_MAX`] characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name(String);

impl Name {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let collapsed = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        let n = collapsed.chars().count();
        if n == 0 || n > NAME_MAX || collapsed.chars().any(char::is_control) {
            Err(format!("must be 1 to {NAME_MAX} characters"))
        } else {
            Ok(Self(collapsed))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key names are unique by: case-insensitive.
    pub fn unique_key(&self) -> String {
        self.0.to_lowercase()
    }
}

fn description(raw: &str) -> Result<Option<String>, String> {
    let trimmed = raw.trim();
    if trimmed.chars().count() > DESCRIPTION_MAX {
        Err(format!("must be at most {DESCRIPTION_MAX} characters"))
    } else if trimmed.is_empty() {
        Ok(None)
    } else {
        Ok(Some(trimmed.to_owned()))
    }
}

/// An image URL: absolute `https://` with a host name, printable ASCII without the characters a
/// URI may not carry (spaces, quotes, angle brackets, braces, backslashes...).
pub fn image_url(raw: &str) -> Result<String, String> {
    const FORBIDDEN: &[char] = &['"', '<', '>', '\\', '^', '`', '{', '|', '}'];
    let trimmed = raw.trim();
    let bad = || "must be an https URL".to_owned();
    if trimmed.len() > URL_MAX || !trimmed.chars().all(|c| c.is_ascii_graphic() && !FORBIDDEN.contains(&c)) {
        return Err(bad());
    }
    let rest = trimmed
        .get(..8)
        .filter(|scheme| scheme.eq_ignore_ascii_case("https://"))
        .map(|_| &trimmed[8..])
        .ok_or_else(bad)?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit('@').next().unwrap_or_default();
    let host = host.split(':').next().unwrap_or_default();
    let host_ok = !host.is_empty()
        && host.contains('.')
        && host
            .split('.')
            .all(|label| !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    if host_ok { Ok(trimmed.to_owned()) } else { Err(bad()) }
}

/// A new category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCategory {
    pub name: Name,
    pub description: Option<String>,
    pub position: i64,
}

/// The largest position a category may take, either way from 0.
pub const POSITION_MAX: i64 = 1_000_000;

/// A category's position: a whole number within [`POSITION_MAX`] of 0.
fn position(input: NumberInput) -> Result<i64, String> {
    match input {
        NumberInput::Whole(n) if n.abs() <= POSITION_MAX => Ok(n),
        _ => Err(format!("must be a whole number from -{POSITION_MAX} to {POSITION_MAX}")),
    }
}

impl NewCategory {
    pub fn parse(name: Option<&str>, desc: Option<&str>, place: Option<NumberInput>) -> Result<Self, Invalid> {
        let mut p = Problems::default();
        let name = match name {
            None => {
                p.add("invalid_name", "name", "is required");
                None
            }
            Some(raw) => p.check("invalid_name", "name", Name::parse(raw)),
        };
        let description = p.check("invalid_description", "description", desc.map(description).transpose());
        let position = p.check("invalid_position", "position", place.map_or(Ok(0), position));
        p.finish("Some category fields are invalid")?;
        match (name, description, position) {
            (Some(name), Some(description), Some(position)) => Ok(Self {
                name,
                description: description.flatten(),
                position,
            }),
            _ => Err(Invalid::field(
                "invalid_name",
                "name",
                "is required",
                "Some category fields are invalid",
            )),
        }
    }
}

/// A change to a category: `None` leaves a field alone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CategoryChange {
    pub name: Option<Name>,
    pub description: Option<Option<String>>,
    pub position: Option<i64>,
}

impl CategoryChange {
    pub fn parse(name: Patch<String>, desc: Patch<String>, place: Patch<NumberInput>) -> Result<Self, Invalid> {
        let mut p = Problems::default();
        let name = match name {
            Patch::Absent => None,
            Patch::Null => {
                p.add("invalid_name", "name", "cannot be removed");
                None
            }
            Patch::Value(raw) => p.check("invalid_name", "name", Name::parse(&raw)),
        };
        let description = match desc {
            Patch::Absent => None,
            Patch::Null => Some(None),
            Patch::Value(raw) => p.check("invalid_description", "description", description(&raw)),
        };
        let position = match place {
            Patch::Absent => None,
            Patch::Null => {
                p.add("invalid_position", "position", "cannot be removed");
                None
            }
            Patch::Value(raw) => p.check("invalid_position", "position", position(raw)),
        };
        p.finish("Some category fields are invalid")?;
        Ok(Self {
            name,
            description,
            position,
        })
    }
}

/// The fields of a dish as an admin sends them (create or patch).
#[derive(Debug, Default)]
pub struct FoodFields {
    pub name: Patch<String>,
    pub description: Patch<String>,
    pub price: Patch<NumberInput>,
    pub category_id: Patch<String>,
    pub image_url: Patch<String>,
    pub is_available: Patch<bool>,
    pub stock: Patch<NumberInput>,
    pub low_stock_threshold: Patch<NumberInput>,
    /// The tags as sent: `Err` when not a list of strings.
    pub tags: Patch<Result<Vec<String>, ()>>,
    pub featured: Patch<bool>,
    pub min_quantity: Patch<NumberInput>,
    pub max_quantity: Patch<NumberInput>,
}

/// A validated change to a dish; on create every required field is `Some`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FoodChange {
    pub name: Option<Name>,
    pub description: Option<Option<String>>,
    pub price: Option<Money>,
    pub category_id: Option<String>,
    pub image_url: Option<Option<String>>,
    pub is_available: Option<bool>,
    /// `Some(None)`: stop tracking; `Some(Some(n))`: set to n (overrides concurrent movements).
    pub stock: Option<Option<i64>>,
    pub low_stock_threshold: Option<Option<i64>>,
    pub tags: Option<Vec<Tag>>,
    pub featured: Option<bool>,
    pub min_quantity: Option<i64>,
    pub max_quantity: Option<i64>,
}

impl FoodChange {
    /// `creating`: name, price and category_id are required and nothing may be null.
    pub fn parse(fields: FoodFields, creating: bool) -> Result<Self, Invalid> {
        let mut p = Problems::default();
        let required = |p: &mut Problems, code: &'static str, field: &str, absent: bool| {
            if creating && absent {
                p.add(code, field, "is required");
            }
        };
        required(&mut p, "invalid_name", "name", fields.name.is_absent());
        required(&mut p, "invalid_price", "price", fields.price.is_absent());
        required(
            &mut p,
            "invalid_category",
            "category_id",
            fields.category_id.is_absent(),
        );

        let name = match fields.name {
            Patch::Absent => None,
            Patch::Null => {
                p.add("invalid_name", "name", "cannot be null");
                None
            }
            Patch::Value(raw) => p.check("invalid_name", "name", Name::parse(&raw)),
        };
        let price = match fields.price {
            Patch::Absent => None,
            Patch::Null => {
                p.add("invalid_price", "price", "cannot be null");
                None
            }
            Patch::Value(v) => p.check("invalid_price", "price", Money::parse_price(v)),
        };
        let category_id = match fields.category_id {
            Patch::Absent => None,
            Patch::Null => {
                p.add("invalid_category", "category_id", "cannot be null");
                None
            }
            Patch::Value(raw) => {
                let id = raw.trim().to_ascii_uppercase();
                p.check(
                    "invalid_category",
                    "category_id",
                    ulid::Ulid::from_string(&id)
                        .map(|_| id)
                        .map_err(|_| "does not exist".to_owned()),
                )
            }
        };
        let description = match fields.description {
            Patch::Absent => None,
            Patch::Null => Some(None),
            Patch::Value(raw) => p.check("invalid_description", "description", description(&raw)),
        };
        let image_url = match fields.image_url {
            Patch::Absent => None,
            Patch::Null => Some(None),
            Patch::Value(raw) if raw.trim().is_empty() => Some(None),
            Patch::Value(raw) => p.check("invalid_image_url", "image_url", image_url(&raw)).map(Some),
        };
        let is_available = match fields.is_available {
            Patch::Absent => None,
            Patch::Null => {
                p.add("invalid_field", "is_available", "cannot be null");
                None
            }
            Patch::Value(b) => Some(b),
        };
        let count = |p: &mut Problems, code: &'static str, field: &str, patch: Patch<NumberInput>| match patch {
            Patch::Absent => None,
            Patch::Null => Some(None),
            Patch::Value(v) => p.check(code, field, parse_count(v)).map(Some),
        };
        let stock = count(&mut p, "invalid_stock", "stock", fields.stock);
        let low_stock_threshold = count(
            &mut p,
            "invalid_low_stock_threshold",
            "low_stock_threshold",
            fields.low_stock_threshold,
        );
        let tags = match fields.tags {
            Patch::Absent => None,
            Patch::Null => Some(Vec::new()),
            Patch::Value(Ok(raw)) => p.check("invalid_tag", "tags", Tag::parse_all(raw.iter().map(String::as_str))),
            Patch::Value(Err(())) => {
                p.add("invalid_tag", "tags", "must be a list of tag names");
                None
            }
        };
        let featured = match fields.featured {
            Patch::Absent => None,
            Patch::Null => Some(false),
            Patch::Value(b) => Some(b),
        };
        let limit =
            |p: &mut Problems, code: &'static str, field: &str, patch: Patch<NumberInput>, default: i64| match patch {
                Patch::Absent => None,
                Patch::Null => Some(default),
                Patch::Value(v) => p.check(code, field, parse_limit(v)),
            };
        let min_quantity = limit(
            &mut p,
            "invalid_min_quantity",
            "min_quantity",
            fields.min_quantity,
            default_min_quantity(),
        );
        let max_quantity = limit(
            &mut p,
            "invalid_max_quantity",
            "max_quantity",
            fields.max_quantity,
            default_max_quantity(),
        );
        p.finish("Some food fields are invalid")?;
        Ok(Self {
            name,
            description,
            price,
            category_id,
            image_url,
            is_available,
            stock,
            low_stock_threshold,
            tags,
            featured,
            min_quantity,
            max_quantity,
        })
    }

    /// Whether the change sets the stock (else the write leaves it to the atomic movements).
    pub fn sets_stock(&self) -> bool {
        self.stock.is_some()
    }

    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Kobo as naira: `₦2,500` or `₦2,500.50`.
pub fn naira(kobo: i64) -> String {
    let sign = if kobo < 0 { "-" } else { "" };
    let kobo = kobo.unsigned_abs();
    let whole = (kobo / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match kobo % 100 {
        0 => format!("{sign}₦{grouped}"),
        k => format!("{sign}₦{grouped}.{k:02}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stock_is_optional_counted_and_sold_out_at_zero() {
        let mut food = Food::new(
            &Name::parse("Jollof").unwrap(),
            Money::from_kobo(1),
            "C".into(),
            "t".into(),
        );
        assert!(!food.sold_out() && food.can_supply(1_000), "untracked: never sold out");
        food.stock = Some(2);
        assert!(food.can_supply(2) && !food.can_supply(3) && !food.sold_out());
        food.stock = Some(0);
        assert!(food.sold_out());
        assert_eq!(parse_count(NumberInput::Whole(0)), Ok(0));
        for bad in [
            NumberInput::Whole(-1),
            NumberInput::Whole(STOCK_MAX + 1),
            NumberInput::NotWhole,
        ] {
            assert!(parse_count(bad).is_err());
        }
    }

    #[test]
    fn an_adjustment_may_take_away_only_what_is_there() {
        let add = StockAdjustment::parse(Some(NumberInput::Whole(-3))).unwrap();
        assert_eq!(add.needs_at_least(), 3);
        assert_eq!(StockAdjustment { add: 5 }.needs_at_least(), 0);
        assert_eq!(add.refusal(Some(2)), StockError::Insufficient { left: 2 });
        assert_eq!(add.refusal(None), StockError::NotTracked);
        for bad in [
            None,
            Some(NumberInput::NotWhole),
            Some(NumberInput::Whole(STOCK_MAX + 1)),
        ] {
            assert_eq!(StockAdjustment::parse(bad).unwrap_err().code, "invalid_add");
        }
    }

    #[test]
    fn stock_levels_read_now_replace_only_the_tracked_dishes_they_name() {
        let name = |n: &str| Name::parse(n).unwrap();
        let price = Money::parse_price(NumberInput::Whole(100_000)).unwrap();
        let mut suya = Food::new(&name("Suya"), price, "C".into(), "t0".into());
        suya.stock = Some(4);
        let rice = Food::new(&name("Rice"), price, "C".into(), "t0".into());
        let mut menu = Menu {
            categories: vec![],
            foods: vec![suya.clone(), rice.clone()],
        };
        let levels = menu.stock_levels();
        assert_eq!(levels.len(), 1, "an untracked dish has no level");
        assert_eq!(
            levels[&suya.id],
            StockLevel {
                stock: 4,
                updated_at: "t0".into()
            }
        );

        let now = StockLevels::from([
            (
                suya.id.clone(),
                StockLevel {
                    stock: 0,
                    updated_at: "t1".into(),
                },
            ),
            (
                "GONE".into(),
                StockLevel {
                    stock: 9,
                    updated_at: "t1".into(),
                },
            ),
        ]);
        menu.set_levels(&now);
        let shown = menu.food(&suya.id).unwrap();
        assert!(shown.sold_out());
        assert_eq!(shown.updated_at, "t1");
        assert_eq!(menu.food(&rice.id), Some(&rice), "untouched");
        assert_eq!(
            menu.stock_levels(),
            StockLevels::from([(suya.id.clone(), now[&suya.id].clone())])
        );
    }

    #[test]
    fn prices_are_positive_integers_in_kobo() {
        assert_eq!(Money::parse_price(NumberInput::Whole(250000)).unwrap().kobo(), 250_000);
        for bad in [
            NumberInput::Whole(0),
            NumberInput::Whole(-5),
            NumberInput::NotWhole,
            NumberInput::NotANumber,
            NumberInput::Whole(PRICE_MAX_KOBO + 1),
        ] {
            assert!(Money::parse_price(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn names_are_trimmed_and_compared_without_case() {
        let a = Name::parse("  Jollof   Rice ").unwrap();
        assert_eq!(a.as_str(), "Jollof Rice");
        assert_eq!(a.unique_key(), Name::parse("JOLLOF rice").unwrap().unique_key());
        assert!(Name::parse("   ").is_err());
        assert!(Name::parse(&"x".repeat(NAME_MAX + 1)).is_err());
    }

    #[test]
    fn image_urls_must_be_https() {
        assert!(image_url("https://cdn.chukskitchen.ng/jollof.jpg").is_ok());
        assert!(image_url("HTTPS://cdn.chukskitchen.ng:443/a.jpg?w=400#top").is_ok());
        for bad in [
            "http://cdn.example.com/a.jpg",
            "javascript:alert(1)",
            "https://",
            "cdn.example.com/a.jpg",
            "https://exa mple.com/a",
            "https://cdn.example.com/a<b>.jpg",
            "https://.example.com/a.jpg",
        ] {
            assert!(image_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn creating_a_food_requires_name_price_and_category() {
        let f = FoodChange::parse(FoodFields::default(), true).unwrap_err().fields;
        assert!(
            f.contains_key("name") && f.contains_key("price") && f.contains_key("category_id"),
            "{f:?}"
        );
        assert!(FoodChange::parse(FoodFields::default(), false).unwrap().is_empty());
    }

    fn photo(id: &str) -> DishImage {
        DishImage {
            id: id.into(),
            key: format!("images/{id}.jpg"),
            url: format!("https://cdn.example.ng/images/{id}.jpg"),
            content_type: "image/jpeg".into(),
            is_primary: false,
            status: ImageStatus::Pending,
            created_at: "t".into(),
        }
    }

    #[test]
    fn the_first_ready_photo_is_primary_and_image_url_follows_the_primary() {
        let mut dish = Food::new(
            &Name::parse("Suya").unwrap(),
            Money::from_kobo(1),
            "C".into(),
            "t".into(),
        );
        dish.image_url = Some("https://typed.example.ng/suya.jpg".into());
        let dish = dish.with_pending_image(photo("A"), "t1").unwrap();
        let dish = dish.with_pending_image(photo("B"), "t1").unwrap();
        assert_eq!(dish.ready_images().count(), 0, "pending photos are never public");
        assert_eq!(dish.image_url.as_deref(), Some("https://typed.example.ng/suya.jpg"));
        assert_eq!(dish.with_primary_image("B", "t2").unwrap_err(), ImageError::NotReady);
        let dish = dish.with_image_ready("B", "t2").unwrap().unwrap();
        assert!(dish.with_image_ready("B", "t2").unwrap().is_none(), "ready once");
        assert_eq!(dish.image_url.as_deref(), Some("https://cdn.example.ng/images/B.jpg"));
        let dish = dish.with_image_ready("A", "t3").unwrap().unwrap();
        let primaries: Vec<&str> = dish
            .images
            .iter()
            .filter(|i| i.is_primary)
            .map(|i| i.id.as_str())
            .collect();
        assert_eq!(primaries, ["B"], "exactly one primary");
        let dish = dish.with_primary_image("A", "t4").unwrap().unwrap();
        assert_eq!(dish.image_url.as_deref(), Some("https://cdn.example.ng/images/A.jpg"));
        let (dish, gone) = dish.without_image("A", "t5").unwrap();
        assert_eq!(gone.id, "A");
        assert!(dish.images[0].is_primary, "the oldest remaining ready photo takes over");
        assert_eq!(dish.image_url.as_deref(), Some("https://cdn.example.ng/images/B.jpg"));
        let (dish, _) = dish.without_image("B", "t6").unwrap();
        assert_eq!(dish.image_url, None, "no photo left: no picture");
        assert_eq!(dish.without_image("B", "t7").unwrap_err(), ImageError::NotFound);
    }

    #[test]
    fn a_dish_holds_at_most_eight_photos_of_three_types_up_to_five_megabytes() {
        let mut dish = Food::new(
            &Name::parse("Suya").unwrap(),
            Money::from_kobo(1),
            "C".into(),
            "t".into(),
        );
        for i in 0..MAX_IMAGES {
            dish = dish.with_pending_image(photo(&i.to_string()), "t").unwrap();
        }
        assert_eq!(
            dish.with_pending_image(photo("9"), "t").unwrap_err(),
            ImageError::TooMany
        );
        let ok = ImageUpload::parse(Some("IMAGE/PNG"), Some(NumberInput::Whole(MAX_IMAGE_BYTES))).unwrap();
        assert_eq!((ok.content_type, ok.extension), ("image/png", "png"));
        let err = ImageUpload::parse(Some("text/html"), Some(NumberInput::Whole(50 * 1024 * 1024))).unwrap_err();
        assert!(
            err.fields.contains_key("content_type") && err.fields.contains_key("size"),
            "{err:?}"
        );
        assert!(ImageUpload::parse(Some("image/jpeg"), Some(NumberInput::Whole(0))).is_err());
    }

    #[test]
    fn tags_are_known_names_kept_once_in_one_order() {
        assert_eq!(
            Tag::parse_all(["Spicy", " halal", "gluten-free", "spicy"]),
            Ok(vec![Tag::Halal, Tag::Spicy, Tag::GlutenFree])
        );
        assert!(Tag::parse_all(["spicy", "keto"]).unwrap_err().contains("keto"));
        let fields = FoodFields {
            tags: Patch::Value(Ok(vec!["keto".into()])),
            ..FoodFields::default()
        };
        assert_eq!(FoodChange::parse(fields, false).unwrap_err().code, "invalid_tag");
        let fields = FoodFields {
            tags: Patch::Value(Err(())),
            ..FoodFields::default()
        };
        assert!(
            FoodChange::parse(fields, false)
                .unwrap_err()
                .fields
                .contains_key("tags")
        );
    }

    #[test]
    fn quantity_limits_lie_within_one_to_fifty_and_never_cross() {
        let limits = |min, max| FoodFields {
            min_quantity: min,
            max_quantity: max,
            ..FoodFields::default()
        };
        for bad in [0, 51] {
            let err = FoodChange::parse(limits(Patch::Value(NumberInput::Whole(bad)), Patch::Absent), false);
            assert_eq!(err.unwrap_err().code, "invalid_min_quantity");
        }
        let dish = Food::new(
            &Name::parse("Suya").unwrap(),
            Money::from_kobo(1),
            "C".into(),
            "t".into(),
        );
        assert_eq!((dish.min_quantity, dish.max_quantity), (1, QUANTITY_LIMIT));
        let both = FoodChange::parse(
            limits(Patch::Value(NumberInput::Whole(2)), Patch::Value(NumberInput::Whole(6))),
            false,
        )
        .unwrap();
        let dish = dish.changed(&both, "t1").unwrap();
        assert!(dish.limits().allows(2) && dish.limits().allows(6) && !dish.limits().allows(7));
        let lower_max = FoodChange::parse(limits(Patch::Absent, Patch::Value(NumberInput::Whole(1))), false).unwrap();
        let err = dish.changed(&lower_max, "t2").unwrap_err();
        assert_eq!(
            (err.code, err.fields.contains_key("max_quantity")),
            ("invalid_max_quantity", true)
        );
        let raise_min = FoodChange::parse(limits(Patch::Value(NumberInput::Whole(7)), Patch::Absent), false).unwrap();
        assert!(
            dish.changed(&raise_min, "t2")
                .unwrap_err()
                .fields
                .contains_key("min_quantity")
        );
        let reset = FoodChange::parse(limits(Patch::Null, Patch::Null), false).unwrap();
        assert_eq!(
            dish.changed(&reset, "t3").unwrap().limits(),
            QuantityLimits { min: 1, max: 50 }
        );
    }

    #[test]
    fn a_listing_keeps_dishes_with_every_asked_tag_and_featured_ones_when_asked() {
        let name = |n: &str| Name::parse(n).unwrap();
        let mut suya = Food::new(&name("Suya"), Money::from_kobo(1), "C".into(), "t".into());
        suya.tags = vec![Tag::Halal, Tag::Spicy];
        suya.featured = true;
        let mut salad = Food::new(&name("Salad"), Money::from_kobo(1), "C".into(), "t".into());
        salad.tags = vec![Tag::Vegan, Tag::Halal];
        let menu = Menu {
            categories: vec![],
            foods: vec![suya, salad],
        };
        let names = |filter: FoodFilter| -> Vec<String> {
            assert!(!filter.is_everything());
            menu.listing(&filter).iter().map(|f| f.name.clone()).collect()
        };
        let tags = |tags: Vec<Tag>| FoodFilter {
            tags,
            ..FoodFilter::default()
        };
        assert_eq!(names(tags(vec![Tag::Halal])), ["Salad", "Suya"]);
        assert_eq!(names(tags(vec![Tag::Halal, Tag::Spicy])), ["Suya"]);
        assert!(names(tags(vec![Tag::Vegan, Tag::Spicy])).is_empty());
        let featured = FoodFilter {
            featured_only: true,
            ..FoodFilter::default()
        };
        assert_eq!(names(featured), ["Suya"]);
        assert!(FoodFilter::default().is_everything());
    }

    #[test]
    fn nulls_clear_optional_fields_only() {
        let fields = FoodFields {
            description: Patch::Null,
            image_url: Patch::Null,
            ..FoodFields::default()
        };
        let change = FoodChange::parse(fields, false).unwrap();
        assert_eq!(change.description, Some(None));
        assert_eq!(change.image_url, Some(None));
        let fields = FoodFields {
            price: Patch::Null,
            ..FoodFields::default()
        };
        assert!(FoodChange::parse(fields, false).is_err());
    }
}
