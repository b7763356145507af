//! Sign-in through the union's directory (LDAP / Active Directory), off unless configured (SYS-5). The staff already
//! sign in to the union's other systems with their directory password; Anbao asks the directory whether the password
//! is right and which staff number the person holds, then uses the account linked to that staff record. Anbao keeps
//! no directory password. Accounts linked to no staff record (the administrator, service accounts) keep their local
//! password, and two-person confirmations keep their local PIN.
//!
//! The conversation is the usual "search, then bind as the person": bind as a service account, find the one entry
//! whose user attribute equals the typed username (or whose staff-number attribute equals the staff number, when a
//! signed-in person re-confirms their password), then bind as that entry's DN with the typed password.
use crate::{AppError, AppResult};
use ldap3::{LdapConnAsync, LdapConnSettings, Scope, SearchEntry, ldap_escape};
use std::time::Duration;

/// Where the directory is and how people are found in it; from configuration.
#[derive(Clone)]
pub struct Directory {
    /// `ldap://host:389` or `ldaps://host:636`.
    pub url: String,
    /// Upgrade an `ldap://` connection with StartTLS before anything is sent.
    pub starttls: bool,
    /// The service account Anbao searches with, and its password.
    pub bind_dn: String,
    pub bind_password: String,
    /// Where people are searched for (the whole subtree).
    pub search_base: String,
    /// The attribute holding the name people type (`uid`; `sAMAccountName` on Active Directory).
    pub user_attribute: String,
    /// The attribute holding the staff number of Anbao's staff register (`employeeNumber`).
    pub staff_no_attribute: String,
    /// How long one connection or one operation may take.
    pub timeout: Duration,
}

impl std::fmt::Debug for Directory {
    // The service password is never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Directory")
            .field("url", &self.url)
            .field("bind_dn", &self.bind_dn)
            .field("search_base", &self.search_base)
            .finish_non_exhaustive()
    }
}

/// Who the directory finds: by the name people type, or by staff number.
#[derive(Debug, Clone, Copy)]
pub enum Lookup<'a> {
    Username(&'a str),
    StaffNo(&'a str),
}

/// LDAP result code for a wrong password (RFC 4511 §4.1.9, invalidCredentials).
const INVALID_CREDENTIALS: u32 = 49;

fn unavailable(e: impl std::fmt::Display) -> AppError {
    tracing::warn!("directory: {e}");
    AppError::DirectoryUnavailable
}

impl Directory {
    /// The staff number of the person the directory finds by `who`, when `password` is theirs; None when the
    /// directory does not know them, knows several, or the password is wrong. An unreachable or misconfigured
    /// directory is `Unavailable`, never a wrong password.
    pub async fn authenticate(&self, who: Lookup<'_>, password: &str) -> AppResult<Option<String>> {
        // An empty password makes a simple bind "unauthenticated" and some servers answer success (RFC 4513 §5.1.2).
        if password.is_empty() {
            return Ok(None);
        }
        let settings = LdapConnSettings::new().set_conn_timeout(self.timeout).set_starttls(self.starttls);
        let (conn, mut ldap) = LdapConnAsync::with_settings(settings, &self.url).await.map_err(unavailable)?;
        ldap3::drive!(conn);
        ldap.with_timeout(self.timeout);
        ldap.simple_bind(&self.bind_dn, &self.bind_password).await.and_then(|r| r.success()).map_err(unavailable)?;
        let filter = match who {
            Lookup::Username(u) => format!("({}={})", self.user_attribute, ldap_escape(u)),
            Lookup::StaffNo(n) => format!("({}={})", self.staff_no_attribute, ldap_escape(n)),
        };
        ldap.with_timeout(self.timeout);
        let (entries, _) = ldap
            .search(&self.search_base, Scope::Subtree, &filter, vec![self.staff_no_attribute.as_str()])
            .await
            .and_then(|r| r.success())
            .map_err(unavailable)?;
        // Exactly one person, or nobody: two entries answering one name is a directory fault, never a choice.
        let mut entries = entries;
        if entries.len() != 1 {
            return Ok(None);
        }
        let Some(entry) = entries.pop().map(SearchEntry::construct) else { return Ok(None) };
        let Some(staff_no) = entry.attrs.get(&self.staff_no_attribute).and_then(|v| v.first()).cloned() else {
            return Ok(None);
        };
        ldap.with_timeout(self.timeout);
        let bound = ldap.simple_bind(&entry.dn, password).await.map_err(unavailable)?;
        let _ = ldap.unbind().await;
        match bound.rc {
            0 => Ok(Some(staff_no)),
            INVALID_CREDENTIALS => Ok(None),
            rc => Err(unavailable(format!("bind as a person answered {rc}: {}", bound.text))),
        }
    }
}
