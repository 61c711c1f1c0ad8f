//! The sales flows: count a change to an order in its kitchen's figures (the stream consumer,
//! once per stream record), and the report of a kitchen's (or every kitchen's) days in a range.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;

use super::model::{DishFigures, Figures, Range, Tally, add_dish, change, day_differences};
use super::store::ReportStore;
use crate::kitchens::model::{DEFAULT_TIME_ZONE, time_zone};
use crate::kitchens::store::KitchenStore;
use crate::orders::model::Order;
use crate::orders::store::OrderStore;
use crate::platform::error::Failure;
use crate::platform::validation::Invalid;

/// How many dishes a report names.
const TOP_DISHES: usize = 10;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Failure(#[from] Failure),
}

/// A day's or a range's figures as a report shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub orders: i64,
    pub completed: i64,
    pub cancelled: i64,
    pub gross: i64,
    pub discounts: i64,
    pub delivery_fees: i64,
    pub paid: i64,
    pub average_order_value: i64,
}

impl Totals {
    fn of(f: &Figures) -> Self {
        Self {
            orders: f.orders,
            completed: f.completed,
            cancelled: f.cancelled,
            gross: f.gross,
            discounts: f.discounts,
            delivery_fees: f.delivery_fees,
            paid: f.paid,
            average_order_value: f.average_order_value(),
        }
    }
}

/// One day of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Day {
    pub date: String,
    #[serde(flatten)]
    pub figures: Totals,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ByMethod {
    pub paystack: i64,
    pub cash: i64,
    pub wallet: i64,
}

/// A sales report (the contract's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub from: String,
    pub to: String,
    pub currency: &'static str,
    pub days: Vec<Day>,
    pub totals: Totals,
    pub top_dishes: Vec<DishFigures>,
    pub by_payment_method: ByMethod,
}

/// Every day of the range (zeros where none is kept), their totals and the split by method.
fn report(range: &Range, days: &BTreeMap<Date, Figures>, dishes: Vec<DishFigures>) -> Report {
    let mut total = Figures::default();
    let mut out = Vec::new();
    for day in range.days() {
        let figures = days.get(&day).copied().unwrap_or_default();
        total = total.plus(figures);
        out.push(Day {
            date: day.to_string(),
            figures: Totals::of(&figures),
        });
    }
    let mut by_dish: BTreeMap<String, DishFigures> = BTreeMap::new();
    for dish in dishes {
        add_dish(&mut by_dish, dish.food_item_id.clone(), &dish);
    }
    let mut top: Vec<DishFigures> = by_dish.into_values().filter(|d| d.quantity > 0).collect();
    top.sort_by(|a, b| b.revenue.cmp(&a.revenue).then(b.quantity.cmp(&a.quantity)));
    top.truncate(TOP_DISHES);
    Report {
        from: range.from.to_string(),
        to: range.to.to_string(),
        currency: "NGN",
        days: out,
        totals: Totals::of(&total),
        top_dishes: top,
        by_payment_method: ByMethod {
            paystack: total.paystack,
            cash: total.cash,
            wallet: total.wallet,
        },
    }
}

/// The platform's report: every kitchen's, with each kitchen's totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlatformReport {
    #[serde(flatten)]
    pub report: Report,
    pub kitchens: Vec<KitchenTotals>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KitchenTotals {
    pub slug: String,
    pub totals: Totals,
}

#[derive(Clone)]
pub struct ReportService {
    store: ReportStore,
    kitchens: KitchenStore,
    orders: OrderStore,
    /// Kitchens' time zones by id, as first read (a zone rarely changes; an order counts on
    /// the day it was placed in the zone its kitchen had when it was counted).
    zones: Arc<Mutex<BTreeMap<String, TimeZone>>>,
}

impl std::fmt::Debug for ReportService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReportService").finish_non_exhaustive()
    }
}

impl ReportService {
    pub fn new(db: crate::platform::db::Db) -> Self {
        Self {
            store: ReportStore::new(db.clone()),
            kitchens: KitchenStore::new(db.clone()),
            orders: OrderStore::new(db),
            zones: Arc::default(),
        }
    }

    /// The kitchen's time zone (its own, else Lagos).
    async fn zone(&self, kitchen_id: &str) -> Result<TimeZone, Failure> {
        if let Some(zone) = self.zones.lock().ok().and_then(|z| z.get(kitchen_id).cloned()) {
            return Ok(zone);
        }
        let kitchen = self.kitchens.kitchen(kitchen_id).await?;
        let zone = kitchen
            .and_then(|k| time_zone(&k.timezone))
            .or_else(|| time_zone(DEFAULT_TIME_ZONE))
            .unwrap_or(TimeZone::UTC);
        if let Ok(mut zones) = self.zones.lock() {
            zones.insert(kitchen_id.to_owned(), zone.clone());
        }
        Ok(zone)
    }

    /// Today in the kitchen's zone.
    async fn today(&self, kitchen_id: &str) -> Result<Date, Failure> {
        Ok(jiff::Timestamp::now().to_zoned(self.zone(kitchen_id).await?).date())
    }

    /// Counts the change of an order of kitchen `kitchen_id` from `old` to `new` (stream
    /// record `event_id`) in its figures, once: whether it counted now.
    pub async fn count(
        &self,
        event_id: &str,
        kitchen_id: &str,
        old: Option<&Order>,
        new: &Order,
    ) -> Result<bool, Failure> {
        let zone = self.zone(kitchen_id).await?;
        match change(old, new, kitchen_id, &zone) {
            Some(change) => self.store.count(event_id, &change).await,
            None => Ok(false),
        }
    }

    /// A kitchen's figures computed from its orders themselves (every order, read whole: the
    /// operator's, never a request's), what is kept for it, and its platform days.
    async fn both(&self, kitchen_id: &str) -> Result<(Tally, Tally, BTreeMap<Date, Figures>), Failure> {
        let zone = self.zone(kitchen_id).await?;
        let mut orders = Vec::new();
        let mut start = None;
        loop {
            let page = self.orders.kitchen_orders_whole(kitchen_id, start).await?;
            orders.extend(page.items);
            match page.last_key {
                Some(key) => start = Some(key),
                None => break,
            }
        }
        let computed = Tally::of_orders(&orders, &zone);
        let (kept, platform) = self.store.tally(kitchen_id).await?;
        Ok((computed, kept, platform))
    }

    /// Where a kitchen's kept figures (its days, dishes and platform days) differ from the sums
    /// of its orders: empty when they agree.
    pub async fn audit(&self, kitchen_id: &str) -> Result<Vec<String>, Failure> {
        let (computed, kept, platform) = self.both(kitchen_id).await?;
        let mut out = kept.without_zeros().differences(&computed);
        let platform = platform.into_iter().filter(|(_, f)| !f.is_zero()).collect();
        out.extend(
            day_differences(&platform, &computed.days)
                .into_iter()
                .map(|d| format!("platform copy, {d}")),
        );
        Ok(out)
    }

    /// Rebuilds a kitchen's figures from its orders (a table from before reports, or after a
    /// fault): what is kept is made to equal the sums of its orders. Idempotent. Run it while
    /// the stream consumer is stopped or the kitchen is quiet: a change counted while it reads
    /// would be counted twice. Returns the items written or deleted.
    pub async fn rebuild(&self, kitchen_id: &str) -> Result<usize, Failure> {
        let (computed, kept, platform) = self.both(kitchen_id).await?;
        self.store.replace(kitchen_id, &kept, &platform, &computed).await
    }

    /// A kitchen's report for `from`..`to` (default: the 30 days ending today, its zone).
    pub async fn kitchen(&self, kitchen_id: &str, from: Option<&str>, to: Option<&str>) -> Result<Report, ReportError> {
        let range = Range::parse(from, to, self.today(kitchen_id).await?)?;
        let sales = self.store.sales(kitchen_id, &range).await?;
        Ok(report(&range, &sales.days, sales.dishes))
    }

    /// Every kitchen's report together (each order on its kitchen's local date), and each
    /// kitchen's totals. The default range ends today in Lagos.
    pub async fn platform(&self, from: Option<&str>, to: Option<&str>) -> Result<PlatformReport, ReportError> {
        let zone = time_zone(DEFAULT_TIME_ZONE).unwrap_or(TimeZone::UTC);
        let range = Range::parse(from, to, jiff::Timestamp::now().to_zoned(zone).date())?;
        let by_kitchen = self.store.all_kitchens(&range).await?;
        let mut all: BTreeMap<Date, Figures> = BTreeMap::new();
        let ids: Vec<&str> = by_kitchen.keys().map(String::as_str).collect();
        let named: BTreeMap<String, String> = self
            .kitchens
            .many(&ids)
            .await?
            .into_iter()
            .map(|k| (k.id.clone(), k.slug.as_str().to_owned()))
            .collect();
        let mut kitchens = Vec::new();
        for (id, days) in &by_kitchen {
            let mut total = Figures::default();
            for (day, figures) in days {
                total = total.plus(*figures);
                let entry = all.entry(*day).or_default();
                *entry = entry.plus(*figures);
            }
            kitchens.push(KitchenTotals {
                slug: named.get(id).cloned().unwrap_or_else(|| id.clone()),
                totals: Totals::of(&total),
            });
        }
        kitchens.sort_by(|a, b| b.totals.gross.cmp(&a.totals.gross));
        Ok(PlatformReport {
            report: report(&range, &all, Vec::new()),
            kitchens,
        })
    }
}

/// The report's days as CSV: a header of the days' field names, one line per day, kobo.
pub fn csv(report: &Report) -> String {
    let mut out =
        String::from("date,orders,completed,cancelled,gross,discounts,delivery_fees,paid,average_order_value\n");
    for d in &report.days {
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{}\n",
            d.date,
            d.figures.orders,
            d.figures.completed,
            d.figures.cancelled,
            d.figures.gross,
            d.figures.discounts,
            d.figures.delivery_fees,
            d.figures.paid,
            d.figures.average_order_value
        ));
    }
    out
}
