//! Frames to WebSocket clients: API Gateway's management API (`PostToConnection` on
//! `https://<api>.execute-api.<region>.amazonaws.com/<stage>`, or the local gateway's stand-in
//! for it). A client that has gone answers 410 (`GoneException`): [`Posted::Gone`], so the caller
//! forgets the connection.

/// What posting a frame did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Posted {
    Sent,
    /// The connection is closed: forget it.
    Gone,
}

#[async_trait::async_trait]
pub trait Push: Send + Sync {
    /// Sends `data` (a text frame) to the connection.
    async fn post(&self, connection_id: &str, data: &str) -> anyhow::Result<Posted>;
}

/// The management API of a deployed WebSocket API (or of the local gateway).
#[cfg(feature = "push")]
#[derive(Clone, Debug)]
pub struct ManagementApi {
    client: aws_sdk_apigatewaymanagement::Client,
}

#[cfg(feature = "push")]
impl ManagementApi {
    /// The management API at `endpoint` (`https://<api>.execute-api.<region>.amazonaws.com/<stage>`).
    pub fn new(sdk: &aws_config::SdkConfig, endpoint: &str) -> Self {
        let config = aws_sdk_apigatewaymanagement::config::Builder::from(sdk)
            .endpoint_url(endpoint)
            .build();
        Self {
            client: aws_sdk_apigatewaymanagement::Client::from_conf(config),
        }
    }
}

#[cfg(feature = "push")]
#[async_trait::async_trait]
impl Push for ManagementApi {
    async fn post(&self, connection_id: &str, data: &str) -> anyhow::Result<Posted> {
        use aws_sdk_apigatewaymanagement::operation::post_to_connection::PostToConnectionError;
        crate::platform::actions::record(
            "execute-api:ManageConnections",
            crate::platform::actions::Resource::Other,
        );
        let sent = self
            .client
            .post_to_connection()
            .connection_id(connection_id)
            .data(aws_sdk_apigatewaymanagement::primitives::Blob::new(data.as_bytes()))
            .send()
            .await;
        match sent {
            Ok(_) => Ok(Posted::Sent),
            Err(err) if matches!(err.as_service_error(), Some(PostToConnectionError::GoneException(_))) => {
                Ok(Posted::Gone)
            }
            Err(err) => Err(anyhow::anyhow!(
                "PostToConnection failed: {}",
                aws_sdk_apigatewaymanagement::error::DisplayErrorContext(&err)
            )),
        }
    }
}
