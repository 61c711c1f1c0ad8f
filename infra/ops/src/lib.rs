//! The operator command's library: what `kitchen-ops` does, callable from tests.

pub mod demo;
pub mod keys;

use anyhow::bail;
use shared::accounts::model::{Account, Email, Identifier, Password, PasswordHasher, Role};
use shared::accounts::store::{AccountStore, CreateOutcome};
use shared::platform::clock::now_rfc3339;
use shared::platform::db::Db as Store;

/// Creates a verified admin account (no code is sent). Fails if the email is registered.
pub async fn create_admin(store: &Store, email: &str, password: String) -> anyhow::Result<Account> {
    let email = Email::parse(email).map_err(|e| anyhow::anyhow!("--email {e}"))?;
    let password = Password::parse(password).map_err(|e| anyhow::anyhow!("--password {e}"))?;
    let hash = PasswordHasher::new().hash(password).await?;
    let identifier = Identifier::Email(email);
    let mut account = Account::new(&identifier, hash, Role::Admin, true, now_rfc3339());
    match AccountStore::new(store.clone())
        .create_account_retrying(&mut account, None, None)
        .await
        .map_err(describe)?
    {
        CreateOutcome::Created => Ok(account),
        CreateOutcome::IdentifierTaken => bail!("{identifier} is already registered"),
        other => bail!("could not create the admin: {other:?}"),
    }
}

/// Adds the demo menu: categories and dishes not there yet (matched by name). Returns how many
/// categories and dishes it added; running it again adds nothing.
pub async fn seed_demo(store: &Store) -> anyhow::Result<(usize, usize)> {
    use shared::menu::MenuService;
    use shared::menu::model::{FoodChange, Money, Name, NewCategory};
    use shared::menu::store::MenuStore;

    let service = MenuService::new(MenuStore::new(store.clone()));
    let menu = service.menu().await.map_err(describe)?;
    let (mut categories, mut foods) = (0, 0);
    for demo_category in demo::MENU {
        let name = Name::parse(demo_category.name).map_err(|e| anyhow::anyhow!("{}: {e}", demo_category.name))?;
        let category_id = match menu.categories.iter().find(|c| c.name_key == name.unique_key()) {
            Some(existing) => existing.id.clone(),
            None => {
                let new = NewCategory {
                    name,
                    description: Some(demo_category.description.to_owned()),
                };
                let created = service
                    .create_category(&new)
                    .await
                    .map_err(|e| describe(e).context(format!("creating category {}", demo_category.name)))?;
                categories += 1;
                created.id
            }
        };
        for demo_food in demo_category.foods {
            let exists = menu
                .foods
                .iter()
                .any(|f| f.category_id == category_id && f.name.eq_ignore_ascii_case(demo_food.name));
            if exists {
                continue;
            }
            let name = Name::parse(demo_food.name).map_err(|e| anyhow::anyhow!("{}: {e}", demo_food.name))?;
            let dish = FoodChange {
                name: Some(name),
                description: Some(Some(demo_food.description.to_owned())),
                price: Some(Money::from_kobo(demo_food.price_kobo)),
                category_id: Some(category_id.clone()),
                image_url: None,
                is_available: Some(demo_food.available),
                stock: demo_food.stock.map(|(stock, _)| Some(stock)),
                low_stock_threshold: demo_food.stock.map(|(_, low)| Some(low)),
            };
            service
                .create_food(dish)
                .await
                .map_err(|e| describe(e).context(format!("creating {}", demo_food.name)))?;
            foods += 1;
        }
    }
    Ok((categories, foods))
}

/// Asks Paystack again for the refund of a cancelled order whose refund failed (or was never
/// asked for), and records the answer on the order as the refund worker does (`refund_pending`
/// until Paystack's webhook settles it).
pub async fn retry_refund(
    store: &Store,
    paystack: &shared::payments::paystack::Paystack,
    order_id: &str,
) -> anyhow::Result<shared::orders::model::Order> {
    use shared::orders::store::OrderStore;
    let orders = OrderStore::new(store.clone());
    let order = orders
        .order(order_id)
        .await
        .map_err(describe)?
        .ok_or_else(|| anyhow::anyhow!("there is no order {order_id}"))?;
    if order.refund_due().is_none() {
        bail!(
            "order {order_id} is owed no Paystack refund (it is {}, payment {}{})",
            order.status.as_str(),
            order.payment_status.as_str(),
            order
                .payment_method
                .map(|m| format!(", paid by {}", m.as_str()))
                .unwrap_or_default()
        );
    }
    shared::orders::service::refund(&orders, paystack, order)
        .await
        .map_err(describe)
}

/// Turns a store error into a message for the operator (internal causes included: this is
/// the operator's own terminal, not an API response).
pub fn describe(err: impl Into<shared::ApiError>) -> anyhow::Error {
    match err.into() {
        shared::ApiError::Internal(cause) | shared::ApiError::Unavailable(cause) => cause,
        other => anyhow::anyhow!("{other}"),
    }
}
