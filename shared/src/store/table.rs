//! The table definition: the one source for the operator command, the local stack and the tests.
//! (The SAM template must declare the same keys, index and TTL attribute; a test compares them.)

use aws_sdk_dynamodb::operation::create_table::CreateTableError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection, ProjectionType,
    ScalarAttributeType, TableStatus, TimeToLiveSpecification,
};

use super::keys::{GSI1, GSI1PK, GSI1SK, PK, SK, TTL};
use super::{Store, build_error, db_error};
use crate::error::ApiError;

/// Key attributes of the table (`PK`, `SK`) and of each index, all strings.
pub const KEY_ATTRIBUTES: &[&str] = &[PK, SK, GSI1PK, GSI1SK];
/// Global secondary indexes: (name, partition key, sort key); projection ALL.
pub const INDEXES: &[(&str, &str, &str)] = &[(GSI1, GSI1PK, GSI1SK)];
pub const TTL_ATTRIBUTE: &str = TTL;

fn key(name: &str, kind: KeyType) -> Result<KeySchemaElement, ApiError> {
    KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(kind)
        .build()
        .map_err(build_error)
}

impl Store {
    /// Creates the table (on-demand billing) with its indexes and TTL, and waits until it is
    /// active. Returns false if it already existed.
    pub async fn create_table(&self) -> Result<bool, ApiError> {
        let mut req = self
            .client()
            .create_table()
            .table_name(self.table())
            .billing_mode(BillingMode::PayPerRequest)
            .key_schema(key(PK, KeyType::Hash)?)
            .key_schema(key(SK, KeyType::Range)?);
        for attr in KEY_ATTRIBUTES {
            req = req.attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name(*attr)
                    .attribute_type(ScalarAttributeType::S)
                    .build()
                    .map_err(build_error)?,
            );
        }
        for (name, pk, sk) in INDEXES {
            req = req.global_secondary_indexes(
                GlobalSecondaryIndex::builder()
                    .index_name(*name)
                    .key_schema(key(pk, KeyType::Hash)?)
                    .key_schema(key(sk, KeyType::Range)?)
                    .projection(Projection::builder().projection_type(ProjectionType::All).build())
                    .build()
                    .map_err(build_error)?,
            );
        }
        match req.send().await {
            Ok(_) => {}
            Err(e) if matches!(e.as_service_error(), Some(CreateTableError::ResourceInUseException(_))) => {
                return Ok(false);
            }
            Err(e) => return Err(db_error("CreateTable", e)),
        }
        for _ in 0..120 {
            let out = self
                .client()
                .describe_table()
                .table_name(self.table())
                .send()
                .await
                .map_err(|e| db_error("DescribeTable", e))?;
            if out.table.and_then(|t| t.table_status) == Some(TableStatus::Active) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
        self.client()
            .update_time_to_live()
            .table_name(self.table())
            .time_to_live_specification(
                TimeToLiveSpecification::builder()
                    .attribute_name(TTL_ATTRIBUTE)
                    .enabled(true)
                    .build()
                    .map_err(build_error)?,
            )
            .send()
            .await
            .map_err(|e| db_error("UpdateTimeToLive", e))?;
        Ok(true)
    }

    pub async fn delete_table(&self) -> Result<(), ApiError> {
        self.client()
            .delete_table()
            .table_name(self.table())
            .send()
            .await
            .map_err(|e| db_error("DeleteTable", e))?;
        Ok(())
    }
}
