//! Coupons: what a kitchen offers (four kinds), the discount each gives on a subtotal (pure
//! arithmetic, in kobo, rounded down, never more than the subtotal), who may use one and when,
//! and the customer tiers. Imports neither HTTP nor the store.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::platform::validation::{Invalid, Problems};

/// The most kobo any amount of a coupon may name (NGN 10,000,000).
pub const AMOUNT_MAX: i64 = 1_000_000_000;
pub const DESCRIPTION_MAX: usize = 300;
pub const TIERS_MAX: usize = 10;

/// A coupon's code: 3 to 32 of `A-Z`, `0-9` and `-`, kept upper-case (matched without case).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CouponCode(String);

impl CouponCode {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let code = raw.trim().to_ascii_uppercase();
        let ok = (3..=32).contains(&code.len())
            && code
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-');
        if ok {
            Ok(Self(code))
        } else {
            Err("must be 3 to 32 letters, digits or hyphens".into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Which customers a coupon admits, by their tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    New,
    Standard,
    Regular,
    Vip,
}

impl Tier {
    pub const ALL: [Tier; 4] = [Tier::New, Tier::Standard, Tier::Regular, Tier::Vip];

    pub fn as_str(self) -> &'static str {
        match self {
            Tier::New => "new",
            Tier::Standard => "standard",
            Tier::Regular => "regular",
            Tier::Vip => "vip",
        }
    }
}

/// What a customer has done, over every kitchen: completed orders and what they came to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    pub completed_orders: i64,
    /// Kobo.
    pub total_spent: i64,
}

/// Where the tiers begin (configurable): each needs both so many completed orders and so much
/// spent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TierThresholds {
    pub regular_orders: i64,
    pub regular_spent: i64,
    pub vip_orders: i64,
    pub vip_spent: i64,
}

impl Default for TierThresholds {
    /// Regular: 3 orders and NGN 30,000; VIP: 10 orders and NGN 300,000.
    fn default() -> Self {
        Self {
            regular_orders: 3,
            regular_spent: 3_000_000,
            vip_orders: 10,
            vip_spent: 30_000_000,
        }
    }
}

impl TierThresholds {
    /// The tier `stats` earn: the highest whose thresholds they reach.
    pub fn tier(&self, stats: Stats) -> Tier {
        let reaches = |orders: i64, spent: i64| stats.completed_orders >= orders && stats.total_spent >= spent;
        if reaches(self.vip_orders, self.vip_spent) {
            Tier::Vip
        } else if reaches(self.regular_orders, self.regular_spent) {
            Tier::Regular
        } else if stats.completed_orders > 0 {
            Tier::Standard
        } else {
            Tier::New
        }
    }
}

/// Whom a coupon is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    All,
    New,
    Regular,
    Vip,
}

impl Audience {
    fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "all" => Ok(Self::All),
            "new" => Ok(Self::New),
            "regular" => Ok(Self::Regular),
            "vip" => Ok(Self::Vip),
            _ => Err("must be all, new, regular or vip".into()),
        }
    }

    pub fn admits(self, tier: Tier) -> bool {
        match self {
            Audience::All => true,
            Audience::New => tier == Tier::New,
            Audience::Regular => tier == Tier::Regular,
            Audience::Vip => tier == Tier::Vip,
        }
    }
}

/// Some portions of one dish.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DishQuantity {
    pub food_item_id: String,
    pub quantity: i64,
}

/// One step of a tiered coupon: from `min_subtotal`, a percentage or an amount off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierStep {
    pub min_subtotal: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<i64>,
}

/// What a coupon takes off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Offer {
    Percent { percent: i64 },
    Fixed { amount: i64 },
    BuyXGetY { buy: DishQuantity, get: DishQuantity },
    Tiered { tiers: Vec<TierStep> },
}

impl Offer {
    pub fn kind(&self) -> &'static str {
        match self {
            Offer::Percent { .. } => "percent",
            Offer::Fixed { .. } => "fixed",
            Offer::BuyXGetY { .. } => "buy_x_get_y",
            Offer::Tiered { .. } => "tiered",
        }
    }
}

/// An order's line, as a discount sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedLine {
    pub food_item_id: String,
    pub unit_price: i64,
    pub quantity: i64,
}

/// `percent`% of `kobo`, rounded down.
fn percent_of(kobo: i64, percent: i64) -> i64 {
    i64::try_from(i128::from(kobo) * i128::from(percent) / 100).unwrap_or(i64::MAX)
}

/// Why a coupon cannot be used now.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CouponRefusal {
    #[error("no such coupon")]
    NotFound,
    #[error("the coupon starts at {0}")]
    NotStarted(String),
    #[error("the coupon has expired")]
    Expired,
    #[error("the coupon has been used up")]
    Exhausted,
    #[error("you have used this coupon as often as it allows")]
    LimitReached,
    #[error("the coupon is for {0} customers")]
    TierMismatch(&'static str),
    #[error("the subtotal is below the coupon's minimum of {0} kobo")]
    BelowMinimum(i64),
    #[error("the order lacks the coupon's dishes")]
    NotApplicable,
}

/// A kitchen's coupon.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coupon {
    pub id: String,
    pub kitchen_id: String,
    pub code: CouponCode,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(flatten)]
    pub offer: Offer,
    pub min_subtotal: i64,
    #[serde(default)]
    pub max_discount: Option<i64>,
    #[serde(default)]
    pub starts_at: Option<String>,
    #[serde(default)]
    pub ends_at: Option<String>,
    #[serde(default)]
    pub usage_limit: Option<i64>,
    pub per_customer_limit: i64,
    pub customer_tier: Audience,
    pub active: bool,
    /// Orders that carry it now (cancelled ones give theirs back).
    #[serde(default)]
    pub uses: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl Coupon {
    /// The discount on `lines` (whose sum is `subtotal`): on the subtotal only, rounded down to
    /// the kobo, never more than the subtotal. A buy-x-get-y whose dishes are not both ordered
    /// is `NotApplicable`.
    pub fn discount(&self, lines: &[PricedLine], subtotal: i64) -> Result<i64, CouponRefusal> {
        let raw = match &self.offer {
            Offer::Percent { percent } => percent_of(subtotal, *percent),
            Offer::Fixed { amount } => *amount,
            Offer::BuyXGetY { buy, get } => {
                let ordered = |id: &str| {
                    lines
                        .iter()
                        .filter(|l| l.food_item_id == id)
                        .map(|l| l.quantity)
                        .sum::<i64>()
                };
                let price = lines
                    .iter()
                    .find(|l| l.food_item_id == get.food_item_id)
                    .map(|l| l.unit_price);
                let (bought, got) = (ordered(&buy.food_item_id), ordered(&get.food_item_id));
                let Some(price) = price.filter(|_| bought > 0 && got > 0) else {
                    return Err(CouponRefusal::NotApplicable);
                };
                let free = if buy.food_item_id == get.food_item_id {
                    // Every full group of buy + get has its get free.
                    (bought / (buy.quantity + get.quantity)) * get.quantity
                } else {
                    ((bought / buy.quantity) * get.quantity).min(got)
                };
                price.saturating_mul(free)
            }
            Offer::Tiered { tiers } => tiers
                .iter()
                .filter(|t| subtotal >= t.min_subtotal)
                .max_by_key(|t| t.min_subtotal)
                .map_or(0, |t| match (t.percent, t.amount) {
                    (Some(p), _) => percent_of(subtotal, p),
                    (None, Some(a)) => a,
                    (None, None) => 0,
                }),
        };
        let capped = self.max_discount.map_or(raw, |cap| raw.min(cap));
        Ok(capped.clamp(0, subtotal.max(0)))
    }

    /// Whether `customer` may use it now on a `subtotal`, having used it `used` times: active
    /// (else not found), started, not ended, not used up, within the customer's own limit,
    /// for the customer's tier, and the subtotal at least its minimum.
    pub fn admits(&self, now: Timestamp, tier: Tier, used: i64, subtotal: i64) -> Result<(), CouponRefusal> {
        let at = |t: &Option<String>| t.as_deref().and_then(|t| t.parse::<Timestamp>().ok());
        if !self.active {
            return Err(CouponRefusal::NotFound);
        }
        if let Some(starts) = at(&self.starts_at).filter(|s| now < *s) {
            return Err(CouponRefusal::NotStarted(starts.to_string()));
        }
        if at(&self.ends_at).is_some_and(|e| now >= e) {
            return Err(CouponRefusal::Expired);
        }
        if self.usage_limit.is_some_and(|limit| self.uses >= limit) {
            return Err(CouponRefusal::Exhausted);
        }
        if used >= self.per_customer_limit {
            return Err(CouponRefusal::LimitReached);
        }
        if !self.customer_tier.admits(tier) {
            return Err(CouponRefusal::TierMismatch(match self.customer_tier {
                Audience::All => "all",
                Audience::New => "new",
                Audience::Regular => "regular",
                Audience::Vip => "VIP",
            }));
        }
        if subtotal < self.min_subtotal {
            return Err(CouponRefusal::BelowMinimum(self.min_subtotal));
        }
        Ok(())
    }

    /// The coupon after a manager's change, or the problems with it (the result must still be
    /// a coupon: its dates in order).
    pub fn changed(&self, change: &CouponChange, now: &str) -> Result<Self, Invalid> {
        let mut next = self.clone();
        if let Some(description) = &change.description {
            next.description.clone_from(description);
        }
        if let Some(active) = change.active {
            next.active = active;
        }
        if let Some(min) = change.min_subtotal {
            next.min_subtotal = min;
        }
        if let Some(max) = change.max_discount {
            next.max_discount = max;
        }
        if let Some(starts) = &change.starts_at {
            next.starts_at.clone_from(starts);
        }
        if let Some(ends) = &change.ends_at {
            next.ends_at.clone_from(ends);
        }
        if let Some(limit) = change.usage_limit {
            next.usage_limit = limit;
        }
        if let Some(limit) = change.per_customer_limit {
            next.per_customer_limit = limit;
        }
        if let Some(audience) = change.customer_tier {
            next.customer_tier = audience;
        }
        dates_in_order(next.starts_at.as_deref(), next.ends_at.as_deref())?;
        next.updated_at = now.to_owned();
        Ok(next)
    }
}

impl Coupon {
    /// Whether the customer could use it now on an order that meets its minimum and holds its
    /// dishes: what "the coupons the caller can use now" lists.
    pub fn usable_now(&self, now: Timestamp, tier: Tier, used: i64) -> bool {
        self.admits(now, tier, used, i64::MAX).is_ok()
    }

    /// Admission, then the discount: what using it on `lines` takes off their subtotal.
    pub fn apply(&self, now: Timestamp, tier: Tier, used: i64, lines: &[PricedLine]) -> Result<i64, CouponRefusal> {
        let subtotal = lines
            .iter()
            .map(|l| l.unit_price.saturating_mul(l.quantity))
            .fold(0_i64, i64::saturating_add);
        self.admits(now, tier, used, subtotal)?;
        self.discount(lines, subtotal)
    }

    /// The coupon as an order carries it.
    pub fn applied(&self) -> AppliedCoupon {
        AppliedCoupon {
            id: self.id.clone(),
            code: self.code.as_str().to_owned(),
            kind: self.offer.kind().to_owned(),
        }
    }
}

/// A coupon as an order freezes it at placement: which one (its id: a code can be deleted and
/// made again), its code and kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedCoupon {
    pub id: String,
    pub code: String,
    pub kind: String,
}

/// How often one customer has used a kitchen's code: the count belongs to the coupon that had
/// the code then (`coupon_id`), so a code deleted and made again starts from nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerUses {
    pub coupon_id: String,
    pub used: i64,
}

impl CustomerUses {
    /// The customer's uses of `coupon` (none when the count is another coupon's).
    pub fn of(&self, coupon: &Coupon) -> i64 {
        if self.coupon_id == coupon.id { self.used } else { 0 }
    }
}

/// One use of a coupon, as the customer's usage history shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub code: String,
    pub kitchen: UsageKitchen,
    pub order_id: String,
    /// Kobo.
    pub discount: i64,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageKitchen {
    pub id: String,
    pub slug: String,
}

fn dates_in_order(starts: Option<&str>, ends: Option<&str>) -> Result<(), Invalid> {
    let parse = |t: Option<&str>| t.and_then(|t| t.parse::<Timestamp>().ok());
    match (parse(starts), parse(ends)) {
        (Some(s), Some(e)) if e <= s => Err(Invalid::field(
            "invalid_ends_at",
            "ends_at",
            "must come after starts_at",
            "The coupon ends before it starts",
        )),
        _ => Ok(()),
    }
}

/// A JSON object's fields, as a manager sent them.
pub type Fields = serde_json::Map<String, Value>;

fn amount(v: &Value) -> Result<i64, String> {
    match v.as_i64() {
        Some(n) if (1..=AMOUNT_MAX).contains(&n) => Ok(n),
        _ => Err(format!("must be a whole number of kobo from 1 to {AMOUNT_MAX}")),
    }
}

fn kobo_or_zero(v: &Value) -> Result<i64, String> {
    match v.as_i64() {
        Some(n) if (0..=AMOUNT_MAX).contains(&n) => Ok(n),
        _ => Err(format!("must be a whole number of kobo from 0 to {AMOUNT_MAX}")),
    }
}

fn percent(v: &Value) -> Result<i64, String> {
    match v.as_i64() {
        Some(n) if (1..=100).contains(&n) => Ok(n),
        _ => Err("must be a whole number from 1 to 100".into()),
    }
}

fn count(v: &Value, least: i64) -> Result<i64, String> {
    match v.as_i64() {
        Some(n) if (least..=1_000_000).contains(&n) => Ok(n),
        _ => Err(format!("must be a whole number from {least} to 1000000")),
    }
}

fn instant(v: &Value) -> Result<String, String> {
    v.as_str()
        .and_then(|t| t.parse::<Timestamp>().ok())
        .map(|t| t.to_string())
        .ok_or_else(|| "must be an RFC 3339 time, like 2026-12-24T18:00:00Z".into())
}

fn description(v: &Value) -> Result<Option<String>, String> {
    match v.as_str().map(str::trim) {
        Some("") => Ok(None),
        Some(text) if text.chars().count() <= DESCRIPTION_MAX => Ok(Some(text.to_owned())),
        _ => Err(format!("must be text of at most {DESCRIPTION_MAX} characters")),
    }
}

fn dish(v: &Value) -> Result<DishQuantity, String> {
    let id = v
        .get("food_item_id")
        .and_then(Value::as_str)
        .map(|id| id.trim().to_ascii_uppercase())
        .filter(|id| ulid::Ulid::from_string(id).is_ok());
    let quantity = v
        .get("quantity")
        .and_then(Value::as_i64)
        .filter(|q| (1..=50).contains(q));
    match (id, quantity) {
        (Some(food_item_id), Some(quantity)) => Ok(DishQuantity { food_item_id, quantity }),
        _ => Err("must be {food_item_id, quantity (1..50)}".into()),
    }
}

fn tiers(v: &Value) -> Result<Vec<TierStep>, String> {
    let list = v.as_array().filter(|l| (1..=TIERS_MAX).contains(&l.len()));
    let Some(list) = list else {
        return Err(format!("must be a list of 1 to {TIERS_MAX} tiers"));
    };
    let mut steps = Vec::with_capacity(list.len());
    for (i, t) in list.iter().enumerate() {
        let min = t.get("min_subtotal").map(kobo_or_zero).transpose()?.unwrap_or(0);
        let (percent, amount) = match (t.get("percent"), t.get("amount")) {
            (Some(p), None) => (
                Some(percent(p).map_err(|e| format!("tier {}: percent {e}", i + 1))?),
                None,
            ),
            (None, Some(a)) => (
                None,
                Some(amount(a).map_err(|e| format!("tier {}: amount {e}", i + 1))?),
            ),
            _ => return Err(format!("tier {}: give either percent or amount", i + 1)),
        };
        if steps.iter().any(|s: &TierStep| s.min_subtotal == min) {
            return Err(format!("tier {}: another tier starts at the same min_subtotal", i + 1));
        }
        steps.push(TierStep {
            min_subtotal: min,
            percent,
            amount,
        });
    }
    steps.sort_by_key(|s| s.min_subtotal);
    Ok(steps)
}

/// A new coupon from a manager's fields: every problem named by its field.
pub fn new_coupon(fields: &Fields, kitchen_id: &str, now: &str) -> Result<Coupon, Invalid> {
    let mut p = Problems::default();
    let get = |name: &str| fields.get(name).filter(|v| !v.is_null());
    let code = match get("code").and_then(Value::as_str) {
        Some(raw) => p.check("invalid_code", "code", CouponCode::parse(raw)),
        None => {
            p.add("invalid_code", "code", "is required");
            None
        }
    };
    let required = |p: &mut Problems, name: &str, check: fn(&Value) -> Result<i64, String>| match get(name) {
        Some(v) => p.check("invalid_field", name, check(v)),
        None => {
            p.add("invalid_field", name, "is required for this kind");
            None
        }
    };
    let offer = match get("kind").and_then(Value::as_str) {
        Some("percent") => required(&mut p, "percent", percent).map(|percent| Offer::Percent { percent }),
        Some("fixed") => required(&mut p, "amount", amount).map(|amount| Offer::Fixed { amount }),
        Some("buy_x_get_y") => {
            let buy = get("buy").map_or_else(|| Err("is required for this kind".to_owned()), dish);
            let get_ = get("get").map_or_else(|| Err("is required for this kind".to_owned()), dish);
            match (
                p.check("invalid_field", "buy", buy),
                p.check("invalid_field", "get", get_),
            ) {
                (Some(buy), Some(get)) => Some(Offer::BuyXGetY { buy, get }),
                _ => None,
            }
        }
        Some("tiered") => {
            let steps = get("tiers").map_or_else(|| Err("is required for this kind".to_owned()), tiers);
            p.check("invalid_field", "tiers", steps)
                .map(|tiers| Offer::Tiered { tiers })
        }
        _ => {
            p.add("invalid_kind", "kind", "must be percent, fixed, buy_x_get_y or tiered");
            None
        }
    };
    let optional = |p: &mut Problems, name: &str, check: &dyn Fn(&Value) -> Result<i64, String>| {
        get(name).and_then(|v| p.check("invalid_field", name, check(v)))
    };
    let min_subtotal = optional(&mut p, "min_subtotal", &kobo_or_zero).unwrap_or(0);
    let max_discount = optional(&mut p, "max_discount", &amount);
    let usage_limit = optional(&mut p, "usage_limit", &|v| count(v, 1));
    let per_customer_limit = optional(&mut p, "per_customer_limit", &|v| count(v, 1)).unwrap_or(1);
    let starts_at = get("starts_at").and_then(|v| p.check("invalid_starts_at", "starts_at", instant(v)));
    let ends_at = get("ends_at").and_then(|v| p.check("invalid_ends_at", "ends_at", instant(v)));
    let description = get("description")
        .and_then(|v| p.check("invalid_field", "description", description(v)))
        .flatten();
    let customer_tier = match get("customer_tier").and_then(Value::as_str) {
        None if get("customer_tier").is_none() => Some(Audience::All),
        None => {
            p.add("invalid_field", "customer_tier", "must be all, new, regular or vip");
            None
        }
        Some(raw) => p.check("invalid_field", "customer_tier", Audience::parse(raw)),
    };
    let active = match get("active") {
        None => true,
        Some(v) => v.as_bool().unwrap_or_else(|| {
            p.add("invalid_field", "active", "must be true or false");
            true
        }),
    };
    p.finish("Some coupon fields are invalid")?;
    dates_in_order(starts_at.as_deref(), ends_at.as_deref())?;
    match (code, offer, customer_tier) {
        (Some(code), Some(offer), Some(customer_tier)) => Ok(Coupon {
            id: ulid::Ulid::new().to_string(),
            kitchen_id: kitchen_id.to_owned(),
            code,
            description,
            offer,
            min_subtotal,
            max_discount,
            starts_at,
            ends_at,
            usage_limit,
            per_customer_limit,
            customer_tier,
            active,
            uses: 0,
            created_at: now.to_owned(),
            updated_at: now.to_owned(),
        }),
        _ => Err(Invalid::field(
            "invalid_field",
            "kind",
            "is required",
            "Some coupon fields are invalid",
        )),
    }
}

/// A manager's change to a coupon (its code and kind stay: a new offer is a new coupon).
/// `Some(None)`: clear the field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CouponChange {
    pub description: Option<Option<String>>,
    pub active: Option<bool>,
    pub min_subtotal: Option<i64>,
    pub max_discount: Option<Option<i64>>,
    pub starts_at: Option<Option<String>>,
    pub ends_at: Option<Option<String>>,
    pub usage_limit: Option<Option<i64>>,
    pub per_customer_limit: Option<i64>,
    pub customer_tier: Option<Audience>,
}

impl CouponChange {
    /// From a PATCH body: absent fields stay, `null` clears the optional ones; `code` and
    /// `kind` (and the offer's own fields) cannot change.
    pub fn parse(fields: &Fields) -> Result<Self, Invalid> {
        let mut p = Problems::default();
        let mut change = Self::default();
        for (name, value) in fields {
            let null = value.is_null();
            match name.as_str() {
                "description" => {
                    change.description = if null {
                        Some(None)
                    } else {
                        p.check("invalid_field", name, description(value))
                    }
                }
                "active" => match value.as_bool() {
                    Some(b) => change.active = Some(b),
                    None => p.add("invalid_field", name, "must be true or false"),
                },
                "min_subtotal" => {
                    change.min_subtotal = if null {
                        Some(0)
                    } else {
                        p.check("invalid_field", name, kobo_or_zero(value))
                    }
                }
                "max_discount" => {
                    change.max_discount = if null {
                        Some(None)
                    } else {
                        p.check("invalid_field", name, amount(value)).map(Some)
                    }
                }
                "starts_at" => {
                    change.starts_at = if null {
                        Some(None)
                    } else {
                        p.check("invalid_starts_at", name, instant(value)).map(Some)
                    }
                }
                "ends_at" => {
                    change.ends_at = if null {
                        Some(None)
                    } else {
                        p.check("invalid_ends_at", name, instant(value)).map(Some)
                    }
                }
                "usage_limit" => {
                    change.usage_limit = if null {
                        Some(None)
                    } else {
                        p.check("invalid_field", name, count(value, 1)).map(Some)
                    }
                }
                "per_customer_limit" => change.per_customer_limit = p.check("invalid_field", name, count(value, 1)),
                "customer_tier" => {
                    change.customer_tier = p.check(
                        "invalid_field",
                        name,
                        value
                            .as_str()
                            .map_or_else(|| Err("must be all, new, regular or vip".into()), Audience::parse),
                    )
                }
                "code" | "kind" | "percent" | "amount" | "buy" | "get" | "tiers" => {
                    p.add("immutable_field", name, "cannot change: make a new coupon instead");
                }
                _ => {}
            }
        }
        p.finish("Some coupon fields are invalid")?;
        Ok(change)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn coupon(offer: Offer) -> Coupon {
        let fields = json!({"code": "test", "kind": "fixed", "amount": 1})
            .as_object()
            .unwrap()
            .clone();
        Coupon {
            offer,
            ..new_coupon(&fields, "K", "t").unwrap()
        }
    }

    fn line(id: &str, unit_price: i64, quantity: i64) -> PricedLine {
        PricedLine {
            food_item_id: id.into(),
            unit_price,
            quantity,
        }
    }

    #[test]
    fn applying_admits_first_then_discounts_the_lines_subtotal() {
        let now: Timestamp = "2026-12-03T12:00:00Z".parse().unwrap();
        let mut c = coupon(Offer::Percent { percent: 10 });
        c.min_subtotal = 5_000;
        let lines = [line("A", 2_500, 2), line("B", 1_001, 1)];
        assert_eq!(
            c.apply(now, Tier::New, 0, &lines),
            Ok(600),
            "10% of 6,001 kobo, rounded down"
        );
        assert_eq!(
            c.apply(now, Tier::New, 0, &lines[..1]),
            Ok(500),
            "exactly the minimum is enough"
        );
        assert_eq!(
            c.apply(now, Tier::New, 0, &[line("A", 2_500, 1)]),
            Err(CouponRefusal::BelowMinimum(5_000))
        );
        assert_eq!(c.apply(now, Tier::New, 1, &lines), Err(CouponRefusal::LimitReached));
    }

    #[test]
    fn usable_now_ignores_the_order_but_not_the_dates_uses_limit_or_tier() {
        let now: Timestamp = "2026-12-03T12:00:00Z".parse().unwrap();
        let mut c = coupon(Offer::Fixed { amount: 1_000 });
        c.min_subtotal = 1_000_000;
        assert!(c.usable_now(now, Tier::Standard, 0), "a minimum does not hide it");
        assert!(!c.usable_now(now, Tier::Standard, 1), "used as often as it allows");
        c.customer_tier = Audience::Vip;
        assert!(!c.usable_now(now, Tier::Regular, 0));
        assert!(c.usable_now(now, Tier::Vip, 0));
        c.ends_at = Some("2026-12-03T11:00:00Z".into());
        assert!(!c.usable_now(now, Tier::Vip, 0));
    }

    #[test]
    fn a_customers_count_belongs_to_the_coupon_that_had_the_code() {
        let c = coupon(Offer::Fixed { amount: 1_000 });
        let theirs = CustomerUses {
            coupon_id: c.id.clone(),
            used: 2,
        };
        assert_eq!(theirs.of(&c), 2);
        let older = CustomerUses {
            coupon_id: "01JOLDERCOUPON0000000000000".into(),
            used: 2,
        };
        assert_eq!(older.of(&c), 0, "the code was deleted and made again");
        assert_eq!(
            c.applied(),
            AppliedCoupon {
                id: c.id.clone(),
                code: c.code.as_str().into(),
                kind: "fixed".into()
            }
        );
    }

    #[test]
    fn a_percentage_rounds_down_to_the_kobo_and_stops_at_its_cap() {
        let mut c = coupon(Offer::Percent { percent: 15 });
        assert_eq!(
            c.discount(&[], 10_001),
            Ok(1_500),
            "15% of 10,001 kobo is 1,500.15: 1,500"
        );
        assert_eq!(c.discount(&[], 99), Ok(14));
        c.max_discount = Some(1_000);
        assert_eq!(c.discount(&[], 10_001), Ok(1_000));
        assert_eq!(coupon(Offer::Percent { percent: 100 }).discount(&[], 5_000), Ok(5_000));
    }

    #[test]
    fn a_fixed_amount_is_never_more_than_the_subtotal() {
        let c = coupon(Offer::Fixed { amount: 50_000 });
        assert_eq!(c.discount(&[], 200_000), Ok(50_000));
        assert_eq!(c.discount(&[], 30_000), Ok(30_000));
    }

    #[test]
    fn buy_x_get_y_gives_the_get_dish_free_for_every_full_buy_group_at_most_as_ordered() {
        let offer = |buy: &str, b, get: &str, g| Offer::BuyXGetY {
            buy: DishQuantity {
                food_item_id: buy.into(),
                quantity: b,
            },
            get: DishQuantity {
                food_item_id: get.into(),
                quantity: g,
            },
        };
        // Buy 2 suya, get 1 zobo: 5 suya make 2 groups, but only 1 zobo is ordered.
        let c = coupon(offer("SUYA", 2, "ZOBO", 1));
        let lines = [line("SUYA", 2_500, 5), line("ZOBO", 800, 1)];
        assert_eq!(c.discount(&lines, 13_300), Ok(800));
        let lines = [line("SUYA", 2_500, 5), line("ZOBO", 800, 3)];
        assert_eq!(c.discount(&lines, 14_900), Ok(1_600));
        assert_eq!(
            c.discount(&[line("SUYA", 2_500, 5)], 12_500),
            Err(CouponRefusal::NotApplicable)
        );
        assert_eq!(
            c.discount(&[line("ZOBO", 800, 2)], 1_600),
            Err(CouponRefusal::NotApplicable)
        );
        // Buy one get one of the same dish: every pair has one free; 5 make 2 pairs.
        let bogo = coupon(offer("SUYA", 1, "SUYA", 1));
        assert_eq!(bogo.discount(&[line("SUYA", 2_500, 5)], 12_500), Ok(5_000));
        assert_eq!(bogo.discount(&[line("SUYA", 2_500, 1)], 2_500), Ok(0));
    }

    #[test]
    fn tiered_takes_the_highest_tier_the_subtotal_reaches() {
        let step = |min, percent: Option<i64>, amount: Option<i64>| TierStep {
            min_subtotal: min,
            percent,
            amount,
        };
        let c = coupon(Offer::Tiered {
            tiers: vec![
                step(500_000, Some(5), None),
                step(1_000_000, Some(10), None),
                step(2_000_000, None, Some(300_000)),
            ],
        });
        assert_eq!(c.discount(&[], 400_000), Ok(0));
        assert_eq!(c.discount(&[], 500_000), Ok(25_000));
        assert_eq!(c.discount(&[], 1_999_999), Ok(199_999));
        assert_eq!(c.discount(&[], 2_500_000), Ok(300_000));
    }

    #[test]
    fn tiers_come_from_completed_orders_and_spending_both() {
        let t = TierThresholds::default();
        let stats = |completed_orders, total_spent| Stats {
            completed_orders,
            total_spent,
        };
        assert_eq!(t.tier(stats(0, 0)), Tier::New);
        assert_eq!(t.tier(stats(1, 500_000)), Tier::Standard);
        assert_eq!(t.tier(stats(3, 2_999_999)), Tier::Standard, "both thresholds");
        assert_eq!(t.tier(stats(3, 3_000_000)), Tier::Regular);
        assert_eq!(t.tier(stats(12, 20_000_000)), Tier::Regular);
        assert_eq!(t.tier(stats(10, 30_000_000)), Tier::Vip);
        assert!(Audience::All.admits(Tier::Standard) && Audience::Vip.admits(Tier::Vip));
        assert!(!Audience::Regular.admits(Tier::Vip), "a tier admits that tier only");
    }

    #[test]
    fn a_coupon_admits_by_dates_uses_limits_tier_and_minimum_in_that_order() {
        let now: Timestamp = "2026-12-03T12:00:00Z".parse().unwrap();
        let mut c = coupon(Offer::Fixed { amount: 100 });
        assert_eq!(c.admits(now, Tier::New, 0, 1), Ok(()));
        c.starts_at = Some("2026-12-04T00:00:00Z".into());
        assert!(matches!(
            c.admits(now, Tier::New, 0, 1),
            Err(CouponRefusal::NotStarted(_))
        ));
        c.starts_at = None;
        c.ends_at = Some("2026-12-03T12:00:00Z".into());
        assert_eq!(c.admits(now, Tier::New, 0, 1), Err(CouponRefusal::Expired));
        c.ends_at = None;
        c.usage_limit = Some(5);
        c.uses = 5;
        assert_eq!(c.admits(now, Tier::New, 0, 1), Err(CouponRefusal::Exhausted));
        c.uses = 4;
        assert_eq!(c.admits(now, Tier::New, 1, 1), Err(CouponRefusal::LimitReached));
        c.customer_tier = Audience::Vip;
        assert_eq!(
            c.admits(now, Tier::Regular, 0, 1),
            Err(CouponRefusal::TierMismatch("VIP"))
        );
        c.customer_tier = Audience::All;
        c.min_subtotal = 10;
        assert_eq!(c.admits(now, Tier::New, 0, 9), Err(CouponRefusal::BelowMinimum(10)));
        c.active = false;
        assert_eq!(
            c.admits(now, Tier::New, 0, 10),
            Err(CouponRefusal::NotFound),
            "switched off: as if absent"
        );
    }

    #[test]
    fn a_new_coupon_names_every_bad_field_and_keeps_its_code_upper_case() {
        let fields = |v: Value| v.as_object().unwrap().clone();
        let c = new_coupon(
            &fields(json!({"code": "jollof-10", "kind": "percent", "percent": 10})),
            "K",
            "t",
        )
        .unwrap();
        assert_eq!(
            (c.code.as_str(), c.per_customer_limit, c.customer_tier, c.active),
            ("JOLLOF-10", 1, Audience::All, true)
        );
        let err = new_coupon(
            &fields(
                json!({"code": "a!", "kind": "percent", "percent": 120, "usage_limit": 0, "customer_tier": "gold"}),
            ),
            "K",
            "t",
        )
        .unwrap_err();
        for field in ["code", "percent", "usage_limit", "customer_tier"] {
            assert!(err.fields.contains_key(field), "{field}: {err:?}");
        }
        let err = new_coupon(
            &fields(json!({"code": "BOGO", "kind": "buy_x_get_y", "buy": {"food_item_id": "x"}})),
            "K",
            "t",
        )
        .unwrap_err();
        assert!(
            err.fields.contains_key("buy") && err.fields.contains_key("get"),
            "{err:?}"
        );
        let err = new_coupon(
            &fields(json!({"code": "LATE", "kind": "fixed", "amount": 5, "starts_at": "2026-12-10T00:00:00Z", "ends_at": "2026-12-01T00:00:00Z"})),
            "K",
            "t",
        )
        .unwrap_err();
        assert_eq!(
            err.fields.get("ends_at").map(String::as_str),
            Some("must come after starts_at")
        );
        let past = new_coupon(
            &fields(json!({"code": "OLD", "kind": "fixed", "amount": 5, "ends_at": "2020-01-01T00:00:00Z"})),
            "K",
            "t",
        );
        assert!(past.is_ok(), "dates may lie in the past");
        let tiered = new_coupon(
            &fields(json!({"code": "TIERS", "kind": "tiered", "tiers": [{"min_subtotal": 900, "amount": 50}, {"min_subtotal": 100, "percent": 5}]})),
            "K",
            "t",
        )
        .unwrap();
        let Offer::Tiered { tiers } = tiered.offer else {
            panic!()
        };
        assert_eq!(tiers[0].min_subtotal, 100, "kept in order");
    }

    #[test]
    fn a_change_keeps_the_offer_and_its_dates_in_order() {
        let c = coupon(Offer::Fixed { amount: 100 });
        let fields = |v: Value| v.as_object().unwrap().clone();
        let change = CouponChange::parse(&fields(
            json!({"active": false, "usage_limit": null, "ends_at": "2027-01-01T00:00:00Z"}),
        ))
        .unwrap();
        let next = c.changed(&change, "t2").unwrap();
        assert_eq!(
            (next.active, next.usage_limit, next.ends_at.as_deref()),
            (false, None, Some("2027-01-01T00:00:00Z"))
        );
        assert_eq!(
            CouponChange::parse(&fields(json!({"kind": "percent"})))
                .unwrap_err()
                .code,
            "immutable_field"
        );
        let change = CouponChange::parse(&fields(json!({"starts_at": "2027-02-01T00:00:00Z"}))).unwrap();
        assert!(next.changed(&change, "t3").is_err(), "would start after it ends");
    }
}
