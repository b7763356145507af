//! The errors a use case can end in. The web layer turns each into an HTML page or a JSON error.
use anbao_domain::DomainError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The thing does not exist, or lies outside the caller's scope (the two look the same on purpose).
    #[error("not found")]
    NotFound,
    /// Signed in, visible, but the caller's roles do not allow this action here.
    #[error("forbidden")]
    Forbidden,
    /// Not signed in, or the session has ended.
    #[error("unauthenticated")]
    Unauthenticated,
    /// Input broke a rule; the message says which, in Chinese and English.
    #[error("invalid: {0}")]
    Invalid(DomainError),
    /// The write collides with what is stored (a duplicate staff number…).
    #[error("conflict: {0}")]
    Conflict(DomainError),
    /// The account's password must be changed before anything else (a new or reset account).
    #[error("password change required")]
    PasswordChangeRequired,
    /// Too many failed sign-ins; try again after the lock ends.
    #[error("too many attempts")]
    TooManyAttempts { retry_after_secs: i64 },
    /// The union's directory, which checks directory sign-ins, cannot be reached or answered with a fault.
    #[error("directory unavailable")]
    DirectoryUnavailable,
    /// Something this server needs for the request is missing here (the Chinese fonts a PDF is set in); the message
    /// says what to install.
    #[error("unavailable: {0}")]
    Unavailable(DomainError),
    /// Something broke that the user cannot fix; the cause goes to the log only.
    #[error("internal error: {0}")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

/// Input broke a rule: the field, and what is wrong in Chinese and English.
pub fn invalid(field: &'static str, zh: impl Into<String>, en: impl Into<String>) -> AppError {
    AppError::Invalid(DomainError::new(field, zh, en))
}

/// The write collides with what is stored now (a state changed meanwhile, a duplicate).
pub fn conflict(field: &'static str, zh: impl Into<String>, en: impl Into<String>) -> AppError {
    AppError::Conflict(DomainError::new(field, zh, en))
}

impl From<DomainError> for AppError {
    fn from(e: DomainError) -> Self {
        AppError::Invalid(e)
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        if anbao_store::is_unique_violation(&e) {
            return AppError::Conflict(DomainError::new(
                "",
                "与已有记录重复（如工号或用户名已被使用）",
                "duplicates an existing record (the staff number or username is taken)",
            ));
        }
        AppError::Internal(e.to_string())
    }
}

impl From<anbao_store::db::anyhow_free::Error> for AppError {
    fn from(e: anbao_store::db::anyhow_free::Error) -> Self {
        AppError::Internal(e.to_string())
    }
}

impl AppError {
    /// A stable code for JSON clients.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound => "not_found",
            AppError::Forbidden => "forbidden",
            AppError::Unauthenticated => "unauthenticated",
            AppError::Invalid(_) => "invalid_input",
            AppError::Conflict(_) => "conflict",
            AppError::TooManyAttempts { .. } => "too_many_attempts",
            AppError::PasswordChangeRequired => "password_change_required",
            AppError::DirectoryUnavailable => "directory_unavailable",
            AppError::Unavailable(_) => "unavailable",
            AppError::Internal(_) => "internal",
        }
    }

    pub fn message_zh(&self) -> String {
        match self {
            AppError::NotFound => "找不到该记录，或不在您的权限范围内".into(),
            AppError::Forbidden => "您没有执行此操作的权限".into(),
            AppError::Unauthenticated => "请先登录".into(),
            AppError::Invalid(e) | AppError::Conflict(e) | AppError::Unavailable(e) => e.message.clone(),
            AppError::TooManyAttempts { retry_after_secs } => {
                format!("尝试次数过多，请{}分钟后再试", (retry_after_secs + 59) / 60)
            }
            AppError::PasswordChangeRequired => "请先修改初始密码，然后才能继续使用".into(),
            AppError::DirectoryUnavailable => "统一身份目录暂时无法连接，请稍后再试或联系系统管理员".into(),
            AppError::Internal(_) => "系统内部错误，请稍后再试或联系管理员".into(),
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            AppError::NotFound => "Not found, or outside your scope".into(),
            AppError::Forbidden => "You are not allowed to do this".into(),
            AppError::Unauthenticated => "Please sign in".into(),
            AppError::Invalid(e) | AppError::Conflict(e) | AppError::Unavailable(e) => e.message_en.clone(),
            AppError::TooManyAttempts { retry_after_secs } => {
                format!("Too many attempts; try again in {} min", (retry_after_secs + 59) / 60)
            }
            AppError::PasswordChangeRequired => "Change your initial password before going on".into(),
            AppError::DirectoryUnavailable => {
                "The union's directory cannot be reached; try again later or contact the administrator".into()
            }
            AppError::Internal(_) => "Internal error; try again later or contact the administrator".into(),
        }
    }

    pub fn field(&self) -> Option<&'static str> {
        match self {
            AppError::Invalid(e) | AppError::Conflict(e) if !e.field.is_empty() => Some(e.field),
            _ => None,
        }
    }
}
