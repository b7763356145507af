//! One configuration struct: defaults in code, then `anbao.toml`, then `ANBAO_*` variables, then flags.
//! `anbao config example` prints every option with its comment, from the same table.
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize, Deserialize)]
pub struct Config {
    pub database_url: String,
    pub bind: String,
    pub secure_cookies: bool,
    pub log: String,
    pub login_max_failures: i64,
    pub login_window_minutes: i64,
    pub login_lock_minutes: i64,
    pub session_hours: i64,
    pub api_token_days: i64,
    pub attachments_dir: String,
    pub pdf_fonts_dir: String,
    pub reminder_minutes: i64,
    pub trust_proxy: bool,
    pub header_read_timeout_secs: u64,
    pub request_timeout_secs: u64,
    pub max_concurrent_requests: usize,
    pub login_rate_per_client_per_minute: u32,
    pub login_rate_per_second: u32,
    pub directory_url: String,
    pub directory_starttls: bool,
    pub directory_bind_dn: String,
    pub directory_bind_password: String,
    pub directory_search_base: String,
    pub directory_user_attribute: String,
    pub directory_staff_no_attribute: String,
    pub directory_timeout_secs: u64,
}

impl std::fmt::Debug for Config {
    // The database URL may carry a password: never print it whole.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &redact(&self.database_url))
            .field("bind", &self.bind)
            .field("secure_cookies", &self.secure_cookies)
            .field("directory_url", &self.directory_url)
            .finish_non_exhaustive()
    }
}

pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://***{}", &url[..s], &url[at..]),
        _ => url.to_owned(),
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: "sqlite://anbao-data/anbao.db".into(),
            bind: "127.0.0.1:8080".into(),
            secure_cookies: false,
            log: "info,sqlx=error".into(),
            login_max_failures: 5,
            login_window_minutes: 15,
            login_lock_minutes: 15,
            session_hours: 12,
            api_token_days: 90,
            attachments_dir: "anbao-data/attachments".into(),
            pdf_fonts_dir: String::new(),
            reminder_minutes: 30,
            trust_proxy: false,
            header_read_timeout_secs: 10,
            request_timeout_secs: 120,
            max_concurrent_requests: 256,
            login_rate_per_client_per_minute: 30,
            login_rate_per_second: 20,
            directory_url: String::new(),
            directory_starttls: false,
            directory_bind_dn: String::new(),
            directory_bind_password: String::new(),
            directory_search_base: String::new(),
            directory_user_attribute: "uid".into(),
            directory_staff_no_attribute: "employeeNumber".into(),
            directory_timeout_secs: 5,
        }
    }
}

/// (key, comment) for every option, in the order `config example` prints them.
pub const OPTIONS: [(&str, &str); 26] = [
    ("database_url", "数据库地址 / database: sqlite://path.db (default) or postgres://user@host/db"),
    ("bind", "监听地址 / address to listen on"),
    ("secure_cookies", "仅经 HTTPS 发送会话 Cookie（在 TLS 反向代理之后设为 true）/ mark cookies Secure behind TLS"),
    ("log", "日志级别 / log filter (tracing EnvFilter syntax)"),
    ("login_max_failures", "锁定前允许的连续登录失败次数 / failed sign-ins before the username is locked"),
    ("login_window_minutes", "统计失败次数的时间窗（分钟）/ window in which failures count"),
    ("login_lock_minutes", "锁定时长（分钟）/ how long a username stays locked"),
    ("session_hours", "网页会话有效期（小时）/ web session lifetime"),
    ("api_token_days", "API 令牌有效期（天）/ API token lifetime"),
    ("attachments_dir", "照片与扫描件的存放目录 / folder for photos and scans"),
    (
        "pdf_fonts_dir",
        "PDF公文所用中文字体的目录，空为在系统字体目录中查找 Noto CJK / folder of the Chinese fonts for PDF documents; empty = search the system's",
    ),
    ("reminder_minutes", "提醒任务的运行间隔（分钟），0 为不运行 / minutes between reminder runs, 0 = off"),
    (
        "trust_proxy",
        "从 X-Forwarded-For 的最后一跳取客户端地址（仅在会写入该头的反向代理之后设为 true）/ take the client address from X-Forwarded-For's last hop, only behind a proxy that sets it",
    ),
    (
        "header_read_timeout_secs",
        "读取请求头的时限（秒），防止慢速连接占满服务 / seconds allowed to send request headers",
    ),
    ("request_timeout_secs", "单个请求的时限（秒），超时答复408 / seconds one request may take before 408"),
    ("max_concurrent_requests", "同时处理的请求上限，超出的排队等待 / requests handled at once; more wait their turn"),
    (
        "login_rate_per_client_per_minute",
        "每个客户端地址每分钟的登录尝试上限（本实例）/ sign-in attempts per client address per minute, per instance",
    ),
    (
        "login_rate_per_second",
        "全部客户端每秒的登录尝试上限（本实例）/ sign-in attempts per second from all clients, per instance",
    ),
    (
        "directory_url",
        "统一身份目录（LDAP/AD）地址，空为不启用；启用后关联员工档案的账号用目录密码登录 / directory URL (ldap:// or ldaps://); empty = off; when set, accounts linked to a staff record sign in with their directory password",
    ),
    ("directory_starttls", "ldap:// 连接先以 StartTLS 加密 / upgrade an ldap:// connection with StartTLS"),
    ("directory_bind_dn", "查询目录所用的服务账号 DN / the service account Anbao searches with"),
    (
        "directory_bind_password",
        "服务账号密码（宜以环境变量 ANBAO_DIRECTORY_BIND_PASSWORD 提供）/ its password (better given as ANBAO_DIRECTORY_BIND_PASSWORD)",
    ),
    ("directory_search_base", "人员条目的查询起点 / where people are searched for (subtree)"),
    (
        "directory_user_attribute",
        "登录名所在属性（AD 为 sAMAccountName）/ attribute holding the sign-in name (sAMAccountName on AD)",
    ),
    (
        "directory_staff_no_attribute",
        "工号所在属性，对应员工档案的工号 / attribute holding the staff number of the staff register",
    ),
    ("directory_timeout_secs", "连接与每次目录操作的时限（秒）/ seconds allowed to connect and per operation"),
];

impl Config {
    pub fn load(file: Option<&str>, db: Option<&str>, bind: Option<&str>) -> Result<Config, String> {
        let file =
            file.map(str::to_owned).or_else(|| std::env::var("ANBAO_CONFIG").ok()).unwrap_or("anbao.toml".into());
        let mut cfg: Config = Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file(&file))
            .merge(Env::prefixed("ANBAO_").ignore(&["config"]))
            .extract()
            .map_err(|e| e.to_string())?;
        if let Some(db) = db {
            cfg.database_url = db.to_owned();
        }
        if let Some(b) = bind {
            cfg.bind = b.to_owned();
        }
        Ok(cfg)
    }

    pub fn auth_policy(&self) -> anbao_app::auth::AuthPolicy {
        anbao_app::auth::AuthPolicy {
            max_failures: self.login_max_failures.max(1),
            window_ms: self.login_window_minutes.max(1) * 60_000,
            lock_ms: self.login_lock_minutes.max(1) * 60_000,
            session_ttl_ms: self.session_hours.max(1) * 3_600_000,
            token_ttl_ms: self.api_token_days.max(1) * 86_400_000,
            directory: self.directory(),
        }
    }

    /// The directory sign-in configuration, when `directory_url` is set.
    pub fn directory(&self) -> Option<std::sync::Arc<anbao_app::directory::Directory>> {
        if self.directory_url.trim().is_empty() {
            return None;
        }
        Some(std::sync::Arc::new(anbao_app::directory::Directory {
            url: self.directory_url.trim().to_owned(),
            starttls: self.directory_starttls,
            bind_dn: self.directory_bind_dn.clone(),
            bind_password: self.directory_bind_password.clone(),
            search_base: self.directory_search_base.clone(),
            user_attribute: self.directory_user_attribute.clone(),
            staff_no_attribute: self.directory_staff_no_attribute.clone(),
            timeout: std::time::Duration::from_secs(self.directory_timeout_secs.max(1)),
        }))
    }

    pub fn server_limits(&self) -> anbao_web::ServerLimits {
        anbao_web::ServerLimits {
            request_timeout: std::time::Duration::from_secs(self.request_timeout_secs.max(1)),
            max_concurrent_requests: self.max_concurrent_requests.max(1),
        }
    }

    pub fn sign_in_rates(&self) -> anbao_web::security::SignInRates {
        anbao_web::security::SignInRates {
            per_client_per_minute: self.login_rate_per_client_per_minute,
            all_per_second: self.login_rate_per_second,
        }
    }

    /// The commented example file: every option with its default.
    pub fn example() -> String {
        let defaults = serde_json::to_value(Config::default()).unwrap_or_default();
        let mut out = String::from(
            "# anbao.toml — 安保配置示例 (Anbao configuration). Every key may also be set as ANBAO_<KEY>.\n\n",
        );
        for (key, comment) in OPTIONS {
            out.push_str(&format!(
                "# {comment}\n{key} = {}\n\n",
                defaults.get(key).map(ToString::to_string).unwrap_or_default()
            ));
        }
        out
    }
}

pub fn init_logging(filter: &str) {
    let filter =
        tracing_subscriber::EnvFilter::try_new(filter).unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ =
        tracing_subscriber::fmt().with_env_filter(filter).with_target(false).with_writer(std::io::stderr).try_init();
}

/// For SQLite URLs, make sure the folder of the file exists.
pub fn ensure_sqlite_dir(url: &str) {
    if let Some(path) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
        let path = path.split('?').next().unwrap_or(path);
        if let Some(dir) = std::path::Path::new(path).parent()
            && !dir.as_os_str().is_empty()
        {
            let _ = std::fs::create_dir_all(dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_in_database_urls_are_redacted() {
        assert_eq!(redact("postgres://anbao:secret@db/anbao"), "postgres://***@db/anbao");
        assert_eq!(redact("sqlite://anbao.db"), "sqlite://anbao.db");
    }

    #[test]
    fn the_example_names_every_option() {
        let ex = Config::example();
        for (k, _) in OPTIONS {
            assert!(ex.contains(&format!("{k} = ")), "{k} missing");
        }
        let parsed: Config = Figment::from(Toml::string(&ex)).extract().expect("example parses back");
        assert_eq!(parsed.bind, Config::default().bind);
    }
}
