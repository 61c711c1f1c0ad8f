//! The kitchens' HTTP edge: the one mapping of their errors to the contract's, and the kitchen
//! as the API shows it (with `open_now`, `next_open_at` and `is_home` computed at read time).

use jiff::Timestamp;
use serde_json::{Value, json};

use super::model::{Kitchen, KitchenRole};
use super::service::KitchenError;
use crate::platform::error::ApiError;

impl From<KitchenError> for ApiError {
    fn from(err: KitchenError) -> Self {
        match err {
            KitchenError::Invalid(invalid) => invalid.into(),
            KitchenError::SlugTaken => ApiError::conflict_fields(
                "slug_taken",
                "This slug is taken; choose another",
                [("slug".to_owned(), "is taken".to_owned())].into(),
            ),
            KitchenError::NotFound => kitchen_not_found(),
            KitchenError::Failure(failure) => failure.into(),
        }
    }
}

pub fn kitchen_not_found() -> ApiError {
    ApiError::not_found("kitchen_not_found", "Kitchen not found")
}

/// A kitchen as the API shows it at `now`; `home` is the home kitchen's slug (`HOME_KITCHEN`).
pub fn kitchen_view(kitchen: &Kitchen, home: Option<&str>, now: Timestamp) -> Value {
    let schedule = kitchen.schedule();
    let mut view = serde_json::to_value(kitchen).unwrap_or(Value::Null);
    if let Some(object) = view.as_object_mut() {
        object.insert("open_now".into(), json!(schedule.open_at(now)));
        object.insert(
            "next_open_at".into(),
            json!(schedule.next_open_at(now).map(|t| t.to_string())),
        );
        object.insert("is_home".into(), json!(home == Some(kitchen.slug.as_str())));
    }
    view
}

/// A member's kitchen, as `GET /api/kitchens/mine/` lists it.
pub fn membership_view(kitchen: &Kitchen, role: KitchenRole, home: Option<&str>, now: Timestamp) -> Value {
    json!({ "kitchen": kitchen_view(kitchen, home, now), "role": role })
}
