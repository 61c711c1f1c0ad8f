//! Payments at the HTTP edge: their errors as the contract's, and the payment's JSON.

use serde_json::{Value, json};

use super::paystack::PaystackError;
use super::service::PaymentError;
use crate::orders::model::OnlinePayment;
use crate::platform::error::ApiError;

impl From<PaymentError> for ApiError {
    fn from(err: PaymentError) -> Self {
        match err {
            PaymentError::NotFound => ApiError::not_found("order_not_found", "Order not found"),
            PaymentError::Refused(refusal) => refusal.into(),
            PaymentError::EmailRequired => ApiError::field(
                "email_required",
                "email",
                "is required for accounts without an email address",
                "Paystack needs an email address for the receipt",
            ),
            PaymentError::InvalidSignature => ApiError::Unauthorized {
                code: "invalid_signature",
                message: "The webhook signature is missing or wrong",
            },
            PaymentError::NoPayment => {
                ApiError::conflict("no_payment", "This order has no payment to verify; pay for it first")
            }
            // Paystack saying no to a well-formed request we made is our bug or its outage; the
            // customer can only retry. Its message is logged, never sent.
            PaymentError::Paystack(PaystackError::Refused(message)) => {
                ApiError::Unavailable(anyhow::anyhow!("Paystack refused: {message}"))
            }
            PaymentError::Paystack(PaystackError::Unavailable(cause)) => ApiError::Unavailable(cause),
            PaymentError::Order(e) => e.into(),
            PaymentError::Wallet(e) => e.into(),
            PaymentError::Account(e) => e.into(),
            PaymentError::Failure(f) => f.into(),
        }
    }
}

/// `{"payment": {provider, reference, authorization_url, amount, currency}}`.
pub fn payment_body(payment: &OnlinePayment) -> Value {
    json!({ "payment": {
        "provider": payment.provider,
        "reference": payment.reference,
        "authorization_url": payment.authorization_url,
        "amount": payment.amount,
        "currency": payment.currency,
    }})
}
