//! Sign-in: password hashing (argon2id), throttling of failed attempts, sessions and API tokens.
use crate::audit::{self, Entity, Writer};
use crate::{Actor, AppError, AppResult, Ctx};
use anbao_domain::access::{Scope, check_new_password};
use anbao_domain::ids::AccountId;
use anbao_store::Db;
use anbao_store::accounts::{self, NewSession};
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How sign-in is throttled and how long a session lives; from configuration.
#[derive(Debug, Clone, Copy)]
pub struct AuthPolicy {
    /// Failed attempts allowed within `window_ms` before the username is locked.
    pub max_failures: i64,
    pub window_ms: i64,
    pub lock_ms: i64,
    pub session_ttl_ms: i64,
    pub token_ttl_ms: i64,
}

impl Default for AuthPolicy {
    fn default() -> Self {
        Self {
            max_failures: 5,
            window_ms: 15 * 60_000,
            lock_ms: 15 * 60_000,
            session_ttl_ms: 12 * 3_600_000,
            token_ttl_ms: 90 * 24 * 3_600_000,
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

/// Check a username and password; on success open a session (`web`) or issue an API token (`api`).
/// Failed attempts count per username, in the database, so the limit holds across several instances.
pub async fn login(
    db: &Db,
    policy: &AuthPolicy,
    now: i64,
    username: &str,
    password: &str,
    kind: &str,
) -> AppResult<Issued> {
    let username = username.trim();
    let mut tx = db.begin().await?;
    let failures = accounts::failures(&mut tx, username).await?;
    if let Some((_, _, locked_until)) = failures
        && locked_until > now
    {
        return Err(AppError::TooManyAttempts { retry_after_secs: (locked_until - now) / 1000 });
    }
    let account = accounts::by_username(&mut tx, username).await?;
    // Hash even for an unknown username, so the answer takes as long either way.
    let stored = account.as_ref().map_or(DUMMY_HASH, |a| a.password_hash.as_str());
    let good = verify_password(password, stored) && account.as_ref().is_some_and(|a| !a.disabled);
    let Some(account) = account.filter(|_| good) else {
        let (n, start) = match failures {
            Some((n, start, _)) if now - start < policy.window_ms => (n + 1, start),
            _ => (1, now),
        };
        let locked_until = if n >= policy.max_failures { now + policy.lock_ms } else { 0 };
        accounts::put_failures(&mut tx, username, n, start, locked_until).await?;
        let detail = serde_json::json!({ "username": username, "failures": n });
        audit::record_event(
            &mut tx,
            Writer { now, actor: None },
            "auth.login_failed",
            "session",
            username,
            Some(&detail),
        )
        .await?;
        tx.commit().await?;
        return Err(AppError::Invalid(anbao_domain::DomainError::new(
            "password",
            "用户名或密码错误",
            "wrong username or password",
        )));
    };
    accounts::clear_failures(&mut tx, username).await?;
    let (token, hash) = new_token();
    let (csrf, _) = new_token();
    let ttl = if kind == "api" { policy.token_ttl_ms } else { policy.session_ttl_ms };
    accounts::insert_session(
        &mut tx,
        NewSession {
            token_hash: &hash,
            account: account.id,
            kind,
            csrf: &csrf,
            name: None,
            now,
            expires_at: now + ttl,
        },
    )
    .await?;
    let w = Writer { now, actor: Some(account.id) };
    audit::record_event(&mut tx, w, &format!("auth.login_{kind}"), "session", &account.id.to_string(), None).await?;
    tx.commit().await?;
    Ok(Issued { token, csrf, account: account.id, expires_at: now + ttl })
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

/// Change one's own password: the current one must be right; other web sessions end.
pub async fn change_password(db: &Db, ctx: &Ctx, token: &str, current: &str, new: &str) -> AppResult<()> {
    check_new_password(new)?;
    if current == new {
        return Err(AppError::Invalid(anbao_domain::DomainError::new(
            "new_password",
            "新密码不能与当前密码相同",
            "the new password must differ from the current one",
        )));
    }
    let mut tx = db.begin().await?;
    let account = accounts::by_id(&mut tx, ctx.actor.account).await?.ok_or(AppError::Unauthenticated)?;
    if !verify_password(current, &account.password_hash) {
        return Err(AppError::Invalid(anbao_domain::DomainError::new(
            "current_password",
            "当前密码不正确",
            "the current password is wrong",
        )));
    }
    let before = Entity::Account(account.id).snapshot(&mut tx).await?;
    accounts::set_password(&mut tx, account.id, &hash_password(new)?, false).await?;
    accounts::delete_other_sessions(&mut tx, account.id, &token_hash(token)).await?;
    audit::record(&mut tx, ctx.into(), "account.change_password", Entity::Account(account.id), None, before.as_ref())
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
