//! The notifier against DynamoDB Local and moto, fed the recorded stream events in
//! `events/notifier-stream-*.json`: who hears of what, once per stream record even when the stream redelivers,
//! and a failing send reported as the batch's failure and retried alone.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use api_tests::{SENDER, TestApp, messages_to, sdk, stack, unique_email, unique_phone};
use aws_lambda_events::event::dynamodb::Event;
use shared::accounts::model::{Account, Email, Identifier, Phone, Role};
use shared::accounts::store::AccountStore;
use shared::notifications::NotificationService;
use shared::notifications::store::NotificationStore;
use shared::platform::outbox::{AwsOutbox, Outbox};

/// The customer and kitchen of the recorded events.
const RECORDED_CUSTOMER: &str = "01JDSTREAMEVENTCUSTOMER001";

/// Sends through moto, or refuses every send while `failing` is set.
struct Switchable {
    inner: AwsOutbox,
    failing: AtomicBool,
}

#[async_trait::async_trait]
impl Outbox for Switchable {
    async fn email(&self, to: &str, subject: &str, text: &str, html: Option<&str>) -> anyhow::Result<()> {
        if self.failing.load(Ordering::SeqCst) {
            anyhow::bail!("SES SendEmail failed: throttled (test)");
        }
        self.inner.email(to, subject, text, html).await
    }

    async fn sms(&self, to: &str, text: &str) -> anyhow::Result<()> {
        if self.failing.load(Ordering::SeqCst) {
            anyhow::bail!("SNS Publish failed: throttled (test)");
        }
        self.inner.sms(to, text).await
    }
}

struct Notifier {
    service: NotificationService,
    outbox: Arc<Switchable>,
    kitchen: String,
}

async fn notifier(t: &TestApp) -> Notifier {
    let sdk = sdk().await;
    let outbox = Arc::new(Switchable {
        inner: AwsOutbox::new(
            shared::aws::sesv2(&sdk, Some(&stack().moto)),
            shared::aws::sns(&sdk, Some(&stack().moto)),
            SENDER.to_owned(),
            None,
        ),
        failing: AtomicBool::new(false),
    });
    let kitchen = unique_email();
    let db = t.app.db().clone();
    let service = NotificationService::new(
        NotificationStore::new(db.clone()),
        AccountStore::new(db),
        outbox.clone(),
        Some(kitchen.clone()),
    )
    .with_home(t.app.config.home_kitchen.clone());
    Notifier {
        service,
        outbox,
        kitchen,
    }
}

/// A verified customer account with the recorded events' user id, reached at `identifier`.
async fn recorded_customer(t: &TestApp, identifier: Identifier) {
    let mut account = Account::new(&identifier, "not-a-real-hash".into(), Role::Customer, true, "t".into());
    account.id = RECORDED_CUSTOMER.to_owned();
    AccountStore::new(t.app.db().clone())
        .create_account_retrying(&mut account, None, None)
        .await
        .unwrap();
}

/// A recorded stream event from `events/notifier-stream-<name>.json`, with its ids made unique to this test.
fn recorded(name: &str, tag: &str) -> Event {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../events/notifier-stream-{name}.json"));
    let raw = std::fs::read_to_string(&path).unwrap();
    serde_json::from_str(&raw.replace("a1b2c3d4e5f6", tag)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Hands `event` to the notifier as Lambda would; it must report no failure.
async fn delivered(n: &Notifier, event: &Event) {
    let res = notifier::handle(&n.service, event).await;
    assert!(res.batch_item_failures.is_empty(), "{:?}", res.batch_item_failures);
}

fn batch(events: &[Event]) -> Event {
    let mut all = events[0].clone();
    all.records = events.iter().flat_map(|e| e.records.clone()).collect();
    all
}

#[tokio::test]
async fn recorded_changes_tell_the_kitchen_and_the_customer_once_even_when_redelivered() {
    let t = TestApp::new().await;
    let n = notifier(&t).await;
    let customer = unique_email();
    recorded_customer(&t, Identifier::Email(Email::parse(&customer).unwrap())).await;
    let tag = &ulid::Ulid::new().to_string()[..12];

    let placed = recorded("order-placed", tag);
    delivered(&n, &placed).await;
    let kitchen = messages_to(&n.kitchen).await;
    assert_eq!(kitchen.len(), 1, "{kitchen:?}");
    assert!(kitchen[0].contains("New order #000001"), "{}", kitchen[0]);
    assert!(
        kitchen[0].contains("2 x Jollof Rice, 1 x Moi Moi (pickup, ₦5,800)"),
        "{}",
        kitchen[0]
    );

    // The stream delivers the same record again: nothing more is sent.
    delivered(&n, &placed).await;
    assert_eq!(messages_to(&n.kitchen).await.len(), 1);

    let confirmed = recorded("order-confirmed", tag);
    delivered(&n, &confirmed).await;
    let to_customer = messages_to(&customer).await;
    assert_eq!(to_customer.len(), 1, "{to_customer:?}");
    assert!(
        to_customer[0].contains("order #000001 is confirmed"),
        "{}",
        to_customer[0]
    );
    assert_eq!(messages_to(&n.kitchen).await.len(), 1, "the kitchen made that change");

    let sold_out = recorded("dish-sold-out", tag);
    delivered(&n, &sold_out).await;
    let kitchen = messages_to(&n.kitchen).await;
    assert_eq!(kitchen.len(), 2);
    assert!(kitchen[1].contains("Moi Moi is sold out"), "{}", kitchen[1]);

    let expired = recorded("session-expired", tag);
    delivered(&n, &expired).await;
    assert_eq!(messages_to(&n.kitchen).await.len(), 2, "a removal tells nobody");
}

#[tokio::test]
async fn a_phone_customer_hears_by_sms() {
    let t = TestApp::new().await;
    let n = notifier(&t).await;
    let phone = unique_phone();
    recorded_customer(&t, Identifier::Phone(Phone::parse(&phone, "234").unwrap())).await;
    let tag = &ulid::Ulid::new().to_string()[..12];
    let confirmed = recorded("order-confirmed", tag);
    delivered(&n, &confirmed).await;
    let sms = messages_to(&phone).await;
    assert_eq!(sms.len(), 1, "{sms:?}");
    assert!(
        sms[0].starts_with("Chuks Kitchen: your order #000001 is confirmed"),
        "{}",
        sms[0]
    );
}

#[tokio::test]
async fn a_failing_send_fails_its_record_and_the_retry_sends_only_what_was_not_sent() {
    let t = TestApp::new().await;
    let n = notifier(&t).await;
    let customer = unique_email();
    recorded_customer(&t, Identifier::Email(Email::parse(&customer).unwrap())).await;
    let tag = &ulid::Ulid::new().to_string()[..12];
    let placed = recorded("order-placed", tag);
    let confirmed = recorded("order-confirmed", tag);

    delivered(&n, &placed).await;
    // SES refuses while the next batch (the placement again, then the confirmation) goes through.
    n.outbox.failing.store(true, Ordering::SeqCst);
    let both = batch(&[placed.clone(), confirmed.clone()]);
    let res = notifier::handle(&n.service, &both).await;
    assert_eq!(res.batch_item_failures.len(), 1);
    assert_eq!(
        res.batch_item_failures[0].item_identifier, confirmed.records[0].change.sequence_number,
        "the first record that failed: the stream retries from it"
    );
    assert!(messages_to(&customer).await.is_empty());

    // The stream retries from the failed record once SES takes mail again.
    n.outbox.failing.store(false, Ordering::SeqCst);
    let event_id = confirmed.records[0].event_id.clone();
    delivered(&n, &batch(&[confirmed])).await;
    assert_eq!(messages_to(&customer).await.len(), 1);
    assert_eq!(messages_to(&n.kitchen).await.len(), 1, "the placement was told once");
    // A send that failed gave its claim back: the retry's send is no resend of a cut-off one.
    let store = NotificationStore::new(t.app.db().clone());
    assert_eq!(
        store.claim(&event_id, "customer:confirmed").await.unwrap(),
        shared::notifications::store::Claim::Sent
    );
    assert!(!store.resent(&event_id, "customer:confirmed").await.unwrap());
}

/// A customer (by email) whose order's placement the notifier has handled, and the order's
/// confirmation not handled yet.
async fn placed_then_confirmed(t: &TestApp, n: &Notifier) -> (String, Event) {
    let customer = unique_email();
    recorded_customer(t, Identifier::Email(Email::parse(&customer).unwrap())).await;
    let tag = &ulid::Ulid::new().to_string()[..12];
    delivered(n, &recorded("order-placed", tag)).await;
    (customer, recorded("order-confirmed", tag))
}

#[tokio::test]
async fn a_message_claimed_by_a_notifier_killed_before_it_was_sent_goes_out_on_the_redelivery() {
    let t = TestApp::new().await;
    let n = notifier(&t).await;
    let (customer, confirmed) = placed_then_confirmed(&t, &n).await;

    // A notifier claimed the confirmation's message and was killed before sending it (the
    // faults scenario's kill -9 mid-batch): the marker says "sending", nothing went out.
    let store = NotificationStore::new(t.app.db().clone());
    let event_id = &confirmed.records[0].event_id;
    let message = "customer:confirmed";
    assert_eq!(
        store.claim(event_id, message).await.unwrap(),
        shared::notifications::store::Claim::Mine
    );
    assert!(messages_to(&customer).await.is_empty());

    // The stream delivers the record again to the restarted notifier: the message goes out.
    delivered(&n, &confirmed).await;
    assert_eq!(
        messages_to(&customer).await.len(),
        1,
        "sent once the claim is found unfinished"
    );
    // And once it is marked sent, a further delivery sends nothing.
    delivered(&n, &confirmed).await;
    assert_eq!(messages_to(&customer).await.len(), 1);
    assert_eq!(
        store.claim(event_id, message).await.unwrap(),
        shared::notifications::store::Claim::Sent
    );
    // Its marker says it went out after a cut-off delivery (a copy may have gone out twice, had
    // the kill fallen after the send), so an audit tells it from a duplicate nothing explains.
    assert!(store.resent(event_id, message).await.unwrap());
}

#[tokio::test]
async fn an_email_service_back_within_the_patience_costs_the_batch_a_wait_not_a_retry() {
    let t = TestApp::new().await;
    let n = notifier(&t).await;
    let service = n.service.clone().with_patience(std::time::Duration::from_secs(8));
    let (customer, confirmed) = placed_then_confirmed(&t, &n).await;

    n.outbox.failing.store(true, Ordering::SeqCst);
    let outbox = n.outbox.clone();
    let back = tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        outbox.failing.store(false, Ordering::SeqCst);
    });
    let res = notifier::handle(&service, &confirmed).await;
    back.await.unwrap();
    assert!(res.batch_item_failures.is_empty(), "{:?}", res.batch_item_failures);
    assert_eq!(messages_to(&customer).await.len(), 1);
}

/// Reads the local stream until `done` holds (or 20 s pass).
async fn drain_until(
    stream: &mut notifier::local::LocalStream,
    service: &NotificationService,
    mut done: impl AsyncFnMut() -> bool,
) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        stream
            .poll_once(&async |batch| notifier::handle(service, batch).await)
            .await
            .unwrap();
        if done().await {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the stream did not deliver in time"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

async fn local_stream(t: &TestApp) -> notifier::local::LocalStream {
    let sdk = sdk().await;
    notifier::local::LocalStream::of(&sdk, Some(&stack().dynamodb), t.app.db().clone())
}

/// The partition keys a stream hands over until one of them is `last` (or 20 s pass).
async fn keys_until(stream: &mut notifier::local::LocalStream, last: &str) -> Vec<String> {
    let seen = std::cell::RefCell::new(Vec::new());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !seen.borrow().iter().any(|k| k == last) {
        assert!(std::time::Instant::now() < deadline, "{last} did not come");
        stream
            .poll_once(&async |batch: &Event| {
                seen.borrow_mut().extend(
                    batch
                        .records
                        .iter()
                        .filter_map(|r| shared::platform::stream::string_of(&r.change.keys, "PK"))
                        .map(str::to_owned),
                );
                Default::default()
            })
            .await
            .unwrap();
    }
    seen.into_inner()
}

#[tokio::test]
async fn a_local_stream_started_again_goes_on_after_the_last_batch_it_finished() {
    use shared::platform::db::{PK, SK, s};
    let t = TestApp::new().await;
    let db = t.app.db().clone();
    let put = |pk: &'static str| {
        let db = db.clone();
        async move {
            let item = [(PK.to_owned(), s(pk)), (SK.to_owned(), s("x"))].into_iter().collect();
            db.put(item, "PutItem test").await.unwrap();
        }
    };
    let file = std::env::temp_dir().join(format!("stream-{}.json", ulid::Ulid::new()));
    put("TEST#first").await;
    let mut before = local_stream(&t).await.checkpointed(&file);
    assert!(
        keys_until(&mut before, "TEST#first")
            .await
            .contains(&"TEST#first".to_owned())
    );
    drop(before);

    // Killed and started again: it goes on after what it finished.
    put("TEST#second").await;
    let mut again = local_stream(&t).await.checkpointed(&file);
    let seen = keys_until(&mut again, "TEST#second").await;
    assert!(!seen.contains(&"TEST#first".to_owned()), "{seen:?}");
    // Without a checkpoint a reader starts from the stream's oldest record.
    let seen = keys_until(&mut local_stream(&t).await, "TEST#second").await;
    assert!(seen.contains(&"TEST#first".to_owned()), "{seen:?}");
    let _ = std::fs::remove_file(&file);
}

async fn about_orders(identifier: &str) -> Vec<String> {
    messages_to(identifier)
        .await
        .into_iter()
        .filter(|m| !m.contains("verification code"))
        .collect()
}

#[tokio::test]
async fn changes_made_through_the_api_reach_everyone_through_the_local_stream_exactly_once() {
    use http::Method;
    use serde_json::json;
    let t = TestApp::new().await;
    let n = notifier(&t).await;
    let admin = t.admin_token().await;
    let email = unique_email();
    t.verified_user(&email, "customer password").await;
    let customer = t.login(&email, "customer password").await["access"]
        .as_str()
        .unwrap()
        .to_owned();
    let dish = t
        .admin_dish(&admin, "Asun", 300_000, json!({"stock": 3, "low_stock_threshold": 2}))
        .await;
    let order = |quantity: i64| {
        let t = &t;
        let customer = customer.clone();
        let dish = dish.clone();
        async move {
            let res = t
                .call(
                    Method::POST,
                    "/api/orders/",
                    Some(&customer),
                    Some(json!({"items": [{"food_item_id": dish, "quantity": quantity}], "fulfilment": "pickup"})),
                )
                .await;
            assert_eq!(res.status, 201, "{}", res.raw);
            res.body["order"]["id"].as_str().unwrap().to_owned()
        }
    };
    // One portion: 2 left, the threshold.
    let first = order(1).await;
    // Paid and confirmed; ready, then collected.
    let status = |s: &str| ("status", json!({ "status": s }));
    t.kitchen_moves(
        &admin,
        &first,
        &[
            ("payment-status", json!({"payment_status": "paid"})),
            status("confirmed"),
            status("preparing"),
            status("ready_for_pickup"),
            status("completed"),
        ],
    )
    .await;
    // The last two: sold out. The kitchen cancels that order (which gives them back).
    let second = order(2).await;
    let res = t
        .call(
            Method::PATCH,
            &format!("/api/orders/admin/{second}/status/"),
            Some(&admin),
            Some(json!({"status": "cancelled"})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.raw);
    // A charge that did not match its order, as the webhook records it.
    let reference = shared::payments::model::Reference::new(&first);
    let charge = shared::payments::model::Charge {
        reference: reference.clone(),
        transaction_id: 9,
        amount: 1_000,
        currency: "NGN".into(),
        channel: "card".into(),
    };
    let stored = t.app.orders.store().order(&first).await.unwrap().unwrap();
    let anomaly = shared::payments::model::PaymentAnomaly::of(&stored, &charge, "amount", "t".into());
    shared::payments::store::PaymentStore::new(t.app.db().clone())
        .record_anomaly(&anomaly, &charge)
        .await
        .unwrap();

    let mut stream = local_stream(&t).await;
    let kitchen = n.kitchen.clone();
    drain_until(&mut stream, &n.service, async || messages_to(&kitchen).await.len() >= 6).await;
    let told = messages_to(&kitchen).await;
    let count = |needle: &str| told.iter().filter(|m| m.contains(needle)).count();
    let short = &first[first.len() - 6..];
    assert_eq!(count("New order #"), 2, "{told:?}");
    assert_eq!(
        count(&format!("New order #{short}: 1 x Asun (pickup, ₦3,000)")),
        1,
        "{told:?}"
    );
    assert_eq!(
        count(&format!(
            "payment received for order #{short} (1 x Asun): ₦3,000, paid at the counter"
        )),
        1,
        "{told:?}"
    );
    assert_eq!(count("Asun is running low: 2 left"), 1, "{told:?}");
    assert_eq!(count("Asun is sold out"), 1, "{told:?}");
    assert_eq!(
        count(&format!("Paystack reports ₦10 paid for order #{short}")),
        1,
        "{told:?}"
    );
    assert_eq!(told.len(), 6, "{told:?}");
    let customer_told = async || about_orders(&email).await.len() >= 5;
    drain_until(&mut stream, &n.service, customer_told).await;
    let to_customer = about_orders(&email).await;
    let said = |needle: String| to_customer.iter().filter(|m| m.contains(&needle)).count();
    assert_eq!(said(format!("order #{short} is confirmed")), 1, "{to_customer:?}");
    assert_eq!(said(format!("order #{short} is ready")), 1, "{to_customer:?}");
    assert_eq!(said(format!("order #{short} is completed")), 1, "{to_customer:?}");
    let second_short = &second[second.len() - 6..];
    assert_eq!(
        said(format!("the kitchen had to cancel your order #{second_short}")),
        1,
        "{to_customer:?}"
    );
    assert_eq!(
        said(format!(
            "payment received for order #{short} (1 x Asun): ₦3,000, paid at the counter"
        )),
        1,
        "the customer's receipt: {to_customer:?}"
    );
    assert_eq!(to_customer.len(), 5, "{to_customer:?}");

    // The whole stream delivered again (a new reader from its start): nothing is sent twice.
    let mut again = local_stream(&t).await;
    for _ in 0..5 {
        again
            .poll_once(&async |batch| notifier::handle(&n.service, batch).await)
            .await
            .unwrap();
    }
    assert_eq!(messages_to(&kitchen).await.len(), 6);
    assert_eq!(about_orders(&email).await.len(), 5);

    // The kitchen's alerts: the dish low and sold out (separately), the anomaly; once each,
    // though the stream came twice.
    let home = t.app.home_kitchen_slug().to_owned();
    let open = alerts(&t, &admin, &home, "open").await;
    let kinds: Vec<(&str, &str)> = open
        .iter()
        .map(|a| {
            let about = a["food_item_id"].as_str().or(a["order_id"].as_str()).unwrap_or("");
            (a["kind"].as_str().unwrap_or(""), about)
        })
        .collect();
    assert_eq!(open.len(), 3, "{open:?}");
    assert!(kinds.contains(&("low_stock", dish.as_str())), "{kinds:?}");
    assert!(kinds.contains(&("sold_out", dish.as_str())), "{kinds:?}");
    assert!(kinds.contains(&("payment_anomaly", first.as_str())), "{kinds:?}");
    assert!(open.iter().all(|a| a["status"] == "open" && a["resolved_at"].is_null()));

    // A restock above the threshold resolves the dish's stock alerts as the system.
    let res = t
        .call(
            Method::POST,
            &format!("/api/foods/admin/items/{dish}/stock/"),
            Some(&admin),
            Some(json!({"add": 8})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.raw);
    drain_until(&mut stream, &n.service, async || {
        alerts(&t, &admin, &home, "resolved").await.len() == 2
    })
    .await;
    let resolved = alerts(&t, &admin, &home, "resolved").await;
    assert!(
        resolved
            .iter()
            .all(|a| a["resolved_by"] == "system" && a["food_item_id"] == dish.as_str()),
        "{resolved:?}"
    );
    let open = alerts(&t, &admin, &home, "open").await;
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0]["kind"], "payment_anomaly");

    // Staff resolve the anomaly; resolving again changes nothing.
    let id = open[0]["id"].as_str().unwrap().to_owned();
    let path = format!("/api/kitchens/{home}/manage/alerts/{id}/resolve/");
    let res = t.call(Method::POST, &path, Some(&admin), None).await;
    assert_eq!(res.status, 200, "{}", res.raw);
    let admin_id = t.get("/api/auths/me/", &admin).await.body["user"]["id"].clone();
    assert_eq!(res.body["alert"]["status"], "resolved");
    assert_eq!(res.body["alert"]["resolved_by"], admin_id);
    let again = t.call(Method::POST, &path, Some(&admin), None).await;
    assert_eq!(again.status, 200, "{}", again.raw);
    assert_eq!(again.body["alert"], res.body["alert"]);
    assert!(alerts(&t, &admin, &home, "open").await.is_empty());

    // The stream once more from its start: nothing resolved comes back, nothing new opens.
    let mut third = local_stream(&t).await;
    for _ in 0..5 {
        third
            .poll_once(&async |batch| notifier::handle(&n.service, batch).await)
            .await
            .unwrap();
    }
    assert!(alerts(&t, &admin, &home, "open").await.is_empty());
    assert_eq!(alerts(&t, &admin, &home, "resolved").await.len(), 3);
}

/// A kitchen's alerts in `status`, as its staff (or the platform admin) list them.
async fn alerts(t: &TestApp, token: &str, slug: &str, status: &str) -> Vec<serde_json::Value> {
    let res = t
        .get(&format!("/api/kitchens/{slug}/manage/alerts/?status={status}"), token)
        .await;
    assert_eq!(res.status, 200, "{}", res.raw);
    res.body["items"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn a_paid_order_cancelled_tells_the_customer_of_the_refund_or_the_kitchen_of_its_failure() {
    use crate::payments::{paid_through_paystack, pending_order, refund_webhook, refund_worker, refuse_refunds_of};
    let t = TestApp::new().await;
    let n = notifier(&t).await;
    let admin = t.admin_token().await;
    // Cancelled, then refunded from the stream (the refund worker) and Paystack's webhook.
    let cancel = async |token: &str, id: &str| {
        let res = t.cancel(token, id).await;
        assert_eq!(res.status, 200, "{}", res.raw);
        assert_eq!(refund_worker(&t, id).await, 0);
    };
    let (customer, refunded) = pending_order(&t, &admin, 100_000).await;
    let reference = paid_through_paystack(&t, &customer, &refunded).await;
    cancel(&customer, &refunded).await;
    assert_eq!(refund_webhook(&t, &reference, "refund.processed").await.status, 200);
    let (other, failed) = pending_order(&t, &admin, 100_000).await;
    let reference = paid_through_paystack(&t, &other, &failed).await;
    refuse_refunds_of(&reference).await;
    cancel(&other, &failed).await;

    let me = t.get("/api/auths/me/", &customer).await.body["user"]["email"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut stream = local_stream(&t).await;
    let kitchen = n.kitchen.clone();
    let refunded_short = refunded[refunded.len() - 6..].to_owned();
    let failed_short = failed[failed.len() - 6..].to_owned();
    drain_until(&mut stream, &n.service, async || {
        let told = messages_to(&kitchen).await;
        told.iter()
            .any(|m| m.contains(&format!("cancelled order #{failed_short}")))
            && about_orders(&me).await.len() >= 2
    })
    .await;
    let to_customer = about_orders(&me).await;
    assert_eq!(to_customer.len(), 2, "a receipt, then the refund: {to_customer:?}");
    assert!(
        to_customer[0].contains(&format!(
            "payment received for order #{refunded_short} (2 x Jollof): ₦2,000, paid online with Paystack"
        )),
        "{}",
        to_customer[0]
    );
    assert!(
        to_customer[1].contains(&format!("₦2,000 for order #{refunded_short} has been refunded")),
        "{}",
        to_customer[1]
    );
    let told = messages_to(&kitchen).await;
    let count = |needle: String| told.iter().filter(|m| m.contains(&needle)).count();
    assert_eq!(
        count(format!(
            "Paystack did not take the refund of ₦2,000 for cancelled order #{failed_short}"
        )),
        1,
        "{told:?}"
    );
    assert_eq!(count("payment received for order".into()), 2, "{told:?}");
    assert_eq!(count("New order #".into()), 2, "{told:?}");
    assert_eq!(told.len(), 5, "{told:?}");
    // The failed refund waits on the kitchen's alerts until someone settles it.
    let open = alerts(&t, &admin, t.app.home_kitchen_slug(), "open").await;
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(
        (open[0]["kind"].as_str(), open[0]["order_id"].as_str()),
        (Some("refund_failed"), Some(failed.as_str()))
    );
}

/// Each kitchen hears of its own orders at its own email; the home kitchen at `KITCHEN_EMAIL`.
#[tokio::test]
async fn a_kitchens_orders_and_stock_reach_its_own_email_and_not_the_home_kitchens() {
    use http::Method;
    use serde_json::json;
    let t = TestApp::new().await;
    let n = notifier(&t).await;
    let admin = t.admin_token().await;
    let owner = t.customer_token().await;
    let slug = format!("k-{}", ulid::Ulid::new().to_string().to_lowercase());
    let own = unique_email();
    let res = t
        .call(
            Method::POST,
            "/api/kitchens/",
            Some(&owner),
            Some(json!({"name": "Suya Spot", "slug": slug, "phone": "08031234567", "address": "VI", "email": own})),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.raw);
    let res = t
        .call(
            Method::POST,
            &format!("/api/kitchens/admin/{slug}/status/"),
            Some(&admin),
            Some(json!({"status": "active"})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.raw);
    let manage = |path: &str, body: serde_json::Value| {
        let (t, owner, url) = (&t, owner.clone(), format!("/api/kitchens/{slug}/manage/foods/{path}"));
        async move { t.call(Method::POST, &url, Some(&owner), Some(body)).await }
    };
    let category = manage("categories/", json!({"name": "Suya"})).await.body["category"]["id"].clone();
    let res = manage(
        "items/",
        json!({"name": "Ram Suya", "price": 350_000, "category_id": category, "stock": 1}),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.raw);
    let dish = res.body["food"]["id"].as_str().unwrap().to_owned();
    let customer = t.customer_token().await;
    let res = t
        .call(
            Method::POST,
            "/api/orders/",
            Some(&customer),
            Some(json!({"items": [{"food_item_id": dish, "quantity": 1}], "fulfilment": "pickup"})),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.raw);
    let short = res.body["order"]["id"].as_str().unwrap();
    let short = short[short.len() - 6..].to_owned();

    let mut stream = local_stream(&t).await;
    drain_until(&mut stream, &n.service, async || {
        let told = messages_to(&own).await;
        told.iter().any(|m| m.contains(&short)) && told.iter().any(|m| m.contains("Ram Suya"))
    })
    .await;
    let home = messages_to(&n.kitchen).await;
    assert!(
        !home.iter().any(|m| m.contains(&short) || m.contains("Ram Suya")),
        "the home kitchen is not told of another kitchen's order or stock: {home:?}"
    );
}

#[tokio::test]
async fn a_customers_notice_lands_in_their_inbox_once_even_when_the_stream_redelivers_it() {
    use http::Method;
    let t = TestApp::new().await;
    let n = notifier(&t).await;
    let customer = unique_email();
    recorded_customer(&t, Identifier::Email(Email::parse(&customer).unwrap())).await;
    let tag = &ulid::Ulid::new().to_string()[..12];
    let page = shared::platform::pagination::PageRequest { limit: 20, start: None };

    // A new order tells only the kitchen: nothing in the inbox.
    delivered(&n, &recorded("order-placed", tag)).await;
    assert_eq!(t.app.inbox.unread(RECORDED_CUSTOMER).await.unwrap(), 0);
    // Confirmed: one notification, however often the record comes.
    let confirmed = recorded("order-confirmed", tag);
    for _ in 0..3 {
        delivered(&n, &confirmed).await;
    }
    let inbox = t.app.inbox.page(RECORDED_CUSTOMER, &page).await.unwrap().items;
    assert_eq!(inbox.len(), 1, "{inbox:?}");
    assert_eq!(inbox[0].kind.as_str(), "order_confirmed");
    assert!(inbox[0].body.contains("is confirmed"), "{}", inbox[0].body);
    assert!(inbox[0].order_id.is_some());
    assert!(!inbox[0].read);
    assert_eq!(t.app.inbox.unread(RECORDED_CUSTOMER).await.unwrap(), 1);

    // Through the API, as the customer: listed, counted, read (another's is not found).
    let email = unique_email();
    t.verified_user(&email, "customer password").await;
    let token = t.login(&email, "customer password").await["access"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = t.get("/api/notifications/unread-count/", &token).await;
    assert_eq!(res.body, serde_json::json!({"unread": 0}), "{}", res.raw);
    let res = t
        .call(
            Method::POST,
            &format!("/api/notifications/{}/read/", inbox[0].id),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(
        (res.status.as_u16(), res.code()),
        (404, "notification_not_found"),
        "{}",
        res.raw
    );
    let read = t.app.inbox.read(RECORDED_CUSTOMER, &inbox[0].id).await.unwrap();
    assert!(read.read);
    assert_eq!(t.app.inbox.unread(RECORDED_CUSTOMER).await.unwrap(), 0);
    t.app.inbox.read(RECORDED_CUSTOMER, &inbox[0].id).await.unwrap();
    assert_eq!(
        t.app.inbox.unread(RECORDED_CUSTOMER).await.unwrap(),
        0,
        "read twice counts once"
    );
}

#[tokio::test]
async fn an_orders_changes_reach_the_customers_inbox_through_the_local_stream_and_read_all_clears_them() {
    use http::Method;
    use serde_json::json;
    let t = TestApp::new().await;
    let n = notifier(&t).await;
    let admin = t.admin_token().await;
    let customer = t.customer_token().await;
    let dish = t.admin_dish(&admin, "Ewa Agoyin", 150_000, json!({})).await;
    let res = t
        .call(
            Method::POST,
            "/api/orders/",
            Some(&customer),
            Some(json!({"items": [{"food_item_id": dish, "quantity": 1}], "fulfilment": "pickup"})),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.raw);
    let id = res.body["order"]["id"].as_str().unwrap().to_owned();
    let mut stream = local_stream(&t).await;
    t.kitchen_moves(
        &admin,
        &id,
        &[
            ("payment-status", json!({"payment_status": "paid"})),
            ("status", json!({"status": "confirmed"})),
            ("status", json!({"status": "preparing"})),
            ("status", json!({"status": "ready_for_pickup"})),
        ],
    )
    .await;
    let unread = async || t.get("/api/notifications/unread-count/", &customer).await.body["unread"] == 3;
    drain_until(&mut stream, &n.service, unread).await;
    let res = t.get("/api/notifications/", &customer).await;
    let kinds: Vec<&str> = res.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["order_ready_for_pickup", "order_confirmed", "payment_received"],
        "newest first: {}",
        res.raw
    );
    assert!(
        res.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["order_id"] == id.as_str() && i["read"] == false && i["kitchen"]["slug"].is_string())
    );
    let res = t
        .call(Method::POST, "/api/notifications/read-all/", Some(&customer), None)
        .await;
    assert_eq!(res.body, json!({"unread": 0}), "{}", res.raw);
    let res = t.get("/api/notifications/", &customer).await;
    assert!(res.body["items"].as_array().unwrap().iter().all(|i| i["read"] == true));
}

#[tokio::test]
async fn a_wallet_deposit_paid_with_another_amount_is_one_alert_for_the_platforms_kitchen_and_no_credit() {
    use crate::payments::{charge_event, sign, webhook};
    use crate::wallet::{balance, deposit};
    let t = TestApp::new().await;
    let n = notifier(&t).await;
    let admin = t.admin_token().await;
    let customer = t.customer_token().await;
    let reference = deposit(&t, &customer, 100_000).await.body["payment"]["reference"]
        .as_str()
        .unwrap()
        .to_owned();
    // Paystack says ₦100 was paid for a ₦1,000 deposit, and says it again.
    let raw = charge_event(&reference, 10_000, "NGN", 81);
    for _ in 0..2 {
        assert_eq!(webhook(&t, &raw, Some(&sign(raw.as_bytes()))).await.status, 200);
    }
    assert_eq!(balance(&t, &customer).await, 0, "not credited");

    let home = t.app.home_kitchen_slug().to_owned();
    let mut stream = local_stream(&t).await;
    drain_until(&mut stream, &n.service, async || {
        !alerts(&t, &admin, &home, "open").await.is_empty()
    })
    .await;
    // The whole stream again: still one alert, one message.
    let mut again = local_stream(&t).await;
    for _ in 0..3 {
        again
            .poll_once(&async |batch| notifier::handle(&n.service, batch).await)
            .await
            .unwrap();
    }
    let open = alerts(&t, &admin, &home, "open").await;
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(
        (&open[0]["kind"], &open[0]["deposit_reference"], &open[0]["order_id"]),
        (
            &serde_json::json!("payment_anomaly"),
            &serde_json::json!(reference),
            &serde_json::Value::Null
        ),
        "{open:?}"
    );
    let told = messages_to(&n.kitchen).await;
    assert_eq!(
        told.iter()
            .filter(|m| m.contains(&format!(
                "Paystack reports ₦100 paid for wallet deposit {reference}, but the deposit was for ₦1,000"
            )))
            .count(),
        1,
        "{told:?}"
    );
    // Resolved by staff, like any alert.
    let id = open[0]["id"].as_str().unwrap();
    let res = t
        .call(
            http::Method::POST,
            &format!("/api/kitchens/{home}/manage/alerts/{id}/resolve/"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(
        (res.status.as_u16(), &res.body["alert"]["status"]),
        (200, &serde_json::json!("resolved")),
        "{}",
        res.raw
    );
}
