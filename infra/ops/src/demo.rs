//! The demo menu `kitchen-ops seed-demo` writes: a Lagos kitchen's rice dishes, soups and
//! swallows, grills, small chops and drinks. Prices in kobo; a few dishes switched off, and a
//! few with tracked stock (one of them sold out) so that a new user sees how stock shows.

pub struct DemoCategory {
    pub name: &'static str,
    pub description: &'static str,
    pub foods: &'static [DemoFood],
}

pub struct DemoFood {
    pub name: &'static str,
    pub description: &'static str,
    pub price_kobo: i64,
    pub available: bool,
    /// Portions in stock and the low-stock threshold (`None`: not tracked).
    pub stock: Option<(i64, i64)>,
}

const fn dish(name: &'static str, description: &'static str, price_kobo: i64, available: bool) -> DemoFood {
    DemoFood {
        name,
        description,
        price_kobo,
        available,
        stock: None,
    }
}

/// A dish the kitchen makes a fixed number of each day.
const fn counted(name: &'static str, description: &'static str, price_kobo: i64, stock: i64, low: i64) -> DemoFood {
    DemoFood {
        name,
        description,
        price_kobo,
        available: true,
        stock: Some((stock, low)),
    }
}

pub const MENU: &[DemoCategory] = &[
    DemoCategory {
        name: "Rice Dishes",
        description: "Party favourites, cooked fresh every morning",
        foods: &[
            dish(
                "Jollof Rice with Chicken",
                "Smoky party jollof, fried plantain and a quarter chicken",
                350_000,
                true,
            ),
            dish(
                "Fried Rice with Turkey",
                "Vegetable fried rice with peppered turkey",
                400_000,
                true,
            ),
            dish(
                "Ofada Rice with Ayamase",
                "Local ofada rice with green pepper and assorted meat sauce",
                380_000,
                true,
            ),
            dish(
                "Coconut Rice with Fish",
                "Coconut rice with grilled titus fish",
                360_000,
                false,
            ),
        ],
    },
    DemoCategory {
        name: "Soups & Swallows",
        description: "Choose your swallow: pounded yam, eba, amala or semovita",
        foods: &[
            dish(
                "Egusi Soup with Pounded Yam",
                "Melon seed soup with spinach, beef and shaki",
                450_000,
                true,
            ),
            dish(
                "Efo Riro with Amala",
                "Rich vegetable soup with assorted meat and stockfish",
                400_000,
                true,
            ),
            dish(
                "Afang Soup with Eba",
                "Calabar afang with periwinkle and beef",
                480_000,
                true,
            ),
            dish(
                "Ogbono Soup with Semovita",
                "Draw soup with beef and dried fish",
                420_000,
                false,
            ),
            dish(
                "Goat Meat Pepper Soup",
                "Spicy broth with uziza and goat meat",
                300_000,
                true,
            ),
        ],
    },
    DemoCategory {
        name: "Grills",
        description: "From the charcoal grill, spiced the northern way",
        foods: &[
            dish(
                "Beef Suya (200g)",
                "Thin-sliced beef with yaji, onions and tomatoes",
                250_000,
                true,
            ),
            counted("Asun", "Spicy smoked goat meat with peppers", 300_000, 12, 4),
            counted(
                "Grilled Croaker Fish",
                "Whole croaker with pepper sauce and chips",
                650_000,
                0,
                2,
            ),
            dish("Chicken Wings (6 pcs)", "Peppered grilled wings", 280_000, true),
        ],
    },
    DemoCategory {
        name: "Small Chops & Sides",
        description: "Sides and snacks",
        foods: &[
            dish("Dodo", "Fried ripe plantain", 80_000, true),
            dish("Puff-Puff (10 pcs)", "Sweet fried dough balls", 100_000, true),
            counted("Moi Moi", "Steamed bean pudding with egg and fish", 120_000, 30, 5),
            dish(
                "Small Chops Platter",
                "Samosa, spring rolls, puff-puff and gizdodo for two",
                500_000,
                false,
            ),
        ],
    },
    DemoCategory {
        name: "Drinks",
        description: "Chilled",
        foods: &[
            dish("Chapman", "The classic Nigerian cocktail, alcohol-free", 150_000, true),
            dish("Zobo", "Hibiscus drink with ginger and pineapple", 80_000, true),
            dish("Palm Wine (50cl)", "Fresh from Ikorodu", 120_000, false),
            dish("Bottled Water (75cl)", "Still water", 30_000, true),
        ],
    },
];

/// The second demo kitchen: a suya spot that opens in the evening, pickup only, with a minimum
/// order, so the platform shows more than one kind of kitchen after `dev.sh up`.
pub struct DemoKitchen {
    pub slug: &'static str,
    pub name: &'static str,
    pub phone: &'static str,
    pub address: &'static str,
    pub description: &'static str,
    /// Its settings, as a manager would PATCH them.
    pub settings: &'static str,
    pub menu: &'static [DemoCategory],
}

pub const SECOND_KITCHEN: DemoKitchen = DemoKitchen {
    slug: "mallam-suya",
    name: "Mallam Suya Spot",
    phone: "+2348091234567",
    address: "7 Ozumba Mbadiwe Avenue, Victoria Island, Lagos",
    description: "Suya, kilishi and grilled fish off the charcoal, every evening.",
    settings: r#"{
        "hours": [
            {"day": "mon", "opens": "17:00", "closes": "23:30"},
            {"day": "tue", "opens": "17:00", "closes": "23:30"},
            {"day": "wed", "opens": "17:00", "closes": "23:30"},
            {"day": "thu", "opens": "17:00", "closes": "23:30"},
            {"day": "fri", "opens": "17:00", "closes": "02:00"},
            {"day": "sat", "opens": "16:00", "closes": "02:00"},
            {"day": "sun", "opens": "16:00", "closes": "23:00"}
        ],
        "delivery": {"enabled": false, "fee": 0, "minimum_order": 0, "radius_km": null},
        "pickup": {"enabled": true},
        "location": {"lat": 6.4295, "lng": 3.4219}
    }"#,
    menu: SUYA_MENU,
};

const SUYA_MENU: &[DemoCategory] = &[
    DemoCategory {
        name: "Suya",
        description: "Thin-sliced, spiced with yaji, off the charcoal",
        foods: &[
            dish(
                "Beef Suya",
                "A stick of beef suya with onions, tomatoes and extra yaji",
                250_000,
                true,
            ),
            dish("Chicken Suya", "Spiced chicken, grilled over charcoal", 300_000, true),
            dish("Ram Suya", "Ram meat suya, fat and all", 350_000, true),
        ],
    },
    DemoCategory {
        name: "From the grill",
        description: "Whole and half portions",
        foods: &[
            dish(
                "Grilled Croaker Fish",
                "Whole croaker with pepper sauce and chips",
                900_000,
                true,
            ),
            dish("Kilishi (100 g)", "Dried spiced beef", 400_000, true),
        ],
    },
];

/// The demo dishes' tags, featured flag and quantity limits (min, max), by name; every other
/// dish has no tags, is not featured and takes 1 to 50.
pub const EXTRAS: &[(&str, &[&str], bool, (i64, i64))] = &[
    ("Jollof Rice with Chicken", &["halal"], true, (1, 50)),
    ("Ofada Rice with Ayamase", &["spicy"], false, (1, 50)),
    ("Egusi Soup with Pounded Yam", &["contains_nuts"], true, (1, 50)),
    ("Efo Riro with Amala", &["spicy"], false, (1, 50)),
    (
        "Goat Meat Pepper Soup",
        &["spicy", "halal", "dairy_free"],
        false,
        (1, 50),
    ),
    ("Beef Suya (200g)", &["spicy", "halal", "contains_nuts"], true, (1, 50)),
    ("Asun", &["spicy", "halal"], false, (1, 10)),
    ("Grilled Croaker Fish", &["seafood", "gluten_free"], false, (1, 50)),
    ("Dodo", &["vegan", "vegetarian", "gluten_free"], false, (1, 50)),
    ("Puff-Puff (10 pcs)", &["vegetarian", "dairy_free"], false, (1, 50)),
    ("Moi Moi", &["gluten_free"], false, (1, 50)),
    ("Small Chops Platter", &[], true, (1, 5)),
    ("Chapman", &["vegan", "vegetarian"], false, (1, 50)),
    ("Zobo", &["vegan", "vegetarian", "gluten_free"], false, (1, 50)),
    ("Beef Suya", &["spicy", "halal", "contains_nuts"], true, (1, 50)),
    ("Chicken Suya", &["spicy", "halal", "contains_nuts"], true, (1, 50)),
    ("Ram Suya", &["spicy", "halal", "contains_nuts"], false, (1, 50)),
    ("Kilishi (100 g)", &["spicy", "halal"], false, (2, 20)),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_extra_names_a_demo_dish_with_known_tags_and_limits_that_do_not_cross() {
        let names: Vec<&str> = MENU
            .iter()
            .chain(SECOND_KITCHEN.menu)
            .flat_map(|c| c.foods.iter().map(|f| f.name))
            .collect();
        for (name, tags, _, (min, max)) in EXTRAS {
            assert!(names.contains(name), "{name} is not on a demo menu");
            assert!(
                shared::menu::model::Tag::parse_all(tags.iter().copied()).is_ok(),
                "{name}"
            );
            assert!(1 <= *min && min <= max && *max <= 50, "{name}");
        }
    }
}
