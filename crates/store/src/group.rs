//! Group commit for SQLite: many use cases' write transactions share one database transaction.
//!
//! SQLite has one writer. Giving every use case its own `BEGIN … COMMIT` makes each pay for a commit (the WAL frames
//! of every page it touched, written again by the next one) and queues the rest behind it. Here the writers still
//! take turns, one use case at a time holding the connection, but each runs inside a `SAVEPOINT` of a transaction
//! that stays open while more writers are waiting. The last writer of a burst (or the one that finds the batch full
//! or old) commits it for everyone. A use case's `commit()` returns only after the batch it joined is durable, and
//! a use case that fails or is dropped rolls back to its own savepoint, leaving the others' work in place — so each
//! use case keeps its own all-or-nothing transaction, as if it had been alone.
use sqlx::{Any, AnyConnection, Executor, Transaction};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, OwnedMutexGuard, oneshot};

/// A batch is committed when it holds this many use cases…
const MAX_MEMBERS: usize = 128;
/// …or when it has been open this long, so that a steady stream of writers still sees its answers promptly.
const MAX_AGE: Duration = Duration::from_millis(4);
/// A batch left open for waiting writers is committed after this long at the latest, even if all of them went away
/// (their requests cancelled).
const ORPHAN_CHECK: Duration = Duration::from_millis(10);

/// The outcome of a batch commit, sent to each member. `sqlx::Error` is not `Clone`, so a failure travels as text.
type Outcome = Result<(), String>;

/// The open batch: the database transaction and the members whose savepoints were released into it.
pub(crate) struct Batch {
    tx: Option<Transaction<'static, Any>>,
    members: Vec<oneshot::Sender<Outcome>>,
    opened: Instant,
    /// The previous holder was dropped inside its savepoint: undo its work before anything else runs.
    abandoned: bool,
    /// Counts batches ended (committed or failed), so a watcher knows whether the batch it watches is still open.
    ended: u64,
    /// A watcher task is making sure this batch ends even if every member's request is cancelled.
    watched: bool,
}

/// Shared by every clone of a `Db` on SQLite.
pub(crate) struct Gate {
    batch: Arc<Mutex<Batch>>,
    /// Writers waiting for their turn; while there are some, the holder leaves the batch open for them.
    waiting: AtomicUsize,
}

impl Gate {
    pub(crate) fn new() -> Arc<Gate> {
        Arc::new(Gate {
            batch: Arc::new(Mutex::new(Batch {
                tx: None,
                members: Vec::new(),
                opened: Instant::now(),
                abandoned: false,
                ended: 0,
                watched: false,
            })),
            waiting: AtomicUsize::new(0),
        })
    }
}

/// Counts a writer as waiting until it gets its turn, or until its request is cancelled.
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// One use case's turn at the shared transaction.
pub(crate) struct Turn {
    guard: Option<OwnedMutexGuard<Batch>>,
    gate: Arc<Gate>,
}

// A turn holds the open batch from `begin` to `commit`/drop: the `expect`s below state that invariant, which a
// typestate would only restate at more cost.
#[allow(clippy::expect_used)]
impl Turn {
    /// Wait for the writer's turn, open the batch if none is open, and start this use case's savepoint.
    pub(crate) async fn begin(gate: &Arc<Gate>, pool: &sqlx::AnyPool) -> crate::Result<Turn> {
        gate.waiting.fetch_add(1, Ordering::SeqCst);
        let waiting = Waiting(&gate.waiting);
        let mut g = gate.batch.clone().lock_owned().await;
        drop(waiting);
        settle(&mut g).await;
        if g.tx.is_none() {
            g.tx = Some(pool.begin().await?);
            g.opened = Instant::now();
        }
        let tx = g.tx.as_mut().expect("the batch is open");
        if let Err(e) = tx.execute("SAVEPOINT anbao_write").await {
            // The transaction is unusable: fail the batch rather than let later members build on it.
            fail(&mut g, &e.to_string()).await;
            return Err(e);
        }
        Ok(Turn { guard: Some(g), gate: gate.clone() })
    }

    pub(crate) fn conn(&self) -> &AnyConnection {
        self.guard.as_ref().and_then(|g| g.tx.as_deref()).expect("a turn holds the open batch")
    }

    pub(crate) fn conn_mut(&mut self) -> &mut AnyConnection {
        self.guard.as_mut().and_then(|g| g.tx.as_deref_mut()).expect("a turn holds the open batch")
    }

    /// Keep this use case's work and return once the batch holding it is committed.
    pub(crate) async fn commit(mut self) -> crate::Result<()> {
        let mut g = self.guard.take().expect("a turn is committed once");
        let released = g.tx.as_mut().expect("the batch is open").execute("RELEASE SAVEPOINT anbao_write").await;
        if let Err(e) = released {
            g.abandoned = true;
            settle(&mut g).await;
            return Err(e);
        }
        let (done, outcome) = oneshot::channel();
        g.members.push(done);
        let full = g.members.len() >= MAX_MEMBERS || g.opened.elapsed() >= MAX_AGE;
        if full || self.gate.waiting.load(Ordering::SeqCst) == 0 {
            flush(&mut g).await;
        } else {
            watch(&self.gate, &mut g);
        }
        drop(g);
        match outcome.await {
            Ok(result) => result.map_err(sqlx::Error::Protocol),
            Err(_) => Err(sqlx::Error::Protocol("the write batch was lost".into())),
        }
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        // Dropped without commit: a failed or cancelled use case. The undo is a statement, and a destructor cannot
        // wait for one, so the next holder of the batch runs it first (see `settle`). The members already in the
        // batch are committed by whoever holds it next, or by their own orphan check.
        if let Some(mut g) = self.guard.take() {
            g.abandoned = true;
            if let Ok(rt) = tokio::runtime::Handle::try_current() {
                let gate = self.gate.clone();
                rt.spawn(async move {
                    settle(&mut g).await;
                    // With no one waiting, nobody would take the batch next: end it now, so an open transaction
                    // does not hold the database.
                    if gate.waiting.load(Ordering::SeqCst) == 0 {
                        flush(&mut g).await;
                    } else {
                        watch(&gate, &mut g);
                    }
                });
            }
        }
    }
}

/// The writers still waiting will commit the batch; should their requests be cancelled (a client that hangs up),
/// a watcher commits it instead, so no write is left open holding the database.
fn watch(gate: &Arc<Gate>, g: &mut Batch) {
    if g.watched {
        return;
    }
    g.watched = true;
    let (batch, ended) = (gate.batch.clone(), g.ended);
    tokio::spawn(async move {
        tokio::time::sleep(ORPHAN_CHECK).await;
        let mut g = batch.lock().await;
        if g.ended == ended {
            settle(&mut g).await;
            flush(&mut g).await;
        }
    });
}

/// Undo an abandoned savepoint; if even that fails, the whole batch goes.
async fn settle(g: &mut Batch) {
    if !g.abandoned {
        return;
    }
    g.abandoned = false;
    let Some(tx) = g.tx.as_mut() else { return };
    let undone = async {
        tx.execute("ROLLBACK TO SAVEPOINT anbao_write").await?;
        tx.execute("RELEASE SAVEPOINT anbao_write").await
    }
    .await;
    if let Err(e) = undone {
        fail(g, &e.to_string()).await;
    }
}

/// Commit the batch and tell every member.
async fn flush(g: &mut Batch) {
    let Some(tx) = g.tx.take() else { return };
    g.ended += 1;
    g.watched = false;
    let outcome = tx.commit().await.map_err(|e| e.to_string());
    for m in g.members.drain(..) {
        let _ = m.send(outcome.clone());
    }
}

/// Roll the batch back and tell every member their write did not happen.
async fn fail(g: &mut Batch, why: &str) {
    g.ended += 1;
    g.watched = false;
    if let Some(tx) = g.tx.take() {
        let _ = tx.rollback().await;
    }
    for m in g.members.drain(..) {
        let _ = m.send(Err(format!("the write batch failed: {why}")));
    }
}
