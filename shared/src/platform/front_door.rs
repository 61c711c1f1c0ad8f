//! The production front door. On AWS the API sits behind CloudFront with AWS WAF rate rules per
//! client address (`infra/template.yaml`, `infra/edge.yaml`). CloudFront adds a header carrying a
//! shared value to every request it forwards (`ORIGIN_VERIFY`); a request without it came around
//! the WAF, straight to API Gateway, and is refused. Behind the door API Gateway's `sourceIp` is a
//! CloudFront edge, so the client's address is read from `CloudFront-Viewer-Address`, which only
//! CloudFront can set on an admitted request. With no `ORIGIN_VERIFY` (local runs) every request
//! is admitted and the address is API Gateway's `sourceIp`.

use std::net::IpAddr;
use std::sync::Arc;

use http::request::Parts;

use crate::platform::error::ApiError;
use crate::platform::routes::{self, RequestHeader};

/// The header CloudFront adds (an origin custom header of the distribution).
pub const VERIFY_HEADER: RequestHeader = routes::ORIGIN_VERIFY;
/// The viewer's `address:port`, added by CloudFront (origin request policy).
pub const VIEWER_ADDRESS_HEADER: RequestHeader = routes::VIEWER_ADDRESS;

/// Whether requests must come through CloudFront.
#[derive(Clone, Default)]
pub struct FrontDoor {
    secret: Option<Arc<[u8]>>,
}

impl std::fmt::Debug for FrontDoor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.secret.is_some() {
            "FrontDoor(locked)"
        } else {
            "FrontDoor(open)"
        })
    }
}

/// The address a request comes from, as the throttles count it: an IPv4 address, or the /64
/// network of an IPv6 one (one subscriber's line gets a whole /64 and can pick any address in
/// it, so counting single IPv6 addresses would count nothing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAddress(pub String);

impl ClientAddress {
    pub fn of(ip: IpAddr) -> Self {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
            v4 => v4,
        };
        match ip {
            IpAddr::V4(v4) => Self(v4.to_string()),
            IpAddr::V6(v6) => {
                let network = u128::from(v6) & !((1u128 << 64) - 1);
                Self(format!("{}/64", std::net::Ipv6Addr::from(network)))
            }
        }
    }
}

impl FrontDoor {
    /// Every request is admitted (no CloudFront in front: local runs, tests).
    pub fn open() -> Self {
        Self::default()
    }

    /// Only requests carrying `secret` in [`VERIFY_HEADER`] are admitted.
    pub fn locked(secret: &str) -> Self {
        Self {
            secret: Some(Arc::from(secret.as_bytes())),
        }
    }

    /// Whether headers that reached a function other than through HTTP routing (a WebSocket
    /// `$connect`) came through CloudFront.
    pub fn admits(&self, headers: &http::HeaderMap) -> bool {
        let Some(secret) = &self.secret else { return true };
        VERIFY_HEADER
            .read(headers)
            .is_some_and(|v| constant_time_eq(v.as_bytes(), secret))
    }

    /// Admits a request or refuses it (403); the shared value never travels further in.
    pub fn admit(&self, parts: &mut Parts) -> Result<ClientAddress, ApiError> {
        let Some(secret) = &self.secret else {
            return Ok(source_ip(parts));
        };
        let given = VERIFY_HEADER.take(&mut parts.headers);
        if !given.is_some_and(|v| constant_time_eq(v.as_bytes(), secret)) {
            return Err(ApiError::Forbidden {
                code: "front_door_required",
                message: "Call the API at its published address",
            });
        }
        let viewer = VIEWER_ADDRESS_HEADER
            .read(&parts.headers)
            .and_then(|v| v.to_str().ok())
            .and_then(viewer_ip);
        Ok(viewer.map_or_else(|| source_ip(parts), ClientAddress::of))
    }
}

/// API Gateway's `sourceIp` (the TCP peer it saw).
fn source_ip(parts: &Parts) -> ClientAddress {
    let address = match parts.extensions.get::<lambda_http::request::RequestContext>() {
        Some(lambda_http::request::RequestContext::ApiGatewayV2(ctx)) => ctx.http.source_ip.clone(),
        _ => None,
    };
    match address.as_deref().map(str::parse::<IpAddr>) {
        Some(Ok(ip)) => ClientAddress::of(ip),
        _ => ClientAddress("unknown".to_owned()),
    }
}

/// The IP of `CloudFront-Viewer-Address` (`198.51.100.10:46532`, `2001:db8::1:46532`).
fn viewer_ip(value: &str) -> Option<IpAddr> {
    let (ip, port) = value.trim().rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    ip.trim_matches(['[', ']']).parse::<IpAddr>().ok()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(headers: &[(&str, &str)]) -> Parts {
        let mut builder = http::Request::builder().uri("/api/auths/login/");
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        builder.body(()).unwrap().into_parts().0
    }

    #[test]
    fn an_open_door_admits_everything_at_its_source_address() {
        let door = FrontDoor::open();
        let got = door
            .admit(&mut parts(&[(VIEWER_ADDRESS_HEADER.name, "203.0.113.9:1234")]))
            .unwrap();
        assert_eq!(
            got,
            ClientAddress("unknown".into()),
            "a client's own header is not believed"
        );
    }

    #[test]
    fn a_locked_door_refuses_requests_that_came_around_cloudfront() {
        let door = FrontDoor::locked("s3cret-value-0123456789");
        for headers in [
            &[][..],
            &[(VERIFY_HEADER.name, "guess")],
            &[(VERIFY_HEADER.name, "s3cret-value-012345678")],
        ] {
            let err = door.admit(&mut parts(headers)).unwrap_err();
            assert_eq!(err.code(), "front_door_required");
        }
    }

    #[test]
    fn behind_the_door_the_viewer_address_counts_and_the_shared_value_goes_no_further() {
        let door = FrontDoor::locked("s3cret-value-0123456789");
        let mut p = parts(&[
            (VERIFY_HEADER.name, "s3cret-value-0123456789"),
            (VIEWER_ADDRESS_HEADER.name, "198.51.100.10:46532"),
        ]);
        assert_eq!(door.admit(&mut p).unwrap(), ClientAddress("198.51.100.10".into()));
        assert!(VERIFY_HEADER.read(&p.headers).is_none());
        let mut p = parts(&[
            (VERIFY_HEADER.name, "s3cret-value-0123456789"),
            (VIEWER_ADDRESS_HEADER.name, "2001:db8::1:443"),
        ]);
        assert_eq!(door.admit(&mut p).unwrap(), ClientAddress("2001:db8::/64".into()));
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64_and_mapped_ipv4_as_ipv4() {
        let of = |raw: &str| ClientAddress::of(raw.parse().unwrap()).0;
        assert_eq!(of("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(
            of("2001:db8:1:2:ffff:ffff:ffff:ffff"),
            "2001:db8:1:2::/64",
            "the same line"
        );
        assert_eq!(of("2001:db8:1:3::1"), "2001:db8:1:3::/64", "another line");
        assert_eq!(of("::ffff:198.51.100.7"), "198.51.100.7");
        assert_eq!(of("198.51.100.7"), "198.51.100.7");
    }

    #[test]
    fn viewer_addresses_are_parsed_strictly() {
        assert_eq!(viewer_ip("198.51.100.10:46532"), "198.51.100.10".parse().ok());
        assert_eq!(viewer_ip("[2001:db8::1]:443"), "2001:db8::1".parse().ok());
        for bad in ["", "198.51.100.10", "x:1", "198.51.100.10:port", "1.2.3.4:99999"] {
            assert_eq!(viewer_ip(bad), None, "{bad}");
        }
    }
}
