//! The menu at the HTTP edge: its errors as the contract's, the JSON shapes of categories and
//! dishes, and the admin's dish fields as sent.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::model::{
    Category, DishImage, Food, FoodFields, FoodFilter, ImageError, ImageStatus, MAX_IMAGES, NumberInput, StockError,
    Tag,
};
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
            #[cfg(feature = "import")]
            MenuError::Import(err) => import_error(err),
            MenuError::Image(ImageError::TooMany) => ApiError::conflict(
                "too_many_images",
                format!("A dish holds at most {MAX_IMAGES} photos; delete one first"),
            ),
            MenuError::Image(ImageError::NotFound) => image_not_found(),
            MenuError::Image(ImageError::NotReady) => ApiError::conflict(
                "image_not_ready",
                "This photo is not uploaded yet; only an uploaded photo can be the main one",
            ),
            MenuError::UploadMissing => ApiError::conflict(
                "upload_missing",
                "The photo has not reached storage yet: upload it, then confirm it",
            ),
            MenuError::Failure(failure) => failure.into(),
        }
    }
}

#[cfg(feature = "import")]
fn import_error(err: super::import::ImportError) -> ApiError {
    use super::import::{ImportError, MAX_IMPORT_ROWS};
    match err {
        ImportError::Unreadable(problem) => {
            ApiError::field("invalid_import", "file", problem, "The file cannot be read")
        }
        ImportError::TooManyRows(n) => ApiError::bad_request(
            "import_too_large",
            format!("The file has {n} rows; import at most {MAX_IMPORT_ROWS} at a time"),
        ),
        ImportError::Rows(problems) => {
            let n = problems.len();
            ApiError::bad_request_fields(
                "invalid_import",
                format!("Nothing was imported: fix the {n} row(s) named and import the file again"),
                problems.into_iter().collect(),
            )
        }
    }
}

/// For path ids that cannot name a dish.
pub fn food_not_found() -> ApiError {
    ApiError::not_found("food_not_found", "Food item not found")
}

/// For path ids that cannot name a dish's photo.
pub fn image_not_found() -> ApiError {
    ApiError::not_found("image_not_found", "Photo not found")
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
    pub position: i64,
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
            position: c.position,
            food_count: with_count.then_some(c.food_count),
            created_at: &c.created_at,
            updated_at: &c.updated_at,
        }
    }
}

/// A dish's photo: `status` only to its managers (the public sees only uploaded ones).
#[derive(Debug, Serialize)]
pub struct ImageView<'a> {
    pub id: &'a str,
    pub url: &'a str,
    pub is_primary: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<ImageStatus>,
}

impl<'a> ImageView<'a> {
    pub fn public(i: &'a DishImage) -> Self {
        Self {
            id: &i.id,
            url: &i.url,
            is_primary: i.is_primary,
            status: None,
        }
    }

    pub fn admin(i: &'a DishImage) -> Self {
        Self {
            status: Some(i.status),
            ..Self::public(i)
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
    pub images: Vec<ImageView<'a>>,
    pub tags: &'a [Tag],
    pub featured: bool,
    pub min_quantity: i64,
    pub max_quantity: i64,
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
            images: f.ready_images().map(ImageView::public).collect(),
            tags: &f.tags,
            featured: f.featured,
            min_quantity: f.min_quantity,
            max_quantity: f.max_quantity,
            stock: None,
            created_at: &f.created_at,
            updated_at: &f.updated_at,
        }
    }

    pub fn dish(d: &'a Dish) -> Self {
        Self::of(&d.food, d.category_name.as_deref())
    }

    /// As admins see it: with its stock, and its pending photos too.
    pub fn admin(f: &'a Food, category_name: Option<&'a str>) -> Self {
        Self {
            images: f.images.iter().map(ImageView::admin).collect(),
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

/// The public menu's filters, from the query string: `category`, `q`, `tag` (repeatable: every
/// tag must match), `featured=true`. An unknown tag -> 400 `invalid_tag`; a `featured` that is
/// not `true`/`false` -> 400 `invalid_query`.
pub fn public_filter(query: Option<&str>) -> Result<FoodFilter, ApiError> {
    let mut filter = FoodFilter::default();
    for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match key.as_ref() {
            "category" => filter.category_id = Some(value.into_owned()),
            "q" => filter.name_contains = Some(value.into_owned()),
            "tag" => {
                let tag = Tag::parse(&value)
                    .map_err(|problem| ApiError::field("invalid_tag", "tag", problem, "Unknown tag"))?;
                if !filter.tags.contains(&tag) {
                    filter.tags.push(tag);
                }
            }
            "featured" => {
                filter.featured_only = match value.as_ref() {
                    "true" | "1" => true,
                    "false" | "0" | "" => false,
                    _ => return Err(ApiError::bad_request("invalid_query", "featured must be true or false")),
                }
            }
            _ => {}
        }
    }
    Ok(filter)
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
    #[serde(default)]
    pub tags: Patch<Value>,
    #[serde(default)]
    pub featured: Patch<bool>,
    #[serde(default)]
    pub min_quantity: Patch<Value>,
    #[serde(default)]
    pub max_quantity: Patch<Value>,
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
            tags: match self.tags {
                Patch::Absent => Patch::Absent,
                Patch::Null => Patch::Null,
                Patch::Value(v) => Patch::Value(serde_json::from_value::<Vec<String>>(v).map_err(|_| ())),
            },
            featured: self.featured,
            min_quantity: number_patch(self.min_quantity),
            max_quantity: number_patch(self.max_quantity),
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
    #[serde(default)]
    pub position: Patch<Value>,
}

impl CategoryRequest {
    /// Its position as sent.
    pub fn position(&self) -> Patch<NumberInput> {
        number_patch(self.position.clone())
    }
}
