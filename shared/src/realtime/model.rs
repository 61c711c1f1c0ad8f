//! Tickets, what a client says over the socket, and the frames it is sent. Imports neither HTTP
//! nor the store.

use base64::Engine as _;
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// How long a ticket opens a connection (seconds): once, within this.
pub const TICKET_SECS: i64 = 60;
/// How long a connection's items outlive it at most (API Gateway closes a connection after 2
/// hours; `$disconnect` deletes them sooner).
pub const CONNECTION_SECS: i64 = 2 * 3600 + 600;

/// A ticket as the client holds it (random, 256 bits, URL-safe).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket(String);

impl Ticket {
    pub fn new() -> Self {
        let bytes: [u8; 32] = rand::random();
        Self(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
    }

    /// A ticket as a client gave it: 43 URL-safe base64 characters, else none.
    pub fn parse(raw: &str) -> Option<Self> {
        let fine = raw.len() == 43 && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        fine.then(|| Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What the table keeps of it: its SHA-256 (a leaked table opens no connection).
    pub fn digest(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }
}

impl Default for Ticket {
    fn default() -> Self {
        Self::new()
    }
}

/// Who a ticket (and then its connection) is for.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, Deserialize)]
pub struct Holder {
    pub user_id: String,
    /// The platform admin may watch any kitchen's board.
    #[serde(default)]
    pub platform_admin: bool,
}

/// What a client may say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientMessage {
    /// Watch a kitchen's board and alerts (its staff and up, or the platform admin).
    Subscribe { kitchen: String },
}

/// Why a client's message was not understood (the error frame's code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unreadable {
    /// Not JSON, or not an object with `action`.
    InvalidMessage,
    /// An action nobody serves.
    UnknownAction,
    /// `subscribe` without a kitchen slug.
    MissingKitchen,
}

impl Unreadable {
    pub fn code(self) -> &'static str {
        match self {
            Unreadable::InvalidMessage => "invalid_message",
            Unreadable::UnknownAction => "unknown_action",
            Unreadable::MissingKitchen => "missing_kitchen",
        }
    }
}

impl ClientMessage {
    pub fn parse(raw: &str) -> Result<Self, Unreadable> {
        #[derive(Deserialize)]
        struct Raw {
            action: String,
            #[serde(default)]
            kitchen: Option<Value>,
        }
        let message: Raw = serde_json::from_str(raw).map_err(|_| Unreadable::InvalidMessage)?;
        match message.action.as_str() {
            "subscribe" => match message.kitchen {
                Some(Value::String(slug)) if !slug.trim().is_empty() => Ok(ClientMessage::Subscribe {
                    kitchen: slug.trim().to_owned(),
                }),
                _ => Err(Unreadable::MissingKitchen),
            },
            _ => Err(Unreadable::UnknownAction),
        }
    }
}

/// A text frame, as the contract spells it.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame(Value);

impl Frame {
    pub fn subscribed(kitchen: &str) -> Self {
        Self(json!({"type": "subscribed", "kitchen": kitchen}))
    }

    pub fn error(code: &str) -> Self {
        Self(json!({"type": "error", "code": code}))
    }

    /// A change to one of the user's own orders (`summary`: the order summary).
    pub fn order_updated(summary: Value) -> Self {
        Self(json!({"type": "order.updated", "order": summary}))
    }

    /// A new or changed order on a kitchen's board.
    pub fn board_updated(summary: Value) -> Self {
        Self(json!({"type": "board.updated", "order": summary}))
    }

    pub fn notification(notification: Value) -> Self {
        Self(json!({"type": "notification", "notification": notification}))
    }

    pub fn alert(alert: Value) -> Self {
        Self(json!({"type": "alert", "alert": alert}))
    }

    pub fn text(&self) -> String {
        self.0.to_string()
    }

    pub fn value(&self) -> &Value {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tickets_are_random_url_safe_and_kept_only_as_their_digest() {
        let a = Ticket::new();
        assert_ne!(a, Ticket::new());
        assert_eq!(Ticket::parse(a.as_str()), Some(a.clone()));
        assert_eq!(a.digest().len(), 64);
        assert_ne!(a.digest(), a.as_str());
        assert_eq!(Ticket::parse("short"), None);
        assert_eq!(Ticket::parse(&format!("{}!", "a".repeat(42))), None);
    }

    #[test]
    fn a_client_subscribes_to_a_kitchen_by_slug_and_anything_else_is_named() {
        assert_eq!(
            ClientMessage::parse(r#"{"action":"subscribe","kitchen":"mama-put"}"#),
            Ok(ClientMessage::Subscribe {
                kitchen: "mama-put".into()
            })
        );
        assert_eq!(ClientMessage::parse("hello"), Err(Unreadable::InvalidMessage));
        assert_eq!(
            ClientMessage::parse(r#"{"action":"dance"}"#),
            Err(Unreadable::UnknownAction)
        );
        assert_eq!(
            ClientMessage::parse(r#"{"action":"subscribe","kitchen":7}"#),
            Err(Unreadable::MissingKitchen)
        );
        assert_eq!(
            ClientMessage::parse(r#"{"action":"subscribe"}"#),
            Err(Unreadable::MissingKitchen)
        );
    }

    #[test]
    fn frames_are_spelled_as_the_contract_says() {
        assert_eq!(
            serde_json::from_str::<Value>(&Frame::subscribed("k").text()).expect("json"),
            json!({"type": "subscribed", "kitchen": "k"})
        );
        assert_eq!(Frame::error("not_kitchen_staff").value()["code"], "not_kitchen_staff");
        assert_eq!(
            Frame::order_updated(json!({"id": "O"})).value()["type"],
            "order.updated"
        );
        assert_eq!(Frame::board_updated(json!({"id": "O"})).value()["order"]["id"], "O");
        assert_eq!(Frame::notification(json!({})).value()["type"], "notification");
        assert_eq!(Frame::alert(json!({})).value()["type"], "alert");
    }
}
