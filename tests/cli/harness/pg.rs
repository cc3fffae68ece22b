//! A PostgreSQL database of its own for one test, on the server `OPTCTL_TEST_PG` names
//! (e.g. `host=127.0.0.1 user=postgres`).

/// A database of its own on the `OPTCTL_TEST_PG` server, dropped with this value.
pub struct PgDb {
    admin: postgres::Config,
    name: String,
    /// `postgres://user[:password]@host:port/name`.
    pub url: String,
    /// The URL as optctl shows it: `postgres://user@host:port/name`, no password.
    pub shown: String,
}

impl PgDb {
    pub fn create() -> Option<PgDb> {
        let Ok(server) = std::env::var("OPTCTL_TEST_PG") else {
            eprintln!("note: OPTCTL_TEST_PG is not set, so this PostgreSQL test was skipped");
            return None;
        };
        let admin: postgres::Config = server.parse().expect("OPTCTL_TEST_PG");
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let name = format!("optctl_cli_{}_{n}_{nanos}", std::process::id());
        let mut client = admin.connect(postgres::NoTls).expect("connect");
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        let host = match admin.get_hosts().first() {
            Some(postgres::config::Host::Tcp(h)) => h.clone(),
            _ => "127.0.0.1".to_string(),
        };
        let port = admin.get_ports().first().copied().unwrap_or(5432);
        let user = admin.get_user().unwrap_or("postgres");
        let password = admin
            .get_password()
            .map(|p| format!(":{}", String::from_utf8_lossy(p)))
            .unwrap_or_default();
        let url = format!("postgres://{user}{password}@{host}:{port}/{name}");
        let shown = format!("postgres://{user}@{host}:{port}/{name}");
        Some(PgDb {
            admin,
            name,
            url,
            shown,
        })
    }

    pub fn client(&self) -> postgres::Client {
        let mut c = self.admin.clone();
        c.dbname(&self.name);
        c.connect(postgres::NoTls).unwrap()
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        if let Ok(mut c) = self.admin.connect(postgres::NoTls) {
            let _ = c.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}
