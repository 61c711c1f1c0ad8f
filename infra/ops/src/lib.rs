//! The operator command's library: what `kitchen-ops` does, callable from tests.

pub mod demo;
pub mod keys;

use anyhow::{Context, bail};
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

/// A kitchen the operator makes: active at once (the operator is the platform), with no owner
/// unless one is named (the platform admin manages it meanwhile).
pub struct NewKitchen<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub phone: &'a str,
    pub address: &'a str,
    pub email: Option<&'a str>,
    pub description: Option<&'a str>,
    /// The email of an existing, verified user who becomes its owner.
    pub owner: Option<&'a str>,
}

/// Creates an active kitchen, or finds the one with this slug (then nothing changes): its id,
/// and whether it was created.
pub async fn ensure_kitchen(store: &Store, new: &NewKitchen<'_>) -> anyhow::Result<(String, bool)> {
    use shared::accounts::store::AccountStore;
    use shared::kitchens::model::{Application, ApplicationInput, KitchenRole, KitchenStatus, Member, Slug};
    use shared::kitchens::store::{KitchenStore, Opened};

    let kitchens = KitchenStore::new(store.clone());
    let slug = Slug::parse(new.slug).map_err(|e| anyhow::anyhow!("--slug {e}"))?;
    if let Some(id) = kitchens.id_of(&slug).await.map_err(describe)? {
        return Ok((id, false));
    }
    let input = ApplicationInput {
        name: Some(new.name.to_owned()),
        slug: Some(new.slug.to_owned()),
        phone: Some(new.phone.to_owned()),
        address: Some(new.address.to_owned()),
        email: new.email.map(str::to_owned),
        description: new.description.map(str::to_owned),
    };
    let application = Application::parse(&input, "234").map_err(|e| anyhow::anyhow!("{e}: {:?}", e.fields))?;
    let now = now_rfc3339();
    let mut kitchen = application.open(ulid::Ulid::new().to_string(), now.clone());
    kitchen.status = KitchenStatus::Active;
    let owner = match new.owner {
        None => None,
        Some(email) => {
            let email = Email::parse(email).map_err(|e| anyhow::anyhow!("--owner {e}"))?;
            let identifier = Identifier::Email(email);
            let account = AccountStore::new(store.clone())
                .account(&identifier.storage_key())
                .await
                .map_err(describe)?
                .filter(|a| a.is_verified)
                .ok_or_else(|| anyhow::anyhow!("--owner {identifier} is no verified user"))?;
            Some(Member {
                user_id: account.id,
                identifier: identifier.as_str().to_owned(),
                role: KitchenRole::Owner,
                added_at: now.clone(),
            })
        }
    };
    match kitchens.open(&kitchen, owner.as_ref()).await.map_err(describe)? {
        Opened::Opened => Ok((kitchen.id, true)),
        Opened::SlugTaken => match kitchens.id_of(&slug).await.map_err(describe)? {
            Some(id) => Ok((id, false)),
            None => bail!("the slug {} is taken", new.slug),
        },
    }
}

/// The home kitchen as the operator makes it for a fresh stack (`HOME_KITCHEN`'s slug).
pub fn home_kitchen(slug: &str) -> NewKitchen<'_> {
    NewKitchen {
        slug,
        name: "Chuks Kitchen",
        phone: "+2348031234567",
        address: "14 Admiralty Way, Lekki Phase 1, Lagos",
        email: None,
        description: Some("Lagos home cooking: rice, soups, swallows, grills and small chops."),
        owner: None,
    }
}

/// What `seed-demo` did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Seeded {
    pub kitchens: usize,
    pub categories: usize,
    pub foods: usize,
}

/// The demo platform: the home kitchen (`home_slug`) with the demo menu, and a second kitchen
/// (pickup only, evening hours, a minimum order) with a menu of its own. What is there already
/// (kitchens by slug, categories and dishes by name) is kept; running it again adds nothing.
pub async fn seed_demo(store: &Store, home_slug: &str) -> anyhow::Result<Seeded> {
    use shared::kitchens::model::KitchenChange;
    use shared::kitchens::store::KitchenStore;

    let mut seeded = Seeded::default();
    let (home, created) = ensure_kitchen(store, &home_kitchen(home_slug)).await?;
    seeded.kitchens += usize::from(created);
    let (categories, foods) = seed_menu(store, &home, demo::MENU).await?;
    seeded.categories += categories;
    seeded.foods += foods;

    let second = demo::SECOND_KITCHEN;
    let (id, created) = ensure_kitchen(
        store,
        &NewKitchen {
            slug: second.slug,
            name: second.name,
            phone: second.phone,
            address: second.address,
            email: None,
            description: Some(second.description),
            owner: None,
        },
    )
    .await?;
    if created {
        seeded.kitchens += 1;
        let body: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(second.settings).context("the demo kitchen's settings")?;
        let change = KitchenChange::parse(&body, "234").map_err(|e| anyhow::anyhow!("{e}: {:?}", e.fields))?;
        KitchenStore::new(store.clone())
            .change(&id, &change)
            .await
            .map_err(describe)?;
    }
    let (categories, foods) = seed_menu(store, &id, second.menu).await?;
    seeded.categories += categories;
    seeded.foods += foods;
    Ok(seeded)
}

/// Adds a demo menu to a kitchen: categories and dishes not there yet (matched by name).
async fn seed_menu(
    store: &Store,
    kitchen_id: &str,
    demo_menu: &[demo::DemoCategory],
) -> anyhow::Result<(usize, usize)> {
    use shared::menu::MenuService;
    use shared::menu::model::{FoodChange, Money, Name, NewCategory, Tag};

    let service = MenuService::new(store.clone()).of(kitchen_id);
    let menu = service.menu().await.map_err(describe)?;
    let (mut categories, mut foods) = (0, 0);
    for (place, demo_category) in (0_i64..).zip(demo_menu) {
        let name = Name::parse(demo_category.name).map_err(|e| anyhow::anyhow!("{}: {e}", demo_category.name))?;
        let category_id = match menu.categories.iter().find(|c| c.name_key == name.unique_key()) {
            Some(existing) => existing.id.clone(),
            None => {
                let new = NewCategory {
                    name,
                    description: Some(demo_category.description.to_owned()),
                    // The demo menu's own order.
                    position: place,
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
            let (tags, featured, (min, max)) = demo::EXTRAS
                .iter()
                .find(|(n, ..)| *n == demo_food.name)
                .map_or((&[][..], false, (1, 50)), |(_, tags, featured, limits)| {
                    (*tags, *featured, *limits)
                });
            let tags = Tag::parse_all(tags.iter().copied()).map_err(|e| anyhow::anyhow!("{}: {e}", demo_food.name))?;
            let dish = FoodChange {
                name: Some(name),
                description: Some(Some(demo_food.description.to_owned())),
                price: Some(Money::from_kobo(demo_food.price_kobo)),
                category_id: Some(category_id.clone()),
                image_url: None,
                is_available: Some(demo_food.available),
                stock: demo_food.stock.map(|(stock, _)| Some(stock)),
                low_stock_threshold: demo_food.stock.map(|(_, low)| Some(low)),
                tags: Some(tags),
                featured: Some(featured),
                min_quantity: Some(min),
                max_quantity: Some(max),
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

/// Imports a menu from a spreadsheet file (CSV or XLSX, by its extension) into a kitchen's menu,
/// exactly as `POST .../manage/foods/import/` does: every row checked first (any problem: the
/// problems, row by row, and nothing written), then dishes created or updated by name.
pub async fn import_menu(
    store: &Store,
    slug: &str,
    file: &std::path::Path,
) -> anyhow::Result<shared::menu::import::ImportSummary> {
    use shared::kitchens::model::Slug;
    use shared::kitchens::store::KitchenStore;
    use shared::menu::MenuError;
    use shared::menu::import::{ImportError, MAX_IMPORT_BYTES, Sheet, SheetKind};

    let kind = SheetKind::of_file_name(&file.to_string_lossy())
        .ok_or_else(|| anyhow::anyhow!("{}: give a .csv or .xlsx file", file.display()))?;
    let bytes = std::fs::read(file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    if bytes.len() > MAX_IMPORT_BYTES {
        bail!(
            "{} is {} bytes; at most {MAX_IMPORT_BYTES}",
            file.display(),
            bytes.len()
        );
    }
    let parsed = Slug::parse(slug).map_err(|e| anyhow::anyhow!("--kitchen {e}"))?;
    let kitchen_id = KitchenStore::new(store.clone())
        .id_of(&parsed)
        .await
        .map_err(describe)?
        .ok_or_else(|| anyhow::anyhow!("there is no kitchen {slug}"))?;
    let menu = shared::menu::MenuService::new(store.clone()).of(&kitchen_id);
    let sheet = Sheet::read(kind, &bytes).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    match menu.import(&sheet).await {
        Ok(summary) => Ok(summary),
        Err(MenuError::Import(ImportError::Rows(problems))) => {
            let lines: Vec<String> = problems
                .iter()
                .map(|(row, problem)| format!("  {row}: {problem}"))
                .collect();
            bail!(
                "nothing was imported; fix these rows of {}:\n{}",
                file.display(),
                lines.join("\n")
            )
        }
        Err(other) => Err(describe(other)),
    }
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

/// What adopting the home kitchen moved.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Adopted {
    pub menu_items: usize,
    pub carts: usize,
    pub orders: usize,
}

/// Upgrading a table from before kitchens: the home kitchen (`slug`, which must exist: run
/// `create-kitchen` first) adopts the menu (the `MENU` partition and its category-name guards
/// move under the kitchen, each dish gets its pointer), the carts (`CART#<user>`/`CART` become
/// the home kitchen's cart) and the orders that name no kitchen. Each item is copied before its
/// old one is deleted, and nothing already moved is moved again, so it can be run again after
/// an interruption. Carts are found with a Scan: this is an operator's one-off, never a
/// request path.
pub async fn adopt_home_kitchen(store: &Store, slug: &str) -> anyhow::Result<Adopted> {
    use aws_sdk_dynamodb::types::AttributeValue;
    use shared::kitchens::model::Slug;
    use shared::kitchens::store::KitchenStore;
    use shared::menu::store::menu_pk;
    use shared::platform::db::{PK, SK, s};

    let kitchens = KitchenStore::new(store.clone());
    let parsed = Slug::parse(slug).map_err(|e| anyhow::anyhow!("--slug {e}"))?;
    let kitchen_id = kitchens.id_of(&parsed).await.map_err(describe)?.ok_or_else(|| {
        anyhow::anyhow!("there is no kitchen {slug}: run kitchen-ops create-kitchen --slug {slug} first")
    })?;
    let kitchen = kitchens
        .kitchen(&kitchen_id)
        .await
        .map_err(describe)?
        .ok_or_else(|| anyhow::anyhow!("kitchen {kitchen_id} has a slug but no item"))?;
    let client = store.client();
    let table = store.table();
    let mut adopted = Adopted::default();
    let text = |item: &shared::platform::db::Item, name: &str| match item.get(name) {
        Some(AttributeValue::S(v)) => Some(v.clone()),
        _ => None,
    };

    // The menu: every item of the old partition, and the guards its categories name.
    let old_menu = store
        .query_partition("MENU", |q| q.consistent_read(true), "Query old menu")
        .await
        .map_err(describe)?;
    for mut item in old_menu {
        let sk = text(&item, SK).unwrap_or_default();
        if sk.starts_with("FOOD#") {
            item.insert("kitchen_id".into(), s(&kitchen_id));
            let id = sk.trim_start_matches("FOOD#");
            client
                .put_item()
                .table_name(table)
                .item(PK, s(format!("DISH#{id}")))
                .item(SK, s("DISH"))
                .item("kitchen_id", s(&kitchen_id))
                .send()
                .await
                .context("writing a dish pointer")?;
        }
        if sk.starts_with("CATEGORY#")
            && let (Some(name_key), Some(id)) = (text(&item, "name_key"), text(&item, "id"))
        {
            client
                .put_item()
                .table_name(table)
                .item(PK, s(format!("KITCHEN#{kitchen_id}#CATEGORYNAME#{name_key}")))
                .item(SK, s("CATEGORYNAME"))
                .item("category_id", s(id))
                .send()
                .await
                .context("writing a category-name guard")?;
            client
                .delete_item()
                .table_name(table)
                .key(PK, s(format!("CATEGORYNAME#{name_key}")))
                .key(SK, s("CATEGORYNAME"))
                .send()
                .await
                .context("deleting an old category-name guard")?;
        }
        item.insert(PK.into(), s(menu_pk(&kitchen_id)));
        let copied = client
            .put_item()
            .table_name(table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .await;
        match copied {
            Ok(_) => {}
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) => {}
            Err(err) => return Err(anyhow::Error::new(err).context("copying a menu item")),
        }
        client
            .delete_item()
            .table_name(table)
            .key(PK, s("MENU"))
            .key(SK, s(&sk))
            .send()
            .await
            .context("deleting an old menu item")?;
        adopted.menu_items += 1;
    }

    // Carts: one per customer before, the home kitchen's now.
    let mut start = None;
    loop {
        let page = client
            .scan()
            .table_name(table)
            .filter_expression("SK = :cart")
            .expression_attribute_values(":cart", s("CART"))
            .set_exclusive_start_key(start.take())
            .send()
            .await
            .context("scanning for carts")?;
        for mut item in page.items.unwrap_or_default() {
            let Some(pk) = text(&item, PK) else { continue };
            item.insert(SK.into(), s(format!("KITCHEN#{kitchen_id}")));
            client
                .put_item()
                .table_name(table)
                .set_item(Some(item))
                .send()
                .await
                .context("moving a cart")?;
            client
                .delete_item()
                .table_name(table)
                .key(PK, s(pk))
                .key(SK, s("CART"))
                .send()
                .await
                .context("deleting an old cart")?;
            adopted.carts += 1;
        }
        match page.last_evaluated_key.filter(|k| !k.is_empty()) {
            Some(key) => start = Some(key),
            None => break,
        }
    }

    // Orders naming no kitchen: every order through the all-orders index.
    let reference = serde_dynamo::to_attribute_value::<_, AttributeValue>(serde_json::json!({
        "id": kitchen.id,
        "slug": kitchen.slug.as_str(),
        "name": kitchen.name,
    }))
    .context("the kitchen reference")?;
    let mut start = None;
    loop {
        let page = client
            .query()
            .table_name(table)
            .index_name("GSI3")
            .key_condition_expression("GSI3PK = :all")
            .expression_attribute_values(":all", s("ORDERS"))
            .projection_expression("PK, SK, #status")
            .expression_attribute_names("#status", "status")
            .set_exclusive_start_key(start.take())
            .send()
            .await
            .context("listing orders")?;
        for item in page.items.unwrap_or_default() {
            let (Some(pk), Some(sk), Some(status)) = (text(&item, PK), text(&item, SK), text(&item, "status")) else {
                continue;
            };
            // Its kitchen, and its places on that kitchen's board and list.
            let updated = client
                .update_item()
                .table_name(table)
                .key(PK, s(pk))
                .key(SK, s(sk))
                .update_expression("SET kitchen = :k, GSI2PK = :board, GSI3PK = :all")
                .condition_expression("attribute_exists(PK) AND attribute_not_exists(kitchen)")
                .expression_attribute_values(":k", reference.clone())
                .expression_attribute_values(":board", s(format!("KITCHEN#{kitchen_id}#STATUS#{status}")))
                .expression_attribute_values(":all", s(shared::orders::store::kitchen_orders_gsi3pk(&kitchen_id)))
                .send()
                .await;
            match updated {
                Ok(_) => adopted.orders += 1,
                Err(err)
                    if err
                        .as_service_error()
                        .is_some_and(|e| e.is_conditional_check_failed_exception()) => {}
                Err(err) => return Err(anyhow::Error::new(err).context("giving an order its kitchen")),
            }
        }
        match page.last_evaluated_key.filter(|k| !k.is_empty()) {
            Some(key) => start = Some(key),
            None => break,
        }
    }
    Ok(adopted)
}

/// The kitchens a reports command works on: `slug`, or every kitchen (the directory).
async fn kitchens_named(store: &Store, slug: Option<&str>) -> anyhow::Result<Vec<(String, String)>> {
    use shared::kitchens::model::Slug;
    use shared::kitchens::store::KitchenStore;
    use shared::platform::pagination::PageRequest;

    let kitchens = KitchenStore::new(store.clone());
    if let Some(slug) = slug {
        let parsed = Slug::parse(slug).map_err(|e| anyhow::anyhow!("--kitchen {e}"))?;
        let id = kitchens
            .id_of(&parsed)
            .await
            .map_err(describe)?
            .ok_or_else(|| anyhow::anyhow!("there is no kitchen {slug}"))?;
        return Ok(vec![(slug.to_owned(), id)]);
    }
    let mut out = Vec::new();
    let mut start = None;
    loop {
        let page = kitchens
            .directory(None, &PageRequest { limit: 100, start })
            .await
            .map_err(describe)?;
        out.extend(page.items.into_iter().map(|k| (k.slug.as_str().to_owned(), k.id)));
        match page.last_key {
            Some(key) => start = Some(key),
            None => return Ok(out),
        }
    }
}

/// Compares each kitchen's kept sales figures (`slug`, or every kitchen) with the sums of its
/// orders: each kitchen's slug and the differences found (none when they agree).
pub async fn check_reports(store: &Store, slug: Option<&str>) -> anyhow::Result<Vec<(String, Vec<String>)>> {
    let reports = shared::reports::ReportService::new(store.clone());
    let mut out = Vec::new();
    for (slug, id) in kitchens_named(store, slug).await? {
        let differences = reports.audit(&id).await.map_err(describe)?;
        out.push((slug, differences));
    }
    Ok(out)
}

/// Rebuilds each kitchen's sales figures from its orders (`slug`, or every kitchen),
/// idempotently: each kitchen's slug and the items written or deleted.
pub async fn rebuild_reports(store: &Store, slug: Option<&str>) -> anyhow::Result<Vec<(String, usize)>> {
    let reports = shared::reports::ReportService::new(store.clone());
    let mut out = Vec::new();
    for (slug, id) in kitchens_named(store, slug).await? {
        let writes = reports.rebuild(&id).await.map_err(describe)?;
        out.push((slug, writes));
    }
    Ok(out)
}
