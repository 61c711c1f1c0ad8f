//! The cart flows: read it at current prices, put or remove a line, clear it, check it out.
//! Reads go beside the session check and the menu (one round trip); a change is decided on the
//! cart as read and written under its version, decided again when the customer's other device
//! changed it meanwhile. Checkout is the orders' placement flow with the cart as its basket.

use super::model::{Cart, CartRefusal, PricedCart, Quantity};
use super::store::{CartStore, Saved};
use crate::accounts::AccountError;
use crate::accounts::model::Subject;
use crate::menu::model::Menu;
use crate::menu::store::MenuStore;
use crate::orders::model::{Handover, IdempotencyKey};
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
    menu: MenuStore,
    orders: OrderService,
}

impl CartService {
    pub fn new(store: CartStore, menu: MenuStore, orders: OrderService) -> Self {
        Self { store, menu, orders }
    }

    /// The cart and the menu, read side by side: one round trip.
    async fn read(&self, customer: &Subject) -> Result<(Cart, Menu), CartError> {
        let (cart, menu) = tokio::join!(self.store.cart(&customer.user_id), self.menu.menu());
        Ok((Cart::live(cart?, now_epoch()), menu?))
    }

    /// The cart at current menu prices.
    pub async fn cart(&self, customer: &Subject) -> Result<PricedCart, CartError> {
        let (cart, menu) = self.read(customer).await?;
        Ok(cart.priced(|id| menu.food(id)))
    }

    /// Puts `quantity` of a dish in the cart (or changes its line). The dish must exist and be
    /// switched on.
    pub async fn set_line(
        &self,
        customer: &Subject,
        food_id: &str,
        quantity: Quantity,
    ) -> Result<PricedCart, CartError> {
        let (cart, menu) = self.read(customer).await?;
        let food = menu
            .food(food_id)
            .ok_or_else(|| CartError::FoodNotFound(food_id.to_owned()))?;
        if !food.is_available {
            return Err(CartError::FoodUnavailable(food.name.clone()));
        }
        let cart = on_condition("cart line", ATTEMPTS, cart, |cart: Cart| async move {
            let next = cart.with_line(food, quantity, &now_rfc3339(), now_epoch())?;
            Ok::<_, CartError>(match self.store.save(&customer.user_id, cart.version, &next).await? {
                Saved::Done => Round::Done(next),
                Saved::Stale => Round::Again(self.current(customer).await?),
            })
        })
        .await?;
        Ok(cart.priced(|id| menu.food(id)))
    }

    /// Takes a dish's line out of the cart (no line: nothing changes).
    pub async fn remove_line(&self, customer: &Subject, food_id: &str) -> Result<PricedCart, CartError> {
        let (cart, menu) = self.read(customer).await?;
        let cart = on_condition("cart line", ATTEMPTS, cart, |cart: Cart| async move {
            let Some(next) = cart.without_line(food_id, &now_rfc3339(), now_epoch()) else {
                return Ok::<_, CartError>(Round::Done(cart));
            };
            Ok(match self.store.save(&customer.user_id, cart.version, &next).await? {
                Saved::Done => Round::Done(next),
                Saved::Stale => Round::Again(self.current(customer).await?),
            })
        })
        .await?;
        Ok(cart.priced(|id| menu.food(id)))
    }

    /// Empties the cart.
    pub async fn clear(&self, customer: &Subject) -> Result<(), CartError> {
        Ok(self.store.clear(&customer.user_id).await?)
    }

    /// Orders what the cart holds (see [`OrderService::checkout`]).
    pub async fn checkout(
        &self,
        customer: &Subject,
        key: Option<IdempotencyKey>,
        handover: Handover,
    ) -> Result<Placement, CartError> {
        Ok(self.orders.checkout(customer, key, handover).await?)
    }

    async fn current(&self, customer: &Subject) -> Result<Cart, CartError> {
        Ok(Cart::live(self.store.cart(&customer.user_id).await?, now_epoch()))
    }
}
