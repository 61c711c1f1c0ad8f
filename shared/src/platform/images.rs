//! The photos bucket: browser uploads straight to S3 through a presigned POST whose policy holds
//! the upload to one key, one media type and a size range (S3 itself refuses anything else, so
//! a 50 MB file or an HTML page never lands), and the checks and deletions after it. Knows no
//! feature: keys and media types come from the caller.
//!
//! The POST policy is signed with Signature Version 4 (`aws-sigv4`'s key derivation and HMAC)
//! by the function's own credentials; on Lambda those are the role's, so the upload is allowed
//! exactly when the role may `s3:PutObject` the key.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use base64::Engine;

use crate::platform::error::Failure;

/// How long a presigned upload stays usable.
pub const UPLOAD_TTL: Duration = Duration::from_secs(10 * 60);

/// A presigned POST: the form's target and every field it needs, the file to be added last.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PresignedPost {
    pub url: String,
    pub fields: BTreeMap<String, String>,
    pub expires_in: u64,
}

/// The images bucket, its public base URL (the CDN), and the upload endpoint browsers post to.
#[derive(Clone, Debug)]
pub struct ImageBucket {
    client: aws_sdk_s3::Client,
    credentials: Option<SharedCredentialsProvider>,
    region: String,
    name: String,
    upload_url: String,
    public_base: String,
}

/// The bucket's settings (`IMAGES_BUCKET`, `IMAGES_BASE_URL`, `IMAGES_UPLOAD_URL`, `S3_ENDPOINT`).
#[derive(Clone, Debug)]
pub struct BucketSettings {
    pub name: String,
    /// Where objects are served from: a key's URL is `<base>/<key>`.
    pub public_base: String,
    /// Where browsers post uploads; by default the bucket's regional endpoint.
    pub upload_url: Option<String>,
    /// An S3 endpoint override (moto locally; path-style addressing).
    pub endpoint: Option<String>,
}

impl ImageBucket {
    pub fn new(sdk: &aws_config::SdkConfig, settings: BucketSettings) -> Self {
        let mut builder = aws_sdk_s3::config::Builder::from(sdk);
        if let Some(endpoint) = &settings.endpoint {
            builder = builder.endpoint_url(endpoint).force_path_style(true);
        }
        let region = sdk
            .region()
            .map_or_else(|| "us-east-1".to_owned(), |r| r.as_ref().to_owned());
        let upload_url = settings
            .upload_url
            .unwrap_or_else(|| format!("https://{}.s3.{region}.amazonaws.com/", settings.name));
        Self {
            client: aws_sdk_s3::Client::from_conf(builder.build()),
            credentials: sdk.credentials_provider(),
            region,
            name: settings.name,
            upload_url,
            public_base: settings.public_base.trim_end_matches('/').to_owned(),
        }
    }

    /// The public URL of a key.
    pub fn url_of(&self, key: &str) -> String {
        format!("{}/{key}", self.public_base)
    }

    /// A presigned POST for `key`: exactly that key, exactly `content_type`, 1 to `max_bytes`
    /// bytes, within [`UPLOAD_TTL`].
    pub async fn presign_post(&self, key: &str, content_type: &str, max_bytes: i64) -> Result<PresignedPost, Failure> {
        let provider = self
            .credentials
            .as_ref()
            .ok_or_else(|| Failure::bug("no AWS credentials to sign uploads with"))?;
        let credentials = provider
            .provide_credentials()
            .await
            .map_err(|e| Failure::Unavailable(anyhow::anyhow!("credentials for signing an upload: {e}")))?;
        // What the browser's upload will need of the signer's role.
        crate::platform::actions::record("s3:PutObject", crate::platform::actions::Resource::Images);
        let now = SystemTime::now();
        Ok(sign_post(
            &PostRequest {
                url: &self.upload_url,
                bucket: &self.name,
                region: &self.region,
                key,
                content_type,
                max_bytes,
            },
            &Signer {
                access_key_id: credentials.access_key_id(),
                secret_access_key: credentials.secret_access_key(),
                session_token: credentials.session_token(),
            },
            now,
        ))
    }

    /// Whether the object exists (one HeadObject).
    pub async fn exists(&self, key: &str) -> Result<bool, Failure> {
        crate::platform::actions::record("s3:GetObject", crate::platform::actions::Resource::Images);
        match self.client.head_object().bucket(&self.name).key(key).send().await {
            Ok(_) => Ok(true),
            Err(err) if err.as_service_error().is_some_and(|e| e.is_not_found()) => Ok(false),
            Err(err) if err.raw_response().is_some_and(|r| r.status().as_u16() == 404) => Ok(false),
            Err(err) => Err(Failure::Unavailable(anyhow::anyhow!(
                "HeadObject: {}",
                aws_sdk_s3::error::DisplayErrorContext(err)
            ))),
        }
    }

    /// Deletes the object (deleting one that is not there succeeds).
    pub async fn delete(&self, key: &str) -> Result<(), Failure> {
        crate::platform::actions::record("s3:DeleteObject", crate::platform::actions::Resource::Images);
        self.client
            .delete_object()
            .bucket(&self.name)
            .key(key)
            .send()
            .await
            .map(|_| ())
            .map_err(|err| {
                Failure::Unavailable(anyhow::anyhow!(
                    "DeleteObject: {}",
                    aws_sdk_s3::error::DisplayErrorContext(err)
                ))
            })
    }
}

/// What one upload may be.
pub struct PostRequest<'a> {
    pub url: &'a str,
    pub bucket: &'a str,
    pub region: &'a str,
    pub key: &'a str,
    pub content_type: &'a str,
    pub max_bytes: i64,
}

/// Who signs it.
pub struct Signer<'a> {
    pub access_key_id: &'a str,
    pub secret_access_key: &'a str,
    pub session_token: Option<&'a str>,
}

/// The POST policy for `request`, signed (SigV4, service `s3`) at `now`.
pub fn sign_post(request: &PostRequest<'_>, signer: &Signer<'_>, now: SystemTime) -> PresignedPost {
    let at = jiff::Timestamp::try_from(now).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let date = at.strftime("%Y%m%d").to_string();
    let amz_date = at.strftime("%Y%m%dT%H%M%SZ").to_string();
    let expires = at
        .checked_add(jiff::SignedDuration::try_from(UPLOAD_TTL).unwrap_or_default())
        .unwrap_or(at)
        .strftime("%Y-%m-%dT%H:%M:%S.000Z")
        .to_string();
    let credential = format!("{}/{date}/{}/s3/aws4_request", signer.access_key_id, request.region);
    let mut fields = BTreeMap::from([
        ("key".to_owned(), request.key.to_owned()),
        ("Content-Type".to_owned(), request.content_type.to_owned()),
        ("x-amz-algorithm".to_owned(), "AWS4-HMAC-SHA256".to_owned()),
        ("x-amz-credential".to_owned(), credential.clone()),
        ("x-amz-date".to_owned(), amz_date.clone()),
    ]);
    let mut conditions = vec![
        serde_json::json!({ "bucket": request.bucket }),
        serde_json::json!({ "key": request.key }),
        serde_json::json!({ "Content-Type": request.content_type }),
        serde_json::json!(["content-length-range", 1, request.max_bytes]),
        serde_json::json!({ "x-amz-algorithm": "AWS4-HMAC-SHA256" }),
        serde_json::json!({ "x-amz-credential": credential }),
        serde_json::json!({ "x-amz-date": amz_date }),
    ];
    if let Some(token) = signer.session_token {
        fields.insert("x-amz-security-token".to_owned(), token.to_owned());
        conditions.push(serde_json::json!({ "x-amz-security-token": token }));
    }
    let policy = serde_json::json!({ "expiration": expires, "conditions": conditions });
    let policy = base64::engine::general_purpose::STANDARD.encode(policy.to_string());
    let key = aws_sigv4::sign::v4::generate_signing_key(signer.secret_access_key, now, request.region, "s3");
    let signature = aws_sigv4::sign::v4::calculate_signature(key, policy.as_bytes());
    fields.insert("policy".to_owned(), policy);
    fields.insert("x-amz-signature".to_owned(), signature);
    PresignedPost {
        url: request.url.to_owned(),
        fields,
        expires_in: UPLOAD_TTL.as_secs(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy_of(post: &PresignedPost) -> serde_json::Value {
        let raw = base64::engine::general_purpose::STANDARD
            .decode(&post.fields["policy"])
            .unwrap();
        serde_json::from_slice(&raw).unwrap()
    }

    #[test]
    fn the_policy_holds_the_upload_to_one_key_one_type_and_the_declared_size() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_000_000);
        let request = PostRequest {
            url: "https://photos.s3.eu-west-1.amazonaws.com/",
            bucket: "photos",
            region: "eu-west-1",
            key: "images/dishes/K/F/I.jpg",
            content_type: "image/jpeg",
            max_bytes: 123_456,
        };
        let signer = Signer {
            access_key_id: "AKIDEXAMPLE",
            secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            session_token: Some("session"),
        };
        let post = sign_post(&request, &signer, now);
        let policy = policy_of(&post);
        let conditions = policy["conditions"].as_array().unwrap();
        for wanted in [
            serde_json::json!({"bucket": "photos"}),
            serde_json::json!({"key": "images/dishes/K/F/I.jpg"}),
            serde_json::json!({"Content-Type": "image/jpeg"}),
            serde_json::json!(["content-length-range", 1, 123_456]),
            serde_json::json!({"x-amz-security-token": "session"}),
        ] {
            assert!(conditions.contains(&wanted), "{wanted} not in {conditions:?}");
        }
        assert_eq!(policy["expiration"], "2026-11-30T01:03:20.000Z", "ten minutes from now");
        assert_eq!(
            post.fields["x-amz-credential"],
            "AKIDEXAMPLE/20261130/eu-west-1/s3/aws4_request"
        );
        assert_eq!(post.fields["x-amz-date"], "20261130T005320Z");
        assert_eq!(post.fields["Content-Type"], "image/jpeg");
        // Every field the form sends is one the policy names (S3 refuses others), but the policy
        // and signature themselves.
        for field in post
            .fields
            .keys()
            .filter(|f| !["policy", "x-amz-signature"].contains(&f.as_str()))
        {
            assert!(
                conditions.iter().any(|c| c.get(field).is_some()),
                "{field} is not in the policy"
            );
        }
        // The signature: HMAC-SHA256 of the policy under the SigV4 key of that day and region.
        let key = aws_sigv4::sign::v4::generate_signing_key(signer.secret_access_key, now, "eu-west-1", "s3");
        assert_eq!(
            post.fields["x-amz-signature"],
            aws_sigv4::sign::v4::calculate_signature(key, post.fields["policy"].as_bytes())
        );
        let other = sign_post(
            &PostRequest {
                max_bytes: 50 * 1024 * 1024,
                ..request
            },
            &signer,
            now,
        );
        assert_ne!(
            other.fields["x-amz-signature"], post.fields["x-amz-signature"],
            "the size is signed"
        );
    }

    #[test]
    fn the_signing_key_is_sigv4s() {
        // AWS's published example of a derived signing key (secret, 20120215, us-east-1, iam).
        let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_329_264_000);
        let key = aws_sigv4::sign::v4::generate_signing_key(
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            at,
            "us-east-1",
            "iam",
        );
        assert_eq!(
            hex::encode(key.as_ref()),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
        );
    }
}
