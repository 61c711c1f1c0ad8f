//! The local stand-in for API Gateway's WebSocket API, as the local Paystack stands in for
//! Paystack: it accepts WebSockets at `/ws`, hands each to [`crate::handle`] as the Lambda event
//! API Gateway would send (`$connect` with the query string and headers, `$default` for each
//! text frame, whose answer goes back to the client, `$disconnect` when it closes), and serves
//! the management API the stream consumer posts frames to (`POST /@connections/{id}`; 410 for a
//! connection that has gone, `DELETE` closes one).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use http::{HeaderMap, StatusCode};
use serde_json::{Value, json};
use shared::App;
use tokio::sync::mpsc;

/// What the management API can ask of a connection.
enum Outgoing {
    Text(String),
    Close,
}

#[derive(Clone)]
pub struct Gateway {
    app: App,
    connections: Arc<Mutex<HashMap<String, mpsc::UnboundedSender<Outgoing>>>>,
}

impl Gateway {
    pub fn new(app: App) -> Self {
        Self {
            app,
            connections: Arc::default(),
        }
    }

    pub fn router(self) -> Router {
        Router::new()
            .route("/ws", get(upgrade))
            .route("/@connections/{id}", post(post_to).delete(close))
            .with_state(self)
    }

    /// The event API Gateway sends for `route` on `connection_id`.
    async fn invoke(
        &self,
        connection_id: &str,
        route: &str,
        extra: Value,
    ) -> aws_lambda_events::apigw::ApiGatewayProxyResponse {
        let event_type = match route {
            "$connect" => "CONNECT",
            "$disconnect" => "DISCONNECT",
            _ => "MESSAGE",
        };
        let mut event = json!({
            "requestContext": {
                "routeKey": route,
                "eventType": event_type,
                "connectionId": connection_id,
                "stage": "ws",
                "apiId": "local",
                "domainName": "127.0.0.1",
                "messageDirection": "IN",
                "connectedAt": 0,
                "requestTimeEpoch": 0,
                "identity": {"sourceIp": "127.0.0.1"},
            },
            "isBase64Encoded": false,
        });
        if let (Some(event), Some(extra)) = (event.as_object_mut(), extra.as_object()) {
            event.extend(extra.clone());
        }
        match serde_json::from_value(event) {
            Ok(request) => crate::handle(&self.app, &request).await,
            Err(err) => {
                tracing::error!(error = %err, "the local gateway built an event the handler cannot read");
                crate::respond(500, None)
            }
        }
    }
}

fn text_of(response: &aws_lambda_events::apigw::ApiGatewayProxyResponse) -> Option<String> {
    match &response.body {
        Some(aws_lambda_events::encodings::Body::Text(text)) => Some(text.clone()),
        _ => None,
    }
}

async fn upgrade(
    State(gateway): State<Gateway>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    let connection_id = ulid::Ulid::new().to_string();
    let headers: serde_json::Map<String, Value> = headers
        .iter()
        .filter_map(|(name, value)| Some((name.as_str().to_owned(), Value::String(value.to_str().ok()?.to_owned()))))
        .collect();
    let connected = gateway
        .invoke(
            &connection_id,
            "$connect",
            json!({"queryStringParameters": query, "headers": headers}),
        )
        .await;
    if connected.status_code != 200 {
        // API Gateway answers the upgrade with the $connect route's status.
        let status = u16::try_from(connected.status_code)
            .ok()
            .and_then(|s| StatusCode::from_u16(s).ok())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return status.into_response();
    }
    let (tx, rx) = mpsc::unbounded_channel();
    if let Ok(mut all) = gateway.connections.lock() {
        all.insert(connection_id.clone(), tx);
    }
    ws.on_upgrade(move |socket| serve(gateway, connection_id, socket, rx))
}

async fn serve(
    gateway: Gateway,
    connection_id: String,
    mut socket: WebSocket,
    mut rx: mpsc::UnboundedReceiver<Outgoing>,
) {
    loop {
        tokio::select! {
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    let answer = gateway
                        .invoke(&connection_id, "$default", json!({"body": text.as_str()}))
                        .await;
                    if let Some(reply) = text_of(&answer)
                        && socket.send(Message::Text(reply.into())).await.is_err()
                    {
                        break;
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            },
            outgoing = rx.recv() => match outgoing {
                Some(Outgoing::Text(text)) => {
                    if socket.send(Message::Text(text.into())).await.is_err() {
                        break;
                    }
                }
                Some(Outgoing::Close) | None => {
                    let _ = socket.send(Message::Close(None)).await;
                    break;
                }
            },
        }
    }
    if let Ok(mut all) = gateway.connections.lock() {
        all.remove(&connection_id);
    }
    gateway.invoke(&connection_id, "$disconnect", json!({})).await;
}

/// `PostToConnection`: the body as a text frame; 410 when the connection has gone.
async fn post_to(State(gateway): State<Gateway>, Path(id): Path<String>, body: axum::body::Bytes) -> Response {
    let sender = gateway.connections.lock().ok().and_then(|all| all.get(&id).cloned());
    let text = String::from_utf8_lossy(&body).into_owned();
    match sender {
        Some(tx) if tx.send(Outgoing::Text(text)).is_ok() => StatusCode::OK.into_response(),
        _ => gone(),
    }
}

/// `DeleteConnection`.
async fn close(State(gateway): State<Gateway>, Path(id): Path<String>) -> Response {
    let sender = gateway.connections.lock().ok().and_then(|all| all.get(&id).cloned());
    match sender {
        Some(tx) if tx.send(Outgoing::Close).is_ok() => StatusCode::NO_CONTENT.into_response(),
        _ => gone(),
    }
}

/// API Gateway's answer for a connection that is not there (the SDK reads it as `GoneException`).
fn gone() -> Response {
    (
        StatusCode::GONE,
        [("x-amzn-errortype", "GoneException")],
        axum::Json(json!({"message": "Gone"})),
    )
        .into_response()
}
