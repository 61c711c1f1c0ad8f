//! `audit-notifications`: every email and SMS the notifier owed against what the SES/SNS emulator
//! received (infra/bench/load.sh and faults.sh, once the notifier has caught up).
//!
//! What was owed comes from the table's whole change stream (DynamoDB Local keeps it across a
//! restart), each record read through the notifier's own rules (`NotificationService::notices`,
//! the recipient and the rendered subject); what was received is moto's record of the messages
//! it took. A message owed and not received is lost, one received more often than owed went out
//! twice. A second copy is counted apart when the notifier's marker says it was sent again after
//! an earlier delivery stopped between its claim and its mark (a process killed right after the
//! email service took the message: the one duplicate the markers cannot rule out, as SES and SNS
//! take no idempotency key). Messages nobody owed through the stream (the sign-up codes) are
//! counted apart too. Exits non-zero on a message lost or on any other second copy; `--wait`
//! seconds to let the notifier catch up first.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::Context;
use aws_lambda_events::event::dynamodb::Event;
use aws_lambda_events::event::streams::DynamoDbEventResponse;
use clap::Parser;
use serde_json::Value;
use shared::notifications::NotificationService;
use shared::notifications::service::Recipient;
use shared::notifications::store::NotificationStore;
use shared::notifications::templates::render;

#[derive(Parser)]
#[command(about = "Every message the notifier owed against what the SES/SNS emulator received")]
struct Args {
    /// The SES/SNS emulator's base URL (moto), not a gate in front of it.
    #[arg(long)]
    moto: String,
    /// Keep comparing for up to this many seconds while messages are still missing.
    #[arg(long, default_value_t = 0)]
    wait: u64,
}

/// A message by where it went and its subject (SMS: its text), with how many times.
type Tally = BTreeMap<(String, String), usize>;
/// Messages and by how many they differ.
type Differences = Vec<((String, String), usize)>;
/// Which stream records owe each message: (event id, the message's marker key).
type Sources = BTreeMap<(String, String), Vec<(String, String)>>;

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let config = shared::config::Config::from_env()?;
    let sdk = shared::aws::sdk_config().await;
    let db = shared::App::db_of(&config, &sdk);
    let markers = NotificationStore::new(db.clone());
    let service = shared::app::notifier_from_env().await?;
    let http = reqwest::Client::new();
    let give_up = Instant::now() + Duration::from_secs(args.wait);
    loop {
        let (owed, sources) = owed(&service, &sdk, config.dynamodb_endpoint.as_deref(), db.clone()).await?;
        let received = received(&http, &args.moto).await?;
        let (lost, extra, others) = compare(&owed, &received);
        let (twice, resent) = explained(extra, &sources, &markers).await?;
        let owed_count: usize = owed.values().sum();
        if (lost.is_empty() && twice.is_empty()) || Instant::now() > give_up {
            println!(
                "Notifications: {owed_count} messages owed by the stream's {} records; {} lost, {} sent twice; {} sent again after a kill cut the first delivery off between the send and its mark; {others} other messages (sign-up codes and the like).",
                RECORDS.with(|r| *r.borrow()),
                lost.iter().map(|(_, n)| n).sum::<usize>(),
                twice.iter().map(|(_, n)| n).sum::<usize>(),
                resent.iter().map(|(_, n)| n).sum::<usize>(),
            );
            for ((to, subject), n) in lost.iter().take(10) {
                eprintln!("LOST x{n}: {to}: {subject}");
            }
            for ((to, subject), n) in twice.iter().take(10) {
                eprintln!("TWICE (+{n}): {to}: {subject}");
            }
            for ((to, subject), n) in resent.iter().take(10) {
                eprintln!("RESENT after a cut-off delivery (+{n}): {to}: {subject}");
            }
            if lost.is_empty() && twice.is_empty() {
                return Ok(());
            }
            std::process::exit(1);
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

thread_local! {
    static RECORDS: RefCell<usize> = const { RefCell::new(0) };
}

/// What the whole stream owes, by the notifier's rules, and which records owe each message.
async fn owed(
    service: &NotificationService,
    sdk: &shared::aws::SdkConfig,
    endpoint: Option<&str>,
    db: shared::platform::db::Db,
) -> anyhow::Result<(Tally, Sources)> {
    let changes = RefCell::new(Vec::new());
    let mut stream = notifier::local::LocalStream::of(sdk, endpoint, db);
    let collect = async |event: &Event| {
        changes
            .borrow_mut()
            .extend(event.records.iter().map(notifier::change_of));
        DynamoDbEventResponse::default()
    };
    let mut idle = 0;
    while idle < 3 {
        if stream.poll_once(&collect).await? == 0 {
            idle += 1;
        } else {
            idle = 0;
        }
    }
    let changes = changes.into_inner();
    RECORDS.with(|r| *r.borrow_mut() = changes.len());
    let mut owed = Tally::new();
    let mut sources = Sources::new();
    for change in changes {
        for notice in NotificationService::notices(change.old, change.new)? {
            let message = render(&notice.event);
            let key = match service.recipient(&notice).await? {
                Some(Recipient::Email(to)) => (to, message.subject),
                Some(Recipient::Sms(to)) => (to, message.text),
                None => continue,
            };
            *owed.entry(key.clone()).or_default() += 1;
            sources
                .entry(key)
                .or_default()
                .push((change.event_id.clone(), notice.key()));
        }
    }
    Ok((owed, sources))
}

/// Splits the second copies into those no marker accounts for and those sent again after a
/// delivery was cut off between the send and its mark (up to one per such marker).
async fn explained(
    extra: Differences,
    sources: &Sources,
    markers: &NotificationStore,
) -> anyhow::Result<(Differences, Differences)> {
    let mut twice = Vec::new();
    let mut resent = Vec::new();
    for (message, n) in extra {
        let mut cut_off = 0;
        for (event_id, key) in sources.get(&message).into_iter().flatten() {
            if markers.resent(event_id, key).await? {
                cut_off += 1;
            }
        }
        let accounted = cut_off.min(n);
        if accounted > 0 {
            resent.push((message.clone(), accounted));
        }
        if n > accounted {
            twice.push((message, n - accounted));
        }
    }
    Ok((twice, resent))
}

/// What the emulator took: SES's emails by recipient and subject, SNS's texts by number and text.
async fn received(http: &reqwest::Client, moto: &str) -> anyhow::Result<Tally> {
    let data: Value = http
        .get(format!("{}/moto-api/data.json", moto.trim_end_matches('/')))
        .send()
        .await?
        .json()
        .await
        .context("moto's data")?;
    let mut got = Tally::new();
    for message in data["ses"]["Message"].as_array().into_iter().flatten() {
        let subject = message["subject"].as_str().unwrap_or_default().to_owned();
        for to in message["destinations"]["ToAddresses"].as_array().into_iter().flatten() {
            let to = to.as_str().unwrap_or_default().to_owned();
            *got.entry((to, subject.clone())).or_default() += 1;
        }
    }
    for sms in data["sns"]["SMS"].as_array().into_iter().flatten() {
        let (Some(to), Some(text)) = (sms["phone_number"].as_str(), sms["message"].as_str()) else {
            continue;
        };
        *got.entry((to.to_owned(), text.to_owned())).or_default() += 1;
    }
    Ok(got)
}

/// The messages lost (owed, not received: how many), sent twice (received more often: how
/// many more) and how many received were not owed at all.
fn compare(owed: &Tally, received: &Tally) -> (Differences, Differences, usize) {
    let mut lost = Vec::new();
    let mut twice = Vec::new();
    for (key, &n) in owed {
        let got = received.get(key).copied().unwrap_or_default();
        if got < n {
            lost.push((key.clone(), n - got));
        } else if got > n {
            twice.push((key.clone(), got - n));
        }
    }
    let others = received
        .iter()
        .filter(|(key, _)| !owed.contains_key(*key))
        .map(|(_, n)| n)
        .sum();
    (lost, twice, others)
}
