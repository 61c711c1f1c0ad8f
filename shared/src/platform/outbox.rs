//! Sending a message to a person: email through Amazon SES (v2 API, a text part and an optional
//! HTML part), SMS through Amazon SNS (transactional, with the sender id where one is set). What
//! a message says is each feature's business; this only delivers it.

use async_trait::async_trait;

/// Delivers a message; the error says which service refused and why (no message content).
#[async_trait]
pub trait Outbox: Send + Sync {
    async fn email(&self, to: &str, subject: &str, text: &str, html: Option<&str>) -> anyhow::Result<()>;
    async fn sms(&self, to: &str, text: &str) -> anyhow::Result<()>;
}

#[cfg(feature = "notify")]
pub use aws::AwsOutbox;

#[cfg(feature = "notify")]
mod aws {
    use anyhow::Context as _;
    use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};
    use aws_sdk_sns::types::MessageAttributeValue;

    use super::*;
    use crate::platform::actions::{Resource, record};

    pub struct AwsOutbox {
        ses: aws_sdk_sesv2::Client,
        sns: aws_sdk_sns::Client,
        from: String,
        sms_sender_id: Option<String>,
    }

    impl AwsOutbox {
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

    fn content(data: &str) -> anyhow::Result<Content> {
        Content::builder()
            .data(data)
            .charset("UTF-8")
            .build()
            .context("building email content")
    }

    fn attribute(value: &str) -> anyhow::Result<MessageAttributeValue> {
        Ok(MessageAttributeValue::builder()
            .data_type("String")
            .string_value(value)
            .build()?)
    }

    #[async_trait]
    impl Outbox for AwsOutbox {
        async fn email(&self, to: &str, subject: &str, text: &str, html: Option<&str>) -> anyhow::Result<()> {
            record("ses:SendEmail", Resource::Other);
            let mut body = Body::builder().text(content(text)?);
            if let Some(html) = html {
                body = body.html(content(html)?);
            }
            let message = Message::builder().subject(content(subject)?).body(body.build()).build();
            self.ses
                .send_email()
                .from_email_address(&self.from)
                .destination(Destination::builder().to_addresses(to).build())
                .content(EmailContent::builder().simple(message).build())
                .send()
                .await
                .map_err(|e| {
                    anyhow::anyhow!("SES SendEmail failed: {}", aws_sdk_sesv2::error::DisplayErrorContext(e))
                })?;
            Ok(())
        }

        async fn sms(&self, to: &str, text: &str) -> anyhow::Result<()> {
            record("sns:Publish", Resource::Other);
            let mut req = self
                .sns
                .publish()
                .phone_number(to)
                .message(text)
                .message_attributes("AWS.SNS.SMS.SMSType", attribute("Transactional")?);
            if let Some(id) = &self.sms_sender_id {
                req = req.message_attributes("AWS.SNS.SMS.SenderID", attribute(id)?);
            }
            req.send()
                .await
                .map_err(|e| anyhow::anyhow!("SNS Publish failed: {}", aws_sdk_sns::error::DisplayErrorContext(e)))?;
            Ok(())
        }
    }
}
