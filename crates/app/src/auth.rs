//! Sign-in: password hashing (argon2id), throttling of failed attempts, sessions and API tokens.
use crate::audit::{self, Entity, Writer};
use crate::directory::{Directory, Lookup};
use crate::{Actor, AppError, AppResult, Ctx};
use anbao_domain::access::{Scope, check_new_password};
use anbao_domain::ids::{AccountId, StaffId};
use anbao_store::accounts::{self, NewSession};
use anbao_store::{Conn, Db};
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How sign-in is throttled, how long a session lives, and whether people sign in through the union's directory;
/// from configuration.
#[derive(Debug, Clone)]
pub struct AuthPolicy {
    /// Failed attempts allowed within `window_ms` before the username is locked.
    pub max_failures: i64,
    pub window_ms: i64,
    pub lock_ms: i64,
    pub session_ttl_ms: i64,
    pub token_ttl_ms: i64,
    /// When set, every account linked to a staff record signs in with its directory password (`directory`).
    pub directory: Option<std::sync::Arc<Directory>>,
}

impl AuthPolicy {
    /// Does the account of this staff record (None: linked to nobody) sign in through the directory? Accounts linked
    /// to no staff record (the administrator, service accounts) always keep their local password.
    pub fn directory_for(&self, staff: Option<StaffId>) -> Option<&Directory> {
        self.directory.as_deref().filter(|_| staff.is_some())
    }
}

impl Default for AuthPolicy {
    fn default() -> Self {
        Self {
            max_failures: 5,
            window_ms: 15 * 60_000,
            lock_ms: 15 * 60_000,
            session_ttl_ms: 12 * 3_600_000,
            token_ttl_ms: 90 * 24 * 3_600_000,
            directory: None,
        }
    }
}

pub fn hash_password(pw: &str) -> AppResult<String> {
    Argon2::default().hash_password(pw.as_bytes()).map(|h| h.to_string()).map_err(|e| AppError::Internal(e.to_string()))
}

pub fn verify_password(pw: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(h) => Argon2::default().verify_password(pw.as_bytes(), &h).is_ok(),
        Err(_) => false,
    }
}

/// Argon2 costs ~20 MB and tens of milliseconds each: run at most as many at once as there are cores, on blocking
/// threads, and never while holding a write transaction — so a flood of failed sign-ins queues only itself.
static HASHING: LazyLock<tokio::sync::Semaphore> = LazyLock::new(|| {
    tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, std::num::NonZero::get))
});

async fn on_hashing_thread<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> AppResult<T> {
    let _permit = HASHING.acquire().await.map_err(|e| AppError::Internal(e.to_string()))?;
    tokio::task::spawn_blocking(f).await.map_err(|e| AppError::Internal(format!("hashing thread: {e}")))
}

/// `verify_password` on a hashing thread.
pub async fn verify_password_blocking(pw: &str, stored: &str) -> AppResult<bool> {
    let (pw, stored) = (pw.to_owned(), stored.to_owned());
    on_hashing_thread(move || verify_password(&pw, &stored)).await
}

/// `hash_password` on a hashing thread.
pub async fn hash_password_blocking(pw: &str) -> AppResult<String> {
    let pw = pw.to_owned();
    on_hashing_thread(move || hash_password(&pw)).await?
}

/// A fresh random token (hex) and the hash under which it is stored.
fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let hash = token_hash(&token);
    (token, hash)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// What a successful sign-in hands back: the secret for the cookie or the bearer header, and the CSRF token.
#[derive(Debug, Clone)]
pub struct Issued {
    pub token: String,
    pub csrf: String,
    pub account: AccountId,
    pub expires_at: i64,
}

/// One sign-in attempt as it arrived.
pub struct Attempt<'a> {
    pub username: &'a str,
    pub password: &'a str,
    /// `web` (a session) or `api` (a bearer token).
    pub kind: &'a str,
    /// The client's address, as the web layer determined it.
    pub client_ip: &'a str,
}

/// A password longer than this is refused before it is hashed (Argon2 reads all of it).
pub const MAX_PASSWORD_CHARS: usize = 256;

fn wrong_credentials() -> AppError {
    AppError::Invalid(anbao_domain::DomainError::new("password", "用户名或密码错误", "wrong username or password"))
}

/// Throttling keys. A lock is kept per (username, client), so one remote client that fails five times locks that
/// username for itself only and can never lock its owner out; failures per client across usernames stop password
/// spraying. Both live in the database, so several instances count together.
pub fn user_key(username: &str, client_ip: &str) -> String {
    format!("u:{username}|{client_ip}")
}

pub fn client_key(client_ip: &str) -> String {
    format!("ip:{client_ip}")
}

/// How many failures from one client, across usernames, lock that client: a few accounts' worth of typos.
pub const CLIENT_FAILURES_PER_USER_LIMIT: i64 = 4;

/// Count an attempt on `key` before any password is checked (one atomic upsert), and refuse it when the key is
/// locked or this attempt goes past `limit` (then the key is locked for `policy.lock_ms`).
pub async fn count_attempt(c: &mut Conn, policy: &AuthPolicy, key: &str, limit: i64, now: i64) -> AppResult<()> {
    let (n, locked_until) = accounts::count_attempt(c, key, now, now - policy.window_ms).await?;
    if locked_until > now {
        return Err(AppError::TooManyAttempts { retry_after_secs: ((locked_until - now) / 1000).max(1) });
    }
    if n > limit {
        accounts::lock(c, key, now + policy.lock_ms).await?;
        return Err(AppError::TooManyAttempts { retry_after_secs: (policy.lock_ms / 1000).max(1) });
    }
    Ok(())
}

/// Check a username and password; on success open a session (`web`) or issue an API token (`api`).
/// The username is parsed as account creation parses it before anything else, so nothing unbounded reaches the
/// database or the trail; the attempt is counted (per username and client, and per client) in its own short write;
/// Argon2 runs after it, outside any transaction; success and failure are each written in one more short write.
pub async fn login(db: &Db, policy: &AuthPolicy, now: i64, a: Attempt<'_>) -> AppResult<Issued> {
    let username = anbao_domain::access::parse_username(a.username).map_err(|_| wrong_credentials())?;
    if a.password.chars().count() > MAX_PASSWORD_CHARS {
        return Err(wrong_credentials());
    }
    let ip = anbao_domain::text::clip(a.client_ip, 64);
    let (ukey, ckey) = (user_key(&username, &ip), client_key(&ip));
    {
        let mut tx = db.begin().await?;
        let counted = match count_attempt(&mut tx, policy, &ukey, policy.max_failures, now).await {
            Ok(()) => {
                count_attempt(&mut tx, policy, &ckey, policy.max_failures * CLIENT_FAILURES_PER_USER_LIMIT, now).await
            }
            Err(e) => Err(e),
        };
        // The count (and a new lock) is kept even when the attempt is refused.
        tx.commit().await?;
        counted?;
    }
    let local = {
        let mut c = db.read().await?;
        accounts::by_username(&mut c, &username).await?
    };
    // With a directory, a username that names no local account of its own (one linked to nobody) is the directory's.
    let directory = match &local {
        Some(a) => policy.directory_for(a.staff_id),
        None => policy.directory.as_deref(),
    };
    let (account, via) = match directory {
        Some(d) => (directory_account(db, d, &username, a.password).await?, "directory"),
        None => {
            // Hash even for an unknown username, so the answer takes as long either way.
            let stored = local.as_ref().map_or(DUMMY_HASH, |a| a.password_hash.as_str()).to_owned();
            let good = verify_password_blocking(a.password, &stored).await?;
            (local.filter(|a| good && !a.disabled), "local")
        }
    };
    let mut tx = db.begin().await?;
    let Some(account) = account else {
        let detail = serde_json::json!({ "username": username, "client_ip": ip, "via": via });
        audit::record_event(
            &mut tx,
            Writer { now, actor: None },
            "auth.login_failed",
            "session",
            &username,
            Some(&detail),
        )
        .await?;
        tx.commit().await?;
        return Err(wrong_credentials());
    };
    let lifted = via == "directory" && account.must_change_password;
    if lifted {
        // The initial password of a bulk-made account is never used: the directory's password is the person's own.
        accounts::clear_must_change(&mut tx, account.id).await?;
    }
    // A success forgives this client's failures on this username; its failures elsewhere still count.
    accounts::clear_failures(&mut tx, &ukey).await?;
    accounts::uncount(&mut tx, &ckey).await?;
    let (token, hash) = new_token();
    let (csrf, _) = new_token();
    let ttl = if a.kind == "api" { policy.token_ttl_ms } else { policy.session_ttl_ms };
    accounts::insert_session(
        &mut tx,
        NewSession {
            token_hash: &hash,
            account: account.id,
            kind: a.kind,
            csrf: &csrf,
            name: None,
            client_ip: Some(&ip),
            now,
            expires_at: now + ttl,
        },
    )
    .await?;
    let w = Writer { now, actor: Some(account.id) };
    let detail = serde_json::json!({ "client_ip": ip, "via": via, "must_change_lifted": lifted });
    audit::record_event(
        &mut tx,
        w,
        &format!("auth.login_{}", a.kind),
        "session",
        &account.id.to_string(),
        Some(&detail),
    )
    .await?;
    tx.commit().await?;
    Ok(Issued { token, csrf, account: account.id, expires_at: now + ttl })
}

/// The account a directory sign-in opens: the active account linked to the staff record whose number the directory
/// holds for this person. None when the password is wrong or the directory's person has no account here.
async fn directory_account(
    db: &Db,
    d: &Directory,
    username: &str,
    password: &str,
) -> AppResult<Option<accounts::AccountRow>> {
    let Some(found) = d.authenticate(Lookup::Username(username), password).await? else { return Ok(None) };
    // The directory's value is input like any other: parsed as the register parses staff numbers.
    let Ok(staff_no) = anbao_domain::staff::StaffNo::parse(&found) else {
        tracing::info!(username, "directory sign-in: the directory's staff number is not one the register could hold");
        return Ok(None);
    };
    let mut c = db.read().await?;
    let Some(staff) = anbao_store::staff::by_no(&mut c, staff_no.as_str()).await? else {
        tracing::info!(username, "directory sign-in: the directory's staff number is not in the staff register");
        return Ok(None);
    };
    Ok(accounts::by_staff(&mut c, staff.id).await?.into_iter().find(|a| !a.disabled))
}

/// A valid argon2id hash of a random password, verified against when the username is unknown.
pub(crate) const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$5s2dbB3Wlq3JVkR6qB1FQ3QZ6ZGa0nYl3s4yUjJ4y8c";

/// Resolved sessions, kept briefly. Every request resolves its token, and at list-page rates the three reads that
/// takes were a third of a request's cost. Whatever changes what a token resolves to (sign-out, a password change,
/// a reset) empties the cache after it commits, so this process never serves a stale answer; another process
/// sharing the database (two instances on PostgreSQL, the console) is seen within `SESSION_CACHE_TTL`.
struct CachedSession {
    cached: Instant,
    expires_at: i64,
    actor: Actor,
    csrf: String,
    kind: String,
}

const SESSION_CACHE_TTL: Duration = Duration::from_secs(5);
/// Past this many entries the cache starts again, so a flood of distinct tokens cannot grow it without bound.
const SESSION_CACHE_MAX: usize = 10_000;

static SESSIONS: LazyLock<Mutex<HashMap<String, CachedSession>>> = LazyLock::new(Default::default);

/// Drop every cached session: called after a change to accounts or sessions commits.
pub fn forget_sessions() {
    SESSIONS.lock().unwrap_or_else(PoisonError::into_inner).clear();
}

/// Who holds this session or token? None when unknown, expired or the account is disabled.
pub async fn resolve(db: &Db, now: i64, token: &str) -> AppResult<Option<(Actor, String, String)>> {
    let hash = token_hash(token);
    if let Some(s) = SESSIONS.lock().unwrap_or_else(PoisonError::into_inner).get(&hash)
        && s.cached.elapsed() < SESSION_CACHE_TTL
    {
        return Ok((s.expires_at > now).then(|| (s.actor.clone(), s.csrf.clone(), s.kind.clone())));
    }
    let cached = Instant::now();
    let mut c = db.read().await?;
    let Some(s) = accounts::session(&mut c, &hash).await? else { return Ok(None) };
    if s.expires_at <= now {
        return Ok(None);
    }
    let Some(a) = accounts::by_id(&mut c, s.account).await? else { return Ok(None) };
    if a.disabled {
        return Ok(None);
    }
    let grants = accounts::grants(&mut c, a.id).await?;
    let actor = Actor {
        account: a.id,
        username: a.username,
        display_name: a.display_name,
        staff_id: a.staff_id,
        scope: Scope { grants },
        must_change_password: a.must_change_password,
    };
    let mut cache = SESSIONS.lock().unwrap_or_else(PoisonError::into_inner);
    if cache.len() >= SESSION_CACHE_MAX {
        cache.clear();
    }
    let entry = CachedSession {
        cached,
        expires_at: s.expires_at,
        actor: actor.clone(),
        csrf: s.csrf.clone(),
        kind: s.kind.clone(),
    };
    cache.insert(hash, entry);
    Ok(Some((actor, s.csrf, s.kind)))
}

pub async fn logout(db: &Db, ctx: &Ctx, token: &str) -> AppResult<()> {
    let mut tx = db.begin().await?;
    accounts::delete_session(&mut tx, &token_hash(token)).await?;
    audit::record_event(&mut tx, ctx.into(), "auth.logout", "session", &ctx.actor.account.to_string(), None).await?;
    tx.commit().await?;
    forget_sessions();
    Ok(())
}

/// Check the signed-in person's current password before a change of their own credentials. Wrong guesses count
/// like sign-in failures (key `pw:<account>`), so a session left open cannot be used to guess the password.
pub async fn check_current_password(db: &Db, policy: &AuthPolicy, ctx: &Ctx, current: &str) -> AppResult<()> {
    let key = format!("pw:{}", ctx.actor.account);
    {
        let mut tx = db.begin().await?;
        let counted = count_attempt(&mut tx, policy, &key, policy.max_failures, ctx.now).await;
        tx.commit().await?;
        counted?;
    }
    let good = if current.chars().count() > MAX_PASSWORD_CHARS {
        false
    } else if let Some(d) = policy.directory_for(ctx.actor.staff_id) {
        let mut c = db.read().await?;
        let staff = ctx.actor.staff_id.ok_or(AppError::Unauthenticated)?;
        let no = anbao_store::staff::get(&mut c, staff).await?.ok_or(AppError::Unauthenticated)?.staff_no;
        drop(c);
        d.authenticate(Lookup::StaffNo(&no), current).await?.is_some_and(|found| found.trim() == no)
    } else {
        let stored = {
            let mut c = db.read().await?;
            accounts::by_id(&mut c, ctx.actor.account).await?.ok_or(AppError::Unauthenticated)?.password_hash
        };
        verify_password_blocking(current, &stored).await?
    };
    if !good {
        return Err(AppError::Invalid(anbao_domain::DomainError::new(
            "current_password",
            "当前密码不正确",
            "the current password is wrong",
        )));
    }
    let mut tx = db.begin().await?;
    accounts::clear_failures(&mut tx, &key).await?;
    tx.commit().await?;
    Ok(())
}

/// Change one's own password: the current one must be right; every other session and API token of the account
/// ends (the one making the change stays), and a pending "must change" is lifted.
pub async fn change_password(
    db: &Db,
    policy: &AuthPolicy,
    ctx: &Ctx,
    token: &str,
    current: &str,
    new: &str,
) -> AppResult<()> {
    if policy.directory_for(ctx.actor.staff_id).is_some() {
        return Err(AppError::Invalid(anbao_domain::DomainError::new(
            "new_password",
            "您的登录密码由联社统一身份目录管理，请在目录（办公系统）中修改",
            "your password is kept by the union's directory; change it there",
        )));
    }
    check_new_password(new)?;
    if current == new {
        return Err(AppError::Invalid(anbao_domain::DomainError::new(
            "new_password",
            "新密码不能与当前密码相同",
            "the new password must differ from the current one",
        )));
    }
    check_current_password(db, policy, ctx, current).await?;
    let hash = hash_password_blocking(new).await?;
    let mut tx = db.begin().await?;
    let before = Entity::Account(ctx.actor.account).snapshot(&mut tx).await?;
    accounts::set_password(&mut tx, ctx.actor.account, &hash, false).await?;
    let ended = accounts::delete_other_sessions(&mut tx, ctx.actor.account, &token_hash(token)).await?;
    let unit = None;
    audit::record(
        &mut tx,
        ctx.into(),
        "account.change_password",
        Entity::Account(ctx.actor.account),
        unit,
        before.as_ref(),
    )
    .await?;
    let detail = serde_json::json!({ "sessions_ended": ended });
    audit::record_event(
        &mut tx,
        ctx.into(),
        "auth.sessions_ended",
        "session",
        &ctx.actor.account.to_string(),
        Some(&detail),
    )
    .await?;
    tx.commit().await?;
    forget_sessions();
    Ok(())
}

/// One of a person's own sessions or API tokens, as they may see it (never the secret).
#[derive(Debug, Clone)]
pub struct OwnSession {
    /// A short handle: the first characters of the stored hash.
    pub id: String,
    pub kind: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub client_ip: Option<String>,
    pub current: bool,
}

/// The signed-in person's live sessions and tokens, newest first.
pub async fn own_sessions(db: &Db, ctx: &Ctx, token: &str) -> AppResult<Vec<OwnSession>> {
    let mut c = db.read().await?;
    let mine = token_hash(token);
    Ok(accounts::sessions_of(&mut c, ctx.actor.account, ctx.now)
        .await?
        .into_iter()
        .map(|s| OwnSession {
            id: s.token_hash[..SESSION_HANDLE].to_owned(),
            current: s.token_hash == mine,
            kind: s.kind,
            created_at: s.created_at,
            expires_at: s.expires_at,
            client_ip: s.client_ip,
        })
        .collect())
}

/// Characters of a session's hash that name it in lists and revocations.
pub const SESSION_HANDLE: usize = 16;

/// End one of one's own sessions or tokens by its handle. Another person's handle is simply not found.
pub async fn revoke_own_session(db: &Db, ctx: &Ctx, handle: &str) -> AppResult<()> {
    if handle.len() != SESSION_HANDLE || !handle.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(AppError::NotFound);
    }
    let mut tx = db.begin().await?;
    let n = accounts::delete_session_by_handle(&mut tx, ctx.actor.account, handle).await?;
    if n == 0 {
        return Err(AppError::NotFound);
    }
    audit::record_event(&mut tx, ctx.into(), "auth.session_revoked", "session", &ctx.actor.account.to_string(), None)
        .await?;
    tx.commit().await?;
    forget_sessions();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let h = hash_password("correct horse").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong horse", &h));
        assert!(!verify_password("correct horse", "not a hash"));
    }

    #[test]
    fn the_dummy_hash_parses_so_unknown_users_cost_a_full_verification() {
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
    }

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let (a, ha) = new_token();
        let (b, _) = new_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(token_hash(&a), ha);
        assert_ne!(a, ha);
    }
}
