//! `load`: a lunch rush against the local API (started by `infra/bench/load.sh`, release build).
//! Two kitchens: the home one and the demo's second (a quarter of the orders); a coupon with a
//! use limit at the home kitchen; wallet and Paystack payments; cancellations and refunds.
//!
//! Customers sign up through the API (the code read from the SES emulator), then place orders
//! at once: some straight from a list of lines, some by filling a cart and checking out, a
//! fifth of them sent twice with the same `Idempotency-Key`, some on dishes whose stock is
//! tracked (one of them runs out during the rush). Meanwhile the kitchen walks every order it
//! sees through the lifecycle (cash payment, confirmed, preparing, ready, completed).
//!
//! Then it checks what a kitchen needs to be true: no 5xx; every acknowledged order stored once
//! and only those; every total equal to the menu's prices; the stock never below zero and down
//! by exactly what the stored orders took. It prints the throughput and latencies, and exits
//! non-zero when a check fails. Bounded by the number of orders and a time limit.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::Method;
use serde_json::{Value, json};

#[path = "../codes.rs"]
mod codes;
#[path = "../stats.rs"]
mod stats;
use codes::code_for;
use stats::percentile;

#[derive(Parser)]
#[command(
    about = "A lunch rush against the local API, with its checks",
    args_override_self = true
)]
struct Args {
    /// The local API's base URL.
    #[arg(long)]
    api: String,
    /// The SES/SNS emulator's base URL (sign-up codes are read from it).
    #[arg(long)]
    moto: String,
    /// The local Paystack's base URL (customers pay their wallet top-ups on it).
    #[arg(long)]
    paystack: String,
    #[arg(long, default_value_t = 50)]
    customers: usize,
    /// Orders to have acknowledged (201) before stopping; 0: as many as the time limit allows.
    #[arg(long, default_value_t = 2000)]
    orders: usize,
    #[arg(long, env = "LOAD_ADMIN_EMAIL")]
    admin_email: String,
    #[arg(long, env = "LOAD_ADMIN_PASSWORD")]
    admin_password: String,
    /// Stop placing orders after this many seconds, whatever the count.
    #[arg(long, default_value_t = 600)]
    time_limit: u64,
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Parts of the system fail during the run (`infra/bench/faults.sh`): a 5xx is then a
    /// failure only without a JSON error and a `Retry-After`.
    #[arg(long)]
    faults: bool,
    /// Seconds a client keeps sending a request again while it gets a 5xx or no answer.
    #[arg(long, default_value_t = 90)]
    patience: u64,
    /// Touch this file when the rush begins (the faults scenario starts its faults then).
    #[arg(long)]
    rush_file: Option<PathBuf>,
    /// Also write the report (markdown) here.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Portions set on three dishes at the start (beside what the demo menu tracks): the first runs
/// out during the rush.
const STOCK: [i64; 3] = [60, 5_000, 5_000];

/// Latencies by kind of request, the answers by status, and every 5xx.
#[derive(Default)]
struct Stats {
    latencies: BTreeMap<&'static str, Vec<f64>>,
    statuses: BTreeMap<u16, usize>,
    server_errors: Vec<String>,
    /// 5xx answers without a JSON error or without `Retry-After`.
    bare_server_errors: Vec<String>,
    /// Requests sent again after a 5xx or no answer, and sendings that got no answer.
    retried: usize,
    unanswered: usize,
}

#[derive(Clone)]
struct Api {
    http: reqwest::Client,
    base: String,
    stats: Arc<std::sync::Mutex<Stats>>,
    /// How long a request is sent again while the system answers 5xx or nothing.
    patience: Duration,
}

/// A request of the run ([`Api::request`]): a caller's token, a JSON body and an
/// `Idempotency-Key` when it has them.
struct Request<'a> {
    api: &'a Api,
    kind: &'static str,
    method: Method,
    path: String,
    token: Option<&'a str>,
    body: Option<&'a Value>,
    key: Option<&'a str>,
}

impl<'a> Request<'a> {
    fn token(mut self, token: &'a str) -> Self {
        self.token = Some(token);
        self
    }

    fn json(mut self, body: &'a Value) -> Self {
        self.body = Some(body);
        self
    }

    fn key(mut self, key: &'a str) -> Self {
        self.key = Some(key);
        self
    }

    /// Sent as [`Api::call`] sends: the status and the body of the answer.
    async fn send(self) -> anyhow::Result<(u16, Value)> {
        self.api
            .call(self.kind, self.method, &self.path, self.token, self.body, self.key)
            .await
    }

    /// Sent, and the body of an answer with status `want`; any other answer fails the run,
    /// saying what was being done.
    async fn expect(self, want: u16, what: impl std::fmt::Display) -> anyhow::Result<Value> {
        let (status, body) = self.send().await?;
        if status != want {
            bail!("{what}: {status} {body}");
        }
        Ok(body)
    }
}

impl Api {
    /// A request of kind `kind` (its name in the report) to `path`.
    fn request(&self, kind: &'static str, method: Method, path: impl Into<String>) -> Request<'_> {
        Request {
            api: self,
            kind,
            method,
            path: path.into(),
            token: None,
            body: None,
            key: None,
        }
    }

    /// One request, sent again while the answer is a 5xx or no answer at all (a part of the
    /// system is down: the client waits as the 503's `Retry-After` says, at most 2 s) until the
    /// API's patience runs out. Every answer is counted; a 5xx without a JSON error and a
    /// `Retry-After` is kept as a bare one.
    async fn call(
        &self,
        kind: &'static str,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
        key: Option<&str>,
    ) -> anyhow::Result<(u16, Value)> {
        let give_up = Instant::now() + self.patience;
        loop {
            let answer = self.once(kind, method.clone(), path, token, body, key).await;
            let wait = match &answer {
                Ok((status, _, retry_after)) if *status >= 500 => Duration::from_secs(retry_after.unwrap_or(1).min(2)),
                Ok((status, body, _)) => return Ok((*status, body.clone())),
                Err(_) => Duration::from_millis(500),
            };
            if Instant::now() + wait > give_up {
                return answer.map(|(status, body, _)| (status, body));
            }
            self.stats().retried += 1;
            tokio::time::sleep(wait).await;
        }
    }

    fn stats(&self) -> std::sync::MutexGuard<'_, Stats> {
        self.stats.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// One sending: the status, the body and the `Retry-After` seconds.
    async fn once(
        &self,
        kind: &'static str,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
        key: Option<&str>,
    ) -> anyhow::Result<(u16, Value, Option<u64>)> {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(body);
        }
        if let Some(key) = key {
            req = req.header("Idempotency-Key", key);
        }
        let started = Instant::now();
        let res = match req.send().await {
            Ok(res) => res,
            Err(err) => {
                self.stats().unanswered += 1;
                return Err(err).with_context(|| format!("{kind}: {path}"));
            }
        };
        let status = res.status().as_u16();
        let retry_after = res
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        let text = res.text().await?;
        let elapsed = started.elapsed().as_secs_f64() * 1e3;
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let mut stats = self.stats();
        stats.latencies.entry(kind).or_default().push(elapsed);
        *stats.statuses.entry(status).or_default() += 1;
        if status >= 500 {
            stats.server_errors.push(format!("{kind} {path}: {status} {text}"));
            if !body["error"]["code"].is_string() || retry_after.is_none() {
                stats
                    .bare_server_errors
                    .push(format!("{kind} {path}: {status} (Retry-After {retry_after:?}) {text}"));
            }
        }
        Ok((status, body, retry_after))
    }
}

/// A dish as the menu prices it.
#[derive(Clone, Debug)]
struct Dish {
    id: String,
    price: i64,
}

/// What the customers were told.
#[derive(Default)]
struct Ledger {
    /// Order id -> the lines asked for (dish, quantity).
    acknowledged: HashMap<String, Vec<(String, i64)>>,
    /// Requests sent again with the same key, and how many got the same order back.
    retried: usize,
    replayed_same: usize,
    refused_sold_out: usize,
    placed_direct: usize,
    placed_by_cart: usize,
    /// Orders paid from the wallet, and wallet payments refused for want of funds.
    wallet_paid: HashSet<String>,
    wallet_short: usize,
    /// Wallet payments that lost to the kitchen marking the order paid at the counter.
    wallet_raced: usize,
    /// Orders being paid through Paystack (the kitchen does not take cash for them meanwhile).
    online: HashSet<String>,
    /// Orders paid through Paystack, paid ones the customer cancelled, and payments that did not
    /// go through within the API's patience (with a few of the answers).
    paystack_paid: HashSet<String>,
    cancelled_paid: usize,
    paystack_unpaid: usize,
    paystack_why: Vec<String>,
    /// Orders placed with the coupon, and placements refused because its uses ran out.
    with_coupon: usize,
    coupon_exhausted: usize,
}

/// Each customer's wallet top-up (kobo), through Paystack before the rush.
const TOP_UP: i64 = 1_500_000;

/// A customer tops up the wallet: the deposit opened, paid on the local Paystack, verified.
async fn top_up(api: &Api, paystack: &str, token: &str) -> anyhow::Result<()> {
    let body = api
        .request("POST /api/wallet/deposit", Method::POST, "/api/wallet/deposit/")
        .token(token)
        .json(&json!({ "amount": TOP_UP }))
        .expect(200, "deposit")
        .await?;
    let reference = body["payment"]["reference"]
        .as_str()
        .context("a deposit without a reference")?;
    pay_at_checkout(api, paystack, reference).await?;
    let (status, body) = api
        .request(
            "POST /api/wallet/deposit/verify",
            Method::POST,
            "/api/wallet/deposit/verify/",
        )
        .token(token)
        .json(&json!({ "reference": reference }))
        .send()
        .await?;
    if status != 200 || body["wallet"]["balance"].as_i64() != Some(TOP_UP) {
        bail!("verify deposit: {status} {body}");
    }
    Ok(())
}

/// The customer pays transaction `reference` on the local Paystack's checkout (its test control,
/// without the webhook: the API learns of it by verify, or by the webhook Paystack sends later).
async fn pay_at_checkout(api: &Api, paystack: &str, reference: &str) -> anyhow::Result<()> {
    let paid = api
        .http
        .post(format!("{paystack}/__control/pay/{reference}"))
        .send()
        .await?;
    if !paid.status().is_success() {
        bail!("paying {reference} on the local Paystack: {}", paid.status());
    }
    Ok(())
}

/// A customer's wallet and every entry of it, oldest first.
async fn wallet_of(api: &Api, token: &str) -> anyhow::Result<(i64, Vec<Value>)> {
    let (_, wallet) = api
        .request("GET /api/wallet", Method::GET, "/api/wallet/")
        .token(token)
        .send()
        .await?;
    let balance = wallet["wallet"]["balance"]
        .as_i64()
        .context("a wallet without a balance")?;
    let mut entries = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/wallet/transactions/?limit=100&cursor={c}"),
            None => "/api/wallet/transactions/?limit=100".to_owned(),
        };
        let body = api
            .request("GET /api/wallet/transactions", Method::GET, path)
            .token(token)
            .expect(200, "wallet history")
            .await?;
        entries.extend(body["items"].as_array().cloned().unwrap_or_default());
        match body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    entries.reverse();
    Ok((balance, entries))
}

struct Shared {
    api: Api,
    /// The local Paystack's own address (its checkout), not the API's way to it.
    paystack: String,
    /// The home kitchen first, then the other kitchen customers order from.
    kitchens: Vec<Kitchen>,
    target: usize,
    placed: AtomicUsize,
    deadline: Instant,
    customers_done: AtomicBool,
    ledger: std::sync::Mutex<Ledger>,
}

impl Shared {
    fn ledger(&self) -> std::sync::MutexGuard<'_, Ledger> {
        self.ledger.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn open(&self) -> bool {
        (self.target == 0 || self.placed.load(Ordering::SeqCst) < self.target) && Instant::now() < self.deadline
    }
}

async fn login(api: &Api, identifier: &str, password: &str) -> anyhow::Result<String> {
    let body = api
        .request("POST /api/auths/login", Method::POST, "/api/auths/login/")
        .json(&json!({"identifier": identifier, "password": password}))
        .expect(200, format!("login of {identifier}"))
        .await?;
    body["access"].as_str().map(str::to_owned).context("no access token")
}

/// A customer through the front door: sign up, the emailed code, log in.
async fn customer(api: &Api, moto: &str, n: usize, run: &str) -> anyhow::Result<String> {
    let email = format!("rush-{run}-{n}@load.example");
    let password = format!("rush-password-{n}");
    let body = json!({"identifier": email, "password": password});
    api.request("POST /api/auths/signup", Method::POST, "/api/auths/signup/")
        .json(&body)
        .expect(201, format!("signup of {email}"))
        .await?;
    let otp = code_for(&api.http, moto, &email).await?;
    api.request("POST /api/auths/verify", Method::POST, "/api/auths/verify/")
        .json(&json!({"identifier": email, "otp": otp}))
        .expect(200, format!("verify of {email}"))
        .await?;
    login(api, &email, &password).await
}

/// A kitchen of the run: where its manage routes are, its menu, the dishes whose stock is
/// tracked and what they started with.
#[derive(Clone)]
struct Kitchen {
    slug: String,
    home: bool,
    /// `/api/foods/admin` and `/api/orders/admin` for the home kitchen (the v1 routes),
    /// `/api/kitchens/{slug}/manage/foods` and `.../manage/orders` for another.
    foods: String,
    orders: String,
    menu: Vec<Dish>,
    tracked: Vec<String>,
    start: Vec<(String, i64)>,
}

impl Kitchen {
    /// A request's kind for the report: the home kitchen's route, or the kitchen-scoped one.
    fn kind(&self, home: &'static str, other: &'static str) -> &'static str {
        if self.home { home } else { other }
    }
}

/// The kitchen's menu as its manager sees it; the first dishes are set to `stock`, and every
/// dish whose stock is tracked (the demo menus track some of their own) starts where it is.
async fn prepare_kitchen(api: &Api, admin: &str, slug: &str, home: bool, stock: &[i64]) -> anyhow::Result<Kitchen> {
    let (foods, orders) = if home {
        ("/api/foods/admin".to_owned(), "/api/orders/admin".to_owned())
    } else {
        (
            format!("/api/kitchens/{slug}/manage/foods"),
            format!("/api/kitchens/{slug}/manage/orders"),
        )
    };
    let items = api
        .request("GET /api/foods/admin/items", Method::GET, format!("{foods}/items/"))
        .token(admin)
        .expect(200, format!("the menu of {slug}"))
        .await?;
    let mut listed: Vec<(Dish, Option<i64>)> = items["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["is_available"] == true)
        // The rush orders 1 to 3 of a dish: dishes sold only in other quantities are left out.
        .filter(|f| f["min_quantity"].as_i64().unwrap_or(1) <= 1 && f["max_quantity"].as_i64().unwrap_or(20) >= 3)
        .filter_map(|f| {
            let dish = Dish {
                id: f["id"].as_str()?.to_owned(),
                price: f["price"].as_i64()?,
            };
            Some((dish, f["stock"].as_i64()))
        })
        .collect();
    listed.sort_by(|a, b| a.0.id.cmp(&b.0.id));
    if listed.len() < stock.len() + 3 {
        bail!(
            "{slug} has {} dishes on its menu; seed the demo menus first",
            listed.len()
        );
    }
    for ((dish, _), stock) in listed.iter().zip(stock) {
        let id = &dish.id;
        api.request(
            "PATCH /api/foods/admin/items/{id}",
            Method::PATCH,
            format!("{foods}/items/{id}/"),
        )
        .token(admin)
        .json(&json!({ "stock": stock }))
        .expect(200, format!("setting stock at {slug}"))
        .await?;
    }
    let start: Vec<(String, i64)> = listed
        .iter()
        .enumerate()
        .filter_map(|(i, (dish, left))| Some((dish.id.clone(), stock.get(i).copied().or(*left)?)))
        .collect();
    Ok(Kitchen {
        slug: slug.to_owned(),
        home,
        foods,
        orders,
        menu: listed.into_iter().map(|(dish, _)| dish).collect(),
        tracked: start.iter().map(|(id, _)| id.clone()).collect(),
        start,
    })
}

/// Lines for one order at `kitchen`: 1 to 3 dishes, 1 to 3 portions each, a tracked dish one
/// time in three.
fn lines(rng: &mut StdRng, kitchen: &Kitchen) -> Vec<(String, i64)> {
    let mut picked: Vec<(String, i64)> = Vec::new();
    if !kitchen.tracked.is_empty() && rng.gen_bool(1.0 / 3.0) {
        let id = &kitchen.tracked[rng.gen_range(0..kitchen.tracked.len())];
        picked.push((id.clone(), rng.gen_range(1..=2)));
    }
    for _ in 0..rng.gen_range(1..=3) - picked.len().min(1) {
        let dish = &kitchen.menu[rng.gen_range(0..kitchen.menu.len())];
        if !picked.iter().any(|(id, _)| id == &dish.id) && !kitchen.tracked.contains(&dish.id) {
            picked.push((dish.id.clone(), rng.gen_range(1..=3)));
        }
    }
    if picked.is_empty() {
        let dish = kitchen
            .menu
            .iter()
            .find(|d| !kitchen.tracked.contains(&d.id))
            .unwrap_or(&kitchen.menu[0]);
        picked.push((dish.id.clone(), 1));
    }
    picked
}

/// The coupon some of the home kitchen's orders carry: 10% off, for a limited number of orders.
const COUPON: &str = "LOAD10";
const COUPON_PERCENT: i64 = 10;
const COUPON_LIMIT: i64 = 60;

/// The order id of a 201 (or of its replay).
fn order_id(body: &Value) -> Option<String> {
    body["order"]["id"].as_str().map(str::to_owned)
}

/// One customer's rush: orders until the count is reached.
async fn rush(shared: Arc<Shared>, token: String, seed: u64) -> anyhow::Result<()> {
    let mut rng = StdRng::seed_from_u64(seed);
    let api = &shared.api;
    while shared.open() {
        // A quarter of the orders go to the other kitchen (straight, no cart), some of the home
        // kitchen's straight orders carry the coupon.
        let kitchen = if shared.kitchens.len() > 1 && rng.gen_bool(0.25) {
            &shared.kitchens[1]
        } else {
            &shared.kitchens[0]
        };
        let wanted = lines(&mut rng, kitchen);
        let by_cart = kitchen.home && rng.gen_bool(0.3);
        let coupon = kitchen.home && !by_cart && rng.gen_bool(0.15);
        let retry = rng.gen_bool(0.2);
        let key = ulid::Ulid::new().to_string();
        if by_cart {
            for (id, quantity) in &wanted {
                api.request(
                    "PUT /api/cart/items/{id}",
                    Method::PUT,
                    format!("/api/cart/items/{id}/"),
                )
                .token(&token)
                .json(&json!({ "quantity": quantity }))
                .expect(200, "cart line")
                .await?;
            }
        }
        // The placement, and its second sending with the same key.
        let (path, request, kinds) = if by_cart {
            (
                "/api/cart/checkout/",
                json!({"fulfilment": "pickup"}),
                ["POST /api/cart/checkout", "POST /api/cart/checkout (same key)"],
            )
        } else {
            let items: Vec<Value> = wanted
                .iter()
                .map(|(id, q)| json!({"food_item_id": id, "quantity": q}))
                .collect();
            let mut request = json!({"items": items, "fulfilment": "pickup"});
            if coupon {
                request["coupon_code"] = json!(COUPON);
            }
            (
                "/api/orders/",
                request,
                ["POST /api/orders", "POST /api/orders (same key)"],
            )
        };
        let send = |kind: &'static str| {
            api.request(kind, Method::POST, path)
                .token(&token)
                .json(&request)
                .key(&key)
                .send()
        };
        let (status, body) = send(kinds[0]).await?;
        match status {
            201 => {
                let id = order_id(&body).context("201 without an order")?;
                if coupon {
                    shared.ledger().with_coupon += 1;
                }
                if retry {
                    let (again, replay) = send(kinds[1]).await?;
                    let mut ledger = shared.ledger();
                    ledger.retried += 1;
                    if again == 201 && order_id(&replay).as_deref() == Some(&id) {
                        ledger.replayed_same += 1;
                    }
                }
                {
                    let mut ledger = shared.ledger();
                    if by_cart {
                        ledger.placed_by_cart += 1;
                    } else {
                        ledger.placed_direct += 1;
                    }
                    ledger.acknowledged.insert(id.clone(), wanted);
                }
                shared.placed.fetch_add(1, Ordering::SeqCst);
                // A quarter of the orders are paid from the wallet at once (racing the kitchen,
                // which marks unpaid orders paid at the counter), a tenth through Paystack (the
                // kitchen waits for those), a third of which the customer then cancels.
                let how = rng.gen_range(0..100);
                if how < 10 {
                    let cancel = rng.gen_bool(1.0 / 3.0);
                    pay_online(&shared, &token, &id, cancel).await?;
                } else if how < 35 {
                    let (status, body) = api
                        .request(
                            "POST /api/orders/{id}/pay/wallet",
                            Method::POST,
                            format!("/api/orders/{id}/pay/wallet/"),
                        )
                        .token(&token)
                        .send()
                        .await?;
                    let code = body["error"]["code"].as_str().unwrap_or_default();
                    // Paid already: by this customer's own earlier sending whose answer was lost,
                    // or by the kitchen's cash mark.
                    let own = if (status, code) == (409, "already_paid") {
                        let (_, order) = api
                            .request("GET /api/orders/{id}", Method::GET, format!("/api/orders/{id}/"))
                            .token(&token)
                            .send()
                            .await?;
                        order["order"]["payment_method"] == "wallet"
                    } else {
                        false
                    };
                    let mut ledger = shared.ledger();
                    match (status, code) {
                        (200, _) => {
                            ledger.wallet_paid.insert(id);
                        }
                        // Paid by this customer's own earlier sending, whose answer was lost.
                        (409, "already_paid") if own => {
                            ledger.wallet_paid.insert(id);
                        }
                        (409, "insufficient_funds") => ledger.wallet_short += 1,
                        (409, "already_paid" | "order_not_payable") => ledger.wallet_raced += 1,
                        _ => bail!("paying from the wallet: {status} {body}"),
                    }
                }
            }
            409 if body["error"]["code"] == "coupon_exhausted" && coupon => {
                shared.ledger().coupon_exhausted += 1;
            }
            409 if body["error"]["code"] == "insufficient_stock" || body["error"]["code"] == "sold_out" => {
                shared.ledger().refused_sold_out += 1;
                if by_cart {
                    api.request("DELETE /api/cart", Method::DELETE, "/api/cart/")
                        .token(&token)
                        .send()
                        .await?;
                }
            }
            _ => bail!("placing an order: {status} {body}"),
        }
    }
    Ok(())
}

/// A customer pays an order through Paystack: the transaction opened, paid on the local
/// Paystack's checkout, verified; then, when `cancel`, the paid order cancelled (Paystack is asked
/// for the refund). The kitchen leaves the order alone until this is over; a customer who could
/// not pay within the API's patience leaves it to be paid at the counter.
async fn pay_online(shared: &Shared, token: &str, id: &str, cancel: bool) -> anyhow::Result<()> {
    let api = &shared.api;
    shared.ledger().online.insert(id.to_owned());
    let paid = async {
        let (status, body) = api
            .request(
                "POST /api/orders/{id}/pay",
                Method::POST,
                format!("/api/orders/{id}/pay/"),
            )
            .token(token)
            .send()
            .await?;
        if status != 200 {
            return Ok::<_, anyhow::Error>(Some(format!("pay: {status} {body}")));
        }
        let reference = body["payment"]["reference"]
            .as_str()
            .context("a payment without a reference")?;
        pay_at_checkout(api, &shared.paystack, reference).await?;
        let (status, body) = api
            .request(
                "POST /api/orders/{id}/pay/verify",
                Method::POST,
                format!("/api/orders/{id}/pay/verify/"),
            )
            .token(token)
            .send()
            .await?;
        if status != 200 || body["order"]["payment_status"] != "paid" {
            return Ok(Some(format!("verify: {status} {body}")));
        }
        Ok(None)
    }
    .await?;
    match paid {
        None => {
            shared.ledger().paystack_paid.insert(id.to_owned());
            if cancel {
                let (status, body) = api
                    .request(
                        "POST /api/orders/{id}/cancel",
                        Method::POST,
                        format!("/api/orders/{id}/cancel/"),
                    )
                    .token(token)
                    .send()
                    .await?;
                match status {
                    200 => {
                        shared.ledger().cancelled_paid += 1;
                    }
                    409 => {}
                    _ => bail!("cancelling a paid order: {status} {body}"),
                }
            }
        }
        Some(why) => {
            let mut ledger = shared.ledger();
            ledger.paystack_unpaid += 1;
            if ledger.paystack_why.len() < 5 {
                ledger.paystack_why.push(why);
            }
        }
    }
    shared.ledger().online.remove(id);
    Ok(())
}

/// The next step of a pickup order, with the cash payment before the confirmation.
fn next_step(kitchen: &Kitchen, order: &Value) -> Option<(&'static str, &'static str, Value)> {
    let status = match (order["status"].as_str()?, order["payment_status"].as_str()?) {
        ("pending", "unpaid") => {
            return Some((
                kitchen.kind(
                    "PATCH /api/orders/admin/{id}/payment-status",
                    "PATCH /api/kitchens/{slug}/manage/orders/{id}/payment-status",
                ),
                "payment-status",
                json!({"payment_status": "paid"}),
            ));
        }
        ("pending", _) => "confirmed",
        ("confirmed", _) => "preparing",
        ("preparing", _) => "ready_for_pickup",
        ("ready_for_pickup", _) => "completed",
        _ => return None,
    };
    Some((
        kitchen.kind(
            "PATCH /api/orders/admin/{id}/status",
            "PATCH /api/kitchens/{slug}/manage/orders/{id}/status",
        ),
        "status",
        json!({ "status": status }),
    ))
}

/// The kitchen: takes every open order it sees one step further, 4 at a time, until the rush is
/// over and nothing is left open (or the time is up).
async fn kitchen(shared: Arc<Shared>, token: String, limit: Instant) -> anyhow::Result<usize> {
    let api = &shared.api;
    let mut steps = 0;
    loop {
        // Every kitchen's board (the platform admin works them all).
        let mut open: Vec<(&Kitchen, Value)> = Vec::new();
        for kitchen in &shared.kitchens {
            for status in ["pending", "confirmed", "preparing", "ready_for_pickup"] {
                let body = api
                    .request(
                        kitchen.kind(
                            "GET /api/orders/admin?status=",
                            "GET /api/kitchens/{slug}/manage/orders?status=",
                        ),
                        Method::GET,
                        format!("{}/?status={status}&limit=100", kitchen.orders),
                    )
                    .token(&token)
                    .expect(200, format!("board of {}", kitchen.slug))
                    .await?;
                open.extend(
                    body["items"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default()
                        .into_iter()
                        .map(|order| (kitchen, order)),
                );
            }
        }
        if open.is_empty() {
            if shared.customers_done.load(Ordering::SeqCst) || Instant::now() > limit {
                return Ok(steps);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        }
        let before = steps;
        for chunk in open.chunks(4) {
            let paying_online = shared.ledger().online.clone();
            let moves = chunk.iter().filter_map(|(kitchen, order)| {
                if paying_online.contains(order["id"].as_str()?) {
                    return None;
                }
                let (kind, what, body) = next_step(kitchen, order)?;
                let path = format!("{}/{}/{what}/", kitchen.orders, order["id"].as_str()?);
                let token = token.clone();
                Some(async move {
                    api.request(kind, Method::PATCH, path)
                        .token(&token)
                        .json(&body)
                        .send()
                        .await
                })
            });
            for (code, body) in futures::future::try_join_all(moves).await? {
                // Another step of the same order may have won: a 409 is the kitchen's answer,
                // not a failure.
                if code != 200 && code != 409 {
                    bail!("kitchen step: {code} {body}");
                }
                steps += 1;
            }
        }
        if steps == before {
            // Every open order is being paid online: wait for the customers.
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        if Instant::now() > limit {
            return Ok(steps);
        }
    }
}

/// What became of the refunds the cancelled Paystack-paid orders are owed.
struct Refunds {
    summary: String,
    failures: Vec<String>,
}

/// Waits (until `deadline`) for the refund worker to act on every cancelled order that was paid
/// through Paystack, then checks each: `refund_pending` or `refunded`, or `refund_failed` with a
/// `refund_failed` alert for the order.
async fn refunds_settled(
    api: &Api,
    token: &str,
    kitchens: &[Kitchen],
    stored: &[Value],
    deadline: Instant,
) -> anyhow::Result<Refunds> {
    let owed: Vec<&Value> = stored
        .iter()
        .filter(|o| o["status"] == "cancelled" && o["payment_method"] == "paystack")
        .filter(|o| {
            o["status_history"]
                .as_array()
                .is_some_and(|h| h.iter().any(|e| e["payment_status"] == "paid"))
        })
        .collect();
    let mut states: BTreeMap<String, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for order in &owed {
        let id = order["id"].as_str().unwrap_or_default();
        let slug = order["kitchen"]["slug"].as_str();
        let Some(kitchen) = kitchens.iter().find(|k| Some(k.slug.as_str()) == slug) else {
            failures.push(format!("order {id}: of a kitchen the run does not know ({slug:?})"));
            continue;
        };
        let state = loop {
            let order = read_order(api, token, kitchen, id).await?;
            let state = order["payment_status"].as_str().unwrap_or_default().to_owned();
            if state != "paid" || Instant::now() > deadline {
                break state;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        };
        *states.entry(state.clone()).or_default() += 1;
        match state.as_str() {
            "refund_pending" | "refunded" => {}
            "refund_failed" => {
                let slug = &kitchen.slug;
                let (_, alerts) = api
                    .request(
                        "GET /api/kitchens/{slug}/manage/alerts",
                        Method::GET,
                        format!("/api/kitchens/{slug}/manage/alerts/?status=open&limit=100"),
                    )
                    .token(token)
                    .send()
                    .await?;
                let alerted = alerts["items"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|a| a["kind"] == "refund_failed" && a["order_id"] == id));
                if !alerted {
                    failures.push(format!("order {id}: refund_failed without an open alert"));
                }
            }
            other => failures.push(format!(
                "order {id}: cancelled after a Paystack payment, payment {other}"
            )),
        }
    }
    let summary = if states.is_empty() {
        "none owed".to_owned()
    } else {
        states
            .iter()
            .map(|(state, n)| format!("{state} x{n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    Ok(Refunds { summary, failures })
}

/// Every order in the table, in full: the admin list (summaries, newest first, a page at a
/// time), then each order read, 16 at a time.
async fn every_order(api: &Api, token: &str, kitchens: &[Kitchen]) -> anyhow::Result<Vec<Value>> {
    let mut full = Vec::new();
    for kitchen in kitchens {
        let listed = every_summary(api, token, kitchen).await?;
        for chunk in listed.chunks(16) {
            let reads = chunk.iter().map(|summary| async move {
                let id = summary["id"].as_str().context("a summary without an id")?;
                read_order(api, token, kitchen, id).await
            });
            full.extend(futures::future::try_join_all(reads).await?);
        }
    }
    Ok(full)
}

/// One order as its kitchen sees it.
async fn read_order(api: &Api, token: &str, kitchen: &Kitchen, id: &str) -> anyhow::Result<Value> {
    let body = api
        .request(
            kitchen.kind(
                "GET /api/orders/admin/{id}",
                "GET /api/kitchens/{slug}/manage/orders/{id}",
            ),
            Method::GET,
            format!("{}/{id}/", kitchen.orders),
        )
        .token(token)
        .expect(200, format!("order {id}"))
        .await?;
    Ok(body["order"].clone())
}

async fn every_summary(api: &Api, token: &str, kitchen: &Kitchen) -> anyhow::Result<Vec<Value>> {
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("{}/?limit=100&cursor={c}", kitchen.orders),
            None => format!("{}/?limit=100", kitchen.orders),
        };
        let body = api
            .request(
                kitchen.kind("GET /api/orders/admin", "GET /api/kitchens/{slug}/manage/orders"),
                Method::GET,
                path,
            )
            .token(token)
            .expect(200, "orders list")
            .await?;
        all.extend(body["items"].as_array().cloned().unwrap_or_default());
        match body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return Ok(all),
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .timeout(Duration::from_secs(30))
        .build()?;
    let api = Api {
        http: http.clone(),
        base: args.api.trim_end_matches('/').to_owned(),
        stats: Arc::default(),
        patience: Duration::from_secs(args.patience),
    };
    let run = ulid::Ulid::new().to_string().to_lowercase();
    let admin = login(&api, &args.admin_email, &args.admin_password).await?;

    // The kitchens: the home one and the demo's second kitchen (open all day for the run), each
    // with dishes set to a known stock; a coupon at the home kitchen.
    let (_, listed) = api
        .request("GET /api/kitchens", Method::GET, "/api/kitchens/?limit=100")
        .send()
        .await?;
    let listed = listed["items"].as_array().cloned().unwrap_or_default();
    let home_slug = listed
        .iter()
        .find(|k| k["is_home"] == true)
        .and_then(|k| k["slug"].as_str())
        .context("no home kitchen among the kitchens; seed the demo first")?
        .to_owned();
    let mut kitchens = vec![prepare_kitchen(&api, &admin, &home_slug, true, &STOCK).await?];
    if let Some(other) = listed
        .iter()
        .filter(|k| k["is_home"] != true)
        .find_map(|k| k["slug"].as_str())
    {
        api.request(
            "PATCH /api/kitchens/{slug}/manage",
            Method::PATCH,
            format!("/api/kitchens/{other}/manage/"),
        )
        .token(&admin)
        .json(&json!({"hours": [], "accepting_orders": true}))
        .expect(200, format!("opening {other} for the run"))
        .await?;
        kitchens.push(prepare_kitchen(&api, &admin, other, false, &[40]).await?);
    }
    let body = api
        .request(
            "POST /api/kitchens/{slug}/manage/coupons",
            Method::POST,
            format!("/api/kitchens/{home_slug}/manage/coupons/"),
        )
        .token(&admin)
        .json(&json!({
            "code": COUPON,
            "description": "The load scenario's coupon",
            "kind": "percent",
            "percent": COUPON_PERCENT,
            "usage_limit": COUPON_LIMIT,
            "per_customer_limit": 1000,
        }))
        .expect(201, "the coupon")
        .await?;
    let coupon_id = body["coupon"]["id"]
        .as_str()
        .context("a coupon without an id")?
        .to_owned();

    eprintln!("signing up {} customers ...", args.customers);
    let mut tokens = Vec::new();
    for batch in (0..args.customers).collect::<Vec<_>>().chunks(8) {
        let made = futures::future::try_join_all(batch.iter().map(|&n| customer(&api, &args.moto, n, &run))).await?;
        tokens.extend(made);
    }

    eprintln!("each customer tops up the wallet through Paystack ...");
    for batch in tokens.chunks(8) {
        futures::future::try_join_all(batch.iter().map(|token| top_up(&api, &args.paystack, token))).await?;
    }
    let wallets_of = tokens.clone();

    let started = Instant::now();
    let shared = Arc::new(Shared {
        api: api.clone(),
        paystack: args.paystack.trim_end_matches('/').to_owned(),
        kitchens: kitchens.clone(),
        target: args.orders,
        placed: AtomicUsize::new(0),
        deadline: started + Duration::from_secs(args.time_limit),
        customers_done: AtomicBool::new(false),
        ledger: std::sync::Mutex::default(),
    });
    eprintln!(
        "{} customers place {} orders; the kitchen works them ...",
        args.customers, args.orders
    );
    if let Some(file) = &args.rush_file {
        std::fs::write(file, b"rush\n")?;
    }
    let kitchen_task = tokio::spawn(kitchen(
        Arc::clone(&shared),
        admin.clone(),
        started + Duration::from_secs(args.time_limit * 2),
    ));
    let customers: Vec<_> = tokens
        .into_iter()
        .enumerate()
        .map(|(n, token)| tokio::spawn(rush(Arc::clone(&shared), token, args.seed * 1_000 + n as u64)))
        .collect();
    let mut failures = Vec::new();
    for task in customers {
        if let Err(err) = task.await? {
            failures.push(format!("a customer stopped: {err:#}"));
        }
    }
    let rush_time = started.elapsed();
    shared.customers_done.store(true, Ordering::SeqCst);
    let steps = match kitchen_task.await? {
        Ok(steps) => steps,
        Err(err) => {
            failures.push(format!("the kitchen stopped: {err:#}"));
            0
        }
    };
    let total_time = started.elapsed();

    // The checks.
    let stored = every_order(&api, &admin, &kitchens).await?;
    let prices: HashMap<&str, i64> = kitchens
        .iter()
        .flat_map(|k| &k.menu)
        .map(|d| (d.id.as_str(), d.price))
        .collect();
    let mut coupon_orders = 0;
    // Every customer and the kitchen are done: the ledger is the run's to read.
    let ledger = std::mem::take(&mut *shared.ledger());
    let mut seen = HashSet::new();
    let mut taken: HashMap<String, i64> = HashMap::new();
    let mut completed = 0;
    for order in &stored {
        let id = order["id"].as_str().unwrap_or_default().to_owned();
        if !seen.insert(id.clone()) {
            failures.push(format!("order {id} is listed twice"));
        }
        let Some(asked) = ledger.acknowledged.get(&id) else {
            failures.push(format!("order {id} is stored but was never acknowledged"));
            continue;
        };
        let lines = order["items"].as_array().cloned().unwrap_or_default();
        let mut total = 0;
        let mut got: Vec<(String, i64)> = Vec::new();
        for line in &lines {
            let dish = line["food_item_id"].as_str().unwrap_or_default();
            let quantity = line["quantity"].as_i64().unwrap_or_default();
            let price = prices.get(dish).copied().unwrap_or(-1);
            if line["unit_price"].as_i64() != Some(price) {
                failures.push(format!(
                    "order {id}: {dish} at {} instead of the menu's {price}",
                    line["unit_price"]
                ));
            }
            total += price * quantity;
            got.push((dish.to_owned(), quantity));
            // A cancellation gives the stock back in the same write.
            if line["stock_taken"] == true && order["status"] != "cancelled" {
                *taken.entry(dish.to_owned()).or_default() += quantity;
            }
        }
        let (mut got_sorted, mut asked_sorted) = (got.clone(), asked.clone());
        got_sorted.sort();
        asked_sorted.sort();
        if got_sorted != asked_sorted {
            failures.push(format!("order {id}: lines {got:?}, asked {asked:?}"));
        }
        // The coupon's discount: a tenth of the subtotal, rounded down to the kobo.
        let discount = if order["coupon"]["code"] == COUPON {
            if order["status"] != "cancelled" {
                coupon_orders += 1;
            }
            total * COUPON_PERCENT / 100
        } else {
            0
        };
        if order["discount"].as_i64().unwrap_or_default() != discount {
            failures.push(format!(
                "order {id}: discount {} instead of {discount}",
                order["discount"]
            ));
        }
        let total = total - discount;
        if order["total"].as_i64() != Some(total) {
            failures.push(format!("order {id}: total {} instead of {total}", order["total"]));
        }
        if order["status"] == "completed" {
            completed += 1;
        }
    }
    for id in ledger.acknowledged.keys() {
        if !seen.contains(id) {
            failures.push(format!("acknowledged order {id} is not stored"));
        }
    }
    // Wallets: each one's entries sum to its balance (each `balance_after` following from the
    // one before, never below zero); the payments are exactly the wallet-paid orders' totals.
    let mut wallet_payments = 0_i64;
    let mut payment_entries = 0;
    let mut wallet_total = 0_i64;
    for token in &wallets_of {
        let (balance, entries) = wallet_of(&api, token).await?;
        let mut running = 0_i64;
        for entry in &entries {
            running += entry["amount"].as_i64().unwrap_or_default();
            if entry["balance_after"].as_i64() != Some(running) || running < 0 {
                failures.push(format!(
                    "a wallet entry says {} after, the ledger says {running}",
                    entry["balance_after"]
                ));
            }
            match entry["kind"].as_str() {
                Some("payment") => {
                    payment_entries += 1;
                    wallet_payments -= entry["amount"].as_i64().unwrap_or_default();
                }
                Some("refund") => wallet_payments -= entry["amount"].as_i64().unwrap_or_default(),
                _ => {}
            }
        }
        if running != balance {
            failures.push(format!("a wallet holds {balance} but its ledger sums to {running}"));
        }
        wallet_total += balance;
    }
    let paid_from_wallet: Vec<&Value> = stored.iter().filter(|o| o["payment_method"] == "wallet").collect();
    let owed: i64 = paid_from_wallet
        .iter()
        .filter(|o| o["payment_status"] == "paid")
        .map(|o| o["total"].as_i64().unwrap_or_default())
        .sum();
    if paid_from_wallet.len() != ledger.wallet_paid.len() || payment_entries != ledger.wallet_paid.len() {
        failures.push(format!(
            "{} orders paid from the wallet were acknowledged, {} are stored so, {payment_entries} payments are in the ledgers",
            ledger.wallet_paid.len(),
            paid_from_wallet.len()
        ));
    }
    if wallet_payments != owed {
        failures.push(format!(
            "the wallets paid {wallet_payments} net of refunds; the wallet-paid orders still paid total {owed}"
        ));
    }
    let mut stock_lines = Vec::new();
    for (kitchen, id, start) in kitchens
        .iter()
        .flat_map(|k| k.start.iter().map(move |(id, n)| (k, id, *n)))
    {
        let (_, body) = api
            .request(
                kitchen.kind(
                    "GET /api/foods/admin/items/{id}",
                    "GET /api/kitchens/{slug}/manage/foods/items/{id}",
                ),
                Method::GET,
                format!("{}/items/{id}/", kitchen.foods),
            )
            .token(&admin)
            .send()
            .await?;
        let left = body["food"]["stock"].as_i64().context("tracked stock")?;
        let sold = taken.get(id).copied().unwrap_or_default();
        if left < 0 || left != start - sold {
            failures.push(format!(
                "dish {id}: {left} left, started with {start} and the orders not cancelled hold {sold}"
            ));
        }
        stock_lines.push(format!(
            "{}: {start} -> {left} ({sold} held by orders not cancelled)",
            kitchen.slug
        ));
    }
    // The coupon: used by exactly the stored orders not cancelled that carry it, never past its
    // limit (cancelled ones gave their use back).
    let (_, coupons) = api
        .request(
            "GET /api/kitchens/{slug}/manage/coupons",
            Method::GET,
            format!("/api/kitchens/{}/manage/coupons/?limit=100", kitchens[0].slug),
        )
        .token(&admin)
        .send()
        .await?;
    let uses = coupons["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["id"] == coupon_id.as_str())
        .and_then(|c| c["uses"].as_i64())
        .context("the coupon's uses")?;
    if uses != coupon_orders || uses > COUPON_LIMIT {
        failures.push(format!(
            "the coupon counts {uses} uses (limit {COUPON_LIMIT}); {coupon_orders} stored orders not cancelled carry it"
        ));
    }
    // Refunds: every Paystack-paid order that was cancelled is refunded (asked of Paystack, or
    // settled), or `refund_failed` with an alert open for the kitchen. The refund worker reads
    // the stream behind the run: its answers are awaited for up to two minutes.
    let refunds = refunds_settled(
        &api,
        &admin,
        &kitchens,
        &stored,
        Instant::now() + Duration::from_secs(120),
    )
    .await?;
    failures.extend(refunds.failures.iter().cloned());
    let stats = api.stats.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let failing = if args.faults {
        &stats.bare_server_errors
    } else {
        &stats.server_errors
    };
    for err in failing.iter().take(10) {
        failures.push(format!("5xx: {err}"));
    }
    if failing.len() > 10 {
        failures.push(format!("... and {} more 5xx", failing.len() - 10));
    }

    let mut report = String::new();
    let placed = ledger.acknowledged.len();
    let requests: usize = stats.statuses.values().sum();
    let _ = writeln!(
        report,
        "## {}: {} customers, {}\n",
        if args.faults { "Faults" } else { "Load" },
        args.customers,
        if args.orders == 0 {
            format!("orders for {} s", args.time_limit)
        } else {
            format!("{} orders", args.orders)
        }
    );
    let _ = writeln!(
        report,
        "- {placed} orders acknowledged in {:.1} s: **{:.0} orders/s** ({} straight, {} by cart checkout); {} sent again with the same Idempotency-Key, {} answered with the same order; {} refused as sold out.",
        rush_time.as_secs_f64(),
        placed as f64 / rush_time.as_secs_f64(),
        ledger.placed_direct,
        ledger.placed_by_cart,
        ledger.retried,
        ledger.replayed_same,
        ledger.refused_sold_out,
    );
    let _ = writeln!(
        report,
        "- The kitchen made {steps} steps; {completed} of {} stored orders completed after {:.1} s.",
        stored.len(),
        total_time.as_secs_f64()
    );
    let _ = writeln!(
        report,
        "- {requests} requests in all ({:.0}/s); by status: {}; 5xx: {}.",
        requests as f64 / total_time.as_secs_f64(),
        stats
            .statuses
            .iter()
            .map(|(s, n)| format!("{s} x{n}"))
            .collect::<Vec<_>>()
            .join(", "),
        stats.server_errors.len()
    );
    let _ = writeln!(
        report,
        "- Kitchens: {} ({} of the stored orders at {}).",
        kitchens.iter().map(|k| k.slug.as_str()).collect::<Vec<_>>().join(", "),
        stored
            .iter()
            .filter(|o| o["kitchen"]["slug"] != kitchens[0].slug.as_str())
            .count(),
        kitchens.get(1).map_or("no other kitchen", |k| k.slug.as_str()),
    );
    let _ = writeln!(
        report,
        "- Coupon {COUPON} ({COUPON_PERCENT}% off, at most {COUPON_LIMIT} uses): {} orders placed with it, {} refused as exhausted; {uses} uses counted, {coupon_orders} stored orders not cancelled carry it.",
        ledger.with_coupon, ledger.coupon_exhausted,
    );
    let _ = writeln!(report, "- Tracked stock: {}.", stock_lines.join("; "));
    let _ = writeln!(
        report,
        "- Paystack: {} orders paid through it, {} of them then cancelled by the customer; refunds: {}; {} payments did not go through within the clients' patience{}.",
        ledger.paystack_paid.len(),
        ledger.cancelled_paid,
        refunds.summary,
        ledger.paystack_unpaid,
        if ledger.paystack_why.is_empty() {
            String::new()
        } else {
            format!(" (e.g. {})", ledger.paystack_why[0])
        }
    );
    let _ = writeln!(
        report,
        "- Retries: {} requests sent again after a 5xx or no answer; {} sendings got no answer; 5xx: {} ({} without a JSON error and Retry-After).",
        stats.retried,
        stats.unanswered,
        stats.server_errors.len(),
        stats.bare_server_errors.len()
    );
    let _ = writeln!(
        report,
        "- Wallets: {} customers topped up {} each through Paystack; {} orders paid from the wallet, {} refused for want of funds, {} beaten by the kitchen's cash mark; {} left in all wallets.",
        wallets_of.len(),
        TOP_UP,
        ledger.wallet_paid.len(),
        ledger.wallet_short,
        ledger.wallet_raced,
        wallet_total
    );
    let _ = writeln!(report, "\n| request | count | p50 | p99 |\n|---|---|---|---|");
    for (kind, v) in &stats.latencies {
        let n = v.len();
        let (p50, p99) = (percentile(v, 50.0), percentile(v, 99.0));
        let _ = writeln!(report, "| {kind} | {n} | {p50:.1} ms | {p99:.1} ms |");
    }
    let _ = writeln!(
        report,
        "\nChecks: {}",
        if failures.is_empty() {
            format!(
                "{}; every acknowledged order stored exactly once and nothing else; every line at its kitchen's menu price and every total their sum less the coupon's discount (rounded down); the coupon used exactly by the stored orders carrying it, never past its limit; the stock never below zero and down by exactly what the stored orders not cancelled hold; every wallet equal to the sum of its ledger, never below zero, its payments exactly the wallet-paid orders; every cancelled Paystack-paid order's refund asked of Paystack or settled (or refund_failed with an alert).",
                if args.faults {
                    "no 5xx without a JSON error and Retry-After"
                } else {
                    "no 5xx"
                }
            )
        } else {
            format!("**{} failed**", failures.len())
        }
    );
    println!("{report}");
    if let Some(out) = &args.out {
        std::fs::write(out, &report)?;
    }
    if placed < args.orders && args.orders > 0 {
        failures.push(format!("only {placed} of {} orders within the time limit", args.orders));
    }
    if !failures.is_empty() {
        for f in failures.iter().take(20) {
            eprintln!("FAILED: {f}");
        }
        std::process::exit(1);
    }
    Ok(())
}
