//! SDK clients, built once at start-up, with the endpoint overrides used for local emulators.

pub use aws_config::SdkConfig;
use aws_sdk_dynamodb::config::ConfigBag;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata;
use aws_smithy_runtime_api::client::http::{HttpClient, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;

/// Region and credentials from the standard AWS chain (on Lambda: the function's role), with
/// timeouts that fail a request well inside the function's own timeout (so a hung dependency
/// becomes a JSON 503, not a gateway timeout), and the standard retry mode (3 attempts).
pub async fn sdk_config() -> SdkConfig {
    use std::time::Duration;
    let http_client = https_client();
    let timeouts = aws_config::timeout::TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(1))
        .operation_attempt_timeout(Duration::from_secs(2))
        .operation_timeout(Duration::from_secs(5))
        .build();
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(http_client)
        .timeout_config(timeouts)
        .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(3));
    if std::env::var_os("AWS_LAMBDA_FUNCTION_NAME").is_some() && std::env::var_os("AWS_ACCESS_KEY_ID").is_some() {
        // On Lambda the execution role's credentials and the region are in the environment:
        // skip the default provider chains, whose web-identity and SSO providers build STS
        // clients (parsing the endpoint partition tables) and read profile files at start-up.
        loader = loader
            .credentials_provider(aws_config::environment::EnvironmentVariableCredentialsProvider::new())
            .region(aws_config::environment::EnvironmentVariableRegionProvider::new());
    }
    loader.load().await
}

include!(concat!(env!("OUT_DIR"), "/aws_roots.rs"));

/// HTTPS for the SDK clients, trusting the AWS roots compiled into the binary (picked at build
/// time, see `build.rs`) instead of reading and parsing the system trust store (some 150 files) at
/// every cold start. `TLS_NATIVE_ROOTS=1` adds the system store (e.g. behind a TLS-inspecting proxy).
/// TLS is rustls with *ring*, the one provider the binaries already carry (`jsonwebtoken` signs
/// with it): the SDK's default, aws-lc, linked a second cryptography library into every function.
pub fn https_client() -> SharedHttpClient {
    use aws_smithy_http_client::tls::{self, TlsContext, TrustStore};
    let native = std::env::var("TLS_NATIVE_ROOTS").is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true"));
    let store = TrustStore::empty()
        .with_native_roots(native)
        .with_pem_certificate(AWS_ROOTS_PEM);
    let builder = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::Ring));
    let client = match TlsContext::builder().with_trust_store(store).build() {
        Ok(context) => builder.tls_context(context).build_https(),
        Err(err) => {
            tracing::warn!(error = %err, "compiled-in trust store rejected; using the system store");
            builder.build_https()
        }
    };
    SharedHttpClient::new(WithoutProbe(client))
}

/// The SDK's HTTPS client without its start-up probe: every SDK client built on it calls
/// `validate_base_client_config`, which builds a whole TLS connector (trust store, rustls config)
/// and throws it away, only so that a system trust store loads early. With compiled-in roots
/// there is nothing to load early; the one connector that is used is built on the first request
/// and cached by the inner client for every SDK client that shares it.
#[derive(Debug)]
struct WithoutProbe(SharedHttpClient);

impl HttpClient for WithoutProbe {
    fn http_connector(&self, settings: &HttpConnectorSettings, components: &RuntimeComponents) -> SharedHttpConnector {
        self.0.http_connector(settings, components)
    }

    fn validate_final_config(&self, components: &RuntimeComponents, cfg: &ConfigBag) -> Result<(), BoxError> {
        self.0.validate_final_config(components, cfg)
    }

    fn connector_metadata(&self) -> Option<ConnectorMetadata> {
        self.0.connector_metadata()
    }
}

/// The DynamoDB client configuration; [`crate::platform::db::Db::new`] adds its interceptor and builds
/// the client once.
pub fn dynamodb_config(sdk: &SdkConfig, endpoint: Option<&str>) -> aws_sdk_dynamodb::config::Builder {
    let mut builder = aws_sdk_dynamodb::config::Builder::from(sdk);
    if let Some(endpoint) = endpoint {
        builder = builder.endpoint_url(endpoint);
    }
    builder
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

#[cfg(test)]
mod tests {
    #[test]
    fn the_aws_roots_are_compiled_in() {
        use rustls_pki_types::CertificateDer;
        use rustls_pki_types::pem::PemObject as _;
        let roots: Vec<_> = CertificateDer::pem_slice_iter(super::AWS_ROOTS_PEM.as_bytes())
            .collect::<Result<_, _>>()
            .expect("valid PEM");
        assert_eq!(roots.len(), super::AWS_ROOT_COUNT);
        assert_eq!(roots.len(), 5, "Amazon Root CA 1-4 and Starfield Services Root G2");
    }
}
