//! Contract v3, "Menu: photos, tags, limits, import": a kitchen's menu from a CSV or XLSX file,
//! every row checked before anything is written, dishes matched by name, categories created.

use api_tests::{TestApp, TestResponse};
use http::Method;
use serde_json::{Value, json};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn sample(name: &str) -> Vec<u8> {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../docs/menu-import")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

async fn import(t: &TestApp, path: &str, token: &str, content_type: &str, body: Vec<u8>) -> TestResponse {
    let request = http::Request::post(path)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", content_type)
        .body(if content_type.starts_with("text/") {
            lambda_http::Body::Text(String::from_utf8(body).unwrap())
        } else {
            lambda_http::Body::Binary(body)
        })
        .unwrap();
    t.request(request).await
}

async fn manage_items(t: &TestApp, slug: &str, token: &str) -> Vec<Value> {
    let res = t
        .call(
            Method::GET,
            &format!("/api/kitchens/{slug}/manage/foods/items/"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.raw);
    res.body["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn the_sample_spreadsheet_imports_into_a_kitchen_and_importing_it_again_updates_by_name() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let (owner, slug) = t.active_kitchen(&admin, "Import Kitchen").await;
    let path = format!("/api/kitchens/{slug}/manage/foods/import/");

    let res = import(&t, &path, &owner, XLSX, sample("sample-menu.xlsx")).await;
    assert_eq!(res.status, 200, "{}", res.raw);
    assert_eq!(res.body, json!({"created": 11, "updated": 0, "categories_created": 5}));
    let items = manage_items(&t, &slug, &owner).await;
    assert_eq!(items.len(), 11);
    let dish = |name: &str| {
        items
            .iter()
            .find(|f| f["name"] == name)
            .unwrap_or_else(|| panic!("no {name}"))
            .clone()
    };
    let suya = dish("Beef Suya (200g)");
    assert_eq!(suya["price"], 250_000);
    assert_eq!(suya["category_name"], "Grills");
    assert_eq!(suya["tags"], json!(["halal", "spicy", "contains_nuts"]));
    assert_eq!(
        (suya["stock"].as_i64(), suya["low_stock_threshold"].as_i64()),
        (Some(40), Some(8))
    );
    assert_eq!(suya["featured"], true);
    let wine = dish("Palm Wine (50cl)");
    assert_eq!(
        (wine["is_available"].as_bool(), wine["stock"].is_null()),
        (Some(false), true)
    );
    let public = t
        .call(
            Method::GET,
            &format!("/api/kitchens/{slug}/foods/?featured=true"),
            None,
            None,
        )
        .await;
    assert_eq!(public.body["items"].as_array().unwrap().len(), 2, "{}", public.raw);

    // Orders take stock meanwhile; the same dishes from the CSV update them and keep what the
    // file leaves empty (Moi Moi's stock is set again by the file, the others' is untouched).
    let res = t
        .call(
            Method::POST,
            &format!(
                "/api/kitchens/{slug}/manage/foods/items/{}/stock/",
                suya["id"].as_str().unwrap()
            ),
            Some(&owner),
            Some(json!({"add": -5})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.raw);
    let csv = String::from_utf8(sample("sample-menu.csv"))
        .unwrap()
        .replace(
            "Beef Suya (200g),Grills,2500,Spicy skewered beef with yaji and onions,yes,40,8",
            "beef suya (200G),Grills,2600,,yes,,8",
        )
        .into_bytes();
    let res = import(&t, &path, &owner, "text/csv; charset=utf-8", csv).await;
    assert_eq!(res.status, 200, "{}", res.raw);
    assert_eq!(res.body, json!({"created": 0, "updated": 11, "categories_created": 0}));
    let items = manage_items(&t, &slug, &owner).await;
    assert_eq!(items.len(), 11, "no dish twice");
    let suya = items.iter().find(|f| f["id"] == suya["id"]).unwrap();
    assert_eq!(suya["price"], 260_000);
    assert_eq!(
        suya["stock"], 35,
        "an empty stock cell leaves what orders and restocks made it"
    );
    assert_eq!(
        suya["description"], "Spicy skewered beef with yaji and onions",
        "an empty cell keeps the value"
    );
    let categories = t
        .call(
            Method::GET,
            &format!("/api/kitchens/{slug}/manage/foods/categories/"),
            Some(&owner),
            None,
        )
        .await;
    let counts: i64 = categories.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["food_count"].as_i64().unwrap())
        .sum();
    assert_eq!(counts, 11, "each category counts its dishes once");
}

#[tokio::test]
async fn a_file_with_mistakes_names_every_bad_row_and_writes_nothing() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let (owner, slug) = t.active_kitchen(&admin, "Import Kitchen").await;
    let path = format!("/api/kitchens/{slug}/manage/foods/import/");

    let res = import(&t, &path, &owner, "text/csv", sample("sample-menu-with-mistakes.csv")).await;
    assert_eq!(res.status, 400, "{}", res.raw);
    assert_eq!(res.body["error"]["code"], "invalid_import");
    let fields = res.body["error"]["fields"].as_object().unwrap();
    let expected = [
        ("row 3", "name is required"),
        ("row 4", "category is required"),
        ("row 5", "price must be a positive amount"),
        ("row 6", "price must be a positive amount"),
        ("row 7", "stock must be a whole number"),
        ("row 8", "stock must be from 0"),
        ("row 9", "keto"),
        ("row 10", "available must be yes or no"),
        ("row 11", "featured must be yes or no"),
        ("row 12", "repeats the dish of row 2"),
        ("row 13", "price must be a positive amount"),
    ];
    assert_eq!(fields.len(), expected.len(), "{fields:?}");
    for (row, problem) in expected {
        let said = fields
            .get(row)
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("{row} not named: {fields:?}"));
        assert!(said.contains(problem), "{row}: {said}");
    }
    assert!(manage_items(&t, &slug, &owner).await.is_empty(), "nothing written");
    let categories = t
        .call(
            Method::GET,
            &format!("/api/kitchens/{slug}/manage/foods/categories/"),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(categories.body["items"], json!([]), "no category either");

    // Fixed, it imports.
    let res = import(&t, &path, &owner, "text/csv", sample("sample-menu.csv")).await;
    assert_eq!(res.status, 200, "{}", res.raw);
    assert_eq!(res.body["created"], 11);
}

#[tokio::test]
async fn wrong_kinds_huge_files_and_too_many_rows_are_refused() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let path = "/api/foods/admin/import/";

    let res = import(&t, path, &admin, "application/json", b"{}".to_vec()).await;
    assert_eq!(res.status, 400, "{}", res.raw);
    assert_eq!(res.body["error"]["code"], "invalid_import");
    assert!(res.body["error"]["fields"]["file"].is_string());

    let res = import(&t, path, &admin, XLSX, b"name,category,price\n".to_vec()).await;
    assert_eq!(res.status, 400, "{}", res.raw);
    assert_eq!(res.body["error"]["fields"]["file"], "not an XLSX workbook");

    let mut rows = String::from("name,category,price\n");
    for i in 0..501 {
        rows.push_str(&format!("Dish {i},Rice,100\n"));
    }
    let res = import(&t, path, &admin, "text/csv", rows.into_bytes()).await;
    assert_eq!(res.status, 400, "{}", res.raw);
    assert_eq!(res.body["error"]["code"], "import_too_large");

    let mut huge = String::from("name,category,price,description\n");
    while huge.len() <= 1024 * 1024 {
        huge.push_str(&format!("Dish,Rice,100,{}\n", "x".repeat(900)));
    }
    let res = import(&t, path, &admin, "text/csv", huge.into_bytes()).await;
    assert_eq!(res.status, 413, "{}", res.raw);

    let res = import(&t, path, &admin, "text/csv", b"name,cost\nJollof,100\n".to_vec()).await;
    assert_eq!(res.status, 400, "{}", res.raw);
    assert_eq!(
        res.body["error"]["fields"]["header"],
        "missing the column(s) category, price"
    );
}

#[tokio::test]
async fn five_hundred_rows_go_in_and_land_on_the_home_menu_in_a_few_transactions() {
    let t = TestApp::new().await;
    let admin = t.admin_token().await;
    let mut rows = String::from("name,category,price,stock\n");
    for i in 0..500 {
        rows.push_str(&format!("Import dish {i:03},Import {},{},{}\n", i % 7, 100 + i, i % 3));
    }
    let before = t.app.db().calls();
    let res = import(&t, "/api/foods/admin/import/", &admin, "text/csv", rows.into_bytes()).await;
    assert_eq!(res.status, 200, "{}", res.raw);
    assert_eq!(res.body, json!({"created": 500, "updated": 0, "categories_created": 7}));
    let calls = t.app.db().calls() - before;
    // The caller's session, the menu, 7 categories and ceil(500 / 30) = 17 batches.
    assert!(calls <= 30, "{calls} DynamoDB calls");
    let res = t.call(Method::GET, "/api/foods/?q=import%20dish", None, None).await;
    assert_eq!(res.body["items"].as_array().unwrap().len(), 500);
}
