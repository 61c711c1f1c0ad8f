//! Pagination: `?limit=` (1..100, default 20) and an opaque `?cursor=`.
//!
//! A cursor is the DynamoDB `LastEvaluatedKey` of the previous page, serialised, bound to the
//! listing it came from (its scope, e.g. one customer's orders) and signed with an HMAC under the
//! cursor key ([`crate::platform::keys`]): a forged, edited or borrowed cursor is a 400, never a
//! 500 or another listing's page.

use std::collections::{BTreeMap, HashMap};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::platform::db::{Item, Page};
use crate::platform::error::Failure;
use crate::platform::keys::{Key, KeyRing, NoKeys};
use crate::platform::validation::Invalid;

pub const DEFAULT_LIMIT: i32 = 20;
pub const MAX_LIMIT: i32 = 100;
const TAG_LEN: usize = 16;

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    pub limit: Option<String>,
    #[serde(default)]
    pub cursor: Option<String>,
}

/// A validated page request.
#[derive(Debug, Clone, PartialEq)]
pub struct PageRequest {
    pub limit: i32,
    pub start: Option<Item>,
}

/// Signs and checks cursors.
#[derive(Clone)]
pub struct Cursors {
    keys: KeyRing,
}

impl Cursors {
    /// Under the token keys' cursor key: the active one signs, every key of the ring checks (a
    /// cursor handed out just before a rotation still pages on).
    pub fn new(keys: KeyRing) -> Self {
        Self { keys }
    }

    fn tag(key: &Key, scope: &str, payload: &[u8]) -> Hmac<Sha256> {
        let mut mac = match Hmac::<Sha256>::new_from_slice(key.bytes()) {
            Ok(mac) => mac,
            Err(_) => unreachable!("HMAC takes any key length"),
        };
        mac.update(scope.as_bytes());
        mac.update(b"\0");
        mac.update(payload);
        mac
    }

    /// Encodes a `LastEvaluatedKey` (string attributes only) for `scope`.
    pub fn encode(&self, scope: &str, key: &Item) -> Result<String, Failure> {
        let mut plain = BTreeMap::new();
        for (name, value) in key {
            let s = value
                .as_s()
                .map_err(|_| Failure::bug(format!("non-string key attribute {name} in a cursor")))?;
            plain.insert(name.as_str(), s.as_str());
        }
        let payload = serde_json::to_vec(&plain).map_err(Failure::internal)?;
        let ring = self.keys.current();
        let (_, keys) = ring.active().ok_or(NoKeys("token")).map_err(Failure::bug)?;
        let tag = Self::tag(&keys.cursor, scope, &payload).finalize().into_bytes();
        let mut bytes = payload;
        bytes.extend_from_slice(&tag[..TAG_LEN]);
        Ok(URL_SAFE_NO_PAD.encode(bytes))
    }

    fn decode(&self, scope: &str, cursor: &str) -> Option<Item> {
        let bytes = URL_SAFE_NO_PAD.decode(cursor.trim()).ok()?;
        if bytes.len() <= TAG_LEN {
            return None;
        }
        let (payload, tag) = bytes.split_at(bytes.len() - TAG_LEN);
        let ring = self.keys.current();
        ring.all().find(|keys| {
            Self::tag(&keys.cursor, scope, payload)
                .verify_truncated_left(tag)
                .is_ok()
        })?;
        let plain: HashMap<String, String> = serde_json::from_slice(payload).ok()?;
        Some(
            plain
                .into_iter()
                .map(|(k, v)| (k, aws_sdk_dynamodb::types::AttributeValue::S(v)))
                .collect(),
        )
    }

    /// Reads `?limit=` and `?cursor=` for the listing `scope`.
    pub fn page(&self, scope: &str, query: &PageQuery) -> Result<PageRequest, Invalid> {
        let limit = match query.limit.as_deref().map(str::trim) {
            None | Some("") => DEFAULT_LIMIT,
            Some(raw) => match raw.parse::<i32>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
                _ => {
                    return Err(Invalid::field(
                        "invalid_limit",
                        "limit",
                        format!("must be a whole number from 1 to {MAX_LIMIT}"),
                        "Invalid limit",
                    ));
                }
            },
        };
        let start = match query.cursor.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => Some(self.decode(scope, raw).ok_or_else(|| {
                Invalid::field(
                    "invalid_cursor",
                    "cursor",
                    "was not issued for this listing",
                    "Invalid cursor",
                )
            })?),
        };
        Ok(PageRequest { limit, start })
    }

    /// A page as every listing answers it: `{"items": [...], "next_cursor": "..." | null}`, the
    /// cursor bound to `scope`.
    pub fn listing<T: Serialize>(&self, scope: &str, page: &Page<T>) -> Result<serde_json::Value, Failure> {
        let next_cursor = page.last_key.as_ref().map(|k| self.encode(scope, k)).transpose()?;
        Ok(serde_json::json!({ "items": page.items, "next_cursor": next_cursor }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_dynamodb::types::AttributeValue;

    fn key() -> Item {
        HashMap::from([
            ("PK".to_owned(), AttributeValue::S("ORDER#01".into())),
            ("GSI1PK".to_owned(), AttributeValue::S("CUSTOMER#u1".into())),
        ])
    }

    fn cursors(secret: &[u8]) -> Cursors {
        Cursors::new(KeyRing::fixed(
            crate::platform::keys::Ring::single("k1", secret).unwrap(),
        ))
    }

    fn query(limit: Option<&str>, cursor: Option<&str>) -> PageQuery {
        PageQuery {
            limit: limit.map(str::to_owned),
            cursor: cursor.map(str::to_owned),
        }
    }

    #[test]
    fn cursors_round_trip_within_their_scope() {
        let c = cursors(&[1; 32]);
        let cursor = c.encode("orders:u1", &key()).unwrap();
        let page = c.page("orders:u1", &query(Some("5"), Some(&cursor))).unwrap();
        assert_eq!(page.limit, 5);
        assert_eq!(page.start, Some(key()));
    }

    #[test]
    fn forged_edited_and_borrowed_cursors_are_400() {
        let c = cursors(&[1; 32]);
        let cursor = c.encode("orders:u1", &key()).unwrap();
        assert_eq!(
            c.page("orders:u2", &query(None, Some(&cursor))).unwrap_err().code,
            "invalid_cursor"
        );
        let mut edited = cursor.clone().into_bytes();
        edited[3] ^= 1;
        let edited = String::from_utf8(edited).unwrap();
        assert_eq!(
            c.page("orders:u1", &query(None, Some(&edited))).unwrap_err().code,
            "invalid_cursor"
        );
        for junk in ["x", "!!!", "eyJQSyI6Ik9SREVSIzAxIn0"] {
            assert_eq!(
                c.page("orders:u1", &query(None, Some(junk))).unwrap_err().code,
                "invalid_cursor"
            );
        }
        let other = cursors(&[2; 32]);
        assert!(other.page("orders:u1", &query(None, Some(&cursor))).is_err());
    }

    #[test]
    fn a_cursor_signed_before_a_rotation_still_pages() {
        use crate::platform::keys::Ring;
        let a = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
        let b = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
        let ring = |text: String| Cursors::new(KeyRing::fixed(Ring::from_secret(&text).unwrap()));
        let before = ring(format!(r#"{{"active":"k1","k1":"{a}"}}"#));
        let cursor = before.encode("orders:u1", &key()).unwrap();
        let after = ring(format!(r#"{{"active":"k2","k1":"{a}","k2":"{b}"}}"#));
        assert_eq!(
            after.page("orders:u1", &query(None, Some(&cursor))).unwrap().start,
            Some(key())
        );
        let retired = ring(format!(r#"{{"active":"k2","k2":"{b}"}}"#));
        assert!(retired.page("orders:u1", &query(None, Some(&cursor))).is_err());
    }

    #[test]
    fn limits_are_1_to_100_defaulting_to_20() {
        let c = cursors(&[1; 32]);
        assert_eq!(c.page("s", &query(None, None)).unwrap().limit, 20);
        assert_eq!(c.page("s", &query(Some("100"), None)).unwrap().limit, 100);
        for bad in ["0", "101", "ten", "-1", "2.5"] {
            assert_eq!(
                c.page("s", &query(Some(bad), None)).unwrap_err().code,
                "invalid_limit",
                "{bad}"
            );
        }
    }
}
