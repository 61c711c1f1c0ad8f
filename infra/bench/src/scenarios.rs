//! The data and the events each route is benchmarked with. Everything a route consumes (an
//! unverified account to verify, a refresh token to rotate, a pending order to cancel) is made
//! beforehand through the store, so every measured request does the route's real work.

use std::time::Duration;

use serde_json::{Value, json};
use shared::accounts::model::{
    Account, Channel, Identifier, Otp, OtpHasher, Password, PasswordHasher, Role, Session, Subject, TokenType, Tokens,
};
use shared::accounts::store::{AccountStore, CountedCode};
use shared::menu::model::{FoodChange, NewCategory};
use shared::menu::model::{Money, Name};
use shared::menu::{KitchenMenu, MenuService};
use shared::orders::model::{NewOrder, Order, OrderLine, PaymentStatus, check_payment};
use shared::orders::store::{OrderStore, PlaceOutcome};
use shared::payments::model::{Reference, signature};
use shared::payments::paystack::{NewTransaction, Paystack, SecretKey};
use shared::payments::service::opened;
use shared::payments::store::{Opened, PaymentStore};
use shared::platform::clock::{now_epoch, now_rfc3339};
use shared::platform::db::Db as Store;

use crate::{Args, Kind};

const JWT_SECRET: &str = "benchmark-secret-0123456789abcdef-0123456789";
const TABLE: &str = "bench";
const SENDER: &str = "no-reply@chukskitchen.bench";
const KITCHEN: &str = "kitchen@chukskitchen.bench";
const PASSWORD: &str = "bench password";

/// Where the functions' key rings come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    /// Secrets Manager (moto), as on AWS.
    Secrets,
    /// `JWT_SECRET`, as in local runs.
    Environment,
}

/// The ring secrets the benchmark creates: the same keys as `JWT_SECRET` (key id `local`), so
/// that the tokens made beforehand are valid whichever way a function reads them.
const TOKEN_KEYS_SECRET: &str = "bench/token-keys";
/// Paystack's secret key, which orders and admin read at cold start (for refunds).
const PAYSTACK_SECRET: &str = "bench/paystack";
const PAYSTACK_KEY: &str = "sk_test_bench_0123456789abcdef";
const CODE_KEYS_SECRET: &str = "bench/code-keys";

pub fn function_env(args: &Args, keys: KeySource) -> Vec<(String, String)> {
    let key_vars = match keys {
        KeySource::Secrets => vec![
            ("TOKEN_KEYS_SECRET_ID", TOKEN_KEYS_SECRET),
            ("CODE_KEYS_SECRET_ID", CODE_KEYS_SECRET),
            ("PAYSTACK_SECRET_ID", PAYSTACK_SECRET),
            ("SECRETSMANAGER_ENDPOINT", args.moto.as_str()),
        ],
        KeySource::Environment => vec![("JWT_SECRET", JWT_SECRET), ("PAYSTACK_SECRET_KEY", PAYSTACK_KEY)],
    };
    [
        ("TABLE_NAME", TABLE),
        ("DYNAMODB_ENDPOINT", args.dynamodb.as_str()),
        ("SES_ENDPOINT", args.moto.as_str()),
        ("SNS_ENDPOINT", args.moto.as_str()),
        ("OTP_SENDER_EMAIL", SENDER),
        ("OTP_DAILY_LIMIT", "1000"),
        // The bench's one customer places every measured order and pays none of them.
        ("MAX_OPEN_UNPAID_ORDERS", "1000"),
        ("AWS_ACCESS_KEY_ID", "local"),
        ("AWS_SECRET_ACCESS_KEY", "local"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("RUST_LOG", "info"),
        ("KITCHEN_EMAIL", KITCHEN),
        // The local Paystack (payments); a closed port when the run has none: no other route
        // measured here reaches Paystack (the cancelled order was never paid).
        (
            "PAYSTACK_BASE_URL",
            args.paystack.as_deref().unwrap_or("http://127.0.0.1:9"),
        ),
    ]
    .into_iter()
    .chain(key_vars)
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

pub struct Scenario {
    pub route: String,
    pub kind: Kind,
    pub hashes_password: bool,
    pub expect: Expect,
    /// Calls to Paystack's API each request makes (waited on, so billed).
    pub paystack_calls: u32,
    pub events: Vec<String>,
}

/// What every response of a scenario must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// An API Gateway response with this status.
    Status(u16),
    /// A stream batch's response: no record reported as failed.
    NoFailedRecords,
}

/// An API Gateway HTTP API (payload 2.0) event.
pub fn event(
    method: &str,
    path: &str,
    query: &str,
    token: Option<&str>,
    body: Option<&Value>,
    extra: &[(&str, &str)],
) -> String {
    let mut headers = serde_json::Map::new();
    headers.insert("content-type".into(), json!("application/json"));
    headers.insert("host".into(), json!("bench.execute-api.us-east-1.amazonaws.com"));
    if let Some(t) = token {
        headers.insert("authorization".into(), json!(format!("Bearer {t}")));
    }
    for (k, v) in extra {
        headers.insert((*k).into(), json!(v));
    }
    let mut e = json!({
        "version": "2.0",
        "routeKey": format!("{method} {path}"),
        "rawPath": path,
        "rawQueryString": query,
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012", "apiId": "bench", "domainName": "bench.execute-api.us-east-1.amazonaws.com",
            "domainPrefix": "bench", "requestId": ulid::Ulid::new().to_string(), "routeKey": format!("{method} {path}"),
            "stage": "$default", "time": "21/Nov/2026:10:00:00 +0000", "timeEpoch": 1795256100000u64,
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "bench"}
        },
        "isBase64Encoded": false
    });
    if let Some(b) = body {
        e["body"] = json!(b.to_string());
    }
    e.to_string()
}

pub fn check(route: &str, expect: Expect, response: &Value) -> anyhow::Result<()> {
    let ok = match expect {
        Expect::Status(status) => response["statusCode"].as_u64() == Some(u64::from(status)),
        Expect::NoFailedRecords => response["batchItemFailures"].as_array().is_some_and(Vec::is_empty),
    };
    if ok {
        Ok(())
    } else {
        anyhow::bail!("{route}: expected {expect:?}, got {response}")
    }
}

pub struct Data {
    store: Store,
    tokens: Tokens,
    otp: OtpHasher,
    password_hash: String,
    customer: Account,
    customer_session: String,
    customer_token: String,
    admin_token: String,
    dish: String,
    bench_dishes: Vec<String>,
    bench_category: String,
    order: String,
    /// The local Paystack, when the run has one (payments).
    paystack: Option<String>,
    /// The home kitchen (the bench's dishes and orders are its).
    kitchen: shared::kitchens::model::Kitchen,
}

/// The code of the coupon the bench's placements with a coupon use.
const BENCH_COUPON: &str = "BENCH10";

fn email(tag: &str) -> Identifier {
    Identifier::parse(
        &format!("{tag}-{}@bench.example", ulid::Ulid::new().to_string().to_lowercase()),
        "234",
    )
    .expect("valid email")
}

/// Runs futures 16 at a time.
async fn all<T, F: std::future::Future<Output = anyhow::Result<T>>>(futures: Vec<F>) -> anyhow::Result<Vec<T>> {
    let mut out = Vec::with_capacity(futures.len());
    let mut rest = futures.into_iter().peekable();
    while rest.peek().is_some() {
        let batch: Vec<F> = rest.by_ref().take(16).collect();
        for r in futures::future::join_all(batch).await {
            out.push(r?);
        }
    }
    Ok(out)
}

impl Data {
    pub async fn prepare(args: &Args) -> anyhow::Result<Self> {
        let sdk = shared::aws::sdk_config().await;
        let store = Store::new(shared::aws::dynamodb_config(&sdk, Some(&args.dynamodb)), TABLE);
        store
            .create_table(shared::schema::INDEXES)
            .await
            .map_err(ops::describe)?;
        let ses = shared::aws::sesv2(&sdk, Some(&args.moto));
        let _ = ses.create_email_identity().email_identity(SENDER).send().await;
        ops::seed_demo(&store, shared::config::DEFAULT_HOME_KITCHEN).await?;
        let secrets = shared::platform::secrets::client(&sdk, Some(&args.moto));
        let ring = format!(r#"{{"active":"local","local":"{JWT_SECRET}"}}"#);
        for id in [TOKEN_KEYS_SECRET, CODE_KEYS_SECRET] {
            let created = secrets.create_secret().name(id).secret_string(&ring).send().await;
            if created.is_err() {
                secrets
                    .put_secret_value()
                    .secret_id(id)
                    .secret_string(&ring)
                    .send()
                    .await?;
            }
        }
        if secrets
            .create_secret()
            .name(PAYSTACK_SECRET)
            .secret_string(PAYSTACK_KEY)
            .send()
            .await
            .is_err()
        {
            secrets
                .put_secret_value()
                .secret_id(PAYSTACK_SECRET)
                .secret_string(PAYSTACK_KEY)
                .send()
                .await?;
        }
        let keys = shared::platform::keys::KeyRings::local(JWT_SECRET.as_bytes())?;
        let tokens = Tokens::new(
            keys.tokens.clone(),
            "chuks-kitchen",
            Duration::from_secs(86_400),
            Duration::from_secs(604_800),
        );
        let password_hash = PasswordHasher::new()
            .hash(Password::parse(PASSWORD.into()).expect("valid"))
            .await?;
        let home =
            shared::kitchens::model::Slug::parse(shared::config::DEFAULT_HOME_KITCHEN).map_err(anyhow::Error::new)?;
        let kitchens = shared::kitchens::store::KitchenStore::new(store.clone());
        let kitchen = kitchens
            .by_slug(&home)
            .await
            .map_err(ops::describe)?
            .ok_or_else(|| anyhow::anyhow!("seed-demo made no home kitchen"))?;
        let mut data = Self {
            kitchen,
            store,
            tokens,
            otp: OtpHasher::new(keys.codes.clone()),
            password_hash,
            customer: Account::new(&email("customer"), String::new(), Role::Customer, true, now_rfc3339()),
            customer_session: String::new(),
            customer_token: String::new(),
            admin_token: String::new(),
            dish: String::new(),
            bench_dishes: Vec::new(),
            bench_category: String::new(),
            order: String::new(),
            paystack: args.paystack.clone(),
        };
        data.customer = data.account(Role::Customer, true, None).await?;
        let (sid, access, _) = data.session(&data.customer.clone()).await?;
        data.customer_session = sid;
        data.customer_token = access;
        let admin = data.account(Role::Admin, true, None).await?;
        data.admin_token = data.session(&admin).await?.1;
        let menu = data.menu().menu().await.map_err(ops::describe)?;
        data.dish = menu
            .foods
            .iter()
            .find(|f| f.is_available)
            .map(|f| f.id.clone())
            .unwrap_or_default();
        let category = data.category("Bench Dishes").await?;
        data.bench_category = category.clone();
        // Every bench dish tracks its stock, so that placements take stock on every line.
        for i in 0..50 {
            data.bench_dishes
                .push(data.tracked_food(&format!("Bench Dish {i}"), &category).await?);
        }
        data.order = data.order(false).await?;
        // A coupon the bench customer can use on every placement (10% off, no limit to speak of).
        let coupon = json!({"code": BENCH_COUPON, "kind": "percent", "percent": 10, "per_customer_limit": 1_000_000});
        let fields = coupon.as_object().cloned().unwrap_or_default();
        shared::coupons::CouponService::new(data.store.clone())
            .create(&data.kitchen.id, &fields)
            .await
            .map_err(|e| anyhow::anyhow!("the bench coupon: {e}"))?;
        Ok(data)
    }

    fn accounts(&self) -> AccountStore {
        AccountStore::new(self.store.clone())
    }

    async fn account(&self, role: Role, verified: bool, otp_sent_ago: Option<i64>) -> anyhow::Result<Account> {
        let identifier = email(role.as_str());
        let mut account = Account::new(&identifier, self.password_hash.clone(), role, verified, now_rfc3339());
        let code = otp_sent_ago
            .map(|ago| -> anyhow::Result<_> {
                let otp = Otp::parse("123456").expect("valid");
                let sent_at = now_epoch() - ago;
                Ok(shared::accounts::model::PendingCode {
                    purpose: shared::accounts::model::CodePurpose::Signup,
                    code_hash: self.otp.hash(&identifier.storage_key(), &otp)?,
                    channel: Channel::Email,
                    sent_at,
                    expires_at: sent_at + 600,
                    attempts: 0,
                    delivered: true,
                    used_at: None,
                })
            })
            .transpose()?;
        let counted = code.as_ref().map(|code| CountedCode {
            code,
            day: shared::accounts::model::throttle::day(code.sent_at),
            daily_limit: 1000,
            source: "bench",
            daily_limit_per_source: 1000,
        });
        self.accounts()
            .create_account_retrying(&mut account, counted.as_ref(), None)
            .await
            .map_err(ops::describe)?;
        Ok(account)
    }

    /// A live session: (session id, access token, refresh token).
    async fn session(&self, account: &Account) -> anyhow::Result<(String, String, String)> {
        let subject = Subject {
            user_id: account.id.clone(),
            identifier_key: account.identifier_key.clone(),
            role: account.role,
            session_id: ulid::Ulid::new().to_string(),
        };
        let refresh = self.tokens.issue(TokenType::Refresh, &subject)?;
        let access = self.tokens.issue(TokenType::Access, &subject)?;
        let session = Session::start(
            &subject,
            &refresh.claims.jti,
            refresh.claims.exp,
            now_epoch() + 30 * 86_400,
            now_rfc3339(),
        );
        self.accounts()
            .create_session(&session, shared::accounts::model::session::SessionEpoch::default())
            .await
            .map_err(ops::describe)?;
        Ok((subject.session_id, access.token, refresh.token))
    }

    /// The home kitchen's menu (the kitchen the bench orders from).
    fn menu(&self) -> KitchenMenu {
        MenuService::new(self.store.clone()).of(&self.kitchen.id)
    }

    async fn category(&self, name: &str) -> anyhow::Result<String> {
        let new = NewCategory {
            name: Name::parse(name).map_err(anyhow::Error::msg)?,
            description: None,
            position: 0,
        };
        let category = self.menu().create_category(&new).await.map_err(ops::describe)?;
        Ok(category.id)
    }

    async fn food(&self, name: &str, category: &str) -> anyhow::Result<String> {
        let change = FoodChange {
            name: Some(Name::parse(name).map_err(anyhow::Error::msg)?),
            price: Some(Money::from_kobo(150_000)),
            category_id: Some(category.to_owned()),
            ..FoodChange::default()
        };
        let dish = self.menu().create_food(change).await.map_err(ops::describe)?;
        Ok(dish.food.id)
    }

    async fn tracked_food(&self, name: &str, category: &str) -> anyhow::Result<String> {
        let change = FoodChange {
            name: Some(Name::parse(name).map_err(anyhow::Error::msg)?),
            price: Some(Money::from_kobo(150_000)),
            category_id: Some(category.to_owned()),
            stock: Some(Some(shared::menu::model::STOCK_MAX)),
            ..FoodChange::default()
        };
        let dish = self.menu().create_food(change).await.map_err(ops::describe)?;
        Ok(dish.food.id)
    }

    /// A customer with a live session and a cart of the first `lines` bench dishes; their
    /// access token.
    async fn cart_customer(&self, lines: usize) -> anyhow::Result<String> {
        let account = self.account(Role::Customer, true, None).await?;
        let (_, access, _) = self.session(&account).await?;
        let cart = shared::cart::model::Cart {
            lines: self.bench_dishes[..lines]
                .iter()
                .enumerate()
                .map(|(i, id)| shared::cart::model::CartLine {
                    food_item_id: id.clone(),
                    quantity: 1,
                    name: format!("Bench Dish {i}"),
                })
                .collect(),
            version: 1,
            updated_at: now_rfc3339(),
            expires_at: now_epoch() + shared::cart::model::IDLE_SECS,
        };
        shared::cart::store::CartStore::new(self.store.clone())
            .save(&account.id, &self.kitchen.id, 0, &cart)
            .await
            .map_err(ops::describe)?;
        Ok(access)
    }

    async fn order(&self, paid: bool) -> anyhow::Result<String> {
        Ok(self.placed(paid).await?.id)
    }

    /// A delivery order of one dish by the bench customer, placed through the store.
    async fn placed(&self, paid: bool) -> anyhow::Result<Order> {
        let line = OrderLine {
            food_item_id: self.dish.clone(),
            name: "Jollof Rice".into(),
            unit_price: 350_000,
            quantity: 1,
            line_total: 350_000,
            stock_taken: false,
        };
        let request = NewOrder {
            lines: Vec::new(),
            fulfilment: shared::orders::model::Fulfilment::Delivery,
            delivery_address: Some("12 Admiralty Way, Lekki".into()),
            note: None,
            delivery_location: None,
            coupon_code: None,
            contact_phone: None,
        };
        let order = Order::place(
            &self.customer.id,
            request.into_parts().1,
            vec![line],
            Money::from_kobo(350_000),
            now_rfc3339(),
        )
        .from_kitchen(shared::orders::model::KitchenRef {
            id: self.kitchen.id.clone(),
            slug: self.kitchen.slug.as_str().to_owned(),
            name: self.kitchen.name.clone(),
        });
        let orders = OrderStore::new(self.store.clone());
        match orders
            .place(
                &order,
                None,
                None,
                // The bench's one customer holds as many unpaid orders as it places.
                &shared::orders::model::OpenSlot::Add { max: 1_000_000 },
                None,
                &self.customer_session,
                now_epoch(),
            )
            .await
            .map_err(ops::describe)?
        {
            PlaceOutcome::Placed => {}
            other => anyhow::bail!("order: {other:?}"),
        }
        if paid {
            let shared::orders::model::PaymentChange::Set { to, method, requires } =
                check_payment(order.status, order.payment_status, None, PaymentStatus::Paid)
                    .map_err(|e| anyhow::anyhow!("{e}"))?
            else {
                anyhow::bail!("a new order is unpaid");
            };
            let entry = shared::orders::model::HistoryEntry {
                status: order.status,
                payment_status: Some(to),
                at: now_rfc3339(),
                by: "bench".into(),
                by_role: shared::orders::model::ChangedBy::Admin,
            };
            orders
                .set_payment(&order.id, &requires, method, &entry)
                .await
                .map_err(ops::describe)?;
        }
        Ok(order)
    }

    /// The local Paystack's address.
    fn paystack_url(&self) -> anyhow::Result<&str> {
        self.paystack
            .as_deref()
            .ok_or_else(|| anyhow::anyhow!("payments need the local Paystack (--paystack)"))
    }

    /// An order of the bench customer with a Paystack payment opened on the local Paystack, as
    /// `POST /api/orders/{id}/pay` opens it; with `paid`, the customer has paid on Paystack's
    /// page and no webhook came yet. Its payment reference.
    async fn opened(&self, paid: bool) -> anyhow::Result<String> {
        let url = self.paystack_url()?;
        let paystack = Paystack::new(url, SecretKey::new(PAYSTACK_KEY.into()))?;
        let order = self.placed(false).await?;
        let email = self
            .customer
            .identifier_key
            .strip_prefix("EMAIL#")
            .ok_or_else(|| anyhow::anyhow!("the bench customer has an email"))?
            .to_owned();
        let started = paystack
            .initialize(&NewTransaction::for_order(&order.id, email, order.total, None))
            .await?;
        let payment = opened(&order, started);
        match PaymentStore::new(self.store.clone())
            .open(&order, &payment)
            .await
            .map_err(ops::describe)?
        {
            Opened::Done => {}
            Opened::Changed(_) => anyhow::bail!("a new order's payment could not be opened"),
        }
        if paid {
            reqwest::Client::new()
                .post(format!("{url}/__control/pay/{}", payment.reference))
                .send()
                .await?
                .error_for_status()?;
        }
        Ok(payment.reference)
    }

    /// The id of an order whose customer has paid on Paystack's page (verify's case).
    async fn placed_and_paid_on_paystack(&self) -> anyhow::Result<String> {
        let reference = self.opened(true).await?;
        Reference::parse(&reference)
            .as_ref()
            .and_then(Reference::order_id)
            .map(str::to_owned)
            .ok_or_else(|| anyhow::anyhow!("no order in {reference}"))
    }

    /// Paystack's `charge.success` for a paid reference, as its webhook posts it: the body (the
    /// transaction as Paystack's verify endpoint shows it) and its signature.
    async fn charge_success(&self, reference: &str) -> anyhow::Result<(Value, String)> {
        let url = self.paystack_url()?;
        let verified: Value = reqwest::Client::new()
            .get(format!("{url}/transaction/verify/{reference}"))
            .bearer_auth(PAYSTACK_KEY)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let body = json!({"event": "charge.success", "data": verified["data"]});
        let signature = signature(PAYSTACK_KEY.as_bytes(), body.to_string().as_bytes());
        Ok((body, signature))
    }

    /// A stream event from `events/notifier-stream-<name>.json`, about the bench customer, with
    /// a record id of its own (the notifier sends once per record and message).
    fn stream_event(&self, name: &str) -> anyhow::Result<String> {
        let template = std::fs::read_to_string(format!("events/notifier-stream-{name}.json"))?;
        let mut event: Value =
            serde_json::from_str(&template.replace("01JDSTREAMEVENTCUSTOMER001", &self.customer.id))?;
        let records = event["Records"]
            .as_array_mut()
            .ok_or_else(|| anyhow::anyhow!("{name}: no Records"))?;
        for record in records {
            record["eventID"] = json!(ulid::Ulid::new().to_string());
        }
        Ok(event.to_string())
    }

    pub async fn scenarios(&self, function: &str, n: usize) -> anyhow::Result<Vec<Scenario>> {
        let c = Some(self.customer_token.clone());
        let a = Some(self.admin_token.clone());
        let repeat = |e: String| vec![e; n];
        let s = |route: &str, kind, expect, events| Scenario {
            route: route.into(),
            kind,
            hashes_password: false,
            expect: Expect::Status(expect),
            paystack_calls: 0,
            events,
        };
        Ok(match function {
            "signup" => vec![Scenario {
                hashes_password: true,
                ..s(
                    "POST /api/auths/signup",
                    Kind::Write,
                    201,
                    (0..n)
                        .map(|_| {
                            event(
                                "POST",
                                "/api/auths/signup/",
                                "",
                                None,
                                Some(&json!({"identifier": email("signup").to_string(), "password": PASSWORD})),
                                &[],
                            )
                        })
                        .collect(),
                )
            }],
            "verify" => {
                let fresh: Vec<Account> =
                    all((0..n).map(|_| self.account(Role::Customer, false, Some(0))).collect()).await?;
                let stale: Vec<Account> =
                    all((0..n).map(|_| self.account(Role::Customer, false, Some(120))).collect()).await?;
                vec![
                    s(
                        "POST /api/auths/verify",
                        Kind::Write,
                        200,
                        fresh
                            .iter()
                            .map(|acc| {
                                event(
                                    "POST",
                                    "/api/auths/verify/",
                                    "",
                                    None,
                                    Some(&json!({"identifier": acc.email, "otp": "123456"})),
                                    &[],
                                )
                            })
                            .collect(),
                    ),
                    s(
                        "POST /api/auths/resend-otp",
                        Kind::Write,
                        200,
                        stale
                            .iter()
                            .map(|acc| {
                                event(
                                    "POST",
                                    "/api/auths/resend-otp/",
                                    "",
                                    None,
                                    Some(&json!({"identifier": acc.email})),
                                    &[],
                                )
                            })
                            .collect(),
                    ),
                ]
            }
            "login" => {
                let customer = self.customer.clone();
                let refresh: Vec<(String, String, String)> =
                    all((0..n).map(|_| self.session(&customer)).collect()).await?;
                let logout: Vec<(String, String, String)> =
                    all((0..n).map(|_| self.session(&customer)).collect()).await?;
                vec![
                    Scenario {
                        hashes_password: true,
                        ..s(
                            "POST /api/auths/login",
                            Kind::Write,
                            200,
                            repeat(event(
                                "POST",
                                "/api/auths/login/",
                                "",
                                None,
                                Some(&json!({"identifier": customer.email, "password": PASSWORD})),
                                &[],
                            )),
                        )
                    },
                    s(
                        "POST /api/auths/token/refresh",
                        Kind::Write,
                        200,
                        refresh
                            .iter()
                            .map(|(_, _, r)| {
                                event(
                                    "POST",
                                    "/api/auths/token/refresh/",
                                    "",
                                    None,
                                    Some(&json!({"refresh": r})),
                                    &[],
                                )
                            })
                            .collect(),
                    ),
                    s(
                        "POST /api/auths/logout",
                        Kind::Write,
                        204,
                        logout
                            .iter()
                            .map(|(_, _, r)| {
                                event(
                                    "POST",
                                    "/api/auths/logout/",
                                    "",
                                    None,
                                    Some(&json!({"refresh": r})),
                                    &[],
                                )
                            })
                            .collect(),
                    ),
                    s(
                        "GET /api/auths/me",
                        Kind::Read,
                        200,
                        repeat(event("GET", "/api/auths/me/", "", c.as_deref(), None, &[])),
                    ),
                    s(
                        "PATCH /api/auths/me",
                        Kind::Write,
                        200,
                        repeat(event(
                            "PATCH",
                            "/api/auths/me/",
                            "",
                            c.as_deref(),
                            Some(&json!({"first_name": "Ada"})),
                            &[],
                        )),
                    ),
                ]
            }
            "foods" => vec![
                s(
                    "GET /api/foods",
                    Kind::Read,
                    200,
                    repeat(event("GET", "/api/foods/", "", None, None, &[])),
                ),
                s(
                    "GET /api/foods?q=rice",
                    Kind::Read,
                    200,
                    repeat(event("GET", "/api/foods/", "q=rice", None, None, &[])),
                ),
                s(
                    "GET /api/foods/{id}",
                    Kind::Read,
                    200,
                    repeat(event("GET", &format!("/api/foods/{}/", self.dish), "", None, None, &[])),
                ),
                s(
                    "GET /api/foods/categories",
                    Kind::Read,
                    200,
                    repeat(event("GET", "/api/foods/categories/", "", None, None, &[])),
                ),
            ],
            "orders" => {
                let one = json!({"items": [{"food_item_id": self.dish, "quantity": 1}], "delivery_address": "12 Admiralty Way, Lekki"});
                let fifty = json!({"items": self.bench_dishes.iter().map(|d| json!({"food_item_id": d, "quantity": 1})).collect::<Vec<_>>(), "delivery_address": "12 Admiralty Way, Lekki"});
                let tracked = json!({"items": [{"food_item_id": self.bench_dishes[0], "quantity": 1}], "delivery_address": "12 Admiralty Way, Lekki"});
                let with_coupon = json!({"items": [{"food_item_id": self.dish, "quantity": 1}], "delivery_address": "12 Admiralty Way, Lekki", "coupon_code": BENCH_COUPON});
                let pending: Vec<String> = all((0..n).map(|_| self.order(false)).collect()).await?;
                let key = ulid::Ulid::new().to_string();
                let browsing = self.cart_customer(10).await?;
                let editing = self.cart_customer(10).await?;
                let this = self;
                let removing: Vec<String> = all((0..n).map(|_| this.cart_customer(2)).collect()).await?;
                let ten: Vec<String> = all((0..n).map(|_| this.cart_customer(10)).collect()).await?;
                let full: Vec<String> = all((0..n).map(|_| this.cart_customer(50)).collect()).await?;
                let pickup = json!({"fulfilment": "pickup"});
                let checkout = |tokens: &[String]| -> Vec<String> {
                    tokens
                        .iter()
                        .map(|t| event("POST", "/api/cart/checkout/", "", Some(t), Some(&pickup), &[]))
                        .collect()
                };
                let first = &self.bench_dishes[0];
                let second = &self.bench_dishes[1];
                vec![
                    s(
                        "POST /api/orders (1 tracked line)",
                        Kind::Placement,
                        201,
                        repeat(event("POST", "/api/orders/", "", c.as_deref(), Some(&tracked), &[])),
                    ),
                    s(
                        "GET /api/cart (10 lines)",
                        Kind::Read,
                        200,
                        repeat(event("GET", "/api/cart/", "", Some(&browsing), None, &[])),
                    ),
                    s(
                        "PUT /api/cart/items/{id}",
                        Kind::Write,
                        200,
                        (0..n)
                            .map(|i| {
                                let q = json!({"quantity": 1 + i % 3});
                                event(
                                    "PUT",
                                    &format!("/api/cart/items/{first}/"),
                                    "",
                                    Some(&editing),
                                    Some(&q),
                                    &[],
                                )
                            })
                            .collect(),
                    ),
                    s(
                        "DELETE /api/cart/items/{id}",
                        Kind::Write,
                        200,
                        removing
                            .iter()
                            .map(|t| event("DELETE", &format!("/api/cart/items/{second}/"), "", Some(t), None, &[]))
                            .collect(),
                    ),
                    s(
                        "POST /api/cart/checkout (10 lines)",
                        Kind::Placement,
                        201,
                        checkout(&ten),
                    ),
                    s(
                        "POST /api/cart/checkout (50 lines)",
                        Kind::Placement,
                        201,
                        checkout(&full),
                    ),
                    s(
                        "POST /api/orders (1 line)",
                        Kind::Placement,
                        201,
                        repeat(event("POST", "/api/orders/", "", c.as_deref(), Some(&one), &[])),
                    ),
                    s(
                        "POST /api/orders (1 line, coupon)",
                        Kind::Placement,
                        201,
                        repeat(event("POST", "/api/orders/", "", c.as_deref(), Some(&with_coupon), &[])),
                    ),
                    s(
                        "POST /api/orders (50 lines)",
                        Kind::Placement,
                        201,
                        repeat(event("POST", "/api/orders/", "", c.as_deref(), Some(&fifty), &[])),
                    ),
                    s(
                        "POST /api/orders (Idempotency-Key replay)",
                        Kind::Placement,
                        201,
                        repeat(event(
                            "POST",
                            "/api/orders/",
                            "",
                            c.as_deref(),
                            Some(&one),
                            &[("idempotency-key", key.as_str())],
                        )),
                    ),
                    s(
                        "GET /api/orders",
                        Kind::Read,
                        200,
                        repeat(event("GET", "/api/orders/", "limit=20", c.as_deref(), None, &[])),
                    ),
                    s(
                        "GET /api/orders/{id}",
                        Kind::Read,
                        200,
                        repeat(event(
                            "GET",
                            &format!("/api/orders/{}/", self.order),
                            "",
                            c.as_deref(),
                            None,
                            &[],
                        )),
                    ),
                    s(
                        "POST /api/orders/{id}/cancel",
                        Kind::StatusChange,
                        200,
                        pending
                            .iter()
                            .map(|id| {
                                event(
                                    "POST",
                                    &format!("/api/orders/{id}/cancel/"),
                                    "",
                                    c.as_deref(),
                                    None,
                                    &[],
                                )
                            })
                            .collect(),
                    ),
                ]
            }
            "admin" => {
                let this = self;
                let empty: Vec<String> = all((0..n)
                    .map(|i| {
                        let name = format!("Empty {i} {}", ulid::Ulid::new());
                        async move { this.category(&name).await }
                    })
                    .collect())
                .await?;
                let doomed: Vec<String> = all((0..n)
                    .map(|i| {
                        let name = format!("Doomed {i}");
                        async move { this.food(&name, &this.bench_category).await }
                    })
                    .collect())
                .await?;
                let paid: Vec<String> = all((0..n).map(|_| self.order(true)).collect()).await?;
                let unpaid: Vec<String> = all((0..n).map(|_| self.order(false)).collect()).await?;
                let dish = self.bench_dishes[0].clone();
                vec![
                    s("GET /api/foods/admin/categories", Kind::Read, 200, repeat(event("GET", "/api/foods/admin/categories/", "", a.as_deref(), None, &[]))),
                    s("POST /api/foods/admin/categories", Kind::Write, 201, (0..n)
                        .map(|i| event("POST", "/api/foods/admin/categories/", "", a.as_deref(), Some(&json!({"name": format!("New {i} {}", ulid::Ulid::new())})), &[]))
                        .collect()),
                    s("PATCH /api/foods/admin/categories/{id}", Kind::Write, 200, repeat(event("PATCH", &format!("/api/foods/admin/categories/{}/", self.bench_category), "", a.as_deref(), Some(&json!({"description": "Benchmark dishes"})), &[]))),
                    s("DELETE /api/foods/admin/categories/{id}", Kind::Write, 204, empty
                        .iter()
                        .map(|id| event("DELETE", &format!("/api/foods/admin/categories/{id}/"), "", a.as_deref(), None, &[]))
                        .collect()),
                    s("GET /api/foods/admin/items", Kind::Read, 200, repeat(event("GET", "/api/foods/admin/items/", "", a.as_deref(), None, &[]))),
                    s("POST /api/foods/admin/items", Kind::Write, 201, (0..n)
                        .map(|i| event("POST", "/api/foods/admin/items/", "", a.as_deref(), Some(&json!({"name": format!("Special {i}"), "price": 250000, "category_id": self.bench_category})), &[]))
                        .collect()),
                    s("GET /api/foods/admin/items/{id}", Kind::Read, 200, repeat(event("GET", &format!("/api/foods/admin/items/{dish}/"), "", a.as_deref(), None, &[]))),
                    s("PATCH /api/foods/admin/items/{id}", Kind::Write, 200, repeat(event("PATCH", &format!("/api/foods/admin/items/{dish}/"), "", a.as_deref(), Some(&json!({"price": 175000})), &[]))),
                    s("POST /api/foods/admin/items/{id}/stock", Kind::Write, 200, repeat(event("POST", &format!("/api/foods/admin/items/{dish}/stock/"), "", a.as_deref(), Some(&json!({"add": 1})), &[]))),
                    s("DELETE /api/foods/admin/items/{id}", Kind::Write, 204, doomed
                        .iter()
                        .map(|id| event("DELETE", &format!("/api/foods/admin/items/{id}/"), "", a.as_deref(), None, &[]))
                        .collect()),
                    s("GET /api/orders/admin?status=pending", Kind::Read, 200, repeat(event("GET", "/api/orders/admin/", "status=pending", a.as_deref(), None, &[]))),
                    s("GET /api/orders/admin/{id}", Kind::Read, 200, repeat(event("GET", &format!("/api/orders/admin/{}/", self.order), "", a.as_deref(), None, &[]))),
                    s("PATCH /api/orders/admin/{id}/status", Kind::StatusChange, 200, paid
                        .iter()
                        .map(|id| event("PATCH", &format!("/api/orders/admin/{id}/status/"), "", a.as_deref(), Some(&json!({"status": "confirmed"})), &[]))
                        .collect()),
                    s("PATCH /api/orders/admin/{id}/payment-status", Kind::StatusChange, 200, unpaid
                        .iter()
                        .map(|id| event("PATCH", &format!("/api/orders/admin/{id}/payment-status/"), "", a.as_deref(), Some(&json!({"payment_status": "paid"})), &[]))
                        .collect()),
                    s("GET /api/auths/admin/users", Kind::Read, 200, repeat(event("GET", "/api/auths/admin/users/", "limit=20", a.as_deref(), None, &[]))),
                ]
            }
            "payments" => {
                let this = self;
                let fresh: Vec<String> = all((0..n).map(|_| this.order(false)).collect()).await?;
                let back: Vec<String> = all((0..n).map(|_| this.placed_and_paid_on_paystack()).collect()).await?;
                let delivered: Vec<String> = all((0..n).map(|_| this.opened(true)).collect()).await?;
                let charges = all(delivered.iter().map(|r| this.charge_success(r)).collect()).await?;
                let callback = json!({"callback_url": "/orders/paid"});
                vec![
                    Scenario {
                        paystack_calls: 1,
                        ..s(
                            "POST /api/orders/{id}/pay",
                            Kind::Write,
                            200,
                            fresh
                                .iter()
                                .map(|id| {
                                    event(
                                        "POST",
                                        &format!("/api/orders/{id}/pay/"),
                                        "",
                                        c.as_deref(),
                                        Some(&callback),
                                        &[],
                                    )
                                })
                                .collect(),
                        )
                    },
                    Scenario {
                        paystack_calls: 1,
                        ..s(
                            "POST /api/orders/{id}/pay/verify",
                            Kind::StatusChange,
                            200,
                            back.iter()
                                .map(|id| {
                                    event(
                                        "POST",
                                        &format!("/api/orders/{id}/pay/verify/"),
                                        "",
                                        c.as_deref(),
                                        None,
                                        &[],
                                    )
                                })
                                .collect(),
                        )
                    },
                    s(
                        "POST /api/payments/paystack/webhook",
                        Kind::StatusChange,
                        200,
                        charges
                            .iter()
                            .map(|(body, signature)| {
                                event(
                                    "POST",
                                    "/api/payments/paystack/webhook/",
                                    "",
                                    None,
                                    Some(body),
                                    &[("x-paystack-signature", signature.as_str())],
                                )
                            })
                            .collect(),
                    ),
                ]
            }
            "notifier" => {
                let stream = |route: &str, name: &str| -> anyhow::Result<Scenario> {
                    Ok(Scenario {
                        expect: Expect::NoFailedRecords,
                        ..s(
                            route,
                            Kind::Write,
                            0,
                            (0..n).map(|_| self.stream_event(name)).collect::<anyhow::Result<_>>()?,
                        )
                    })
                };
                vec![
                    stream("stream: an order placed (the kitchen's email)", "order-placed")?,
                    stream("stream: an order confirmed (the customer's email)", "order-confirmed")?,
                ]
            }
            other => anyhow::bail!("unknown function {other}"),
        })
    }
}
