//! The table definition: keys, stream and TTL here; which index holds what is the caller's
//! ([`crate::schema::INDEXES`], which knows the features). The one source for the operator
//! command, the local stack and the tests. (The SAM template must declare the same keys,
//! indexes, projections and TTL attribute; a test compares them.)

use aws_sdk_dynamodb::operation::create_table::CreateTableError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection, ProjectionType,
    ScalarAttributeType, StreamSpecification, StreamViewType, TableStatus, TimeToLiveSpecification,
};

use super::{Db, GSI1PK, GSI1SK, GSI2PK, GSI2SK, GSI3PK, GSI3SK, Index, PK, SK, TTL, build_error, db_error};
use crate::platform::error::Failure;

/// Key attributes of the table (`PK`, `SK`) and of each index, all strings.
pub const KEY_ATTRIBUTES: &[&str] = &[PK, SK, GSI1PK, GSI1SK, GSI2PK, GSI2SK, GSI3PK, GSI3SK];

/// What an index holds of each item besides the keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Projected {
    /// Every attribute.
    All,
    /// The attributes of these lists only (`INCLUDE`; each named once): smaller index writes
    /// and reads, for lists. One list per kind of item the index holds.
    Only(&'static [&'static [&'static str]]),
}

impl Projected {
    /// The non-key attributes an `INCLUDE` projection names, each once, in the order first
    /// listed; `None` for every attribute.
    pub fn attributes(self) -> Option<Vec<&'static str>> {
        match self {
            Projected::All => None,
            Projected::Only(lists) => {
                let mut out: Vec<&'static str> = Vec::new();
                for attribute in lists.iter().flat_map(|list| list.iter()) {
                    if !out.contains(attribute) {
                        out.push(attribute);
                    }
                }
                Some(out)
            }
        }
    }
}

/// A global secondary index and its projection.
#[derive(Debug, Clone, Copy)]
pub struct IndexSpec {
    pub index: Index,
    pub projected: Projected,
}
pub const TTL_ATTRIBUTE: &str = TTL;
/// The change stream the notifier reads: every change with the item before and after.
pub const STREAM_VIEW: &str = "NEW_AND_OLD_IMAGES";

fn stream() -> Result<StreamSpecification, Failure> {
    StreamSpecification::builder()
        .stream_enabled(true)
        .stream_view_type(StreamViewType::from(STREAM_VIEW))
        .build()
        .map_err(build_error)
}

fn key(name: &str, kind: KeyType) -> Result<KeySchemaElement, Failure> {
    KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(kind)
        .build()
        .map_err(build_error)
}

/// A string key attribute.
fn string_attribute(name: &str) -> Result<AttributeDefinition, Failure> {
    AttributeDefinition::builder()
        .attribute_name(name)
        .attribute_type(ScalarAttributeType::S)
        .build()
        .map_err(build_error)
}

/// The key schema of an index: (partition key, sort key).
fn index_keys(pk: &str, sk: &str) -> Result<Vec<KeySchemaElement>, Failure> {
    Ok(vec![key(pk, KeyType::Hash)?, key(sk, KeyType::Range)?])
}

fn projection(projected: Projected) -> Projection {
    match projected.attributes() {
        None => Projection::builder().projection_type(ProjectionType::All).build(),
        Some(attributes) => Projection::builder()
            .projection_type(ProjectionType::Include)
            .set_non_key_attributes(Some(attributes.into_iter().map(str::to_owned).collect()))
            .build(),
    }
}

impl Db {
    /// Creates the table (on-demand billing) with `indexes` and TTL, and waits until it is
    /// active. Returns false if it already existed (then adds any index it lacks; an existing
    /// index keeps the projection it was made with).
    pub async fn create_table(&self, indexes: &[IndexSpec]) -> Result<bool, Failure> {
        let mut req = self
            .client()
            .create_table()
            .table_name(self.table())
            .billing_mode(BillingMode::PayPerRequest)
            .key_schema(key(PK, KeyType::Hash)?)
            .key_schema(key(SK, KeyType::Range)?)
            .stream_specification(stream()?);
        for attr in KEY_ATTRIBUTES {
            req = req.attribute_definitions(string_attribute(attr)?);
        }
        for &IndexSpec { index, projected } in indexes {
            req = req.global_secondary_indexes(
                GlobalSecondaryIndex::builder()
                    .index_name(index.name)
                    .set_key_schema(Some(index_keys(index.pk, index.sk)?))
                    .projection(projection(projected))
                    .build()
                    .map_err(build_error)?,
            );
        }
        match req.send().await {
            Ok(_) => {}
            Err(e) if matches!(e.as_service_error(), Some(CreateTableError::ResourceInUseException(_))) => {
                self.ensure_indexes(indexes).await?;
                self.ensure_stream().await?;
                return Ok(false);
            }
            Err(e) => return Err(db_error("CreateTable", e)),
        }
        self.wait_until_active().await?;
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

    async fn describe_table(&self) -> Result<aws_sdk_dynamodb::types::TableDescription, Failure> {
        let out = self
            .client()
            .describe_table()
            .table_name(self.table())
            .send()
            .await
            .map_err(|e| db_error("DescribeTable", e))?;
        Ok(out
            .table
            .unwrap_or_else(|| aws_sdk_dynamodb::types::TableDescription::builder().build()))
    }

    /// Turns the change stream on for a table made before it existed.
    async fn ensure_stream(&self) -> Result<(), Failure> {
        let table = self.describe_table().await?;
        if table.stream_specification().is_some_and(|s| s.stream_enabled()) {
            return Ok(());
        }
        self.client()
            .update_table()
            .table_name(self.table())
            .stream_specification(stream()?)
            .send()
            .await
            .map_err(|e| db_error("UpdateTable stream", e))?;
        self.wait_until_active().await
    }

    /// The table's change stream (its ARN), if it has one.
    pub async fn stream_arn(&self) -> Result<Option<String>, Failure> {
        Ok(self.describe_table().await?.latest_stream_arn().map(str::to_owned))
    }

    /// Waits until the table and all its indexes are active.
    async fn wait_until_active(&self) -> Result<(), Failure> {
        for _ in 0..600 {
            let table = self.describe_table().await?;
            let indexes_active = table
                .global_secondary_indexes()
                .iter()
                .all(|i| i.index_status() == Some(&aws_sdk_dynamodb::types::IndexStatus::Active));
            if table.table_status() == Some(&TableStatus::Active) && indexes_active {
                return Ok(());
            }
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
        Err(Failure::internal(anyhow::anyhow!(
            "table {} did not become active",
            self.table()
        )))
    }

    /// Adds the indexes an older table lacks (one at a time, as DynamoDB requires). Returns
    /// their names.
    pub async fn ensure_indexes(&self, indexes: &[IndexSpec]) -> Result<Vec<&'static str>, Failure> {
        use aws_sdk_dynamodb::types::{CreateGlobalSecondaryIndexAction, GlobalSecondaryIndexUpdate};
        let existing: Vec<String> = self
            .describe_table()
            .await?
            .global_secondary_indexes()
            .iter()
            .filter_map(|i| i.index_name().map(str::to_owned))
            .collect();
        let mut added = Vec::new();
        for &IndexSpec { index, projected } in indexes {
            if existing.iter().any(|e| e == index.name) {
                continue;
            }
            let mut req = self.client().update_table().table_name(self.table());
            for attr in [index.pk, index.sk] {
                req = req.attribute_definitions(string_attribute(attr)?);
            }
            let create = CreateGlobalSecondaryIndexAction::builder()
                .index_name(index.name)
                .set_key_schema(Some(index_keys(index.pk, index.sk)?))
                .projection(projection(projected))
                .build()
                .map_err(build_error)?;
            req.global_secondary_index_updates(GlobalSecondaryIndexUpdate::builder().create(create).build())
                .send()
                .await
                .map_err(|e| db_error("UpdateTable add index", e))?;
            self.wait_until_active().await?;
            added.push(index.name);
        }
        Ok(added)
    }

    pub async fn delete_table(&self) -> Result<(), Failure> {
        self.client()
            .delete_table()
            .table_name(self.table())
            .send()
            .await
            .map_err(|e| db_error("DeleteTable", e))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::Projected;

    #[test]
    fn an_included_projection_names_each_attribute_once_in_the_order_first_listed() {
        let projected = Projected::Only(&[&["id", "name", "created_at"], &["id", "status", "created_at"]]);
        assert_eq!(projected.attributes(), Some(vec!["id", "name", "created_at", "status"]));
        assert_eq!(Projected::All.attributes(), None);
    }
}
