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

use super::model::{Change, DishFigures, Figures, Range};
use crate::platform::db::{Db, Item, PK, SK, TTL, from_item, n, s, transact};
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

/// The date in a `DAY#<date>...` sort key.
fn date_of(sk: &str) -> Option<Date> {
    sk.strip_prefix("DAY#")?.get(..10)?.parse().ok()
}
