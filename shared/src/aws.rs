//! SDK clients, built once at start-up, with the endpoint overrides used for local emulators.

pub use aws_config::SdkConfig;

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

/// The roots that sign every AWS service endpoint (Amazon Trust Services): Amazon Root CA 1 to 4
/// and the Starfield Services root that cross-signs them. See
/// https://www.amazontrust.com/repository/ and the AWS documentation on endpoint certificates.
const AWS_ROOT_SUBJECTS: &[&[u8]] = &[b"Amazon Root CA", b"Starfield Services Root Certificate Authority"];

/// The DER certificates of the AWS roots, from Mozilla's root store compiled into the binary.
pub fn aws_root_certificates() -> impl Iterator<Item = &'static [u8]> {
    webpki_root_certs::TLS_SERVER_ROOT_CERTS
        .iter()
        .map(|c| c.as_ref())
        .filter(|der| {
            AWS_ROOT_SUBJECTS
                .iter()
                .any(|subject| der.windows(subject.len()).any(|w| w == *subject))
        })
}

fn pem(der: &[u8]) -> Vec<u8> {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = b"-----BEGIN CERTIFICATE-----\n".to_vec();
    for line in b64.as_bytes().chunks(64) {
        out.extend_from_slice(line);
        out.push(b'\n');
    }
    out.extend_from_slice(b"-----END CERTIFICATE-----\n");
    out
}

/// HTTPS for the SDK clients, trusting the AWS roots compiled into the binary instead of reading
/// and parsing the system trust store (some 150 files) at every cold start. `TLS_NATIVE_ROOTS=1`
/// adds the system store (e.g. behind a TLS-inspecting proxy).
fn https_client() -> aws_sdk_dynamodb::config::SharedHttpClient {
    use aws_smithy_http_client::tls::{self, TlsContext, TrustStore};
    let native = std::env::var("TLS_NATIVE_ROOTS").is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true"));
    let mut store = TrustStore::empty().with_native_roots(native);
    for der in aws_root_certificates() {
        store = store.with_pem_certificate(pem(der));
    }
    let builder = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::AwsLc));
    match TlsContext::builder().with_trust_store(store).build() {
        Ok(context) => builder.tls_context(context).build_https(),
        Err(err) => {
            tracing::warn!(error = %err, "compiled-in trust store rejected; using the system store");
            builder.build_https()
        }
    }
}

/// The DynamoDB client configuration; [`crate::store::Store::new`] adds its interceptor and builds
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
        let roots: Vec<_> = super::aws_root_certificates().collect();
        assert_eq!(roots.len(), 5, "Amazon Root CA 1-4 and Starfield Services Root G2");
        assert!(String::from_utf8_lossy(&super::pem(roots[0])).starts_with("-----BEGIN CERTIFICATE-----\nMII"));
    }
}
