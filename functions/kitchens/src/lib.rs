//! `kitchens` function: the platform's kitchens. Anyone lists the active kitchens and reads one
//! by its slug; a signed-in user applies for a kitchen (it opens pending, the applicant its
//! owner) and lists their own; managers change a kitchen's settings; the owner manages its
//! staff; the platform admin lists every kitchen and activates or suspends one.

mod reports;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, patch, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use shared::accounts::http::{Admin, Caller};
use shared::accounts::model::fields::identifier;
use shared::http::{JsonBody, QueryParams, Service, public_cache, service};
use shared::kitchens::http::{KitchenMember, Manager, Owner, kitchen_view, member_view, membership_view};
use shared::kitchens::model::{ApplicationInput, Kitchen, KitchenStatus, staff_role};
use shared::platform::pagination::PageQuery;
use shared::{ApiError, App};

pub fn router(app: App) -> Service {
    service(
        Router::new()
            .route("/api/kitchens", get(directory).post(apply))
            .route("/api/kitchens/mine", get(mine))
            .route("/api/kitchens/admin", get(all))
            .route("/api/kitchens/{slug}", get(one))
            .route("/api/kitchens/{slug}/manage", patch(change))
            .route("/api/kitchens/{slug}/manage/staff", get(staff).post(add_member))
            .route("/api/kitchens/{slug}/manage/staff/{user_id}", delete(remove_member))
            .route("/api/kitchens/admin/{slug}/status", post(decide))
            .route("/api/kitchens/admin/reports/sales", get(reports::platform))
            .route("/api/kitchens/{slug}/manage/reports/sales", get(reports::kitchen)),
        app,
    )
}

fn view(app: &App, kitchen: &Kitchen) -> Value {
    kitchen_view(kitchen, app.config.home_kitchen.as_deref(), jiff::Timestamp::now())
}

#[derive(Debug, Default, Deserialize)]
struct DirectoryQuery {
    #[serde(default)]
    q: Option<String>,
    #[serde(default)]
    open_now: Option<String>,
    #[serde(flatten)]
    page: PageQuery,
}

/// `?open_now=`: `true` or `false` (absent: false).
fn flag(raw: Option<&str>) -> Result<bool, ApiError> {
    match raw.map(str::trim) {
        None | Some("") | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(_) => Err(ApiError::field(
            "invalid_query",
            "open_now",
            "must be true or false",
            "open_now must be true or false",
        )),
    }
}

/// Active kitchens, a page at a time (`?q=` in the name, `?open_now=true`), cacheable at the edge.
async fn directory(
    State(app): State<App>,
    QueryParams(query): QueryParams<DirectoryQuery>,
) -> Result<Response, ApiError> {
    let open_now = flag(query.open_now.as_deref())?;
    let scope = "kitchens:directory";
    let page = app.cursors.page(scope, &query.page)?;
    let now = jiff::Timestamp::now();
    let kitchens = app.kitchens.directory(query.q.as_deref(), open_now, now, &page).await?;
    let kitchens = kitchens.map(|k| view(&app, &k));
    Ok(public_cache(Json(app.cursors.listing(scope, &kitchens)?)))
}

/// A new kitchen, pending, with the caller as its owner.
async fn apply(
    State(app): State<App>,
    caller: Caller,
    JsonBody(input): JsonBody<ApplicationInput>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let kitchen = app.kitchens.apply(&caller, &input).await?;
    Ok((StatusCode::CREATED, Json(json!({ "kitchen": view(&app, &kitchen) }))))
}

/// The caller's kitchens, whatever their status, with the caller's role in each.
async fn mine(State(app): State<App>, caller: Caller) -> Result<Json<Value>, ApiError> {
    let mine = app.kitchens.mine(&caller).await?;
    let now = jiff::Timestamp::now();
    let items: Vec<Value> = mine
        .iter()
        .map(|(kitchen, role)| membership_view(kitchen, *role, app.config.home_kitchen.as_deref(), now))
        .collect();
    Ok(Json(json!({ "items": items })))
}

/// An active kitchen by its slug (any other: 404), cacheable at the edge.
async fn one(State(app): State<App>, Path(slug): Path<String>) -> Result<Response, ApiError> {
    let kitchen = app.kitchens.public(&slug).await?;
    Ok(public_cache(Json(json!({ "kitchen": view(&app, &kitchen) }))))
}

/// A manager changes the kitchen's settings (hours, closures, pause, delivery, pickup, profile).
async fn change(
    State(app): State<App>,
    member: KitchenMember<Manager>,
    JsonBody(body): JsonBody<serde_json::Map<String, Value>>,
) -> Result<Json<Value>, ApiError> {
    if body.contains_key("paystack_subaccount") && member.subject.role != shared::accounts::model::Role::Admin {
        return Err(ApiError::Forbidden {
            code: "forbidden",
            message: "Only the platform admin sets a kitchen's Paystack subaccount",
        });
    }
    let change = app.kitchens.parse_change(&body)?;
    let kitchen = app.kitchens.change(&member.kitchen_id, &change).await?;
    Ok(Json(json!({ "kitchen": view(&app, &kitchen) })))
}

/// Every member, the owner included.
async fn staff(State(app): State<App>, member: KitchenMember<Owner>) -> Result<Json<Value>, ApiError> {
    let members = app.kitchens.staff(&member.kitchen_id).await?;
    let items: Vec<Value> = members.iter().map(member_view).collect();
    Ok(Json(json!({ "items": items })))
}

#[derive(Debug, Deserialize)]
struct NewMember {
    #[serde(default)]
    identifier: Option<String>,
    #[serde(default)]
    role: Option<String>,
}

/// Adds a verified user as a manager or staff.
async fn add_member(
    State(app): State<App>,
    member: KitchenMember<Owner>,
    JsonBody(body): JsonBody<NewMember>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let (who, role) = (
        identifier(body.identifier.as_deref(), &app.config.default_country_code),
        staff_role(body.role.as_deref()),
    );
    let (who, role) = match (who, role) {
        (Ok(who), Ok(role)) => (who, role),
        (who, role) => {
            return Err(shared::platform::validation::Invalid::merge([who.err(), role.err()])
                .map(ApiError::from)
                .unwrap_or_else(|| ApiError::bad_request("invalid_field", "Invalid member")));
        }
    };
    let added = app.kitchens.add_member(&member.kitchen_id, &who, role).await?;
    Ok((StatusCode::CREATED, Json(json!({ "member": member_view(&added) }))))
}

/// Removes a manager or staff member; effective on their next request.
async fn remove_member(
    State(app): State<App>,
    member: KitchenMember<Owner>,
    Path((_, user_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    app.kitchens.remove_member(&member.kitchen_id, user_id.trim()).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Default, Deserialize)]
struct AdminQuery {
    #[serde(default)]
    status: Option<String>,
    #[serde(flatten)]
    page: PageQuery,
}

/// Every kitchen, or those of one status, a page at a time (the platform admin's list).
async fn all(
    State(app): State<App>,
    _admin: Admin,
    QueryParams(query): QueryParams<AdminQuery>,
) -> Result<Json<Value>, ApiError> {
    let status = match query.status.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => Some(KitchenStatus::parse_filter(raw)?),
    };
    let scope = format!("kitchens:admin:{}", status.map_or("all", KitchenStatus::as_str));
    let page = app.cursors.page(&scope, &query.page)?;
    let kitchens = app.kitchens.all(status, &page).await?.map(|k| view(&app, &k));
    Ok(Json(app.cursors.listing(&scope, &kitchens)?))
}

#[derive(Debug, Deserialize)]
struct Decision {
    #[serde(default)]
    status: Option<String>,
}

/// The platform admin activates or suspends a kitchen (`pending` cannot be set).
async fn decide(
    State(app): State<App>,
    _admin: Admin,
    Path(slug): Path<String>,
    JsonBody(decision): JsonBody<Decision>,
) -> Result<Json<Value>, ApiError> {
    let status = KitchenStatus::parse_decision(decision.status.as_deref())?;
    let kitchen = app.kitchens.decide(&slug, status).await?;
    Ok(Json(json!({ "kitchen": view(&app, &kitchen) })))
}
