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
    }
}

/// The message text; the only place an OTP is written into something.
pub fn message(otp: &Otp, valid_minutes: u64, purpose: CodePurpose) -> String {
    let what = match purpose {
        CodePurpose::Signup => "verification code",
        CodePurpose::Reset => "password reset code",
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
    use anyhow::Context as _;
    use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};
    use aws_sdk_sns::types::MessageAttributeValue;

    use super::*;

    pub struct AwsOtpSender {
        ses: aws_sdk_sesv2::Client,
        sns: aws_sdk_sns::Client,
        from: String,
        sms_sender_id: Option<String>,
    }

    impl AwsOtpSender {
        pub fn new(
            ses: aws_sdk_sesv2::Client,
            sns: aws_sdk_sns::Client,
            from: String,
            sms_sender_id: Option<String>,
        ) -> Self {
            Self {
                ses,
                sns,
                from,
                sms_sender_id,
            }
        }
    }

    fn text(data: String) -> anyhow::Result<Content> {
        Content::builder()
            .data(data)
            .charset("UTF-8")
            .build()
            .context("building email content")
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
                Identifier::Email(email) => {
                    crate::platform::actions::record("ses:SendEmail", crate::platform::actions::Resource::Other);
                    let content = EmailContent::builder()
                        .simple(
                            Message::builder()
                                .subject(text(subject(purpose).into())?)
                                .body(Body::builder().text(text(body)?).build())
                                .build(),
                        )
                        .build();
                    self.ses
                        .send_email()
                        .from_email_address(&self.from)
                        .destination(Destination::builder().to_addresses(email.as_str()).build())
                        .content(content)
                        .send()
                        .await
                        .map_err(|e| {
                            anyhow::anyhow!("SES SendEmail failed: {}", aws_sdk_sesv2::error::DisplayErrorContext(e))
                        })?;
                }
                Identifier::Phone(phone) => {
                    crate::platform::actions::record("sns:Publish", crate::platform::actions::Resource::Other);
                    let mut req = self
                        .sns
                        .publish()
                        .phone_number(phone.as_str())
                        .message(body)
                        .message_attributes(
                            "AWS.SNS.SMS.SMSType",
                            MessageAttributeValue::builder()
                                .data_type("String")
                                .string_value("Transactional")
                                .build()?,
                        );
                    if let Some(id) = &self.sms_sender_id {
                        req = req.message_attributes(
                            "AWS.SNS.SMS.SenderID",
                            MessageAttributeValue::builder()
                                .data_type("String")
                                .string_value(id)
                                .build()?,
                        );
                    }
                    req.send().await.map_err(|e| {
                        anyhow::anyhow!("SNS Publish failed: {}", aws_sdk_sns::error::DisplayErrorContext(e))
                    })?;
                }
            }
            Ok(())
        }
    }
}
