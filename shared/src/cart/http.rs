//! The cart at the HTTP edge: its errors as the contract's and its JSON shape.

use serde_json::{Value, json};

use super::model::{CartRefusal, PricedCart};
use super::service::CartError;
use crate::platform::error::ApiError;

impl From<CartError> for ApiError {
    fn from(err: CartError) -> Self {
        match err {
            CartError::Refused(CartRefusal::Full) => ApiError::bad_request(
                "cart_full",
                format!("A cart holds at most {} dishes", crate::orders::model::MAX_LINES),
            ),
            CartError::Refused(CartRefusal::Empty) => ApiError::bad_request("empty_cart", "Your cart is empty"),
            CartError::FoodNotFound(id) => {
                ApiError::not_found("food_not_found", format!("Food item {id} does not exist"))
            }
            CartError::FoodUnavailable(name) => {
                ApiError::conflict("food_unavailable", format!("{name} is currently unavailable"))
            }
            CartError::QuantityOutOfRange(line) => {
                crate::orders::http::quantity_out_of_range(std::slice::from_ref(&line))
            }
            CartError::WrongKitchen(id) => ApiError::field(
                "wrong_kitchen",
                "food_item_id",
                "is another kitchen's dish",
                format!("Food item {id} is from another kitchen; each kitchen has its own cart"),
            ),
            CartError::Menu(e) => e.into(),
            CartError::Order(e) => e.into(),
            CartError::Account(e) => e.into(),
            CartError::Failure(f) => f.into(),
        }
    }
}

/// `{"cart": ...}`.
pub fn cart_body(cart: &PricedCart) -> Value {
    json!({ "cart": cart })
}
