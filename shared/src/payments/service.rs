//! The payment flows: open a Paystack payment for an order, take Paystack's word for a charge
//! (its signed webhook, or a verification the customer asks for), and apply one rule to both.

use super::model::{
    CURRENCY, Charge, ChargeDecision, Outcome, PayError, PaymentAnomaly, Reference, RefundOutcome, WebhookEvent,
    check_payable, decide_charge, signature_matches,
};
use super::paystack::{NewTransaction, Paystack, PaystackError, Started};
use super::store::{Marked, Opened, PaymentStore};
use crate::accounts::AccountError;
use crate::accounts::model::Subject;
use crate::kitchens::store::KitchenStore;
use crate::orders::model::refund_settled;
use crate::orders::model::{ChangedBy, HistoryEntry, OnlinePayment, Order, OrderStatus, PaymentStatus};
use crate::orders::service::{refund, settle_payment};
use crate::orders::{OrderError, OrderService};
use crate::platform::clock::now_rfc3339;
use crate::platform::error::Failure;
use crate::wallet::model::{Deposit, DepositStatus, Wallet};
use crate::wallet::service::Credit;

/// Who a Paystack change is recorded as, in `by`.
pub const PAYSTACK: &str = "paystack";

#[derive(Debug, thiserror::Error)]
pub enum PaymentError {
    #[error("no such order")]
    NotFound,
    #[error(transparent)]
    Refused(#[from] PayError),
    /// A phone-only customer must give an address for Paystack's receipt.
    #[error("an email address is required")]
    EmailRequired,
    #[error("the webhook signature is missing or wrong")]
    InvalidSignature,
    #[error("the order has no open payment")]
    NoPayment,
    #[error(transparent)]
    Paystack(#[from] PaystackError),
    #[error(transparent)]
    Order(#[from] OrderError),
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Wallet(#[from] crate::wallet::WalletError),
    #[error(transparent)]
    Failure(#[from] Failure),
}

/// What a webhook delivery did (every outcome is a 200 to Paystack).
#[derive(Debug, PartialEq, Eq)]
pub enum Delivery {
    Paid,
    /// A refund was settled (`refunded` or `refund_failed`).
    RefundSettled,
    /// Nothing to do: not a charge, an unknown reference, a repeat.
    Ignored,
    /// The charge does not match its order (amount, currency, cancelled): the kitchen must look.
    Anomaly,
}

#[derive(Clone)]
pub struct PaymentService {
    store: PaymentStore,
    orders: OrderService,
    paystack: Paystack,
    kitchens: Option<(KitchenStore, u8)>,
    wallets: crate::wallet::WalletService,
}

impl PaymentService {
    pub fn new(
        store: PaymentStore,
        orders: OrderService,
        wallets: crate::wallet::WalletService,
        paystack: Paystack,
    ) -> Self {
        Self {
            store,
            orders,
            paystack,
            kitchens: None,
            wallets,
        }
    }

    /// Opens a Paystack transaction that tops up the customer's wallet by `amount` kobo, and
    /// records the deposit (credited once, when Paystack says it was paid).
    pub async fn deposit(
        &self,
        customer: &Subject,
        amount: i64,
        email: Option<String>,
        callback_url: Option<String>,
    ) -> Result<OnlinePayment, PaymentError> {
        let email = receipt_email(customer, email)?;
        let reference = Reference::parse(&Deposit::new_reference())
            .ok_or_else(|| Failure::bug("a deposit reference Paystack would not take"))?;
        let tx = NewTransaction::for_deposit(reference, email, amount, callback_url);
        let started = self.paystack.initialize(&tx).await?;
        let deposit = Deposit {
            reference: started.reference.as_str().to_owned(),
            customer_id: customer.user_id.clone(),
            amount,
            currency: CURRENCY.to_owned(),
            status: DepositStatus::Pending,
            created_at: now_rfc3339(),
            credited_at: None,
        };
        self.wallets.open_deposit(&deposit).await?;
        tracing::info!(reference = %deposit.reference, amount, "deposit opened");
        Ok(OnlinePayment {
            provider: PAYSTACK.to_owned(),
            reference: deposit.reference,
            authorization_url: started.authorization_url,
            amount,
            currency: deposit.currency,
            transaction_id: None,
            channel: None,
        })
    }

    /// Asks Paystack about the caller's deposit (back from checkout before the webhook) and
    /// credits it if paid; credited already: the wallet as it is.
    pub async fn verify_deposit(&self, customer: &Subject, reference: &str) -> Result<Wallet, PaymentError> {
        let deposit = self.wallets.own_deposit(&customer.user_id, reference).await?;
        if deposit.status == DepositStatus::Pending
            && let Some(reference) = Reference::parse(&deposit.reference)
            && let Some(charge) = self.paystack.verify(&reference).await?
        {
            self.credit(&charge).await?;
        }
        Ok(self.wallets.wallet(&customer.user_id).await?)
    }

    /// A successful charge for a deposit: credited once for exactly its amount; another amount is
    /// an anomaly (no credit).
    async fn credit(&self, charge: &Charge) -> Result<Delivery, PaymentError> {
        Ok(
            match self
                .wallets
                .credit(charge.reference.as_str(), charge.amount, &charge.currency)
                .await?
            {
                Credit::Credited(_) => Delivery::Paid,
                Credit::AlreadyCredited | Credit::Unknown => Delivery::Ignored,
                Credit::Anomaly(deposit) => {
                    tracing::warn!(
                        reference = %deposit.reference,
                        expected = deposit.amount,
                        paid = charge.amount,
                        currency = %charge.currency,
                        "deposit paid with another amount: not credited"
                    );
                    // On record for the platform's own kitchen (its alerts), once per transaction.
                    let anomaly = PaymentAnomaly::of_deposit(deposit.amount, charge, now_rfc3339());
                    if self.store.record_anomaly(&anomaly, charge).await? {
                        Delivery::Anomaly
                    } else {
                        Delivery::Ignored
                    }
                }
            },
        )
    }

    /// The same service splitting payments to kitchens with a Paystack subaccount, the platform
    /// keeping `commission_percent`.
    pub fn with_splits(mut self, kitchens: KitchenStore, commission_percent: u8) -> Self {
        self.kitchens = Some((kitchens, commission_percent));
        self
    }

    /// Opens a Paystack transaction for exactly the order's total and answers where to pay; an
    /// order with one open already answers with it.
    pub async fn pay(
        &self,
        customer: &Subject,
        order_id: &str,
        email: Option<String>,
        callback_url: Option<String>,
    ) -> Result<OnlinePayment, PaymentError> {
        let mut order = self.orders.own_order(customer, order_id).await?;
        check_payable(&order)?;
        // The open transaction stands until Paystack says it was declined; paid meanwhile (its
        // webhook still on the way), the charge is applied and the order is not payable.
        let mut replacing = None;
        if let Some(open) = order.payment.clone() {
            let Some(reference) = Reference::parse(&open.reference) else {
                return Ok(open);
            };
            match self.paystack.outcome(&reference).await? {
                Outcome::Open => return Ok(open),
                Outcome::Paid(charge) => {
                    order = self.apply(order, &charge).await?.0;
                    check_payable(&order)?;
                    return Ok(open);
                }
                Outcome::Failed => {
                    tracing::info!(order_id = %order.id, reference = %open.reference, "payment declined: opening another");
                    replacing = Some(open.reference);
                }
            }
        }
        let email = receipt_email(customer, email)?;
        let mut tx = NewTransaction::for_order(&order.id, email, order.total, callback_url);
        if let (Some((kitchens, commission)), Some(kitchen_id)) = (&self.kitchens, order.kitchen_id()) {
            let subaccount = kitchens
                .kitchen(kitchen_id)
                .await
                .map_err(OrderError::from)?
                .and_then(|k| k.paystack_subaccount);
            if let Some(subaccount) = subaccount {
                tx = tx.split(subaccount, *commission);
            }
        }
        let payment = opened(&order, self.paystack.initialize(&tx).await?);
        match self.store.open_instead(&order, replacing.as_deref(), &payment).await? {
            Opened::Done => {
                tracing::info!(order_id = %order.id, reference = %payment.reference, "payment opened");
                Ok(payment)
            }
            // A concurrent `pay` opened one first: answer with it. (Ours stays unused at Paystack.)
            Opened::Changed(Some(current)) => match current.payment {
                Some(open) if current.payment_status == PaymentStatus::Unpaid => Ok(open),
                _ => Err(check_payable(&current).err().unwrap_or(PayError::NotPayable).into()),
            },
            Opened::Changed(None) => Err(PaymentError::NotFound),
        }
    }

    /// Asks Paystack about the order's open payment (a customer back from checkout before the
    /// webhook) and applies what it says.
    pub async fn verify(&self, customer: &Subject, order_id: &str) -> Result<Order, PaymentError> {
        let order = self.orders.own_order(customer, order_id).await?;
        if order.payment_status != PaymentStatus::Unpaid {
            return Ok(order);
        }
        let reference = order
            .payment
            .as_ref()
            .and_then(|p| Reference::parse(&p.reference))
            .ok_or(PaymentError::NoPayment)?;
        match self.paystack.verify(&reference).await? {
            None => Ok(order),
            Some(charge) => Ok(self.apply(order, &charge).await?.0),
        }
    }

    /// A webhook delivery: trusted only with a valid signature over the exact bytes received.
    pub async fn webhook(&self, raw: &[u8], signature: Option<&[u8]>) -> Result<Delivery, PaymentError> {
        if !signature_matches(self.paystack.secret().expose(), raw, signature) {
            return Err(PaymentError::InvalidSignature);
        }
        let Ok(event) = serde_json::from_slice::<WebhookEvent>(raw) else {
            tracing::warn!("signed webhook body is not a Paystack event");
            return Ok(Delivery::Ignored);
        };
        if let Some(refund) = event.refund() {
            return self.refund_settled(&refund).await;
        }
        let Some(charge) = event.charge() else {
            return Ok(Delivery::Ignored);
        };
        if Deposit::is_deposit_reference(charge.reference.as_str()) {
            return self.credit(&charge).await;
        }
        let Some(order_id) = charge.reference.order_id() else {
            tracing::warn!(reference = %charge.reference.as_str(), "charge for a reference that is not ours");
            return Ok(Delivery::Ignored);
        };
        // An unpaid order is pending or cancelled (confirming needs payment), so the charge that
        // pays an order finds it pending: one conditional write. Anything else (a repeat, another
        // amount, a cancelled order) is decided on the order as that write found it.
        match self.mark_paid(order_id, OrderStatus::Pending, &charge).await? {
            Marked::Done(_) => Ok(Delivery::Paid),
            Marked::Changed(Some(current)) => Ok(self.apply(*current, &charge).await?.1),
            Marked::Changed(None) => {
                tracing::warn!(reference = %charge.reference.as_str(), "charge for an order that does not exist");
                Ok(Delivery::Ignored)
            }
        }
    }

    /// Paystack's word on a refund, applied to the order it names (once: a redelivery finds it
    /// settled).
    async fn refund_settled(&self, refund: &RefundOutcome) -> Result<Delivery, PaymentError> {
        let Some(order_id) = refund.reference.order_id() else {
            return Ok(Delivery::Ignored);
        };
        let Some(order) = self.orders.store().order(order_id).await? else {
            tracing::warn!(reference = %refund.reference.as_str(), "refund for an order that does not exist");
            return Ok(Delivery::Ignored);
        };
        if order.payment.as_ref().map(|p| p.reference.as_str()) != Some(refund.reference.as_str()) {
            tracing::warn!(order_id = %order.id, reference = %refund.reference.as_str(), "refund of a transaction that did not pay its order");
            return Ok(Delivery::Ignored);
        }
        let Some(change) = refund_settled(&order, refund.processed) else {
            return Ok(Delivery::Ignored);
        };
        settle_payment(self.orders.store(), order, change).await?;
        Ok(Delivery::RefundSettled)
    }

    /// Asks Paystack for the refund a cancelled order is owed (the refund worker, from the change
    /// stream; the operator's retry): the order as it is now decides, so a redelivered change
    /// asks nothing twice once the first answer is recorded. Paystack out of reach is an error
    /// (the stream retries).
    pub async fn refund_cancelled(&self, order_id: &str) -> Result<Option<Order>, PaymentError> {
        let Some(order) = self.orders.store().order(order_id).await? else {
            return Ok(None);
        };
        Ok(Some(refund(self.orders.store(), &self.paystack, order).await?))
    }

    /// Marks the order paid by `charge` while it is in `status` (and unpaid, at that total):
    /// one conditional write, with Paystack's entry in its history.
    async fn mark_paid(
        &self,
        order_id: &str,
        status: OrderStatus,
        charge: &super::model::Charge,
    ) -> Result<Marked, Failure> {
        let marked = self.store.mark_paid(order_id, charge, &paid_entry(status)).await?;
        if let Marked::Done(order) = &marked {
            tracing::info!(order_id = %order.id, channel = %charge.channel, "order paid through Paystack");
        }
        Ok(marked)
    }

    /// Keeps a charge that was not applied on record for the kitchen (the notifier tells it).
    async fn record_anomaly(
        &self,
        order: Order,
        charge: &super::model::Charge,
        reason: &str,
    ) -> Result<(Order, Delivery), PaymentError> {
        let anomaly = PaymentAnomaly::of(&order, charge, reason, now_rfc3339());
        if !self.store.record_anomaly(&anomaly, charge).await? {
            return Ok((order, Delivery::Ignored));
        }
        Ok((order, Delivery::Anomaly))
    }

    /// One rule for the webhook and verify: the charge marks its order paid when it pays exactly
    /// the order's total; anything else leaves the order as it is.
    async fn apply(&self, order: Order, charge: &super::model::Charge) -> Result<(Order, Delivery), PaymentError> {
        match decide_charge(&order, charge) {
            ChargeDecision::AlreadyPaid => Ok((order, Delivery::Ignored)),
            ChargeDecision::Mismatch {
                expected,
                paid,
                currency,
            } => {
                tracing::warn!(order_id = %order.id, expected, paid, currency = %currency, reference = %charge.reference.as_str(), "payment anomaly: amount or currency differs; order left unpaid");
                self.record_anomaly(order, charge, "amount").await
            }
            ChargeDecision::PaidOtherwise => {
                tracing::warn!(order_id = %order.id, reference = %charge.reference.as_str(), "payment anomaly: a charge for an order already paid another way");
                self.record_anomaly(order, charge, "already_paid").await
            }
            ChargeDecision::OnCancelled => {
                tracing::warn!(order_id = %order.id, reference = %charge.reference.as_str(), "payment anomaly: paid after cancellation");
                self.record_anomaly(order, charge, "cancelled").await
            }
            ChargeDecision::MarkPaid { .. } => {
                match self.mark_paid(&order.id, order.status, charge).await? {
                    Marked::Done(order) => Ok((*order, Delivery::Paid)),
                    // Another delivery marked it first (or it moved): nothing more to do.
                    Marked::Changed(Some(current)) => Ok((*current, Delivery::Ignored)),
                    Marked::Changed(None) => Err(PaymentError::NotFound),
                }
            }
        }
    }
}

/// Where Paystack sends the receipt: the address given, else the account's own email (a phone
/// account must give one).
fn receipt_email(customer: &Subject, given: Option<String>) -> Result<String, PaymentError> {
    match (given, customer.identifier_key.strip_prefix("EMAIL#")) {
        (Some(given), _) => Ok(given),
        (None, Some(own)) => Ok(own.to_owned()),
        (None, None) => Err(PaymentError::EmailRequired),
    }
}

/// The payment a started Paystack transaction opens on `order`: its whole total, not paid yet.
pub fn opened(order: &Order, started: Started) -> OnlinePayment {
    OnlinePayment {
        provider: PAYSTACK.to_owned(),
        reference: started.reference.as_str().to_owned(),
        authorization_url: started.authorization_url,
        amount: order.total,
        currency: order.currency.clone(),
        transaction_id: None,
        channel: None,
    }
}

/// The history entry of Paystack marking an order in `status` paid.
fn paid_entry(status: OrderStatus) -> HistoryEntry {
    HistoryEntry {
        status,
        payment_status: Some(PaymentStatus::Paid),
        at: now_rfc3339(),
        by: PAYSTACK.to_owned(),
        by_role: ChangedBy::Paystack,
    }
}
