//! Payments through Paystack: what a webhook must prove (its signature over the exact bytes
//! received), the references we give transactions, and what a charge does to an order. Imports
//! neither HTTP nor the store.

pub use crate::orders::model::{PayError, check_payable};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha512;

use crate::orders::model::{Order, OrderStatus, PaymentMethod, PaymentStatus};
pub use crate::platform::config::AppOrigin;

/// The only currency the kitchen charges in.
pub const CURRENCY: &str = "NGN";

/// The signature Paystack sends with a webhook (`x-paystack-signature`): hex HMAC-SHA512 of the
/// raw body under the secret key. For what plays Paystack's part (the tests, the bench); a
/// received signature is checked with [`signature_matches`].
pub fn signature(secret_key: &[u8], raw_body: &[u8]) -> String {
    let mut mac =
        <Hmac<Sha512> as hmac::digest::KeyInit>::new_from_slice(secret_key).expect("HMAC takes a key of any length");
    mac.update(raw_body);
    hex::encode(mac.finalize().into_bytes())
}

/// Whether `header` is Paystack's webhook signature of the raw body under the secret key.
pub fn signature_matches(secret_key: &[u8], raw_body: &[u8], header: Option<&[u8]>) -> bool {
    let Some(given) = header
        .and_then(|h| std::str::from_utf8(h).ok())
        .and_then(|h| hex::decode(h.trim()).ok())
    else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha512>::new_from_slice(secret_key) else {
        return false;
    };
    mac.update(raw_body);
    // `verify_slice` compares in constant time.
    mac.verify_slice(&given).is_ok()
}

/// Our reference for one Paystack transaction of an order: `ck-<order id>-<ulid>`, unique per
/// attempt (Paystack refuses a reference twice).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Reference(String);

impl Reference {
    pub fn new(order_id: &str) -> Self {
        Self(format!("ck-{order_id}-{}", ulid::Ulid::new()))
    }

    /// A reference as Paystack echoes it back (1 to 100 URL-safe characters).
    pub fn parse(raw: &str) -> Option<Self> {
        let ok = (1..=100).contains(&raw.len())
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'='));
        ok.then(|| Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The order one of our references was opened for (`ck-<order id>-<attempt>`): Paystack
    /// echoes the reference back, so a charge names its order. `None` for a reference that is
    /// not ours.
    pub fn order_id(&self) -> Option<&str> {
        let (order, attempt) = self.0.strip_prefix("ck-")?.rsplit_once('-')?;
        (ulid::Ulid::from_string(order).is_ok() && ulid::Ulid::from_string(attempt).is_ok()).then_some(order)
    }
}

/// A `callback_url` that would send the customer anywhere but the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("must be a path of this app (like /orders/X) or an address on its own origin")]
pub struct ForeignCallback;

/// Where Paystack sends the customer after paying: a path of the app (`/` followed by neither
/// `/` nor `\`, made absolute on `app`), or an absolute address on `app`'s origin; nothing
/// else, so the checkout cannot be used as an open redirect. `Ok(None)`: no callback (empty, or
/// a path with no app origin configured: Paystack then uses the dashboard's callback).
pub fn callback_url(raw: &str, app: Option<&AppOrigin>) -> Result<Option<String>, ForeignCallback> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    if raw.len() > 2048 || raw.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\\') {
        return Err(ForeignCallback);
    }
    if let Some(rest) = raw.strip_prefix('/') {
        if rest.starts_with('/') {
            return Err(ForeignCallback);
        }
        return Ok(app.map(|app| format!("{}{raw}", app.as_str())));
    }
    let app = app.ok_or(ForeignCallback)?;
    let origin_len = app.as_str().len();
    let same_origin = raw.len() >= origin_len
        && raw.is_char_boundary(origin_len)
        && raw[..origin_len].eq_ignore_ascii_case(app.as_str())
        && matches!(raw[origin_len..].chars().next(), None | Some('/' | '?' | '#'));
    if same_origin {
        Ok(Some(raw.to_owned()))
    } else {
        Err(ForeignCallback)
    }
}

/// A successful charge as Paystack reports it (webhook `charge.success`, or verify).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Charge {
    pub reference: Reference,
    /// Paystack's transaction id.
    pub transaction_id: i64,
    pub amount: i64,
    pub currency: String,
    /// card, bank_transfer, ussd, ...
    pub channel: String,
}

/// What a successful charge does to its order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChargeDecision {
    /// Mark it paid: the write must still find it unpaid, not cancelled, at this total.
    MarkPaid { amount: i64 },
    /// Already paid by this very charge (a redelivered event, or verify after the webhook):
    /// nothing to do.
    AlreadyPaid,
    /// The order was paid another way (cash at the counter, or another transaction): the money
    /// came twice, the kitchen must look; the order's payment stays as it is.
    PaidOtherwise,
    /// Paid for a different amount or currency: left unpaid, the kitchen must look.
    Mismatch { expected: i64, paid: i64, currency: String },
    /// The order was cancelled before the money arrived: nothing to mark; the money goes back.
    OnCancelled,
}

pub fn decide_charge(order: &Order, charge: &Charge) -> ChargeDecision {
    if order.payment_status != PaymentStatus::Unpaid {
        let by_this_charge = order.payment_method == Some(PaymentMethod::Paystack)
            && order
                .payment
                .as_ref()
                .is_some_and(|p| p.reference == charge.reference.as_str());
        return if by_this_charge {
            ChargeDecision::AlreadyPaid
        } else {
            ChargeDecision::PaidOtherwise
        };
    }
    if charge.amount != order.total || charge.currency != order.currency {
        return ChargeDecision::Mismatch {
            expected: order.total,
            paid: charge.amount,
            currency: charge.currency.clone(),
        };
    }
    if order.status == OrderStatus::Cancelled {
        return ChargeDecision::OnCancelled;
    }
    ChargeDecision::MarkPaid { amount: order.total }
}

/// A Paystack webhook body, as much of it as the kitchen reads.
#[derive(Debug, Clone, Deserialize)]
pub struct WebhookEvent {
    pub event: String,
    #[serde(default)]
    pub data: serde_json::Value,
}

impl WebhookEvent {
    /// The charge of a `charge.success` event (`None` for other events or a body that does not
    /// carry one).
    pub fn charge(&self) -> Option<Charge> {
        if self.event != "charge.success" {
            return None;
        }
        charge_from(&self.data)
    }

    /// Paystack's word on a refund: `refund.processed` (the money went back) or `refund.failed`,
    /// with the refunded transaction's reference (`data.transaction_reference`).
    pub fn refund(&self) -> Option<RefundOutcome> {
        let processed = match self.event.as_str() {
            "refund.processed" => true,
            "refund.failed" => false,
            _ => return None,
        };
        let reference = Reference::parse(self.data.get("transaction_reference")?.as_str()?)?;
        Some(RefundOutcome { reference, processed })
    }
}

/// A refund Paystack settled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundOutcome {
    /// The refunded transaction's (our) reference.
    pub reference: Reference,
    /// True for `refund.processed`, false for `refund.failed`.
    pub processed: bool,
}

/// A charge from a transaction as Paystack shows it (webhook data or verify data), if it
/// succeeded.
/// What Paystack says of a transaction when asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Paid: the charge.
    Paid(Charge),
    /// Declined (`failed`): a new transaction may be opened for the order.
    Failed,
    /// Not finished (`abandoned`, `ongoing`, `pending`, anything else): still the one to pay.
    Open,
}

/// The outcome in Paystack's `data` of `GET /transaction/verify/{reference}`.
pub fn outcome_from(data: &serde_json::Value) -> Outcome {
    match data.get("status").and_then(|s| s.as_str()) {
        Some("failed") => Outcome::Failed,
        Some("success") => charge_from(data).map_or(Outcome::Open, Outcome::Paid),
        _ => Outcome::Open,
    }
}

pub fn charge_from(data: &serde_json::Value) -> Option<Charge> {
    if data.get("status").and_then(|s| s.as_str()) != Some("success") {
        return None;
    }
    Some(Charge {
        reference: Reference::parse(data.get("reference")?.as_str()?)?,
        transaction_id: data.get("id")?.as_i64()?,
        amount: data.get("amount")?.as_i64()?,
        currency: data.get("currency")?.as_str()?.to_owned(),
        channel: data
            .get("channel")
            .and_then(|c| c.as_str())
            .unwrap_or("unknown")
            .to_owned(),
    })
}

/// A charge that did not match its order or wallet deposit: never applied, recorded for the
/// kitchen (the notifier tells it from the table's stream; a deposit's, the platform's own kitchen).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PaymentAnomaly {
    /// The order charged; none for a wallet deposit (`reference` names it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    pub reference: String,
    /// Kobo: what the order (or deposit) costs, and what Paystack says was paid.
    pub expected: i64,
    pub paid: i64,
    pub currency: String,
    /// Why it was not applied: `amount` (amount or currency differ) or `cancelled`.
    pub reason: String,
    pub at: String,
    /// The order's kitchen (none for orders from before kitchens: the home kitchen).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kitchen_id: Option<String>,
}

impl PaymentAnomaly {
    /// `charge` for `order`, not applied because of `reason` (`amount`, `cancelled` or
    /// `already_paid`).
    pub fn of(order: &Order, charge: &Charge, reason: &str, at: String) -> Self {
        Self {
            order_id: Some(order.id.clone()),
            reference: charge.reference.as_str().to_owned(),
            expected: order.total,
            paid: charge.amount,
            currency: charge.currency.clone(),
            reason: reason.to_owned(),
            at,
            kitchen_id: order.kitchen_id().map(str::to_owned),
        }
    }

    /// `charge` for the wallet deposit of `expected` kobo, not credited: another amount or
    /// currency. Told to the platform's own kitchen (a deposit belongs to no kitchen).
    pub fn of_deposit(expected: i64, charge: &Charge, at: String) -> Self {
        Self {
            order_id: None,
            reference: charge.reference.as_str().to_owned(),
            expected,
            paid: charge.amount,
            currency: charge.currency.clone(),
            reason: "amount".to_owned(),
            at,
            kitchen_id: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::menu::model::Money;
    use crate::orders::model::{Fulfilment, Handover};

    const KEY: &[u8] = b"sk_test_0123456789abcdef";

    fn sign(raw: &[u8]) -> String {
        signature(KEY, raw)
    }

    #[test]
    fn only_a_failed_transaction_may_be_replaced_and_only_a_success_is_a_charge() {
        let reference = Reference::new(&ulid::Ulid::new().to_string());
        let data = |status: &str| serde_json::json!({"status": status, "reference": reference.as_str(), "id": 7, "amount": 100, "currency": "NGN", "channel": "card"});
        assert_eq!(outcome_from(&data("failed")), Outcome::Failed);
        for open in ["abandoned", "ongoing", "pending", "queued", "something new"] {
            assert_eq!(outcome_from(&data(open)), Outcome::Open, "{open}");
        }
        assert!(matches!(outcome_from(&data("success")), Outcome::Paid(c) if c.amount == 100));
        assert_eq!(outcome_from(&serde_json::json!({})), Outcome::Open);
    }

    #[test]
    fn a_reference_of_ours_names_its_order_and_no_other_does() {
        let order = ulid::Ulid::new().to_string();
        let ours = Reference::new(&order);
        assert_eq!(ours.order_id(), Some(order.as_str()));
        let echoed = Reference::parse(ours.as_str()).unwrap();
        assert_eq!(echoed.order_id(), Some(order.as_str()), "as Paystack sends it back");
        for other in [
            "ck-unknown-reference",
            "T685312322670591",
            &format!("ck-{order}"),
            &format!("xx-{order}-{}", ulid::Ulid::new()),
            &format!("ck-{order}-not-an-attempt"),
            &format!("ck-{order}x-{}", ulid::Ulid::new()),
        ] {
            assert_eq!(Reference::parse(other).unwrap().order_id(), None, "{other}");
        }
    }

    #[test]
    fn the_signature_is_checked_over_the_exact_bytes_received() {
        let raw = br#"{"event":"charge.success","data":{"amount":5000}}"#;
        let good = sign(raw);
        assert!(signature_matches(KEY, raw, Some(good.as_bytes())));
        assert!(
            signature_matches(KEY, raw, Some(good.to_uppercase().as_bytes())),
            "hex is hex"
        );
        // The same JSON with other whitespace or another key order is other bytes.
        let spaced = br#"{"event": "charge.success", "data": {"amount": 5000}}"#;
        let reordered = br#"{"data":{"amount":5000},"event":"charge.success"}"#;
        assert!(!signature_matches(KEY, spaced, Some(good.as_bytes())));
        assert!(!signature_matches(KEY, reordered, Some(good.as_bytes())));
        assert!(!signature_matches(b"another key", raw, Some(good.as_bytes())));
        for bad in [None, Some(&b""[..]), Some(b"zz"), Some(&good.as_bytes()[..10])] {
            assert!(!signature_matches(KEY, raw, bad));
        }
    }

    fn order(status: OrderStatus, payment: PaymentStatus) -> Order {
        let handover = Handover {
            fulfilment: Fulfilment::Pickup,
            delivery_address: None,
            note: None,
            delivery_location: None,
            coupon_code: None,
            contact_phone: None,
        };
        let mut order = Order::place("u1", handover, vec![], Money::from_kobo(500_000), "t".into());
        order.status = status;
        order.payment_status = payment;
        order
    }

    fn charge(amount: i64, currency: &str) -> Charge {
        Charge {
            reference: Reference::new("O1"),
            transaction_id: 1,
            amount,
            currency: currency.into(),
            channel: "card".into(),
        }
    }

    #[test]
    fn only_pending_unpaid_orders_can_be_paid_for_and_a_paid_one_says_so() {
        assert_eq!(
            check_payable(&order(OrderStatus::Pending, PaymentStatus::Unpaid)),
            Ok(())
        );
        assert_eq!(
            check_payable(&order(OrderStatus::Confirmed, PaymentStatus::Paid)),
            Err(PayError::AlreadyPaid)
        );
        assert_eq!(
            check_payable(&order(OrderStatus::Cancelled, PaymentStatus::Unpaid)),
            Err(PayError::NotPayable)
        );
    }

    #[test]
    fn a_charge_marks_paid_only_for_the_exact_total_in_naira() {
        let pending = order(OrderStatus::Pending, PaymentStatus::Unpaid);
        assert_eq!(
            decide_charge(&pending, &charge(500_000, "NGN")),
            ChargeDecision::MarkPaid { amount: 500_000 }
        );
        assert!(matches!(
            decide_charge(&pending, &charge(400_000, "NGN")),
            ChargeDecision::Mismatch {
                expected: 500_000,
                paid: 400_000,
                ..
            }
        ));
        assert!(matches!(
            decide_charge(&pending, &charge(500_000, "USD")),
            ChargeDecision::Mismatch { .. }
        ));
        let by_it = charge(500_000, "NGN");
        let mut paid = order(OrderStatus::Confirmed, PaymentStatus::Paid);
        paid.payment_method = Some(PaymentMethod::Paystack);
        paid.payment = Some(crate::orders::model::OnlinePayment {
            provider: "paystack".into(),
            reference: by_it.reference.as_str().to_owned(),
            authorization_url: "https://checkout.paystack.com/x".into(),
            amount: 500_000,
            currency: "NGN".into(),
            transaction_id: Some(1),
            channel: None,
        });
        assert_eq!(
            decide_charge(&paid, &by_it),
            ChargeDecision::AlreadyPaid,
            "a redelivery"
        );
        assert_eq!(
            decide_charge(&paid, &charge(500_000, "NGN")),
            ChargeDecision::PaidOtherwise,
            "another transaction for a paid order"
        );
        let mut cash = order(OrderStatus::Confirmed, PaymentStatus::Paid);
        cash.payment_method = Some(PaymentMethod::Cash);
        assert_eq!(
            decide_charge(&cash, &charge(500_000, "NGN")),
            ChargeDecision::PaidOtherwise,
            "paid at the counter, then by Paystack"
        );
        let cancelled = order(OrderStatus::Cancelled, PaymentStatus::Unpaid);
        assert_eq!(
            decide_charge(&cancelled, &charge(500_000, "NGN")),
            ChargeDecision::OnCancelled
        );
    }

    #[test]
    fn callbacks_go_back_to_the_app_and_nowhere_else() {
        let app = AppOrigin::parse("https://ChuksKitchen.ng/").unwrap();
        assert_eq!(app.as_str(), "https://chukskitchen.ng");
        let ok = |raw: &str| callback_url(raw, Some(&app));
        assert_eq!(
            ok("/orders/X").unwrap().as_deref(),
            Some("https://chukskitchen.ng/orders/X")
        );
        assert_eq!(
            ok("/#/orders/X/paid").unwrap().as_deref(),
            Some("https://chukskitchen.ng/#/orders/X/paid")
        );
        assert_eq!(
            ok("https://chukskitchen.ng/#/orders/X").unwrap().as_deref(),
            Some("https://chukskitchen.ng/#/orders/X")
        );
        assert_eq!(
            ok("https://chukskitchen.ng").unwrap().as_deref(),
            Some("https://chukskitchen.ng")
        );
        assert_eq!(ok("  ").unwrap(), None);
        for foreign in [
            "//evil.example/x",
            "/\\evil.example/x",
            "https://chukskitchen.ng.evil.example/x",
            "https://chukskitchen.ng@evil.example/",
            "https://chukskitchen.ng:444/",
            "http://chukskitchen.ng/",
            "https://evil.example/",
            "javascript:alert(1)",
            "orders/X",
            "/orders/\nX",
            "/a b",
        ] {
            assert_eq!(ok(foreign), Err(ForeignCallback), "{foreign:?}");
        }
        // With no origin configured, a path means "no callback" and an address is refused.
        assert_eq!(callback_url("/orders/X", None), Ok(None));
        assert_eq!(callback_url("https://chukskitchen.ng/", None), Err(ForeignCallback));
        for bad in [
            "chukskitchen.ng",
            "ftp://x",
            "https://x/path",
            "https://a@b",
            "https://",
        ] {
            assert_eq!(AppOrigin::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn refund_events_name_their_transaction_and_say_whether_the_money_went_back() {
        let reference = Reference::new("O1");
        let event = |name: &str, data: serde_json::Value| WebhookEvent {
            event: name.into(),
            data,
        };
        let data =
            serde_json::json!({"status": "processed", "transaction_reference": reference.as_str(), "amount": 5000});
        assert_eq!(
            event("refund.processed", data.clone()).refund(),
            Some(RefundOutcome {
                reference: reference.clone(),
                processed: true
            })
        );
        assert_eq!(
            event("refund.failed", data.clone()).refund().map(|r| r.processed),
            Some(false)
        );
        assert_eq!(event("refund.pending", data.clone()).refund(), None);
        assert_eq!(event("charge.success", data).refund(), None);
        let foreign = serde_json::json!({"transaction_reference": "T123456"});
        let outcome = event("refund.processed", foreign).refund();
        assert_eq!(
            outcome.and_then(|o| o.reference.order_id().map(str::to_owned)),
            None,
            "names none of our orders"
        );
    }

    #[test]
    fn only_successful_charges_with_every_field_are_read() {
        let data = serde_json::json!({"id": 42, "status": "success", "reference": "ck-O1-X", "amount": 5000, "currency": "NGN", "channel": "ussd"});
        let event = WebhookEvent {
            event: "charge.success".into(),
            data: data.clone(),
        };
        let c = event.charge().unwrap();
        assert_eq!((c.transaction_id, c.amount, c.channel.as_str()), (42, 5000, "ussd"));
        let other = WebhookEvent {
            event: "transfer.success".into(),
            data: data.clone(),
        };
        assert!(other.charge().is_none());
        let mut failed = data.clone();
        failed["status"] = "failed".into();
        assert!(charge_from(&failed).is_none());
        let mut odd = data;
        odd["reference"] = "has spaces".into();
        assert!(charge_from(&odd).is_none());
    }
}
