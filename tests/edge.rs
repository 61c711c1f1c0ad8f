//! What CloudFront does to a request on its way to the API, and to the answer on its way back,
//! read from `infra/template.yaml` itself: which origin a path goes to (the cache behaviours),
//! which viewer headers reach the API (the cache policy's key and the origin request policy; all
//! others are dropped), which headers CloudFront adds (`CloudFront-Viewer-Address`, the origin's
//! custom headers such as `X-Origin-Verify`), and which headers it adds to every answer (the
//! response headers policy: CSP, HSTS, ...).
//!
//! The in-process test harness ([`crate::TestApp::request`]) and the local front door
//! (`local-front-door`, in front of `dev.sh up`, the fuzzing and the browser journeys) both apply
//! it, so a header the template forgets to forward fails the tests as it would fail on AWS.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow, bail};
use http::{HeaderMap, HeaderName, HeaderValue};
use serde_yaml::Value;

/// The template the edge is read from.
pub fn template_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../infra/template.yaml")
}

/// The origins of the distribution, by their `Id` in the template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The HTTP API (`api`).
    Api,
    /// The web app's bucket (`web`).
    Web,
    /// The dish photos' bucket (`images`).
    Images,
    /// The live-update WebSocket API (`realtime`).
    Realtime,
}

impl Origin {
    fn from_id(id: &str) -> anyhow::Result<Self> {
        match id {
            "api" => Ok(Origin::Api),
            "web" => Ok(Origin::Web),
            "images" => Ok(Origin::Images),
            "realtime" => Ok(Origin::Realtime),
            other => bail!("the template names an origin the local edge does not know: {other}"),
        }
    }
}

/// One cache behaviour: where its paths go and what happens on the way.
#[derive(Debug, Clone)]
pub struct Behaviour {
    /// `/api/*`; `None` for the default behaviour.
    pub pattern: Option<String>,
    pub origin: Origin,
    /// Whether every viewer header but `Host` reaches the origin (an all-viewer policy).
    pub all_viewer_headers: bool,
    /// Lower-case viewer headers that reach the origin.
    pub forwarded: BTreeSet<String>,
    /// Lower-case headers CloudFront makes itself and adds (`cloudfront-viewer-address`).
    pub generated: BTreeSet<String>,
    /// Whether the query string reaches the origin.
    pub query_strings: bool,
    /// Headers added to every answer (the response headers policy), with their values.
    pub response_headers: Vec<(HeaderName, HeaderValue)>,
    /// The methods CloudFront accepts on this behaviour (others: 403 from CloudFront).
    pub methods: BTreeSet<String>,
}

/// The distribution, as far as requests and answers are concerned.
#[derive(Debug, Clone)]
pub struct Edge {
    behaviours: Vec<Behaviour>,
    default: Behaviour,
    /// Each origin's custom headers, with their (local) values.
    origin_headers: Vec<(Origin, HeaderName, HeaderValue)>,
}

/// How the template's values are filled in locally: its parameters (defaults unless given) and
/// the secrets it resolves (`{{resolve:secretsmanager:...}}`).
#[derive(Debug, Clone, Default)]
pub struct Locals {
    pub parameters: BTreeMap<String, String>,
    /// The value CloudFront adds as `X-Origin-Verify` (the origin-verify secret).
    pub origin_verify: String,
}

impl Edge {
    /// The edge of `infra/template.yaml`.
    pub fn from_template(locals: &Locals) -> anyhow::Result<Self> {
        Self::from_file(&template_path(), locals)
    }

    pub fn from_file(path: &Path, locals: &Locals) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let template: Value = serde_yaml::from_str(&text).context("parsing the template")?;
        Self::from_value(&template, locals)
    }

    pub fn from_value(t: &Value, locals: &Locals) -> anyhow::Result<Self> {
        let mut parameters = BTreeMap::new();
        for (name, spec) in t["Parameters"].as_mapping().into_iter().flatten() {
            let name = name.as_str().unwrap_or_default().to_owned();
            let value = locals
                .parameters
                .get(&name)
                .cloned()
                .or_else(|| scalar(&spec["Default"]));
            if let Some(value) = value {
                parameters.insert(name, value);
            }
        }
        parameters.insert("AWS::Region".into(), "us-east-1".into());
        parameters.insert("AWS::URLSuffix".into(), "amazonaws.com".into());
        // The photos bucket's upload endpoint, as the CSP names it (locally, uploads go through
        // the front door's own stand-in for it, on the app's origin).
        parameters
            .entry("ImagesBucket.RegionalDomainName".into())
            .or_insert_with(|| "images.s3.us-east-1.amazonaws.com".into());
        let ctx = Ctx {
            template: t,
            parameters,
            locals,
        };
        let config = &t["Resources"]["FrontDoor"]["Properties"]["DistributionConfig"];
        let default = ctx.behaviour(&config["DefaultCacheBehavior"], None)?;
        let mut behaviours = Vec::new();
        for b in config["CacheBehaviors"].as_sequence().into_iter().flatten() {
            let pattern = b["PathPattern"]
                .as_str()
                .ok_or_else(|| anyhow!("a cache behaviour without PathPattern"))?;
            behaviours.push(ctx.behaviour(b, Some(pattern.to_owned()))?);
        }
        if !config["Origins"]
            .as_sequence()
            .into_iter()
            .flatten()
            .any(|o| o["Id"].as_str() == Some("api"))
        {
            bail!("the distribution has no api origin");
        }
        let mut origin_headers = Vec::new();
        for origin in config["Origins"].as_sequence().into_iter().flatten() {
            let id = Origin::from_id(origin["Id"].as_str().unwrap_or_default())?;
            for h in origin["OriginCustomHeaders"].as_sequence().into_iter().flatten() {
                let name = h["HeaderName"]
                    .as_str()
                    .ok_or_else(|| anyhow!("origin header without a name"))?;
                let value = ctx.string(&h["HeaderValue"])?;
                origin_headers.push((id, HeaderName::try_from(name)?, HeaderValue::try_from(value)?));
            }
        }
        Ok(Self {
            behaviours,
            default,
            origin_headers,
        })
    }

    /// The behaviour a path falls under (CloudFront's order: the listed ones, then the default).
    pub fn behaviour(&self, path: &str) -> &Behaviour {
        self.behaviours
            .iter()
            .find(|b| b.pattern.as_deref().is_some_and(|p| glob(p, path)))
            .unwrap_or(&self.default)
    }

    /// The headers a request to `behaviour`'s origin carries: the forwarded viewer headers,
    /// CloudFront's own, and (to the API) the origin's custom headers. Nothing else.
    pub fn origin_request_headers(&self, behaviour: &Behaviour, viewer: &HeaderMap, peer: SocketAddr) -> HeaderMap {
        let mut out = HeaderMap::new();
        for (name, value) in viewer {
            let all = behaviour.all_viewer_headers && name != http::header::HOST;
            if all || behaviour.forwarded.contains(name.as_str()) {
                out.append(name.clone(), value.clone());
            }
        }
        if behaviour.generated.contains("cloudfront-viewer-address") {
            // CloudFront's form: `address:port`, the address as the TCP peer had it.
            let value = format!("{}:{}", peer.ip(), peer.port());
            if let Ok(value) = HeaderValue::try_from(value) {
                out.insert(HeaderName::from_static("cloudfront-viewer-address"), value);
            }
        }
        for (origin, name, value) in &self.origin_headers {
            if *origin == behaviour.origin {
                out.insert(name.clone(), value.clone());
            }
        }
        out
    }

    /// Adds the behaviour's response headers policy to an answer (overriding the origin's).
    pub fn finish_response(&self, behaviour: &Behaviour, headers: &mut HeaderMap) {
        for (name, value) in &behaviour.response_headers {
            headers.insert(name.clone(), value.clone());
        }
    }
}

/// CloudFront's path patterns: `*` matches any run of characters, `?` one.
fn glob(pattern: &str, path: &str) -> bool {
    fn go(p: &[u8], s: &[u8]) -> bool {
        match (p.first(), s.first()) {
            (None, None) => true,
            (Some(b'*'), _) => go(&p[1..], s) || (!s.is_empty() && go(p, &s[1..])),
            (Some(b'?'), Some(_)) => go(&p[1..], &s[1..]),
            (Some(a), Some(b)) if a == b => go(&p[1..], &s[1..]),
            _ => false,
        }
    }
    go(pattern.as_bytes(), path.as_bytes())
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

struct Ctx<'a> {
    template: &'a Value,
    parameters: BTreeMap<String, String>,
    locals: &'a Locals,
}

/// The ids of CloudFront's managed policies the template uses, and what they hold.
const MANAGED_CACHING_OPTIMIZED: &str = "658327ea-f89d-4fab-a63d-7e88639e58f6";
/// Managed-CachingDisabled: nothing in the key, nothing cached.
const MANAGED_CACHING_DISABLED: &str = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";
/// Managed-AllViewerExceptHostHeader: every viewer header but `Host`, every query string.
const MANAGED_ALL_VIEWER_EXCEPT_HOST: &str = "b689b0a8-53d0-40ab-baf2-68738e2966ac";

impl Ctx<'_> {
    /// A string property: literal, `Ref` to a parameter, or `Fn::Sub` over parameters and the
    /// resolved origin-verify secret.
    fn string(&self, v: &Value) -> anyhow::Result<String> {
        if let Some(s) = scalar(v) {
            return Ok(s);
        }
        if let Some(name) = v["Ref"].as_str() {
            return self
                .parameters
                .get(name)
                .cloned()
                .ok_or_else(|| anyhow!("no local value for Ref {name}"));
        }
        if let Some(text) = v["Fn::Sub"].as_str() {
            return self.sub(text);
        }
        bail!("the local edge cannot evaluate {v:?}")
    }

    fn sub(&self, text: &str) -> anyhow::Result<String> {
        if text.starts_with("{{resolve:secretsmanager:") {
            if text.contains("OriginVerifySecret") {
                return Ok(self.locals.origin_verify.clone());
            }
            bail!("the local edge resolves only the origin-verify secret, not {text}");
        }
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let end = rest[start..]
                .find('}')
                .ok_or_else(|| anyhow!("unclosed ${{ in {text}"))?
                + start;
            let name = &rest[start + 2..end];
            let value = self
                .parameters
                .get(name)
                .ok_or_else(|| anyhow!("no local value for ${{{name}}}"))?;
            out.push_str(value);
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }

    fn resource(&self, reference: &Value, kind: &str) -> anyhow::Result<&Value> {
        let name = reference["Ref"]
            .as_str()
            .ok_or_else(|| anyhow!("a {kind} that is not a Ref to the template's own: {reference:?}"))?;
        let r = &self.template["Resources"][name];
        if r["Type"].as_str() != Some(kind) {
            bail!("{name} is not a {kind}");
        }
        Ok(&r["Properties"])
    }

    fn behaviour(&self, b: &Value, pattern: Option<String>) -> anyhow::Result<Behaviour> {
        let origin = Origin::from_id(b["TargetOriginId"].as_str().unwrap_or_default())?;
        let mut forwarded = BTreeSet::new();
        let mut generated = BTreeSet::new();
        let mut query_strings = false;
        let headers = |config: &Value| -> BTreeSet<String> {
            config["Headers"]
                .as_sequence()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_lowercase)
                .collect()
        };
        // The cache policy: its key's headers and query strings are forwarded too.
        let cache = &b["CachePolicyId"];
        if matches!(
            cache.as_str(),
            Some(MANAGED_CACHING_OPTIMIZED | MANAGED_CACHING_DISABLED)
        ) {
            // No headers, no query strings, no cookies in the key.
        } else {
            let policy = &self.resource(cache, "AWS::CloudFront::CachePolicy")?["CachePolicyConfig"]["ParametersInCacheKeyAndForwardedToOrigin"];
            forwarded.extend(headers(&policy["HeadersConfig"]));
            query_strings |= policy["QueryStringsConfig"]["QueryStringBehavior"].as_str() == Some("all");
        }
        let mut all_viewer_headers = false;
        if b["OriginRequestPolicyId"].as_str() == Some(MANAGED_ALL_VIEWER_EXCEPT_HOST) {
            all_viewer_headers = true;
            query_strings = true;
        } else if !b["OriginRequestPolicyId"].is_null() {
            let policy = &self.resource(&b["OriginRequestPolicyId"], "AWS::CloudFront::OriginRequestPolicy")?["OriginRequestPolicyConfig"];
            match policy["HeadersConfig"]["HeaderBehavior"].as_str() {
                Some("whitelist") => {
                    for h in headers(&policy["HeadersConfig"]) {
                        if h.starts_with("cloudfront-") {
                            generated.insert(h);
                        } else {
                            forwarded.insert(h);
                        }
                    }
                }
                Some("none") | None => {}
                Some(other) => bail!("the local edge does not model HeaderBehavior {other}"),
            }
            query_strings |= policy["QueryStringsConfig"]["QueryStringBehavior"].as_str() == Some("all");
        }
        let mut response_headers = Vec::new();
        if !b["ResponseHeadersPolicyId"].is_null() {
            let policy = &self.resource(&b["ResponseHeadersPolicyId"], "AWS::CloudFront::ResponseHeadersPolicy")?["ResponseHeadersPolicyConfig"];
            response_headers = self.security_headers(&policy["SecurityHeadersConfig"])?;
            for h in policy["CustomHeadersConfig"]["Items"]
                .as_sequence()
                .into_iter()
                .flatten()
            {
                let name = h["Header"]
                    .as_str()
                    .ok_or_else(|| anyhow!("custom header without a name"))?;
                response_headers.push((
                    HeaderName::try_from(name)?,
                    HeaderValue::try_from(self.string(&h["Value"])?)?,
                ));
            }
        }
        let methods = b["AllowedMethods"]
            .as_sequence()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
        Ok(Behaviour {
            pattern,
            origin,
            all_viewer_headers,
            forwarded,
            generated,
            query_strings,
            response_headers,
            methods,
        })
    }

    /// CloudFront's security headers, as it writes them.
    fn security_headers(&self, c: &Value) -> anyhow::Result<Vec<(HeaderName, HeaderValue)>> {
        let mut out = Vec::new();
        let mut add = |name: &'static str, value: String| -> anyhow::Result<()> {
            out.push((HeaderName::from_static(name), HeaderValue::try_from(value)?));
            Ok(())
        };
        let csp = &c["ContentSecurityPolicy"];
        if !csp.is_null() {
            add("content-security-policy", self.string(&csp["ContentSecurityPolicy"])?)?;
        }
        let hsts = &c["StrictTransportSecurity"];
        if !hsts.is_null() {
            let mut value = format!(
                "max-age={}",
                scalar(&hsts["AccessControlMaxAgeSec"]).ok_or_else(|| anyhow!("HSTS without a max age"))?
            );
            if hsts["IncludeSubdomains"].as_bool() == Some(true) {
                value.push_str("; includeSubDomains");
            }
            if hsts["Preload"].as_bool() == Some(true) {
                value.push_str("; preload");
            }
            add("strict-transport-security", value)?;
        }
        if let Some(policy) = c["ReferrerPolicy"]["ReferrerPolicy"].as_str() {
            add("referrer-policy", policy.to_owned())?;
        }
        if !c["ContentTypeOptions"].is_null() {
            add("x-content-type-options", "nosniff".to_owned())?;
        }
        if let Some(option) = c["FrameOptions"]["FrameOption"].as_str() {
            add("x-frame-options", option.to_owned())?;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_patterns_match_as_cloudfront_matches_them() {
        assert!(glob("/api/*", "/api/foods/"));
        assert!(glob("/api/*", "/api/"));
        assert!(!glob("/api/*", "/api"));
        assert!(!glob("/api/*", "/apix/foods"));
        assert!(glob("*.png", "/a/b.png"));
        assert!(glob("/a?c", "/abc"));
    }
}
