//! The cart flows: read it at current prices, put or remove a line, clear it, check it out.
//! Reads go beside the session check and the menu (one round trip); a change is decided on the
//! cart as read and written under its version, decided again when the customer's other device
//! changed it meanwhile. Checkout is the orders' placement flow with the cart as its basket.

use std::sync::Arc;

use super::model::{Cart, CartRefusal, PricedCart, Quantity};
use super::store::{CartStore, Saved};
use crate::accounts::AccountError;
use crate::accounts::model::Subject;
use crate::menu::model::Menu;
use crate::menu::{MenuError, MenuService};
use crate::orders::model::{Handover, IdempotencyKey, OutOfRange};
use crate::orders::service::Placement;
use crate::orders::{OrderError, OrderService};
use crate::platform::clock::{now_epoch, now_rfc3339};
use crate::platform::error::Failure;
use crate::platform::retry::{Round, on_condition};

/// A change retried when the cart keeps changing under it.
const ATTEMPTS: usize = 3;

#[derive(Debug, thiserror::Error)]
pub enum CartError {
    #[error(transparent)]
    Refused(#[from] CartRefusal),
    #[error("no dish {0}")]
    FoodNotFound(String),
    /// The dish (named) is switched off.
    #[error("{0} is switched off")]
    FoodUnavailable(String),
    /// The quantity is outside the dish's limits.
    #[error("quantity out of range")]
    QuantityOutOfRange(OutOfRange),
    /// The dish is another kitchen's.
    #[error("{0} is another kitchen's dish")]
    WrongKitchen(String),
    #[error(transparent)]
    Menu(#[from] MenuError),
    #[error(transparent)]
    Order(#[from] OrderError),
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Failure(#[from] Failure),
}

#[derive(Clone)]
pub struct CartService {
    store: CartStore,
    menu: MenuService,
    orders: OrderService,
}

impl CartService {
    pub fn new(store: CartStore, menu: MenuService, orders: OrderService) -> Self {
        Self { store, menu, orders }
    }

    /// The cart and the menu, read side by side: one round trip.
    async fn read(&self, customer: &Subject, kitchen_id: &str) -> Result<(Cart, Arc<Menu>), CartError> {
        let menu = self.menu.of(kitchen_id);
        let (cart, menu) = tokio::join!(self.store.cart(&customer.user_id, kitchen_id), menu.menu());
        Ok((Cart::live(cart?, now_epoch()), menu?))
    }

    /// The customer's cart at a kitchen, at current menu prices.
    pub async fn cart(&self, customer: &Subject, kitchen_id: &str) -> Result<PricedCart, CartError> {
        let (cart, menu) = self.read(customer, kitchen_id).await?;
        Ok(cart.priced(|id| menu.food(id)))
    }

    /// Puts `quantity` of a dish in the cart (or changes its line). The dish must exist and be
    /// switched on.
    pub async fn set_line(
        &self,
        customer: &Subject,
        kitchen_id: &str,
        food_id: &str,
        quantity: Quantity,
    ) -> Result<PricedCart, CartError> {
        let (cart, menu) = self.read(customer, kitchen_id).await?;
        let Some(food) = menu.food(food_id) else {
            return Err(self.not_here(kitchen_id, food_id).await?);
        };
        if !food.is_available {
            return Err(CartError::FoodUnavailable(food.name.clone()));
        }
        if !food.limits().allows(quantity.get()) {
            return Err(CartError::QuantityOutOfRange(OutOfRange {
                food_item_id: food.id.clone(),
                name: food.name.clone(),
                limits: food.limits(),
            }));
        }
        let cart = on_condition("cart line", ATTEMPTS, cart, |cart: Cart| async move {
            let next = cart.with_line(food, quantity, &now_rfc3339(), now_epoch())?;
            Ok::<_, CartError>(
                match self
                    .store
                    .save(&customer.user_id, kitchen_id, cart.version, &next)
                    .await?
                {
                    Saved::Done => Round::Done(next),
                    Saved::Stale => Round::Again(self.current(customer, kitchen_id).await?),
                },
            )
        })
        .await?;
        Ok(cart.priced(|id| menu.food(id)))
    }

    /// Takes a dish's line out of the cart (no line: nothing changes).
    pub async fn remove_line(
        &self,
        customer: &Subject,
        kitchen_id: &str,
        food_id: &str,
    ) -> Result<PricedCart, CartError> {
        let (cart, menu) = self.read(customer, kitchen_id).await?;
        if menu.food(food_id).is_none() && !cart.has_line(food_id) {
            // Not here and not in the cart: nothing to take out, unless it is another kitchen's.
            if let CartError::WrongKitchen(id) = self.not_here(kitchen_id, food_id).await? {
                return Err(CartError::WrongKitchen(id));
            }
        }
        let cart = on_condition("cart line", ATTEMPTS, cart, |cart: Cart| async move {
            let Some(next) = cart.without_line(food_id, &now_rfc3339(), now_epoch()) else {
                return Ok::<_, CartError>(Round::Done(cart));
            };
            Ok(
                match self
                    .store
                    .save(&customer.user_id, kitchen_id, cart.version, &next)
                    .await?
                {
                    Saved::Done => Round::Done(next),
                    Saved::Stale => Round::Again(self.current(customer, kitchen_id).await?),
                },
            )
        })
        .await?;
        Ok(cart.priced(|id| menu.food(id)))
    }

    /// The customer's non-empty carts, each priced at its kitchen's menu: one Query, then each
    /// kitchen's menu side by side.
    pub async fn carts(&self, customer: &Subject) -> Result<Vec<(String, PricedCart)>, CartError> {
        let now = now_epoch();
        let stored: Vec<(String, Cart)> = self
            .store
            .carts(&customer.user_id)
            .await?
            .into_iter()
            .map(|(kitchen, cart)| (kitchen, Cart::live(Some(cart), now)))
            .filter(|(_, cart)| !cart.is_empty())
            .collect();
        let menus = futures_util::future::join_all(stored.iter().map(|(kitchen, _)| {
            let menu = self.menu.of(kitchen);
            async move { menu.menu().await }
        }))
        .await;
        let mut out = Vec::new();
        for ((kitchen, cart), menu) in stored.into_iter().zip(menus) {
            let menu = menu?;
            out.push((kitchen, cart.priced(|id| menu.food(id))));
        }
        Ok(out)
    }

    /// Empties the cart.
    pub async fn clear(&self, customer: &Subject, kitchen_id: &str) -> Result<(), CartError> {
        Ok(self.store.clear(&customer.user_id, kitchen_id).await?)
    }

    /// Orders what the cart holds (see [`OrderService::checkout`]).
    pub async fn checkout(
        &self,
        customer: &Subject,
        kitchen_id: &str,
        key: Option<IdempotencyKey>,
        handover: Handover,
    ) -> Result<Placement, CartError> {
        Ok(self.orders.checkout(customer, kitchen_id, key, handover).await?)
    }

    async fn current(&self, customer: &Subject, kitchen_id: &str) -> Result<Cart, CartError> {
        Ok(Cart::live(
            self.store.cart(&customer.user_id, kitchen_id).await?,
            now_epoch(),
        ))
    }

    /// Why a dish is not on this kitchen's menu: another kitchen's, or nobody's.
    async fn not_here(&self, kitchen_id: &str, food_id: &str) -> Result<CartError, CartError> {
        let kitchens = self.menu.kitchens_of(&[food_id]).await?;
        Ok(match kitchens.get(food_id) {
            Some(other) if other != kitchen_id => CartError::WrongKitchen(food_id.to_owned()),
            _ => CartError::FoodNotFound(food_id.to_owned()),
        })
    }
}
