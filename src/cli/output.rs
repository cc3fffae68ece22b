//! The only module that prints results: tables on a terminal, one JSON document with
//! `--json`, an indicatif progress bar on stderr when it is a terminal.

use std::io::{IsTerminal, Write};
use std::sync::Arc;

use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, presets};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use optctl::progress::Progress;

/// Where and how results are printed.
pub struct Output {
    json: bool,
    quiet: bool,
    /// `-q` on a command that runs a job: its report (tables, lines) is not printed.
    silent: bool,
    stdout_tty: bool,
    stderr_tty: bool,
}

fn stdout_err(e: std::io::Error) -> optctl::Error {
    optctl::Error::io("<stdout>", e)
}

impl Output {
    /// `job`: the command runs a job (scan, export, `enrich run`...), whose report `-q`
    /// silences; a command that shows something (`scans`, `config show`, `crontab`)
    /// still shows it with `-q`.
    pub fn new(json: bool, quiet: bool, job: bool) -> Self {
        Output {
            json,
            quiet,
            silent: quiet && job,
            stdout_tty: std::io::stdout().is_terminal(),
            stderr_tty: std::io::stderr().is_terminal(),
        }
    }

    pub fn is_json(&self) -> bool {
        self.json
    }

    /// Prints `value` as one pretty JSON document on stdout.
    pub fn json<T: Serialize>(&self, value: &T) -> optctl::Result<()> {
        let mut out = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut out, value).map_err(|e| stdout_err(e.into()))?;
        writeln!(out).map_err(stdout_err)?;
        out.flush().map_err(stdout_err)
    }

    /// Prints `value` as one compact JSON document on one line (a stream of reports).
    pub fn json_line<T: Serialize>(&self, value: &T) -> optctl::Result<()> {
        let mut out = std::io::stdout().lock();
        serde_json::to_writer(&mut out, value).map_err(|e| stdout_err(e.into()))?;
        writeln!(out).map_err(stdout_err)?;
        out.flush().map_err(stdout_err)
    }

    /// A table styled for a terminal, or plain aligned columns when piped.
    pub fn table(&self, header: &[&str]) -> Table {
        let mut t = Table::new();
        if self.stdout_tty {
            t.load_preset(presets::UTF8_FULL_CONDENSED);
            // Wrap to the terminal only when it reports a usable width: a pty of width 0
            // (`script`, some CI and editor shells) would squeeze every column to one
            // character.
            if t.width().is_some_and(|w| w >= 40) {
                t.set_content_arrangement(ContentArrangement::Dynamic);
            }
        } else {
            t.load_preset(presets::NOTHING);
        }
        t.set_header(header.iter().map(Cell::new));
        t
    }

    /// Right-aligns the given columns (numbers).
    pub fn align_right(t: &mut Table, columns: &[usize]) {
        for &c in columns {
            if let Some(col) = t.column_mut(c) {
                col.set_cell_alignment(CellAlignment::Right);
            }
        }
    }

    /// Prints a table, a heading line first when given.
    pub fn print_table(&self, title: Option<&str>, table: &Table) -> optctl::Result<()> {
        if self.silent {
            return Ok(());
        }
        let mut out = std::io::stdout().lock();
        if let Some(title) = title {
            writeln!(out, "{title}").map_err(stdout_err)?;
        }
        writeln!(out, "{table}").map_err(stdout_err)
    }

    /// Prints a line of data on stdout.
    pub fn line(&self, s: &str) -> optctl::Result<()> {
        if self.silent {
            return Ok(());
        }
        writeln!(std::io::stdout().lock(), "{s}").map_err(stdout_err)
    }

    /// Prints `rows` as CSV with a header line on stdout.
    pub fn csv<R: AsRef<[String]>>(&self, header: &[&str], rows: &[R]) -> optctl::Result<()> {
        let mut w = csv::Writer::from_writer(std::io::stdout().lock());
        let err = |e: csv::Error| match e.into_kind() {
            csv::ErrorKind::Io(io) => stdout_err(io),
            other => stdout_err(std::io::Error::other(format!("{other:?}"))),
        };
        w.write_record(header).map_err(err)?;
        for r in rows {
            w.write_record(r.as_ref()).map_err(err)?;
        }
        w.flush().map_err(stdout_err)
    }

    /// A message for the person on stderr (not data); silent with -q.
    pub fn note(&self, s: &str) {
        if !self.quiet {
            eprintln!("{s}");
        }
    }

    /// Something that failed, on stderr, also with -q: what cron mails the user.
    pub fn failure(&self, s: &str) {
        eprintln!("optctl: {s}");
    }

    /// Names what failed in a run that stored the rest, on stderr (also with -q): `what`
    /// is the run ("scan 12"), `noun` what it is made of ("tickers"), `failed` each
    /// failure as (item, error).
    pub fn partial<'a>(
        &self,
        what: &str,
        failed: usize,
        total: usize,
        noun: &str,
        items: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) {
        const SHOWN: usize = 10;
        let mut named: Vec<String> = items
            .into_iter()
            .take(SHOWN)
            .map(|(item, error)| format!("{item}: {error}"))
            .collect();
        if failed > SHOWN {
            named.push(format!("and {} more", failed - SHOWN));
        }
        self.failure(&format!(
            "{what}: {failed} of {total} {noun} failed: {}",
            named.join("; ")
        ));
    }

    /// Says a run was skipped because the market is closed: a note on stderr, and with
    /// `--json` a `{"status": "skipped", ...}` document.
    pub fn skipped(&self, market: &optctl::market::MarketStatus) -> optctl::Result<()> {
        self.note(&format!("skipped: {}", market.describe()));
        if self.json {
            self.json(&serde_json::json!({
                "status": "skipped",
                "reason": market.describe(),
                "market": market,
            }))?;
        }
        Ok(())
    }

    /// A progress bar on stderr when it is a terminal (never with -q), else nothing.
    pub fn progress(&self, what: &str) -> Arc<dyn Progress> {
        if self.quiet || !self.stderr_tty {
            return Arc::new(optctl::progress::NoProgress);
        }
        let bar = ProgressBar::hidden();
        bar.set_style(
            ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_message(what.to_string());
        Arc::new(Bar(bar))
    }
}

struct Bar(ProgressBar);

impl Progress for Bar {
    fn start(&self, total: u64) {
        self.0.set_length(total);
        self.0
            .set_draw_target(indicatif::ProgressDrawTarget::stderr());
    }
    fn advance(&self, _ticker: &str, _ok: bool) {
        self.0.inc(1);
    }
    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

/// Formats an IV fraction as a percentage.
pub fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |x| format!("{:.1}%", x * 100.0))
}
