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
    /// Add the demo menu (categories and dishes that are not there yet, matched by name).
    SeedDemo,
    /// Register an SES sender identity (on AWS this sends the verification email).
    VerifySender {
        #[arg(long, env = "OTP_SENDER_EMAIL")]
        email: String,
        /// SES endpoint override (the local emulator); omit for AWS.
        #[arg(long, env = "SES_ENDPOINT")]
        ses_endpoint: Option<String>,
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
            let created = store.create_table().await.map_err(describe)?;
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
        Command::SeedDemo => {
            let (categories, foods) = ops::seed_demo(&store).await?;
            println!("demo menu: {categories} categories and {foods} dishes added");
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
    }
    Ok(())
}

use ops::describe;
