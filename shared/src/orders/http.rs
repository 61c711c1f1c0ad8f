//! Orders at the HTTP edge: their errors as the contract's, an order request read from its JSON,
//! the `Idempotency-Key` header, and replays of a first answer.

use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderValue, StatusCode, header};
use serde_json::Value;

use super::model::{
    ChangedBy, HandoverInput, IdempotencyKey, LineInput, LinesInput, LocationInput, OrderInput, OutOfRange,
    PaymentError, PricingError, Shortfall, Standing, TextInput, TransitionError, Viewed,
};
use super::service::{OrderError, Placement};
use crate::kitchens::model::OrderingRefusal;
use crate::platform::db::Page;
use crate::platform::error::ApiError;
use serde::Serialize;

impl From<OrderError> for ApiError {
    fn from(err: OrderError) -> Self {
        match err {
            OrderError::Invalid(invalid) => invalid.into(),
            OrderError::NotFound => order_not_found(),
            OrderError::Transition(e) => transition(e),
            OrderError::Payment(PaymentError::OnCancelled) => {
                ApiError::conflict("payment_on_cancelled", "Cannot update payment on a cancelled order")
            }
            OrderError::Payment(PaymentError::InvalidTransition) => ApiError::conflict(
                "invalid_payment_transition",
                "This payment change is not possible (refunds by hand are for cancelled cash payments only)",
            ),
            OrderError::Pricing(PricingError::FoodNotFound(id)) => ApiError::field(
                "food_not_found",
                "items",
                format!("{id} does not exist"),
                format!("Food item {id} does not exist"),
            ),
            OrderError::Pricing(PricingError::FoodUnavailable(name)) => {
                ApiError::conflict("food_unavailable", format!("{name} is currently unavailable"))
            }
            OrderError::Pricing(PricingError::InsufficientStock(short)) => insufficient_stock(&short),
            OrderError::Pricing(PricingError::QuantityOutOfRange(lines)) => quantity_out_of_range(&lines),
            OrderError::Pricing(PricingError::Overflow) => ApiError::internal(anyhow::anyhow!("order total overflow")),
            OrderError::IdempotencyConflict => ApiError::conflict(
                "idempotency_conflict",
                "This Idempotency-Key was already used with a different request",
            ),
            OrderError::EmptyCart => ApiError::bad_request("empty_cart", "Your cart is empty"),
            OrderError::CartChanged => ApiError::conflict(
                "cart_changed",
                "Your cart changed during checkout; review it and check out again",
            ),
            OrderError::TooManyOpenOrders { max } => ApiError::conflict(
                "too_many_open_orders",
                format!("You already have {max} orders waiting for payment. Pay for one or cancel it first"),
            ),
            OrderError::MixedKitchens => ApiError::field(
                "mixed_kitchens",
                "items",
                "are from more than one kitchen",
                "An order holds dishes of one kitchen; order from each kitchen separately",
            ),
            OrderError::KitchenUnavailable => ApiError::conflict(
                "kitchen_unavailable",
                "This kitchen is not taking orders on the platform",
            ),
            OrderError::Refused { refusal, time_zone } => refused(refusal, &time_zone),
            OrderError::Menu(e) => e.into(),
            OrderError::Account(e) => e.into(),
            OrderError::Coupon(refusal) => refusal.into(),
            OrderError::Pay(refusal) => refusal.into(),
            OrderError::Wallet(refusal) => refusal.into(),
            OrderError::Failure(failure) => failure.into(),
        }
    }
}

fn transition(err: TransitionError) -> ApiError {
    match err {
        TransitionError::Completed => ApiError::conflict("order_completed", "Cannot update a completed order"),
        TransitionError::Cancelled => ApiError::conflict("order_cancelled", "Cannot update a cancelled order"),
        TransitionError::PaymentRequired => ApiError::conflict("payment_required", "Payment has not been completed"),
        TransitionError::NotCancellable => {
            ApiError::conflict("order_not_cancellable", "Only pending orders can be cancelled")
        }
        TransitionError::Invalid { from, to } => ApiError::conflict(
            "invalid_transition",
            format!("Cannot change an order from {} to {}", from.as_str(), to.as_str()),
        ),
    }
}

/// 409 `insufficient_stock`: "Only <n> left of <name>" for the first short line, every short
/// line named in `fields` by its dish id.
/// 400 `quantity_out_of_range`, naming every such line by its dish's id.
pub fn quantity_out_of_range(lines: &[OutOfRange]) -> ApiError {
    let message = match lines.first() {
        Some(first) => format!("{}: the quantity {}", first.name, first.limits.problem()),
        None => "A quantity is out of range".to_owned(),
    };
    let fields = lines
        .iter()
        .map(|l| (l.food_item_id.clone(), format!("quantity {}", l.limits.problem())))
        .collect();
    ApiError::bad_request_fields("quantity_out_of_range", message, fields)
}

fn insufficient_stock(short: &[Shortfall]) -> ApiError {
    let message = match short.first() {
        Some(first) => format!("Only {} left of {}", first.left, first.name),
        None => "Not enough stock".to_owned(),
    };
    let fields = short
        .iter()
        .map(|s| (s.food_item_id.clone(), format!("only {} left", s.left)))
        .collect();
    ApiError::conflict_fields("insufficient_stock", message, fields)
}

/// An order's body as `by` sees it: `{"order": ...}`, its next steps beside its fields.
pub fn order_body<T: Standing + Serialize>(order: &T, by: ChangedBy) -> Value {
    serde_json::json!({ "order": Viewed::by(order, by) })
}

/// A page of orders as `by` sees each.
pub fn viewed_page<T: Standing + Serialize>(page: &Page<T>, by: ChangedBy) -> Page<Viewed<'_, T>> {
    Page {
        items: page.items.iter().map(|o| Viewed::by(o, by)).collect(),
        last_key: page.last_key.clone(),
    }
}

/// For path ids that cannot name an order.
pub fn order_not_found() -> ApiError {
    ApiError::not_found("order_not_found", "Order not found")
}

/// The `Idempotency-Key` header, if present.
pub fn idempotency_key(headers: &HeaderMap) -> Result<Option<IdempotencyKey>, ApiError> {
    crate::platform::routes::IDEMPOTENCY_KEY
        .read(headers)
        .map(|value| IdempotencyKey::parse(value.as_bytes()))
        .transpose()
        .map_err(ApiError::from)
}

/// An order request body as it was sent (the rules are the model's).
pub fn order_input(body: &Value) -> OrderInput {
    OrderInput {
        items: lines_input(body),
        handover: handover_input(body),
    }
}

/// The `items` of a request body, as they were sent.
pub fn lines_input(body: &Value) -> LinesInput {
    match body.get("items") {
        None | Some(Value::Null) => LinesInput::Missing,
        Some(Value::Array(items)) => LinesInput::Lines(
            items
                .iter()
                .map(|item| LineInput {
                    food_item_id: item.get("food_item_id").and_then(Value::as_str).map(str::to_owned),
                    quantity: item.get("quantity").and_then(Value::as_i64),
                })
                .collect(),
        ),
        Some(_) => LinesInput::NotAList,
    }
}

impl From<super::model::PayError> for ApiError {
    fn from(refusal: super::model::PayError) -> Self {
        match refusal {
            super::model::PayError::AlreadyPaid => ApiError::conflict("already_paid", "This order is paid already"),
            super::model::PayError::NotPayable => {
                ApiError::conflict("order_not_payable", "Only pending, unpaid orders can be paid for")
            }
        }
    }
}

/// A kitchen's refusal as the contract says it.
fn refused(refusal: OrderingRefusal, time_zone: &str) -> ApiError {
    match refusal {
        OrderingRefusal::Closed { next_open_at } => {
            let message = match next_open_at {
                Some(at) => {
                    let local = crate::kitchens::model::time_zone(time_zone)
                        .map(|tz| at.to_zoned(tz).strftime("%H:%M on %a %-d %b").to_string())
                        .unwrap_or_else(|| at.to_string());
                    format!("This kitchen is closed now. It opens again at {local}")
                }
                None => "This kitchen is not taking orders right now".to_owned(),
            };
            let mut extra = serde_json::Map::new();
            extra.insert(
                "next_open_at".into(),
                next_open_at.map_or(Value::Null, |at| Value::String(at.to_string())),
            );
            ApiError::ConflictWith {
                code: "kitchen_closed",
                message,
                extra,
            }
        }
        OrderingRefusal::FulfilmentUnavailable => ApiError::conflict_fields(
            "fulfilment_unavailable",
            "This kitchen does not offer that; choose delivery or pickup as it allows",
            [("fulfilment".to_owned(), "is not offered by this kitchen".to_owned())].into(),
        ),
        OrderingRefusal::BelowMinimumOrder { minimum } => ApiError::conflict(
            "below_minimum_order",
            format!(
                "This kitchen delivers orders of at least {}",
                crate::menu::model::naira(minimum)
            ),
        ),
        OrderingRefusal::LocationRequired => ApiError::field(
            "location_required",
            "delivery_location",
            "is required: this kitchen delivers within a distance",
            "Share where the order goes (delivery_location) so the kitchen can tell if it delivers there",
        ),
        OrderingRefusal::OutsideDeliveryArea { radius_km } => ApiError::conflict_fields(
            "outside_delivery_area",
            format!("This kitchen delivers within {radius_km} km; the address is farther"),
            [(
                "delivery_location".to_owned(),
                "is outside the delivery area".to_owned(),
            )]
            .into(),
        ),
    }
}

/// How an order is to be handed over, as a placement or checkout body sent it.
pub fn handover_input(body: &Value) -> HandoverInput {
    let text = |field: &str| match body.get(field) {
        None | Some(Value::Null) => TextInput::Missing,
        Some(Value::String(s)) => TextInput::Text(s.clone()),
        Some(_) => TextInput::NotText,
    };
    let delivery_location = match body.get("delivery_location") {
        None | Some(Value::Null) => LocationInput::Missing,
        Some(Value::Object(point)) => LocationInput::Given {
            lat: point.get("lat").and_then(Value::as_f64),
            lng: point.get("lng").and_then(Value::as_f64),
        },
        Some(_) => LocationInput::NotAnObject,
    };
    HandoverInput {
        fulfilment: text("fulfilment"),
        delivery_address: text("delivery_address"),
        note: text("note"),
        delivery_location,
        coupon_code: text("coupon_code"),
        contact_phone: text("contact_phone"),
    }
}

/// A placement's answer: 201 with the new order, or the first answer again for a retry (marked
/// `Idempotent-Replayed: true`).
pub fn placement_response(placement: Placement) -> Result<Response, ApiError> {
    let (status, body, replayed) = match placement {
        Placement::Placed { body, .. } => (StatusCode::CREATED, body, false),
        Placement::Replayed { status_code, body } => (
            StatusCode::from_u16(status_code).map_err(ApiError::internal)?,
            body,
            true,
        ),
    };
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if replayed {
        headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::orders::model::{NewOrder, RequestedLine};
    use serde_json::json;

    fn parse(v: Value) -> Result<NewOrder, ApiError> {
        NewOrder::parse(order_input(&v), "234").map_err(ApiError::from)
    }

    #[test]
    fn repeated_dishes_merge_in_first_seen_order() {
        let o = parse(json!({"items": [
            {"food_item_id": "b", "quantity": 1}, {"food_item_id": "a", "quantity": 2}, {"food_item_id": "B", "quantity": 3}
        ], "delivery_address": " 1 Marina, Lagos "})).unwrap();
        assert_eq!(
            o.lines,
            vec![
                RequestedLine {
                    food_item_id: "B".into(),
                    quantity: 4
                },
                RequestedLine {
                    food_item_id: "A".into(),
                    quantity: 2
                }
            ]
        );
        assert_eq!(o.delivery_address.as_deref(), Some("1 Marina, Lagos"));
        assert_eq!(o.fulfilment, crate::orders::model::Fulfilment::Delivery);
        assert_eq!(o.note, None);
    }

    #[test]
    fn order_requests_are_validated_whole() {
        assert_eq!(
            parse(json!({"items": [], "delivery_address": "x"})).unwrap_err().code(),
            "empty_order"
        );
        assert_eq!(
            parse(json!({"delivery_address": "x"})).unwrap_err().code(),
            "empty_order"
        );
        for q in [json!(0), json!(51), json!(1.5), json!("2")] {
            let err =
                parse(json!({"items": [{"food_item_id": "a", "quantity": q}], "delivery_address": "x"})).unwrap_err();
            assert_eq!(err.code(), "invalid_quantity", "{q}");
        }
        let err = parse(json!({"items": [{"food_item_id": "a", "quantity": 30}, {"food_item_id": "a", "quantity": 30}], "delivery_address": "x"})).unwrap_err();
        assert_eq!(err.code(), "invalid_quantity");
        let many: Vec<Value> = (0..51)
            .map(|i| json!({"food_item_id": format!("f{i}"), "quantity": 1}))
            .collect();
        assert_eq!(
            parse(json!({"items": many, "delivery_address": "x"}))
                .unwrap_err()
                .code(),
            "too_many_items"
        );
        assert_eq!(
            parse(json!({"items": [{"food_item_id": "a", "quantity": 1}]}))
                .unwrap_err()
                .code(),
            "invalid_delivery_address"
        );
        let err = parse(
            json!({"items": [{"food_item_id": "a", "quantity": 1}], "delivery_address": "x", "note": "n".repeat(501)}),
        )
        .unwrap_err();
        assert_eq!(err.code(), "invalid_note");
    }

    #[test]
    fn pickup_needs_no_address_and_keeps_none_while_delivery_needs_one() {
        use crate::orders::model::Fulfilment;
        let line = json!([{"food_item_id": "a", "quantity": 1}]);
        let o = parse(json!({"items": line, "fulfilment": "pickup"})).unwrap();
        assert_eq!((o.fulfilment, o.delivery_address), (Fulfilment::Pickup, None));
        let o = parse(json!({"items": line, "fulfilment": "Pickup", "delivery_address": "1 Marina"})).unwrap();
        assert_eq!(o.delivery_address, None, "a pickup keeps no address");
        let err = parse(json!({"items": line, "fulfilment": "delivery"})).unwrap_err();
        assert_eq!(err.code(), "invalid_delivery_address");
        for bad in [json!("drone"), json!(1), json!("")] {
            let err = parse(json!({"items": line, "fulfilment": bad, "delivery_address": "x"})).unwrap_err();
            assert_eq!(err.code(), "invalid_fulfilment", "{bad}");
        }
    }

    #[test]
    fn addresses_and_notes_with_control_characters_are_refused() {
        let line = json!([{"food_item_id": "a", "quantity": 1}]);
        let err = parse(json!({"items": line, "delivery_address": "12 Marina\u{0007}, Lagos"})).unwrap_err();
        assert_eq!(err.code(), "invalid_delivery_address");
        let err =
            parse(json!({"items": line, "delivery_address": "12 Marina", "note": "ring\u{0000}twice"})).unwrap_err();
        assert_eq!(err.code(), "invalid_note");
        let err = parse(json!({"items": line, "delivery_address": "12 Marina\nLagos"})).unwrap_err();
        assert_eq!(err.code(), "invalid_delivery_address");
    }

    #[test]
    fn pricing_errors_name_the_dish() {
        let err = ApiError::from(OrderError::Pricing(PricingError::FoodNotFound("Z".into())));
        assert_eq!(err.code(), "food_not_found");
        assert_eq!(err.to_string(), "Food item Z does not exist");
        let err = ApiError::from(OrderError::Pricing(PricingError::FoodUnavailable("Jollof".into())));
        assert_eq!(err.code(), "food_unavailable");
        assert_eq!(err.to_string(), "Jollof is currently unavailable");
    }
}
