//! Coupons at the HTTP edge: their errors as the contract's, and the JSON view.

use serde_json::{Value, json};

use super::model::{Coupon, CouponRefusal, Offer};
use super::service::CouponError;
use crate::platform::error::ApiError;

impl From<CouponError> for ApiError {
    fn from(err: CouponError) -> Self {
        match err {
            CouponError::Invalid(invalid) => invalid.into(),
            CouponError::NotFound => coupon_not_found(),
            CouponError::CodeTaken => ApiError::conflict_fields(
                "coupon_exists",
                "This kitchen already has a coupon with this code",
                [("code".to_owned(), "is taken in this kitchen".to_owned())].into(),
            ),
            CouponError::Failure(f) => f.into(),
        }
    }
}

impl From<CouponRefusal> for ApiError {
    fn from(refusal: CouponRefusal) -> Self {
        match refusal {
            CouponRefusal::NotFound => coupon_not_found(),
            CouponRefusal::NotStarted(at) => {
                ApiError::conflict("coupon_not_started", format!("This coupon can be used from {at}"))
            }
            CouponRefusal::Expired => ApiError::conflict("coupon_expired", "This coupon has expired"),
            CouponRefusal::Exhausted => ApiError::conflict("coupon_exhausted", "This coupon has been used up"),
            CouponRefusal::LimitReached => ApiError::conflict(
                "coupon_limit_reached",
                "You have already used this coupon as many times as it allows",
            ),
            CouponRefusal::TierMismatch(tier) => {
                ApiError::conflict("coupon_tier_mismatch", format!("This coupon is for {tier} customers"))
            }
            CouponRefusal::BelowMinimum(min) => ApiError::conflict(
                "below_minimum_subtotal",
                format!(
                    "This coupon needs a subtotal of at least {}",
                    crate::menu::model::naira(min)
                ),
            ),
            CouponRefusal::NotApplicable => {
                ApiError::conflict("coupon_not_applicable", "This coupon needs its dishes in the order")
            }
        }
    }
}

/// For path ids that cannot name a coupon.
pub fn coupon_not_found() -> ApiError {
    ApiError::not_found("coupon_not_found", "Coupon not found")
}

/// A coupon as the contract shows it, with its kitchen.
pub fn coupon_view(c: &Coupon, slug: &str) -> Value {
    let mut view = json!({
        "id": c.id,
        "code": c.code.as_str(),
        "description": c.description,
        "kind": c.offer.kind(),
        "min_subtotal": c.min_subtotal,
        "max_discount": c.max_discount,
        "starts_at": c.starts_at,
        "ends_at": c.ends_at,
        "usage_limit": c.usage_limit,
        "per_customer_limit": c.per_customer_limit,
        "customer_tier": c.customer_tier,
        "active": c.active,
        "uses": c.uses,
        "currency": crate::menu::model::CURRENCY,
        "kitchen": {"id": c.kitchen_id, "slug": slug},
        "created_at": c.created_at,
        "updated_at": c.updated_at,
    });
    match &c.offer {
        Offer::Percent { percent } => view["percent"] = json!(percent),
        Offer::Fixed { amount } => view["amount"] = json!(amount),
        Offer::BuyXGetY { buy, get } => {
            view["buy"] = json!(buy);
            view["get"] = json!(get);
        }
        Offer::Tiered { tiers } => view["tiers"] = json!(tiers),
    }
    view
}
