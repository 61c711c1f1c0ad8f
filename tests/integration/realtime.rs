//! Live updates through the local WebSocket gateway (the same handler API Gateway invokes, and
//! the management API the notifier posts to): single-use tickets, subscribing to a kitchen's
//! board, frames for the customer and the board within moments of a change, gone connections
//! forgotten.

use std::sync::Arc;
use std::time::Duration;

use api_tests::{TestApp, sdk, stack};
use futures::{SinkExt as _, StreamExt as _};
use http::Method;
use serde_json::{Value, json};
use shared::realtime::model::{Holder, Ticket};
use shared::realtime::store::RealtimeStore;
use tokio_tungstenite::tungstenite::Message;

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The local gateway over the test's table, on a free port: its address.
async fn gateway(t: &TestApp) -> String {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let address = listener.local_addr().unwrap();
    let router = realtime::local::Gateway::new(t.app.clone()).router();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    format!("127.0.0.1:{}", address.port())
}

async fn ticket(t: &TestApp, token: &str) -> String {
    let res = t.call(Method::POST, "/api/realtime/ticket/", Some(token), None).await;
    assert_eq!(res.status, 200, "{}", res.raw);
    assert_eq!(res.body["expires_in"], 60);
    assert_eq!(res.body["url"], "wss://front-door.test/ws");
    res.body["ticket"].as_str().unwrap().to_owned()
}

/// Opens a socket with `ticket` as the front door does (with its `X-Origin-Verify`); the
/// upgrade's refusal status otherwise.
async fn open(gateway: &str, ticket: &str) -> Result<Socket, u16> {
    open_with(gateway, ticket, Some(api_tests::ORIGIN_VERIFY)).await
}

async fn open_with(gateway: &str, ticket: &str, verify: Option<&str>) -> Result<Socket, u16> {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
    let mut request = format!("ws://{gateway}/ws?ticket={ticket}")
        .into_client_request()
        .unwrap();
    if let Some(verify) = verify {
        request.headers_mut().insert("x-origin-verify", verify.parse().unwrap());
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((socket, _)) => Ok(socket),
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => Err(response.status().as_u16()),
        Err(err) => panic!("the gateway did not answer: {err}"),
    }
}

/// The next text frame, as JSON (waits at most 10 s).
async fn frame(socket: &mut Socket) -> Value {
    loop {
        let next = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a frame within 10 s")
            .expect("the socket open")
            .expect("a frame");
        if let Message::Text(text) = next {
            return serde_json::from_str(text.as_str()).expect("JSON frame");
        }
    }
}

/// Frames until one of `kind` about `order` with `status` comes.
async fn frame_about(socket: &mut Socket, kind: &str, order: &str, status: &str) -> Value {
    loop {
        let f = frame(socket).await;
        if f["type"] == kind && f["order"]["id"] == order && f["order"]["status"] == status {
            return f;
        }
    }
}

async fn say(socket: &mut Socket, message: Value) -> Value {
    socket.send(Message::Text(message.to_string().into())).await.unwrap();
    frame(socket).await
}

fn realtime_app_env() -> [(&'static str, &'static str); 1] {
    [("REALTIME_URL", "wss://front-door.test/ws")]
}

#[tokio::test]
async fn a_ticket_opens_one_connection_once_within_a_minute_and_only_kitchen_staff_watch_its_board() {
    let t = TestApp::with_env(&realtime_app_env()).await;
    let gateway = gateway(&t).await;
    let admin = t.admin_token().await;
    let customer = t.customer_token().await;

    let around = ticket(&t, &customer).await;
    assert_eq!(
        open_with(&gateway, &around, None).await.err(),
        Some(403),
        "around the front door"
    );
    let once = ticket(&t, &customer).await;
    let mut socket = open(&gateway, &once).await.expect("the ticket opens a connection");
    assert_eq!(open(&gateway, &once).await.err(), Some(401), "a ticket works once");
    assert_eq!(open(&gateway, "not-a-ticket").await.err(), Some(401));
    let stale = Ticket::new();
    let holder = Holder {
        user_id: "U".into(),
        platform_admin: false,
    };
    RealtimeStore::new(t.app.db().clone())
        .issue(&stale, &holder, shared::platform::clock::now_epoch() - 61)
        .await
        .unwrap();
    assert_eq!(open(&gateway, stale.as_str()).await.err(), Some(401), "60 s at most");

    let home = t.app.home_kitchen_slug().to_owned();
    let refused = say(&mut socket, json!({"action": "subscribe", "kitchen": home})).await;
    assert_eq!(refused, json!({"type": "error", "code": "not_kitchen_staff"}));
    let unknown = say(
        &mut socket,
        json!({"action": "subscribe", "kitchen": "no-such-kitchen"}),
    )
    .await;
    assert_eq!(unknown["code"], "not_kitchen_staff");
    assert_eq!(
        say(&mut socket, json!({"action": "dance"})).await["code"],
        "unknown_action"
    );

    // A kitchen's owner watches their own board, and the platform admin any.
    let (owner, slug) = t.active_kitchen(&admin, "Mama Put").await;
    let mut own = open(&gateway, &ticket(&t, &owner).await).await.unwrap();
    let said = say(&mut own, json!({"action": "subscribe", "kitchen": slug})).await;
    assert_eq!(said, json!({"type": "subscribed", "kitchen": slug}));
    let mut platform = open(&gateway, &ticket(&t, &admin).await).await.unwrap();
    assert_eq!(
        say(&mut platform, json!({"action": "subscribe", "kitchen": home})).await["type"],
        "subscribed"
    );

    // Closing forgets the connection.
    let store = RealtimeStore::new(t.app.db().clone());
    let user = t.get("/api/auths/me/", &owner).await.body["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        store
            .of_user(&user, shared::platform::clock::now_epoch())
            .await
            .unwrap()
            .len(),
        1
    );
    own.close(None).await.unwrap();
    for _ in 0..50 {
        if store
            .of_user(&user, shared::platform::clock::now_epoch())
            .await
            .unwrap()
            .is_empty()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("a closed connection is forgotten");
}

#[tokio::test]
async fn a_kitchens_change_reaches_the_customers_page_and_the_board_as_frames_and_gone_connections_are_forgotten() {
    let t = TestApp::with_env(&realtime_app_env()).await;
    let gateway = gateway(&t).await;
    let admin = t.admin_token().await;
    let customer = t.customer_token().await;
    let db = t.app.db().clone();
    let sdk = sdk().await;
    let push = shared::platform::push::ManagementApi::new(&sdk, &format!("http://{gateway}"));
    let service = t
        .notifier()
        .await
        .with_realtime(shared::realtime::RealtimeService::new(db.clone()).with_push(Arc::new(push)));
    let mut stream = notifier::local::LocalStream::of(&sdk, Some(&stack().dynamodb), db.clone());
    let drain = async |stream: &mut notifier::local::LocalStream| {
        for _ in 0..3 {
            stream
                .poll_once(&async |batch| notifier::handle(&service, batch).await)
                .await
                .unwrap();
        }
    };

    let mut page = open(&gateway, &ticket(&t, &customer).await).await.unwrap();
    let mut board = open(&gateway, &ticket(&t, &admin).await).await.unwrap();
    let home = t.app.home_kitchen_slug().to_owned();
    assert_eq!(
        say(&mut board, json!({"action": "subscribe", "kitchen": home})).await["type"],
        "subscribed"
    );
    // A connection that went away without saying so (API Gateway's 410 for it).
    let store = RealtimeStore::new(db.clone());
    let me = t.get("/api/auths/me/", &customer).await.body["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let holder = Holder {
        user_id: me.clone(),
        platform_admin: false,
    };
    store
        .open(
            "GONE0000000000000000000000",
            &holder,
            shared::platform::clock::now_epoch(),
        )
        .await
        .unwrap();

    let dish = t.admin_dish(&admin, "Efo Riro", 250_000, json!({})).await;
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
    drain(&mut stream).await;
    let placed = frame_about(&mut page, "order.updated", &id, "pending").await;
    assert_eq!(placed["order"]["total"], 250_000);
    assert_eq!(placed["order"]["kitchen"]["slug"], home);
    frame_about(&mut board, "board.updated", &id, "pending").await;
    let now = shared::platform::clock::now_epoch();
    assert_eq!(
        store.of_user(&me, now).await.unwrap().len(),
        1,
        "the gone connection is forgotten"
    );

    t.kitchen_moves(
        &admin,
        &id,
        &[
            ("payment-status", json!({"payment_status": "paid"})),
            ("status", json!({"status": "confirmed"})),
        ],
    )
    .await;
    drain(&mut stream).await;
    frame_about(&mut board, "board.updated", &id, "confirmed").await;
    // The customer's page hears of the change, and of each inbox item (the board does not).
    let (mut confirmed, mut kinds) = (false, Vec::new());
    while !confirmed || kinds.len() < 2 {
        let f = frame(&mut page).await;
        match f["type"].as_str() {
            Some("order.updated") => confirmed |= f["order"]["status"] == "confirmed",
            Some("notification") => kinds.push(f["notification"]["kind"].as_str().unwrap_or_default().to_owned()),
            _ => {}
        }
    }
    kinds.sort();
    assert_eq!(kinds, ["order_confirmed", "payment_received"]);
}
