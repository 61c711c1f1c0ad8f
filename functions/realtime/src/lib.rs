//! `realtime` function: the WebSocket API's routes. `$connect` opens a connection with the
//! single-use ticket in `?ticket=` (only through the front door when it is locked), `$default`
//! answers what the client says (`subscribe` to a kitchen's board, its staff and up),
//! `$disconnect` forgets the connection. Frames are sent by the stream consumer (`notifier`).

use aws_lambda_events::apigw::{ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest};
use aws_lambda_events::encodings::Body;
use lambda_runtime::LambdaEvent;
use shared::App;
use shared::platform::http::Gated as _;
use shared::realtime::RealtimeError;
use shared::realtime::model::Frame;

#[cfg(feature = "local")]
pub mod local;

/// The name the action log and the template know this function by.
pub const FUNCTION: &str = "realtime";

pub fn respond(status: i64, body: Option<String>) -> ApiGatewayProxyResponse {
    let mut response = ApiGatewayProxyResponse::default();
    response.status_code = status;
    response.body = body.map(Body::Text);
    response
}

/// Handles one WebSocket event (any route of the API's).
pub async fn handle(app: &App, request: &ApiGatewayWebsocketProxyRequest) -> ApiGatewayProxyResponse {
    shared::platform::actions::within(FUNCTION, route(app, request)).await
}

async fn route(app: &App, request: &ApiGatewayWebsocketProxyRequest) -> ApiGatewayProxyResponse {
    let context = &request.request_context;
    let Some(connection_id) = context.connection_id.as_deref() else {
        return respond(400, None);
    };
    match context.route_key.as_deref() {
        Some("$connect") => {
            if !app.front_door().admits(&request.headers) {
                tracing::warn!(connection_id, "a connection around the front door refused");
                return respond(403, None);
            }
            let ticket = request.query_string_parameters.first("ticket");
            match app.realtime.connect(connection_id, ticket).await {
                Ok(holder) => {
                    tracing::info!(connection_id, user_id = %holder.user_id, "connected");
                    respond(200, None)
                }
                Err(RealtimeError::BadTicket) => respond(401, None),
                Err(RealtimeError::Failure(err)) => {
                    tracing::error!(connection_id, error = %err, "connect failed");
                    respond(500, None)
                }
            }
        }
        Some("$disconnect") => {
            if let Err(err) = app.realtime.disconnect(connection_id).await {
                tracing::warn!(connection_id, error = %err, "a closed connection was not forgotten; its TTL will");
            }
            respond(200, None)
        }
        _ => {
            let body = request.body.as_deref().unwrap_or_default();
            let frame = match app.realtime.message(connection_id, body).await {
                Ok(frame) => frame,
                Err(err) => {
                    tracing::error!(connection_id, error = %err, "a client's message failed");
                    Frame::error("unavailable")
                }
            };
            respond(200, Some(frame.text()))
        }
    }
}

/// The Lambda entry point.
pub async fn handler(
    app: &App,
    event: LambdaEvent<ApiGatewayWebsocketProxyRequest>,
) -> Result<ApiGatewayProxyResponse, lambda_runtime::Error> {
    Ok(handle(app, &event.payload).await)
}
