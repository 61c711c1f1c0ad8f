//! A kitchen's coupons, for its owner and managers (`/api/kitchens/{slug}/manage/coupons/...`).

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde_json::{Value, json};
use shared::coupons::http::{coupon_not_found, coupon_view};
use shared::coupons::model::{CouponChange, Fields};
use shared::http::{JsonBody, PathId, path_id};
use shared::kitchens::http::{KitchenMember, Manager};
use shared::{ApiError, App};

pub async fn create(
    State(app): State<App>,
    member: KitchenMember<Manager>,
    JsonBody(fields): JsonBody<Fields>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let coupon = app.coupons.create(&member.kitchen_id, &fields).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "coupon": coupon_view(&coupon, &member.slug) })),
    ))
}

pub async fn list(State(app): State<App>, member: KitchenMember<Manager>) -> Result<Json<Value>, ApiError> {
    let coupons = app.coupons.all(&member.kitchen_id).await?;
    let items: Vec<Value> = coupons.iter().map(|c| coupon_view(c, &member.slug)).collect();
    Ok(Json(json!({ "items": items })))
}

pub async fn change(
    State(app): State<App>,
    member: KitchenMember<Manager>,
    PathId(id): PathId,
    JsonBody(fields): JsonBody<Fields>,
) -> Result<Json<Value>, ApiError> {
    let id = path_id(&id, coupon_not_found)?;
    let change = CouponChange::parse(&fields)?;
    let coupon = app.coupons.change(&member.kitchen_id, &id, &change).await?;
    Ok(Json(json!({ "coupon": coupon_view(&coupon, &member.slug) })))
}

pub async fn delete(
    State(app): State<App>,
    member: KitchenMember<Manager>,
    PathId(id): PathId,
) -> Result<Response, ApiError> {
    let id = path_id(&id, coupon_not_found)?;
    app.coupons.delete(&member.kitchen_id, &id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
