//! `kitchen-ops`: the operator command. Works against DynamoDB Local (`--endpoint` or
//! `DYNAMODB_ENDPOINT`) and real DynamoDB (standard AWS credentials and region) alike.

use anyhow::Context;
use clap::{Parser, Subcommand};
use shared::platform::db::Db as Store;

#[derive(Parser)]
#[command(name = "kitchen-ops", about = "Operator command for the Chuks Kitchen backend")]
struct Cli {
    /// DynamoDB table name.
    #[arg(long, env = "TABLE_NAME", global = true, default_value = "chuks-kitchen")]
    table: String,
    /// DynamoDB endpoint override (DynamoDB Local); omit for AWS.
    #[arg(long, env = "DYNAMODB_ENDPOINT", global = true)]
    endpoint: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create the table with its index and TTL (does nothing if it exists).
    CreateTable,
    /// Create a verified admin account.
    CreateAdmin {
        #[arg(long)]
        email: String,
        /// 8 to 128 characters. Prefer the ADMIN_PASSWORD variable over the command line.
        #[arg(long, env = "ADMIN_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// Create the home kitchen (HOME_KITCHEN) and a second demo kitchen, each with a demo menu
    /// (kitchens, categories and dishes already there are kept).
    SeedDemo {
        #[arg(long, env = "HOME_KITCHEN", default_value = shared::config::DEFAULT_HOME_KITCHEN)]
        home: String,
    },
    /// Create an active kitchen (does nothing if the slug exists). With --home, the home kitchen
    /// the routes without a kitchen act on (its slug is HOME_KITCHEN).
    CreateKitchen {
        #[arg(long, env = "HOME_KITCHEN", default_value = shared::config::DEFAULT_HOME_KITCHEN)]
        slug: String,
        #[arg(long, default_value = "Chuks Kitchen")]
        name: String,
        #[arg(long, default_value = "+2348031234567")]
        phone: String,
        #[arg(long, default_value = "Lagos")]
        address: String,
        #[arg(long)]
        email: Option<String>,
        /// The email of an existing verified user who becomes its owner.
        #[arg(long)]
        owner: Option<String>,
    },
    /// Import dishes from a CSV or XLSX file into a kitchen's menu (as the manage import route:
    /// every row checked first, nothing written on any problem; dishes matched by name).
    ImportMenu {
        /// The kitchen's slug.
        #[arg(long)]
        kitchen: String,
        /// A .csv or .xlsx file (header row: name, category, price, ...).
        file: std::path::PathBuf,
    },
    /// Upgrading a table from before kitchens: the home kitchen adopts the menu, carts and
    /// orders that belong to no kitchen (idempotent; run after create-kitchen).
    AdoptHomeKitchen {
        #[arg(long, env = "HOME_KITCHEN", default_value = shared::config::DEFAULT_HOME_KITCHEN)]
        slug: String,
        /// Create the home kitchen first if there is none (as seed-demo would make it).
        #[arg(long)]
        create: bool,
    },
    /// Compare every kitchen's sales figures (or --kitchen's) with the sums of its orders;
    /// exits 1 on any difference (the load scenario ends with it).
    CheckReports {
        #[arg(long)]
        kitchen: Option<String>,
    },
    /// Rebuild every kitchen's sales figures (or --kitchen's) from its orders: for a table from
    /// before reports, or after a fault. Idempotent. Stop the stream consumer (the notifier's
    /// event source mapping) while it runs, or run it when the kitchen is quiet.
    RebuildReports {
        #[arg(long)]
        kitchen: Option<String>,
    },
    /// Register an SES sender identity (on AWS this sends the verification email).
    VerifySender {
        #[arg(long, env = "OTP_SENDER_EMAIL")]
        email: String,
        /// SES endpoint override (the local emulator); omit for AWS.
        #[arg(long, env = "SES_ENDPOINT")]
        ses_endpoint: Option<String>,
    },
    /// Ask Paystack again to refund a cancelled order whose refund failed (`refund_failed`),
    /// once the cause is fixed (e.g. the Paystack balance is topped up).
    RetryRefund {
        #[arg(long)]
        order_id: String,
        /// The stack's PaystackSecret (name or ARN); or give the key in PAYSTACK_SECRET_KEY.
        #[arg(long, env = "PAYSTACK_SECRET_ID")]
        paystack_secret_id: Option<String>,
        #[arg(long, env = "PAYSTACK_SECRET_KEY", hide_env_values = true, hide = true)]
        paystack_secret_key: Option<String>,
        #[arg(long, env = "PAYSTACK_BASE_URL", default_value = shared::payments::paystack::DEFAULT_BASE_URL)]
        paystack_base_url: String,
        /// Secrets Manager endpoint override (the local emulator); omit for AWS.
        #[arg(long, env = "SECRETSMANAGER_ENDPOINT")]
        secrets_endpoint: Option<String>,
    },
    /// Show or rotate a key ring in Secrets Manager (the token keys or the code keys). Rotation
    /// is add, wait 5 minutes, activate, wait for the old values to expire, retire.
    Keys {
        /// The secret's name or ARN (the stack's TokenKeysSecret or CodeKeysSecret).
        #[arg(long)]
        secret_id: String,
        /// Secrets Manager endpoint override (the local emulator); omit for AWS.
        #[arg(long, env = "SECRETSMANAGER_ENDPOINT")]
        secrets_endpoint: Option<String>,
        #[command(subcommand)]
        step: KeyStep,
    },
}

#[derive(Subcommand)]
enum KeyStep {
    /// The key ids and the active one (never the keys).
    Show,
    /// Add a new key that checks but does not sign yet (creates the secret with an active key
    /// if there is none).
    Add {
        /// Default: k<n+1>.
        #[arg(long)]
        kid: Option<String>,
    },
    /// Make a key the one that signs.
    Activate {
        #[arg(long)]
        kid: String,
    },
    /// Remove a key that no longer signs.
    Retire {
        #[arg(long)]
        kid: String,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    shared::telemetry::init();
    let cli = Cli::parse();
    let sdk = shared::aws::sdk_config().await;
    let store = Store::new(
        shared::aws::dynamodb_config(&sdk, cli.endpoint.as_deref()),
        cli.table.clone(),
    );

    match cli.command {
        Command::CreateTable => {
            let created = store.create_table(shared::schema::INDEXES).await.map_err(describe)?;
            println!(
                "table {}: {}",
                cli.table,
                if created { "created" } else { "already exists" }
            );
        }
        Command::CreateAdmin { email, password } => {
            let admin = ops::create_admin(&store, &email, password).await?;
            println!("admin {} created (id {})", admin.email.unwrap_or(email), admin.id);
        }
        Command::SeedDemo { home } => {
            let seeded = ops::seed_demo(&store, &home).await?;
            println!(
                "demo: {} kitchens, {} categories and {} dishes added",
                seeded.kitchens, seeded.categories, seeded.foods
            );
        }
        Command::CreateKitchen {
            slug,
            name,
            phone,
            address,
            email,
            owner,
        } => {
            let new = ops::NewKitchen {
                slug: &slug,
                name: &name,
                phone: &phone,
                address: &address,
                email: email.as_deref(),
                description: None,
                owner: owner.as_deref(),
            };
            let (id, created) = ops::ensure_kitchen(&store, &new).await?;
            println!(
                "kitchen {slug} (id {id}): {}",
                if created { "created, active" } else { "already exists" }
            );
        }
        Command::ImportMenu { kitchen, file } => {
            let done = ops::import_menu(&store, &kitchen, &file).await?;
            println!(
                "{kitchen}: {} dishes created, {} updated, {} categories created",
                done.created, done.updated, done.categories_created
            );
        }
        Command::AdoptHomeKitchen { slug, create } => {
            if create {
                ops::ensure_kitchen(&store, &ops::home_kitchen(&slug)).await?;
            }
            let adopted = ops::adopt_home_kitchen(&store, &slug).await?;
            println!(
                "home kitchen {slug} adopted {} menu items, {} carts and {} orders",
                adopted.menu_items, adopted.carts, adopted.orders
            );
        }
        Command::CheckReports { kitchen } => {
            let mut differ = 0;
            for (slug, differences) in ops::check_reports(&store, kitchen.as_deref()).await? {
                if differences.is_empty() {
                    println!("{slug}: the report equals the sums of its orders");
                } else {
                    differ += 1;
                    println!("{slug}: {} differences", differences.len());
                    for d in differences {
                        println!("  {d}");
                    }
                }
            }
            if differ > 0 {
                anyhow::bail!(
                    "{differ} kitchens' reports differ from their orders (kitchen-ops rebuild-reports mends them)"
                );
            }
        }
        Command::RebuildReports { kitchen } => {
            for (slug, writes) in ops::rebuild_reports(&store, kitchen.as_deref()).await? {
                println!("{slug}: rebuilt from its orders ({writes} items written or deleted)");
            }
        }
        Command::VerifySender { email, ses_endpoint } => {
            let client = shared::aws::sesv2(&sdk, ses_endpoint.as_deref());
            match client.create_email_identity().email_identity(&email).send().await {
                Ok(_) => println!("sender identity {email} registered"),
                Err(err) if err.as_service_error().is_some_and(|e| e.is_already_exists_exception()) => {
                    println!("sender identity {email} already registered")
                }
                Err(err) => {
                    return Err(anyhow::anyhow!(
                        "{}",
                        shared::aws::aws_sdk_sesv2::error::DisplayErrorContext(err)
                    ))
                    .context("CreateEmailIdentity");
                }
            }
        }
        Command::RetryRefund {
            order_id,
            paystack_secret_id,
            paystack_secret_key,
            paystack_base_url,
            secrets_endpoint,
        } => {
            use shared::payments::paystack::{Paystack, SecretKey};
            let key = match (paystack_secret_id, paystack_secret_key) {
                (Some(id), _) => {
                    let client = shared::platform::secrets::client(&sdk, secrets_endpoint.as_deref());
                    shared::platform::secrets::read_text(&client, &id, "PaystackSecret").await?
                }
                (None, Some(key)) => key,
                (None, None) => anyhow::bail!("give --paystack-secret-id (or PAYSTACK_SECRET_KEY)"),
            };
            let paystack = Paystack::new(&paystack_base_url, SecretKey::new(key))?;
            let order = ops::retry_refund(&store, &paystack, &order_id).await?;
            println!("order {}: payment {}", order.id, order.payment_status.as_str());
        }
        Command::Keys {
            secret_id,
            secrets_endpoint,
            step,
        } => {
            let client = shared::platform::secrets::client(&sdk, secrets_endpoint.as_deref());
            let current = ops::keys::read(&client, &secret_id).await?;
            let exists = current.is_some();
            let (next, said) = match (step, current) {
                (KeyStep::Show, Some(ring)) => {
                    println!("{secret_id}: keys {}; active {}", ring.kids().join(", "), ring.active());
                    return Ok(());
                }
                (KeyStep::Show, None) => anyhow::bail!("the secret {secret_id} does not exist"),
                (KeyStep::Add { kid }, None) => {
                    let kid = kid.unwrap_or_else(|| "k1".into());
                    (
                        ops::keys::RingDocument::first(&kid)?,
                        format!("created with key {kid}, active"),
                    )
                }
                (KeyStep::Add { kid }, Some(ring)) => {
                    let kid = kid.unwrap_or_else(|| ring.next_kid());
                    (
                        ring.add(&kid)?,
                        format!(
                            "key {kid} added, not active; every function knows it within KEYS_CACHE_SECONDS (5 minutes): then `keys activate --kid {kid}`"
                        ),
                    )
                }
                (KeyStep::Activate { kid }, Some(ring)) => {
                    let old = ring.active().to_owned();
                    (
                        ring.activate(&kid)?,
                        format!(
                            "key {kid} active; retire {old} once what it signed has expired (refresh-token lifetime for token keys, code lifetime for code keys)"
                        ),
                    )
                }
                (KeyStep::Retire { kid }, Some(ring)) => (ring.retire(&kid)?, format!("key {kid} retired")),
                (_, None) => anyhow::bail!("the secret {secret_id} does not exist (`keys add` creates it)"),
            };
            ops::keys::write(&client, &secret_id, &next, exists).await?;
            println!("{secret_id}: {said}");
        }
    }
    Ok(())
}

use ops::describe;
