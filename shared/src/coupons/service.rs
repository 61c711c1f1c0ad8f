//! The coupon flows. Managers', on one kitchen's coupons: create (a code once per kitchen),
//! list, change (decided on the coupon as read, again when it moved), delete. Customers': the
//! coupons they can use now, their usage history, their stats and tier. (Using a coupon is the
//! order placement's: the orders feature counts it in the order's own write.)

use super::model::{Coupon, CouponChange, Fields, Stats, Tier, TierThresholds, Usage, new_coupon};
use super::store::{CouponStore, CustomerCoupons, Written};
use crate::platform::clock::now_rfc3339;
use crate::platform::db::Db;
use crate::platform::db::Page;
use crate::platform::error::Failure;
use crate::platform::pagination::PageRequest;
use crate::platform::retry::{Round, on_condition};
use crate::platform::validation::Invalid;

const ATTEMPTS: usize = 5;

#[derive(Debug, thiserror::Error)]
pub enum CouponError {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("no such coupon")]
    NotFound,
    #[error("the kitchen has a coupon with this code")]
    CodeTaken,
    #[error(transparent)]
    Failure(#[from] Failure),
}

/// Every kitchen's coupons.
#[derive(Clone, Debug)]
pub struct CouponService {
    db: Db,
    thresholds: TierThresholds,
}

impl CouponService {
    pub fn new(db: Db) -> Self {
        Self {
            db,
            thresholds: TierThresholds::default(),
        }
    }

    /// The same service with other tier thresholds (configuration).
    pub fn with_thresholds(mut self, thresholds: TierThresholds) -> Self {
        self.thresholds = thresholds;
        self
    }

    pub fn thresholds(&self) -> TierThresholds {
        self.thresholds
    }

    fn customers(&self) -> CustomerCoupons {
        CustomerCoupons::new(self.db.clone())
    }

    /// The customer's completed orders and spending, and the tier they earn.
    pub async fn standing(&self, customer_id: &str) -> Result<(Stats, Tier), CouponError> {
        let stats = self.customers().stats(customer_id).await?;
        Ok((stats, self.thresholds.tier(stats)))
    }

    /// The kitchen's coupons the customer can use now (active, begun, not ended or used up,
    /// within their own limit, for their tier): the kitchen's coupons, then the customer's stats
    /// and counts in one BatchGetItem.
    pub async fn usable(&self, kitchen_id: &str, customer_id: &str) -> Result<Vec<Coupon>, CouponError> {
        let now = jiff::Timestamp::now();
        let mut coupons = self.store(kitchen_id).all().await?;
        // Only those someone could use now need the customer's counts (a BatchGetItem holds 100).
        coupons.retain(|c| Tier::ALL.into_iter().any(|tier| c.usable_now(now, tier, 0)));
        coupons.truncate(99);
        if coupons.is_empty() {
            return Ok(coupons);
        }
        let codes: Vec<&str> = coupons.iter().map(|c| c.code.as_str()).collect();
        let (stats, uses) = self.customers().standing(kitchen_id, &codes, customer_id).await?;
        let tier = self.thresholds.tier(stats);
        let used = |c: &Coupon| uses.iter().map(|u| u.of(c)).sum::<i64>();
        let usable = coupons
            .iter()
            .filter(|c| c.usable_now(now, tier, used(c)))
            .cloned()
            .collect();
        Ok(usable)
    }

    /// A page of the customer's coupon uses, newest first.
    pub async fn usage(&self, customer_id: &str, page: &PageRequest) -> Result<Page<Usage>, CouponError> {
        Ok(self.customers().usage(customer_id, page).await?)
    }

    fn store(&self, kitchen_id: &str) -> CouponStore {
        CouponStore::of(self.db.clone(), kitchen_id)
    }

    pub async fn create(&self, kitchen_id: &str, fields: &Fields) -> Result<Coupon, CouponError> {
        let coupon = new_coupon(fields, kitchen_id, &now_rfc3339())?;
        match self.store(kitchen_id).create(&coupon).await? {
            Written::Done => {
                tracing::info!(coupon_id = %coupon.id, kitchen_id, kind = coupon.offer.kind(), "coupon created");
                Ok(coupon)
            }
            Written::Refused => Err(CouponError::CodeTaken),
        }
    }

    pub async fn all(&self, kitchen_id: &str) -> Result<Vec<Coupon>, CouponError> {
        Ok(self.store(kitchen_id).all().await?)
    }

    pub async fn change(&self, kitchen_id: &str, id: &str, change: &CouponChange) -> Result<Coupon, CouponError> {
        let store = self.store(kitchen_id);
        let store = &store;
        on_condition("change coupon", ATTEMPTS, (), |()| async move {
            let current = store.coupon(id).await?.ok_or(CouponError::NotFound)?;
            let next = current.changed(change, &now_rfc3339())?;
            Ok(match store.change(&current, &next).await? {
                Written::Done => Round::Done(next),
                Written::Refused => Round::Again(()),
            })
        })
        .await
    }

    pub async fn delete(&self, kitchen_id: &str, id: &str) -> Result<(), CouponError> {
        let store = self.store(kitchen_id);
        let store = &store;
        on_condition("delete coupon", ATTEMPTS, (), |()| async move {
            let current = store.coupon(id).await?.ok_or(CouponError::NotFound)?;
            Ok(match store.delete(&current).await? {
                Written::Done => Round::Done(()),
                Written::Refused => Round::Again(()),
            })
        })
        .await
    }
}
