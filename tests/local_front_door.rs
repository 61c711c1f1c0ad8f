//! `local-front-door`: CloudFront as `infra/template.yaml` configures it, on 127.0.0.1, in front
//! of the local API and the built web app (`tests/edge.rs` reads the template): `/api/*` goes to
//! the API with only the headers the policies forward, plus `CloudFront-Viewer-Address` and the
//! origin's `X-Origin-Verify`; every other path is the web app's files; every answer carries the
//! response headers policy (CSP, HSTS, ...). `dev.sh up`, the API fuzzing and the browser journeys
//! reach the API through it, so what the edge would break on AWS breaks here too. `/ws` carries
//! WebSockets to the local WebSocket gateway (`REALTIME_ORIGIN`, `ws://127.0.0.1:9300`).
//!
//! Environment: `FRONT_DOOR_PORT` (9000), `API_ORIGIN` (the local API, e.g.
//! `http://127.0.0.1:9100`), `WEB_DIR` (the built app, `web/dist`; optional), `ORIGIN_VERIFY` (the value
//! the functions expect), `EDGE_PARAMETERS` (template parameters, `Name=value,...`),
//! `IMAGES_ORIGIN` (the photos bucket in moto's S3, `http://127.0.0.1:5055/<bucket>`: `/images/*`
//! is read from it as CloudFront reads the private bucket). With it, `/__s3/*` stands in for the
//! bucket's own upload endpoint (S3 on AWS, a different origin the CSP's `connect-src` and the
//! bucket's CORS rule allow): presigned POST uploads pass through to moto unchanged.

use std::net::SocketAddr;
use std::path::{Component, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use api_tests::edge::{Edge, Locals, Origin};
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};

struct Door {
    edge: Edge,
    api: String,
    /// The built app; none: every web path is refused, as an empty bucket would.
    web: Option<PathBuf>,
    /// The photos bucket (moto's S3, path-style), if any.
    images: Option<String>,
    /// Reads the photos bucket with credentials, as CloudFront's origin access control signs
    /// its reads of the private bucket.
    s3: Option<(aws_sdk_s3::Client, String)>,
    client: reqwest::Client,
    /// The local WebSocket gateway (`realtime-local`, `ws://127.0.0.1:9300`), if any.
    realtime: Option<String>,
}

/// The largest body CloudFront passes on to a custom origin is far larger; the API refuses
/// anything over 64 KiB itself (413), and imports are at most 1 MiB.
const MAX_BODY: usize = 8 * 1024 * 1024;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    shared::telemetry::init();
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let mut locals = Locals {
        origin_verify: var("ORIGIN_VERIFY").context("ORIGIN_VERIFY: the value the functions expect")?,
        ..Default::default()
    };
    for pair in var("EDGE_PARAMETERS")
        .unwrap_or_default()
        .split(',')
        .filter(|p| !p.is_empty())
    {
        let (name, value) = pair.split_once('=').context("EDGE_PARAMETERS: Name=value,...")?;
        locals
            .parameters
            .insert(name.trim().to_owned(), value.trim().to_owned());
    }
    let door = Arc::new(Door {
        edge: Edge::from_template(&locals)?,
        api: var("API_ORIGIN").context("API_ORIGIN: the local API's address")?,
        web: var("WEB_DIR").map(PathBuf::from),
        images: var("IMAGES_ORIGIN").map(|o| o.trim_end_matches('/').to_owned()),
        s3: match var("IMAGES_ORIGIN") {
            Some(origin) => {
                let origin = origin.trim_end_matches('/');
                let (endpoint, bucket) = origin
                    .rsplit_once('/')
                    .context("IMAGES_ORIGIN: <s3 endpoint>/<bucket>")?;
                let sdk = shared::aws::sdk_config().await;
                let config = aws_sdk_s3::config::Builder::from(&sdk)
                    .endpoint_url(endpoint)
                    .force_path_style(true)
                    .build();
                Some((aws_sdk_s3::Client::from_conf(config), bucket.to_owned()))
            }
            None => None,
        },
        realtime: var("REALTIME_ORIGIN").map(|o| o.trim_end_matches('/').to_owned()),
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()?,
    });
    let port: u16 = var("FRONT_DOOR_PORT").and_then(|p| p.parse().ok()).unwrap_or(9000);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    tracing::info!(port, api = %door.api, web = ?door.web, "local front door listening");
    let app = axum::Router::new().fallback(handle).with_state(door);
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

async fn handle(State(door): State<Arc<Door>>, ConnectInfo(peer): ConnectInfo<SocketAddr>, req: Request) -> Response {
    if let (Some(images), Some(rest)) = (&door.images, req.uri().path().strip_prefix("/__s3/")) {
        // Not CloudFront: the bucket's upload endpoint (see the module's documentation).
        let s3 = images.rsplit_once('/').map_or(images.as_str(), |(base, _)| base);
        let url = format!("{s3}/{rest}");
        return door.pass(req, url, HeaderMap::new()).await;
    }
    let behaviour = door.edge.behaviour(req.uri().path());
    let mut response = if !behaviour.methods.contains(req.method().as_str()) {
        // CloudFront refuses methods a behaviour does not allow.
        (
            StatusCode::FORBIDDEN,
            "This distribution is not configured to allow the HTTP request method",
        )
            .into_response()
    } else {
        match behaviour.origin {
            Origin::Api => door.to_api(behaviour, peer, req).await,
            Origin::Web => door.from_web(&req),
            Origin::Images => door.from_images(req.uri().path().to_owned()).await,
            Origin::Realtime => door.to_realtime(behaviour, peer, req).await,
        }
    };
    door.edge.finish_response(behaviour, response.headers_mut());
    response
}

impl Door {
    /// The photos bucket: the object at the path, read with credentials (origin access
    /// control); a missing object is S3's 403, as CloudFront gets it without `s3:ListBucket`.
    async fn from_images(&self, path: String) -> Response {
        let Some((s3, bucket)) = &self.s3 else {
            return (StatusCode::FORBIDDEN, "no images bucket").into_response();
        };
        let key = path.trim_start_matches('/');
        match s3.get_object().bucket(bucket).key(key).send().await {
            Ok(object) => {
                let kind = object.content_type().unwrap_or("application/octet-stream").to_owned();
                match object.body.collect().await {
                    Ok(bytes) => ([(header::CONTENT_TYPE, kind)], bytes.into_bytes()).into_response(),
                    Err(_) => StatusCode::BAD_GATEWAY.into_response(),
                }
            }
            Err(_) => (StatusCode::FORBIDDEN, "AccessDenied").into_response(),
        }
    }

    /// Sends the request on to `url` with its body and content type (what an S3 form post and
    /// an object read need), and answers with what came back.
    async fn pass(&self, req: Request, url: String, mut headers: HeaderMap) -> Response {
        let (parts, body) = req.into_parts();
        let Ok(body) = axum::body::to_bytes(body, MAX_BODY).await else {
            return (StatusCode::PAYLOAD_TOO_LARGE, "body too large for the local front door").into_response();
        };
        if let Some(kind) = parts.headers.get(header::CONTENT_TYPE) {
            headers.insert(header::CONTENT_TYPE, kind.clone());
        }
        self.forward(parts.method, url, headers, body, "the images bucket")
            .await
    }

    /// Sends a request to an origin and answers with what came back (hop-by-hop headers
    /// dropped), or CloudFront's 502 when the origin cannot be reached.
    async fn forward(
        &self,
        method: Method,
        url: String,
        headers: HeaderMap,
        body: axum::body::Bytes,
        origin: &str,
    ) -> Response {
        let sent = self
            .client
            .request(method, url)
            .headers(headers)
            .body(body)
            .send()
            .await;
        let upstream = match sent {
            Ok(upstream) => upstream,
            Err(err) => {
                tracing::warn!(error = %err, origin, "the origin did not answer");
                return (StatusCode::BAD_GATEWAY, "502 Bad Gateway: the origin did not answer").into_response();
            }
        };
        let mut out = Response::builder().status(upstream.status());
        for (name, value) in upstream.headers() {
            if !is_hop_by_hop(name) {
                out = out.header(name, value);
            }
        }
        let bytes = upstream.bytes().await.unwrap_or_default();
        out.body(Body::from(bytes))
            .unwrap_or_else(|_| StatusCode::BAD_GATEWAY.into_response())
    }

    async fn to_api(&self, behaviour: &api_tests::edge::Behaviour, peer: SocketAddr, req: Request) -> Response {
        let (parts, body) = req.into_parts();
        let Ok(body) = axum::body::to_bytes(body, MAX_BODY).await else {
            return (StatusCode::PAYLOAD_TOO_LARGE, "body too large for the local front door").into_response();
        };
        let mut url = format!("{}{}", self.api, parts.uri.path());
        if let Some(query) = parts.uri.query().filter(|_| behaviour.query_strings) {
            url.push('?');
            url.push_str(query);
        }
        let headers = self.edge.origin_request_headers(behaviour, &parts.headers, peer);
        self.forward(parts.method, url, headers, body, "the API").await
    }

    /// A WebSocket, carried through as CloudFront carries it: the upgrade goes on to the
    /// gateway with the headers the behaviour forwards and the origin's own; the gateway's
    /// refusal (a bad ticket: 401) is the viewer's answer; once both sides are open, frames
    /// pass both ways until either closes.
    async fn to_realtime(&self, behaviour: &api_tests::edge::Behaviour, peer: SocketAddr, req: Request) -> Response {
        use axum::extract::FromRequestParts as _;
        use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
        let Some(origin) = &self.realtime else {
            return (StatusCode::BAD_GATEWAY, "502 Bad Gateway: no WebSocket origin").into_response();
        };
        let (mut parts, _body) = req.into_parts();
        let Ok(upgrade) = axum::extract::ws::WebSocketUpgrade::from_request_parts(&mut parts, &()).await else {
            return (StatusCode::BAD_REQUEST, "a WebSocket upgrade was expected").into_response();
        };
        let mut url = format!("{origin}{}", parts.uri.path());
        if let Some(query) = parts.uri.query().filter(|_| behaviour.query_strings) {
            url.push('?');
            url.push_str(query);
        }
        let Ok(mut request) = url.as_str().into_client_request() else {
            return (StatusCode::BAD_GATEWAY, "bad WebSocket origin").into_response();
        };
        for (name, value) in &self.edge.origin_request_headers(behaviour, &parts.headers, peer) {
            // The handshake's own headers are made anew for the origin's connection.
            let own = matches!(
                name.as_str(),
                "connection"
                    | "upgrade"
                    | "sec-websocket-key"
                    | "sec-websocket-version"
                    | "sec-websocket-extensions"
                    | "host"
            );
            if !own {
                request.headers_mut().insert(name.clone(), value.clone());
            }
        }
        let upstream = match tokio_tungstenite::connect_async(request).await {
            Ok((upstream, _)) => upstream,
            Err(tokio_tungstenite::tungstenite::Error::Http(refused)) => {
                return StatusCode::from_u16(refused.status().as_u16())
                    .unwrap_or(StatusCode::BAD_GATEWAY)
                    .into_response();
            }
            Err(err) => {
                tracing::warn!(error = %err, "the WebSocket origin did not answer");
                return (StatusCode::BAD_GATEWAY, "502 Bad Gateway: the origin did not answer").into_response();
            }
        };
        upgrade.on_upgrade(move |viewer| carry(viewer, upstream))
    }

    /// The web bucket: the object at the path (the root is `index.html`, the distribution's
    /// default root object); anything else is S3's refusal, as origin access control gives it.
    fn from_web(&self, req: &Request) -> Response {
        let path = req.uri().path();
        let key = if path == "/" {
            "index.html"
        } else {
            path.trim_start_matches('/')
        };
        let relative = PathBuf::from(key);
        if relative.components().any(|c| !matches!(c, Component::Normal(_))) {
            return StatusCode::FORBIDDEN.into_response();
        }
        match self.web.as_ref().map(|web| std::fs::read(web.join(&relative))) {
            Some(Ok(bytes)) => {
                let mut response = if req.method() == Method::HEAD {
                    Response::new(Body::empty())
                } else {
                    Response::new(Body::from(bytes))
                };
                response
                    .headers_mut()
                    .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type(key)));
                response
            }
            _ => (
                StatusCode::FORBIDDEN,
                [(header::CONTENT_TYPE, "application/xml")],
                "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>",
            )
                .into_response(),
        }
    }
}

/// Passes frames between the viewer's socket and the origin's until either side closes.
async fn carry(
    viewer: axum::extract::ws::WebSocket,
    upstream: tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
) {
    use axum::extract::ws::Message as V;
    use futures::{SinkExt as _, StreamExt as _};
    use tokio_tungstenite::tungstenite::Message as U;
    let (mut to_viewer, mut from_viewer) = viewer.split();
    let (mut to_origin, mut from_origin) = upstream.split();
    let inward = async {
        while let Some(Ok(message)) = from_viewer.next().await {
            let message = match message {
                V::Text(text) => U::Text(text.as_str().into()),
                V::Binary(bytes) => U::Binary(bytes),
                V::Close(_) => break,
                _ => continue,
            };
            if to_origin.send(message).await.is_err() {
                break;
            }
        }
        let _ = to_origin.close().await;
    };
    let outward = async {
        while let Some(Ok(message)) = from_origin.next().await {
            let message = match message {
                U::Text(text) => V::Text(text.as_str().into()),
                U::Binary(bytes) => V::Binary(bytes),
                U::Close(_) => break,
                _ => continue,
            };
            if to_viewer.send(message).await.is_err() {
                break;
            }
        }
        let _ = to_viewer.close().await;
    };
    tokio::select! {
        _ = inward => {}
        _ = outward => {}
    }
}

fn is_hop_by_hop(name: &http::HeaderName) -> bool {
    matches!(
        name.as_str(),
        "connection"
            | "keep-alive"
            | "transfer-encoding"
            | "upgrade"
            | "proxy-connection"
            | "te"
            | "trailer"
            | "content-length"
    )
}

/// The media type the deploy guide's upload gives each file (by extension).
fn content_type(key: &str) -> &'static str {
    match key.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("webp") => "image/webp",
        Some("ico") => "image/x-icon",
        Some("json" | "webmanifest") => "application/json",
        Some("woff2") => "font/woff2",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}
