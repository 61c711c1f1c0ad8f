//! Sales figures in the table, kept from the change stream: one item per kitchen per local
//! day, one per dish per day, and one per kitchen per day in the platform's partition (the
//! admin's report across kitchens), each moved with `ADD` in one transaction with a marker that
//! makes each stream record count once.
//!
//! | item | PK | SK | |
//! |---|---|---|---|
//! | a kitchen's day | `KITCHEN#<k>#SALES` | `DAY#<YYYY-MM-DD>` | `orders`, `completed`, `cancelled`, `gross`, `discounts`, `delivery_fees`, `paid`, `paystack`, `cash`, `wallet` |
//! | a dish's day | `KITCHEN#<k>#DISHSALES` | `DAY#<YYYY-MM-DD>#DISH#<id>` | `food_item_id`, `name`, `quantity`, `revenue` (completed orders) |
//! | a kitchen's day, for the platform | `SALES#ALL` | `DAY#<YYYY-MM-DD>#KITCHEN#<k>` | `kitchen_id` and the day's figures |
//! | counted marker | `COUNTED#<stream event id>` | `COUNTED` | TTL 3 days (a stream keeps records 24 hours) |

use std::collections::BTreeMap;

use jiff::civil::Date;

use super::model::{Change, DishFigures, Figures, Range, Tally};
use crate::platform::db::{Db, Item, PK, SK, TTL, from_item, n, s, to_item, transact};
use crate::platform::error::Failure;

const MARKER_SECS: i64 = 3 * 24 * 3600;
const PLATFORM_PK: &str = "SALES#ALL";

fn days_pk(kitchen_id: &str) -> String {
    format!("KITCHEN#{kitchen_id}#SALES")
}

fn dishes_pk(kitchen_id: &str) -> String {
    format!("KITCHEN#{kitchen_id}#DISHSALES")
}

fn day_sk(day: Date) -> String {
    format!("DAY#{day}")
}

/// A kitchen's day as read back.
#[derive(Debug, Clone, serde::Deserialize)]
struct StoredDay {
    #[serde(rename = "SK")]
    sk: String,
    #[serde(flatten)]
    figures: Figures,
    #[serde(default)]
    kitchen_id: Option<String>,
}

/// A report's raw material: each day's figures (days without orders absent) and the dishes'.
#[derive(Debug, Default)]
pub struct Sales {
    pub days: BTreeMap<Date, Figures>,
    pub dishes: Vec<DishFigures>,
}

#[derive(Clone, Debug)]
pub struct ReportStore {
    db: Db,
}

impl ReportStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    fn add_figures(
        &self,
        pk: String,
        sk: String,
        figures: &Figures,
        kitchen_id: Option<&str>,
    ) -> Result<aws_sdk_dynamodb::types::TransactWriteItem, Failure> {
        let fields = [
            ("orders", figures.orders),
            ("completed", figures.completed),
            ("cancelled", figures.cancelled),
            ("gross", figures.gross),
            ("discounts", figures.discounts),
            ("delivery_fees", figures.delivery_fees),
            ("paid", figures.paid),
            ("paystack", figures.paystack),
            ("cash", figures.cash),
            ("wallet", figures.wallet),
        ];
        self.db.update_action(pk, sk, |mut u| {
            let adds: Vec<String> = fields.iter().map(|(f, _)| format!("#{f} :{f}")).collect();
            let mut expression = format!("ADD {}", adds.join(", "));
            if kitchen_id.is_some() {
                expression.push_str(" SET kitchen_id = :kitchen");
            }
            u = u.update_expression(expression);
            for (field, value) in fields {
                u = u
                    .expression_attribute_names(format!("#{field}"), field)
                    .expression_attribute_values(format!(":{field}"), n(value));
            }
            if let Some(kitchen) = kitchen_id {
                u = u.expression_attribute_values(":kitchen", s(kitchen));
            }
            u
        })
    }

    /// Counts `change` for stream record `event_id`: `false` when that record was counted
    /// before (nothing written).
    pub async fn count(&self, event_id: &str, change: &Change) -> Result<bool, Failure> {
        let marker: Item = [
            (PK.to_owned(), s(format!("COUNTED#{event_id}"))),
            (SK.to_owned(), s("COUNTED")),
            (TTL.to_owned(), n(crate::platform::clock::now_epoch() + MARKER_SECS)),
        ]
        .into_iter()
        .collect();
        let k = &change.kitchen_id;
        let mut items = vec![
            self.db
                .put_action(marker, |p| p.condition_expression("attribute_not_exists(PK)"))?,
            self.add_figures(days_pk(k), day_sk(change.day), &change.figures, None)?,
            self.add_figures(
                PLATFORM_PK.to_owned(),
                format!("{}#KITCHEN#{k}", day_sk(change.day)),
                &change.figures,
                Some(k),
            )?,
        ];
        for dish in &change.dishes {
            items.push(self.db.update_action(
                dishes_pk(k),
                format!("{}#DISH#{}", day_sk(change.day), dish.food_item_id),
                |u| {
                    u.update_expression("ADD quantity :q, revenue :r SET food_item_id = :id, #name = :name")
                        .expression_attribute_names("#name", "name")
                        .expression_attribute_values(":q", n(dish.quantity))
                        .expression_attribute_values(":r", n(dish.revenue))
                        .expression_attribute_values(":id", s(&dish.food_item_id))
                        .expression_attribute_values(":name", s(&dish.name))
                },
            )?);
        }
        Ok(match transact(&self.db, "count sales", items).await? {
            None => true,
            Some(c) if c.condition_failed(0) => false,
            Some(c) => return Err(Failure::bug(format!("count sales cancelled: {:?}", c.0))),
        })
    }

    async fn between(&self, pk: String, range: &Range, what: &'static str) -> Result<Vec<Item>, Failure> {
        let low = day_sk(range.from);
        // Every sort key of the last day sorts below this.
        let high = format!("{}~", day_sk(range.to));
        self.db
            .query_partition(
                &pk,
                |q| {
                    q.key_condition_expression("PK = :pk AND SK BETWEEN :low AND :high")
                        .expression_attribute_values(":low", s(&low))
                        .expression_attribute_values(":high", s(&high))
                },
                what,
            )
            .await
    }

    /// A kitchen's days and dishes in `range`: two Queries side by side.
    pub async fn sales(&self, kitchen_id: &str, range: &Range) -> Result<Sales, Failure> {
        let (days, dishes) = futures_util::future::join(
            self.between(days_pk(kitchen_id), range, "Query sales days"),
            self.between(dishes_pk(kitchen_id), range, "Query dish sales"),
        )
        .await;
        let mut sales = Sales::default();
        for item in days? {
            let day: StoredDay = from_item(item, "sales day")?;
            if let Some(date) = date_of(&day.sk) {
                sales.days.insert(date, day.figures);
            }
        }
        for item in dishes? {
            sales.dishes.push(from_item(item, "dish sales")?);
        }
        Ok(sales)
    }

    /// Every kitchen's days in `range` (the platform's partition: one Query): by kitchen id.
    pub async fn all_kitchens(&self, range: &Range) -> Result<BTreeMap<String, BTreeMap<Date, Figures>>, Failure> {
        let mut out: BTreeMap<String, BTreeMap<Date, Figures>> = BTreeMap::new();
        for item in self
            .between(PLATFORM_PK.to_owned(), range, "Query platform sales")
            .await?
        {
            let day: StoredDay = from_item(item, "platform sales day")?;
            let (Some(date), Some(kitchen)) = (date_of(&day.sk), day.kitchen_id) else {
                continue;
            };
            let entry = out.entry(kitchen).or_default().entry(date).or_default();
            *entry = entry.plus(day.figures);
        }
        Ok(out)
    }
}

/// How many writes the rebuild keeps in flight.
const REBUILD_WRITES_AT_ONCE: usize = 8;

fn dish_sk(day: Date, food_item_id: &str) -> String {
    format!("{}#DISH#{food_item_id}", day_sk(day))
}

fn platform_sk(day: Date, kitchen_id: &str) -> String {
    format!("{}#KITCHEN#{kitchen_id}", day_sk(day))
}

impl ReportStore {
    /// Everything kept for a kitchen (its whole day and dish partitions: the operator's audit
    /// and rebuild, never a request), and its days in the platform's partition.
    pub async fn tally(&self, kitchen_id: &str) -> Result<(Tally, BTreeMap<Date, Figures>), Failure> {
        let (days, dishes) = futures_util::future::join(
            self.db
                .query_partition(&days_pk(kitchen_id), |q| q, "Query every sales day"),
            self.db
                .query_partition(&dishes_pk(kitchen_id), |q| q, "Query every dish sales day"),
        )
        .await;
        let mut tally = Tally::default();
        for item in days? {
            let day: StoredDay = from_item(item, "sales day")?;
            if let Some(date) = date_of(&day.sk) {
                tally.days.insert(date, day.figures);
            }
        }
        for item in dishes? {
            let sk = crate::platform::db::sk_of(&item).to_owned();
            let dish: DishFigures = from_item(item, "dish sales")?;
            if let Some(date) = date_of(&sk) {
                tally.dishes.insert((date, dish.food_item_id.clone()), dish);
            }
        }
        let mut platform = BTreeMap::new();
        let dates = tally.days.keys();
        if let (Some(from), Some(to)) = (dates.clone().next(), dates.last()) {
            let range = Range { from: *from, to: *to };
            platform = self.all_kitchens(&range).await?.remove(kitchen_id).unwrap_or_default();
        }
        Ok((tally, platform))
    }

    /// Makes what is kept for a kitchen (`kept`, as [`Self::tally`] read it) say `computed`:
    /// each of its days, dishes and platform days written whole, those it no longer has
    /// deleted. Running it again writes the same. Returns the writes made.
    pub async fn replace(
        &self,
        kitchen_id: &str,
        kept: &Tally,
        kept_platform: &BTreeMap<Date, Figures>,
        computed: &Tally,
    ) -> Result<usize, Failure> {
        use futures_util::StreamExt;
        enum Write {
            Put(Item),
            Delete(String, String),
        }
        let mut writes = Vec::new();
        for (day, figures) in &computed.days {
            writes.push(Write::Put(to_item(
                figures,
                [(PK, days_pk(kitchen_id)), (SK, day_sk(*day))],
                "sales day",
            )?));
            let mut copy = to_item(
                figures,
                [(PK, PLATFORM_PK.to_owned()), (SK, platform_sk(*day, kitchen_id))],
                "platform sales day",
            )?;
            copy.insert("kitchen_id".to_owned(), s(kitchen_id));
            writes.push(Write::Put(copy));
        }
        for ((day, id), dish) in &computed.dishes {
            writes.push(Write::Put(to_item(
                dish,
                [(PK, dishes_pk(kitchen_id)), (SK, dish_sk(*day, id))],
                "dish sales",
            )?));
        }
        let gone_days = kept.days.keys().chain(kept_platform.keys());
        for day in gone_days.filter(|d| !computed.days.contains_key(d)) {
            writes.push(Write::Delete(days_pk(kitchen_id), day_sk(*day)));
            writes.push(Write::Delete(PLATFORM_PK.to_owned(), platform_sk(*day, kitchen_id)));
        }
        for (day, id) in kept.dishes.keys().filter(|k| !computed.dishes.contains_key(*k)) {
            writes.push(Write::Delete(dishes_pk(kitchen_id), dish_sk(*day, id)));
        }
        let count = writes.len();
        let results: Vec<Result<(), Failure>> = futures_util::stream::iter(writes)
            .map(|write| async move {
                match write {
                    Write::Put(item) => self.db.put(item, "PutItem rebuilt sales").await,
                    Write::Delete(pk, sk) => self.db.delete(pk, &sk, "DeleteItem rebuilt sales").await,
                }
            })
            .buffer_unordered(REBUILD_WRITES_AT_ONCE)
            .collect()
            .await;
        results.into_iter().collect::<Result<Vec<()>, Failure>>()?;
        Ok(count)
    }
}

/// The date in a `DAY#<date>...` sort key.
fn date_of(sk: &str) -> Option<Date> {
    sk.strip_prefix("DAY#")?.get(..10)?.parse().ok()
}
