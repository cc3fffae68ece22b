
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'optctl' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'optctl'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'optctl' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('alerts', 'alerts', [CompletionResultType]::ParameterValue, 'List stored alerts, newest first, highest score first within a scan')
            [CompletionResult]::new('chain', 'chain', [CompletionResultType]::ParameterValue, 'Show one expiry of a ticker''s stored chain: calls on the left, puts on the right')
            [CompletionResult]::new('compare', 'compare', [CompletionResultType]::ParameterValue, 'Compare the legacy and the unified strategy scheduler on the same data')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Show or create the configuration file')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check what unattended runs need: config, home, database, clock, providers, keys')
            [CompletionResult]::new('enrich', 'enrich', [CompletionResultType]::ParameterValue, 'Fetch OHLCV bars, check them and compute indicators, nightly from cron')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write alerts, chains, scans and features as JSON files, atomically')
            [CompletionResult]::new('fetch', 'fetch', [CompletionResultType]::ParameterValue, 'Fetch one chain (or a range of bars) from a provider and save the raw responses')
            [CompletionResult]::new('generate', 'generate', [CompletionResultType]::ParameterValue, 'Generate completions and man pages')
            [CompletionResult]::new('market-hours', 'market-hours', [CompletionResultType]::ParameterValue, 'Show whether the market is open and when it next opens')
            [CompletionResult]::new('migrate-scheduler', 'migrate-scheduler', [CompletionResultType]::ParameterValue, 'Move the strategy categories from the legacy to the unified scheduler')
            [CompletionResult]::new('notify', 'notify', [CompletionResultType]::ParameterValue, 'Send queued alert and signal notifications to the configured channels')
            [CompletionResult]::new('process-excel', 'process-excel', [CompletionResultType]::ParameterValue, 'Read the broker workbooks and store each stock''s OI buildup')
            [CompletionResult]::new('quant', 'quant', [CompletionResultType]::ParameterValue, 'Option calculator: implied volatility and greeks; optctl''s IV against the source''s')
            [CompletionResult]::new('scan', 'scan', [CompletionResultType]::ParameterValue, 'Scan option chains and store IV, greeks, features and scored alerts')
            [CompletionResult]::new('scans', 'scans', [CompletionResultType]::ParameterValue, 'List stored scans, newest first')
            [CompletionResult]::new('screen', 'screen', [CompletionResultType]::ParameterValue, 'Screen the watchlist''s latest features: `optctl screen ''iv_rank > 0.9'' ''pcr_volume > 1.5''`')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve the exports over HTTP (read-only) until SIGINT or SIGTERM')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a ticker''s features with their history, from the stored scans')
            [CompletionResult]::new('store', 'store', [CompletionResultType]::ParameterValue, 'Look at the database: rows and bytes per table, or run every retention now')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'optctl;alerts' {
            [CompletionResult]::new('--ticker', '--ticker', [CompletionResultType]::ParameterName, 'Only this ticker')
            [CompletionResult]::new('--detector', '--detector', [CompletionResultType]::ParameterName, 'Only this detector')
            [CompletionResult]::new('--min-score', '--min-score', [CompletionResultType]::ParameterName, 'Only alerts scoring at least this (0-100)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only alerts since this span ago (24h, 7d) or instant (RFC 3339)')
            [CompletionResult]::new('--scan', '--scan', [CompletionResultType]::ParameterName, 'Only alerts of this scan')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'At most this many alerts')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'optctl;chain' {
            [CompletionResult]::new('--expiry', '--expiry', [CompletionResultType]::ParameterName, 'This expiry (YYYY-MM-DD)')
            [CompletionResult]::new('--dte', '--dte', [CompletionResultType]::ParameterName, 'The expiry nearest this many calendar days out')
            [CompletionResult]::new('--strikes', '--strikes', [CompletionResultType]::ParameterName, 'The N strikes nearest the forward')
            [CompletionResult]::new('--delta', '--delta', [CompletionResultType]::ParameterName, 'Only strikes whose call delta lies in this band (0.1..0.9, or 0.25 for 0.25..0.75), instead of --strikes')
            [CompletionResult]::new('--scan', '--scan', [CompletionResultType]::ParameterName, 'The chain of this scan instead of the newest')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--greeks', '--greeks', [CompletionResultType]::ParameterName, 'All greeks (gamma, theta per day, vega per vol point), not only delta')
            [CompletionResult]::new('--csv', '--csv', [CompletionResultType]::ParameterName, 'One CSV line per contract instead of the table')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'optctl;compare' {
            [CompletionResult]::new('--categories', '--categories', [CompletionResultType]::ParameterName, 'Categories to compare, comma separated (default: all): day_trading, short_selling, short_term')
            [CompletionResult]::new('--runs', '--runs', [CompletionResultType]::ParameterName, 'Repeat the experiment N times and report medians')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Exit 1 unless every success criterion holds')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'optctl;config' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the effective configuration (file merged over defaults) as TOML, or JSON with --json')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a commented configuration file with every default')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'optctl;config;show' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'optctl;config;init' {
            [CompletionResult]::new('--path', '--path', [CompletionResultType]::ParameterName, 'Where to write it (default: the config path in use)')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Overwrite an existing file')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'optctl;config;help' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the effective configuration (file merged over defaults) as TOML, or JSON with --json')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a commented configuration file with every default')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'optctl;config;help;show' {
            break
        }
        'optctl;config;help;init' {
            break
        }
        'optctl;config;help;help' {
            break
        }
        'optctl;doctor' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--offline', '--offline', [CompletionResultType]::ParameterName, 'Do not contact the providers (the reachability checks are skipped)')
            [CompletionResult]::new('--send-test', '--send-test', [CompletionResultType]::ParameterName, 'Send a test message through every configured notification channel')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'optctl;enrich' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Fetch new bars for every symbol, check and store them, compute indicators')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show whether a run is going, the last run and success, pause, the next cron run')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'List recent enrich runs, newest first')
            [CompletionResult]::new('metrics', 'metrics', [CompletionResultType]::ParameterValue, 'Show the last 24 hours: success rates, response time, API quota, data quality')
            [CompletionResult]::new('health', 'health', [CompletionResultType]::ParameterValue, 'Say whether enrichment is healthy, degraded or unhealthy, and why')
            [CompletionResult]::new('job-status', 'job-status', [CompletionResultType]::ParameterValue, 'Show a symbol''s newest job: each timeframe''s fetch, quality issues, stored bars and the latest indicators')
            [CompletionResult]::new('pause', 'pause', [CompletionResultType]::ParameterValue, 'Pause enrichment: `enrich run` exits 0 and does nothing until `enrich resume`')
            [CompletionResult]::new('resume', 'resume', [CompletionResultType]::ParameterValue, 'Resume enrichment after `enrich pause`')
            [CompletionResult]::new('resilience', 'resilience', [CompletionResultType]::ParameterValue, 'Show each provider''s circuit breaker and rate limiter as stored')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'optctl;enrich;run' {
            [CompletionResult]::new('--symbols', '--symbols', [CompletionResultType]::ParameterName, 'Only these symbols (comma separated or repeated); symbols outside the universe are enriched too, as --asset-class (default stock)')
            [CompletionResult]::new('--asset-class', '--asset-class', [CompletionResultType]::ParameterName, 'Only symbols of these classes: stock, etf, index (comma separated or repeated)')
            [CompletionResult]::new('--timeframes', '--timeframes', [CompletionResultType]::ParameterName, 'Timeframes: 1d, 1h, 5m, 1m (comma separated; default [enrich] timeframes)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Symbols worked on at once (default [enrich] concurrency, 5)')
            [CompletionResult]::new('--max-retries', '--max-retries', [CompletionResultType]::ParameterName, 'Retries of a failed fetch (default [enrich] max_retries, 3)')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Exit 3 when some symbols failed and the rest were stored [default: [enrich] strict]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'optctl;enrich;status' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'optctl;enrich;history' {
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'At most this many runs')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'optctl;enrich;metrics' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'optctl;enrich;health' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'optctl;enrich;job-status' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'optctl;enrich;pause' {
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why (shown by `enrich status`, `health` and the paused run)')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'optctl;enrich;resume' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'optctl;enrich;resilience' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'optctl;enrich;help' {
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Fetch new bars for every symbol, check and store them, compute indicators')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show whether a run is going, the last run and success, pause, the next cron run')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'List recent enrich runs, newest first')
            [CompletionResult]::new('metrics', 'metrics', [CompletionResultType]::ParameterValue, 'Show the last 24 hours: success rates, response time, API quota, data quality')
            [CompletionResult]::new('health', 'health', [CompletionResultType]::ParameterValue, 'Say whether enrichment is healthy, degraded or unhealthy, and why')
            [CompletionResult]::new('job-status', 'job-status', [CompletionResultType]::ParameterValue, 'Show a symbol''s newest job: each timeframe''s fetch, quality issues, stored bars and the latest indicators')
            [CompletionResult]::new('pause', 'pause', [CompletionResultType]::ParameterValue, 'Pause enrichment: `enrich run` exits 0 and does nothing until `enrich resume`')
            [CompletionResult]::new('resume', 'resume', [CompletionResultType]::ParameterValue, 'Resume enrichment after `enrich pause`')
            [CompletionResult]::new('resilience', 'resilience', [CompletionResultType]::ParameterValue, 'Show each provider''s circuit breaker and rate limiter as stored')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'optctl;enrich;help;run' {
            break
        }
        'optctl;enrich;help;status' {
            break
        }
        'optctl;enrich;help;history' {
            break
        }
        'optctl;enrich;help;metrics' {
            break
        }
        'optctl;enrich;help;health' {
            break
        }
        'optctl;enrich;help;job-status' {
            break
        }
        'optctl;enrich;help;pause' {
            break
        }
        'optctl;enrich;help;resume' {
            break
        }
        'optctl;enrich;help;resilience' {
            break
        }
        'optctl;enrich;help;help' {
            break
        }
        'optctl;export' {
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Folder to write into (default: <home>/exports)')
            [CompletionResult]::new('--only', '--only', [CompletionResultType]::ParameterName, 'Only these files, comma separated: alerts, chains, scans, features')
            [CompletionResult]::new('--alerts-since', '--alerts-since', [CompletionResultType]::ParameterName, 'Alerts created within this span before now (24h, 90m, 7d) [default: [export] alerts_since]')
            [CompletionResult]::new('--alerts-limit', '--alerts-limit', [CompletionResultType]::ParameterName, 'At most this many alerts [default: [export] alerts_limit]')
            [CompletionResult]::new('--keep-days', '--keep-days', [CompletionResultType]::ParameterName, 'Delete archives older than this many days, 0 keeps all [default: [export] keep_days]')
            [CompletionResult]::new('--keep-bytes', '--keep-bytes', [CompletionResultType]::ParameterName, 'Then delete the oldest archives while they hold more than this many bytes (each file''s newest stays), 0 = no cap [default: [export] keep_bytes]')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--no-archive', '--no-archive', [CompletionResultType]::ParameterName, 'Do not write timestamped copies under archive/')
            [CompletionResult]::new('--compress', '--compress', [CompletionResultType]::ParameterName, 'Gzip the archive copies [default: [export] compress, on]')
            [CompletionResult]::new('--no-compress', '--no-compress', [CompletionResultType]::ParameterName, 'Archive uncompressed copies (hard links, no extra bytes until the file is replaced)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'optctl;fetch' {
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'Provider (default: [provider] name)')
            [CompletionResult]::new('--ticker', '--ticker', [CompletionResultType]::ParameterName, 'The underlying to fetch (AAPL, SPX, NIFTY, ...)')
            [CompletionResult]::new('--bars', '--bars', [CompletionResultType]::ParameterName, 'Fetch bars at this timeframe (1m, 5m, 1h, 1d) instead of the option chain')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'First bar time: RFC 3339 or YYYY-MM-DD (UTC midnight). Default: 30 days before --to for 1d bars, 5 days for intraday')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'End of the bar range, exclusive: RFC 3339 or YYYY-MM-DD (default: now / --as-of)')
            [CompletionResult]::new('--save', '--save', [CompletionResultType]::ParameterName, 'Save the raw responses under DIR/<TICKER>/ for the files provider to replay')
            [CompletionResult]::new('--files-dir', '--files-dir', [CompletionResultType]::ParameterName, 'Folder the files provider replays from (overrides [provider.files] dir)')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'optctl;generate' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Write shell completions (bash, zsh, fish, elvish, powershell) into DIR')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Write man pages (optctl.1, optctl-scan.1, ...) into DIR')
            [CompletionResult]::new('all', 'all', [CompletionResultType]::ParameterValue, 'Write both, into DIR/completions and DIR/man')
            [CompletionResult]::new('systemd', 'systemd', [CompletionResultType]::ParameterValue, 'systemd units: serve, process-excel --watch, and timers for scan, export, enrich')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'optctl;generate;completions' {
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'out')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'optctl;generate;man' {
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'out')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'optctl;generate;all' {
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'out')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'optctl;generate;systemd' {
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'out')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'optctl;generate;help' {
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Write shell completions (bash, zsh, fish, elvish, powershell) into DIR')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Write man pages (optctl.1, optctl-scan.1, ...) into DIR')
            [CompletionResult]::new('all', 'all', [CompletionResultType]::ParameterValue, 'Write both, into DIR/completions and DIR/man')
            [CompletionResult]::new('systemd', 'systemd', [CompletionResultType]::ParameterValue, 'systemd units: serve, process-excel --watch, and timers for scan, export, enrich')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'optctl;generate;help;completions' {
            break
        }
        'optctl;generate;help;man' {
            break
        }
        'optctl;generate;help;all' {
            break
        }
        'optctl;generate;help;systemd' {
            break
        }
        'optctl;generate;help;help' {
            break
        }
        'optctl;market-hours' {
            [CompletionResult]::new('--market', '--market', [CompletionResultType]::ParameterName, 'Which session: `watchlist` (its market), `us` (NYSE), `nse`, or `workbooks` ([market_hours]: process-excel''s session)')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'optctl;migrate-scheduler' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the phase, where each category runs, and the criteria of the next step')
            [CompletionResult]::new('advance', 'advance', [CompletionResultType]::ParameterValue, 'Take the next step of the migration, if the success criteria hold')
            [CompletionResult]::new('rollback', 'rollback', [CompletionResultType]::ParameterValue, 'Roll the migration back: one step, one category, or all the way')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'One scheduling tick in the current phase; cron calls this')
            [CompletionResult]::new('crontab', 'crontab', [CompletionResultType]::ParameterValue, 'Print the crontab lines for the current phase')
            [CompletionResult]::new('log', 'log', [CompletionResultType]::ParameterValue, 'Show the audit trail: every advance and rollback, oldest first')
            [CompletionResult]::new('cache', 'cache', [CompletionResultType]::ParameterValue, 'The symbol cache the unified scheduler reads bars through')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'optctl;migrate-scheduler;status' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'optctl;migrate-scheduler;advance' {
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why, for the audit log (required with --force)')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Take the step even though criteria fail (needs --reason)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'optctl;migrate-scheduler;rollback' {
            [CompletionResult]::new('--category', '--category', [CompletionResultType]::ParameterName, 'Move this category back to the legacy scheduler')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why, for the audit log')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Go straight back to the legacy phase')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'optctl;migrate-scheduler;run' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--market-hours-only', '--market-hours-only', [CompletionResultType]::ParameterName, 'Do nothing outside the session of [scheduler] market (exit 0, said on stderr)')
            [CompletionResult]::new('--no-notify', '--no-notify', [CompletionResultType]::ParameterName, 'Queue the new signals'' notifications but do not send them (`optctl notify` will)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'optctl;migrate-scheduler;crontab' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'optctl;migrate-scheduler;log' {
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Only the newest N entries')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'optctl;migrate-scheduler;cache' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('clear', 'clear', [CompletionResultType]::ParameterValue, 'Empty the symbol cache: the next unified tick fetches every series anew')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'optctl;migrate-scheduler;cache;clear' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'optctl;migrate-scheduler;cache;help' {
            [CompletionResult]::new('clear', 'clear', [CompletionResultType]::ParameterValue, 'Empty the symbol cache: the next unified tick fetches every series anew')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'optctl;migrate-scheduler;cache;help;clear' {
            break
        }
        'optctl;migrate-scheduler;cache;help;help' {
            break
        }
        'optctl;migrate-scheduler;help' {
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the phase, where each category runs, and the criteria of the next step')
            [CompletionResult]::new('advance', 'advance', [CompletionResultType]::ParameterValue, 'Take the next step of the migration, if the success criteria hold')
            [CompletionResult]::new('rollback', 'rollback', [CompletionResultType]::ParameterValue, 'Roll the migration back: one step, one category, or all the way')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'One scheduling tick in the current phase; cron calls this')
            [CompletionResult]::new('crontab', 'crontab', [CompletionResultType]::ParameterValue, 'Print the crontab lines for the current phase')
            [CompletionResult]::new('log', 'log', [CompletionResultType]::ParameterValue, 'Show the audit trail: every advance and rollback, oldest first')
            [CompletionResult]::new('cache', 'cache', [CompletionResultType]::ParameterValue, 'The symbol cache the unified scheduler reads bars through')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'optctl;migrate-scheduler;help;status' {
            break
        }
        'optctl;migrate-scheduler;help;advance' {
            break
        }
        'optctl;migrate-scheduler;help;rollback' {
            break
        }
        'optctl;migrate-scheduler;help;run' {
            break
        }
        'optctl;migrate-scheduler;help;crontab' {
            break
        }
        'optctl;migrate-scheduler;help;log' {
            break
        }
        'optctl;migrate-scheduler;help;cache' {
            [CompletionResult]::new('clear', 'clear', [CompletionResultType]::ParameterValue, 'Empty the symbol cache: the next unified tick fetches every series anew')
            break
        }
        'optctl;migrate-scheduler;help;cache;clear' {
            break
        }
        'optctl;migrate-scheduler;help;help' {
            break
        }
        'optctl;notify' {
            [CompletionResult]::new('--channel', '--channel', [CompletionResultType]::ParameterName, 'Only this channel')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Send a test message to one channel, now')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show queued, sent and failed messages per channel, and each one''s last error')
            [CompletionResult]::new('retry', 'retry', [CompletionResultType]::ParameterValue, 'Send queued messages now instead of after their backoff; --failed retries failed ones')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'optctl;notify;test' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'optctl;notify;status' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'optctl;notify;retry' {
            [CompletionResult]::new('--channel', '--channel', [CompletionResultType]::ParameterName, 'Only this channel')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--failed', '--failed', [CompletionResultType]::ParameterName, 'Also queue failed messages again')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'optctl;notify;help' {
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Send a test message to one channel, now')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show queued, sent and failed messages per channel, and each one''s last error')
            [CompletionResult]::new('retry', 'retry', [CompletionResultType]::ParameterValue, 'Send queued messages now instead of after their backoff; --failed retries failed ones')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'optctl;notify;help;test' {
            break
        }
        'optctl;notify;help;status' {
            break
        }
        'optctl;notify;help;retry' {
            break
        }
        'optctl;notify;help;help' {
            break
        }
        'optctl;process-excel' {
            [CompletionResult]::new('--historical', '--historical', [CompletionResultType]::ParameterName, 'Historical workbook (default: [excel] historical, else <home>/excel/Historical.xlsx)')
            [CompletionResult]::new('--live', '--live', [CompletionResultType]::ParameterName, 'Live workbook (default: [excel] live, else <home>/excel/Live.xlsx)')
            [CompletionResult]::new('--sheet', '--sheet', [CompletionResultType]::ParameterName, 'Sheet to read in both workbooks (default: the first sheet of each)')
            [CompletionResult]::new('--historical-sheet', '--historical-sheet', [CompletionResultType]::ParameterName, 'Sheet of the historical workbook (overrides --sheet)')
            [CompletionResult]::new('--live-sheet', '--live-sheet', [CompletionResultType]::ParameterName, 'Sheet of the live workbook (overrides --sheet)')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Seconds between runs with --watch')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--market-hours-only', '--market-hours-only', [CompletionResultType]::ParameterName, 'Do nothing (exit 0, reason on stderr) outside the trading session')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Process even when neither workbook changed since the last run')
            [CompletionResult]::new('--watch', '--watch', [CompletionResultType]::ParameterName, 'Keep running every --interval seconds until Ctrl-C')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Exit 3 when some rows were skipped and the rest were stored [default: [excel] strict]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show whether the market is open, the last run and the last error')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'List recent process-excel runs, newest first')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'optctl;process-excel;status' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'optctl;process-excel;history' {
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'At most this many runs')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'optctl;process-excel;help' {
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show whether the market is open, the last run and the last error')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'List recent process-excel runs, newest first')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'optctl;process-excel;help;status' {
            break
        }
        'optctl;process-excel;help;history' {
            break
        }
        'optctl;process-excel;help;help' {
            break
        }
        'optctl;quant' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Compare optctl''s implied volatility with the source''s own on a live or replayed chain')
            [CompletionResult]::new('iv', 'iv', [CompletionResultType]::ParameterValue, 'Implied volatility and greeks of one option, or of every row of a CSV')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'optctl;quant;check' {
            [CompletionResult]::new('--tickers', '--tickers', [CompletionResultType]::ParameterName, 'Tickers to check, comma separated')
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'Chain provider (default: [provider] name)')
            [CompletionResult]::new('--files-dir', '--files-dir', [CompletionResultType]::ParameterName, 'Folder of snapshots for the files provider (overrides [provider.files] dir)')
            [CompletionResult]::new('--worst', '--worst', [CompletionResultType]::ParameterName, 'How many of the worst contracts to list per ticker')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--by-expiry', '--by-expiry', [CompletionResultType]::ParameterName, 'Also print the gaps expiry by expiry, with the forward and carry each expiry was priced on (always in --json, as `expiries`)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'optctl;quant;iv' {
            [CompletionResult]::new('--right', '--right', [CompletionResultType]::ParameterName, 'call or put (c/p accepted)')
            [CompletionResult]::new('--spot', '--spot', [CompletionResultType]::ParameterName, 'Underlying price')
            [CompletionResult]::new('--strike', '--strike', [CompletionResultType]::ParameterName, 'strike')
            [CompletionResult]::new('--expiry', '--expiry', [CompletionResultType]::ParameterName, 'Time to expiry in years (0.25 = three months), or the expiry date (2026-12-18: the contract stops trading at 16:00 New York that day; years counted from --as-of)')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Risk-free rate, continuously compounded (0.05 = 5%; -0.005 for a negative rate)')
            [CompletionResult]::new('--div', '--div', [CompletionResultType]::ParameterName, 'Dividend yield, continuous (0.01 = 1%; may be negative, e.g. a borrow cost)')
            [CompletionResult]::new('--price', '--price', [CompletionResultType]::ParameterName, 'Option price (the mid)')
            [CompletionResult]::new('--input', '--input', [CompletionResultType]::ParameterName, 'CSV file to read instead of stdin')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'optctl;quant;help' {
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Compare optctl''s implied volatility with the source''s own on a live or replayed chain')
            [CompletionResult]::new('iv', 'iv', [CompletionResultType]::ParameterValue, 'Implied volatility and greeks of one option, or of every row of a CSV')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'optctl;quant;help;check' {
            break
        }
        'optctl;quant;help;iv' {
            break
        }
        'optctl;quant;help;help' {
            break
        }
        'optctl;scan' {
            [CompletionResult]::new('--tickers', '--tickers', [CompletionResultType]::ParameterName, 'Tickers to scan, comma separated (default: the config watchlist)')
            [CompletionResult]::new('--watchlist', '--watchlist', [CompletionResultType]::ParameterName, 'File of tickers (one per line or comma separated; # starts a comment)')
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'Chain provider (default: [provider] name)')
            [CompletionResult]::new('--files-dir', '--files-dir', [CompletionResultType]::ParameterName, 'Folder of snapshots for the files provider (overrides [provider.files] dir)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Chains fetched at once (default: [scan] concurrency)')
            [CompletionResult]::new('--save-snapshots', '--save-snapshots', [CompletionResultType]::ParameterName, 'Also save every fetched chain as JSON under DIR/<TICKER>/ for `--provider files`')
            [CompletionResult]::new('--shard', '--shard', [CompletionResultType]::ParameterName, 'Scan only part K of N of the tickers, so N hosts share one watchlist (1 <= K <= N) [default: [scan] shard]')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--no-notify', '--no-notify', [CompletionResultType]::ParameterName, 'Queue the alerts'' notifications but do not send them (`optctl notify` will)')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Exit 3 when some tickers failed and the rest were stored [default: [scan] strict]')
            [CompletionResult]::new('--market-hours-only', '--market-hours-only', [CompletionResultType]::ParameterName, 'Scan only the tickers whose market is in session; do nothing (exit 0, reason on stderr unless -q) when none is [default: [scan] market_hours_only]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'optctl;scans' {
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Only scans with this status')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only scans taken since this span ago (24h, 7d) or instant (RFC 3339)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'At most this many scans')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'optctl;screen' {
            [CompletionResult]::new('--sort', '--sort', [CompletionResultType]::ParameterName, 'Sort by this field, ascending; -FIELD (or --desc) for descending. Default: ticker')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'At most this many tickers (after sorting)')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--desc', '--desc', [CompletionResultType]::ParameterName, 'Sort descending')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Every ticker with stored features, not only the watchlist''s')
            [CompletionResult]::new('--csv', '--csv', [CompletionResultType]::ParameterName, 'One CSV line per ticker with every field, instead of the table')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'optctl;serve' {
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port to listen on; 0 picks a free one [config: serve.port, 8061]')
            [CompletionResult]::new('--bind', '--bind', [CompletionResultType]::ParameterName, 'Address to listen on [config: serve.bind, 127.0.0.1]')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Threads that answer requests; 0 = one per CPU core [config: serve.threads, 0]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Require `Authorization: Bearer TOKEN` on every data request')
            [CompletionResult]::new('--cors-origin', '--cors-origin', [CompletionResultType]::ParameterName, 'Send `Access-Control-Allow-Origin: ORIGIN` for a browser dashboard [config: serve.cors_origin]')
            [CompletionResult]::new('--refresh-secs', '--refresh-secs', [CompletionResultType]::ParameterName, 'Seconds between the dashboard page''s refreshes [config: serve.refresh_secs, 15]')
            [CompletionResult]::new('--max-connections', '--max-connections', [CompletionResultType]::ParameterName, 'Connections open at once; one more gets a 503 and is closed [config: serve.max_connections, 4096]')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--allow-no-token', '--allow-no-token', [CompletionResultType]::ParameterName, 'Serve a non-loopback address without a token (only on a trusted network)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'optctl;show' {
            [CompletionResult]::new('--alerts', '--alerts', [CompletionResultType]::ParameterName, 'At most this many recent alerts')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'optctl;store' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'Rows, bytes and the oldest row''s time per table')
            [CompletionResult]::new('prune', 'prune', [CompletionResultType]::ParameterValue, 'Delete what every table family''s retention setting allows, now (each job also does this for its own tables at the end of its run)')
            [CompletionResult]::new('copy', 'copy', [CompletionResultType]::ParameterValue, 'Copy every row of this store into an empty one (`--to`), or of another store into this one while it is empty (`--from`): a SQLite home into PostgreSQL, or back')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'optctl;store;stats' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'optctl;store;prune' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'optctl;store;copy' {
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Copy this store into STORE (a PostgreSQL URL or a SQLite file)')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Copy STORE into this store')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Data home: the database and exports live here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file (TOML). Missing at the default location = built-in defaults')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'The store: a PostgreSQL URL (postgres://user@host:5432/database; the password from the URL, else $PGPASSWORD, else ~/.pgpass). Over [store] url in the config; default: the SQLite file in the data home')
            [CompletionResult]::new('--as-of', '--as-of', [CompletionResultType]::ParameterName, 'Run as if the time were this instant, for reproducible runs: RFC 3339 (2026-12-01T15:00:00Z), or a date alone (2026-12-01), which means 16:00 New York that day, the US close')
            [CompletionResult]::new('--ping', '--ping', [CompletionResultType]::ParameterName, 'Dead-man''s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. The pings add 2 s at most to a run and never fail the job')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log lines: text, or json (one object per line, with the named lifecycle events such as scan_finished; info level, or with -q error records and failure events only). Over [log] format in the config')
            [CompletionResult]::new('--log-file', '--log-file', [CompletionResultType]::ParameterName, 'Write log lines to this file instead of stderr, rotated by size ([log] max_bytes, keep). Several jobs may share it. Over [log] file in the config')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of tables')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'optctl;store;help' {
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'Rows, bytes and the oldest row''s time per table')
            [CompletionResult]::new('prune', 'prune', [CompletionResultType]::ParameterValue, 'Delete what every table family''s retention setting allows, now (each job also does this for its own tables at the end of its run)')
            [CompletionResult]::new('copy', 'copy', [CompletionResultType]::ParameterValue, 'Copy every row of this store into an empty one (`--to`), or of another store into this one while it is empty (`--from`): a SQLite home into PostgreSQL, or back')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'optctl;store;help;stats' {
            break
        }
        'optctl;store;help;prune' {
            break
        }
        'optctl;store;help;copy' {
            break
        }
        'optctl;store;help;help' {
            break
        }
        'optctl;help' {
            [CompletionResult]::new('alerts', 'alerts', [CompletionResultType]::ParameterValue, 'List stored alerts, newest first, highest score first within a scan')
            [CompletionResult]::new('chain', 'chain', [CompletionResultType]::ParameterValue, 'Show one expiry of a ticker''s stored chain: calls on the left, puts on the right')
            [CompletionResult]::new('compare', 'compare', [CompletionResultType]::ParameterValue, 'Compare the legacy and the unified strategy scheduler on the same data')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Show or create the configuration file')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check what unattended runs need: config, home, database, clock, providers, keys')
            [CompletionResult]::new('enrich', 'enrich', [CompletionResultType]::ParameterValue, 'Fetch OHLCV bars, check them and compute indicators, nightly from cron')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write alerts, chains, scans and features as JSON files, atomically')
            [CompletionResult]::new('fetch', 'fetch', [CompletionResultType]::ParameterValue, 'Fetch one chain (or a range of bars) from a provider and save the raw responses')
            [CompletionResult]::new('generate', 'generate', [CompletionResultType]::ParameterValue, 'Generate completions and man pages')
            [CompletionResult]::new('market-hours', 'market-hours', [CompletionResultType]::ParameterValue, 'Show whether the market is open and when it next opens')
            [CompletionResult]::new('migrate-scheduler', 'migrate-scheduler', [CompletionResultType]::ParameterValue, 'Move the strategy categories from the legacy to the unified scheduler')
            [CompletionResult]::new('notify', 'notify', [CompletionResultType]::ParameterValue, 'Send queued alert and signal notifications to the configured channels')
            [CompletionResult]::new('process-excel', 'process-excel', [CompletionResultType]::ParameterValue, 'Read the broker workbooks and store each stock''s OI buildup')
            [CompletionResult]::new('quant', 'quant', [CompletionResultType]::ParameterValue, 'Option calculator: implied volatility and greeks; optctl''s IV against the source''s')
            [CompletionResult]::new('scan', 'scan', [CompletionResultType]::ParameterValue, 'Scan option chains and store IV, greeks, features and scored alerts')
            [CompletionResult]::new('scans', 'scans', [CompletionResultType]::ParameterValue, 'List stored scans, newest first')
            [CompletionResult]::new('screen', 'screen', [CompletionResultType]::ParameterValue, 'Screen the watchlist''s latest features: `optctl screen ''iv_rank > 0.9'' ''pcr_volume > 1.5''`')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve the exports over HTTP (read-only) until SIGINT or SIGTERM')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a ticker''s features with their history, from the stored scans')
            [CompletionResult]::new('store', 'store', [CompletionResultType]::ParameterValue, 'Look at the database: rows and bytes per table, or run every retention now')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'optctl;help;alerts' {
            break
        }
        'optctl;help;chain' {
            break
        }
        'optctl;help;compare' {
            break
        }
        'optctl;help;config' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the effective configuration (file merged over defaults) as TOML, or JSON with --json')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a commented configuration file with every default')
            break
        }
        'optctl;help;config;show' {
            break
        }
        'optctl;help;config;init' {
            break
        }
        'optctl;help;doctor' {
            break
        }
        'optctl;help;enrich' {
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Fetch new bars for every symbol, check and store them, compute indicators')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show whether a run is going, the last run and success, pause, the next cron run')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'List recent enrich runs, newest first')
            [CompletionResult]::new('metrics', 'metrics', [CompletionResultType]::ParameterValue, 'Show the last 24 hours: success rates, response time, API quota, data quality')
            [CompletionResult]::new('health', 'health', [CompletionResultType]::ParameterValue, 'Say whether enrichment is healthy, degraded or unhealthy, and why')
            [CompletionResult]::new('job-status', 'job-status', [CompletionResultType]::ParameterValue, 'Show a symbol''s newest job: each timeframe''s fetch, quality issues, stored bars and the latest indicators')
            [CompletionResult]::new('pause', 'pause', [CompletionResultType]::ParameterValue, 'Pause enrichment: `enrich run` exits 0 and does nothing until `enrich resume`')
            [CompletionResult]::new('resume', 'resume', [CompletionResultType]::ParameterValue, 'Resume enrichment after `enrich pause`')
            [CompletionResult]::new('resilience', 'resilience', [CompletionResultType]::ParameterValue, 'Show each provider''s circuit breaker and rate limiter as stored')
            break
        }
        'optctl;help;enrich;run' {
            break
        }
        'optctl;help;enrich;status' {
            break
        }
        'optctl;help;enrich;history' {
            break
        }
        'optctl;help;enrich;metrics' {
            break
        }
        'optctl;help;enrich;health' {
            break
        }
        'optctl;help;enrich;job-status' {
            break
        }
        'optctl;help;enrich;pause' {
            break
        }
        'optctl;help;enrich;resume' {
            break
        }
        'optctl;help;enrich;resilience' {
            break
        }
        'optctl;help;export' {
            break
        }
        'optctl;help;fetch' {
            break
        }
        'optctl;help;generate' {
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Write shell completions (bash, zsh, fish, elvish, powershell) into DIR')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Write man pages (optctl.1, optctl-scan.1, ...) into DIR')
            [CompletionResult]::new('all', 'all', [CompletionResultType]::ParameterValue, 'Write both, into DIR/completions and DIR/man')
            [CompletionResult]::new('systemd', 'systemd', [CompletionResultType]::ParameterValue, 'systemd units: serve, process-excel --watch, and timers for scan, export, enrich')
            break
        }
        'optctl;help;generate;completions' {
            break
        }
        'optctl;help;generate;man' {
            break
        }
        'optctl;help;generate;all' {
            break
        }
        'optctl;help;generate;systemd' {
            break
        }
        'optctl;help;market-hours' {
            break
        }
        'optctl;help;migrate-scheduler' {
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the phase, where each category runs, and the criteria of the next step')
            [CompletionResult]::new('advance', 'advance', [CompletionResultType]::ParameterValue, 'Take the next step of the migration, if the success criteria hold')
            [CompletionResult]::new('rollback', 'rollback', [CompletionResultType]::ParameterValue, 'Roll the migration back: one step, one category, or all the way')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'One scheduling tick in the current phase; cron calls this')
            [CompletionResult]::new('crontab', 'crontab', [CompletionResultType]::ParameterValue, 'Print the crontab lines for the current phase')
            [CompletionResult]::new('log', 'log', [CompletionResultType]::ParameterValue, 'Show the audit trail: every advance and rollback, oldest first')
            [CompletionResult]::new('cache', 'cache', [CompletionResultType]::ParameterValue, 'The symbol cache the unified scheduler reads bars through')
            break
        }
        'optctl;help;migrate-scheduler;status' {
            break
        }
        'optctl;help;migrate-scheduler;advance' {
            break
        }
        'optctl;help;migrate-scheduler;rollback' {
            break
        }
        'optctl;help;migrate-scheduler;run' {
            break
        }
        'optctl;help;migrate-scheduler;crontab' {
            break
        }
        'optctl;help;migrate-scheduler;log' {
            break
        }
        'optctl;help;migrate-scheduler;cache' {
            [CompletionResult]::new('clear', 'clear', [CompletionResultType]::ParameterValue, 'Empty the symbol cache: the next unified tick fetches every series anew')
            break
        }
        'optctl;help;migrate-scheduler;cache;clear' {
            break
        }
        'optctl;help;notify' {
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Send a test message to one channel, now')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show queued, sent and failed messages per channel, and each one''s last error')
            [CompletionResult]::new('retry', 'retry', [CompletionResultType]::ParameterValue, 'Send queued messages now instead of after their backoff; --failed retries failed ones')
            break
        }
        'optctl;help;notify;test' {
            break
        }
        'optctl;help;notify;status' {
            break
        }
        'optctl;help;notify;retry' {
            break
        }
        'optctl;help;process-excel' {
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show whether the market is open, the last run and the last error')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'List recent process-excel runs, newest first')
            break
        }
        'optctl;help;process-excel;status' {
            break
        }
        'optctl;help;process-excel;history' {
            break
        }
        'optctl;help;quant' {
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Compare optctl''s implied volatility with the source''s own on a live or replayed chain')
            [CompletionResult]::new('iv', 'iv', [CompletionResultType]::ParameterValue, 'Implied volatility and greeks of one option, or of every row of a CSV')
            break
        }
        'optctl;help;quant;check' {
            break
        }
        'optctl;help;quant;iv' {
            break
        }
        'optctl;help;scan' {
            break
        }
        'optctl;help;scans' {
            break
        }
        'optctl;help;screen' {
            break
        }
        'optctl;help;serve' {
            break
        }
        'optctl;help;show' {
            break
        }
        'optctl;help;store' {
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'Rows, bytes and the oldest row''s time per table')
            [CompletionResult]::new('prune', 'prune', [CompletionResultType]::ParameterValue, 'Delete what every table family''s retention setting allows, now (each job also does this for its own tables at the end of its run)')
            [CompletionResult]::new('copy', 'copy', [CompletionResultType]::ParameterValue, 'Copy every row of this store into an empty one (`--to`), or of another store into this one while it is empty (`--from`): a SQLite home into PostgreSQL, or back')
            break
        }
        'optctl;help;store;stats' {
            break
        }
        'optctl;help;store;prune' {
            break
        }
        'optctl;help;store;copy' {
            break
        }
        'optctl;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
