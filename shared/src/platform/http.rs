//! HTTP conventions shared by every function: the contract's routing rules (optional trailing
//! slash, JSON 404/405), JSON bodies with a 64 KiB limit and field-level 400s, request-scoped
//! tracing, and the response headers every answer carries.

use std::time::Instant;

use axum::Router;
use axum::extract::{FromRequest, Request};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, header};
use lambda_http::RequestExt;
use serde::de::DeserializeOwned;
use tower_http::normalize_path::NormalizePath;
use tracing::Instrument;

use crate::platform::error::{ApiError, Fields};
use crate::platform::front_door::FrontDoor;
#[cfg(test)]
use crate::platform::patch::Patch;

/// The contract's body limit.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// A request as the functions take it (Lambda's body type).
pub type LambdaRequest = http::Request<lambda_http::Body>;

/// What `lambda_http::run` receives: a router whose paths match with or without a trailing
/// slash, behind the stage's path prefix.
pub type Service = tower::util::MapRequest<NormalizePath<Router>, fn(LambdaRequest) -> LambdaRequest>;

/// What a function's state says about the front door it stands behind.
pub trait Gated {
    fn front_door(&self) -> &FrontDoor;
}

/// Finishes a function's router: the front door, JSON fallbacks, tracing, common headers,
/// state, and trailing slash normalisation. Routes are declared without the trailing slash.
pub fn service<S: Gated + Clone + Send + Sync + 'static>(routes: Router<S>, state: S) -> Service {
    let door = state.front_door().clone();
    let router = routes
        .fallback(route_not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(door, admit))
        .layer(middleware::from_fn(observe))
        .with_state(state);
    let without_stage: fn(LambdaRequest) -> LambdaRequest = without_stage;
    tower::util::MapRequest::new(NormalizePath::trim_trailing_slash(router), without_stage)
}

/// The path as the routes know it. The API's stage is named with a secret only CloudFront
/// knows (its origin path, `infra/template.yaml`), so API Gateway's own URL without it reaches
/// no stage, no route throttle and no function; requests that come through it carry the stage
/// as their first path segment, taken off here before routing and logging (so the secret is
/// never logged).
fn without_stage(mut req: LambdaRequest) -> LambdaRequest {
    let stage = match req.extensions().get::<lambda_http::request::RequestContext>() {
        Some(lambda_http::request::RequestContext::ApiGatewayV2(ctx)) => ctx.stage.clone(),
        _ => None,
    };
    let Some(stage) = stage.filter(|s| !s.is_empty() && s != "$default") else {
        return req;
    };
    let path = req.uri().path();
    let Some(rest) = path.strip_prefix('/').and_then(|p| p.strip_prefix(stage.as_str())) else {
        return req;
    };
    if !(rest.is_empty() || rest.starts_with('/')) {
        return req;
    }
    let rest = if rest.is_empty() { "/" } else { rest };
    let path_and_query = match req.uri().query() {
        Some(query) => format!("{rest}?{query}"),
        None => rest.to_owned(),
    };
    if let Ok(uri) = http::Uri::builder().path_and_query(path_and_query).build() {
        *req.uri_mut() = uri;
    }
    req
}

/// Refuses requests that came around the front door; records the client's address.
async fn admit(axum::extract::State(door): axum::extract::State<FrontDoor>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    match door.admit(&mut parts) {
        Ok(address) => {
            parts.extensions.insert(address);
            next.run(Request::from_parts(parts, body)).await
        }
        Err(refused) => refused.into_response(),
    }
}

/// What a function answers for a request none of its routes takes. API Gateway hands such
/// requests to the `$default` route (`infra/template.yaml`), whatever their path: a path the
/// route list knows under another method is a 405, any other a 404, as the contract says.
async fn route_not_found(uri: http::Uri) -> ApiError {
    if crate::platform::routes::routes_for(uri.path()).is_empty() {
        ApiError::not_found("route_not_found", "No route matches this path")
    } else {
        ApiError::MethodNotAllowed
    }
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

/// One span per request carrying the Lambda and API Gateway request ids, a log line at the end
/// with status and latency, and the headers every response carries.
async fn observe(req: Request, next: Next) -> Response {
    let lambda_request_id = req
        .lambda_context_ref()
        .map(|ctx| ctx.request_id.clone())
        .unwrap_or_default();
    let api_request_id = match req.request_context_ref() {
        Some(lambda_http::request::RequestContext::ApiGatewayV2(ctx)) => ctx.request_id.clone().unwrap_or_default(),
        _ => String::new(),
    };
    // Only when recording AWS actions: which function API Gateway routes this path to.
    let function = crate::platform::actions::enabled().then(|| crate::platform::routes::function_for(req.uri().path()));
    let span = tracing::info_span!(
        "request",
        request_id = %lambda_request_id,
        api_request_id = %api_request_id,
        method = %req.method(),
        path = %req.uri().path(),
    );
    async move {
        let started = Instant::now();
        let work = crate::platform::db::measure(crate::platform::guard::scope(next.run(req)));
        let (mut response, db) = match function {
            Some(function) => crate::platform::actions::within(function, work).await,
            None => work.await,
        };
        let headers = response.headers_mut();
        headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
        headers
            .entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("no-store"));
        crate::log_finished!("request finished", db, started, status = response.status().as_u16());
        response
    }
    .instrument(span)
    .await
}

/// A JSON request body: at most [`MAX_BODY_BYTES`] (else 413), a JSON object (else 400
/// `invalid_json`), and every field of the right type (else 400 `invalid_field` naming it).
/// Unknown fields are ignored.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let bytes = axum::body::to_bytes(req.into_body(), MAX_BODY_BYTES)
            .await
            .map_err(|err| {
                if is_length_limit(&err) {
                    ApiError::PayloadTooLarge
                } else {
                    ApiError::bad_request("invalid_json", "The request body could not be read")
                }
            })?;
        parse_json(&bytes).map(JsonBody)
    }
}

fn is_length_limit(err: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        if e.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = e.source();
    }
    false
}

/// Parses a JSON object body into `T`, turning type errors into field-level 400s.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request(
            "invalid_json",
            "The request body must be a JSON object",
        ));
    }
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|_| ApiError::bad_request("invalid_json", "The request body is not valid JSON"))?;
    if !value.is_object() {
        return Err(ApiError::bad_request(
            "invalid_json",
            "The request body must be a JSON object",
        ));
    }
    serde_path_to_error::deserialize(value).map_err(|err| {
        let path = err.path().to_string();
        let mut fields = Fields::new();
        fields.insert(path.clone(), err.inner().to_string());
        ApiError::BadRequest {
            code: "invalid_field",
            message: format!("Field {path} has the wrong type"),
            fields: Some(fields),
        }
    })
}

/// The raw `{id}` of a path, whatever else the path holds (a route served under a kitchen's
/// `{slug}` and without it alike); check it with [`path_id`].
pub struct PathId(pub String);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for PathId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut http::request::Parts, state: &S) -> Result<Self, Self::Rejection> {
        let params = axum::extract::RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::not_found("route_not_found", "No route matches this path"))?;
        let id = params.iter().find(|(name, _)| *name == "id").map(|(_, v)| v.to_owned());
        Ok(PathId(id.unwrap_or_default()))
    }
}

/// A path id: ULIDs (any case); anything else names nothing, so it is `not_found`.
pub fn path_id(raw: &str, not_found: fn() -> ApiError) -> Result<String, ApiError> {
    let id = raw.trim().to_ascii_uppercase();
    ulid::Ulid::from_string(&id).map(|_| id).map_err(|_| not_found())
}

/// Adds `Cache-Control: no-store` explicitly (token responses must never be cached).
pub fn no_store(response: impl IntoResponse) -> Response {
    let mut response = response.into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Query-string parameters; a malformed query is a JSON 400 (`invalid_query`).
pub struct QueryParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> axum::extract::FromRequestParts<S> for QueryParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut http::request::Parts, _state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::try_from_uri(&parts.uri)
            .map(|q| QueryParams(q.0))
            .map_err(|e| ApiError::bad_request("invalid_query", e.body_text()))
    }
}

/// `Cache-Control` for public, CDN-cacheable reads (the menu): a minute fresh at the edge and in
/// browsers, then served stale for up to five minutes while one request revalidates.
pub const PUBLIC_CACHE: &str = "public, max-age=60, s-maxage=60, stale-while-revalidate=300";

pub fn public_cache(response: impl IntoResponse) -> Response {
    let mut response = response.into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(PUBLIC_CACHE));
    response
}

/// A list answer, `{"items": [...]}`, serialised straight from the views (no JSON tree built
/// in between).
#[derive(Debug, serde::Serialize)]
pub struct Items<T> {
    pub items: T,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    struct Body {
        #[serde(default)]
        name: Option<String>,
        #[serde(default)]
        nick: Patch<String>,
    }

    fn staged(stage: &str, path: &str) -> LambdaRequest {
        use lambda_http::RequestExt;
        use lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpRequestContext;
        let mut context = ApiGatewayV2httpRequestContext::default();
        context.stage = Some(stage.to_owned());
        http::Request::get(path)
            .body(lambda_http::Body::Empty)
            .unwrap()
            .with_request_context(lambda_http::request::RequestContext::ApiGatewayV2(context))
    }

    #[test]
    fn the_secret_stage_is_taken_off_the_path_before_routing() {
        let req = without_stage(staged("Xk29ab", "/Xk29ab/api/foods/?q=rice"));
        assert_eq!(req.uri().to_string(), "/api/foods/?q=rice");
        assert_eq!(without_stage(staged("Xk29ab", "/Xk29ab")).uri().path(), "/");
        // Another first segment, or the default stage, is left as it is.
        assert_eq!(
            without_stage(staged("Xk29ab", "/Xk29abc/api/")).uri().path(),
            "/Xk29abc/api/"
        );
        assert_eq!(
            without_stage(staged("$default", "/api/foods/")).uri().path(),
            "/api/foods/"
        );
        assert_eq!(
            without_stage(staged("Xk29ab", "/api/foods/")).uri().path(),
            "/api/foods/"
        );
    }

    #[test]
    fn wrong_type_names_the_field() {
        let err = parse_json::<Body>(br#"{"name": 12}"#).unwrap_err();
        match err {
            ApiError::BadRequest {
                code,
                fields: Some(fields),
                ..
            } => {
                assert_eq!(code, "invalid_field");
                assert!(fields.contains_key("name"), "{fields:?}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn unknown_fields_are_ignored() {
        let body = parse_json::<Body>(br#"{"name": "a", "extra": [1,2]}"#).unwrap();
        assert_eq!(body.name.as_deref(), Some("a"));
    }

    #[test]
    fn non_objects_and_garbage_are_rejected() {
        for raw in [&b""[..], b"   ", b"[1]", b"\"x\"", b"{not json"] {
            let err = parse_json::<Body>(raw).unwrap_err();
            assert_eq!(err.code(), "invalid_json", "{:?}", String::from_utf8_lossy(raw));
        }
    }

    #[test]
    fn patch_tells_absent_from_null_from_value() {
        assert_eq!(parse_json::<Body>(b"{}").unwrap().nick, Patch::Absent);
        assert_eq!(parse_json::<Body>(br#"{"nick": null}"#).unwrap().nick, Patch::Null);
        assert_eq!(
            parse_json::<Body>(br#"{"nick": "x"}"#).unwrap().nick,
            Patch::Value("x".into())
        );
    }
}
