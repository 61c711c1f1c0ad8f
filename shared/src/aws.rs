//! SDK clients, built once at start-up, with the endpoint overrides used for local emulators.

pub use aws_config::SdkConfig;

/// Region and credentials from the standard AWS chain (on Lambda: the function's role).
pub async fn sdk_config() -> SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest()).load().await
}

pub fn dynamodb(sdk: &SdkConfig, endpoint: Option<&str>) -> aws_sdk_dynamodb::Client {
    let mut builder = aws_sdk_dynamodb::config::Builder::from(sdk);
    if let Some(endpoint) = endpoint {
        builder = builder.endpoint_url(endpoint);
    }
    aws_sdk_dynamodb::Client::from_conf(builder.build())
}

#[cfg(feature = "notify")]
pub use aws_sdk_sesv2;

#[cfg(feature = "notify")]
pub fn sesv2(sdk: &SdkConfig, endpoint: Option<&str>) -> aws_sdk_sesv2::Client {
    let mut builder = aws_sdk_sesv2::config::Builder::from(sdk);
    if let Some(endpoint) = endpoint {
        builder = builder.endpoint_url(endpoint);
    }
    aws_sdk_sesv2::Client::from_conf(builder.build())
}

#[cfg(feature = "notify")]
pub fn sns(sdk: &SdkConfig, endpoint: Option<&str>) -> aws_sdk_sns::Client {
    let mut builder = aws_sdk_sns::config::Builder::from(sdk);
    if let Some(endpoint) = endpoint {
        builder = builder.endpoint_url(endpoint);
    }
    aws_sdk_sns::Client::from_conf(builder.build())
}
