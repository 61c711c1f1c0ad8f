//! Test harness: every function's router, in process, against DynamoDB Local and the moto
//! SES/SNS emulator started by `infra/local/dev.sh test`.
//!
//! Each [`TestApp`] gets its own table, so tests are isolated and run in parallel. Requests are
//! `lambda_http` requests (the type Lambda hands the functions), answered by the same routers the
//! binaries run.

pub mod actions;
pub mod edge;

use std::collections::HashMap;
use std::sync::OnceLock;

use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use shared::App;
use shared::config::Config;
use shared::http::Service;
use shared::platform::db::Db;
use shared::platform::keys::Purpose;
use tower::ServiceExt;

pub const SENDER: &str = "no-reply@chukskitchen.test";
pub const JWT_SECRET: &str = "integration-test-secret-0123456789abcdef";
/// The value the test edge adds as `X-Origin-Verify` (the functions stand behind a locked door,
/// as on AWS).
pub const ORIGIN_VERIFY: &str = "integration-test-origin-verify-0123456789";
/// The web app's origin in the tests (`APP_URL`): where payments send customers back to.
pub const APP_URL: &str = "https://chukskitchen.ng";

/// Endpoints of the emulators, from the environment `dev.sh test` sets.
pub struct Stack {
    pub dynamodb: String,
    pub moto: String,
    /// The local Paystack and the key it was started with.
    pub paystack: String,
    pub paystack_key: String,
}

pub fn stack() -> &'static Stack {
    static STACK: OnceLock<Stack> = OnceLock::new();
    STACK.get_or_init(|| {
        let var = |name: &str| {
            std::env::var(name).unwrap_or_else(|_| {
                panic!("{name} is not set: run the tests with `infra/local/dev.sh test`, which starts DynamoDB Local and moto")
            })
        };
        Stack {
            dynamodb: var("TEST_DYNAMODB_ENDPOINT"),
            moto: var("TEST_MOTO_ENDPOINT"),
            paystack: var("TEST_PAYSTACK_URL"),
            paystack_key: var("TEST_PAYSTACK_SECRET_KEY"),
        }
    })
}

pub use shared::platform::routes::{Access, ROUTES, Route};

/// The function that owns a path, as API Gateway routes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Function {
    Signup,
    Verify,
    Login,
    Foods,
    Admin,
    Orders,
    Payments,
    Kitchens,
}

impl Function {
    /// As API Gateway routes it (`shared::platform::routes`).
    pub fn for_path(path: &str) -> Function {
        let name = shared::platform::routes::function_for(path);
        Function::from_name(name).unwrap_or_else(|| panic!("the route list names an unknown function {name}"))
    }

    pub fn from_name(name: &str) -> Option<Function> {
        match name {
            "signup" => Some(Function::Signup),
            "verify" => Some(Function::Verify),
            "login" => Some(Function::Login),
            "foods" => Some(Function::Foods),
            "admin" => Some(Function::Admin),
            "orders" => Some(Function::Orders),
            "payments" => Some(Function::Payments),
            "kitchens" => Some(Function::Kitchens),
            _ => None,
        }
    }
}

/// Every function's router over one app, dispatched by path as API Gateway does; each holds only
/// the key rings its function is given on AWS.
pub fn routers(app: &App) -> HashMap<Function, Service> {
    HashMap::from([
        (Function::Signup, signup::router(app.for_function("signup"))),
        (Function::Verify, verify::router(app.for_function("verify"))),
        (Function::Login, login::router(app.for_function("login"))),
        (Function::Foods, foods::router(app.for_function("foods"))),
        (Function::Admin, admin::router(app.for_function("admin"))),
        (Function::Orders, orders::router(app.for_function("orders"))),
        (Function::Payments, payments::router(app.for_function("payments"))),
        (Function::Kitchens, kitchens::router(app.for_function("kitchens"))),
    ])
}

/// Each function's router over its own app, as each Lambda builds it from the environment.
pub async fn routers_from_env() -> Result<HashMap<Function, Service>, shared::config::ConfigError> {
    let mut out = HashMap::new();
    for &name in shared::platform::routes::FUNCTIONS {
        let app = App::from_env_with_notifier(name).await?;
        let function = Function::from_name(name).unwrap_or_else(|| panic!("unknown function {name}"));
        let router = match function {
            Function::Signup => signup::router(app),
            Function::Verify => verify::router(app),
            Function::Login => login::router(app),
            Function::Foods => foods::router(app),
            Function::Admin => admin::router(app),
            Function::Orders => orders::router(app),
            Function::Payments => payments::router(app),
            Function::Kitchens => kitchens::router(app),
        };
        out.insert(function, router);
    }
    Ok(out)
}

pub struct TestApp {
    pub app: App,
    pub table: String,
    routers: HashMap<Function, Service>,
    /// CloudFront as `infra/template.yaml` configures it: every request the tests send passes
    /// it, unless a test goes around it on purpose ([`TestApp::around_the_edge`]).
    edge: edge::Edge,
}

/// The bucket dish photos go to in the tests (moto's S3, made once).
pub const IMAGES_BUCKET: &str = "test-dish-photos";

async fn images_bucket(sdk: &aws_config::SdkConfig, moto: &str) -> shared::platform::images::ImageBucket {
    static MADE: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(sdk)
            .endpoint_url(moto)
            .force_path_style(true)
            .build(),
    );
    MADE.get_or_init(|| async {
        // Made already by an earlier test binary on the same moto: fine.
        let _ = s3.create_bucket().bucket(IMAGES_BUCKET).send().await;
    })
    .await;
    shared::platform::images::ImageBucket::new(
        sdk,
        shared::platform::images::BucketSettings {
            name: IMAGES_BUCKET.to_owned(),
            public_base: APP_URL.to_owned(),
            upload_url: Some(format!("{moto}/{IMAGES_BUCKET}")),
            endpoint: Some(moto.to_owned()),
        },
    )
}

/// The template, parsed once for every test.
fn template() -> &'static serde_yaml::Value {
    static TEMPLATE: OnceLock<serde_yaml::Value> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let text = std::fs::read_to_string(edge::template_path()).expect("infra/template.yaml");
        serde_yaml::from_str(&text).expect("the template parses")
    })
}

#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub raw: String,
}

impl TestResponse {
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }
}

/// An SDK configuration for the emulators.
pub async fn sdk() -> aws_config::SdkConfig {
    let timeouts = aws_config::timeout::TimeoutConfig::builder()
        .connect_timeout(std::time::Duration::from_secs(1))
        .operation_attempt_timeout(std::time::Duration::from_secs(5))
        .operation_timeout(std::time::Duration::from_secs(15))
        .build();
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(shared::aws::https_client())
        .timeout_config(timeouts)
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "local", "local", None, None, "tests",
        ))
        .load()
        .await
}

impl TestApp {
    /// A fresh table and the default configuration.
    pub async fn new() -> Self {
        Self::with_env(&[]).await
    }

    /// A fresh table; `overrides` replace configuration variables.
    pub async fn with_env(overrides: &[(&str, &str)]) -> Self {
        let table = format!("test-{}", ulid::Ulid::new());
        let app = Self::on_table(&table, overrides).await;
        app.app
            .db()
            .create_table(shared::schema::INDEXES)
            .await
            .expect("create test table");
        // The home kitchen, as the operator makes it on a fresh stack (the v1 and v2 routes act on it).
        let slug = app.app.config.home_kitchen.clone().expect("a home kitchen slug");
        Box::pin(ops::ensure_kitchen(app.app.db(), &ops::home_kitchen(&slug)))
            .await
            .expect("create the home kitchen");
        app
    }

    /// The home kitchen's id.
    pub async fn home_kitchen(&self) -> String {
        self.app.home_kitchen().await.expect("the home kitchen")
    }

    /// Another app over an existing table (e.g. the same data with a broken sender).
    pub async fn on_table(table: &str, overrides: &[(&str, &str)]) -> Self {
        let stack = stack();
        let mut env: HashMap<String, String> = [
            ("TABLE_NAME", table),
            ("DYNAMODB_ENDPOINT", stack.dynamodb.as_str()),
            ("SES_ENDPOINT", stack.moto.as_str()),
            ("SNS_ENDPOINT", stack.moto.as_str()),
            ("SECRETSMANAGER_ENDPOINT", stack.moto.as_str()),
            ("PAYSTACK_BASE_URL", stack.paystack.as_str()),
            ("PAYSTACK_SECRET_KEY", stack.paystack_key.as_str()),
            ("OTP_SENDER_EMAIL", SENDER),
            ("JWT_SECRET", JWT_SECRET),
            ("ORIGIN_VERIFY", ORIGIN_VERIFY),
            ("APP_URL", APP_URL),
            // Every public read asks the table (a test sees a change at once); the window has
            // its own test.
            ("PUBLIC_READ_WINDOW_MS", "0"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        for (k, v) in overrides {
            env.insert((*k).to_owned(), (*v).to_owned());
        }
        let config = Config::from_lookup(|k| env.get(k).cloned()).expect("test configuration");
        let locals = edge::Locals {
            origin_verify: env["ORIGIN_VERIFY"].clone(),
            ..Default::default()
        };
        let edge = edge::Edge::from_value(template(), &locals).expect("the template's edge");
        let sdk = sdk().await;
        let store = Db::new(
            shared::aws::dynamodb_config(&sdk, config.dynamodb_endpoint.as_deref()),
            table,
        );
        let ses = shared::aws::sesv2(&sdk, config.ses_endpoint.as_deref());
        ensure_sender_identity(&ses).await;
        let sender = shared::accounts::notify::AwsOtpSender::new(shared::platform::outbox::AwsOutbox::new(
            ses,
            shared::aws::sns(&sdk, config.sns_endpoint.as_deref()),
            SENDER.to_owned(),
            None,
        ));
        // Each ring as a function that uses it loads it: from its secret when one is named.
        let mut keys = shared::platform::keys::KeyRings::none();
        for (purpose, function) in [(Purpose::Tokens, "login"), (Purpose::Codes, "signup")] {
            let loaded = shared::app::load_keys(&config, &sdk, function)
                .await
                .expect("key rings");
            keys.set(purpose, loaded.get(purpose).clone());
        }
        let app = App::with_key_rings(config, store, Some(std::sync::Arc::new(sender)), keys)
            .with_images(images_bucket(&sdk, &stack.moto).await);
        let routers = routers(&app);
        Self {
            app,
            table: table.to_owned(),
            routers,
            edge,
        }
    }

    /// Sends a request through the edge to the function that owns its path.
    pub async fn request(&self, request: Request<lambda_http::Body>) -> TestResponse {
        let function = Function::for_path(request.uri().path());
        self.send_to(function, request).await
    }

    /// Sends a request from the viewer at `viewer` through the edge.
    pub async fn request_from(
        &self,
        viewer: std::net::SocketAddr,
        request: Request<lambda_http::Body>,
    ) -> TestResponse {
        let function = Function::for_path(request.uri().path());
        let request = self.through_the_edge(request, viewer);
        self.around_the_edge(function, request).await
    }

    /// Sends a request through the edge to `function` (from a viewer on 127.0.0.1).
    pub async fn send_to(&self, function: Function, request: Request<lambda_http::Body>) -> TestResponse {
        let viewer = std::net::SocketAddr::from(([127, 0, 0, 1], 50_000));
        let request = self.through_the_edge(request, viewer);
        self.around_the_edge(function, request).await
    }

    /// What CloudFront makes of a viewer's request to the API: only the headers its policies
    /// forward, plus the viewer's address and the origin's custom headers.
    fn through_the_edge(
        &self,
        request: Request<lambda_http::Body>,
        viewer: std::net::SocketAddr,
    ) -> Request<lambda_http::Body> {
        let (mut parts, body) = request.into_parts();
        let behaviour = self.edge.behaviour("/api/");
        parts.headers = self.edge.origin_request_headers(behaviour, &parts.headers, viewer);
        Request::from_parts(parts, body)
    }

    /// Sends a request to `function` as it stands, as if it came straight to API Gateway.
    pub async fn around_the_edge(&self, function: Function, request: Request<lambda_http::Body>) -> TestResponse {
        let router = self.routers[&function].clone();
        let response = router.oneshot(request).await.expect("routers are infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.expect("body").to_bytes();
        let raw = String::from_utf8_lossy(&bytes).into_owned();
        let body = if raw.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&raw).unwrap_or(Value::String(raw.clone()))
        };
        TestResponse {
            status,
            headers,
            body,
            raw,
        }
    }

    pub async fn call(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> TestResponse {
        let mut builder = Request::builder()
            .method(method)
            .uri(path)
            .header("content-type", "application/json");
        if let Some(token) = token {
            builder = builder.header("authorization", format!("Bearer {token}"));
        }
        let body = match body {
            Some(v) => lambda_http::Body::from(v.to_string()),
            None => lambda_http::Body::Empty,
        };
        self.request(builder.body(body).expect("request")).await
    }

    pub async fn post(&self, path: &str, body: Value) -> TestResponse {
        self.call(Method::POST, path, None, Some(body)).await
    }

    pub async fn get(&self, path: &str, token: &str) -> TestResponse {
        self.call(Method::GET, path, Some(token), None).await
    }

    /// The customer whose `token` it is cancels order `id` (`POST /api/orders/{id}/cancel/`).
    pub async fn cancel(&self, token: &str, id: &str) -> TestResponse {
        self.call(Method::POST, &format!("/api/orders/{id}/cancel/"), Some(token), None)
            .await
    }

    /// Signs up and returns the response.
    pub async fn signup(&self, identifier: &str, password: &str) -> TestResponse {
        self.post(
            "/api/auths/signup/",
            serde_json::json!({"identifier": identifier, "password": password}),
        )
        .await
    }

    /// Signs up, reads the code from the emulator, verifies. Returns the user.
    pub async fn verified_user(&self, identifier: &str, password: &str) -> Value {
        let res = self.signup(identifier, password).await;
        assert_eq!(res.status, 201, "{}", res.raw);
        let otp = latest_otp(identifier).await.expect("an OTP was sent");
        let res = self
            .post(
                "/api/auths/verify/",
                serde_json::json!({"identifier": identifier, "otp": otp}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.raw);
        res.body["user"].clone()
    }

    /// A verified customer written straight to the store, with no code ever sent to it (so no
    /// code cooldown either): for tests of what comes after the signup code's cooldown.
    pub async fn customer_without_code(&self, identifier: &str, password: &str) {
        use shared::accounts::model::{Account, Identifier, Password, PasswordHasher, Role};
        let hash = PasswordHasher::new()
            .hash(Password::parse(password.into()).expect("a valid password"))
            .await
            .expect("hash");
        let identifier = Identifier::parse(identifier, "234").expect("a valid identifier");
        let mut account = Account::new(
            &identifier,
            hash,
            Role::Customer,
            true,
            shared::platform::clock::now_rfc3339(),
        );
        let created = self
            .app
            .accounts
            .store()
            .create_account_retrying(&mut account, None, None)
            .await
            .expect("create account");
        assert_eq!(created, shared::accounts::store::CreateOutcome::Created);
    }

    /// A verified admin made the way the operator command makes one; returns an access token.
    pub async fn admin_token(&self) -> String {
        let email = unique_email();
        ops::create_admin(self.app.db(), &email, "admin password".into())
            .await
            .expect("create admin");
        self.login(&email, "admin password").await["access"]
            .as_str()
            .expect("access token")
            .to_owned()
    }

    /// A dish made through the admin API in a category of its own, priced `price` kobo, with
    /// `extra` fields (e.g. `{"stock": 5}`); returns its id.
    pub async fn admin_dish(&self, admin: &str, name: &str, price: i64, extra: Value) -> String {
        let res = self
            .call(
                Method::POST,
                "/api/foods/admin/categories/",
                Some(admin),
                Some(serde_json::json!({"name": format!("Cat {}", ulid::Ulid::new())})),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.raw);
        let category = res.body["category"]["id"].as_str().expect("category id").to_owned();
        let mut body = serde_json::json!({"name": name, "price": price, "category_id": category});
        for (k, v) in extra.as_object().into_iter().flatten() {
            body[k] = v.clone();
        }
        let res = self
            .call(Method::POST, "/api/foods/admin/items/", Some(admin), Some(body))
            .await;
        assert_eq!(res.status, 201, "{}", res.raw);
        res.body["food"]["id"].as_str().expect("food id").to_owned()
    }

    /// An active kitchen called `name`, applied for by a new customer and approved by `admin`:
    /// its owner's access token and its slug.
    pub async fn active_kitchen(&self, admin: &str, name: &str) -> (String, String) {
        let owner = self.customer_token().await;
        let slug = format!("k-{}", ulid::Ulid::new().to_string().to_lowercase());
        let res = self
            .call(
                Method::POST,
                "/api/kitchens/",
                Some(&owner),
                Some(serde_json::json!({"name": name, "slug": slug, "phone": "08031234567", "address": "5 Adeola Odeku"})),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.raw);
        let res = self
            .call(
                Method::POST,
                &format!("/api/kitchens/admin/{slug}/status/"),
                Some(admin),
                Some(serde_json::json!({"status": "active"})),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.raw);
        (owner, slug)
    }

    /// The notifier over this app's table, sending through moto, the home kitchen known (no
    /// `KITCHEN_EMAIL`).
    pub async fn notifier(&self) -> shared::notifications::NotificationService {
        let sdk = sdk().await;
        let outbox = shared::platform::outbox::AwsOutbox::new(
            shared::aws::sesv2(&sdk, Some(&stack().moto)),
            shared::aws::sns(&sdk, Some(&stack().moto)),
            SENDER.to_owned(),
            None,
        );
        let db = self.app.db().clone();
        shared::notifications::NotificationService::new(
            shared::notifications::store::NotificationStore::new(db.clone()),
            shared::accounts::store::AccountStore::new(db),
            std::sync::Arc::new(outbox),
            None,
        )
        .with_home(self.app.config.home_kitchen.clone())
    }

    /// The kitchen's changes to the home kitchen's order `id`, each as `PATCH
    /// /api/orders/admin/{id}/<path>/` with its body, each answered 200.
    pub async fn kitchen_moves(&self, admin: &str, id: &str, moves: &[(&str, Value)]) {
        for (path, body) in moves {
            let res = self
                .call(
                    Method::PATCH,
                    &format!("/api/orders/admin/{id}/{path}/"),
                    Some(admin),
                    Some(body.clone()),
                )
                .await;
            assert_eq!(res.status, 200, "{path}: {}", res.raw);
        }
    }

    /// A verified customer; returns an access token.
    pub async fn customer_token(&self) -> String {
        let email = unique_email();
        self.verified_user(&email, "customer password").await;
        self.login(&email, "customer password").await["access"]
            .as_str()
            .expect("access token")
            .to_owned()
    }

    /// Logs in and returns the body (tokens and user).
    pub async fn login(&self, identifier: &str, password: &str) -> Value {
        let res = self
            .post(
                "/api/auths/login/",
                serde_json::json!({"identifier": identifier, "password": password}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.raw);
        res.body
    }
}

async fn ensure_sender_identity(ses: &shared::aws::aws_sdk_sesv2::Client) {
    static DONE: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    DONE.get_or_init(|| async {
        let res = ses.create_email_identity().email_identity(SENDER).send().await;
        if let Err(err) = res {
            let exists = err.as_service_error().is_some_and(|e| e.is_already_exists_exception());
            assert!(exists, "could not register the sender with the emulator: {err:?}");
        }
    })
    .await;
}

/// A unique email address for one test.
pub fn unique_email() -> String {
    format!("user-{}@example.com", ulid::Ulid::new().to_string().to_lowercase())
}

/// A unique Nigerian mobile number in national format (`080........`).
pub fn unique_phone() -> String {
    let n = ulid::Ulid::new().random() % 100_000_000;
    format!("080{n:08}")
}

/// Every message body the emulator delivered to `identifier` (email, or phone in E.164 or
/// national format), oldest first.
pub async fn messages_to(identifier: &str) -> Vec<String> {
    let data: Value = reqwest::get(format!("{}/moto-api/data.json", stack().moto))
        .await
        .expect("moto reachable")
        .json()
        .await
        .expect("moto data is JSON");
    let who = identifier.trim().to_lowercase();
    let phone = shared::accounts::model::Phone::parse(&who, "234")
        .ok()
        .map(|p| p.as_str().to_owned());
    let mut out = Vec::new();
    for msg in data["ses"]["Message"].as_array().into_iter().flatten() {
        let to = msg["destinations"]["ToAddresses"].as_array().into_iter().flatten();
        if to.filter_map(Value::as_str).any(|a| a.eq_ignore_ascii_case(&who)) {
            out.push(msg["body"].as_str().unwrap_or_default().to_owned());
        }
    }
    for sms in data["sns"]["SMS"].as_array().into_iter().flatten() {
        if phone.as_deref().is_some_and(|p| sms["phone_number"] == p) {
            out.push(sms["message"].as_str().unwrap_or_default().to_owned());
        }
    }
    out
}

/// The code in the newest message sent to `identifier`.
pub async fn latest_otp(identifier: &str) -> Option<String> {
    let re = regex_lite::Regex::new(r"\b(\d{6})\b").expect("regex");
    let messages = messages_to(identifier).await;
    let last = messages.last()?;
    re.captures(last).map(|c| c[1].to_owned())
}

/// Waits out a 1 s code cooldown (`OTP_RESEND_COOLDOWN_SECONDS=1`; verifying does not lift it).
pub async fn past_the_code_cooldown() {
    past_a_cooldown_of(1).await;
}

/// Waits out a code cooldown of `seconds` (a test that asserts the cooldown's 429 takes a few
/// seconds, so a slow machine does not see it end before the assertion).
pub async fn past_a_cooldown_of(seconds: u64) {
    tokio::time::sleep(std::time::Duration::from_millis(seconds * 1000 + 100)).await;
}
