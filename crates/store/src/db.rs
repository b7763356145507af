//! The pool, the backend it speaks to, migrations, and write transactions.
use crate::group::{Gate, Turn};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Connection, Executor, Transaction};
use std::any::TypeId;
use std::collections::HashMap;
use std::ops::{Deref, DerefMut};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Option<Backend> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// A handle on the database. Cheap to clone.
#[derive(Clone)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    /// SQLite allows one writer at a time: writers take turns at one shared transaction and are committed in
    /// groups (see `group`), instead of each letting a deferred transaction fail with SQLITE_BUSY when it upgrades
    /// to a write. PostgreSQL writers run side by side, each in its own transaction.
    write_gate: Option<Arc<Gate>>,
    /// List totals by data version, shared by every request on this database.
    counts: Arc<crate::counts::CountCache>,
    /// State that upper layers keep per database (the compliance summaries), one value per type.
    extensions: Arc<Extensions>,
}

/// One value of each type, made on first use. A cache kept here lives exactly as long as its database handle, so
/// two databases in one process (tests, the benchmark) never share one.
#[derive(Default)]
struct Extensions(std::sync::Mutex<HashMap<TypeId, Arc<dyn std::any::Any + Send + Sync>>>);

/// A use case's write transaction. Commit it, or drop it to roll back; either way it is all or nothing.
pub struct WriteTx(Write);

enum Write {
    Own(Transaction<'static, Any>),
    Grouped(Turn),
}

impl Deref for WriteTx {
    type Target = sqlx::AnyConnection;
    fn deref(&self) -> &Self::Target {
        match &self.0 {
            Write::Own(tx) => tx,
            Write::Grouped(t) => t.conn(),
        }
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        match &mut self.0 {
            Write::Own(tx) => tx,
            Write::Grouped(t) => t.conn_mut(),
        }
    }
}

impl WriteTx {
    /// Returns once the work is durable (for SQLite, once the group it joined is committed).
    pub async fn commit(self) -> crate::Result<()> {
        match self.0 {
            Write::Own(tx) => tx.commit().await,
            Write::Grouped(t) => t.commit().await,
        }
    }
}

impl Db {
    /// Connect to `url` (`sqlite://file.db`, `postgres://…`). A SQLite file is created when missing.
    pub async fn connect(url: &str) -> anyhow_free::Result<Db> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of_url(url).ok_or_else(|| {
            sqlx::Error::Configuration(format!("数据库地址应以 sqlite: 或 postgres: 开头 (got {url})").into())
        })?;
        let url = match backend {
            Backend::Sqlite if !url.contains("mode=") => {
                if url.contains('?') {
                    format!("{url}&mode=rwc")
                } else {
                    format!("{url}?mode=rwc")
                }
            }
            _ => url.to_owned(),
        };
        let opts = AnyConnectOptions::from_str(&url)?;
        let pool = match backend {
            Backend::Sqlite => {
                AnyPoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(Duration::from_secs(10))
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            // WAL lets readers run beside the writer; foreign keys are off in SQLite unless asked.
                            conn.execute("PRAGMA journal_mode = WAL").await?;
                            conn.execute("PRAGMA foreign_keys = ON").await?;
                            conn.execute("PRAGMA busy_timeout = 5000").await?;
                            conn.execute("PRAGMA synchronous = NORMAL").await?;
                            // 32 MiB of page cache per connection: the engine reads month-long ranges of the
                            // day counts, which the 2 MiB default would keep re-reading from the file.
                            conn.execute("PRAGMA cache_size = -32768").await?;
                            conn.execute("PRAGMA temp_store = MEMORY").await?;
                            Ok(())
                        })
                    })
                    .connect_with(opts)
                    .await?
            }
            Backend::Postgres => {
                AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            // Short queries whose cost PostgreSQL overestimates would be JIT-compiled, which costs
                            // more (10–20 ms) than running them.
                            conn.execute("SET jit = off").await?;
                            Ok(())
                        })
                    })
                    .connect_with(opts)
                    .await?
            }
        };
        let write_gate = (backend == Backend::Sqlite).then(Gate::new);
        Ok(Db { pool, backend, write_gate, counts: Arc::default(), extensions: Arc::default() })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn counts(&self) -> &crate::counts::CountCache {
        &self.counts
    }

    /// This database's value of type `T`, made with `T::default()` the first time it is asked for.
    pub fn extension<T: Default + Send + Sync + 'static>(&self) -> Arc<T> {
        let mut m = self.extensions.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let v = m
            .entry(TypeId::of::<T>())
            .or_insert_with(|| Arc::new(T::default()) as Arc<dyn std::any::Any + Send + Sync>);
        match Arc::clone(v).downcast::<T>() {
            Ok(t) => t,
            // Unreachable: the map is keyed by the type it holds. Kept total rather than panicking.
            Err(_) => Arc::new(T::default()),
        }
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Apply every pending migration for this backend.
    pub async fn migrate(&self) -> anyhow_free::Result<()> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        Ok(())
    }

    /// Start a write transaction (one per use case: all of its rows and its audit event commit together).
    pub async fn begin(&self) -> crate::Result<WriteTx> {
        match &self.write_gate {
            Some(gate) => Ok(WriteTx(Write::Grouped(Turn::begin(gate, &self.pool).await?))),
            None => Ok(WriteTx(Write::Own(self.pool.begin().await?))),
        }
    }

    /// A read-only transaction that sees one consistent state of the database from its first read to its end:
    /// `REPEATABLE READ` on PostgreSQL, a deferred read transaction in WAL mode on SQLite. Dropping it ends it.
    pub async fn snapshot(&self) -> crate::Result<Transaction<'static, Any>> {
        match self.backend {
            Backend::Postgres => self.pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await,
            Backend::Sqlite => self.pool.begin_with("BEGIN DEFERRED").await,
        }
    }

    /// A connection for reading.
    pub async fn read(&self) -> crate::Result<sqlx::pool::PoolConnection<Any>> {
        self.pool.acquire().await
    }

    /// Is the database reachable? For `/healthz`.
    pub async fn ping(&self) -> bool {
        match self.pool.acquire().await {
            Ok(mut c) => c.ping().await.is_ok(),
            Err(_) => false,
        }
    }

    /// Copy a live SQLite database into `dest` consistently (`VACUUM INTO` reads one snapshot).
    pub async fn backup_sqlite(&self, dest: &str) -> crate::Result<()> {
        sqlx::query("VACUUM INTO $1").bind(dest).execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Connection and migration errors are sqlx errors, with the migration error folded in.
pub mod anyhow_free {
    pub type Result<T> = std::result::Result<T, Error>;

    #[derive(Debug, thiserror::Error)]
    pub enum Error {
        #[error(transparent)]
        Sqlx(#[from] sqlx::Error),
        #[error(transparent)]
        Migrate(#[from] sqlx::migrate::MigrateError),
    }
}
