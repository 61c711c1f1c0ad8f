//! The order board's routes: a kitchen's queue, status changes and payments. The home
//! kitchen's (`/api/orders/admin/...`) for the platform admin; a kitchen's own
//! (`/api/kitchens/{slug}/manage/orders/...`) for its staff, managers and owner (or the
//! platform admin). A kitchen sees only its own orders: another's is 404.

use axum::Json;
use axum::extract::{FromRequestParts, RawPathParams, State};
use http::request::Parts;
use serde::Deserialize;
use serde_json::Value;
use shared::accounts::http::Admin;
use shared::accounts::model::Subject;
use shared::http::{JsonBody, PathId, QueryParams, path_id};
use shared::kitchens::http::{KitchenMember, Staff};
use shared::orders::http::{order_body, order_not_found, viewed_page};
use shared::orders::model::{ChangedBy, OrderStatus, PaymentStatus};
use shared::pagination::PageQuery;
use shared::{ApiError, App};

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub status: Option<String>,
    #[serde(flatten)]
    pub page: PageQuery,
}

#[derive(Debug, Deserialize)]
pub struct StatusRequest {
    #[serde(default)]
    pub status: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct PaymentRequest {
    #[serde(default)]
    pub payment_status: Option<String>,
}

/// Who works a board, and whose board it is: the path's kitchen for its staff (or the platform
/// admin), else the home kitchen for the platform admin. Decided by the caller extractors.
pub struct BoardOf {
    pub caller: Subject,
    pub kitchen_id: String,
}

impl FromRequestParts<App> for BoardOf {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let has_slug = RawPathParams::from_request_parts(parts, app)
            .await
            .is_ok_and(|params| params.iter().any(|(name, _)| name == "slug"));
        if has_slug {
            let member = KitchenMember::<Staff>::from_request_parts(parts, app).await?;
            return Ok(BoardOf {
                caller: member.subject,
                kitchen_id: member.kitchen_id,
            });
        }
        let admin = Admin::from_request_parts(parts, app).await?;
        Ok(BoardOf {
            caller: admin.0,
            kitchen_id: app.home_kitchen().await?,
        })
    }
}

impl BoardOf {
    /// The kitchen's side, as the order's rules name whoever works the board.
    fn side(&self) -> ChangedBy {
        ChangedBy::on_the_board(self.caller.role)
    }
}

/// Newest first, one status or all, paginated.
pub async fn list(
    State(app): State<App>,
    board: BoardOf,
    QueryParams(query): QueryParams<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let status = match query.status.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => Some(OrderStatus::parse_field(Some(raw), "status")?),
    };
    let scope = format!(
        "orders:admin:{}:{}",
        board.kitchen_id,
        status.map_or("all", OrderStatus::as_str)
    );
    let page = app.cursors.page(&scope, &query.page)?;
    let orders = app.orders.orders(&board.kitchen_id, status, &page).await?;
    Ok(Json(app.cursors.listing(&scope, &viewed_page(&orders, board.side()))?))
}

pub async fn one(State(app): State<App>, board: BoardOf, PathId(id): PathId) -> Result<Json<Value>, ApiError> {
    let id = path_id(&id, order_not_found)?;
    let order = app.orders.order(&board.kitchen_id, &id).await?;
    Ok(Json(order_body(&order, board.side())))
}

/// One step of the lifecycle (or a cancel), by the rules of the order's state machine.
pub async fn set_status(
    State(app): State<App>,
    board: BoardOf,
    PathId(id): PathId,
    JsonBody(req): JsonBody<StatusRequest>,
) -> Result<Json<Value>, ApiError> {
    let to = OrderStatus::parse_field(req.status.as_deref(), "status")?;
    let id = path_id(&id, order_not_found)?;
    let order = app.orders.set_status(&board.caller, &board.kitchen_id, &id, to).await?;
    Ok(Json(order_body(&order, board.side())))
}

/// `unpaid -> paid`; `paid` again is a no-op 200; never on a cancelled order.
pub async fn set_payment(
    State(app): State<App>,
    board: BoardOf,
    PathId(id): PathId,
    JsonBody(req): JsonBody<PaymentRequest>,
) -> Result<Json<Value>, ApiError> {
    let requested = PaymentStatus::parse_field(req.payment_status.as_deref())?;
    let id = path_id(&id, order_not_found)?;
    let order = app
        .orders
        .set_payment(&board.caller, &board.kitchen_id, &id, requested)
        .await?;
    Ok(Json(order_body(&order, board.side())))
}
