//! Sales figures: what one order counts for in its kitchen's day (the day it was placed, in the
//! kitchen's time zone), so that a change to an order (its old and new image on the table's
//! stream) moves the day's figures by the difference, and the report of a range is the sum of
//! its days. Imports neither HTTP nor the store.

use std::collections::BTreeMap;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use crate::orders::model::{Order, OrderStatus, PaymentMethod, PaymentStatus};
use crate::platform::validation::Invalid;

/// The longest range a report covers (days), and the default one.
pub const MAX_DAYS: i64 = 92;
pub const DEFAULT_DAYS: i64 = 30;

/// A day's figures (kobo for amounts), as kept and as reported (plus the average).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    /// Orders placed.
    #[serde(default)]
    pub orders: i64,
    #[serde(default)]
    pub completed: i64,
    #[serde(default)]
    pub cancelled: i64,
    /// Totals of the orders not cancelled.
    #[serde(default)]
    pub gross: i64,
    #[serde(default)]
    pub discounts: i64,
    #[serde(default)]
    pub delivery_fees: i64,
    /// Totals of the orders paid and not refunded.
    #[serde(default)]
    pub paid: i64,
    /// Of `paid`, by how it was paid.
    #[serde(default)]
    pub paystack: i64,
    #[serde(default)]
    pub cash: i64,
    #[serde(default)]
    pub wallet: i64,
}

impl Figures {
    /// What `order`, as it is, counts for in its day.
    pub fn of(order: &Order) -> Self {
        let cancelled = order.status == OrderStatus::Cancelled;
        let kept = !cancelled;
        let paid = matches!(
            order.payment_status,
            PaymentStatus::Paid | PaymentStatus::RefundPending | PaymentStatus::RefundFailed
        );
        let paid_total = if paid { order.total } else { 0 };
        let by = |method: PaymentMethod| {
            if paid && order.payment_method == Some(method) {
                order.total
            } else {
                0
            }
        };
        Self {
            orders: 1,
            completed: i64::from(order.status == OrderStatus::Completed),
            cancelled: i64::from(cancelled),
            gross: if kept { order.total } else { 0 },
            discounts: if kept { order.discount } else { 0 },
            delivery_fees: if kept { order.delivery_fee } else { 0 },
            paid: paid_total,
            paystack: by(PaymentMethod::Paystack),
            cash: by(PaymentMethod::Cash),
            wallet: by(PaymentMethod::Wallet),
        }
    }

    pub fn minus(self, other: Self) -> Self {
        self.zip(other, |a, b| a - b)
    }

    pub fn plus(self, other: Self) -> Self {
        self.zip(other, |a, b| a + b)
    }

    fn zip(self, o: Self, f: impl Fn(i64, i64) -> i64) -> Self {
        Self {
            orders: f(self.orders, o.orders),
            completed: f(self.completed, o.completed),
            cancelled: f(self.cancelled, o.cancelled),
            gross: f(self.gross, o.gross),
            discounts: f(self.discounts, o.discounts),
            delivery_fees: f(self.delivery_fees, o.delivery_fees),
            paid: f(self.paid, o.paid),
            paystack: f(self.paystack, o.paystack),
            cash: f(self.cash, o.cash),
            wallet: f(self.wallet, o.wallet),
        }
    }

    pub fn is_zero(&self) -> bool {
        *self == Self::default()
    }

    /// Each field by name, in the report's order (the CSV's columns after `date`).
    pub fn fields(&self) -> [(&'static str, i64); 7] {
        [
            ("orders", self.orders),
            ("completed", self.completed),
            ("cancelled", self.cancelled),
            ("gross", self.gross),
            ("discounts", self.discounts),
            ("delivery_fees", self.delivery_fees),
            ("paid", self.paid),
        ]
    }

    /// `gross` over the orders not cancelled (0 when none), rounded down.
    pub fn average_order_value(&self) -> i64 {
        let kept = self.orders - self.cancelled;
        if kept > 0 { self.gross / kept } else { 0 }
    }
}

/// What a completed order's lines count for, per dish.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DishFigures {
    pub food_item_id: String,
    pub name: String,
    pub quantity: i64,
    /// Kobo.
    pub revenue: i64,
}

/// `dish` added to the entry for `key` in `into` (a new entry takes its id and name).
pub fn add_dish<K: Ord>(into: &mut BTreeMap<K, DishFigures>, key: K, dish: &DishFigures) {
    let entry = into.entry(key).or_insert_with(|| DishFigures {
        quantity: 0,
        revenue: 0,
        ..dish.clone()
    });
    entry.quantity += dish.quantity;
    entry.revenue += dish.revenue;
}

/// The dishes a completed order counts for (none until it is completed).
pub fn dishes_of(order: &Order) -> BTreeMap<String, DishFigures> {
    let mut out = BTreeMap::new();
    if order.status != OrderStatus::Completed {
        return out;
    }
    for line in &order.items {
        let dish = DishFigures {
            food_item_id: line.food_item_id.clone(),
            name: line.name.clone(),
            quantity: line.quantity,
            revenue: line.line_total,
        };
        add_dish(&mut out, line.food_item_id.clone(), &dish);
    }
    out
}

/// What one change to an order moves: its day's figures, and its dishes' (signed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub kitchen_id: String,
    pub day: Date,
    pub figures: Figures,
    pub dishes: Vec<DishFigures>,
}

/// The day an order counts on: the date it was placed, in the kitchen's time zone.
pub fn day_of(order: &Order, zone: &TimeZone) -> Option<Date> {
    let at: jiff::Timestamp = order.created_at.parse().ok()?;
    Some(at.to_zoned(zone.clone()).date())
}

/// What a change from `old` to `new` moves (none when it moves nothing, e.g. a note edited).
pub fn change(old: Option<&Order>, new: &Order, kitchen_id: &str, zone: &TimeZone) -> Option<Change> {
    let figures = Figures::of(new).minus(old.map(Figures::of).unwrap_or_default());
    let before = old.map(dishes_of).unwrap_or_default();
    let mut dishes: Vec<DishFigures> = Vec::new();
    let after = dishes_of(new);
    for (id, now) in &after {
        let was = before.get(id);
        let quantity = now.quantity - was.map_or(0, |d| d.quantity);
        let revenue = now.revenue - was.map_or(0, |d| d.revenue);
        if quantity != 0 || revenue != 0 {
            dishes.push(DishFigures {
                food_item_id: id.clone(),
                name: now.name.clone(),
                quantity,
                revenue,
            });
        }
    }
    for (id, was) in &before {
        if !after.contains_key(id) {
            dishes.push(DishFigures {
                food_item_id: id.clone(),
                name: was.name.clone(),
                quantity: -was.quantity,
                revenue: -was.revenue,
            });
        }
    }
    if figures.is_zero() && dishes.is_empty() {
        return None;
    }
    Some(Change {
        kitchen_id: kitchen_id.to_owned(),
        day: day_of(new, zone)?,
        figures,
        dishes,
    })
}

/// A kitchen's figures whole: each day's, and each dish's per day (by food id), without zeros.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub days: BTreeMap<Date, Figures>,
    pub dishes: BTreeMap<(Date, String), DishFigures>,
}

impl Tally {
    /// What the stream's changes sum to when each was counted once: every order as it is now,
    /// on the day it was placed in `zone`.
    pub fn of_orders<'a>(orders: impl IntoIterator<Item = &'a Order>, zone: &TimeZone) -> Self {
        let mut tally = Tally::default();
        for order in orders {
            if let Some(day) = day_of(order, zone) {
                tally.add(day, Figures::of(order), dishes_of(order).values());
            }
        }
        tally.without_zeros()
    }

    /// A day's figures and dishes added to what the tally holds.
    pub fn add<'a>(&mut self, day: Date, figures: Figures, dishes: impl IntoIterator<Item = &'a DishFigures>) {
        let kept = self.days.entry(day).or_default();
        *kept = kept.plus(figures);
        for dish in dishes {
            add_dish(&mut self.dishes, (day, dish.food_item_id.clone()), dish);
        }
    }

    /// The same figures without days or dishes that count nothing (what `ADD` leaves behind
    /// when a change is undone reads the same as no item).
    pub fn without_zeros(mut self) -> Self {
        self.days.retain(|_, f| !f.is_zero());
        self.dishes.retain(|_, d| d.quantity != 0 || d.revenue != 0);
        self
    }

    /// Where `self` (as kept) differs from `other` (as computed), one line each: empty when
    /// they agree.
    pub fn differences(&self, other: &Tally) -> Vec<String> {
        let mut out = day_differences(&self.days, &other.days);
        let dishes: std::collections::BTreeSet<&(Date, String)> =
            self.dishes.keys().chain(other.dishes.keys()).collect();
        for key in dishes {
            let figures = |d: Option<&DishFigures>| d.map_or((0, 0), |d| (d.quantity, d.revenue));
            let (kept, computed) = (figures(self.dishes.get(key)), figures(other.dishes.get(key)));
            if kept != computed {
                out.push(format!(
                    "{} dish {}: kept (quantity, revenue) {kept:?}, computed {computed:?}",
                    key.0, key.1
                ));
            }
        }
        out
    }
}

/// Where days as kept differ from days as computed, one line each (a day of zeros reads as
/// none): empty when they agree.
pub fn day_differences(kept: &BTreeMap<Date, Figures>, computed: &BTreeMap<Date, Figures>) -> Vec<String> {
    let dates: std::collections::BTreeSet<&Date> = kept.keys().chain(computed.keys()).collect();
    dates
        .into_iter()
        .filter_map(|date| {
            let (kept, computed) = (
                kept.get(date).copied().unwrap_or_default(),
                computed.get(date).copied().unwrap_or_default(),
            );
            (kept != computed).then(|| format!("{date}: kept {kept:?}, computed from the orders {computed:?}"))
        })
        .collect()
}

/// A report's dates, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub from: Date,
    pub to: Date,
}

impl Range {
    /// `from` and `to` as given (`YYYY-MM-DD`); without them the 30 days ending `today`. A date
    /// not so written, `from` after `to`, or more than 92 days: refused, naming the field.
    pub fn parse(from: Option<&str>, to: Option<&str>, today: Date) -> Result<Self, Invalid> {
        let date = |raw: Option<&str>, field: &'static str| -> Result<Option<Date>, Invalid> {
            match raw.map(str::trim).filter(|r| !r.is_empty()) {
                None => Ok(None),
                Some(raw) => {
                    let fine = raw.len() == 10 && raw.as_bytes()[4] == b'-' && raw.as_bytes()[7] == b'-';
                    match raw.parse::<Date>() {
                        Ok(date) if fine => Ok(Some(date)),
                        _ => Err(Invalid::field(
                            "invalid_date",
                            field,
                            "must be a date written YYYY-MM-DD",
                            "Invalid date",
                        )),
                    }
                }
            }
        };
        let to_given = date(to, "to")?;
        let from_given = date(from, "from")?;
        let to = to_given.unwrap_or(today);
        let from = match from_given {
            Some(from) => from,
            None => to
                .checked_sub(jiff::Span::new().days(DEFAULT_DAYS - 1))
                .map_err(|_| Invalid::field("invalid_date", "to", "is out of range", "Invalid date"))?,
        };
        if from > to {
            return Err(Invalid::field(
                "invalid_range",
                "from",
                "must not come after to",
                "The range ends before it starts",
            ));
        }
        let range = Self { from, to };
        if range.day_count() > MAX_DAYS {
            return Err(Invalid::field(
                "range_too_long",
                "to",
                format!("must be at most {MAX_DAYS} days after from"),
                "The range is too long",
            ));
        }
        Ok(range)
    }

    /// How many days it covers.
    /// How many days it covers.
    pub fn day_count(&self) -> i64 {
        let span = self.from.until((jiff::Unit::Day, self.to));
        i64::from(span.map(|s| s.get_days()).unwrap_or(0)) + 1
    }

    /// Every day in it, in order.
    pub fn days(&self) -> Vec<Date> {
        let mut out = Vec::new();
        let mut day = self.from;
        while day <= self.to {
            out.push(day);
            match day.tomorrow() {
                Ok(next) => day = next,
                Err(_) => break,
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::menu::model::Money;
    use crate::orders::model::{ChangedBy, Fulfilment, HistoryEntry, NewOrder, OrderLine};

    fn order(total: i64) -> Order {
        let request = NewOrder {
            lines: vec![],
            fulfilment: Fulfilment::Pickup,
            delivery_address: None,
            note: None,
            delivery_location: None,
            coupon_code: None,
            contact_phone: None,
        };
        let line = OrderLine {
            food_item_id: "F".into(),
            name: "Jollof".into(),
            unit_price: total / 2,
            quantity: 2,
            line_total: total,
            stock_taken: false,
        };
        let mut o = Order::place(
            "u1",
            request.into_parts().1,
            vec![line],
            Money::from_kobo(total),
            "2026-12-02T23:30:00Z".into(),
        );
        o.created_at = "2026-12-02T23:30:00Z".into();
        o
    }

    fn with(mut o: Order, status: OrderStatus, payment: PaymentStatus) -> Order {
        o.status = status;
        o.payment_status = payment;
        o.payment_method = (payment != PaymentStatus::Unpaid).then_some(PaymentMethod::Cash);
        o.status_history.push(HistoryEntry {
            status,
            payment_status: None,
            at: "t".into(),
            by: "k".into(),
            by_role: ChangedBy::Admin,
        });
        o
    }

    fn lagos() -> TimeZone {
        TimeZone::get("Africa/Lagos").expect("zone")
    }

    #[test]
    fn the_tally_of_orders_equals_the_sum_of_every_change_counted_once() {
        let zone = lagos();
        let placed = order(500_000);
        let paid = with(placed.clone(), OrderStatus::Confirmed, PaymentStatus::Paid);
        let done = with(paid.clone(), OrderStatus::Completed, PaymentStatus::Paid);
        let other = order(200_000);
        let cancelled = with(other.clone(), OrderStatus::Cancelled, PaymentStatus::Unpaid);
        let steps = [
            (None, &placed),
            (Some(&placed), &paid),
            (Some(&paid), &done),
            (None, &other),
            (Some(&other), &cancelled),
        ];
        let mut summed = Tally::default();
        for (old, new) in steps {
            let Some(c) = change(old, new, "k", &zone) else {
                continue;
            };
            summed.add(c.day, c.figures, &c.dishes);
        }
        let tally = Tally::of_orders([&done, &cancelled], &zone);
        assert_eq!(summed.without_zeros(), tally);
        assert!(tally.differences(&tally).is_empty());
        let day = jiff::civil::date(2026, 12, 3);
        assert_eq!((tally.days[&day].orders, tally.days[&day].gross), (2, 500_000));
        // A day kept that the orders do not have is named.
        let mut kept = tally.clone();
        kept.days.insert(
            jiff::civil::date(2020, 1, 1),
            Figures {
                orders: 1,
                ..Figures::default()
            },
        );
        let found = kept.differences(&tally);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].starts_with("2020-01-01"), "{found:?}");
    }

    #[test]
    fn an_order_counts_on_the_day_it_was_placed_in_the_kitchens_zone() {
        let placed = order(500_000);
        // 23:30 UTC is 00:30 the next day in Lagos.
        assert_eq!(day_of(&placed, &lagos()), Some(jiff::civil::date(2026, 12, 3)));
        assert_eq!(day_of(&placed, &TimeZone::UTC), Some(jiff::civil::date(2026, 12, 2)));
    }

    #[test]
    fn each_change_moves_the_day_by_the_difference_and_the_changes_sum_to_the_order() {
        let placed = order(500_000);
        let paid = with(placed.clone(), OrderStatus::Pending, PaymentStatus::Paid);
        let done = with(paid.clone(), OrderStatus::Completed, PaymentStatus::Paid);
        let zone = lagos();
        let steps = [
            change(None, &placed, "K", &zone),
            change(Some(&placed), &paid, "K", &zone),
            change(Some(&paid), &done, "K", &zone),
        ];
        let first = steps[0].clone().expect("placed");
        assert_eq!(
            (first.figures.orders, first.figures.gross, first.figures.paid),
            (1, 500_000, 0)
        );
        let second = steps[1].clone().expect("paid");
        assert_eq!(
            (second.figures.orders, second.figures.paid, second.figures.cash),
            (0, 500_000, 500_000)
        );
        let third = steps[2].clone().expect("completed");
        assert_eq!(third.figures.completed, 1);
        assert_eq!(
            third.dishes,
            vec![DishFigures {
                food_item_id: "F".into(),
                name: "Jollof".into(),
                quantity: 2,
                revenue: 500_000
            }]
        );
        let sum = steps
            .iter()
            .flatten()
            .fold(Figures::default(), |a, c| a.plus(c.figures));
        assert_eq!(sum, Figures::of(&done));
        assert!(
            change(Some(&done), &done, "K", &zone).is_none(),
            "no change, nothing moves"
        );
    }

    #[test]
    fn a_cancel_takes_the_order_out_of_gross_and_a_refund_out_of_paid() {
        let paid = with(order(300_000), OrderStatus::Pending, PaymentStatus::Paid);
        let cancelled = with(paid.clone(), OrderStatus::Cancelled, PaymentStatus::Refunded);
        let moved = change(Some(&paid), &cancelled, "K", &lagos()).expect("moves");
        assert_eq!(moved.figures.cancelled, 1);
        assert_eq!(moved.figures.gross, -300_000);
        assert_eq!(moved.figures.paid, -300_000);
        let after = Figures::of(&cancelled);
        assert_eq!(
            (after.orders, after.gross, after.paid, after.average_order_value()),
            (1, 0, 0, 0)
        );
    }

    #[test]
    fn ranges_default_to_30_days_and_refuse_bad_dates_naming_the_field() {
        let today = jiff::civil::date(2026, 12, 3);
        let range = Range::parse(None, None, today).expect("default");
        assert_eq!(
            (range.from, range.to, range.day_count()),
            (jiff::civil::date(2026, 11, 4), today, 30)
        );
        assert_eq!(range.days().len(), 30);
        let one = Range::parse(Some("2026-12-01"), Some("2026-12-01"), today).expect("one day");
        assert_eq!(one.days(), vec![jiff::civil::date(2026, 12, 1)]);
        let field = |from: Option<&str>, to: Option<&str>| {
            Range::parse(from, to, today)
                .expect_err("refused")
                .fields
                .keys()
                .cloned()
                .collect::<Vec<_>>()
        };
        assert_eq!(field(Some("2026-1-01"), None), ["from"]);
        assert_eq!(field(None, Some("tomorrow")), ["to"]);
        assert_eq!(field(Some("2026-12-05"), Some("2026-12-01")), ["from"]);
        assert_eq!(field(Some("2026-01-01"), Some("2026-04-03")), ["to"], "93 days");
        assert!(
            Range::parse(Some("2026-01-01"), Some("2026-04-01"), today).is_ok(),
            "92 days"
        );
    }
}
