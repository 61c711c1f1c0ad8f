//! The menu: categories and dishes, with the rules admins edit them by.

use serde::Serialize;
use serde_json::Value;

use crate::platform::error::{ApiError, Fields};
use crate::platform::patch::Patch;

pub const CURRENCY: &str = "NGN";
pub const NAME_MAX: usize = 120;
pub const DESCRIPTION_MAX: usize = 1000;
pub const URL_MAX: usize = 2048;
/// NGN 10,000,000.00: a price above this is a typo, not a dish.
pub const PRICE_MAX_KOBO: i64 = 1_000_000_000;

/// An amount in kobo (the minor unit of NGN). Always an integer, never a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Money(i64);

impl Money {
    pub fn kobo(self) -> i64 {
        self.0
    }

    pub fn from_kobo(kobo: i64) -> Self {
        Self(kobo)
    }

    /// A price: a JSON integer from 1 to [`PRICE_MAX_KOBO`].
    pub fn parse_price(value: &Value) -> Result<Self, String> {
        match value.as_i64() {
            Some(n) if (1..=PRICE_MAX_KOBO).contains(&n) => Ok(Self(n)),
            Some(_) => Err(format!("must be from 1 to {PRICE_MAX_KOBO} kobo")),
            None if value.is_number() => Err("must be a whole number of kobo (no decimals)".into()),
            None => Err("must be an integer amount in kobo".into()),
        }
    }

    pub fn checked_mul(self, n: i64) -> Option<Self> {
        self.0.checked_mul(n).map(Self)
    }

    pub fn checked_add(self, other: Self) -> Option<Self> {
        self.0.checked_add(other.0).map(Self)
    }
}

pub fn food_not_found() -> ApiError {
    ApiError::not_found("food_not_found", "Food item not found")
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

/// An image URL: absolute `https://` with a host.
pub fn image_url(raw: &str) -> Result<String, String> {
    let trimmed = raw.trim();
    let bad = || "must be an https URL".to_owned();
    if trimmed.len() > URL_MAX || trimmed.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad());
    }
    let uri: http::Uri = trimmed.parse().map_err(|_| bad())?;
    match (uri.scheme_str(), uri.host()) {
        (Some(s), Some(h)) if s.eq_ignore_ascii_case("https") && !h.is_empty() && h.contains('.') => {
            Ok(trimmed.to_owned())
        }
        _ => Err(bad()),
    }
}

/// Collects field problems; finishes as one 400 with every field named.
#[derive(Default)]
pub struct Problems {
    first_code: Option<&'static str>,
    fields: Fields,
}

impl Problems {
    pub fn add(&mut self, code: &'static str, field: &str, problem: impl Into<String>) {
        self.first_code.get_or_insert(code);
        self.fields.insert(field.to_owned(), problem.into());
    }

    /// `Some(v)` when valid, recording the problem otherwise.
    pub fn check<T>(&mut self, code: &'static str, field: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(problem) => {
                self.add(code, field, problem);
                None
            }
        }
    }

    pub fn finish(self, message: &str) -> Result<(), ApiError> {
        match self.first_code {
            None => Ok(()),
            Some(code) => Err(ApiError::BadRequest {
                code,
                message: message.to_owned(),
                fields: Some(self.fields),
            }),
        }
    }
}

/// A new category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCategory {
    pub name: Name,
    pub description: Option<String>,
}

impl NewCategory {
    pub fn parse(name: Option<&str>, desc: Option<&str>) -> Result<Self, ApiError> {
        let mut p = Problems::default();
        let name = match name {
            None => {
                p.add("invalid_name", "name", "is required");
                None
            }
            Some(raw) => p.check("invalid_name", "name", Name::parse(raw)),
        };
        let description = p.check("invalid_description", "description", desc.map(description).transpose());
        p.finish("Some category fields are invalid")?;
        match (name, description) {
            (Some(name), Some(description)) => Ok(Self {
                name,
                description: description.flatten(),
            }),
            _ => Err(ApiError::internal(anyhow::anyhow!("category parse lost a problem"))),
        }
    }
}

/// A change to a category: `None` leaves a field alone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CategoryChange {
    pub name: Option<Name>,
    pub description: Option<Option<String>>,
}

impl CategoryChange {
    pub fn parse(name: Patch<String>, desc: Patch<String>) -> Result<Self, ApiError> {
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
        p.finish("Some category fields are invalid")?;
        Ok(Self { name, description })
    }
}

/// The fields of a dish as an admin sends them (create or patch).
#[derive(Debug, Default, serde::Deserialize)]
pub struct FoodFields {
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
}

impl FoodChange {
    /// `creating`: name, price and category_id are required and nothing may be null.
    pub fn parse(fields: FoodFields, creating: bool) -> Result<Self, ApiError> {
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
            Patch::Value(v) => p.check("invalid_price", "price", Money::parse_price(&v)),
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
        p.finish("Some food fields are invalid")?;
        Ok(Self {
            name,
            description,
            price,
            category_id,
            image_url,
            is_available,
        })
    }

    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn prices_are_positive_integers_in_kobo() {
        assert_eq!(Money::parse_price(&json!(250000)).unwrap().kobo(), 250_000);
        for bad in [
            json!(0),
            json!(-5),
            json!(2500.5),
            json!(2500.0),
            json!("2500"),
            json!(PRICE_MAX_KOBO + 1),
        ] {
            assert!(Money::parse_price(&bad).is_err(), "{bad}");
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
        for bad in [
            "http://cdn.example.com/a.jpg",
            "javascript:alert(1)",
            "https://",
            "cdn.example.com/a.jpg",
            "https://exa mple.com/a",
        ] {
            assert!(image_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn creating_a_food_requires_name_price_and_category() {
        let err = FoodChange::parse(FoodFields::default(), true).unwrap_err();
        match err {
            ApiError::BadRequest { fields: Some(f), .. } => {
                assert!(
                    f.contains_key("name") && f.contains_key("price") && f.contains_key("category_id"),
                    "{f:?}"
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(FoodChange::parse(FoodFields::default(), false).unwrap().is_empty());
    }

    #[test]
    fn nulls_clear_optional_fields_only() {
        let fields: FoodFields = serde_json::from_value(json!({"description": null, "image_url": null})).unwrap();
        let change = FoodChange::parse(fields, false).unwrap();
        assert_eq!(change.description, Some(None));
        assert_eq!(change.image_url, Some(None));
        let fields: FoodFields = serde_json::from_value(json!({"price": null})).unwrap();
        assert!(FoodChange::parse(fields, false).is_err());
    }
}
