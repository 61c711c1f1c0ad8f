//! The managers' coupon flows, on one kitchen's coupons: create (a code once per kitchen),
//! list, change (decided on the coupon as read, again when it moved), delete.

use super::model::{Coupon, CouponChange, Fields, new_coupon};
use super::store::{CouponStore, Written};
use crate::platform::clock::now_rfc3339;
use crate::platform::db::Db;
use crate::platform::error::Failure;
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
}

impl CouponService {
    pub fn new(db: Db) -> Self {
        Self { db }
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
