//! Where the store is: the SQLite file in the data home (what users get by default), or
//! a PostgreSQL database named by a URL (`--store`, `$OPTCTL_STORE`, `[store] url`).
//!
//! Resolved once per run; every command opens the store through [`Location::open`],
//! [`Location::open_read`] or [`Location::open_read_waiting`], so no call site knows
//! the backend.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{Result, Store};

/// Where the store is.
#[derive(Debug, Clone)]
pub enum Location {
    /// The SQLite file (`<home>/optctl.db`).
    Sqlite(PathBuf),
    /// A PostgreSQL database, password already resolved.
    Postgres(Box<postgres::Config>),
}

impl PartialEq for Location {
    fn eq(&self, other: &Location) -> bool {
        match (self, other) {
            (Location::Sqlite(a), Location::Sqlite(b)) => a == b,
            (Location::Postgres(a), Location::Postgres(b)) => {
                describe(a) == describe(b) && a.get_password() == b.get_password()
            }
            _ => false,
        }
    }
}

impl Eq for Location {}

/// Where a store URL came from, for the message when it is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// `--store` or `$OPTCTL_STORE`.
    Flag,
    /// `[store] url` in the config file.
    Config,
}

impl Source {
    fn name(self) -> &'static str {
        match self {
            Source::Flag => "--store (or $OPTCTL_STORE)",
            Source::Config => "[store] url in the config file",
        }
    }
}

impl Location {
    /// The store of a run: the URL of `--store`/`$OPTCTL_STORE` (`flag`), else the
    /// config's `[store] url`, else the SQLite file `sqlite`. An error names the setting
    /// that holds the bad URL (it is bad input: exit 2).
    pub fn resolve(
        flag: Option<&str>,
        config_url: Option<&str>,
        sqlite: PathBuf,
    ) -> Result<Location, String> {
        let (url, source) = match (flag, config_url) {
            (Some(u), _) => (u, Source::Flag),
            (None, Some(u)) => (u, Source::Config),
            (None, None) => return Ok(Location::Sqlite(sqlite)),
        };
        Location::postgres(url, &Env::from_process()).map_err(|e| format!("{}: {e}", source.name()))
    }

    /// A PostgreSQL location from `url` (`postgres://user[:password]@host[:port]/db`),
    /// its password from the URL, else `$PGPASSWORD`, else the password file.
    pub(crate) fn postgres(url: &str, env: &Env) -> Result<Location, String> {
        let url = url.trim();
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(
                "not a PostgreSQL URL: write postgres://user@host:5432/database".to_string(),
            );
        }
        let mut config: postgres::Config = url
            .parse()
            .map_err(|e: postgres::Error| format!("bad PostgreSQL URL: {e}"))?;
        if config.get_hosts().is_empty() {
            return Err("the PostgreSQL URL names no host".to_string());
        }
        if config.get_user().is_none() {
            match &env.user {
                Some(u) => {
                    config.user(u);
                }
                None => return Err("the PostgreSQL URL names no user".to_string()),
            }
        }
        if config.get_password().is_none() {
            if let Some(p) = &env.pgpassword {
                config.password(p.as_bytes());
            } else if let Some(p) = env
                .pgpass_file()
                .and_then(|f| password_from_file(&f, &config))
            {
                config.password(p.as_bytes());
            }
        }
        Ok(Location::Postgres(Box::new(config)))
    }

    /// The store `arg` names on a command line (`store copy --to`/`--from`): a
    /// PostgreSQL URL, or the path of a SQLite file.
    pub fn from_arg(arg: &str) -> Result<Location, String> {
        let arg = arg.trim();
        if arg.starts_with("postgres://") || arg.starts_with("postgresql://") {
            Location::postgres(arg, &Env::from_process())
        } else if arg.is_empty() {
            Err("name a PostgreSQL URL or a SQLite file".to_string())
        } else {
            Ok(Location::Sqlite(PathBuf::from(arg)))
        }
    }

    /// Opens the store for writing (creating and migrating it).
    pub fn open(&self) -> Result<Store> {
        match self {
            Location::Sqlite(path) => Store::open(path),
            Location::Postgres(config) => Store::open_postgres(config),
        }
    }

    /// Opens the store to read, never creating or migrating it: a missing SQLite file or
    /// a PostgreSQL database without optctl's tables is "no store yet" (an error naming
    /// it). SQLite opens the file read-only; on PostgreSQL the reader just never writes.
    pub fn open_read(&self) -> Result<Store> {
        self.open_read_waiting(super::BUSY_TIMEOUT)
    }

    /// [`Location::open_read`] with its own busy timeout (SQLite: how long a statement
    /// waits for a writer; PostgreSQL readers never wait for writers).
    pub fn open_read_waiting(&self, busy: Duration) -> Result<Store> {
        match self {
            Location::Sqlite(path) => Store::open_read_only_waiting(path, busy),
            Location::Postgres(config) => match Store::open_postgres_unmigrated(config)? {
                Some(store) => Ok(store),
                None => Err(super::Error::Empty {
                    target: describe(config),
                }),
            },
        }
    }

    /// Whether a store is there to read: the SQLite file exists; the PostgreSQL
    /// database holds optctl's tables (asked over a connection of its own). A database
    /// that cannot be reached counts as there, so opening it reports why.
    pub fn exists(&self) -> bool {
        match self {
            Location::Sqlite(path) => path.exists(),
            Location::Postgres(config) => {
                !matches!(Store::open_postgres_unmigrated(config), Ok(None))
            }
        }
    }

    /// The SQLite file, when the store is one.
    pub fn sqlite_path(&self) -> Option<&Path> {
        match self {
            Location::Sqlite(p) => Some(p),
            Location::Postgres(_) => None,
        }
    }

    /// The PostgreSQL connection settings, when the store is there.
    pub fn postgres_config(&self) -> Option<&postgres::Config> {
        match self {
            Location::Sqlite(_) => None,
            Location::Postgres(c) => Some(c),
        }
    }

    /// The backend's name: `sqlite` or `postgres`.
    pub fn backend(&self) -> &'static str {
        match self {
            Location::Sqlite(_) => "sqlite",
            Location::Postgres(_) => "postgres",
        }
    }
}

/// The `[store]` section of the config file.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreConfig {
    /// A PostgreSQL URL; none: the SQLite file in the data home.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_url_without_password"
    )]
    pub url: Option<String>,
}

impl StoreConfig {
    /// No store named: the SQLite file in the data home.
    pub fn is_unset(&self) -> bool {
        self.url.is_none()
    }

    /// The URL must be a PostgreSQL URL that names a host.
    pub fn validate(&self) -> Result<(), String> {
        match &self.url {
            Some(url) => check_url(url).map_err(|e| format!("store.url: {e}")),
            None => Ok(()),
        }
    }
}

/// Whether `url` is a PostgreSQL URL optctl can use (without looking up a password).
pub fn check_url(url: &str) -> Result<(), String> {
    let env = Env {
        user: Some("-".to_string()),
        ..Env::default()
    };
    Location::postgres(url, &env).map(|_| ())
}

/// `url` with its password taken out, for lines a user copies (cron).
pub fn url_without_password(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(None);
            parsed.to_string()
        }
        _ => url.to_string(),
    }
}

/// `config show` prints the URL with its password masked.
fn serialize_url_without_password<S: serde::Serializer>(
    url: &Option<String>,
    s: S,
) -> Result<S::Ok, S::Error> {
    let shown = url.as_ref().map(|u| match reqwest::Url::parse(u) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("********"));
            parsed.to_string()
        }
        _ => u.clone(),
    });
    match shown {
        Some(u) => s.serialize_some(&u),
        None => s.serialize_none(),
    }
}

/// The file path, or `postgres://user@host:port/database` (never the password).
impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Sqlite(p) => write!(f, "{}", p.display()),
            Location::Postgres(c) => f.write_str(&describe(c)),
        }
    }
}

/// Connects to the PostgreSQL server `config` names. The sync client starts a runtime
/// of its own, which cannot start inside another's: called from async code (`enrich
/// run` opens its store inside the command's runtime), it connects on a scoped thread.
pub(crate) fn connect(config: &postgres::Config) -> Result<postgres::Client, postgres::Error> {
    if tokio::runtime::Handle::try_current().is_err() {
        return connect_here(config);
    }
    std::thread::scope(|s| {
        s.spawn(|| connect_here(config))
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e))
    })
}

/// Connects, over TLS when the URL says `sslmode=require`; in plain text otherwise
/// (`prefer`, the default, and `disable`), as before TLS was offered.
fn connect_here(config: &postgres::Config) -> Result<postgres::Client, postgres::Error> {
    match config.get_ssl_mode() {
        postgres::config::SslMode::Require => config.connect(tls::connector()),
        _ => config.connect(postgres::NoTls),
    }
}

/// TLS for `sslmode=require`, with libpq's meaning: the connection is encrypted, and
/// the server's certificate is not checked (libpq checks it only for `verify-ca` and
/// `verify-full`, which the URL parser does not offer).
mod tls {
    use std::sync::Arc;

    use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
    use rustls::crypto::CryptoProvider;
    use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
    use rustls::{DigitallySignedStruct, SignatureScheme};

    pub(super) fn connector() -> tokio_postgres_rustls::MakeRustlsConnect {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .expect("ring supports the default TLS versions")
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(Encrypted(provider)))
            .with_no_client_auth();
        tokio_postgres_rustls::MakeRustlsConnect::new(config)
    }

    /// Accepts the server's certificate as `sslmode=require` does, while still
    /// checking the handshake's signatures (the key exchange is the certificate's key).
    #[derive(Debug)]
    struct Encrypted(Arc<CryptoProvider>);

    impl ServerCertVerifier for Encrypted {
        fn verify_server_cert(
            &self,
            _end_entity: &CertificateDer<'_>,
            _intermediates: &[CertificateDer<'_>],
            _server_name: &ServerName<'_>,
            _ocsp_response: &[u8],
            _now: UnixTime,
        ) -> Result<ServerCertVerified, rustls::Error> {
            Ok(ServerCertVerified::assertion())
        }

        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            rustls::crypto::verify_tls12_signature(
                message,
                cert,
                dss,
                &self.0.signature_verification_algorithms,
            )
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            rustls::crypto::verify_tls13_signature(
                message,
                cert,
                dss,
                &self.0.signature_verification_algorithms,
            )
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.0.signature_verification_algorithms.supported_schemes()
        }
    }
}

/// `postgres://user@host:port/database`, without the password.
pub(crate) fn describe(c: &postgres::Config) -> String {
    let (host, port, db, user) = target(c);
    format!("postgres://{user}@{host}:{port}/{db}")
}

/// The host, port, database and user a config connects to first, with libpq's
/// defaults (port 5432, database = user).
fn target(c: &postgres::Config) -> (String, u16, String, String) {
    let host = match c.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => h.clone(),
        Some(postgres::config::Host::Unix(p)) => p.display().to_string(),
        None => "localhost".to_string(),
    };
    let port = c.get_ports().first().copied().unwrap_or(5432);
    let user = c.get_user().unwrap_or_default().to_string();
    let db = c.get_dbname().unwrap_or(&user).to_string();
    (host, port, db, user)
}

/// What the password lookup reads from the environment; a value so tests need not
/// change the process's.
#[derive(Debug, Default, Clone)]
pub(crate) struct Env {
    pub pgpassword: Option<String>,
    pub pgpassfile: Option<PathBuf>,
    pub home: Option<PathBuf>,
    pub user: Option<String>,
}

impl Env {
    fn from_process() -> Env {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        Env {
            pgpassword: var("PGPASSWORD"),
            pgpassfile: var("PGPASSFILE").map(PathBuf::from),
            home: var("HOME").map(PathBuf::from),
            user: var("USER").or_else(|| var("LOGNAME")),
        }
    }

    /// `$PGPASSFILE`, else `~/.pgpass`.
    fn pgpass_file(&self) -> Option<PathBuf> {
        self.pgpassfile
            .clone()
            .or_else(|| self.home.as_ref().map(|h| h.join(".pgpass")))
    }
}

/// The password for `config` in the password file at `path`, if the file exists, is
/// readable by its owner only (libpq ignores it otherwise, and so does optctl, with a
/// warning), and has a matching line.
fn password_from_file(path: &Path, config: &postgres::Config) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o077 != 0 {
            tracing::warn!(
                "password file {} has group or world access; ignoring it (chmod 0600 it)",
                path.display()
            );
            return None;
        }
    }
    let text = std::fs::read_to_string(path).ok()?;
    let (host, port, db, user) = target(config);
    // libpq matches a Unix socket against `localhost`.
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Unix(_)) => "localhost".to_string(),
        _ => host,
    };
    pgpass_lookup(&text, &host, &port.to_string(), &db, &user)
}

/// The password of the first line of a `.pgpass` text matching host, port, database and
/// user: `host:port:database:user:password`, each of the first four a value or `*`
/// (any), `\:` and `\\` escaping a colon and a backslash; `#` starts a comment line.
pub(crate) fn pgpass_lookup(
    text: &str,
    host: &str,
    port: &str,
    db: &str,
    user: &str,
) -> Option<String> {
    text.lines().find_map(|line| {
        let line = line.trim_end_matches('\r');
        if line.is_empty() || line.starts_with('#') {
            return None;
        }
        let fields = pgpass_fields(line);
        if fields.len() < 5 {
            return None;
        }
        let want = [host, port, db, user];
        let matches = fields
            .iter()
            .zip(want)
            .all(|((raw, value), w)| raw == "*" || value == w);
        matches.then(|| fields[4].1.clone())
    })
}

/// A `.pgpass` line split at unescaped colons: each field's raw text and its value
/// with the escapes removed. The fifth field (the password) ends at the next unescaped
/// colon, as in libpq.
fn pgpass_fields(line: &str) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    let (mut raw, mut value) = (String::new(), String::new());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                raw.push(c);
                if let Some(n) = chars.next() {
                    raw.push(n);
                    value.push(n);
                }
            }
            ':' => {
                fields.push((std::mem::take(&mut raw), std::mem::take(&mut value)));
                if fields.len() == 5 {
                    return fields;
                }
            }
            _ => {
                raw.push(c);
                value.push(c);
            }
        }
    }
    fields.push((raw, value));
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pg(url: &str, env: &Env) -> postgres::Config {
        match Location::postgres(url, env).unwrap() {
            Location::Postgres(c) => *c,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_flag_wins_over_the_config_which_wins_over_sqlite() {
        let file = PathBuf::from("/data/optctl.db");
        let flag = "postgres://flag@db1:5433/a";
        let cfg = "postgres://cfg@db2/b";
        let at = |f, c| Location::resolve(f, c, file.clone()).unwrap().to_string();
        assert_eq!(at(Some(flag), Some(cfg)), "postgres://flag@db1:5433/a");
        assert_eq!(at(None, Some(cfg)), "postgres://cfg@db2:5432/b");
        assert_eq!(at(None, None), "/data/optctl.db");
        assert_eq!(at(Some(flag), None), "postgres://flag@db1:5433/a");
    }

    #[test]
    fn a_bad_url_names_the_setting_it_came_from() {
        let file = PathBuf::from("/data/optctl.db");
        let err = Location::resolve(Some("mysql://x@h/d"), None, file.clone()).unwrap_err();
        assert!(
            err.starts_with("--store (or $OPTCTL_STORE): not a PostgreSQL URL"),
            "{err}"
        );
        let err = Location::resolve(None, Some("postgres://u@h:notaport/d"), file).unwrap_err();
        assert!(
            err.starts_with("[store] url in the config file: bad PostgreSQL URL"),
            "{err}"
        );
    }

    #[test]
    fn the_description_never_shows_the_password() {
        let c = pg(
            "postgres://ann:s3cret@db.example:6543/trades",
            &Env::default(),
        );
        assert_eq!(c.get_password(), Some(&b"s3cret"[..]));
        let loc = Location::Postgres(Box::new(c));
        assert_eq!(loc.to_string(), "postgres://ann@db.example:6543/trades");
        assert!(!format!("{loc:?}").contains("s3cret"));
    }

    #[test]
    fn the_password_comes_from_the_url_then_pgpassword_then_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pgpass");
        std::fs::write(&file, "db:5432:trades:ann:from-file\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let mut env = Env {
            pgpassword: Some("from-env".into()),
            pgpassfile: Some(file.clone()),
            ..Env::default()
        };
        let pw = |url: &str, env: &Env| pg(url, env).get_password().map(|p| p.to_vec());
        assert_eq!(
            pw("postgres://ann:inline@db/trades", &env),
            Some(b"inline".to_vec())
        );
        assert_eq!(
            pw("postgres://ann@db/trades", &env),
            Some(b"from-env".to_vec())
        );
        env.pgpassword = None;
        assert_eq!(
            pw("postgres://ann@db/trades", &env),
            Some(b"from-file".to_vec())
        );
        assert_eq!(pw("postgres://bob@db/trades", &env), None);
        // A file others may read is ignored, as libpq does.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
            assert_eq!(pw("postgres://ann@db/trades", &env), None);
        }
        // Without $PGPASSFILE, ~/.pgpass.
        env.pgpassfile = None;
        env.home = Some(dir.path().to_path_buf());
        std::fs::write(dir.path().join(".pgpass"), "*:*:*:*:home-file\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let p = dir.path().join(".pgpass");
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        assert_eq!(
            pw("postgres://ann@db/trades", &env),
            Some(b"home-file".to_vec())
        );
    }

    #[test]
    fn the_config_checks_the_url_and_shows_it_without_the_password() {
        let cfg = StoreConfig {
            url: Some("postgres://ann:s3cret@db:5432/trades?sslmode=disable".into()),
        };
        cfg.validate().unwrap();
        let shown = toml::to_string(&cfg).unwrap();
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(
            shown.contains("postgres://ann:********@db:5432/trades"),
            "{shown}"
        );
        let bad = StoreConfig {
            url: Some("db.example:5432".into()),
        };
        assert!(bad.validate().unwrap_err().starts_with("store.url: "));
        assert_eq!(
            url_without_password("postgres://ann:s3cret@db:5432/trades"),
            "postgres://ann@db:5432/trades"
        );
    }

    /// `sslmode=require` connects over TLS; without it, as before, in plain text.
    #[test]
    fn sslmode_require_encrypts_the_connection() {
        let Some(db) = crate::store::tests::PgTestDb::create() else {
            return;
        };
        let encrypted = |config: &postgres::Config| -> bool {
            connect(config)
                .unwrap()
                .query_one(
                    "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                    &[],
                )
                .unwrap()
                .get(0)
        };
        let mut config = db.config.clone();
        assert!(!encrypted(&config));
        config.ssl_mode(postgres::config::SslMode::Require);
        assert!(encrypted(&config));
        // And a whole store opens that way.
        let store = Store::open_postgres(&config).unwrap();
        assert_eq!(
            store.user_version().unwrap(),
            crate::store::schema_version()
        );
    }

    /// A reader of a database without optctl's tables learns there is no store yet and
    /// creates none; once a writer has opened it, readers read it.
    #[test]
    fn an_empty_postgres_database_is_no_store_until_a_writer_opens_it() {
        let Some(db) = crate::store::tests::PgTestDb::create() else {
            return;
        };
        let at = Location::Postgres(Box::new(db.config.clone()));
        assert!(!at.exists());
        let err = at.open_read().err().expect("no store to read yet");
        assert!(matches!(err, crate::store::Error::Empty { .. }), "{err}");
        assert!(err.to_string().contains("run `optctl scan` first"), "{err}");
        assert!(!at.exists(), "the reader created the store");
        drop(at.open().unwrap());
        assert!(at.exists());
        let store = at.open_read().unwrap();
        assert_eq!(
            store.user_version().unwrap(),
            crate::store::schema_version()
        );
    }

    #[test]
    fn pgpass_lines_match_with_wildcards_and_escapes() {
        let text = "# comment\n\
                    other:5432:*:ann:wrong-host\n\
                    db:*:trades:ann:first\n\
                    *:*:*:ann:fallback\n";
        let find = |h, p, d, u| pgpass_lookup(text, h, p, d, u);
        assert_eq!(
            find("db", "6543", "trades", "ann").as_deref(),
            Some("first")
        );
        assert_eq!(
            find("db", "5432", "other", "ann").as_deref(),
            Some("fallback")
        );
        assert_eq!(find("db", "5432", "trades", "bob"), None);
        // `\:` is a colon inside a field, `\\` a backslash; the password ends at the
        // next unescaped colon.
        let text = "h\\:1:5432:d:u:pa\\:ss\\\\word:ignored\nshort:line\n";
        assert_eq!(
            pgpass_lookup(text, "h:1", "5432", "d", "u").as_deref(),
            Some("pa:ss\\word")
        );
        // A literal `*` (escaped) is not a wildcard.
        let text = "\\*:5432:d:u:star\n";
        assert_eq!(pgpass_lookup(text, "db", "5432", "d", "u"), None);
        assert_eq!(
            pgpass_lookup(text, "*", "5432", "d", "u").as_deref(),
            Some("star")
        );
    }
}
