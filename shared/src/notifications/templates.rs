//! Every message's words, in one place: a subject, a short plain text (what an SMS carries) and
//! a small HTML part for email. Each names the order or dish and its new state; none carries a
//! secret, a link with a token, or anything but the order's own facts.

use super::model::{Event, OrderFacts};
use crate::orders::model::{Fulfilment, PaymentMethod};

pub const BRAND: &str = "Chuks Kitchen";

/// A message ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub subject: String,
    pub text: String,
    pub html: String,
}

pub use crate::menu::model::naira;

/// An amount in its currency's minor unit, as naira when it is naira.
fn amount_in(minor: i64, currency: &str) -> String {
    if currency == "NGN" {
        naira(minor)
    } else {
        format!("{}.{:02} {currency}", minor / 100, (minor % 100).abs())
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn order_line(o: &OrderFacts) -> String {
    let how = match o.fulfilment {
        Fulfilment::Delivery => "delivery",
        Fulfilment::Pickup => "pickup",
    };
    format!("{} ({how}, {})", o.lines, naira(o.total))
}

/// How an order was paid, as a receipt says it.
fn paid_by(method: Option<PaymentMethod>) -> &'static str {
    match method {
        Some(PaymentMethod::Paystack) => ", paid online with Paystack",
        Some(PaymentMethod::Wallet) => ", paid from the wallet",
        Some(PaymentMethod::Cash) => ", paid at the counter",
        None => "",
    }
}

/// What an event says in a few words, without the brand (an alert's title).
pub fn headline(event: &Event) -> String {
    said(event).0
}

/// The message for `event`.
pub fn render(event: &Event) -> Message {
    let (subject, text) = said(event);
    let subject = format!("{BRAND}: {subject}");
    let html = format!(
        "<!doctype html><html><body style=\"font-family:sans-serif;color:#222\">\
         <h2 style=\"color:#b5451b\">{BRAND}</h2><p>{}</p>\
         <p style=\"color:#666;font-size:12px\">You get this message because of an order at {BRAND}.</p>\
         </body></html>",
        escape(&text)
    );
    Message { subject, text, html }
}

/// An event's subject and text.
fn said(event: &Event) -> (String, String) {
    match event {
        Event::NewOrder(o) => (
            format!("New order #{}", o.short_id()),
            format!("New order #{}: {}.", o.short_id(), order_line(o)),
        ),
        Event::PaymentReceived(o) => (
            format!("Payment received for order #{}", o.short_id()),
            format!(
                "{BRAND}: payment received for order #{} ({}): {}{}.",
                o.short_id(),
                o.lines,
                naira(o.total),
                paid_by(o.paid_by)
            ),
        ),
        Event::PaymentAnomaly(a) => {
            let Some(order_id) = &a.order_id else {
                return (
                    format!("Payment anomaly on wallet deposit {}", a.reference),
                    format!(
                        "Paystack reports {} paid for wallet deposit {}, but the deposit was for {}. The wallet was not credited; check it in the Paystack dashboard.",
                        amount_in(a.paid, &a.currency),
                        a.reference,
                        naira(a.expected)
                    ),
                );
            };
            let short = &order_id[order_id.len().saturating_sub(6)..];
            let why = match a.reason.as_str() {
                "cancelled" => "the order was already cancelled".to_owned(),
                "already_paid" => "the order was already paid another way (at the counter, or by another transaction): the customer paid twice".to_owned(),
                _ => format!("it costs {}", naira(a.expected)),
            };
            (
                format!("Payment anomaly on order #{short}"),
                format!(
                    "Paystack reports {} paid for order #{short} (reference {}), but {why}. The order was not marked paid; check it in the Paystack dashboard.",
                    amount_in(a.paid, &a.currency),
                    a.reference
                ),
            )
        }
        Event::RefundFailed(o) => (
            format!("Refund failed for order #{}", o.short_id()),
            format!(
                "Paystack did not take the refund of {} for cancelled order #{}. Settle it in the Paystack dashboard, then run kitchen-ops retry-refund.",
                naira(o.total),
                o.short_id()
            ),
        ),
        Event::LowStock { dish, left } => (
            format!("Low stock: {dish}"),
            format!("{dish} is running low: {left} left."),
        ),
        Event::SoldOut { dish } => (
            format!("Sold out: {dish}"),
            format!("{dish} is sold out. Restock it to sell it again."),
        ),
        Event::Confirmed(o) => (
            format!("Order #{} confirmed", o.short_id()),
            format!(
                "{BRAND}: your order #{} is confirmed and will be prepared soon.",
                o.short_id()
            ),
        ),
        Event::OutForDelivery(o) => (
            format!("Order #{} is on its way", o.short_id()),
            format!("{BRAND}: your order #{} is out for delivery.", o.short_id()),
        ),
        Event::ReadyForPickup(o) => (
            format!("Order #{} is ready for pickup", o.short_id()),
            format!("{BRAND}: your order #{} is ready. Come and pick it up.", o.short_id()),
        ),
        Event::Completed(o) => (
            format!("Order #{} completed", o.short_id()),
            format!("{BRAND}: your order #{} is completed. Enjoy your meal!", o.short_id()),
        ),
        Event::CancelledByKitchen(o) => (
            format!("Order #{} cancelled", o.short_id()),
            format!(
                "{BRAND}: sorry, the kitchen had to cancel your order #{}. If you paid online, the money is refunded.",
                o.short_id()
            ),
        ),
        Event::Expired(o) => (
            format!("Order #{} cancelled: not paid", o.short_id()),
            format!(
                "{BRAND}: your order #{} ({}) was not paid in time, so it was cancelled and the dishes went back on the menu. You can order again any time.",
                o.short_id(),
                o.lines
            ),
        ),
        Event::Refunded(o) => (
            format!("Order #{} refunded", o.short_id()),
            format!(
                "{BRAND}: {} for order #{} has been refunded.",
                naira(o.total),
                o.short_id()
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naira_groups_thousands_and_shows_kobo_only_when_there_are_some() {
        assert_eq!(naira(250_000), "₦2,500");
        assert_eq!(naira(250_050), "₦2,500.50");
        assert_eq!(naira(5), "₦0.05");
        assert_eq!(naira(123_456_700), "₦1,234,567");
    }

    #[test]
    fn every_message_names_its_order_and_state_and_escapes_its_html() {
        let o = OrderFacts {
            id: "01JD5Q6M3N5P7Q9R1S3T5V7W9X".into(),
            total: 500_000,
            fulfilment: Fulfilment::Pickup,
            lines: "2 x Jollof <Rice>".into(),
            paid_by: None,
        };
        let m = render(&Event::NewOrder(o.clone()));
        assert_eq!(m.subject, "Chuks Kitchen: New order #5V7W9X");
        assert!(m.text.contains("2 x Jollof <Rice> (pickup, ₦5,000)"), "{}", m.text);
        assert!(m.html.contains("2 x Jollof &lt;Rice&gt;"), "{}", m.html);
        let m = render(&Event::ReadyForPickup(o.clone()));
        assert!(m.text.contains("#5V7W9X is ready"), "{}", m.text);
        let m = render(&Event::PaymentReceived(OrderFacts {
            paid_by: Some(PaymentMethod::Wallet),
            ..o.clone()
        }));
        assert_eq!(
            m.text,
            "Chuks Kitchen: payment received for order #5V7W9X (2 x Jollof <Rice>): ₦5,000, paid from the wallet."
        );
        let m = render(&Event::SoldOut { dish: "Moi Moi".into() });
        assert_eq!(m.subject, "Chuks Kitchen: Sold out: Moi Moi");
    }
}
