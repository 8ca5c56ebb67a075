//! Layered configuration: built-in defaults -> `config/default.toml` ->
//! `config/{TENANTRY_ENV}.toml` -> `TENANTRY__SECTION__KEY` environment variables.
//! With nothing configured, Tenantry runs on a SQLite file under `./data/`.

use std::path::PathBuf;

use secrecy::SecretString;
use serde::Deserialize;
use tenantry_application::files::FilePolicy;

#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub auth: AuthSettings,
    pub log: LogSettings,
    pub seed: SeedSettings,
    pub mail: MailSettings,
    pub rate_limit: RateLimitSettings,
    pub files: FileSettings,
    pub jobs: JobSettings,
    /// Where the embedded defaults keep their files (SQLite, signing secret).
    pub data_dir: PathBuf,
    /// Each module's own section (`[modules.invoices]`), read by the module.
    #[serde(default)]
    pub modules: ModuleSections,
}

/// The modules' settings sections, by module name. They may hold secrets (an API
/// key of the module's provider), so `Debug` names the sections, never their values.
#[derive(Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct ModuleSections(std::collections::BTreeMap<String, serde_json::Value>);

impl ModuleSections {
    /// The section of the module `name`.
    pub fn get(&self, name: &str) -> Option<&serde_json::Value> {
        self.0.get(name)
    }

    /// Sets the section of the module `name` (tests, programmatic configuration).
    pub fn insert(&mut self, name: impl Into<String>, section: serde_json::Value) {
        self.0.insert(name.into(), section);
    }
}

impl std::fmt::Debug for ModuleSections {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct ServerSettings {
    pub host: String,
    pub port: u16,
    /// Worker threads; defaults to the number of cores.
    pub workers: Option<usize>,
    /// Seconds in-flight requests get to finish after SIGTERM/Ctrl-C.
    pub shutdown_timeout_seconds: u64,
    /// The most a request may take before it is abandoned with a 503.
    pub request_timeout_seconds: u64,
    /// Browser origins allowed to call the API cross-origin (`https://app.example.com`).
    pub cors_allowed_origins: Vec<String>,
    /// Where clients reach this server (`https://api.example.com`): absolute links
    /// (download links) are built from it, never from `Host` or `X-Forwarded-*`.
    /// Defaults to the address the server listens on.
    #[serde(default)]
    pub public_url: Option<String>,
    /// A bearer token that `GET /metrics` requires. Without one, metrics answer
    /// only to clients on this machine (loopback addresses).
    #[serde(default)]
    pub metrics_token: Option<SecretString>,
}

impl ServerSettings {
    /// The configured metrics token, checked: a guessable token guards nothing.
    ///
    /// # Errors
    /// A token shorter than 16 characters.
    pub fn metrics_token(&self) -> anyhow::Result<Option<SecretString>> {
        use secrecy::ExposeSecret;
        match &self.metrics_token {
            Some(token) if token.expose_secret().trim().chars().count() < 16 => {
                anyhow::bail!("server.metrics_token must be at least 16 characters (use a long random string)")
            }
            other => Ok(other.clone()),
        }
    }

    /// The configured public URL, checked: `http(s)://host[:port][/prefix]`, no
    /// query or fragment, without a trailing slash.
    ///
    /// # Errors
    /// A value that is not such a URL.
    pub fn public_url(&self) -> anyhow::Result<Option<String>> {
        let Some(raw) = self.public_url.as_deref().map(str::trim).filter(|raw| !raw.is_empty()) else {
            return Ok(None);
        };
        let url = url::Url::parse(raw).map_err(|e| anyhow::anyhow!("server.public_url {raw:?}: {e}"))?;
        anyhow::ensure!(
            matches!(url.scheme(), "http" | "https") && url.host().is_some(),
            "server.public_url {raw:?} must be an http(s) URL with a host"
        );
        anyhow::ensure!(
            url.query().is_none() && url.fragment().is_none() && url.username().is_empty() && url.password().is_none(),
            "server.public_url {raw:?} must not carry credentials, a query or a fragment"
        );
        Ok(Some(url.as_str().trim_end_matches('/').to_owned()))
    }
}

/// Request budgets per client address (seed 003: 10 requests/s by default).
#[derive(Debug, Clone, Deserialize)]
pub struct RateLimitSettings {
    pub enabled: bool,
    /// Sustained requests per second per client address and per signed-in user.
    pub api_per_second: u32,
    pub api_burst: u32,
    /// Login, registration, password reset and verification mail, per client address.
    pub credentials_per_minute: u32,
    pub credentials_burst: u32,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DatabaseSettings {
    /// `sqlite://path` or `postgres://user@host/db`; defaults to `sqlite://{data_dir}/tenantry.db`.
    pub url: Option<SecretString>,
    pub max_connections: u32,
    /// Apply pending migrations when the server starts.
    pub migrate_on_start: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AuthSettings {
    /// Directory of the Ed25519 signing keys (`*.pem`, PKCS#8); defaults to
    /// `{data_dir}/jwt-keys`. Empty or missing: one is generated on first start.
    pub keys_dir: Option<PathBuf>,
    /// Refuse login until the address is verified through the mailed link.
    pub require_verified_email: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct LogSettings {
    /// `json` (default, for machines) or `pretty` (for people).
    pub format: String,
    /// A tracing filter, e.g. `info` or `tenantry=debug,info`; `RUST_LOG` wins when set.
    pub level: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct MailSettings {
    /// The `From:` of outgoing mail.
    pub from: String,
    /// Where the embedded mailer writes `.eml` files; defaults to `{data_dir}/mail`.
    pub dir: Option<PathBuf>,
}

/// Uploads: where their bytes go and what they may be.
#[derive(Debug, Clone, Deserialize)]
pub struct FileSettings {
    /// `local` (a directory, the embedded default) or `s3` (any S3-compatible store,
    /// configured under `[files.s3]`).
    #[serde(default = "local_store")]
    pub store: String,
    /// The local blob store's directory; defaults to `{data_dir}/files`.
    pub dir: Option<PathBuf>,
    pub s3: Option<S3FileSettings>,
    /// Larger uploads are refused with 413.
    pub max_upload_bytes: u64,
    /// MIME types sniffed from the bytes that are accepted (415 otherwise).
    pub allowed_content_types: Vec<String>,
    /// Lifetime of a signed download link unless its creator asks for less or more.
    pub link_ttl_seconds: u32,
    /// The longest lifetime a creator may ask for.
    pub max_link_ttl_seconds: u32,
    /// Files stay in the bin (restorable) this many days before the daily purge
    /// removes them and their blobs for good.
    pub bin_retention_days: u32,
}

/// Background jobs: run in the server process by default; a scaled-out deployment
/// turns that off and runs `tenantry worker` processes instead (or as well).
#[derive(Debug, Clone, Deserialize)]
pub struct JobSettings {
    pub run_in_server: bool,
    /// How often an idle worker looks for due jobs.
    pub poll_interval_ms: u64,
}

fn local_store() -> String {
    "local".to_owned()
}

/// An S3-compatible bucket for blobs (`files.store = "s3"`); give the secret through
/// `TENANTRY__FILES__S3__SECRET_ACCESS_KEY`, never in a committed file.
#[derive(Debug, Clone, Deserialize)]
pub struct S3FileSettings {
    pub bucket: String,
    #[serde(default = "default_region")]
    pub region: String,
    /// For MinIO, R2 and the like (`http://127.0.0.1:9000`); absent for AWS.
    pub endpoint: Option<String>,
    pub access_key_id: String,
    pub secret_access_key: SecretString,
    /// Key prefix inside the bucket.
    #[serde(default = "default_prefix")]
    pub prefix: String,
}

fn default_region() -> String {
    "us-east-1".to_owned()
}

fn default_prefix() -> String {
    "files".to_owned()
}

#[derive(Debug, Clone, Deserialize)]
pub struct SeedSettings {
    pub admin_email: String,
    pub admin_display_name: String,
    /// Never has a default: the admin is only created when this is configured.
    pub admin_password: Option<SecretString>,
}

impl Settings {
    /// # Errors
    /// A config file that does not parse, or a value of the wrong type.
    pub fn load() -> Result<Self, config::ConfigError> {
        let environment = std::env::var("TENANTRY_ENV").unwrap_or_else(|_| "development".to_owned());
        config::Config::builder()
            .set_default("server.host", "127.0.0.1")?
            .set_default("server.port", 8080)?
            .set_default("server.shutdown_timeout_seconds", 30)?
            .set_default("server.request_timeout_seconds", 30)?
            .set_default("server.cors_allowed_origins", Vec::<String>::new())?
            .set_default("rate_limit.enabled", true)?
            .set_default("rate_limit.api_per_second", 10)?
            .set_default("rate_limit.api_burst", 20)?
            .set_default("rate_limit.credentials_per_minute", 10)?
            .set_default("rate_limit.credentials_burst", 5)?
            .set_default("database.max_connections", 10)?
            .set_default("database.migrate_on_start", true)?
            .set_default("log.format", "json")?
            .set_default("log.level", "info")?
            .set_default("seed.admin_email", "admin@tenantry.local")?
            .set_default("seed.admin_display_name", "Platform Admin")?
            .set_default("data_dir", "data")?
            .set_default("mail.from", "Tenantry <no-reply@tenantry.local>")?
            .set_default("auth.require_verified_email", false)?
            .set_default("files.max_upload_bytes", 10 * 1024 * 1024)?
            .set_default("files.allowed_content_types", FilePolicy::default().allowed_content_types)?
            .set_default("files.link_ttl_seconds", FilePolicy::default().link_ttl_seconds)?
            .set_default("files.max_link_ttl_seconds", FilePolicy::default().max_link_ttl_seconds)?
            .set_default("files.bin_retention_days", 30)?
            .set_default("jobs.run_in_server", true)?
            .set_default("jobs.poll_interval_ms", 1000)?
            .add_source(config::File::with_name("config/default").required(false))
            .add_source(config::File::with_name(&format!("config/{environment}")).required(false))
            .add_source(
                config::Environment::with_prefix("TENANTRY")
                    .prefix_separator("__")
                    .separator("__")
                    .try_parsing(true)
                    .list_separator(",")
                    .with_list_parse_key("server.cors_allowed_origins")
                    .with_list_parse_key("files.allowed_content_types"),
            )
            .build()?
            .try_deserialize()
    }

    /// Where the access-token signing keys live.
    pub fn keys_dir(&self) -> PathBuf {
        self.auth.keys_dir.clone().unwrap_or_else(|| self.data_dir.join("jwt-keys"))
    }

    /// Where the embedded mailer writes.
    pub fn mail_dir(&self) -> PathBuf {
        self.mail.dir.clone().unwrap_or_else(|| self.data_dir.join("mail"))
    }

    /// Where the local blob store keeps file contents.
    pub fn files_dir(&self) -> PathBuf {
        self.files.dir.clone().unwrap_or_else(|| self.data_dir.join("files"))
    }

    /// The database URL, defaulting to the embedded SQLite file.
    pub fn database_url(&self) -> String {
        use secrecy::ExposeSecret;
        match &self.database.url {
            Some(url) => url.expose_secret().to_owned(),
            None => format!("sqlite://{}", self.data_dir.join("tenantry.db").display()),
        }
    }
}

/// The URL with any password replaced (userinfo and `password=` parameters), for logs.
pub fn redact_url(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let base = redact_userinfo(base);
    match query {
        None => base,
        Some(query) => {
            let params: Vec<String> = query
                .split('&')
                .map(|param| match param.split_once('=') {
                    Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
                    _ => param.to_owned(),
                })
                .collect();
            format!("{base}?{}", params.join("&"))
        }
    }
}

fn redact_userinfo(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_public_url_is_an_http_origin_with_an_optional_prefix() {
        let with = |url: &str| ServerSettings {
            host: "127.0.0.1".into(),
            port: 0,
            workers: None,
            shutdown_timeout_seconds: 1,
            request_timeout_seconds: 1,
            cors_allowed_origins: Vec::new(),
            public_url: Some(url.into()),
            metrics_token: None,
        };
        assert_eq!(with("https://api.example.com/").public_url().unwrap().as_deref(), Some("https://api.example.com"));
        assert_eq!(with("http://h:8080/tenantry").public_url().unwrap().as_deref(), Some("http://h:8080/tenantry"));
        assert_eq!(with("  ").public_url().unwrap(), None);
        let token = |token: &str| ServerSettings { metrics_token: Some(token.to_owned().into()), ..with("http://h") };
        assert!(token("").metrics_token().is_err());
        assert!(token("short").metrics_token().is_err());
        assert!(token("a long random metrics token").metrics_token().unwrap().is_some());
        for bad in ["ftp://h", "api.example.com", "https://h/?x=1", "https://u:p@h"] {
            assert!(with(bad).public_url().is_err(), "{bad}");
        }
    }

    #[test]
    fn redacts_passwords_in_database_urls() {
        assert_eq!(redact_url("postgres://app:s3cret@db:5432/tenantry"), "postgres://app:***@db:5432/tenantry");
        assert_eq!(redact_url("postgres://postgres@127.0.0.1/x"), "postgres://postgres@127.0.0.1/x");
        assert_eq!(redact_url("sqlite://data/tenantry.db"), "sqlite://data/tenantry.db");
        assert_eq!(
            redact_url("postgres://app@db/t?sslmode=disable&password=s3cret"),
            "postgres://app@db/t?sslmode=disable&password=***"
        );
    }
}
