//! Sales reports: a kitchen's (its owner and managers, or the platform admin) and the
//! platform's across kitchens (the platform admin). JSON, or CSV with `?format=csv`.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, header};
use serde::Deserialize;
use shared::accounts::http::Admin;
use shared::http::QueryParams;
use shared::kitchens::http::{KitchenMember, Manager};
use shared::reports::service::csv;
use shared::{ApiError, App};

#[derive(Debug, Deserialize)]
pub struct ReportQuery {
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub format: Option<String>,
}

/// `json` (the default) or `csv`.
fn wants_csv(format: Option<&str>) -> Result<bool, ApiError> {
    match format.map(str::trim) {
        None | Some("") | Some("json") => Ok(false),
        Some("csv") => Ok(true),
        Some(_) => Err(ApiError::field(
            "invalid_format",
            "format",
            "must be json or csv",
            "Unknown report format",
        )),
    }
}

fn as_csv(body: String, name: String) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    shared::http::no_store(response)
}

pub async fn kitchen(
    State(app): State<App>,
    member: KitchenMember<Manager>,
    QueryParams(query): QueryParams<ReportQuery>,
) -> Result<Response, ApiError> {
    let csv_wanted = wants_csv(query.format.as_deref())?;
    let report = app
        .reports
        .kitchen(&member.kitchen_id, query.from.as_deref(), query.to.as_deref())
        .await?;
    if csv_wanted {
        let name = format!("{}-sales-{}-to-{}.csv", member.slug, report.from, report.to);
        return Ok(as_csv(csv(&report), name));
    }
    Ok(shared::http::no_store(Json(report)))
}

pub async fn platform(
    State(app): State<App>,
    _admin: Admin,
    QueryParams(query): QueryParams<ReportQuery>,
) -> Result<Response, ApiError> {
    let csv_wanted = wants_csv(query.format.as_deref())?;
    let report = app.reports.platform(query.from.as_deref(), query.to.as_deref()).await?;
    if csv_wanted {
        let name = format!("platform-sales-{}-to-{}.csv", report.report.from, report.report.to);
        return Ok(as_csv(csv(&report.report), name));
    }
    Ok(shared::http::no_store(Json(report)))
}
