//! A menu from a spreadsheet: a CSV or XLSX file read into rows, every row checked, and the plan
//! of what to create and update, decided against the kitchen's menu as it is. Nothing here
//! writes: the store carries a plan out, and a plan exists only when every row is good.
//!
//! Columns (header row, any order, case-insensitive): `name`, `category`, `price` (naira:
//! `2500`, `2,500.00`), `description`, `available` (yes/no), `stock`, `low_stock_threshold`,
//! `tags` (comma-separated), `featured` (yes/no). `name`, `category` and `price` are required in
//! every row; an empty cell gives a new dish the default and leaves an existing dish's value.
//! Rows are numbered as a spreadsheet shows them: the header is row 1.

use std::collections::{BTreeMap, HashMap};

use super::model::NumberInput;
use super::model::{Category, Food, FoodChange, Menu, Money, Name, NewCategory, PRICE_MAX_KOBO, Tag, parse_count};

/// The largest file taken (bytes).
pub const MAX_IMPORT_BYTES: usize = 1024 * 1024;
/// The most dishes (rows below the header) one file may hold.
pub const MAX_IMPORT_ROWS: usize = 500;

pub const CSV: &str = "text/csv";
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The kinds of spreadsheet taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetKind {
    Csv,
    Xlsx,
}

impl SheetKind {
    /// From a media type (parameters such as `; charset=utf-8` ignored).
    pub fn of_media_type(media_type: &str) -> Option<Self> {
        let essence = media_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        match essence.as_str() {
            CSV => Some(Self::Csv),
            XLSX => Some(Self::Xlsx),
            _ => None,
        }
    }

    /// From a file name's extension (for the operator command).
    pub fn of_file_name(name: &str) -> Option<Self> {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".csv") {
            Some(Self::Csv)
        } else if lower.ends_with(".xlsx") {
            Some(Self::Xlsx)
        } else {
            None
        }
    }
}

/// Why a file is not imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// Not a spreadsheet of the kind it says, or no header row.
    #[error("the file cannot be read: {0}")]
    Unreadable(String),
    #[error("the file has {0} rows; at most {MAX_IMPORT_ROWS}")]
    TooManyRows(usize),
    /// Every bad row (`"row 3"`) or missing column (`"header"`) with what is wrong with it.
    #[error("some rows are wrong")]
    Rows(BTreeMap<String, String>),
}

/// A sheet's rows as text, each with its row number as the spreadsheet shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sheet {
    pub rows: Vec<(usize, Vec<String>)>,
}

impl Sheet {
    /// Reads a file of `kind`. Empty rows are skipped (their numbers are kept by the others).
    pub fn read(kind: SheetKind, bytes: &[u8]) -> Result<Self, ImportError> {
        let rows = match kind {
            SheetKind::Csv => csv_rows(bytes)?,
            SheetKind::Xlsx => xlsx_rows(bytes)?,
        };
        Ok(Self {
            rows: rows
                .into_iter()
                .filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()))
                .collect(),
        })
    }
}

fn csv_rows(bytes: &[u8]) -> Result<Vec<(usize, Vec<String>)>, ImportError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| ImportError::Unreadable("a CSV file must be UTF-8 text (save it as \"CSV UTF-8\")".into()))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| ImportError::Unreadable(format!("row {}: {e}", i + 1)))?;
        // Its first line: what a spreadsheet shows as its row (blank lines are rows there too).
        // (The reader's position is where it started reading: before the blank lines it skipped.)
        let line = record
            .position()
            .and_then(|p| usize::try_from(p.byte()).ok())
            .and_then(|byte| {
                let rest = text.get(byte..)?;
                let start = byte + rest.len() - rest.trim_start_matches(['\r', '\n']).len();
                text.get(..start)
            })
            .map_or(i + 1, |before| before.matches('\n').count() + 1);
        rows.push((line, record.iter().map(str::to_owned).collect()));
    }
    Ok(rows)
}

fn xlsx_rows(bytes: &[u8]) -> Result<Vec<(usize, Vec<String>)>, ImportError> {
    use calamine::{Data, Reader, Xlsx};
    let mut book =
        Xlsx::new(std::io::Cursor::new(bytes)).map_err(|_| ImportError::Unreadable("not an XLSX workbook".into()))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| ImportError::Unreadable("the workbook has no sheet".into()))?
        .map_err(|e| ImportError::Unreadable(format!("the first sheet: {e}")))?;
    let first_row = range.start().map_or(0, |(row, _)| row as usize);
    let first_column = range.start().map_or(0, |(_, column)| column as usize);
    let cell = |data: &Data| match data {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => format!("{f}"),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => if *b { "yes" } else { "no" }.to_owned(),
        other => other.to_string(),
    };
    Ok(range
        .rows()
        .enumerate()
        .map(|(i, row)| {
            // Columns left of the used range are empty in the sheet.
            let mut cells = vec![String::new(); first_column];
            cells.extend(row.iter().map(cell));
            (first_row + i + 1, cells)
        })
        .collect())
}

/// The columns the importer knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Column {
    Name,
    Category,
    Price,
    Description,
    Available,
    Stock,
    LowStockThreshold,
    Tags,
    Featured,
}

impl Column {
    const ALL: [(Column, &'static str); 9] = [
        (Column::Name, "name"),
        (Column::Category, "category"),
        (Column::Price, "price"),
        (Column::Description, "description"),
        (Column::Available, "available"),
        (Column::Stock, "stock"),
        (Column::LowStockThreshold, "low_stock_threshold"),
        (Column::Tags, "tags"),
        (Column::Featured, "featured"),
    ];

    fn of(header: &str) -> Option<Self> {
        let key = header.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        Self::ALL.iter().find(|(_, name)| *name == key).map(|(c, _)| *c)
    }
}

/// One good row: what it says about its dish (`None`: the cell was empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    pub row: usize,
    pub name: Name,
    pub category: Name,
    pub price: Money,
    pub description: Option<String>,
    pub available: Option<bool>,
    pub stock: Option<i64>,
    pub low_stock_threshold: Option<i64>,
    pub tags: Option<Vec<Tag>>,
    pub featured: Option<bool>,
}

/// A price in naira as people write it: `2500`, `2,500.00`, `₦2,500`, `NGN 2500.5`.
pub fn naira_price(raw: &str) -> Result<Money, String> {
    let bad = || "price must be a positive amount in naira (like 2,500 or 2500.00)".to_owned();
    let mut text = raw.trim();
    for prefix in ["₦", "NGN", "ngn", "N"] {
        text = text.strip_prefix(prefix).unwrap_or(text).trim_start();
    }
    let text = text.replace(',', "");
    let (whole, part) = text.split_once('.').unwrap_or((&text, ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || part.len() > 2
        || !part.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let kobo = whole
        .parse::<i64>()
        .ok()
        .and_then(|n| n.checked_mul(100))
        .and_then(|n| n.checked_add(format!("{part:0<2}").parse::<i64>().unwrap_or(0)))
        .ok_or_else(bad)?;
    if kobo <= 0 {
        return Err("price must be a positive amount".into());
    }
    if kobo > PRICE_MAX_KOBO {
        return Err(format!("price must be at most {}", super::model::naira(PRICE_MAX_KOBO)));
    }
    Ok(Money::from_kobo(kobo))
}

fn yes_no(column: &str, raw: &str) -> Result<bool, String> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" | "1" => Ok(true),
        "no" | "n" | "false" | "0" => Ok(false),
        _ => Err(format!("{column} must be yes or no")),
    }
}

fn count(column: &str, raw: &str) -> Result<i64, String> {
    let input = match raw.trim().parse::<i64>() {
        Ok(n) => NumberInput::Whole(n),
        Err(_) if raw.trim().parse::<f64>().is_ok() => NumberInput::NotWhole,
        Err(_) => NumberInput::NotANumber,
    };
    parse_count(input).map_err(|problem| format!("{column} {problem}"))
}

/// Every row of `sheet` parsed, or every problem found (row by row, and the header's).
pub fn parse_rows(sheet: &Sheet) -> Result<Vec<ImportRow>, ImportError> {
    let Some(((header_row, header), body)) = sheet.rows.split_first() else {
        return Err(ImportError::Unreadable(
            "the file is empty: it needs a header row (name, category, price, ...)".into(),
        ));
    };
    if *header_row != 1 {
        return Err(ImportError::Unreadable(
            "row 1 must be the header (name, category, price, ...)".into(),
        ));
    }
    if body.len() > MAX_IMPORT_ROWS {
        return Err(ImportError::TooManyRows(body.len()));
    }
    let mut columns: HashMap<Column, usize> = HashMap::new();
    let mut problems = BTreeMap::new();
    for (i, title) in header.iter().enumerate() {
        if let Some(column) = Column::of(title)
            && columns.insert(column, i).is_some()
        {
            problems.insert(
                "header".to_owned(),
                format!("the column {:?} appears twice", title.trim()),
            );
        }
    }
    let missing: Vec<&str> = [
        (Column::Name, "name"),
        (Column::Category, "category"),
        (Column::Price, "price"),
    ]
    .iter()
    .filter(|(c, _)| !columns.contains_key(c))
    .map(|(_, name)| *name)
    .collect();
    if !missing.is_empty() {
        problems.insert(
            "header".to_owned(),
            format!("missing the column(s) {}", missing.join(", ")),
        );
    }
    if !problems.is_empty() {
        return Err(ImportError::Rows(problems));
    }
    let mut rows = Vec::with_capacity(body.len());
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (number, cells) in body {
        let cell = |column: Column| {
            columns
                .get(&column)
                .and_then(|i| cells.get(*i))
                .map(|c| c.trim())
                .filter(|c| !c.is_empty())
        };
        let mut wrong: Vec<String> = Vec::new();
        let mut note = |problem: String| wrong.push(problem);
        let required = |column: Column, name: &str, note: &mut dyn FnMut(String)| {
            let value = cell(column);
            if value.is_none() {
                note(format!("{name} is required"));
            }
            value
        };
        let name = required(Column::Name, "name", &mut note)
            .and_then(|raw| Name::parse(raw).map_err(|p| note(format!("name {p}"))).ok());
        let category = required(Column::Category, "category", &mut note)
            .and_then(|raw| Name::parse(raw).map_err(|p| note(format!("category {p}"))).ok());
        let price =
            required(Column::Price, "price", &mut note).and_then(|raw| naira_price(raw).map_err(&mut note).ok());
        let description = cell(Column::Description).and_then(|raw| {
            if raw.chars().count() > super::model::DESCRIPTION_MAX {
                note(format!(
                    "description must be at most {} characters",
                    super::model::DESCRIPTION_MAX
                ));
                None
            } else {
                Some(raw.to_owned())
            }
        });
        let available = cell(Column::Available).and_then(|raw| yes_no("available", raw).map_err(&mut note).ok());
        let featured = cell(Column::Featured).and_then(|raw| yes_no("featured", raw).map_err(&mut note).ok());
        let stock = cell(Column::Stock).and_then(|raw| count("stock", raw).map_err(&mut note).ok());
        let low_stock_threshold =
            cell(Column::LowStockThreshold).and_then(|raw| count("low_stock_threshold", raw).map_err(&mut note).ok());
        let tags = cell(Column::Tags).and_then(|raw| {
            Tag::parse_all(raw.split([',', ';']).filter(|t| !t.trim().is_empty()))
                .map_err(|p| note(format!("tags: {p}")))
                .ok()
        });
        if let Some(name) = &name
            && let Some(first) = seen.insert(name.unique_key(), *number)
        {
            seen.insert(name.unique_key(), first);
            wrong.push(format!("repeats the dish of row {first}"));
        }
        match (name, category, price) {
            (Some(name), Some(category), Some(price)) if wrong.is_empty() => rows.push(ImportRow {
                row: *number,
                name,
                category,
                price,
                description,
                available,
                stock,
                low_stock_threshold,
                tags,
                featured,
            }),
            _ => {
                problems.insert(format!("row {number}"), wrong.join("; "));
            }
        }
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(ImportError::Rows(problems))
    }
}

/// What an import writes: new categories first, then new dishes and changed ones (each change
/// with the dish as read, and whether it sets the stock).
#[derive(Debug, Default)]
pub struct ImportPlan {
    pub categories: Vec<Category>,
    pub creates: Vec<(usize, Food)>,
    pub updates: Vec<(usize, Food, Food, bool)>,
}

/// Decides every row against `menu`: a row whose name matches a dish (case-insensitive) updates
/// it, another creates one; categories are matched by name (within the file too) and unknown
/// ones created. A name matching two dishes is a problem of its row (a name repeated in the
/// file is one of [`parse_rows`]).
pub fn plan(rows: &[ImportRow], menu: &Menu, now: &str) -> Result<ImportPlan, ImportError> {
    let mut plan = ImportPlan::default();
    let mut problems = BTreeMap::new();
    let mut category_ids: HashMap<String, String> = menu
        .categories
        .iter()
        .map(|c| (c.name_key.clone(), c.id.clone()))
        .collect();
    for row in rows {
        let key = row.name.unique_key();
        let category_id = match category_ids.get(&row.category.unique_key()) {
            Some(id) => id.clone(),
            None => {
                let category = Category::new(
                    &NewCategory {
                        name: row.category.clone(),
                        description: None,
                        position: 0,
                    },
                    now.to_owned(),
                );
                category_ids.insert(category.name_key.clone(), category.id.clone());
                let id = category.id.clone();
                plan.categories.push(category);
                id
            }
        };
        let change = FoodChange {
            name: Some(row.name.clone()),
            description: row.description.clone().map(Some),
            price: Some(row.price),
            category_id: Some(category_id),
            is_available: row.available,
            stock: row.stock.map(Some),
            low_stock_threshold: row.low_stock_threshold.map(Some),
            tags: row.tags.clone(),
            featured: row.featured,
            ..FoodChange::default()
        };
        let matches: Vec<&Food> = menu.foods.iter().filter(|f| f.name.to_lowercase() == key).collect();
        let decided = match matches.as_slice() {
            [] => match Food::created(&change, now.to_owned()) {
                Some(Ok(food)) => {
                    plan.creates.push((row.row, food));
                    Ok(())
                }
                Some(Err(invalid)) => Err(invalid),
                None => Ok(()),
            },
            [current] => current.changed(&change, now).map(|next| {
                plan.updates
                    .push((row.row, (*current).clone(), next, change.sets_stock()));
            }),
            several => {
                problems.insert(
                    format!("row {}", row.row),
                    format!(
                        "{} dishes are named {:?}; rename one first",
                        several.len(),
                        row.name.as_str()
                    ),
                );
                continue;
            }
        };
        if let Err(invalid) = decided {
            let text: Vec<String> = invalid.fields.iter().map(|(f, p)| format!("{f} {p}")).collect();
            problems.insert(format!("row {}", row.row), text.join("; "));
        }
    }
    if problems.is_empty() {
        Ok(plan)
    } else {
        Err(ImportError::Rows(problems))
    }
}

/// What an import did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ImportSummary {
    pub created: usize,
    pub updated: usize,
    pub categories_created: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(text: &str) -> Sheet {
        Sheet::read(SheetKind::Csv, text.as_bytes()).unwrap()
    }

    #[test]
    fn prices_are_naira_as_people_write_them() {
        for (raw, kobo) in [
            ("2500", 250_000),
            ("2,500.00", 250_000),
            ("₦2,500.5", 250_050),
            ("NGN 99.99", 9_999),
            ("0.01", 1),
        ] {
            assert_eq!(naira_price(raw), Ok(Money::from_kobo(kobo)), "{raw}");
        }
        for bad in ["0", "-5", "2.505", "two", "", "1e3", "100000001"] {
            assert!(naira_price(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn media_types_and_file_names_say_the_kind() {
        assert_eq!(
            SheetKind::of_media_type("text/csv; charset=utf-8"),
            Some(SheetKind::Csv)
        );
        assert_eq!(SheetKind::of_media_type(XLSX), Some(SheetKind::Xlsx));
        assert_eq!(SheetKind::of_media_type("application/json"), None);
        assert_eq!(SheetKind::of_file_name("Menu.XLSX"), Some(SheetKind::Xlsx));
        assert_eq!(SheetKind::of_file_name("menu.ods"), None);
    }

    #[test]
    fn columns_in_any_order_and_case_with_empty_cells_left_unsaid() {
        let rows = parse_rows(&sheet(
            "\u{feff}Price,NAME,Category,Tags,Available,Stock\n\"2,500\",Jollof,Rice,\"spicy, halal\",no,\n\n300,Zobo,Drinks,,,12\n",
        ))
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0].row, rows[0].name.as_str(), rows[0].price.kobo()),
            (2, "Jollof", 250_000)
        );
        assert_eq!(rows[0].tags, Some(vec![Tag::Halal, Tag::Spicy]));
        assert_eq!((rows[0].available, rows[0].stock), (Some(false), None));
        assert_eq!(
            (rows[1].row, rows[1].tags.as_ref(), rows[1].stock),
            (4, None, Some(12)),
            "the blank row keeps its number"
        );
    }

    #[test]
    fn every_bad_row_is_named_with_everything_wrong_with_it() {
        let err = parse_rows(&sheet(
            "name,category,price,stock,featured,tags\nJollof,Rice,0,,,\n,Rice,100,-1,maybe,keto\nGood,Rice,100,,,\n",
        ))
        .unwrap_err();
        let ImportError::Rows(problems) = err else {
            panic!("{err:?}")
        };
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert_eq!(problems["row 2"], "price must be a positive amount");
        let row3 = &problems["row 3"];
        for part in [
            "name is required",
            "stock must be from 0",
            "featured must be yes or no",
            "keto",
        ] {
            assert!(row3.contains(part), "{row3}");
        }
        let missing = parse_rows(&sheet("name,cost\nJollof,100\n")).unwrap_err();
        assert_eq!(
            missing,
            ImportError::Rows(BTreeMap::from([(
                "header".into(),
                "missing the column(s) category, price".into()
            )]))
        );
    }

    #[test]
    fn more_than_five_hundred_rows_is_too_large() {
        let mut text = String::from("name,category,price\n");
        for i in 0..=MAX_IMPORT_ROWS {
            text.push_str(&format!("Dish {i},Rice,100\n"));
        }
        assert_eq!(
            parse_rows(&sheet(&text)),
            Err(ImportError::TooManyRows(MAX_IMPORT_ROWS + 1))
        );
    }

    #[test]
    fn a_plan_updates_by_name_creates_the_rest_and_each_category_once() {
        let rice = Category::new(
            &NewCategory {
                name: Name::parse("Rice Dishes").unwrap(),
                description: None,
                position: 0,
            },
            "t0".into(),
        );
        let mut jollof = Food::new(
            &Name::parse("Jollof Rice").unwrap(),
            Money::from_kobo(100),
            rice.id.clone(),
            "t0".into(),
        );
        jollof.stock = Some(3);
        jollof.description = Some("kept".into());
        let menu = Menu {
            categories: vec![rice.clone()],
            foods: vec![jollof.clone()],
        };
        let rows = parse_rows(&sheet(
            "name,category,price,description\nJOLLOF RICE,rice dishes,3000,\nZobo,Drinks,500,Cold\nChapman,DRINKS,800,\n",
        ))
        .unwrap();
        let plan = plan(&rows, &menu, "t1").unwrap();
        assert_eq!(plan.categories.len(), 1, "Drinks once, whatever its case");
        assert_eq!(plan.creates.len(), 2);
        assert!(plan.creates.iter().all(|(_, f)| f.category_id == plan.categories[0].id));
        let (_, current, next, sets_stock) = &plan.updates[0];
        assert_eq!(current.id, jollof.id);
        assert_eq!(
            (next.price, next.name.as_str(), next.category_id.as_str()),
            (300_000, "JOLLOF RICE", rice.id.as_str())
        );
        assert_eq!(
            next.description.as_deref(),
            Some("kept"),
            "an empty cell leaves the value"
        );
        assert!(!sets_stock, "the stock moves with orders unless the file sets it");

        let twice = parse_rows(&sheet(
            "name,category,price\nZobo,Drinks,1\nzobo,Drinks,2\nZOBO,Drinks,3\n",
        ));
        let Err(ImportError::Rows(problems)) = twice else {
            panic!("{twice:?}")
        };
        assert_eq!(problems["row 3"], "repeats the dish of row 2");
        assert_eq!(problems["row 4"], "repeats the dish of row 2");
    }
}
