//! Tickets and connections in the table, each with a TTL (`$disconnect` and a gone client
//! delete connections sooner; reads skip what has expired but is not deleted yet).
//!
//! | item | PK | SK | |
//! |---|---|---|---|
//! | ticket | `RTTICKET#<sha-256 of the ticket>` | `TICKET` | `user_id`, `platform_admin`, `expires_at`; deleted by the one `$connect` it opens; TTL |
//! | connection | `CONN#<connection id>` | `CONN` | `user_id`, `platform_admin`, `kitchens` (ids subscribed to); TTL |
//! | a user's connection | `USER#<user>#CONN` | `<connection id>` | TTL: who to tell of the user's orders and notifications is one Query |
//! | a kitchen's connection | `KITCHEN#<k>#CONN` | `<connection id>` | TTL: who to tell of the kitchen's board and alerts is one Query |

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};

use super::model::{CONNECTION_SECS, Holder, TICKET_SECS, Ticket};
use crate::platform::db::{Db, Item, PK, SK, TTL, db_error, from_item, n, s, transact};
use crate::platform::error::Failure;

const TICKET_SK: &str = "TICKET";
const CONN_SK: &str = "CONN";

fn ticket_pk(ticket: &Ticket) -> String {
    format!("RTTICKET#{}", ticket.digest())
}

fn conn_pk(connection_id: &str) -> String {
    format!("CONN#{connection_id}")
}

fn user_pk(user_id: &str) -> String {
    format!("USER#{user_id}#CONN")
}

fn kitchen_pk(kitchen_id: &str) -> String {
    format!("KITCHEN#{kitchen_id}#CONN")
}

/// A connection as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct Connection {
    #[serde(flatten)]
    pub holder: Holder,
    #[serde(default)]
    pub kitchens: std::collections::BTreeSet<String>,
}

#[derive(Clone, Debug)]
pub struct RealtimeStore {
    db: Db,
}

impl RealtimeStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// Keeps a new ticket for `holder`, good until `now` + 60 s.
    pub async fn issue(&self, ticket: &Ticket, holder: &Holder, now: i64) -> Result<(), Failure> {
        let item: Item = [
            (PK.to_owned(), s(ticket_pk(ticket))),
            (SK.to_owned(), s(TICKET_SK)),
            ("user_id".to_owned(), s(&holder.user_id)),
            ("platform_admin".to_owned(), AttributeValue::Bool(holder.platform_admin)),
            ("expires_at".to_owned(), n(now + TICKET_SECS)),
            (TTL.to_owned(), n(now + TICKET_SECS)),
        ]
        .into_iter()
        .collect();
        if self.db.put_new(item, "PutItem realtime ticket").await? {
            Ok(())
        } else {
            Err(Failure::bug("a fresh random ticket was there already"))
        }
    }

    /// Uses the ticket up: its holder while it was still good, `None` when it is unknown, used
    /// or expired (a ticket opens one connection, ever).
    pub async fn redeem(&self, ticket: &Ticket, now: i64) -> Result<Option<Holder>, Failure> {
        crate::platform::db::write_gate().await?;
        let res = self
            .db
            .client()
            .delete_item()
            .table_name(self.db.table())
            .key(PK, s(ticket_pk(ticket)))
            .key(SK, s(TICKET_SK))
            .condition_expression("expires_at > :now")
            .expression_attribute_values(":now", n(now))
            .return_values(ReturnValue::AllOld)
            .send()
            .await;
        match res {
            Ok(out) => out
                .attributes
                .filter(|a| !a.is_empty())
                .map(|item| from_item(item, "realtime ticket"))
                .transpose(),
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(None)
            }
            Err(err) => Err(db_error("DeleteItem realtime ticket", err)),
        }
    }

    /// Records an open connection of `holder`'s.
    pub async fn open(&self, connection_id: &str, holder: &Holder, now: i64) -> Result<(), Failure> {
        let expires = n(now + CONNECTION_SECS);
        let conn: Item = [
            (PK.to_owned(), s(conn_pk(connection_id))),
            (SK.to_owned(), s(CONN_SK)),
            ("user_id".to_owned(), s(&holder.user_id)),
            ("platform_admin".to_owned(), AttributeValue::Bool(holder.platform_admin)),
            (TTL.to_owned(), expires.clone()),
        ]
        .into_iter()
        .collect();
        let entry: Item = [
            (PK.to_owned(), s(user_pk(&holder.user_id))),
            (SK.to_owned(), s(connection_id)),
            (TTL.to_owned(), expires),
        ]
        .into_iter()
        .collect();
        // Two plain writes side by side, not a transaction (which costs twice): a user entry
        // left without its connection is forgotten by the first frame that finds it gone.
        let (a, b) = futures_util::future::join(
            self.db.put(conn, "PutItem connection"),
            self.db.put(entry, "PutItem user connection"),
        )
        .await;
        a.and(b)
    }

    pub async fn connection(&self, connection_id: &str) -> Result<Option<Connection>, Failure> {
        self.db.get_item(conn_pk(connection_id), CONN_SK, "connection").await
    }

    /// Adds the kitchen to what the (open) connection watches: `false` when the connection is
    /// gone.
    pub async fn subscribe(&self, connection_id: &str, kitchen_id: &str, now: i64) -> Result<bool, Failure> {
        let entry: Item = [
            (PK.to_owned(), s(kitchen_pk(kitchen_id))),
            (SK.to_owned(), s(connection_id)),
            (TTL.to_owned(), n(now + CONNECTION_SECS)),
        ]
        .into_iter()
        .collect();
        let items = vec![
            self.db.update_action(conn_pk(connection_id), CONN_SK, |u| {
                u.update_expression("ADD kitchens :k")
                    .condition_expression("attribute_exists(PK)")
                    .expression_attribute_values(":k", AttributeValue::Ss(vec![kitchen_id.to_owned()]))
            })?,
            self.db.put_action(entry, |p| p)?,
        ];
        Ok(match transact(&self.db, "subscribe connection", items).await? {
            None => true,
            Some(c) if c.condition_failed(0) => false,
            Some(c) => return Err(Failure::bug(format!("subscribe cancelled: {:?}", c.0))),
        })
    }

    /// Forgets a connection and every entry that leads to it (plain deletes side by side).
    pub async fn close(&self, connection_id: &str) -> Result<(), Failure> {
        let Some(conn) = self.connection(connection_id).await? else {
            return Ok(());
        };
        let mut keys = vec![
            (conn_pk(connection_id), CONN_SK.to_owned()),
            (user_pk(&conn.holder.user_id), connection_id.to_owned()),
        ];
        keys.extend(conn.kitchens.iter().map(|k| (kitchen_pk(k), connection_id.to_owned())));
        let deletes = keys
            .into_iter()
            .map(|(pk, sk)| async move { self.db.delete(pk, &sk, "DeleteItem connection").await });
        futures_util::future::join_all(deletes)
            .await
            .into_iter()
            .collect::<Result<Vec<()>, Failure>>()
            .map(|_| ())
    }

    /// Forgets the user's entry for a connection that has gone (its connection item may be gone
    /// already).
    pub async fn drop_user_entry(&self, user_id: &str, connection_id: &str) -> Result<(), Failure> {
        self.db
            .delete(user_pk(user_id), connection_id, "DeleteItem user connection")
            .await
    }

    /// Forgets the kitchen's entry for a connection that has gone.
    pub async fn drop_kitchen_entry(&self, kitchen_id: &str, connection_id: &str) -> Result<(), Failure> {
        self.db
            .delete(kitchen_pk(kitchen_id), connection_id, "DeleteItem kitchen connection")
            .await
    }

    async fn connections(&self, pk: String, now: i64, operation: &'static str) -> Result<Vec<String>, Failure> {
        let items = self
            .db
            .query_partition(
                &pk,
                |q| {
                    q.filter_expression("#ttl > :now")
                        .expression_attribute_names("#ttl", TTL)
                        .expression_attribute_values(":now", n(now))
                },
                operation,
            )
            .await?;
        Ok(items
            .iter()
            .map(|item| crate::platform::db::sk_of(item).to_owned())
            .collect())
    }

    /// The user's open connections.
    pub async fn of_user(&self, user_id: &str, now: i64) -> Result<Vec<String>, Failure> {
        self.connections(user_pk(user_id), now, "Query user connections").await
    }

    /// The connections watching the kitchen.
    pub async fn of_kitchen(&self, kitchen_id: &str, now: i64) -> Result<Vec<String>, Failure> {
        self.connections(kitchen_pk(kitchen_id), now, "Query kitchen connections")
            .await
    }
}
