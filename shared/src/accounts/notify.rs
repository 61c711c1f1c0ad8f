//! OTP delivery behind one trait: email through Amazon SES (v2 API), SMS through Amazon SNS.

use async_trait::async_trait;

use super::model::{CodePurpose, Identifier, Otp};

/// Delivers a one-time code to the owner of an identifier.
#[async_trait]
pub trait OtpSender: Send + Sync {
    async fn send(&self, to: &Identifier, otp: &Otp, valid_minutes: u64, purpose: CodePurpose) -> anyhow::Result<()>;
}

/// The email subject of a code.
pub fn subject(purpose: CodePurpose) -> &'static str {
    match purpose {
        CodePurpose::Signup => "Your Chuks Kitchen verification code",
        CodePurpose::Reset => "Your Chuks Kitchen password reset code",
        CodePurpose::Login => "Your Chuks Kitchen sign-in code",
    }
}

/// The message text; the only place an OTP is written into something.
pub fn message(otp: &Otp, valid_minutes: u64, purpose: CodePurpose) -> String {
    let what = match purpose {
        CodePurpose::Signup => "verification code",
        CodePurpose::Reset => "password reset code",
        CodePurpose::Login => "sign-in code",
    };
    format!(
        "Your Chuks Kitchen {what} is {}. It expires in {valid_minutes} minutes. \
         If you did not ask for it, ignore this message.",
        otp.expose()
    )
}

#[cfg(feature = "notify")]
pub use aws::AwsOtpSender;

#[cfg(feature = "notify")]
mod aws {
    use super::*;
    use crate::platform::outbox::{AwsOutbox, Outbox};

    /// Codes by email (SES) or SMS (SNS).
    pub struct AwsOtpSender {
        outbox: AwsOutbox,
    }

    impl AwsOtpSender {
        pub fn new(outbox: AwsOutbox) -> Self {
            Self { outbox }
        }
    }

    #[async_trait]
    impl OtpSender for AwsOtpSender {
        async fn send(
            &self,
            to: &Identifier,
            otp: &Otp,
            valid_minutes: u64,
            purpose: CodePurpose,
        ) -> anyhow::Result<()> {
            let body = message(otp, valid_minutes, purpose);
            match to {
                Identifier::Email(email) => self.outbox.email(email.as_str(), subject(purpose), &body, None).await,
                Identifier::Phone(phone) => self.outbox.sms(phone.as_str(), &body).await,
            }
        }
    }
}
