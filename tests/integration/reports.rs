//! Sales reports kept from the change stream: orders placed, paid, completed and cancelled
//! through the API, the stream fed to the notifier (twice: each record counts once), then the
//! kitchen's report (JSON and CSV) and the platform's against the sums of the orders themselves.

use api_tests::{TestApp, sdk, stack};
use http::Method;
use serde_json::{Value, json};

async fn feed_the_stream_to_the_notifier(t: &TestApp) {
    let sdk = sdk().await;
    let service = t.notifier().await;
    let db = t.app.db().clone();
    let mut stream = notifier::local::LocalStream::of(&sdk, Some(&stack().dynamodb), db);
    // From the stream's start: everything so far, however often this runs.
    for _ in 0..4 {
        stream
            .poll_once(&async |batch| notifier::handle(&service, batch).await)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn a_kitchens_report_sums_its_orders_by_day_once_per_change_as_json_and_csv() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let customer = t.customer_token().await;
    let jollof = t.admin_dish(&admin, "Jollof", 250_000, json!({})).await;
    let moimoi = t.admin_dish(&admin, "Moi Moi", 100_000, json!({})).await;
    let order = |lines: Value| {
        let (t, customer) = (&t, customer.clone());
        async move {
            let res = t
                .call(
                    Method::POST,
                    "/api/orders/",
                    Some(&customer),
                    Some(json!({"items": lines, "fulfilment": "pickup"})),
                )
                .await;
            assert_eq!(res.status, 201, "{}", res.raw);
            res.body["order"]["id"].as_str().unwrap().to_owned()
        }
    };
    // Completed and paid in cash: 2 x Jollof.
    let done = order(json!([{"food_item_id": jollof, "quantity": 2}])).await;
    let paid = ("payment-status", json!({"payment_status": "paid"}));
    let status = |s: &str| ("status", json!({ "status": s }));
    t.kitchen_moves(
        &admin,
        &done,
        &[
            paid.clone(),
            status("confirmed"),
            status("preparing"),
            status("ready_for_pickup"),
            status("completed"),
        ],
    )
    .await;
    // Cancelled by the kitchen: counts as an order, nowhere else.
    let gone = order(json!([{"food_item_id": moimoi, "quantity": 1}])).await;
    t.kitchen_moves(&admin, &gone, &[status("cancelled")]).await;
    // Paid, not completed yet: in gross and paid, not in the top dishes.
    let open = order(json!([{"food_item_id": jollof, "quantity": 1}, {"food_item_id": moimoi, "quantity": 1}])).await;
    t.kitchen_moves(&admin, &open, &[paid]).await;

    feed_the_stream_to_the_notifier(&t).await;
    let home = t.app.home_kitchen_slug().to_owned();
    let path = format!("/api/kitchens/{home}/manage/reports/sales/");
    let first = t.get(&path, &admin).await;
    assert_eq!(first.status, 200, "{}", first.raw);
    // The whole stream once more: nothing counts twice.
    feed_the_stream_to_the_notifier(&t).await;
    let report = t.get(&path, &admin).await;
    assert_eq!(report.body, first.body);
    let body = &report.body;
    let days = body["days"].as_array().unwrap();
    assert_eq!(days.len(), 30, "the 30 days ending today");
    assert!(
        days.windows(2).all(|w| w[0]["date"].as_str() < w[1]["date"].as_str()),
        "in date order"
    );
    assert_eq!(body["to"], days[29]["date"]);
    let today = &days[29];
    let expected = json!({
        "date": today["date"], "orders": 3, "completed": 1, "cancelled": 1,
        "gross": 850_000, "discounts": 0, "delivery_fees": 0, "paid": 850_000,
        "average_order_value": 425_000,
    });
    assert_eq!(*today, expected);
    assert!(days[..29].iter().all(|d| d["orders"] == 0 && d["gross"] == 0));
    assert_eq!(body["totals"]["gross"], 850_000);
    assert_eq!(body["totals"]["orders"], 3);
    assert_eq!(
        body["by_payment_method"],
        json!({"paystack": 0, "cash": 850_000, "wallet": 0})
    );
    assert_eq!(
        body["top_dishes"],
        json!([{"food_item_id": jollof, "name": "Jollof", "quantity": 2, "revenue": 500_000}])
    );
    assert_eq!(body["currency"], "NGN");

    // CSV: the days' field names, then a line per day, kobo.
    let csv = t.get(&format!("{path}?format=csv"), &admin).await;
    assert_eq!(csv.status, 200);
    let lines: Vec<&str> = csv.raw.lines().collect();
    assert_eq!(
        lines[0],
        "date,orders,completed,cancelled,gross,discounts,delivery_fees,paid,average_order_value"
    );
    assert_eq!(lines.len(), 31);
    assert_eq!(
        lines[30],
        format!("{},3,1,1,850000,0,0,850000,425000", today["date"].as_str().unwrap())
    );

    // A range of its own; bad ranges name their field.
    let date = today["date"].as_str().unwrap();
    let one = t.get(&format!("{path}?from={date}&to={date}"), &admin).await;
    assert_eq!(one.body["days"].as_array().map(Vec::len), Some(1));
    for (query, field) in [
        ("from=2026-13-01", "from"),
        ("to=03-12-2026", "to"),
        ("from=2026-12-05&to=2026-12-01", "from"),
        ("from=2026-01-01&to=2026-06-30", "to"),
        ("format=xml", "format"),
    ] {
        let res = t.get(&format!("{path}?{query}"), &admin).await;
        assert_eq!(res.status, 400, "{query}: {}", res.raw);
        assert!(res.body["error"]["fields"][field].is_string(), "{query}: {}", res.raw);
    }
    // A 31-day report is read in at most 2 round trips (the kitchen's zone, then its days and
    // dishes side by side), never a scan.
    let kitchen = t.home_kitchen().await;
    let fresh = shared::reports::ReportService::new(t.app.db().clone());
    let (read, usage) =
        shared::platform::db::measure(fresh.kitchen(&kitchen, Some("2026-11-03"), Some("2026-12-03"))).await;
    assert_eq!(read.expect("report").days.len(), 31);
    assert_eq!((usage.calls, usage.round_trips), (3, 2), "{usage:?}");
    let (_, cached) =
        shared::platform::db::measure(fresh.kitchen(&kitchen, Some("2026-11-03"), Some("2026-12-03"))).await;
    assert_eq!(
        (cached.calls, cached.round_trips),
        (2, 1),
        "the zone is remembered: {cached:?}"
    );
    eprintln!("# a 31-day report: {usage:?} first, {cached:?} after");

    // Customers see no kitchen's figures; the platform admin sees every kitchen's.
    assert_eq!(t.get(&path, &customer).await.status, 403);
    let platform = t.get("/api/kitchens/admin/reports/sales/", &admin).await;
    assert_eq!(platform.status, 200, "{}", platform.raw);
    assert_eq!(platform.body["totals"]["gross"], 850_000);
    assert_eq!(platform.body["kitchens"][0]["slug"], home);
    assert_eq!(platform.body["kitchens"][0]["totals"]["paid"], 850_000);
    assert_eq!(t.get("/api/kitchens/admin/reports/sales/", &customer).await.status, 403);
}

#[tokio::test]
async fn the_operator_checks_a_kitchens_report_against_its_orders_and_rebuilds_it_idempotently() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let customer = t.customer_token().await;
    let suya = t.admin_dish(&admin, "Suya", 150_000, json!({})).await;
    let place = async |quantity: i64| {
        let res = t
            .call(
                Method::POST,
                "/api/orders/",
                Some(&customer),
                Some(json!({"items": [{"food_item_id": suya, "quantity": quantity}], "fulfilment": "pickup"})),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.raw);
        res.body["order"]["id"].as_str().unwrap().to_owned()
    };
    let status = |s: &str| ("status", json!({ "status": s }));
    let done = place(3).await;
    t.kitchen_moves(
        &admin,
        &done,
        &[
            ("payment-status", json!({"payment_status": "paid"})),
            status("confirmed"),
            status("preparing"),
            status("ready_for_pickup"),
            status("completed"),
        ],
    )
    .await;
    let gone = place(1).await;
    t.kitchen_moves(&admin, &gone, &[status("cancelled")]).await;

    // A table from before reports: the orders are there, nothing was counted.
    let db = t.app.db().clone();
    let home = t.app.home_kitchen_slug().to_owned();
    let checked = ops::check_reports(&db, Some(&home)).await.unwrap();
    assert_eq!(checked.len(), 1);
    assert!(!checked[0].1.is_empty(), "an empty report differs from its orders");

    // Rebuilt from the orders: the check passes and the report says what the orders say.
    let rebuilt = ops::rebuild_reports(&db, Some(&home)).await.unwrap();
    assert!(rebuilt[0].1 > 0, "{rebuilt:?}");
    assert!(ops::check_reports(&db, Some(&home)).await.unwrap()[0].1.is_empty());
    let path = format!("/api/kitchens/{home}/manage/reports/sales/");
    let report = t.get(&path, &admin).await;
    assert_eq!(report.status, 200, "{}", report.raw);
    let totals = &report.body["totals"];
    assert_eq!(
        (
            &totals["orders"],
            &totals["completed"],
            &totals["cancelled"],
            &totals["gross"],
            &totals["paid"]
        ),
        (&json!(2), &json!(1), &json!(1), &json!(450_000), &json!(450_000)),
        "{}",
        report.raw
    );
    assert_eq!(
        report.body["top_dishes"],
        json!([{"food_item_id": suya, "name": "Suya", "quantity": 3, "revenue": 450_000}])
    );
    let platform = t.get("/api/kitchens/admin/reports/sales/", &admin).await;
    assert_eq!(platform.body["totals"]["gross"], 450_000, "{}", platform.raw);

    // Run again: the same writes, the same report.
    let again = ops::rebuild_reports(&db, Some(&home)).await.unwrap();
    assert_eq!(again, rebuilt);
    assert_eq!(t.get(&path, &admin).await.body, report.body);

    // After a fault: a day counted that has no orders is found, and the rebuild removes it.
    let slug = shared::kitchens::model::Slug::parse(&home).unwrap();
    let kitchen = shared::kitchens::store::KitchenStore::new(db.clone())
        .id_of(&slug)
        .await
        .unwrap()
        .unwrap();
    let stray: shared::platform::db::Item = [
        ("PK", shared::platform::db::s(format!("KITCHEN#{kitchen}#SALES"))),
        ("SK", shared::platform::db::s("DAY#2020-01-01")),
        ("orders", shared::platform::db::n(5)),
        ("gross", shared::platform::db::n(1_000_000)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    db.put(stray, "PutItem stray day").await.unwrap();
    let found = &ops::check_reports(&db, Some(&home)).await.unwrap()[0].1;
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("2020-01-01: kept"), "{found:?}");
    ops::rebuild_reports(&db, Some(&home)).await.unwrap();
    assert!(ops::check_reports(&db, Some(&home)).await.unwrap()[0].1.is_empty());
}
