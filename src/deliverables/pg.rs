//! Deliverables from PostgreSQL with `tokio-postgres` on a small runtime of its own:
//! parameterised queries, and deadlines that cover the whole exchange. Connecting (TCP, startup,
//! authentication) must finish within `database.connect_timeout_secs`, each query (sent, run and
//! read back) within `database.query_timeout_secs`; a server that accepts and then says nothing
//! is an error naming it and the setting, never a hang. The server is also told the query
//! timeout (`statement_timeout`), so it cancels a slow query itself. The connection comes from
//! `BERRY_DATABASE_URL`, config, the `PG*` variables, then the default.

use std::time::Duration;

use anyhow::{Context, Result};
use tokio_postgres::types::Type;

use super::{Row, Source};
use crate::config::{self, Database};
use crate::error::BerryError;
use crate::req::ReqNumber;

/// Where to connect, and what to show for it.
#[derive(Clone)]
pub struct PgTarget {
    pub config: tokio_postgres::Config,
    /// Where the setting came from (`BERRY_DATABASE_URL`, `berry.toml database.url`, `PG*
    /// variables`, `default`).
    pub origin: String,
}

impl std::fmt::Debug for PgTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PgTarget({}, from {})", self.display_url(), self.origin)
    }
}

impl PgTarget {
    /// Resolves the connection: `database.url` (which `BERRY_DATABASE_URL` sets, see
    /// [`crate::settings`]), then libpq's `PG*` variables, then the built-in default.
    pub fn resolve(db: &Database) -> Result<PgTarget> {
        let (text, origin) = if let Some(url) = &db.url {
            let origin = match db.url_from.as_deref() {
                Some(o) if o.starts_with("env:") => o["env:".len()..].to_string(),
                Some(o) => format!(
                    "{} database.url",
                    o.split_once(':').map(|(_, at)| at).unwrap_or(o)
                ),
                None => "database.url".to_string(),
            };
            (url.clone(), origin)
        } else if db.libpq.any() {
            return Ok(PgTarget {
                config: from_pg_vars(db),
                origin: "PG* variables".into(),
            });
        } else {
            (config::DEFAULT_DATABASE_URL.to_string(), "default".into())
        };
        let mut config: tokio_postgres::Config = text.parse().map_err(|e| {
            BerryError::usage(format!("the database URL from {origin} is not valid: {e}"))
                .with_hint("expected postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE")
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(db.connect_timeout_secs));
        }
        Ok(PgTarget { config, origin })
    }

    /// `postgres://user@host:port/db`, never with the password.
    pub fn display_url(&self) -> String {
        let c = &self.config;
        let user = c.get_user().map(|u| format!("{u}@")).unwrap_or_default();
        let host = match c.get_hosts().first() {
            Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
            #[cfg(unix)]
            Some(tokio_postgres::config::Host::Unix(p)) => p.display().to_string(),
            None => "localhost".into(),
        };
        let port = c.get_ports().first().copied().unwrap_or(5432);
        let db = c.get_dbname().unwrap_or("");
        format!("postgres://{user}{host}:{port}/{db}")
    }
}

/// The connection libpq's variables describe (`db.libpq`, read by the command layer).
fn from_pg_vars(db: &Database) -> tokio_postgres::Config {
    let v = &db.libpq;
    let mut c = tokio_postgres::Config::new();
    c.host(v.host.as_deref().unwrap_or("localhost"));
    c.port(
        v.port
            .as_deref()
            .and_then(|p| p.parse().ok())
            .unwrap_or(5432),
    );
    let user = v
        .user
        .clone()
        .or_else(|| v.login.clone())
        .unwrap_or_else(|| "postgres".into());
    c.user(&user);
    if let Some(p) = &v.password {
        c.password(p.0.as_str());
    }
    c.dbname(v.dbname.clone().unwrap_or(user).as_str());
    let timeout = v
        .connect_timeout
        .as_deref()
        .and_then(|t| t.parse().ok())
        .unwrap_or(db.connect_timeout_secs);
    c.connect_timeout(Duration::from_secs(timeout));
    c
}

pub struct PgSource {
    target: PgTarget,
    table: String,
    connect_timeout: Duration,
    query_timeout: Duration,
    conn: Option<Connection>,
}

/// A connected client and the runtime that drives it (the connection task runs while a query
/// is awaited).
struct Connection {
    runtime: tokio::runtime::Runtime,
    client: tokio_postgres::Client,
}

impl PgSource {
    pub fn new(db: &Database) -> Result<PgSource> {
        Ok(PgSource {
            target: PgTarget::resolve(db)?,
            table: quote_table(&db.table),
            connect_timeout: Duration::from_secs(db.connect_timeout_secs.max(1)),
            query_timeout: Duration::from_secs(db.query_timeout_secs.max(1)),
            conn: None,
        })
    }

    pub fn target(&self) -> &PgTarget {
        &self.target
    }

    fn unreachable(&self) -> BerryError {
        BerryError::failure(format!(
            "cannot connect to the deliverables database {} (from {})",
            self.target.display_url(),
            self.target.origin
        ))
        .with_hint(
            "set BERRY_DATABASE_URL, or pass --deliverables DIR to read deliverables from files",
        )
    }

    fn connection(&mut self) -> Result<&mut Connection> {
        if self.conn.is_none() {
            let mut config = self.target.config.clone();
            // The server cancels a query that runs past the timeout.
            config.options(format!(
                "-c statement_timeout={}",
                self.query_timeout.as_millis()
            ));
            config.application_name("berry");
            config.keepalives(true);
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .context("cannot start the database client")?;
            let limit = self.connect_timeout;
            tracing::debug!(database = %self.target.display_url(), "connecting");
            let connected = runtime.block_on(async {
                tokio::time::timeout(limit, config.connect(tokio_postgres::NoTls)).await
            });
            let (client, connection) = match connected {
                Ok(Ok(pair)) => pair,
                Ok(Err(e)) => return Err(anyhow::Error::new(e).context(self.unreachable())),
                Err(_) => {
                    return Err(anyhow::Error::new(BerryError::failure(format!(
                        "the database did not complete the connection within {}s \
                         (database.connect_timeout_secs)",
                        limit.as_secs()
                    )))
                    .context(self.unreachable()));
                }
            };
            runtime.spawn(async move {
                let _ = connection.await;
            });
            self.conn = Some(Connection { runtime, client });
        }
        Ok(self.conn.as_mut().expect("just set"))
    }
}

impl PgSource {
    /// Runs `sql` within the query timeout (sent, run and read back); `what` is the context
    /// of any error.
    fn query(
        &mut self,
        sql: &str,
        params: &[(&(dyn tokio_postgres::types::ToSql + Sync), Type)],
        what: String,
    ) -> Result<Vec<tokio_postgres::Row>> {
        let limit = self.query_timeout;
        let conn = self.connection()?;
        let started = std::time::Instant::now();
        tracing::debug!(sql = %sql, "query");
        let answered = conn.runtime.block_on(async {
            tokio::time::timeout(limit, conn.client.query_typed(sql, params)).await
        });
        let rows = match answered {
            Ok(rows) => rows.context(what)?,
            Err(_) => {
                // The connection is in an unknown state: the next query starts afresh.
                self.conn = None;
                return Err(anyhow::Error::new(BerryError::failure(format!(
                    "the database did not answer within {}s (database.query_timeout_secs)",
                    limit.as_secs()
                )))
                .context(what));
            }
        };
        tracing::debug!(
            rows = rows.len(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "query answered"
        );
        Ok(rows)
    }
}

/// `"schema"."table"` from a name that `config::valid_table_name` accepted.
fn quote_table(name: &str) -> String {
    name.split('.')
        .map(|p| format!("\"{p}\""))
        .collect::<Vec<_>>()
        .join(".")
}

impl Source for PgSource {
    fn describe(&self) -> String {
        self.target.display_url()
    }

    fn latest(&mut self, req: &ReqNumber) -> Result<Vec<Row>> {
        // Per agent (case-insensitively): every row with the newest `created_at` (`rank` gives
        // ties the same rank, so two rows written in one transaction both come back), and every
        // row whose `created_at` is NULL when the agent has other rows (its age is unknown, so
        // it cannot be ordered against them). Never a pick by id.
        let sql = format!(
            "WITH ranked AS ( \
               SELECT id, agent, stage, deliverable, created_at, \
                 rank() OVER (PARTITION BY lower(agent) ORDER BY created_at DESC NULLS LAST) AS pos, \
                 count(*) OVER (PARTITION BY lower(agent)) AS n \
               FROM {} WHERE req_number = $1) \
             SELECT id::text, agent, stage, deliverable::text, created_at FROM ranked \
             WHERE pos = 1 OR (created_at IS NULL AND n > 1) \
             ORDER BY lower(agent), created_at DESC NULLS LAST, id::text",
            self.table
        );
        let table = self.table.clone();
        let what = format!(
            "cannot read deliverables of {req} from {table} at {}",
            self.describe()
        );
        // Typed parameters: one round trip (no prepare, no close), as psql's own query takes.
        let rows = self.query(&sql, &[(&req.as_str(), Type::TEXT)], what)?;
        rows.iter()
            .map(|r| {
                // Read as text and parsed here: a deliverable serde_json refuses (nested deeper
                // than its recursion limit) is that agent's problem, not a failed query.
                let text = r.try_get::<_, Option<String>>(3)?.unwrap_or_default();
                let (deliverable, parse_error) = match serde_json::from_str(&text) {
                    Ok(v) => (v, None),
                    Err(e) => (serde_json::Value::Null, Some(e.to_string())),
                };
                Ok(Row {
                    id: r.try_get::<_, String>(0)?,
                    agent: r.try_get::<_, String>(1)?,
                    stage: r.try_get::<_, Option<i32>>(2)?.map(i64::from),
                    deliverable,
                    created_at: r.try_get::<_, Option<jiff::Timestamp>>(4)?,
                    parse_error,
                })
            })
            .collect::<Result<Vec<_>, tokio_postgres::Error>>()
            .with_context(|| format!("unexpected column types in {table}"))
    }

    fn known_reqs(&mut self, limit: usize) -> Result<Vec<String>> {
        let sql = format!(
            "SELECT req_number FROM {} GROUP BY req_number \
             ORDER BY max(created_at) DESC NULLS LAST LIMIT $1",
            self.table
        );
        let table = self.table.clone();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = self.query(
            &sql,
            &[(&limit, Type::INT8)],
            format!("cannot list the REQ numbers in {table}"),
        )?;
        rows.iter()
            .map(|r| r.try_get::<_, String>(0))
            .collect::<Result<Vec<_>, tokio_postgres::Error>>()
            .with_context(|| format!("unexpected column types in {table}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_names_are_quoted_per_part() {
        assert_eq!(
            quote_table("nats_deliverable_cache"),
            "\"nats_deliverable_cache\""
        );
        assert_eq!(quote_table("agent.cache"), "\"agent\".\"cache\"");
    }

    #[test]
    fn display_url_never_shows_the_password() {
        let t = PgTarget {
            config: "postgres://agent_user:s3cret@db.example:5434/agent_memory"
                .parse()
                .unwrap(),
            origin: "test".into(),
        };
        assert_eq!(
            t.display_url(),
            "postgres://agent_user@db.example:5434/agent_memory"
        );
        assert!(!format!("{t:?}").contains("s3cret"));
    }
}
