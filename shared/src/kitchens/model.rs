//! A kitchen of the platform, as rules: its slug, its opening hours (ranges that may run past
//! midnight, in the kitchen's own time zone), closures, whether it is open at an instant and
//! when it next opens, its delivery rules (fee, minimum, radius by great-circle distance) and its
//! members' roles. No HTTP, no store.

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use serde::{Deserialize, Serialize};

use crate::platform::patch::Patch;
use crate::platform::validation::{Invalid, Problems};

/// Slugs nobody may take: they name routes of their own (`/api/kitchens/admin/`, `/mine/`).
pub const RESERVED_SLUGS: &[&str] = &["admin", "mine"];

/// A slug that is not 3..40 of `a-z0-9-`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("must be 3 to 40 of a-z, 0-9 and -")]
pub struct SlugError;

/// A kitchen's address in URLs: 3..40 of `a-z0-9-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Slug(String);

impl Slug {
    /// A slug as given: refused (naming `slug`) unless it is 3..40 of `a-z0-9-`; nothing is
    /// lower-cased or trimmed for the caller.
    pub fn parse(raw: &str) -> Result<Self, SlugError> {
        let fine = (3..=40).contains(&raw.len())
            && raw
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if fine { Ok(Self(raw.to_owned())) } else { Err(SlugError) }
    }

    /// The slug a name makes: lower-cased ASCII letters and digits, every other run of
    /// characters one `-`, no `-` at either end. Refused like a given slug when that is not
    /// 3..40 long (it is never cut or padded to fit).
    pub fn from_name(name: &str) -> Result<Self, SlugError> {
        let mut slug = String::with_capacity(name.len());
        for c in name.chars() {
            if c.is_ascii_alphanumeric() {
                slug.push(c.to_ascii_lowercase());
            } else if !slug.ends_with('-') && !slug.is_empty() {
                slug.push('-');
            }
        }
        let slug = slug.trim_end_matches('-');
        Self::parse(slug)
    }

    /// Whether the platform keeps this slug for itself.
    pub fn is_reserved(&self) -> bool {
        RESERVED_SLUGS.contains(&self.0.as_str())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A day of the week, as hours name it (`mon`..`sun`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Day {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Day {
    const ALL: [Day; 7] = [Day::Mon, Day::Tue, Day::Wed, Day::Thu, Day::Fri, Day::Sat, Day::Sun];

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == raw)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Day::Mon => "mon",
            Day::Tue => "tue",
            Day::Wed => "wed",
            Day::Thu => "thu",
            Day::Fri => "fri",
            Day::Sat => "sat",
            Day::Sun => "sun",
        }
    }

    fn of(weekday: Weekday) -> Self {
        Self::ALL[weekday.to_monday_zero_offset() as usize]
    }
}

/// A time of day, `HH:MM` (00:00..23:59), as minutes after midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Clock(u16);

impl Clock {
    /// Exactly two digits, `:`, two digits.
    pub fn parse(raw: &str) -> Option<Self> {
        let bytes = raw.as_bytes();
        if bytes.len() != 5 || bytes[2] != b':' || !raw[..2].bytes().chain(raw[3..].bytes()).all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let (hours, minutes): (u16, u16) = (raw[..2].parse().ok()?, raw[3..].parse().ok()?);
        (hours < 24 && minutes < 60).then_some(Self(hours * 60 + minutes))
    }

    pub fn minutes(self) -> u16 {
        self.0
    }
}

impl std::fmt::Display for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

impl Serialize for Clock {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Clock {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Clock::parse(&raw).ok_or_else(|| serde::de::Error::custom("expected HH:MM"))
    }
}

/// One opening of a week: from `opens` on `day` to `closes`, the next day when `closes` is not
/// after `opens` (a range past midnight; equal times are a whole day).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opening {
    pub day: Day,
    pub opens: Clock,
    pub closes: Clock,
}

impl Opening {
    fn past_midnight(&self) -> bool {
        self.closes <= self.opens
    }
}

/// A time the kitchen is shut whatever its hours say: from `from` until `to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closure {
    pub from: Timestamp,
    pub to: Timestamp,
    #[serde(default)]
    pub reason: Option<String>,
}

/// When a kitchen takes orders: its hours (none: always), closures, the pause switch, in its
/// time zone.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub time_zone: TimeZone,
    pub hours: Vec<Opening>,
    pub closures: Vec<Closure>,
    pub accepting_orders: bool,
}

/// A time zone by its IANA name (`Africa/Lagos`), from the database built into the binary.
pub fn time_zone(name: &str) -> Option<TimeZone> {
    TimeZone::get(name).ok()
}

impl Schedule {
    /// Whether the kitchen takes orders at `at`.
    pub fn open_at(&self, at: Timestamp) -> bool {
        self.accepting_orders && !self.closed_for(at) && self.within_hours(at)
    }

    fn closed_for(&self, at: Timestamp) -> bool {
        self.closures.iter().any(|c| c.from <= at && at < c.to)
    }

    fn within_hours(&self, at: Timestamp) -> bool {
        if self.hours.is_empty() {
            return true;
        }
        let local = at.to_zoned(self.time_zone.clone());
        let today = Day::of(local.weekday());
        let yesterday = Day::of(local.weekday().previous());
        let now = local.hour() as u16 * 60 + local.minute() as u16;
        self.hours.iter().any(|o| {
            let (opens, closes) = (o.opens.minutes(), o.closes.minutes());
            (o.day == today && now >= opens && (o.past_midnight() || now < closes))
                || (o.day == yesterday && o.past_midnight() && now < closes)
        })
    }

    /// When the kitchen next opens after `at` (UTC): `None` while it is open now, paused, or
    /// with no opening ahead (every opening inside a closure).
    pub fn next_open_at(&self, at: Timestamp) -> Option<Timestamp> {
        if !self.accepting_orders || self.open_at(at) {
            return None;
        }
        let mut candidates: Vec<Timestamp> = self.closures.iter().map(|c| c.to).filter(|t| *t > at).collect();
        let mut around = vec![at];
        around.extend(candidates.iter().copied());
        for from in around {
            candidates.extend(self.starts_near(from));
        }
        candidates.sort();
        candidates.into_iter().filter(|t| *t > at).find(|t| self.open_at(*t))
    }

    /// The instants openings start, from the day before `from` to a week after it.
    fn starts_near(&self, from: Timestamp) -> Vec<Timestamp> {
        let date = from.to_zoned(self.time_zone.clone()).date();
        let mut starts = Vec::new();
        for offset in -1..=8i64 {
            let Ok(day) = date.checked_add(offset.days()) else {
                continue;
            };
            for o in self.hours.iter().filter(|o| o.day == Day::of(day.weekday())) {
                if let Some(start) = self.instant(day, o.opens) {
                    starts.push(start);
                }
            }
        }
        starts
    }

    /// `clock` on `date` in the kitchen's zone (a time a clock change skips is taken as the
    /// first instant after the gap).
    fn instant(&self, date: Date, clock: Clock) -> Option<Timestamp> {
        let m = clock.minutes();
        let civil = date.at((m / 60) as i8, (m % 60) as i8, 0, 0);
        civil.to_zoned(self.time_zone.clone()).ok().map(|z| z.timestamp())
    }
}

/// A point on the map (degrees).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Location {
    pub lat: f64,
    pub lng: f64,
}

/// Every location is made by [`Location::new`] or read from JSON, so neither coordinate is NaN:
/// equality is total.
impl Eq for Location {}

impl Location {
    /// Latitude in -90..90, longitude in -180..180.
    pub fn new(lat: f64, lng: f64) -> Option<Self> {
        ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lng)).then_some(Self { lat, lng })
    }

    /// The great-circle distance to `other` in kilometres (haversine, on the mean Earth radius).
    pub fn km_to(&self, other: &Location) -> f64 {
        const EARTH_KM: f64 = 6371.0088;
        let (lat1, lat2) = (self.lat.to_radians(), other.lat.to_radians());
        let dlat = lat2 - lat1;
        let dlng = (other.lng - self.lng).to_radians();
        let a = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlng / 2.0).sin().powi(2);
        2.0 * EARTH_KM * a.sqrt().min(1.0).asin()
    }
}

/// Who a member is in a kitchen, from most to least trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KitchenRole {
    /// The applicant: everything, staff included.
    Owner,
    /// Menu, coupons, settings, orders, alerts, reports.
    Manager,
    /// The order board: status and payment changes, alerts.
    Staff,
}

impl KitchenRole {
    fn rank(self) -> u8 {
        match self {
            KitchenRole::Owner => 3,
            KitchenRole::Manager => 2,
            KitchenRole::Staff => 1,
        }
    }

    /// Whether this role may do what `needed` may.
    pub fn at_least(self, needed: KitchenRole) -> bool {
        self.rank() >= needed.rank()
    }
}

/// Whether a kitchen is on the platform: applied (pending), open to customers (active), or
/// taken off it (suspended).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KitchenStatus {
    Pending,
    Active,
    Suspended,
}

impl KitchenStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            KitchenStatus::Pending => "pending",
            KitchenStatus::Active => "active",
            KitchenStatus::Suspended => "suspended",
        }
    }

    /// A status to list by (`?status=`): any of the three, naming `status` otherwise.
    pub fn parse_filter(raw: &str) -> Result<Self, Invalid> {
        match raw {
            "pending" => Ok(KitchenStatus::Pending),
            "active" => Ok(KitchenStatus::Active),
            "suspended" => Ok(KitchenStatus::Suspended),
            _ => Err(Invalid::field(
                "invalid_status",
                "status",
                "must be pending, active or suspended",
                "Unknown kitchen status",
            )),
        }
    }

    /// What the platform admin may set: `active` or `suspended` (a kitchen is pending only
    /// until it is first decided on), naming `status` otherwise.
    pub fn parse_decision(raw: Option<&str>) -> Result<Self, Invalid> {
        match raw {
            Some("active") => Ok(KitchenStatus::Active),
            Some("suspended") => Ok(KitchenStatus::Suspended),
            _ => Err(Invalid::field(
                "invalid_status",
                "status",
                "must be active or suspended",
                "Unknown kitchen status",
            )),
        }
    }
}

/// How a kitchen delivers: on or off, its fee and minimum order (kobo), and how far (km, none:
/// anywhere).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliveryRules {
    pub enabled: bool,
    pub fee: i64,
    pub minimum_order: i64,
    pub radius_km: Option<f64>,
}

impl Default for DeliveryRules {
    fn default() -> Self {
        Self {
            enabled: true,
            fee: 0,
            minimum_order: 0,
            radius_km: None,
        }
    }
}

/// Whether customers may collect their orders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PickupRules {
    pub enabled: bool,
}

impl Default for PickupRules {
    fn default() -> Self {
        Self { enabled: true }
    }
}

/// The time zone a kitchen gets unless it says otherwise.
pub const DEFAULT_TIME_ZONE: &str = "Africa/Lagos";

/// A kitchen as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Kitchen {
    pub id: String,
    pub slug: Slug,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    pub phone: String,
    #[serde(default)]
    pub email: Option<String>,
    pub address: String,
    #[serde(default)]
    pub location: Option<Location>,
    #[serde(default)]
    pub image_url: Option<String>,
    pub timezone: String,
    pub status: KitchenStatus,
    #[serde(default)]
    pub hours: Vec<Opening>,
    #[serde(default)]
    pub closures: Vec<Closure>,
    pub accepting_orders: bool,
    #[serde(default)]
    pub delivery: DeliveryRules,
    #[serde(default)]
    pub pickup: PickupRules,
    pub currency: String,
    pub created_at: String,
    /// Its Paystack subaccount (`ACCT_...`), set by the platform admin: payments for its orders
    /// are split, the platform keeping its commission.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paystack_subaccount: Option<String>,
}

impl Kitchen {
    /// When it takes orders, in its own zone.
    pub fn schedule(&self) -> Schedule {
        Schedule {
            time_zone: time_zone(&self.timezone)
                .or_else(|| time_zone(DEFAULT_TIME_ZONE))
                .unwrap_or(TimeZone::UTC),
            hours: self.hours.clone(),
            closures: self.closures.clone(),
            accepting_orders: self.accepting_orders,
        }
    }

    /// Whether customers see it.
    pub fn is_public(&self) -> bool {
        self.status == KitchenStatus::Active
    }
}

/// Why a kitchen does not take an order as asked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OrderingRefusal {
    /// Outside its hours, inside a closure, or paused; when it next opens (none while paused or
    /// with no opening ahead).
    Closed { next_open_at: Option<Timestamp> },
    /// It does not deliver, or does not let customers collect.
    FulfilmentUnavailable,
    /// A delivery's dishes come to less than the kitchen's minimum (kobo).
    BelowMinimumOrder { minimum: i64 },
    /// It delivers only within a radius, and the order says not where to.
    LocationRequired,
    /// Farther than the kitchen delivers.
    OutsideDeliveryArea { radius_km: f64 },
}

impl Kitchen {
    /// What an order of `subtotal` kobo needs of the kitchen at `now`: open, the fulfilment
    /// offered, and for a delivery the minimum reached and the place within the radius (from
    /// the kitchen's `location`; a kitchen with a radius but no location of its own cannot
    /// measure, so it does not refuse). The delivery fee it charges (0 for a pickup).
    pub fn takes_order(
        &self,
        now: Timestamp,
        delivery: bool,
        subtotal: i64,
        to: Option<&Location>,
    ) -> Result<i64, OrderingRefusal> {
        let schedule = self.schedule();
        if !schedule.open_at(now) {
            return Err(OrderingRefusal::Closed {
                next_open_at: schedule.next_open_at(now),
            });
        }
        if !delivery {
            return if self.pickup.enabled {
                Ok(0)
            } else {
                Err(OrderingRefusal::FulfilmentUnavailable)
            };
        }
        let rules = &self.delivery;
        if !rules.enabled {
            return Err(OrderingRefusal::FulfilmentUnavailable);
        }
        if let Some(radius_km) = rules.radius_km {
            let to = to.ok_or(OrderingRefusal::LocationRequired)?;
            if let Some(from) = &self.location
                && from.km_to(to) > radius_km
            {
                return Err(OrderingRefusal::OutsideDeliveryArea { radius_km });
            }
        }
        if subtotal < rules.minimum_order {
            return Err(OrderingRefusal::BelowMinimumOrder {
                minimum: rules.minimum_order,
            });
        }
        Ok(rules.fee)
    }
}

/// An application for a new kitchen, every field checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Application {
    pub name: String,
    pub slug: Slug,
    pub phone: String,
    pub address: String,
    pub email: Option<String>,
    pub description: Option<String>,
}

/// An application as sent.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ApplicationInput {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub slug: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

/// A required text field, trimmed, 1..=`max` characters.
fn text(raw: Option<&str>, max: usize) -> Result<String, String> {
    let value = raw.map(str::trim).unwrap_or_default();
    if value.is_empty() || value.chars().count() > max {
        return Err(format!("is required, at most {max} characters"));
    }
    Ok(value.to_owned())
}

/// An optional text field: absent or blank is none.
fn optional_text(raw: Option<&str>, max: usize) -> Result<Option<String>, String> {
    match raw.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(value) => text(Some(value), max).map(Some),
    }
}

impl Application {
    /// Every field checked, every problem reported at once; the phone read like a phone
    /// identifier (in `default_country`), the email like an email identifier.
    pub fn parse(input: &ApplicationInput, default_country: &str) -> Result<Self, Invalid> {
        use crate::accounts::model::{Email, Phone};
        let mut p = Problems::default();
        let name = p.check("invalid_field", "name", text(input.name.as_deref(), 100));
        let slug = match (input.slug.as_deref(), &name) {
            (Some(given), _) => Slug::parse(given),
            (None, Some(name)) => Slug::from_name(name),
            (None, None) => Err(SlugError),
        };
        let slug = p.check("invalid_slug", "slug", slug.map_err(|e| e.to_string()));
        let phone = Phone::parse(input.phone.as_deref().unwrap_or_default(), default_country)
            .map(|p| p.as_str().to_owned())
            .map_err(|e| e.to_string());
        let phone = p.check("invalid_phone", "phone", phone);
        let address = p.check("invalid_field", "address", text(input.address.as_deref(), 500));
        let email = match input.email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
            None => Ok(None),
            Some(raw) => Email::parse(raw)
                .map(|e| Some(e.as_str().to_owned()))
                .map_err(|e| e.to_string()),
        };
        let email = p.check("invalid_email", "email", email);
        let description = p.check(
            "invalid_field",
            "description",
            optional_text(input.description.as_deref(), 1000),
        );
        p.finish("Some fields of the kitchen are not valid")?;
        match (name, slug, phone, address, email, description) {
            (Some(name), Some(slug), Some(phone), Some(address), Some(email), Some(description)) => Ok(Self {
                name,
                slug,
                phone,
                address,
                email,
                description,
            }),
            _ => Err(Invalid::field("invalid_field", "name", "is invalid", "Invalid kitchen")),
        }
    }

    /// The kitchen it opens: pending, always open (no hours), taking orders, delivery on with
    /// no fee, minimum or radius, pickup on.
    pub fn open(self, id: String, created_at: String) -> Kitchen {
        Kitchen {
            id,
            slug: self.slug,
            name: self.name,
            description: self.description,
            phone: self.phone,
            email: self.email,
            address: self.address,
            location: None,
            image_url: None,
            timezone: DEFAULT_TIME_ZONE.to_owned(),
            status: KitchenStatus::Pending,
            hours: Vec::new(),
            closures: Vec::new(),
            accepting_orders: true,
            delivery: DeliveryRules::default(),
            pickup: PickupRules::default(),
            currency: "NGN".to_owned(),
            created_at,
            paystack_subaccount: None,
        }
    }
}

/// A member of a kitchen's staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub user_id: String,
    pub identifier: String,
    pub role: KitchenRole,
    pub added_at: String,
}

/// What an owner may make of a member: a manager or staff (there is one owner, the applicant).
pub fn staff_role(raw: Option<&str>) -> Result<KitchenRole, Invalid> {
    match raw {
        Some("manager") => Ok(KitchenRole::Manager),
        Some("staff") => Ok(KitchenRole::Staff),
        _ => Err(Invalid::field(
            "invalid_role",
            "role",
            "must be manager or staff",
            "A member is a manager or staff",
        )),
    }
}

/// A change to a kitchen's delivery rules: each part optional.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeliveryChange {
    pub enabled: Option<bool>,
    pub fee: Option<i64>,
    pub minimum_order: Option<i64>,
    pub radius_km: Patch<f64>,
}

/// A manager's change to a kitchen's settings: every field optional; `Patch::Null` clears an
/// optional one. Built by [`KitchenChange::parse`], so every value in it is valid.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KitchenChange {
    pub name: Option<String>,
    pub description: Patch<String>,
    pub phone: Option<String>,
    pub email: Patch<String>,
    pub address: Option<String>,
    pub location: Patch<Location>,
    pub image_url: Patch<String>,
    pub timezone: Option<String>,
    pub hours: Option<Vec<Opening>>,
    pub closures: Option<Vec<Closure>>,
    pub accepting_orders: Option<bool>,
    pub delivery: DeliveryChange,
    pub pickup_enabled: Option<bool>,
    /// Only the platform admin may set it (the edge refuses anyone else).
    pub paystack_subaccount: Patch<String>,
}

/// Fields a kitchen's settings never change (the platform sets or computes them).
const FIXED_FIELDS: &[&str] = &[
    "id",
    "slug",
    "status",
    "open_now",
    "next_open_at",
    "created_at",
    "is_home",
];

type Json = serde_json::Value;

fn boolean(value: &Json) -> Result<bool, String> {
    value.as_bool().ok_or_else(|| "must be true or false".to_owned())
}

/// Kobo: a whole number, 0 or more.
fn kobo(value: &Json) -> Result<i64, String> {
    value
        .as_i64()
        .filter(|k| *k >= 0)
        .ok_or_else(|| "must be a whole number of kobo, 0 or more".to_owned())
}

fn string(value: &Json) -> Result<&str, String> {
    value.as_str().ok_or_else(|| "must be a string".to_owned())
}

/// A patch of an optional text field: `null` or blank clears it.
fn optional_patch(value: &Json, check: impl Fn(&str) -> Result<String, String>) -> Result<Patch<String>, String> {
    match value {
        Json::Null => Ok(Patch::Null),
        other => {
            let raw = string(other)?;
            if raw.trim().is_empty() {
                Ok(Patch::Null)
            } else {
                check(raw).map(Patch::Value)
            }
        }
    }
}

fn location(value: &Json) -> Result<Patch<Location>, String> {
    if value.is_null() {
        return Ok(Patch::Null);
    }
    let problem = || "must be {\"lat\": -90..90, \"lng\": -180..180} or null".to_owned();
    let lat = value.get("lat").and_then(Json::as_f64).ok_or_else(problem)?;
    let lng = value.get("lng").and_then(Json::as_f64).ok_or_else(problem)?;
    Location::new(lat, lng).map(Patch::Value).ok_or_else(problem)
}

fn hours(value: &Json) -> Result<Vec<Opening>, String> {
    let ranges = value
        .as_array()
        .ok_or_else(|| "must be a list of {day, opens, closes}".to_owned())?;
    if ranges.len() > 50 {
        return Err("at most 50 ranges".to_owned());
    }
    ranges
        .iter()
        .enumerate()
        .map(|(i, range)| {
            let field = |name: &str| range.get(name).and_then(Json::as_str);
            let day = field("day")
                .and_then(Day::parse)
                .ok_or_else(|| format!("range {i}: day must be one of mon..sun"))?;
            let opens = field("opens")
                .and_then(Clock::parse)
                .ok_or_else(|| format!("range {i}: opens must be HH:MM (00:00..23:59)"))?;
            let closes = field("closes")
                .and_then(Clock::parse)
                .ok_or_else(|| format!("range {i}: closes must be HH:MM (00:00..23:59)"))?;
            Ok(Opening { day, opens, closes })
        })
        .collect()
}

fn closures(value: &Json) -> Result<Vec<Closure>, String> {
    let list = value
        .as_array()
        .ok_or_else(|| "must be a list of {from, to, reason}".to_owned())?;
    if list.len() > 50 {
        return Err("at most 50 closures".to_owned());
    }
    list.iter()
        .enumerate()
        .map(|(i, closure)| {
            let instant = |name: &str| {
                closure
                    .get(name)
                    .and_then(Json::as_str)
                    .and_then(|raw| raw.parse::<Timestamp>().ok())
                    .ok_or_else(|| format!("closure {i}: {name} must be an RFC 3339 timestamp"))
            };
            let (from, to) = (instant("from")?, instant("to")?);
            if to <= from {
                return Err(format!("closure {i}: to must be after from"));
            }
            let reason = match closure.get("reason") {
                None | Some(Json::Null) => None,
                Some(reason) => {
                    optional_text(Some(string(reason)?), 200).map_err(|p| format!("closure {i}: reason {p}"))?
                }
            };
            Ok(Closure { from, to, reason })
        })
        .collect()
}

fn image_url(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    if raw.len() > 500 || !raw.starts_with("https://") || raw.chars().any(char::is_whitespace) {
        return Err("must be an https:// URL of at most 500 characters".to_owned());
    }
    Ok(raw.to_owned())
}

impl KitchenChange {
    /// Every field of `body` checked, every problem named at once. A field the settings never
    /// change (`slug`, `status`, ...) is refused by name rather than ignored.
    pub fn parse(body: &serde_json::Map<String, Json>, default_country: &str) -> Result<Self, Invalid> {
        use crate::accounts::model::{Email, Phone};
        let mut p = Problems::default();
        let mut change = KitchenChange::default();
        for fixed in FIXED_FIELDS {
            if body.contains_key(*fixed) {
                p.add("invalid_field", fixed, "cannot be changed here");
            }
        }
        for (name, value) in body {
            match name.as_str() {
                "name" => change.name = p.check("invalid_field", name, string(value).and_then(|v| text(Some(v), 100))),
                "description" => {
                    change.description = p
                        .check("invalid_field", name, optional_patch(value, |v| text(Some(v), 1000)))
                        .unwrap_or_default()
                }
                "phone" => {
                    let phone = string(value).and_then(|v| {
                        Phone::parse(v, default_country)
                            .map(|p| p.as_str().to_owned())
                            .map_err(|e| e.to_string())
                    });
                    change.phone = p.check("invalid_phone", name, phone);
                }
                "email" => {
                    let email = optional_patch(value, |v| {
                        Email::parse(v.trim())
                            .map(|e| e.as_str().to_owned())
                            .map_err(|e| e.to_string())
                    });
                    change.email = p.check("invalid_email", name, email).unwrap_or_default();
                }
                "address" => {
                    change.address = p.check("invalid_field", name, string(value).and_then(|v| text(Some(v), 500)))
                }
                "location" => change.location = p.check("invalid_location", name, location(value)).unwrap_or_default(),
                "image_url" => {
                    change.image_url = p
                        .check("invalid_field", name, optional_patch(value, image_url))
                        .unwrap_or_default()
                }
                "timezone" => {
                    let zone = string(value).and_then(|v| match time_zone(v) {
                        Some(_) => Ok(v.to_owned()),
                        None => Err("must be an IANA time zone such as Africa/Lagos".to_owned()),
                    });
                    change.timezone = p.check("invalid_timezone", name, zone);
                }
                "hours" => change.hours = p.check("invalid_hours", name, hours(value)),
                "closures" => change.closures = p.check("invalid_closures", name, closures(value)),
                "accepting_orders" => change.accepting_orders = p.check("invalid_field", name, boolean(value)),
                "delivery" => match value.as_object() {
                    None => p.add("invalid_field", name, "must be an object"),
                    Some(delivery) => {
                        for (part, value) in delivery {
                            let field = format!("delivery.{part}");
                            match part.as_str() {
                                "enabled" => change.delivery.enabled = p.check("invalid_field", &field, boolean(value)),
                                "fee" => change.delivery.fee = p.check("invalid_field", &field, kobo(value)),
                                "minimum_order" => {
                                    change.delivery.minimum_order = p.check("invalid_field", &field, kobo(value))
                                }
                                "radius_km" => {
                                    let radius = match value {
                                        Json::Null => Ok(Patch::Null),
                                        other => other
                                            .as_f64()
                                            .filter(|r| r.is_finite() && *r > 0.0 && *r <= 1000.0)
                                            .map(Patch::Value)
                                            .ok_or_else(|| {
                                                "must be a positive number of km (at most 1000) or null".to_owned()
                                            }),
                                    };
                                    change.delivery.radius_km =
                                        p.check("invalid_field", &field, radius).unwrap_or_default();
                                }
                                _ => {}
                            }
                        }
                    }
                },
                "pickup" => {
                    let enabled = value
                        .get("enabled")
                        .ok_or_else(|| "must be {\"enabled\": true | false}".to_owned())
                        .and_then(boolean);
                    change.pickup_enabled = p.check("invalid_field", "pickup.enabled", enabled);
                }
                "paystack_subaccount" => {
                    let code = optional_patch(value, |v| {
                        let v = v.trim();
                        let fine = v.len() <= 50
                            && v.strip_prefix("ACCT_").is_some_and(|rest| {
                                !rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphanumeric())
                            });
                        if fine {
                            Ok(v.to_owned())
                        } else {
                            Err("must be a Paystack subaccount code (ACCT_...)".to_owned())
                        }
                    });
                    change.paystack_subaccount = p.check("invalid_field", name, code).unwrap_or_default();
                }
                "currency" => {
                    if value.as_str() != Some("NGN") {
                        p.add("invalid_field", name, "must be NGN");
                    }
                }
                _ => {}
            }
        }
        p.finish("Some settings of the kitchen are not valid")?;
        Ok(change)
    }

    /// Whether it changes nothing.
    pub fn is_empty(&self) -> bool {
        *self == KitchenChange::default()
    }

    /// The kitchen as it is after the change (what the store's update writes, field by field).
    pub fn apply(&self, kitchen: &Kitchen) -> Kitchen {
        fn patch<T: Clone>(field: &mut Option<T>, change: &Patch<T>) {
            match change {
                Patch::Absent => {}
                Patch::Null => *field = None,
                Patch::Value(v) => *field = Some(v.clone()),
            }
        }
        let mut k = kitchen.clone();
        if let Some(v) = &self.name {
            k.name = v.clone();
        }
        patch(&mut k.description, &self.description);
        if let Some(v) = &self.phone {
            k.phone = v.clone();
        }
        patch(&mut k.email, &self.email);
        if let Some(v) = &self.address {
            k.address = v.clone();
        }
        patch(&mut k.location, &self.location);
        patch(&mut k.image_url, &self.image_url);
        if let Some(v) = &self.timezone {
            k.timezone = v.clone();
        }
        if let Some(v) = &self.hours {
            k.hours = v.clone();
        }
        if let Some(v) = &self.closures {
            k.closures = v.clone();
        }
        if let Some(v) = self.accepting_orders {
            k.accepting_orders = v;
        }
        if let Some(v) = self.delivery.enabled {
            k.delivery.enabled = v;
        }
        if let Some(v) = self.delivery.fee {
            k.delivery.fee = v;
        }
        if let Some(v) = self.delivery.minimum_order {
            k.delivery.minimum_order = v;
        }
        patch(&mut k.delivery.radius_km, &self.delivery.radius_km);
        if let Some(v) = self.pickup_enabled {
            k.pickup.enabled = v;
        }
        patch(&mut k.paystack_subaccount, &self.paystack_subaccount);
        k
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn opening(day: Day, opens: &str, closes: &str) -> Opening {
        Opening {
            day,
            opens: Clock::parse(opens).unwrap(),
            closes: Clock::parse(closes).unwrap(),
        }
    }

    fn lagos(hours: Vec<Opening>) -> Schedule {
        Schedule {
            time_zone: time_zone("Africa/Lagos").unwrap(),
            hours,
            closures: vec![],
            accepting_orders: true,
        }
    }

    #[test]
    fn slugs_are_taken_as_given_or_made_from_the_name() {
        assert_eq!(Slug::parse("mama-put-2").unwrap().as_str(), "mama-put-2");
        for bad in ["ab", "Mama", "mama put", "mama_put", "mamá", &"a".repeat(41)] {
            assert!(Slug::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Slug::from_name("Mama Put's Kitchen!").unwrap().as_str(),
            "mama-put-s-kitchen"
        );
        assert_eq!(Slug::from_name("  Ìyá Basira  ").unwrap().as_str(), "y-basira");
        assert!(Slug::from_name("Ọ̀").is_err(), "never padded to fit");
        assert!(Slug::parse("admin").unwrap().is_reserved());
        assert!(!Slug::parse("adminx").unwrap().is_reserved());
    }

    #[test]
    fn clocks_are_two_digit_24_hour_times() {
        assert_eq!(Clock::parse("00:00").unwrap().minutes(), 0);
        assert_eq!(Clock::parse("23:59").unwrap().to_string(), "23:59");
        for bad in ["24:00", "9:00", "09:60", "0900", "09:00 ", "ab:cd", "-1:00"] {
            assert_eq!(Clock::parse(bad), None, "{bad}");
        }
        assert_eq!(Day::parse("wed"), Some(Day::Wed));
        assert_eq!(Day::parse("Wed"), None);
    }

    #[test]
    fn a_kitchen_with_no_hours_is_always_open_unless_paused_or_closed() {
        let mut s = lagos(vec![]);
        assert!(s.open_at(at("2026-12-03T03:00:00Z")));
        s.closures.push(Closure {
            from: at("2026-12-24T00:00:00Z"),
            to: at("2026-12-26T00:00:00Z"),
            reason: Some("Christmas".into()),
        });
        assert!(!s.open_at(at("2026-12-25T12:00:00Z")));
        assert_eq!(
            s.next_open_at(at("2026-12-25T12:00:00Z")),
            Some(at("2026-12-26T00:00:00Z"))
        );
        s.accepting_orders = false;
        assert!(!s.open_at(at("2026-12-03T03:00:00Z")));
        assert_eq!(
            s.next_open_at(at("2026-12-03T03:00:00Z")),
            None,
            "paused: no opening ahead"
        );
    }

    #[test]
    fn hours_are_kept_in_the_kitchens_time_zone() {
        // Thursday 3 December 2026; Lagos is UTC+1.
        let s = lagos(vec![opening(Day::Thu, "09:00", "17:00")]);
        assert!(!s.open_at(at("2026-12-03T07:59:00Z")), "08:59 in Lagos");
        assert!(s.open_at(at("2026-12-03T08:00:00Z")), "09:00 in Lagos");
        assert!(s.open_at(at("2026-12-03T15:59:00Z")));
        assert!(!s.open_at(at("2026-12-03T16:00:00Z")), "17:00 in Lagos: closed");
        assert_eq!(
            s.next_open_at(at("2026-12-03T06:00:00Z")),
            Some(at("2026-12-03T08:00:00Z"))
        );
        assert_eq!(
            s.next_open_at(at("2026-12-03T17:00:00Z")),
            Some(at("2026-12-10T08:00:00Z")),
            "a week later"
        );
        assert_eq!(s.next_open_at(at("2026-12-03T12:00:00Z")), None, "open now");
    }

    #[test]
    fn a_range_that_closes_before_it_opens_runs_past_midnight() {
        // Friday 18:00 to Saturday 02:00, Lagos.
        let s = lagos(vec![opening(Day::Fri, "18:00", "02:00")]);
        assert!(s.open_at(at("2026-12-04T22:30:00Z")), "Friday 23:30");
        assert!(s.open_at(at("2026-12-05T00:30:00Z")), "Saturday 01:30");
        assert!(!s.open_at(at("2026-12-05T01:00:00Z")), "Saturday 02:00");
        assert!(
            !s.open_at(at("2026-12-04T00:30:00Z")),
            "Friday 01:30 belongs to Thursday's range, which there is not"
        );
        // Several ranges a day.
        let s = lagos(vec![
            opening(Day::Sat, "08:00", "11:00"),
            opening(Day::Sat, "16:00", "22:00"),
        ]);
        assert!(!s.open_at(at("2026-12-05T12:00:00Z")), "between lunch and dinner");
        assert_eq!(
            s.next_open_at(at("2026-12-05T12:00:00Z")),
            Some(at("2026-12-05T15:00:00Z"))
        );
    }

    #[test]
    fn the_next_opening_skips_closures_and_zones_with_clock_changes_are_respected() {
        let mut s = lagos(vec![opening(Day::Mon, "10:00", "20:00")]);
        s.closures.push(Closure {
            from: at("2026-12-07T00:00:00Z"),
            to: at("2026-12-08T00:00:00Z"),
            reason: None,
        });
        // Sunday 6 December: Monday 7 is closed, so Monday 14.
        assert_eq!(
            s.next_open_at(at("2026-12-06T12:00:00Z")),
            Some(at("2026-12-14T09:00:00Z"))
        );
        // A closure ending inside opening hours reopens at its end.
        s.closures[0].to = at("2026-12-07T12:00:00Z");
        assert_eq!(
            s.next_open_at(at("2026-12-06T12:00:00Z")),
            Some(at("2026-12-07T12:00:00Z"))
        );
        // London: 09:00 is 09:00 UTC in winter and 08:00 UTC in summer.
        let london = Schedule {
            time_zone: time_zone("Europe/London").unwrap(),
            ..lagos(vec![opening(Day::Mon, "09:00", "10:00")])
        };
        assert!(london.open_at(at("2026-12-07T09:30:00Z")));
        assert!(london.open_at(at("2026-06-01T08:30:00Z")));
        assert!(!london.open_at(at("2026-06-01T09:30:00Z")));
        assert!(time_zone("Mars/Olympus").is_none());
    }

    #[test]
    fn distances_are_great_circle_kilometres() {
        let ikeja = Location::new(6.6018, 3.3515).unwrap();
        let lekki = Location::new(6.4698, 3.5852).unwrap();
        let km = ikeja.km_to(&lekki);
        assert!((29.0..30.0).contains(&km), "{km}");
        assert_eq!(ikeja.km_to(&ikeja), 0.0);
        let abuja = Location::new(9.0765, 7.3986).unwrap();
        assert!((520.0..540.0).contains(&ikeja.km_to(&abuja)));
        assert!(Location::new(91.0, 0.0).is_none() && Location::new(0.0, 181.0).is_none());
    }

    #[test]
    fn an_application_is_checked_whole_and_opens_a_pending_always_open_kitchen() {
        let input = ApplicationInput {
            name: Some("  Mama Put  ".into()),
            phone: Some("0803 123 4567".into()),
            address: Some("3 Allen Avenue, Ikeja".into()),
            email: Some("Orders@MamaPut.ng".into()),
            ..Default::default()
        };
        let app = Application::parse(&input, "234").unwrap();
        assert_eq!((app.name.as_str(), app.slug.as_str()), ("Mama Put", "mama-put"));
        assert_eq!(app.phone, "+2348031234567");
        assert_eq!(app.email.as_deref(), Some("orders@mamaput.ng"));
        let kitchen = app.open("K1".into(), "2026-12-03T10:00:00Z".into());
        assert_eq!(kitchen.status, KitchenStatus::Pending);
        assert!(kitchen.hours.is_empty() && kitchen.accepting_orders && kitchen.pickup.enabled);
        assert_eq!(kitchen.delivery, DeliveryRules::default());
        assert_eq!(kitchen.timezone, "Africa/Lagos");
        assert!(kitchen.schedule().open_at(at("2026-12-03T03:00:00Z")));

        let bad = ApplicationInput {
            slug: Some("Mama Put".into()),
            phone: Some("call me".into()),
            email: Some("not-an-email".into()),
            ..Default::default()
        };
        let err = Application::parse(&bad, "234").unwrap_err();
        let fields: Vec<_> = err.fields.keys().map(String::as_str).collect();
        assert_eq!(
            fields,
            ["address", "email", "name", "phone", "slug"],
            "every problem at once"
        );
        assert_eq!(KitchenStatus::parse_decision(Some("active")), Ok(KitchenStatus::Active));
        for bad in [Some("pending"), Some("ACTIVE"), None] {
            assert_eq!(
                KitchenStatus::parse_decision(bad)
                    .unwrap_err()
                    .fields
                    .keys()
                    .next()
                    .map(String::as_str),
                Some("status")
            );
        }
    }

    #[test]
    fn roles_rank_owner_over_manager_over_staff() {
        use KitchenRole::*;
        assert!(Owner.at_least(Manager) && Owner.at_least(Staff) && Manager.at_least(Staff));
        assert!(!Staff.at_least(Manager) && !Manager.at_least(Owner));
        assert!(Staff.at_least(Staff));
    }

    fn suya_spot() -> Kitchen {
        let input = ApplicationInput {
            name: Some("Suya Spot".into()),
            phone: Some("08031234567".into()),
            address: Some("7 Ozumba Mbadiwe".into()),
            ..Default::default()
        };
        let mut k = Application::parse(&input, "234").unwrap().open("k1".into(), "t".into());
        k.status = KitchenStatus::Active;
        k.hours = vec![opening(Day::Fri, "18:00", "02:00")];
        k.location = Location::new(6.4295, 3.4219);
        k.delivery = DeliveryRules {
            enabled: true,
            fee: 50_000,
            minimum_order: 200_000,
            radius_km: Some(5.0),
        };
        k
    }

    #[test]
    fn a_kitchen_takes_an_order_only_open_offered_above_its_minimum_and_within_its_radius() {
        let k = suya_spot();
        let friday_night = at("2026-12-04T22:00:00Z"); // 23:00 in Lagos, a Friday
        let nearby = Location::new(6.4300, 3.4300).unwrap(); // under a kilometre
        let far = Location::new(6.6018, 3.3515).unwrap(); // Ikeja, about 20 km
        assert_eq!(k.takes_order(friday_night, true, 200_000, Some(&nearby)), Ok(50_000));
        assert_eq!(
            k.takes_order(friday_night, false, 100, None),
            Ok(0),
            "a pickup pays no fee, has no minimum"
        );
        assert_eq!(
            k.takes_order(friday_night, true, 199_999, Some(&nearby)),
            Err(OrderingRefusal::BelowMinimumOrder { minimum: 200_000 })
        );
        assert_eq!(
            k.takes_order(friday_night, true, 200_000, None),
            Err(OrderingRefusal::LocationRequired)
        );
        assert_eq!(
            k.takes_order(friday_night, true, 200_000, Some(&far)),
            Err(OrderingRefusal::OutsideDeliveryArea { radius_km: 5.0 })
        );
        // Closed on Saturday afternoon: the refusal names the next opening, next Friday 18:00.
        let saturday = at("2026-12-05T12:00:00Z");
        assert_eq!(
            k.takes_order(saturday, false, 500_000, None),
            Err(OrderingRefusal::Closed {
                next_open_at: Some(at("2026-12-11T17:00:00Z"))
            })
        );
        // Paused: closed with no opening ahead. Pickup switched off: unavailable.
        let mut paused = k.clone();
        paused.accepting_orders = false;
        assert_eq!(
            paused.takes_order(friday_night, false, 500_000, None),
            Err(OrderingRefusal::Closed { next_open_at: None })
        );
        let mut delivery_only = k.clone();
        delivery_only.pickup.enabled = false;
        assert_eq!(
            delivery_only.takes_order(friday_night, false, 500_000, None),
            Err(OrderingRefusal::FulfilmentUnavailable)
        );
        let mut pickup_only = k;
        pickup_only.delivery.enabled = false;
        assert_eq!(
            pickup_only.takes_order(friday_night, true, 500_000, Some(&nearby)),
            Err(OrderingRefusal::FulfilmentUnavailable)
        );
    }
}
