//! The context of one request: when it happens, who acts, and what they may reach.
use crate::{AppError, AppResult};
use anbao_domain::access::{Permission, Role, Scope};
use anbao_domain::ids::{AccountId, StaffId};

#[derive(Debug, Clone)]
pub struct Actor {
    pub account: AccountId,
    pub username: String,
    pub display_name: String,
    pub staff_id: Option<StaffId>,
    pub scope: Scope,
    pub must_change_password: bool,
}

#[derive(Debug, Clone)]
pub struct Ctx {
    /// UTC epoch milliseconds; passed in so tests set the clock.
    pub now: i64,
    pub actor: Actor,
}

impl Ctx {
    pub fn new(now: i64, actor: Actor) -> Self {
        Self { now, actor }
    }

    /// The unit at `path` must be readable, or the object is reported as not found.
    pub fn must_see(&self, path: &str) -> AppResult<()> {
        if self.actor.scope.allows(Permission::OrgRead, path) { Ok(()) } else { Err(AppError::NotFound) }
    }

    /// The unit at `path` must be visible and `perm` must be held over it.
    pub fn must(&self, perm: Permission, path: &str) -> AppResult<()> {
        self.must_see(path)?;
        if self.actor.scope.allows(perm, path) { Ok(()) } else { Err(AppError::Forbidden) }
    }

    /// The unit at `path` must be visible and the actor must hold one of `roles` (or be an administrator) over it:
    /// for acts the regulations give to a post, which a grant to enter records there does not carry. The caller
    /// names the article in a comment beside the call.
    pub fn must_hold(&self, roles: &[Role], path: &str) -> AppResult<()> {
        self.must_see(path)?;
        if self.actor.scope.holds(roles, path) { Ok(()) } else { Err(AppError::Forbidden) }
    }

    pub fn must_anywhere(&self, perm: Permission) -> AppResult<()> {
        if self.actor.scope.has_anywhere(perm) { Ok(()) } else { Err(AppError::Forbidden) }
    }
}
