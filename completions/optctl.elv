
use builtin;
use str;

set edit:completion:arg-completer[optctl] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'optctl'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'optctl'= {
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand alerts 'List stored alerts, newest first, highest score first within a scan'
            cand chain 'Show one expiry of a ticker''s stored chain: calls on the left, puts on the right'
            cand compare 'Compare the legacy and the unified strategy scheduler on the same data'
            cand config 'Show or create the configuration file'
            cand doctor 'Check what unattended runs need: config, home, database, clock, providers, keys'
            cand enrich 'Fetch OHLCV bars, check them and compute indicators, nightly from cron'
            cand export 'Write alerts, chains, scans and features as JSON files, atomically'
            cand fetch 'Fetch one chain (or a range of bars) from a provider and save the raw responses'
            cand generate 'Generate completions and man pages'
            cand market-hours 'Show whether the market is open and when it next opens'
            cand migrate-scheduler 'Move the strategy categories from the legacy to the unified scheduler'
            cand notify 'Send queued alert and signal notifications to the configured channels'
            cand process-excel 'Read the broker workbooks and store each stock''s OI buildup'
            cand quant 'Option calculator: implied volatility and greeks; optctl''s IV against the source''s'
            cand scan 'Scan option chains and store IV, greeks, features and scored alerts'
            cand scans 'List stored scans, newest first'
            cand screen 'Screen the watchlist''s latest features: `optctl screen ''iv_rank > 0.9'' ''pcr_volume > 1.5''`'
            cand serve 'Serve the exports over HTTP (read-only) until SIGINT or SIGTERM'
            cand show 'Show a ticker''s features with their history, from the stored scans'
            cand store 'Look at the database: rows and bytes per table, or run every retention now'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'optctl;alerts'= {
            cand --ticker 'Only this ticker'
            cand --detector 'Only this detector'
            cand --min-score 'Only alerts scoring at least this (0-100)'
            cand --since 'Only alerts since this span ago (24h, 7d) or instant (RFC 3339)'
            cand --scan 'Only alerts of this scan'
            cand --limit 'At most this many alerts'
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'optctl;chain'= {
            cand --expiry 'This expiry (YYYY-MM-DD)'
            cand --dte 'The expiry nearest this many calendar days out'
            cand --strikes 'The N strikes nearest the forward'
            cand --delta 'Only strikes whose call delta lies in this band (0.1..0.9, or 0.25 for 0.25..0.75), instead of --strikes'
            cand --scan 'The chain of this scan instead of the newest'
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --greeks 'All greeks (gamma, theta per day, vega per vol point), not only delta'
            cand --csv 'One CSV line per contract instead of the table'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'optctl;compare'= {
            cand --categories 'Categories to compare, comma separated (default: all): day_trading, short_selling, short_term'
            cand --runs 'Repeat the experiment N times and report medians'
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --check 'Exit 1 unless every success criterion holds'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'optctl;config'= {
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help'
            cand --help 'Print help'
            cand show 'Print the effective configuration (file merged over defaults) as TOML, or JSON with --json'
            cand init 'Write a commented configuration file with every default'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'optctl;config;show'= {
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'optctl;config;init'= {
            cand --path 'Where to write it (default: the config path in use)'
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --force 'Overwrite an existing file'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'optctl;config;help'= {
            cand show 'Print the effective configuration (file merged over defaults) as TOML, or JSON with --json'
            cand init 'Write a commented configuration file with every default'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'optctl;config;help;show'= {
        }
        &'optctl;config;help;init'= {
        }
        &'optctl;config;help;help'= {
        }
        &'optctl;doctor'= {
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --offline 'Do not contact the providers (the reachability checks are skipped)'
            cand --send-test 'Send a test message through every configured notification channel'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'optctl;enrich'= {
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand run 'Fetch new bars for every symbol, check and store them, compute indicators'
            cand status 'Show whether a run is going, the last run and success, pause, the next cron run'
            cand history 'List recent enrich runs, newest first'
            cand metrics 'Show the last 24 hours: success rates, response time, API quota, data quality'
            cand health 'Say whether enrichment is healthy, degraded or unhealthy, and why'
            cand job-status 'Show a symbol''s newest job: each timeframe''s fetch, quality issues, stored bars and the latest indicators'
            cand pause 'Pause enrichment: `enrich run` exits 0 and does nothing until `enrich resume`'
            cand resume 'Resume enrichment after `enrich pause`'
            cand resilience 'Show each provider''s circuit breaker and rate limiter as stored'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'optctl;enrich;run'= {
            cand --symbols 'Only these symbols (comma separated or repeated); symbols outside the universe are enriched too, as --asset-class (default stock)'
            cand --asset-class 'Only symbols of these classes: stock, etf, index (comma separated or repeated)'
            cand --timeframes 'Timeframes: 1d, 1h, 5m, 1m (comma separated; default [enrich] timeframes)'
            cand --concurrency 'Symbols worked on at once (default [enrich] concurrency, 5)'
            cand --max-retries 'Retries of a failed fetch (default [enrich] max_retries, 3)'
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --strict 'Exit 3 when some symbols failed and the rest were stored [default: [enrich] strict]'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'optctl;enrich;status'= {
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'optctl;enrich;history'= {
            cand --limit 'At most this many runs'
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'optctl;enrich;metrics'= {
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'optctl;enrich;health'= {
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'optctl;enrich;job-status'= {
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'optctl;enrich;pause'= {
            cand --reason 'Why (shown by `enrich status`, `health` and the paused run)'
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'optctl;enrich;resume'= {
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'optctl;enrich;resilience'= {
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'optctl;enrich;help'= {
            cand run 'Fetch new bars for every symbol, check and store them, compute indicators'
            cand status 'Show whether a run is going, the last run and success, pause, the next cron run'
            cand history 'List recent enrich runs, newest first'
            cand metrics 'Show the last 24 hours: success rates, response time, API quota, data quality'
            cand health 'Say whether enrichment is healthy, degraded or unhealthy, and why'
            cand job-status 'Show a symbol''s newest job: each timeframe''s fetch, quality issues, stored bars and the latest indicators'
            cand pause 'Pause enrichment: `enrich run` exits 0 and does nothing until `enrich resume`'
            cand resume 'Resume enrichment after `enrich pause`'
            cand resilience 'Show each provider''s circuit breaker and rate limiter as stored'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'optctl;enrich;help;run'= {
        }
        &'optctl;enrich;help;status'= {
        }
        &'optctl;enrich;help;history'= {
        }
        &'optctl;enrich;help;metrics'= {
        }
        &'optctl;enrich;help;health'= {
        }
        &'optctl;enrich;help;job-status'= {
        }
        &'optctl;enrich;help;pause'= {
        }
        &'optctl;enrich;help;resume'= {
        }
        &'optctl;enrich;help;resilience'= {
        }
        &'optctl;enrich;help;help'= {
        }
        &'optctl;export'= {
            cand --out 'Folder to write into (default: <home>/exports)'
            cand --only 'Only these files, comma separated: alerts, chains, scans, features'
            cand --alerts-since 'Alerts created within this span before now (24h, 90m, 7d) [default: [export] alerts_since]'
            cand --alerts-limit 'At most this many alerts [default: [export] alerts_limit]'
            cand --keep-days 'Delete archives older than this many days, 0 keeps all [default: [export] keep_days]'
            cand --keep-bytes 'Then delete the oldest archives while they hold more than this many bytes (each file''s newest stays), 0 = no cap [default: [export] keep_bytes]'
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --no-archive 'Do not write timestamped copies under archive/'
            cand --compress 'Gzip the archive copies [default: [export] compress, on]'
            cand --no-compress 'Archive uncompressed copies (hard links, no extra bytes until the file is replaced)'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'optctl;fetch'= {
            cand --provider 'Provider (default: [provider] name)'
            cand --ticker 'The underlying to fetch (AAPL, SPX, NIFTY, ...)'
            cand --bars 'Fetch bars at this timeframe (1m, 5m, 1h, 1d) instead of the option chain'
            cand --from 'First bar time: RFC 3339 or YYYY-MM-DD (UTC midnight). Default: 30 days before --to for 1d bars, 5 days for intraday'
            cand --to 'End of the bar range, exclusive: RFC 3339 or YYYY-MM-DD (default: now / --as-of)'
            cand --save 'Save the raw responses under DIR/<TICKER>/ for the files provider to replay'
            cand --files-dir 'Folder the files provider replays from (overrides [provider.files] dir)'
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'optctl;generate'= {
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help'
            cand --help 'Print help'
            cand completions 'Write shell completions (bash, zsh, fish, elvish, powershell) into DIR'
            cand man 'Write man pages (optctl.1, optctl-scan.1, ...) into DIR'
            cand all 'Write both, into DIR/completions and DIR/man'
            cand systemd 'systemd units: serve, process-excel --watch, and timers for scan, export, enrich'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'optctl;generate;completions'= {
            cand --out 'out'
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'optctl;generate;man'= {
            cand --out 'out'
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'optctl;generate;all'= {
            cand --out 'out'
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'optctl;generate;systemd'= {
            cand --out 'out'
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'optctl;generate;help'= {
            cand completions 'Write shell completions (bash, zsh, fish, elvish, powershell) into DIR'
            cand man 'Write man pages (optctl.1, optctl-scan.1, ...) into DIR'
            cand all 'Write both, into DIR/completions and DIR/man'
            cand systemd 'systemd units: serve, process-excel --watch, and timers for scan, export, enrich'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'optctl;generate;help;completions'= {
        }
        &'optctl;generate;help;man'= {
        }
        &'optctl;generate;help;all'= {
        }
        &'optctl;generate;help;systemd'= {
        }
        &'optctl;generate;help;help'= {
        }
        &'optctl;market-hours'= {
            cand --market 'Which session: `watchlist` (its market), `us` (NYSE), `nse`, or `workbooks` ([market_hours]: process-excel''s session)'
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'optctl;migrate-scheduler'= {
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand status 'Show the phase, where each category runs, and the criteria of the next step'
            cand advance 'Take the next step of the migration, if the success criteria hold'
            cand rollback 'Roll the migration back: one step, one category, or all the way'
            cand run 'One scheduling tick in the current phase; cron calls this'
            cand crontab 'Print the crontab lines for the current phase'
            cand log 'Show the audit trail: every advance and rollback, oldest first'
            cand cache 'The symbol cache the unified scheduler reads bars through'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'optctl;migrate-scheduler;status'= {
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'optctl;migrate-scheduler;advance'= {
            cand --reason 'Why, for the audit log (required with --force)'
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --force 'Take the step even though criteria fail (needs --reason)'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'optctl;migrate-scheduler;rollback'= {
            cand --category 'Move this category back to the legacy scheduler'
            cand --reason 'Why, for the audit log'
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --all 'Go straight back to the legacy phase'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'optctl;migrate-scheduler;run'= {
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --market-hours-only 'Do nothing outside the session of [scheduler] market (exit 0, said on stderr)'
            cand --no-notify 'Queue the new signals'' notifications but do not send them (`optctl notify` will)'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'optctl;migrate-scheduler;crontab'= {
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'optctl;migrate-scheduler;log'= {
            cand --limit 'Only the newest N entries'
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'optctl;migrate-scheduler;cache'= {
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help'
            cand --help 'Print help'
            cand clear 'Empty the symbol cache: the next unified tick fetches every series anew'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'optctl;migrate-scheduler;cache;clear'= {
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'optctl;migrate-scheduler;cache;help'= {
            cand clear 'Empty the symbol cache: the next unified tick fetches every series anew'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'optctl;migrate-scheduler;cache;help;clear'= {
        }
        &'optctl;migrate-scheduler;cache;help;help'= {
        }
        &'optctl;migrate-scheduler;help'= {
            cand status 'Show the phase, where each category runs, and the criteria of the next step'
            cand advance 'Take the next step of the migration, if the success criteria hold'
            cand rollback 'Roll the migration back: one step, one category, or all the way'
            cand run 'One scheduling tick in the current phase; cron calls this'
            cand crontab 'Print the crontab lines for the current phase'
            cand log 'Show the audit trail: every advance and rollback, oldest first'
            cand cache 'The symbol cache the unified scheduler reads bars through'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'optctl;migrate-scheduler;help;status'= {
        }
        &'optctl;migrate-scheduler;help;advance'= {
        }
        &'optctl;migrate-scheduler;help;rollback'= {
        }
        &'optctl;migrate-scheduler;help;run'= {
        }
        &'optctl;migrate-scheduler;help;crontab'= {
        }
        &'optctl;migrate-scheduler;help;log'= {
        }
        &'optctl;migrate-scheduler;help;cache'= {
            cand clear 'Empty the symbol cache: the next unified tick fetches every series anew'
        }
        &'optctl;migrate-scheduler;help;cache;clear'= {
        }
        &'optctl;migrate-scheduler;help;help'= {
        }
        &'optctl;notify'= {
            cand --channel 'Only this channel'
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand test 'Send a test message to one channel, now'
            cand status 'Show queued, sent and failed messages per channel, and each one''s last error'
            cand retry 'Send queued messages now instead of after their backoff; --failed retries failed ones'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'optctl;notify;test'= {
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'optctl;notify;status'= {
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'optctl;notify;retry'= {
            cand --channel 'Only this channel'
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --failed 'Also queue failed messages again'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'optctl;notify;help'= {
            cand test 'Send a test message to one channel, now'
            cand status 'Show queued, sent and failed messages per channel, and each one''s last error'
            cand retry 'Send queued messages now instead of after their backoff; --failed retries failed ones'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'optctl;notify;help;test'= {
        }
        &'optctl;notify;help;status'= {
        }
        &'optctl;notify;help;retry'= {
        }
        &'optctl;notify;help;help'= {
        }
        &'optctl;process-excel'= {
            cand --historical 'Historical workbook (default: [excel] historical, else <home>/excel/Historical.xlsx)'
            cand --live 'Live workbook (default: [excel] live, else <home>/excel/Live.xlsx)'
            cand --sheet 'Sheet to read in both workbooks (default: the first sheet of each)'
            cand --historical-sheet 'Sheet of the historical workbook (overrides --sheet)'
            cand --live-sheet 'Sheet of the live workbook (overrides --sheet)'
            cand --interval 'Seconds between runs with --watch'
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --market-hours-only 'Do nothing (exit 0, reason on stderr) outside the trading session'
            cand --force 'Process even when neither workbook changed since the last run'
            cand --watch 'Keep running every --interval seconds until Ctrl-C'
            cand --strict 'Exit 3 when some rows were skipped and the rest were stored [default: [excel] strict]'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand status 'Show whether the market is open, the last run and the last error'
            cand history 'List recent process-excel runs, newest first'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'optctl;process-excel;status'= {
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'optctl;process-excel;history'= {
            cand --limit 'At most this many runs'
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'optctl;process-excel;help'= {
            cand status 'Show whether the market is open, the last run and the last error'
            cand history 'List recent process-excel runs, newest first'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'optctl;process-excel;help;status'= {
        }
        &'optctl;process-excel;help;history'= {
        }
        &'optctl;process-excel;help;help'= {
        }
        &'optctl;quant'= {
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help'
            cand --help 'Print help'
            cand check 'Compare optctl''s implied volatility with the source''s own on a live or replayed chain'
            cand iv 'Implied volatility and greeks of one option, or of every row of a CSV'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'optctl;quant;check'= {
            cand --tickers 'Tickers to check, comma separated'
            cand --provider 'Chain provider (default: [provider] name)'
            cand --files-dir 'Folder of snapshots for the files provider (overrides [provider.files] dir)'
            cand --worst 'How many of the worst contracts to list per ticker'
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --by-expiry 'Also print the gaps expiry by expiry, with the forward and carry each expiry was priced on (always in --json, as `expiries`)'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'optctl;quant;iv'= {
            cand --right 'call or put (c/p accepted)'
            cand --spot 'Underlying price'
            cand --strike 'strike'
            cand --expiry 'Time to expiry in years (0.25 = three months), or the expiry date (2026-12-18: the contract stops trading at 16:00 New York that day; years counted from --as-of)'
            cand --rate 'Risk-free rate, continuously compounded (0.05 = 5%; -0.005 for a negative rate)'
            cand --div 'Dividend yield, continuous (0.01 = 1%; may be negative, e.g. a borrow cost)'
            cand --price 'Option price (the mid)'
            cand --input 'CSV file to read instead of stdin'
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'optctl;quant;help'= {
            cand check 'Compare optctl''s implied volatility with the source''s own on a live or replayed chain'
            cand iv 'Implied volatility and greeks of one option, or of every row of a CSV'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'optctl;quant;help;check'= {
        }
        &'optctl;quant;help;iv'= {
        }
        &'optctl;quant;help;help'= {
        }
        &'optctl;scan'= {
            cand --tickers 'Tickers to scan, comma separated (default: the config watchlist)'
            cand --watchlist 'File of tickers (one per line or comma separated; # starts a comment)'
            cand --provider 'Chain provider (default: [provider] name)'
            cand --files-dir 'Folder of snapshots for the files provider (overrides [provider.files] dir)'
            cand --concurrency 'Chains fetched at once (default: [scan] concurrency)'
            cand --save-snapshots 'Also save every fetched chain as JSON under DIR/<TICKER>/ for `--provider files`'
            cand --shard 'Scan only part K of N of the tickers, so N hosts share one watchlist (1 <= K <= N) [default: [scan] shard]'
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --no-notify 'Queue the alerts'' notifications but do not send them (`optctl notify` will)'
            cand --strict 'Exit 3 when some tickers failed and the rest were stored [default: [scan] strict]'
            cand --market-hours-only 'Scan only the tickers whose market is in session; do nothing (exit 0, reason on stderr unless -q) when none is [default: [scan] market_hours_only]'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'optctl;scans'= {
            cand --status 'Only scans with this status'
            cand --since 'Only scans taken since this span ago (24h, 7d) or instant (RFC 3339)'
            cand --limit 'At most this many scans'
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'optctl;screen'= {
            cand --sort 'Sort by this field, ascending; -FIELD (or --desc) for descending. Default: ticker'
            cand --limit 'At most this many tickers (after sorting)'
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --desc 'Sort descending'
            cand --all 'Every ticker with stored features, not only the watchlist''s'
            cand --csv 'One CSV line per ticker with every field, instead of the table'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'optctl;serve'= {
            cand --port 'Port to listen on; 0 picks a free one [config: serve.port, 8061]'
            cand --bind 'Address to listen on [config: serve.bind, 127.0.0.1]'
            cand --threads 'Threads that answer requests; 0 = one per CPU core [config: serve.threads, 0]'
            cand --token 'Require `Authorization: Bearer TOKEN` on every data request'
            cand --cors-origin 'Send `Access-Control-Allow-Origin: ORIGIN` for a browser dashboard [config: serve.cors_origin]'
            cand --refresh-secs 'Seconds between the dashboard page''s refreshes [config: serve.refresh_secs, 15]'
            cand --max-connections 'Connections open at once; one more gets a 503 and is closed [config: serve.max_connections, 4096]'
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --allow-no-token 'Serve a non-loopback address without a token (only on a trusted network)'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'optctl;show'= {
            cand --alerts 'At most this many recent alerts'
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'optctl;store'= {
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help'
            cand --help 'Print help'
            cand stats 'Rows, bytes and the oldest row''s time per table'
            cand prune 'Delete what every table family''s retention setting allows, now (each job also does this for its own tables at the end of its run)'
            cand copy 'Copy every row of this store into an empty one (`--to`), or of another store into this one while it is empty (`--from`): a SQLite home into PostgreSQL, or back'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'optctl;store;stats'= {
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'optctl;store;prune'= {
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'optctl;store;copy'= {
            cand --to 'Copy this store into STORE (a PostgreSQL URL or a SQLite file)'
            cand --from 'Copy STORE into this store'
            cand --home 'Data home: the database and exports live here'
            cand --config 'Config file (TOML). Missing at the default location = built-in defaults'
            cand --store 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home'
            cand --as-of 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close'
            cand --ping 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job'
            cand --log-format 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config'
            cand --log-file 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config'
            cand --json 'Print one JSON document on stdout instead of tables'
            cand -v 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
            cand -q 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand --quiet 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'optctl;store;help'= {
            cand stats 'Rows, bytes and the oldest row''s time per table'
            cand prune 'Delete what every table family''s retention setting allows, now (each job also does this for its own tables at the end of its run)'
            cand copy 'Copy every row of this store into an empty one (`--to`), or of another store into this one while it is empty (`--from`): a SQLite home into PostgreSQL, or back'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'optctl;store;help;stats'= {
        }
        &'optctl;store;help;prune'= {
        }
        &'optctl;store;help;copy'= {
        }
        &'optctl;store;help;help'= {
        }
        &'optctl;help'= {
            cand alerts 'List stored alerts, newest first, highest score first within a scan'
            cand chain 'Show one expiry of a ticker''s stored chain: calls on the left, puts on the right'
            cand compare 'Compare the legacy and the unified strategy scheduler on the same data'
            cand config 'Show or create the configuration file'
            cand doctor 'Check what unattended runs need: config, home, database, clock, providers, keys'
            cand enrich 'Fetch OHLCV bars, check them and compute indicators, nightly from cron'
            cand export 'Write alerts, chains, scans and features as JSON files, atomically'
            cand fetch 'Fetch one chain (or a range of bars) from a provider and save the raw responses'
            cand generate 'Generate completions and man pages'
            cand market-hours 'Show whether the market is open and when it next opens'
            cand migrate-scheduler 'Move the strategy categories from the legacy to the unified scheduler'
            cand notify 'Send queued alert and signal notifications to the configured channels'
            cand process-excel 'Read the broker workbooks and store each stock''s OI buildup'
            cand quant 'Option calculator: implied volatility and greeks; optctl''s IV against the source''s'
            cand scan 'Scan option chains and store IV, greeks, features and scored alerts'
            cand scans 'List stored scans, newest first'
            cand screen 'Screen the watchlist''s latest features: `optctl screen ''iv_rank > 0.9'' ''pcr_volume > 1.5''`'
            cand serve 'Serve the exports over HTTP (read-only) until SIGINT or SIGTERM'
            cand show 'Show a ticker''s features with their history, from the stored scans'
            cand store 'Look at the database: rows and bytes per table, or run every retention now'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'optctl;help;alerts'= {
        }
        &'optctl;help;chain'= {
        }
        &'optctl;help;compare'= {
        }
        &'optctl;help;config'= {
            cand show 'Print the effective configuration (file merged over defaults) as TOML, or JSON with --json'
            cand init 'Write a commented configuration file with every default'
        }
        &'optctl;help;config;show'= {
        }
        &'optctl;help;config;init'= {
        }
        &'optctl;help;doctor'= {
        }
        &'optctl;help;enrich'= {
            cand run 'Fetch new bars for every symbol, check and store them, compute indicators'
            cand status 'Show whether a run is going, the last run and success, pause, the next cron run'
            cand history 'List recent enrich runs, newest first'
            cand metrics 'Show the last 24 hours: success rates, response time, API quota, data quality'
            cand health 'Say whether enrichment is healthy, degraded or unhealthy, and why'
            cand job-status 'Show a symbol''s newest job: each timeframe''s fetch, quality issues, stored bars and the latest indicators'
            cand pause 'Pause enrichment: `enrich run` exits 0 and does nothing until `enrich resume`'
            cand resume 'Resume enrichment after `enrich pause`'
            cand resilience 'Show each provider''s circuit breaker and rate limiter as stored'
        }
        &'optctl;help;enrich;run'= {
        }
        &'optctl;help;enrich;status'= {
        }
        &'optctl;help;enrich;history'= {
        }
        &'optctl;help;enrich;metrics'= {
        }
        &'optctl;help;enrich;health'= {
        }
        &'optctl;help;enrich;job-status'= {
        }
        &'optctl;help;enrich;pause'= {
        }
        &'optctl;help;enrich;resume'= {
        }
        &'optctl;help;enrich;resilience'= {
        }
        &'optctl;help;export'= {
        }
        &'optctl;help;fetch'= {
        }
        &'optctl;help;generate'= {
            cand completions 'Write shell completions (bash, zsh, fish, elvish, powershell) into DIR'
            cand man 'Write man pages (optctl.1, optctl-scan.1, ...) into DIR'
            cand all 'Write both, into DIR/completions and DIR/man'
            cand systemd 'systemd units: serve, process-excel --watch, and timers for scan, export, enrich'
        }
        &'optctl;help;generate;completions'= {
        }
        &'optctl;help;generate;man'= {
        }
        &'optctl;help;generate;all'= {
        }
        &'optctl;help;generate;systemd'= {
        }
        &'optctl;help;market-hours'= {
        }
        &'optctl;help;migrate-scheduler'= {
            cand status 'Show the phase, where each category runs, and the criteria of the next step'
            cand advance 'Take the next step of the migration, if the success criteria hold'
            cand rollback 'Roll the migration back: one step, one category, or all the way'
            cand run 'One scheduling tick in the current phase; cron calls this'
            cand crontab 'Print the crontab lines for the current phase'
            cand log 'Show the audit trail: every advance and rollback, oldest first'
            cand cache 'The symbol cache the unified scheduler reads bars through'
        }
        &'optctl;help;migrate-scheduler;status'= {
        }
        &'optctl;help;migrate-scheduler;advance'= {
        }
        &'optctl;help;migrate-scheduler;rollback'= {
        }
        &'optctl;help;migrate-scheduler;run'= {
        }
        &'optctl;help;migrate-scheduler;crontab'= {
        }
        &'optctl;help;migrate-scheduler;log'= {
        }
        &'optctl;help;migrate-scheduler;cache'= {
            cand clear 'Empty the symbol cache: the next unified tick fetches every series anew'
        }
        &'optctl;help;migrate-scheduler;cache;clear'= {
        }
        &'optctl;help;notify'= {
            cand test 'Send a test message to one channel, now'
            cand status 'Show queued, sent and failed messages per channel, and each one''s last error'
            cand retry 'Send queued messages now instead of after their backoff; --failed retries failed ones'
        }
        &'optctl;help;notify;test'= {
        }
        &'optctl;help;notify;status'= {
        }
        &'optctl;help;notify;retry'= {
        }
        &'optctl;help;process-excel'= {
            cand status 'Show whether the market is open, the last run and the last error'
            cand history 'List recent process-excel runs, newest first'
        }
        &'optctl;help;process-excel;status'= {
        }
        &'optctl;help;process-excel;history'= {
        }
        &'optctl;help;quant'= {
            cand check 'Compare optctl''s implied volatility with the source''s own on a live or replayed chain'
            cand iv 'Implied volatility and greeks of one option, or of every row of a CSV'
        }
        &'optctl;help;quant;check'= {
        }
        &'optctl;help;quant;iv'= {
        }
        &'optctl;help;scan'= {
        }
        &'optctl;help;scans'= {
        }
        &'optctl;help;screen'= {
        }
        &'optctl;help;serve'= {
        }
        &'optctl;help;show'= {
        }
        &'optctl;help;store'= {
            cand stats 'Rows, bytes and the oldest row''s time per table'
            cand prune 'Delete what every table family''s retention setting allows, now (each job also does this for its own tables at the end of its run)'
            cand copy 'Copy every row of this store into an empty one (`--to`), or of another store into this one while it is empty (`--from`): a SQLite home into PostgreSQL, or back'
        }
        &'optctl;help;store;stats'= {
        }
        &'optctl;help;store;prune'= {
        }
        &'optctl;help;store;copy'= {
        }
        &'optctl;help;help'= {
        }
    ]
    $completions[$command]
}
