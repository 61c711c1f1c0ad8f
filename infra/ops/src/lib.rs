//! The operator command's library: what `kitchen-ops` does, callable from tests.

pub mod demo;

use anyhow::bail;
use shared::accounts::model::{Account, Email, Identifier, Password, PasswordHasher, Role};
use shared::accounts::store::{AccountStore, CreateOutcome};
use shared::domain::now_rfc3339;
use shared::store::Store;

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
    use shared::domain::menu::{Money, Name};
    use shared::store::menu::{CategoryItem, CategoryWrite, FoodItem, FoodWrite};

    let menu = store.menu().await.map_err(describe)?;
    let (mut categories, mut foods) = (0, 0);
    for demo_category in demo::MENU {
        let name = Name::parse(demo_category.name).map_err(|e| anyhow::anyhow!("{}: {e}", demo_category.name))?;
        let category_id = match menu.categories.iter().find(|c| c.name_key == name.unique_key()) {
            Some(existing) => existing.id.clone(),
            None => {
                let item = CategoryItem::new(&name, Some(demo_category.description.to_owned()), now_rfc3339());
                match store.create_category(&item).await.map_err(describe)? {
                    CategoryWrite::Done(c) => {
                        categories += 1;
                        c.id
                    }
                    other => bail!("could not create category {}: {other:?}", demo_category.name),
                }
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
            let mut item = FoodItem::new(
                &name,
                Money::from_kobo(demo_food.price_kobo),
                category_id.clone(),
                now_rfc3339(),
            );
            item.description = Some(demo_food.description.to_owned());
            item.is_available = demo_food.available;
            match store.create_food(&item).await.map_err(describe)? {
                FoodWrite::Done(_) => foods += 1,
                other => bail!("could not create {}: {other:?}", demo_food.name),
            }
        }
    }
    Ok((categories, foods))
}

/// Turns a store error into a message for the operator (internal causes included: this is
/// the operator's own terminal, not an API response).
pub fn describe(err: impl Into<shared::ApiError>) -> anyhow::Error {
    match err.into() {
        shared::ApiError::Internal(cause) | shared::ApiError::Unavailable(cause) => cause,
        other => anyhow::anyhow!("{other}"),
    }
}
