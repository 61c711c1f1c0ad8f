//! The cart: a customer's lines kept on the server (so it follows them across devices), the
//! rules for changing it, and how it reads at current menu prices. Imports neither HTTP nor the
//! store.

use serde::{Deserialize, Serialize};

use crate::menu::model::{CURRENCY, Food, Money};
use crate::orders::model::{MAX_LINES, MAX_QUANTITY, RequestedLine};
use crate::platform::validation::Invalid;

/// A cart nobody touched for this long is gone (TTL, and the code's own check).
pub const IDLE_SECS: i64 = 30 * 24 * 3600;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartLine {
    pub food_item_id: String,
    pub quantity: i64,
    /// The dish's name when last put in the cart: what a line shows once its dish is deleted.
    pub name: String,
}

/// A customer's cart as stored: lines in the order they were first added.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cart {
    pub lines: Vec<CartLine>,
    /// Bumped by every change: writes are conditioned on the version read.
    pub version: u64,
    pub updated_at: String,
    /// Epoch seconds after which the cart is gone.
    pub expires_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CartRefusal {
    #[error("the cart holds {MAX_LINES} lines already")]
    Full,
    #[error("the cart is empty")]
    Empty,
}

/// A quantity for a cart line: 1 to [`MAX_QUANTITY`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quantity(i64);

impl Quantity {
    pub fn parse(raw: Option<i64>) -> Result<Self, Invalid> {
        match raw {
            Some(q) if (1..=MAX_QUANTITY).contains(&q) => Ok(Self(q)),
            _ => Err(Invalid::field(
                "invalid_quantity",
                "quantity",
                format!("must be a whole number from 1 to {MAX_QUANTITY}"),
                "Invalid quantity",
            )),
        }
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

impl Cart {
    /// The cart as it stands at `now`: an idle one is empty (TTL deletes lazily), keeping its
    /// version so that the next write is conditioned on what is stored.
    pub fn live(stored: Option<Cart>, now: i64) -> Cart {
        match stored {
            Some(cart) if cart.expires_at > now => cart,
            Some(idle) => Cart {
                version: idle.version,
                ..Cart::default()
            },
            None => Cart::default(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// The cart with `food` at `quantity` (a new line at the end, or the line changed).
    pub fn with_line(&self, food: &Food, quantity: Quantity, now: &str, now_epoch: i64) -> Result<Cart, CartRefusal> {
        let mut next = self.touched(now, now_epoch);
        let count = next.lines.len();
        match next.lines.iter_mut().find(|l| l.food_item_id == food.id) {
            Some(line) => {
                line.quantity = quantity.get();
                line.name = food.name.clone();
            }
            None if count >= MAX_LINES => return Err(CartRefusal::Full),
            None => next.lines.push(CartLine {
                food_item_id: food.id.clone(),
                quantity: quantity.get(),
                name: food.name.clone(),
            }),
        }
        Ok(next)
    }

    /// The cart without `food_item_id`; `None` when it had no such line (nothing to write).
    /// Whether the cart has a line for the dish.
    pub fn has_line(&self, food_item_id: &str) -> bool {
        self.lines.iter().any(|l| l.food_item_id == food_item_id)
    }

    pub fn without_line(&self, food_item_id: &str, now: &str, now_epoch: i64) -> Option<Cart> {
        if !self.lines.iter().any(|l| l.food_item_id == food_item_id) {
            return None;
        }
        let mut next = self.touched(now, now_epoch);
        next.lines.retain(|l| l.food_item_id != food_item_id);
        Some(next)
    }

    fn touched(&self, now: &str, now_epoch: i64) -> Cart {
        Cart {
            lines: self.lines.clone(),
            version: self.version + 1,
            updated_at: now.to_owned(),
            expires_at: now_epoch + IDLE_SECS,
        }
    }

    /// What checking out orders: every line, as an order request's lines.
    pub fn order_lines(&self) -> Result<Vec<RequestedLine>, CartRefusal> {
        if self.is_empty() {
            return Err(CartRefusal::Empty);
        }
        Ok(self
            .lines
            .iter()
            .map(|l| RequestedLine {
                food_item_id: l.food_item_id.clone(),
                quantity: l.quantity,
            })
            .collect())
    }

    /// The cart at current menu prices: every line stays visible; a line whose dish is gone or
    /// switched off is `available: false`, one whose dish is sold out `sold_out: true`, and only
    /// lines that can be ordered now count in the total.
    pub fn priced<'a>(&self, lookup: impl Fn(&str) -> Option<&'a Food>) -> PricedCart {
        let mut total = Money::from_kobo(0);
        let items = self
            .lines
            .iter()
            .map(|line| {
                let food = lookup(&line.food_item_id);
                let available = food.is_some_and(|f| f.is_available);
                let sold_out = food.is_some_and(Food::sold_out);
                let unit_price = food.map_or(0, |f| f.price);
                let line_total = Money::from_kobo(unit_price)
                    .checked_mul(line.quantity)
                    .unwrap_or(Money::from_kobo(0));
                if available && !sold_out {
                    total = total.checked_add(line_total).unwrap_or(total);
                }
                PricedLine {
                    food_item_id: line.food_item_id.clone(),
                    name: food.map_or_else(|| line.name.clone(), |f| f.name.clone()),
                    unit_price: food.map(|f| f.price),
                    quantity: line.quantity,
                    line_total: food.map(|_| line_total.kobo()),
                    min_quantity: food.map(|f| f.min_quantity),
                    max_quantity: food.map(|f| f.max_quantity),
                    available,
                    sold_out,
                }
            })
            .collect();
        PricedCart {
            items,
            total: total.kobo(),
            currency: CURRENCY,
            updated_at: (!self.updated_at.is_empty()).then(|| self.updated_at.clone()),
        }
    }
}

/// A cart line at current prices (a deleted dish has no price any more, only its last name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PricedLine {
    pub food_item_id: String,
    pub name: String,
    pub unit_price: Option<i64>,
    pub quantity: i64,
    pub line_total: Option<i64>,
    /// The dish's quantity limits (`None` once the dish is gone).
    pub min_quantity: Option<i64>,
    pub max_quantity: Option<i64>,
    pub available: bool,
    pub sold_out: bool,
}

/// The cart as the customer sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PricedCart {
    pub items: Vec<PricedLine>,
    pub total: i64,
    pub currency: &'static str,
    /// `None` for a cart never written (or expired).
    pub updated_at: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn food(id: &str, price: i64, available: bool, stock: Option<i64>) -> Food {
        let mut f = Food::new(
            &crate::menu::model::Name::parse(id).unwrap(),
            Money::from_kobo(price),
            "C".into(),
            "t".into(),
        );
        f.id = id.into();
        f.is_available = available;
        f.stock = stock;
        f
    }

    fn q(n: i64) -> Quantity {
        Quantity::parse(Some(n)).unwrap()
    }

    fn dish(id: &str) -> Food {
        food(id, 100, true, None)
    }

    #[test]
    fn lines_are_added_in_order_changed_in_place_and_capped_at_fifty() {
        let cart = Cart::default()
            .with_line(&dish("A"), q(1), "t1", 0)
            .unwrap()
            .with_line(&dish("B"), q(2), "t2", 0)
            .unwrap()
            .with_line(&dish("A"), q(5), "t3", 10)
            .unwrap();
        assert_eq!(
            cart.lines
                .iter()
                .map(|l| (l.food_item_id.as_str(), l.quantity))
                .collect::<Vec<_>>(),
            [("A", 5), ("B", 2)]
        );
        assert_eq!((cart.version, cart.expires_at), (3, 10 + IDLE_SECS));
        let mut full = Cart::default();
        for i in 0..MAX_LINES {
            full = full.with_line(&dish(&format!("F{i}")), q(1), "t", 0).unwrap();
        }
        assert_eq!(full.with_line(&dish("ONEMORE"), q(1), "t", 0), Err(CartRefusal::Full));
        assert!(
            full.with_line(&dish("F3"), q(2), "t", 0).is_ok(),
            "changing a line is not adding one"
        );
        for bad in [None, Some(0), Some(51)] {
            assert_eq!(Quantity::parse(bad).unwrap_err().code, "invalid_quantity");
        }
    }

    #[test]
    fn removing_an_absent_line_writes_nothing_and_an_idle_cart_is_empty() {
        let cart = Cart::default().with_line(&dish("A"), q(1), "t", 100).unwrap();
        assert_eq!(cart.without_line("Z", "t", 100), None);
        assert!(cart.without_line("A", "t", 100).unwrap().is_empty());
        assert_eq!(Cart::live(Some(cart.clone()), 100 + IDLE_SECS - 1), cart);
        let idle = Cart::live(Some(cart.clone()), 100 + IDLE_SECS);
        assert!(idle.is_empty());
        assert_eq!(
            idle.version, cart.version,
            "the next write is conditioned on what is stored"
        );
        assert_eq!(Cart::default().order_lines(), Err(CartRefusal::Empty));
    }

    #[test]
    fn a_cart_reads_at_current_prices_and_counts_only_what_can_be_ordered() {
        let cart = ["A", "B", "C", "D"]
            .iter()
            .fold(Cart::default(), |c, id| c.with_line(&dish(id), q(2), "t", 0).unwrap());
        let menu = [
            food("A", 100, true, None),
            food("B", 200, false, None),
            food("C", 300, true, Some(0)),
        ];
        let priced = cart.priced(|id| menu.iter().find(|f| f.id == id));
        let flags: Vec<_> = priced.items.iter().map(|l| (l.available, l.sold_out)).collect();
        assert_eq!(flags, [(true, false), (false, false), (true, true), (false, false)]);
        assert_eq!(priced.total, 200, "only A counts");
        assert_eq!(priced.items[0].line_total, Some(200));
        assert_eq!(priced.items[3].name, "D", "a deleted dish keeps its last name");
        assert_eq!(priced.items[3].unit_price, None, "and has no price any more");
        // A price change shows at once.
        let dearer = [food("A", 150, true, None)];
        assert_eq!(
            cart.priced(|id| dearer.iter().find(|f| f.id == id)).items[0].unit_price,
            Some(150)
        );
    }
}
