# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_optctl_global_optspecs
    string join \n home= config= as-of= json v/verbose q/quiet ping= log-format= h/help V/version
end

function __fish_optctl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_optctl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_optctl_using_subcommand
    set -l cmd (__fish_optctl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c optctl -n "__fish_optctl_needs_command" -l home -d 'Data home: the database and exports live here' -r -F
complete -c optctl -n "__fish_optctl_needs_command" -l config -d 'Config file (TOML). Missing at the default location = built-in defaults' -r -F
complete -c optctl -n "__fish_optctl_needs_command" -l as-of -d 'Run as if the time were this instant (RFC 3339), for reproducible runs' -r
complete -c optctl -n "__fish_optctl_needs_command" -l ping -d 'Dead-man\'s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. A ping takes 5 s at most and never fails the job' -r
complete -c optctl -n "__fish_optctl_needs_command" -l log-format -d 'Log lines on stderr: text, or json (one object per line, with the events scan_started, scan_finished, ticker_failed, export_written; info level unless -q or -vv). Over [log] format in the config' -r -f -a "text\t''
json\t''"
complete -c optctl -n "__fish_optctl_needs_command" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c optctl -n "__fish_optctl_needs_command" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
complete -c optctl -n "__fish_optctl_needs_command" -s q -l quiet -d 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
complete -c optctl -n "__fish_optctl_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c optctl -n "__fish_optctl_needs_command" -s V -l version -d 'Print version'
complete -c optctl -n "__fish_optctl_needs_command" -f -a "alerts" -d 'List stored alerts, newest first, highest score first within a scan'
complete -c optctl -n "__fish_optctl_needs_command" -f -a "chain" -d 'Show one expiry of a ticker\'s stored chain: calls on the left, puts on the right'
complete -c optctl -n "__fish_optctl_needs_command" -f -a "compare" -d 'Compare the legacy and the unified strategy scheduler on the same data'
complete -c optctl -n "__fish_optctl_needs_command" -f -a "config" -d 'Show or create the configuration file'
complete -c optctl -n "__fish_optctl_needs_command" -f -a "doctor" -d 'Check what unattended runs need: config, home, database, clock, providers, keys'
complete -c optctl -n "__fish_optctl_needs_command" -f -a "enrich" -d 'Fetch OHLCV bars, check them and compute indicators, nightly from cron'
complete -c optctl -n "__fish_optctl_needs_command" -f -a "export" -d 'Write alerts, chains, scans and features as JSON files, atomically'
complete -c optctl -n "__fish_optctl_needs_command" -f -a "fetch" -d 'Fetch one chain (or a range of bars) from a provider and save the raw responses'
complete -c optctl -n "__fish_optctl_needs_command" -f -a "generate" -d 'Generate completions and man pages'
complete -c optctl -n "__fish_optctl_needs_command" -f -a "market-hours" -d 'Show whether the market is open and when it next opens'
complete -c optctl -n "__fish_optctl_needs_command" -f -a "migrate-scheduler" -d 'Move the strategy categories from the legacy to the unified scheduler'
complete -c optctl -n "__fish_optctl_needs_command" -f -a "notify" -d 'Send queued alert and signal notifications to the configured channels'
complete -c optctl -n "__fish_optctl_needs_command" -f -a "process-excel" -d 'Read the broker workbooks and store each stock\'s OI buildup'
complete -c optctl -n "__fish_optctl_needs_command" -f -a "quant" -d 'Option calculator: implied volatility and greeks'
complete -c optctl -n "__fish_optctl_needs_command" -f -a "scan" -d 'Scan option chains and store IV, greeks, features and scored alerts'
complete -c optctl -n "__fish_optctl_needs_command" -f -a "scans" -d 'List stored scans, newest first'
complete -c optctl -n "__fish_optctl_needs_command" -f -a "screen" -d 'Screen the watchlist\'s latest features: `optctl screen \'iv_rank > 0.9\' \'pcr_volume > 1.5\'`'
complete -c optctl -n "__fish_optctl_needs_command" -f -a "serve" -d 'Serve the exports over HTTP (read-only) until SIGINT or SIGTERM'
complete -c optctl -n "__fish_optctl_needs_command" -f -a "show" -d 'Show a ticker\'s features with their history, from the stored scans'
complete -c optctl -n "__fish_optctl_needs_command" -f -a "store" -d 'Look at the database: rows and bytes per table, or run every retention now'
complete -c optctl -n "__fish_optctl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c optctl -n "__fish_optctl_using_subcommand alerts" -l ticker -d 'Only this ticker' -r
complete -c optctl -n "__fish_optctl_using_subcommand alerts" -l detector -d 'Only this detector' -r -f -a "volume_spike\t''
unusual_activity\t''
iv_spike\t''
iv_rank_extreme\t''
skew_shift\t''
pcr_extreme\t''
oi_surge\t''"
complete -c optctl -n "__fish_optctl_using_subcommand alerts" -l min-score -d 'Only alerts scoring at least this (0-100)' -r
complete -c optctl -n "__fish_optctl_using_subcommand alerts" -l since -d 'Only alerts since this span ago (24h, 7d) or instant (RFC 3339)' -r
complete -c optctl -n "__fish_optctl_using_subcommand alerts" -l scan -d 'Only alerts of this scan' -r
complete -c optctl -n "__fish_optctl_using_subcommand alerts" -l limit -d 'At most this many alerts' -r
complete -c optctl -n "__fish_optctl_using_subcommand alerts" -l home -d 'Data home: the database and exports live here' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand alerts" -l config -d 'Config file (TOML). Missing at the default location = built-in defaults' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand alerts" -l as-of -d 'Run as if the time were this instant (RFC 3339), for reproducible runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand alerts" -l ping -d 'Dead-man\'s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. A ping takes 5 s at most and never fails the job' -r
complete -c optctl -n "__fish_optctl_using_subcommand alerts" -l log-format -d 'Log lines on stderr: text, or json (one object per line, with the events scan_started, scan_finished, ticker_failed, export_written; info level unless -q or -vv). Over [log] format in the config' -r -f -a "text\t''
json\t''"
complete -c optctl -n "__fish_optctl_using_subcommand alerts" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c optctl -n "__fish_optctl_using_subcommand alerts" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
complete -c optctl -n "__fish_optctl_using_subcommand alerts" -s q -l quiet -d 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
complete -c optctl -n "__fish_optctl_using_subcommand alerts" -s h -l help -d 'Print help'
complete -c optctl -n "__fish_optctl_using_subcommand chain" -l expiry -d 'This expiry (YYYY-MM-DD)' -r
complete -c optctl -n "__fish_optctl_using_subcommand chain" -l dte -d 'The expiry nearest this many calendar days out' -r
complete -c optctl -n "__fish_optctl_using_subcommand chain" -l strikes -d 'The N strikes nearest the forward' -r
complete -c optctl -n "__fish_optctl_using_subcommand chain" -l delta -d 'Only strikes whose call delta lies in this band (0.1..0.9, or 0.25 for 0.25..0.75), instead of --strikes' -r
complete -c optctl -n "__fish_optctl_using_subcommand chain" -l scan -d 'The chain of this scan instead of the newest' -r
complete -c optctl -n "__fish_optctl_using_subcommand chain" -l home -d 'Data home: the database and exports live here' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand chain" -l config -d 'Config file (TOML). Missing at the default location = built-in defaults' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand chain" -l as-of -d 'Run as if the time were this instant (RFC 3339), for reproducible runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand chain" -l ping -d 'Dead-man\'s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. A ping takes 5 s at most and never fails the job' -r
complete -c optctl -n "__fish_optctl_using_subcommand chain" -l log-format -d 'Log lines on stderr: text, or json (one object per line, with the events scan_started, scan_finished, ticker_failed, export_written; info level unless -q or -vv). Over [log] format in the config' -r -f -a "text\t''
json\t''"
complete -c optctl -n "__fish_optctl_using_subcommand chain" -l greeks -d 'All greeks (gamma, theta per day, vega per vol point), not only delta'
complete -c optctl -n "__fish_optctl_using_subcommand chain" -l csv -d 'One CSV line per contract instead of the table'
complete -c optctl -n "__fish_optctl_using_subcommand chain" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c optctl -n "__fish_optctl_using_subcommand chain" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
complete -c optctl -n "__fish_optctl_using_subcommand chain" -s q -l quiet -d 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
complete -c optctl -n "__fish_optctl_using_subcommand chain" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c optctl -n "__fish_optctl_using_subcommand compare" -l categories -d 'Categories to compare, comma separated (default: all): day_trading, short_selling, short_term' -r
complete -c optctl -n "__fish_optctl_using_subcommand compare" -l runs -d 'Repeat the experiment N times and report medians' -r
complete -c optctl -n "__fish_optctl_using_subcommand compare" -l home -d 'Data home: the database and exports live here' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand compare" -l config -d 'Config file (TOML). Missing at the default location = built-in defaults' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand compare" -l as-of -d 'Run as if the time were this instant (RFC 3339), for reproducible runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand compare" -l ping -d 'Dead-man\'s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. A ping takes 5 s at most and never fails the job' -r
complete -c optctl -n "__fish_optctl_using_subcommand compare" -l log-format -d 'Log lines on stderr: text, or json (one object per line, with the events scan_started, scan_finished, ticker_failed, export_written; info level unless -q or -vv). Over [log] format in the config' -r -f -a "text\t''
json\t''"
complete -c optctl -n "__fish_optctl_using_subcommand compare" -l check -d 'Exit 1 unless every success criterion holds'
complete -c optctl -n "__fish_optctl_using_subcommand compare" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c optctl -n "__fish_optctl_using_subcommand compare" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
complete -c optctl -n "__fish_optctl_using_subcommand compare" -s q -l quiet -d 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
complete -c optctl -n "__fish_optctl_using_subcommand compare" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c optctl -n "__fish_optctl_using_subcommand config; and not __fish_seen_subcommand_from show init help" -l home -d 'Data home: the database and exports live here' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand config; and not __fish_seen_subcommand_from show init help" -l config -d 'Config file (TOML). Missing at the default location = built-in defaults' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand config; and not __fish_seen_subcommand_from show init help" -l as-of -d 'Run as if the time were this instant (RFC 3339), for reproducible runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand config; and not __fish_seen_subcommand_from show init help" -l ping -d 'Dead-man\'s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. A ping takes 5 s at most and never fails the job' -r
complete -c optctl -n "__fish_optctl_using_subcommand config; and not __fish_seen_subcommand_from show init help" -l log-format -d 'Log lines on stderr: text, or json (one object per line, with the events scan_started, scan_finished, ticker_failed, export_written; info level unless -q or -vv). Over [log] format in the config' -r -f -a "text\t''
json\t''"
complete -c optctl -n "__fish_optctl_using_subcommand config; and not __fish_seen_subcommand_from show init help" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c optctl -n "__fish_optctl_using_subcommand config; and not __fish_seen_subcommand_from show init help" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
complete -c optctl -n "__fish_optctl_using_subcommand config; and not __fish_seen_subcommand_from show init help" -s q -l quiet -d 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
complete -c optctl -n "__fish_optctl_using_subcommand config; and not __fish_seen_subcommand_from show init help" -s h -l help -d 'Print help'
complete -c optctl -n "__fish_optctl_using_subcommand config; and not __fish_seen_subcommand_from show init help" -f -a "show" -d 'Print the effective configuration (file merged over defaults) as TOML, or JSON with --json'
complete -c optctl -n "__fish_optctl_using_subcommand config; and not __fish_seen_subcommand_from show init help" -f -a "init" -d 'Write a commented configuration file with every default'
complete -c optctl -n "__fish_optctl_using_subcommand config; and not __fish_seen_subcommand_from show init help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c optctl -n "__fish_optctl_using_subcommand config; and __fish_seen_subcommand_from show" -l home -d 'Data home: the database and exports live here' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand config; and __fish_seen_subcommand_from show" -l config -d 'Config file (TOML). Missing at the default location = built-in defaults' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand config; and __fish_seen_subcommand_from show" -l as-of -d 'Run as if the time were this instant (RFC 3339), for reproducible runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand config; and __fish_seen_subcommand_from show" -l ping -d 'Dead-man\'s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. A ping takes 5 s at most and never fails the job' -r
complete -c optctl -n "__fish_optctl_using_subcommand config; and __fish_seen_subcommand_from show" -l log-format -d 'Log lines on stderr: text, or json (one object per line, with the events scan_started, scan_finished, ticker_failed, export_written; info level unless -q or -vv). Over [log] format in the config' -r -f -a "text\t''
json\t''"
complete -c optctl -n "__fish_optctl_using_subcommand config; and __fish_seen_subcommand_from show" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c optctl -n "__fish_optctl_using_subcommand config; and __fish_seen_subcommand_from show" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
complete -c optctl -n "__fish_optctl_using_subcommand config; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
complete -c optctl -n "__fish_optctl_using_subcommand config; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c optctl -n "__fish_optctl_using_subcommand config; and __fish_seen_subcommand_from init" -l path -d 'Where to write it (default: the config path in use)' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand config; and __fish_seen_subcommand_from init" -l home -d 'Data home: the database and exports live here' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand config; and __fish_seen_subcommand_from init" -l config -d 'Config file (TOML). Missing at the default location = built-in defaults' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand config; and __fish_seen_subcommand_from init" -l as-of -d 'Run as if the time were this instant (RFC 3339), for reproducible runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand config; and __fish_seen_subcommand_from init" -l ping -d 'Dead-man\'s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. A ping takes 5 s at most and never fails the job' -r
complete -c optctl -n "__fish_optctl_using_subcommand config; and __fish_seen_subcommand_from init" -l log-format -d 'Log lines on stderr: text, or json (one object per line, with the events scan_started, scan_finished, ticker_failed, export_written; info level unless -q or -vv). Over [log] format in the config' -r -f -a "text\t''
json\t''"
complete -c optctl -n "__fish_optctl_using_subcommand config; and __fish_seen_subcommand_from init" -l force -d 'Overwrite an existing file'
complete -c optctl -n "__fish_optctl_using_subcommand config; and __fish_seen_subcommand_from init" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c optctl -n "__fish_optctl_using_subcommand config; and __fish_seen_subcommand_from init" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
complete -c optctl -n "__fish_optctl_using_subcommand config; and __fish_seen_subcommand_from init" -s q -l quiet -d 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
complete -c optctl -n "__fish_optctl_using_subcommand config; and __fish_seen_subcommand_from init" -s h -l help -d 'Print help'
complete -c optctl -n "__fish_optctl_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print the effective configuration (file merged over defaults) as TOML, or JSON with --json'
complete -c optctl -n "__fish_optctl_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "init" -d 'Write a commented configuration file with every default'
complete -c optctl -n "__fish_optctl_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c optctl -n "__fish_optctl_using_subcommand doctor" -l home -d 'Data home: the database and exports live here' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand doctor" -l config -d 'Config file (TOML). Missing at the default location = built-in defaults' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand doctor" -l as-of -d 'Run as if the time were this instant (RFC 3339), for reproducible runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand doctor" -l ping -d 'Dead-man\'s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. A ping takes 5 s at most and never fails the job' -r
complete -c optctl -n "__fish_optctl_using_subcommand doctor" -l log-format -d 'Log lines on stderr: text, or json (one object per line, with the events scan_started, scan_finished, ticker_failed, export_written; info level unless -q or -vv). Over [log] format in the config' -r -f -a "text\t''
json\t''"
complete -c optctl -n "__fish_optctl_using_subcommand doctor" -l offline -d 'Do not contact the providers (the reachability checks are skipped)'
complete -c optctl -n "__fish_optctl_using_subcommand doctor" -l send-test -d 'Send a test message through every configured notification channel'
complete -c optctl -n "__fish_optctl_using_subcommand doctor" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c optctl -n "__fish_optctl_using_subcommand doctor" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
complete -c optctl -n "__fish_optctl_using_subcommand doctor" -s q -l quiet -d 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
complete -c optctl -n "__fish_optctl_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and not __fish_seen_subcommand_from run status history metrics health job-status pause resume resilience help" -l home -d 'Data home: the database and exports live here' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and not __fish_seen_subcommand_from run status history metrics health job-status pause resume resilience help" -l config -d 'Config file (TOML). Missing at the default location = built-in defaults' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and not __fish_seen_subcommand_from run status history metrics health job-status pause resume resilience help" -l as-of -d 'Run as if the time were this instant (RFC 3339), for reproducible runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and not __fish_seen_subcommand_from run status history metrics health job-status pause resume resilience help" -l ping -d 'Dead-man\'s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. A ping takes 5 s at most and never fails the job' -r
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and not __fish_seen_subcommand_from run status history metrics health job-status pause resume resilience help" -l log-format -d 'Log lines on stderr: text, or json (one object per line, with the events scan_started, scan_finished, ticker_failed, export_written; info level unless -q or -vv). Over [log] format in the config' -r -f -a "text\t''
json\t''"
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and not __fish_seen_subcommand_from run status history metrics health job-status pause resume resilience help" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and not __fish_seen_subcommand_from run status history metrics health job-status pause resume resilience help" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and not __fish_seen_subcommand_from run status history metrics health job-status pause resume resilience help" -s q -l quiet -d 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and not __fish_seen_subcommand_from run status history metrics health job-status pause resume resilience help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and not __fish_seen_subcommand_from run status history metrics health job-status pause resume resilience help" -f -a "run" -d 'Fetch new bars for every symbol, check and store them, compute indicators'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and not __fish_seen_subcommand_from run status history metrics health job-status pause resume resilience help" -f -a "status" -d 'Show whether a run is going, the last run and success, pause, the next cron run'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and not __fish_seen_subcommand_from run status history metrics health job-status pause resume resilience help" -f -a "history" -d 'List recent enrich runs, newest first'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and not __fish_seen_subcommand_from run status history metrics health job-status pause resume resilience help" -f -a "metrics" -d 'Show the last 24 hours: success rates, response time, API quota, data quality'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and not __fish_seen_subcommand_from run status history metrics health job-status pause resume resilience help" -f -a "health" -d 'Say whether enrichment is healthy, degraded or unhealthy, and why'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and not __fish_seen_subcommand_from run status history metrics health job-status pause resume resilience help" -f -a "job-status" -d 'Show a symbol\'s newest job: each timeframe\'s fetch, quality issues, stored bars and the latest indicators'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and not __fish_seen_subcommand_from run status history metrics health job-status pause resume resilience help" -f -a "pause" -d 'Pause enrichment: `enrich run` exits 0 and does nothing until `enrich resume`'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and not __fish_seen_subcommand_from run status history metrics health job-status pause resume resilience help" -f -a "resume" -d 'Resume enrichment after `enrich pause`'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and not __fish_seen_subcommand_from run status history metrics health job-status pause resume resilience help" -f -a "resilience" -d 'Show each provider\'s circuit breaker and rate limiter as stored'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and not __fish_seen_subcommand_from run status history metrics health job-status pause resume resilience help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from run" -l symbols -d 'Only these symbols (comma separated or repeated); symbols outside the universe are enriched too, as --asset-class (default stock)' -r
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from run" -l asset-class -d 'Only symbols of these classes: stock, etf, index (comma separated or repeated)' -r
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from run" -l timeframes -d 'Timeframes: 1d, 1h, 5m (comma separated; default [enrich] timeframes)' -r
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from run" -l concurrency -d 'Symbols worked on at once (default [enrich] concurrency, 5)' -r
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from run" -l max-retries -d 'Retries of a failed fetch (default [enrich] max_retries, 3)' -r
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from run" -l home -d 'Data home: the database and exports live here' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from run" -l config -d 'Config file (TOML). Missing at the default location = built-in defaults' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from run" -l as-of -d 'Run as if the time were this instant (RFC 3339), for reproducible runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from run" -l ping -d 'Dead-man\'s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. A ping takes 5 s at most and never fails the job' -r
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from run" -l log-format -d 'Log lines on stderr: text, or json (one object per line, with the events scan_started, scan_finished, ticker_failed, export_written; info level unless -q or -vv). Over [log] format in the config' -r -f -a "text\t''
json\t''"
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from run" -l strict -d 'Exit 3 when some symbols failed and the rest were stored [default: [enrich] strict]'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from run" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from run" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from run" -s q -l quiet -d 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from status" -l home -d 'Data home: the database and exports live here' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from status" -l config -d 'Config file (TOML). Missing at the default location = built-in defaults' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from status" -l as-of -d 'Run as if the time were this instant (RFC 3339), for reproducible runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from status" -l ping -d 'Dead-man\'s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. A ping takes 5 s at most and never fails the job' -r
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from status" -l log-format -d 'Log lines on stderr: text, or json (one object per line, with the events scan_started, scan_finished, ticker_failed, export_written; info level unless -q or -vv). Over [log] format in the config' -r -f -a "text\t''
json\t''"
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from status" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from status" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from status" -s q -l quiet -d 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from history" -l limit -d 'At most this many runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from history" -l home -d 'Data home: the database and exports live here' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from history" -l config -d 'Config file (TOML). Missing at the default location = built-in defaults' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from history" -l as-of -d 'Run as if the time were this instant (RFC 3339), for reproducible runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from history" -l ping -d 'Dead-man\'s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. A ping takes 5 s at most and never fails the job' -r
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from history" -l log-format -d 'Log lines on stderr: text, or json (one object per line, with the events scan_started, scan_finished, ticker_failed, export_written; info level unless -q or -vv). Over [log] format in the config' -r -f -a "text\t''
json\t''"
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from history" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from history" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from history" -s q -l quiet -d 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from history" -s h -l help -d 'Print help'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from metrics" -l home -d 'Data home: the database and exports live here' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from metrics" -l config -d 'Config file (TOML). Missing at the default location = built-in defaults' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from metrics" -l as-of -d 'Run as if the time were this instant (RFC 3339), for reproducible runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from metrics" -l ping -d 'Dead-man\'s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. A ping takes 5 s at most and never fails the job' -r
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from metrics" -l log-format -d 'Log lines on stderr: text, or json (one object per line, with the events scan_started, scan_finished, ticker_failed, export_written; info level unless -q or -vv). Over [log] format in the config' -r -f -a "text\t''
json\t''"
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from metrics" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from metrics" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from metrics" -s q -l quiet -d 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from metrics" -s h -l help -d 'Print help'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from health" -l home -d 'Data home: the database and exports live here' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from health" -l config -d 'Config file (TOML). Missing at the default location = built-in defaults' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from health" -l as-of -d 'Run as if the time were this instant (RFC 3339), for reproducible runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from health" -l ping -d 'Dead-man\'s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. A ping takes 5 s at most and never fails the job' -r
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from health" -l log-format -d 'Log lines on stderr: text, or json (one object per line, with the events scan_started, scan_finished, ticker_failed, export_written; info level unless -q or -vv). Over [log] format in the config' -r -f -a "text\t''
json\t''"
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from health" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from health" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from health" -s q -l quiet -d 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from health" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from job-status" -l home -d 'Data home: the database and exports live here' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from job-status" -l config -d 'Config file (TOML). Missing at the default location = built-in defaults' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from job-status" -l as-of -d 'Run as if the time were this instant (RFC 3339), for reproducible runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from job-status" -l ping -d 'Dead-man\'s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. A ping takes 5 s at most and never fails the job' -r
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from job-status" -l log-format -d 'Log lines on stderr: text, or json (one object per line, with the events scan_started, scan_finished, ticker_failed, export_written; info level unless -q or -vv). Over [log] format in the config' -r -f -a "text\t''
json\t''"
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from job-status" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from job-status" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from job-status" -s q -l quiet -d 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from job-status" -s h -l help -d 'Print help'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from pause" -l reason -d 'Why (shown by `enrich status`, `health` and the paused run)' -r
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from pause" -l home -d 'Data home: the database and exports live here' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from pause" -l config -d 'Config file (TOML). Missing at the default location = built-in defaults' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from pause" -l as-of -d 'Run as if the time were this instant (RFC 3339), for reproducible runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from pause" -l ping -d 'Dead-man\'s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. A ping takes 5 s at most and never fails the job' -r
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from pause" -l log-format -d 'Log lines on stderr: text, or json (one object per line, with the events scan_started, scan_finished, ticker_failed, export_written; info level unless -q or -vv). Over [log] format in the config' -r -f -a "text\t''
json\t''"
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from pause" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from pause" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from pause" -s q -l quiet -d 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from pause" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from resume" -l home -d 'Data home: the database and exports live here' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from resume" -l config -d 'Config file (TOML). Missing at the default location = built-in defaults' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from resume" -l as-of -d 'Run as if the time were this instant (RFC 3339), for reproducible runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from resume" -l ping -d 'Dead-man\'s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. A ping takes 5 s at most and never fails the job' -r
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from resume" -l log-format -d 'Log lines on stderr: text, or json (one object per line, with the events scan_started, scan_finished, ticker_failed, export_written; info level unless -q or -vv). Over [log] format in the config' -r -f -a "text\t''
json\t''"
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from resume" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from resume" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from resume" -s q -l quiet -d 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from resume" -s h -l help -d 'Print help'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from resilience" -l home -d 'Data home: the database and exports live here' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from resilience" -l config -d 'Config file (TOML). Missing at the default location = built-in defaults' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from resilience" -l as-of -d 'Run as if the time were this instant (RFC 3339), for reproducible runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from resilience" -l ping -d 'Dead-man\'s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. A ping takes 5 s at most and never fails the job' -r
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from resilience" -l log-format -d 'Log lines on stderr: text, or json (one object per line, with the events scan_started, scan_finished, ticker_failed, export_written; info level unless -q or -vv). Over [log] format in the config' -r -f -a "text\t''
json\t''"
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from resilience" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from resilience" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from resilience" -s q -l quiet -d 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from resilience" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from help" -f -a "run" -d 'Fetch new bars for every symbol, check and store them, compute indicators'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from help" -f -a "status" -d 'Show whether a run is going, the last run and success, pause, the next cron run'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from help" -f -a "history" -d 'List recent enrich runs, newest first'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from help" -f -a "metrics" -d 'Show the last 24 hours: success rates, response time, API quota, data quality'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from help" -f -a "health" -d 'Say whether enrichment is healthy, degraded or unhealthy, and why'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from help" -f -a "job-status" -d 'Show a symbol\'s newest job: each timeframe\'s fetch, quality issues, stored bars and the latest indicators'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from help" -f -a "pause" -d 'Pause enrichment: `enrich run` exits 0 and does nothing until `enrich resume`'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from help" -f -a "resume" -d 'Resume enrichment after `enrich pause`'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from help" -f -a "resilience" -d 'Show each provider\'s circuit breaker and rate limiter as stored'
complete -c optctl -n "__fish_optctl_using_subcommand enrich; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c optctl -n "__fish_optctl_using_subcommand export" -l out -d 'Folder to write into (default: <home>/exports)' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand export" -l only -d 'Only these files, comma separated: alerts, chains, scans, features' -r
complete -c optctl -n "__fish_optctl_using_subcommand export" -l alerts-since -d 'Alerts created within this span before now (24h, 90m, 7d) [default: [export] alerts_since]' -r
complete -c optctl -n "__fish_optctl_using_subcommand export" -l alerts-limit -d 'At most this many alerts [default: [export] alerts_limit]' -r
complete -c optctl -n "__fish_optctl_using_subcommand export" -l keep-days -d 'Delete archives older than this many days, 0 keeps all [default: [export] keep_days]' -r
complete -c optctl -n "__fish_optctl_using_subcommand export" -l keep-bytes -d 'Then delete the oldest archives while they hold more than this many bytes (each file\'s newest stays), 0 = no cap [default: [export] keep_bytes]' -r
complete -c optctl -n "__fish_optctl_using_subcommand export" -l home -d 'Data home: the database and exports live here' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand export" -l config -d 'Config file (TOML). Missing at the default location = built-in defaults' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand export" -l as-of -d 'Run as if the time were this instant (RFC 3339), for reproducible runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand export" -l ping -d 'Dead-man\'s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. A ping takes 5 s at most and never fails the job' -r
complete -c optctl -n "__fish_optctl_using_subcommand export" -l log-format -d 'Log lines on stderr: text, or json (one object per line, with the events scan_started, scan_finished, ticker_failed, export_written; info level unless -q or -vv). Over [log] format in the config' -r -f -a "text\t''
json\t''"
complete -c optctl -n "__fish_optctl_using_subcommand export" -l no-archive -d 'Do not write timestamped copies under archive/'
complete -c optctl -n "__fish_optctl_using_subcommand export" -l compress -d 'Gzip the archive copies [default: [export] compress, on]'
complete -c optctl -n "__fish_optctl_using_subcommand export" -l no-compress -d 'Archive uncompressed copies (hard links, no extra bytes until the file is replaced)'
complete -c optctl -n "__fish_optctl_using_subcommand export" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c optctl -n "__fish_optctl_using_subcommand export" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
complete -c optctl -n "__fish_optctl_using_subcommand export" -s q -l quiet -d 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
complete -c optctl -n "__fish_optctl_using_subcommand export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c optctl -n "__fish_optctl_using_subcommand fetch" -l provider -d 'Provider (default: [provider] name)' -r -f -a "sim\t'The embedded, deterministic simulated market (no network)'
files\t'Replay of saved snapshots or raw responses from a folder'
cboe\t'CBOE delayed quotes (chains)'
yahoo\t'Yahoo Finance (chains and bars)'
polygon\t'Polygon.io (chains and bars; needs a key)'
tradier\t'Tradier (chains and bars; needs a token)'
nse\t'NSE India option chains'"
complete -c optctl -n "__fish_optctl_using_subcommand fetch" -l ticker -d 'The underlying to fetch (AAPL, SPX, NIFTY, ...)' -r
complete -c optctl -n "__fish_optctl_using_subcommand fetch" -l bars -d 'Fetch bars at this timeframe (5m, 1h, 1d) instead of the option chain' -r
complete -c optctl -n "__fish_optctl_using_subcommand fetch" -l from -d 'First bar time: RFC 3339 or YYYY-MM-DD (UTC midnight). Default: 30 days before --to for 1d bars, 5 days for intraday' -r
complete -c optctl -n "__fish_optctl_using_subcommand fetch" -l to -d 'End of the bar range, exclusive: RFC 3339 or YYYY-MM-DD (default: now / --as-of)' -r
complete -c optctl -n "__fish_optctl_using_subcommand fetch" -l save -d 'Save the raw responses under DIR/<TICKER>/ for the files provider to replay' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand fetch" -l files-dir -d 'Folder the files provider replays from (overrides [provider.files] dir)' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand fetch" -l home -d 'Data home: the database and exports live here' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand fetch" -l config -d 'Config file (TOML). Missing at the default location = built-in defaults' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand fetch" -l as-of -d 'Run as if the time were this instant (RFC 3339), for reproducible runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand fetch" -l ping -d 'Dead-man\'s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. A ping takes 5 s at most and never fails the job' -r
complete -c optctl -n "__fish_optctl_using_subcommand fetch" -l log-format -d 'Log lines on stderr: text, or json (one object per line, with the events scan_started, scan_finished, ticker_failed, export_written; info level unless -q or -vv). Over [log] format in the config' -r -f -a "text\t''
json\t''"
complete -c optctl -n "__fish_optctl_using_subcommand fetch" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c optctl -n "__fish_optctl_using_subcommand fetch" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
complete -c optctl -n "__fish_optctl_using_subcommand fetch" -s q -l quiet -d 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
complete -c optctl -n "__fish_optctl_using_subcommand fetch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c optctl -n "__fish_optctl_using_subcommand generate; and not __fish_seen_subcommand_from completions man all systemd help" -l home -d 'Data home: the database and exports live here' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand generate; and not __fish_seen_subcommand_from completions man all systemd help" -l config -d 'Config file (TOML). Missing at the default location = built-in defaults' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand generate; and not __fish_seen_subcommand_from completions man all systemd help" -l as-of -d 'Run as if the time were this instant (RFC 3339), for reproducible runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand generate; and not __fish_seen_subcommand_from completions man all systemd help" -l ping -d 'Dead-man\'s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. A ping takes 5 s at most and never fails the job' -r
complete -c optctl -n "__fish_optctl_using_subcommand generate; and not __fish_seen_subcommand_from completions man all systemd help" -l log-format -d 'Log lines on stderr: text, or json (one object per line, with the events scan_started, scan_finished, ticker_failed, export_written; info level unless -q or -vv). Over [log] format in the config' -r -f -a "text\t''
json\t''"
complete -c optctl -n "__fish_optctl_using_subcommand generate; and not __fish_seen_subcommand_from completions man all systemd help" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c optctl -n "__fish_optctl_using_subcommand generate; and not __fish_seen_subcommand_from completions man all systemd help" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
complete -c optctl -n "__fish_optctl_using_subcommand generate; and not __fish_seen_subcommand_from completions man all systemd help" -s q -l quiet -d 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
complete -c optctl -n "__fish_optctl_using_subcommand generate; and not __fish_seen_subcommand_from completions man all systemd help" -s h -l help -d 'Print help'
complete -c optctl -n "__fish_optctl_using_subcommand generate; and not __fish_seen_subcommand_from completions man all systemd help" -f -a "completions" -d 'Write shell completions (bash, zsh, fish, elvish, powershell) into DIR'
complete -c optctl -n "__fish_optctl_using_subcommand generate; and not __fish_seen_subcommand_from completions man all systemd help" -f -a "man" -d 'Write man pages (optctl.1, optctl-scan.1, ...) into DIR'
complete -c optctl -n "__fish_optctl_using_subcommand generate; and not __fish_seen_subcommand_from completions man all systemd help" -f -a "all" -d 'Write both, into DIR/completions and DIR/man'
complete -c optctl -n "__fish_optctl_using_subcommand generate; and not __fish_seen_subcommand_from completions man all systemd help" -f -a "systemd" -d 'systemd units: serve, process-excel --watch, and timers for scan, export, enrich'
complete -c optctl -n "__fish_optctl_using_subcommand generate; and not __fish_seen_subcommand_from completions man all systemd help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c optctl -n "__fish_optctl_using_subcommand generate; and __fish_seen_subcommand_from completions" -l out -r -F
complete -c optctl -n "__fish_optctl_using_subcommand generate; and __fish_seen_subcommand_from completions" -l home -d 'Data home: the database and exports live here' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand generate; and __fish_seen_subcommand_from completions" -l config -d 'Config file (TOML). Missing at the default location = built-in defaults' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand generate; and __fish_seen_subcommand_from completions" -l as-of -d 'Run as if the time were this instant (RFC 3339), for reproducible runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand generate; and __fish_seen_subcommand_from completions" -l ping -d 'Dead-man\'s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. A ping takes 5 s at most and never fails the job' -r
complete -c optctl -n "__fish_optctl_using_subcommand generate; and __fish_seen_subcommand_from completions" -l log-format -d 'Log lines on stderr: text, or json (one object per line, with the events scan_started, scan_finished, ticker_failed, export_written; info level unless -q or -vv). Over [log] format in the config' -r -f -a "text\t''
json\t''"
complete -c optctl -n "__fish_optctl_using_subcommand generate; and __fish_seen_subcommand_from completions" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c optctl -n "__fish_optctl_using_subcommand generate; and __fish_seen_subcommand_from completions" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
complete -c optctl -n "__fish_optctl_using_subcommand generate; and __fish_seen_subcommand_from completions" -s q -l quiet -d 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
complete -c optctl -n "__fish_optctl_using_subcommand generate; and __fish_seen_subcommand_from completions" -s h -l help -d 'Print help'
complete -c optctl -n "__fish_optctl_using_subcommand generate; and __fish_seen_subcommand_from man" -l out -r -F
complete -c optctl -n "__fish_optctl_using_subcommand generate; and __fish_seen_subcommand_from man" -l home -d 'Data home: the database and exports live here' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand generate; and __fish_seen_subcommand_from man" -l config -d 'Config file (TOML). Missing at the default location = built-in defaults' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand generate; and __fish_seen_subcommand_from man" -l as-of -d 'Run as if the time were this instant (RFC 3339), for reproducible runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand generate; and __fish_seen_subcommand_from man" -l ping -d 'Dead-man\'s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. A ping takes 5 s at most and never fails the job' -r
complete -c optctl -n "__fish_optctl_using_subcommand generate; and __fish_seen_subcommand_from man" -l log-format -d 'Log lines on stderr: text, or json (one object per line, with the events scan_started, scan_finished, ticker_failed, export_written; info level unless -q or -vv). Over [log] format in the config' -r -f -a "text\t''
json\t''"
complete -c optctl -n "__fish_optctl_using_subcommand generate; and __fish_seen_subcommand_from man" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c optctl -n "__fish_optctl_using_subcommand generate; and __fish_seen_subcommand_from man" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
complete -c optctl -n "__fish_optctl_using_subcommand generate; and __fish_seen_subcommand_from man" -s q -l quiet -d 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
complete -c optctl -n "__fish_optctl_using_subcommand generate; and __fish_seen_subcommand_from man" -s h -l help -d 'Print help'
complete -c optctl -n "__fish_optctl_using_subcommand generate; and __fish_seen_subcommand_from all" -l out -r -F
complete -c optctl -n "__fish_optctl_using_subcommand generate; and __fish_seen_subcommand_from all" -l home -d 'Data home: the database and exports live here' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand generate; and __fish_seen_subcommand_from all" -l config -d 'Config file (TOML). Missing at the default location = built-in defaults' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand generate; and __fish_seen_subcommand_from all" -l as-of -d 'Run as if the time were this instant (RFC 3339), for reproducible runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand generate; and __fish_seen_subcommand_from all" -l ping -d 'Dead-man\'s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. A ping takes 5 s at most and never fails the job' -r
complete -c optctl -n "__fish_optctl_using_subcommand generate; and __fish_seen_subcommand_from all" -l log-format -d 'Log lines on stderr: text, or json (one object per line, with the events scan_started, scan_finished, ticker_failed, export_written; info level unless -q or -vv). Over [log] format in the config' -r -f -a "text\t''
json\t''"
complete -c optctl -n "__fish_optctl_using_subcommand generate; and __fish_seen_subcommand_from all" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c optctl -n "__fish_optctl_using_subcommand generate; and __fish_seen_subcommand_from all" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
complete -c optctl -n "__fish_optctl_using_subcommand generate; and __fish_seen_subcommand_from all" -s q -l quiet -d 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
complete -c optctl -n "__fish_optctl_using_subcommand generate; and __fish_seen_subcommand_from all" -s h -l help -d 'Print help'
complete -c optctl -n "__fish_optctl_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l out -r -F
complete -c optctl -n "__fish_optctl_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l home -d 'Data home: the database and exports live here' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l config -d 'Config file (TOML). Missing at the default location = built-in defaults' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l as-of -d 'Run as if the time were this instant (RFC 3339), for reproducible runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l ping -d 'Dead-man\'s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. A ping takes 5 s at most and never fails the job' -r
complete -c optctl -n "__fish_optctl_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l log-format -d 'Log lines on stderr: text, or json (one object per line, with the events scan_started, scan_finished, ticker_failed, export_written; info level unless -q or -vv). Over [log] format in the config' -r -f -a "text\t''
json\t''"
complete -c optctl -n "__fish_optctl_using_subcommand generate; and __fish_seen_subcommand_from systemd" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c optctl -n "__fish_optctl_using_subcommand generate; and __fish_seen_subcommand_from systemd" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
complete -c optctl -n "__fish_optctl_using_subcommand generate; and __fish_seen_subcommand_from systemd" -s q -l quiet -d 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
complete -c optctl -n "__fish_optctl_using_subcommand generate; and __fish_seen_subcommand_from systemd" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c optctl -n "__fish_optctl_using_subcommand generate; and __fish_seen_subcommand_from help" -f -a "completions" -d 'Write shell completions (bash, zsh, fish, elvish, powershell) into DIR'
complete -c optctl -n "__fish_optctl_using_subcommand generate; and __fish_seen_subcommand_from help" -f -a "man" -d 'Write man pages (optctl.1, optctl-scan.1, ...) into DIR'
complete -c optctl -n "__fish_optctl_using_subcommand generate; and __fish_seen_subcommand_from help" -f -a "all" -d 'Write both, into DIR/completions and DIR/man'
complete -c optctl -n "__fish_optctl_using_subcommand generate; and __fish_seen_subcommand_from help" -f -a "systemd" -d 'systemd units: serve, process-excel --watch, and timers for scan, export, enrich'
complete -c optctl -n "__fish_optctl_using_subcommand generate; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c optctl -n "__fish_optctl_using_subcommand market-hours" -l home -d 'Data home: the database and exports live here' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand market-hours" -l config -d 'Config file (TOML). Missing at the default location = built-in defaults' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand market-hours" -l as-of -d 'Run as if the time were this instant (RFC 3339), for reproducible runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand market-hours" -l ping -d 'Dead-man\'s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. A ping takes 5 s at most and never fails the job' -r
complete -c optctl -n "__fish_optctl_using_subcommand market-hours" -l log-format -d 'Log lines on stderr: text, or json (one object per line, with the events scan_started, scan_finished, ticker_failed, export_written; info level unless -q or -vv). Over [log] format in the config' -r -f -a "text\t''
json\t''"
complete -c optctl -n "__fish_optctl_using_subcommand market-hours" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c optctl -n "__fish_optctl_using_subcommand market-hours" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
complete -c optctl -n "__fish_optctl_using_subcommand market-hours" -s q -l quiet -d 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
complete -c optctl -n "__fish_optctl_using_subcommand market-hours" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and not __fish_seen_subcommand_from status advance rollback run crontab log help" -l home -d 'Data home: the database and exports live here' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and not __fish_seen_subcommand_from status advance rollback run crontab log help" -l config -d 'Config file (TOML). Missing at the default location = built-in defaults' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and not __fish_seen_subcommand_from status advance rollback run crontab log help" -l as-of -d 'Run as if the time were this instant (RFC 3339), for reproducible runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and not __fish_seen_subcommand_from status advance rollback run crontab log help" -l ping -d 'Dead-man\'s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. A ping takes 5 s at most and never fails the job' -r
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and not __fish_seen_subcommand_from status advance rollback run crontab log help" -l log-format -d 'Log lines on stderr: text, or json (one object per line, with the events scan_started, scan_finished, ticker_failed, export_written; info level unless -q or -vv). Over [log] format in the config' -r -f -a "text\t''
json\t''"
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and not __fish_seen_subcommand_from status advance rollback run crontab log help" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and not __fish_seen_subcommand_from status advance rollback run crontab log help" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and not __fish_seen_subcommand_from status advance rollback run crontab log help" -s q -l quiet -d 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and not __fish_seen_subcommand_from status advance rollback run crontab log help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and not __fish_seen_subcommand_from status advance rollback run crontab log help" -f -a "status" -d 'Show the phase, where each category runs, and the criteria of the next step'
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and not __fish_seen_subcommand_from status advance rollback run crontab log help" -f -a "advance" -d 'Take the next step of the migration, if the success criteria hold'
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and not __fish_seen_subcommand_from status advance rollback run crontab log help" -f -a "rollback" -d 'Roll the migration back: one step, one category, or all the way'
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and not __fish_seen_subcommand_from status advance rollback run crontab log help" -f -a "run" -d 'One scheduling tick in the current phase; cron calls this'
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and not __fish_seen_subcommand_from status advance rollback run crontab log help" -f -a "crontab" -d 'Print the crontab lines for the current phase'
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and not __fish_seen_subcommand_from status advance rollback run crontab log help" -f -a "log" -d 'Show the audit trail: every advance and rollback, oldest first'
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and not __fish_seen_subcommand_from status advance rollback run crontab log help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from status" -l home -d 'Data home: the database and exports live here' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from status" -l config -d 'Config file (TOML). Missing at the default location = built-in defaults' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from status" -l as-of -d 'Run as if the time were this instant (RFC 3339), for reproducible runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from status" -l ping -d 'Dead-man\'s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. A ping takes 5 s at most and never fails the job' -r
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from status" -l log-format -d 'Log lines on stderr: text, or json (one object per line, with the events scan_started, scan_finished, ticker_failed, export_written; info level unless -q or -vv). Over [log] format in the config' -r -f -a "text\t''
json\t''"
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from status" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from status" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from status" -s q -l quiet -d 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from advance" -l reason -d 'Why, for the audit log (required with --force)' -r
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from advance" -l home -d 'Data home: the database and exports live here' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from advance" -l config -d 'Config file (TOML). Missing at the default location = built-in defaults' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from advance" -l as-of -d 'Run as if the time were this instant (RFC 3339), for reproducible runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from advance" -l ping -d 'Dead-man\'s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. A ping takes 5 s at most and never fails the job' -r
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from advance" -l log-format -d 'Log lines on stderr: text, or json (one object per line, with the events scan_started, scan_finished, ticker_failed, export_written; info level unless -q or -vv). Over [log] format in the config' -r -f -a "text\t''
json\t''"
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from advance" -l force -d 'Take the step even though criteria fail (needs --reason)'
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from advance" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from advance" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from advance" -s q -l quiet -d 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from advance" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from rollback" -l category -d 'Move this category back to the legacy scheduler' -r
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from rollback" -l reason -d 'Why, for the audit log' -r
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from rollback" -l home -d 'Data home: the database and exports live here' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from rollback" -l config -d 'Config file (TOML). Missing at the default location = built-in defaults' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from rollback" -l as-of -d 'Run as if the time were this instant (RFC 3339), for reproducible runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from rollback" -l ping -d 'Dead-man\'s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. A ping takes 5 s at most and never fails the job' -r
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from rollback" -l log-format -d 'Log lines on stderr: text, or json (one object per line, with the events scan_started, scan_finished, ticker_failed, export_written; info level unless -q or -vv). Over [log] format in the config' -r -f -a "text\t''
json\t''"
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from rollback" -l all -d 'Go straight back to the legacy phase'
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from rollback" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from rollback" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from rollback" -s q -l quiet -d 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from rollback" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from run" -l home -d 'Data home: the database and exports live here' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from run" -l config -d 'Config file (TOML). Missing at the default location = built-in defaults' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from run" -l as-of -d 'Run as if the time were this instant (RFC 3339), for reproducible runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from run" -l ping -d 'Dead-man\'s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. A ping takes 5 s at most and never fails the job' -r
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from run" -l log-format -d 'Log lines on stderr: text, or json (one object per line, with the events scan_started, scan_finished, ticker_failed, export_written; info level unless -q or -vv). Over [log] format in the config' -r -f -a "text\t''
json\t''"
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from run" -l market-hours-only -d 'Do nothing outside the [market_hours] session (exit 0, said on stderr)'
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from run" -l no-notify -d 'Queue the new signals\' notifications but do not send them (`optctl notify` will)'
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from run" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from run" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from run" -s q -l quiet -d 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from crontab" -l home -d 'Data home: the database and exports live here' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from crontab" -l config -d 'Config file (TOML). Missing at the default location = built-in defaults' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from crontab" -l as-of -d 'Run as if the time were this instant (RFC 3339), for reproducible runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from crontab" -l ping -d 'Dead-man\'s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. A ping takes 5 s at most and never fails the job' -r
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from crontab" -l log-format -d 'Log lines on stderr: text, or json (one object per line, with the events scan_started, scan_finished, ticker_failed, export_written; info level unless -q or -vv). Over [log] format in the config' -r -f -a "text\t''
json\t''"
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from crontab" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from crontab" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from crontab" -s q -l quiet -d 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from crontab" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from log" -l limit -d 'Only the newest N entries' -r
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from log" -l home -d 'Data home: the database and exports live here' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from log" -l config -d 'Config file (TOML). Missing at the default location = built-in defaults' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from log" -l as-of -d 'Run as if the time were this instant (RFC 3339), for reproducible runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from log" -l ping -d 'Dead-man\'s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. A ping takes 5 s at most and never fails the job' -r
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from log" -l log-format -d 'Log lines on stderr: text, or json (one object per line, with the events scan_started, scan_finished, ticker_failed, export_written; info level unless -q or -vv). Over [log] format in the config' -r -f -a "text\t''
json\t''"
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from log" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from log" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from log" -s q -l quiet -d 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from log" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from help" -f -a "status" -d 'Show the phase, where each category runs, and the criteria of the next step'
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from help" -f -a "advance" -d 'Take the next step of the migration, if the success criteria hold'
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from help" -f -a "rollback" -d 'Roll the migration back: one step, one category, or all the way'
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from help" -f -a "run" -d 'One scheduling tick in the current phase; cron calls this'
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from help" -f -a "crontab" -d 'Print the crontab lines for the current phase'
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from help" -f -a "log" -d 'Show the audit trail: every advance and rollback, oldest first'
complete -c optctl -n "__fish_optctl_using_subcommand migrate-scheduler; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c optctl -n "__fish_optctl_using_subcommand notify; and not __fish_seen_subcommand_from test status retry help" -l channel -d 'Only this channel' -r
complete -c optctl -n "__fish_optctl_using_subcommand notify; and not __fish_seen_subcommand_from test status retry help" -l home -d 'Data home: the database and exports live here' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand notify; and not __fish_seen_subcommand_from test status retry help" -l config -d 'Config file (TOML). Missing at the default location = built-in defaults' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand notify; and not __fish_seen_subcommand_from test status retry help" -l as-of -d 'Run as if the time were this instant (RFC 3339), for reproducible runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand notify; and not __fish_seen_subcommand_from test status retry help" -l ping -d 'Dead-man\'s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. A ping takes 5 s at most and never fails the job' -r
complete -c optctl -n "__fish_optctl_using_subcommand notify; and not __fish_seen_subcommand_from test status retry help" -l log-format -d 'Log lines on stderr: text, or json (one object per line, with the events scan_started, scan_finished, ticker_failed, export_written; info level unless -q or -vv). Over [log] format in the config' -r -f -a "text\t''
json\t''"
complete -c optctl -n "__fish_optctl_using_subcommand notify; and not __fish_seen_subcommand_from test status retry help" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c optctl -n "__fish_optctl_using_subcommand notify; and not __fish_seen_subcommand_from test status retry help" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
complete -c optctl -n "__fish_optctl_using_subcommand notify; and not __fish_seen_subcommand_from test status retry help" -s q -l quiet -d 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
complete -c optctl -n "__fish_optctl_using_subcommand notify; and not __fish_seen_subcommand_from test status retry help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c optctl -n "__fish_optctl_using_subcommand notify; and not __fish_seen_subcommand_from test status retry help" -f -a "test" -d 'Send a test message to one channel, now'
complete -c optctl -n "__fish_optctl_using_subcommand notify; and not __fish_seen_subcommand_from test status retry help" -f -a "status" -d 'Show queued, sent and failed messages per channel, and each one\'s last error'
complete -c optctl -n "__fish_optctl_using_subcommand notify; and not __fish_seen_subcommand_from test status retry help" -f -a "retry" -d 'Send queued messages now instead of after their backoff; --failed retries failed ones'
complete -c optctl -n "__fish_optctl_using_subcommand notify; and not __fish_seen_subcommand_from test status retry help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c optctl -n "__fish_optctl_using_subcommand notify; and __fish_seen_subcommand_from test" -l home -d 'Data home: the database and exports live here' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand notify; and __fish_seen_subcommand_from test" -l config -d 'Config file (TOML). Missing at the default location = built-in defaults' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand notify; and __fish_seen_subcommand_from test" -l as-of -d 'Run as if the time were this instant (RFC 3339), for reproducible runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand notify; and __fish_seen_subcommand_from test" -l ping -d 'Dead-man\'s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. A ping takes 5 s at most and never fails the job' -r
complete -c optctl -n "__fish_optctl_using_subcommand notify; and __fish_seen_subcommand_from test" -l log-format -d 'Log lines on stderr: text, or json (one object per line, with the events scan_started, scan_finished, ticker_failed, export_written; info level unless -q or -vv). Over [log] format in the config' -r -f -a "text\t''
json\t''"
complete -c optctl -n "__fish_optctl_using_subcommand notify; and __fish_seen_subcommand_from test" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c optctl -n "__fish_optctl_using_subcommand notify; and __fish_seen_subcommand_from test" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
complete -c optctl -n "__fish_optctl_using_subcommand notify; and __fish_seen_subcommand_from test" -s q -l quiet -d 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
complete -c optctl -n "__fish_optctl_using_subcommand notify; and __fish_seen_subcommand_from test" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c optctl -n "__fish_optctl_using_subcommand notify; and __fish_seen_subcommand_from status" -l home -d 'Data home: the database and exports live here' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand notify; and __fish_seen_subcommand_from status" -l config -d 'Config file (TOML). Missing at the default location = built-in defaults' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand notify; and __fish_seen_subcommand_from status" -l as-of -d 'Run as if the time were this instant (RFC 3339), for reproducible runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand notify; and __fish_seen_subcommand_from status" -l ping -d 'Dead-man\'s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. A ping takes 5 s at most and never fails the job' -r
complete -c optctl -n "__fish_optctl_using_subcommand notify; and __fish_seen_subcommand_from status" -l log-format -d 'Log lines on stderr: text, or json (one object per line, with the events scan_started, scan_finished, ticker_failed, export_written; info level unless -q or -vv). Over [log] format in the config' -r -f -a "text\t''
json\t''"
complete -c optctl -n "__fish_optctl_using_subcommand notify; and __fish_seen_subcommand_from status" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c optctl -n "__fish_optctl_using_subcommand notify; and __fish_seen_subcommand_from status" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
complete -c optctl -n "__fish_optctl_using_subcommand notify; and __fish_seen_subcommand_from status" -s q -l quiet -d 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
complete -c optctl -n "__fish_optctl_using_subcommand notify; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help'
complete -c optctl -n "__fish_optctl_using_subcommand notify; and __fish_seen_subcommand_from retry" -l channel -d 'Only this channel' -r
complete -c optctl -n "__fish_optctl_using_subcommand notify; and __fish_seen_subcommand_from retry" -l home -d 'Data home: the database and exports live here' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand notify; and __fish_seen_subcommand_from retry" -l config -d 'Config file (TOML). Missing at the default location = built-in defaults' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand notify; and __fish_seen_subcommand_from retry" -l as-of -d 'Run as if the time were this instant (RFC 3339), for reproducible runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand notify; and __fish_seen_subcommand_from retry" -l ping -d 'Dead-man\'s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. A ping takes 5 s at most and never fails the job' -r
complete -c optctl -n "__fish_optctl_using_subcommand notify; and __fish_seen_subcommand_from retry" -l log-format -d 'Log lines on stderr: text, or json (one object per line, with the events scan_started, scan_finished, ticker_failed, export_written; info level unless -q or -vv). Over [log] format in the config' -r -f -a "text\t''
json\t''"
complete -c optctl -n "__fish_optctl_using_subcommand notify; and __fish_seen_subcommand_from retry" -l failed -d 'Also queue failed messages again'
complete -c optctl -n "__fish_optctl_using_subcommand notify; and __fish_seen_subcommand_from retry" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c optctl -n "__fish_optctl_using_subcommand notify; and __fish_seen_subcommand_from retry" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
complete -c optctl -n "__fish_optctl_using_subcommand notify; and __fish_seen_subcommand_from retry" -s q -l quiet -d 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
complete -c optctl -n "__fish_optctl_using_subcommand notify; and __fish_seen_subcommand_from retry" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c optctl -n "__fish_optctl_using_subcommand notify; and __fish_seen_subcommand_from help" -f -a "test" -d 'Send a test message to one channel, now'
complete -c optctl -n "__fish_optctl_using_subcommand notify; and __fish_seen_subcommand_from help" -f -a "status" -d 'Show queued, sent and failed messages per channel, and each one\'s last error'
complete -c optctl -n "__fish_optctl_using_subcommand notify; and __fish_seen_subcommand_from help" -f -a "retry" -d 'Send queued messages now instead of after their backoff; --failed retries failed ones'
complete -c optctl -n "__fish_optctl_using_subcommand notify; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c optctl -n "__fish_optctl_using_subcommand process-excel; and not __fish_seen_subcommand_from status history help" -l historical -d 'Historical workbook (default: [excel] historical, else <home>/excel/Historical.xlsx)' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand process-excel; and not __fish_seen_subcommand_from status history help" -l live -d 'Live workbook (default: [excel] live, else <home>/excel/Live.xlsx)' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand process-excel; and not __fish_seen_subcommand_from status history help" -l sheet -d 'Sheet to read in both workbooks (default: the first sheet of each)' -r
complete -c optctl -n "__fish_optctl_using_subcommand process-excel; and not __fish_seen_subcommand_from status history help" -l historical-sheet -d 'Sheet of the historical workbook (overrides --sheet)' -r
complete -c optctl -n "__fish_optctl_using_subcommand process-excel; and not __fish_seen_subcommand_from status history help" -l live-sheet -d 'Sheet of the live workbook (overrides --sheet)' -r
complete -c optctl -n "__fish_optctl_using_subcommand process-excel; and not __fish_seen_subcommand_from status history help" -l interval -d 'Seconds between runs with --watch' -r
complete -c optctl -n "__fish_optctl_using_subcommand process-excel; and not __fish_seen_subcommand_from status history help" -l home -d 'Data home: the database and exports live here' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand process-excel; and not __fish_seen_subcommand_from status history help" -l config -d 'Config file (TOML). Missing at the default location = built-in defaults' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand process-excel; and not __fish_seen_subcommand_from status history help" -l as-of -d 'Run as if the time were this instant (RFC 3339), for reproducible runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand process-excel; and not __fish_seen_subcommand_from status history help" -l ping -d 'Dead-man\'s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. A ping takes 5 s at most and never fails the job' -r
complete -c optctl -n "__fish_optctl_using_subcommand process-excel; and not __fish_seen_subcommand_from status history help" -l log-format -d 'Log lines on stderr: text, or json (one object per line, with the events scan_started, scan_finished, ticker_failed, export_written; info level unless -q or -vv). Over [log] format in the config' -r -f -a "text\t''
json\t''"
complete -c optctl -n "__fish_optctl_using_subcommand process-excel; and not __fish_seen_subcommand_from status history help" -l market-hours-only -d 'Do nothing (exit 0, reason on stderr) outside the trading session'
complete -c optctl -n "__fish_optctl_using_subcommand process-excel; and not __fish_seen_subcommand_from status history help" -l force -d 'Process even when neither workbook changed since the last run'
complete -c optctl -n "__fish_optctl_using_subcommand process-excel; and not __fish_seen_subcommand_from status history help" -l watch -d 'Keep running every --interval seconds until Ctrl-C'
complete -c optctl -n "__fish_optctl_using_subcommand process-excel; and not __fish_seen_subcommand_from status history help" -l strict -d 'Exit 3 when some rows were skipped and the rest were stored [default: [excel] strict]'
complete -c optctl -n "__fish_optctl_using_subcommand process-excel; and not __fish_seen_subcommand_from status history help" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c optctl -n "__fish_optctl_using_subcommand process-excel; and not __fish_seen_subcommand_from status history help" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
complete -c optctl -n "__fish_optctl_using_subcommand process-excel; and not __fish_seen_subcommand_from status history help" -s q -l quiet -d 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
complete -c optctl -n "__fish_optctl_using_subcommand process-excel; and not __fish_seen_subcommand_from status history help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c optctl -n "__fish_optctl_using_subcommand process-excel; and not __fish_seen_subcommand_from status history help" -f -a "status" -d 'Show whether the market is open, the last run and the last error'
complete -c optctl -n "__fish_optctl_using_subcommand process-excel; and not __fish_seen_subcommand_from status history help" -f -a "history" -d 'List recent process-excel runs, newest first'
complete -c optctl -n "__fish_optctl_using_subcommand process-excel; and not __fish_seen_subcommand_from status history help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c optctl -n "__fish_optctl_using_subcommand process-excel; and __fish_seen_subcommand_from status" -l home -d 'Data home: the database and exports live here' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand process-excel; and __fish_seen_subcommand_from status" -l config -d 'Config file (TOML). Missing at the default location = built-in defaults' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand process-excel; and __fish_seen_subcommand_from status" -l as-of -d 'Run as if the time were this instant (RFC 3339), for reproducible runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand process-excel; and __fish_seen_subcommand_from status" -l ping -d 'Dead-man\'s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. A ping takes 5 s at most and never fails the job' -r
complete -c optctl -n "__fish_optctl_using_subcommand process-excel; and __fish_seen_subcommand_from status" -l log-format -d 'Log lines on stderr: text, or json (one object per line, with the events scan_started, scan_finished, ticker_failed, export_written; info level unless -q or -vv). Over [log] format in the config' -r -f -a "text\t''
json\t''"
complete -c optctl -n "__fish_optctl_using_subcommand process-excel; and __fish_seen_subcommand_from status" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c optctl -n "__fish_optctl_using_subcommand process-excel; and __fish_seen_subcommand_from status" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
complete -c optctl -n "__fish_optctl_using_subcommand process-excel; and __fish_seen_subcommand_from status" -s q -l quiet -d 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
complete -c optctl -n "__fish_optctl_using_subcommand process-excel; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help'
complete -c optctl -n "__fish_optctl_using_subcommand process-excel; and __fish_seen_subcommand_from history" -l limit -d 'At most this many runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand process-excel; and __fish_seen_subcommand_from history" -l home -d 'Data home: the database and exports live here' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand process-excel; and __fish_seen_subcommand_from history" -l config -d 'Config file (TOML). Missing at the default location = built-in defaults' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand process-excel; and __fish_seen_subcommand_from history" -l as-of -d 'Run as if the time were this instant (RFC 3339), for reproducible runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand process-excel; and __fish_seen_subcommand_from history" -l ping -d 'Dead-man\'s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. A ping takes 5 s at most and never fails the job' -r
complete -c optctl -n "__fish_optctl_using_subcommand process-excel; and __fish_seen_subcommand_from history" -l log-format -d 'Log lines on stderr: text, or json (one object per line, with the events scan_started, scan_finished, ticker_failed, export_written; info level unless -q or -vv). Over [log] format in the config' -r -f -a "text\t''
json\t''"
complete -c optctl -n "__fish_optctl_using_subcommand process-excel; and __fish_seen_subcommand_from history" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c optctl -n "__fish_optctl_using_subcommand process-excel; and __fish_seen_subcommand_from history" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
complete -c optctl -n "__fish_optctl_using_subcommand process-excel; and __fish_seen_subcommand_from history" -s q -l quiet -d 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
complete -c optctl -n "__fish_optctl_using_subcommand process-excel; and __fish_seen_subcommand_from history" -s h -l help -d 'Print help'
complete -c optctl -n "__fish_optctl_using_subcommand process-excel; and __fish_seen_subcommand_from help" -f -a "status" -d 'Show whether the market is open, the last run and the last error'
complete -c optctl -n "__fish_optctl_using_subcommand process-excel; and __fish_seen_subcommand_from help" -f -a "history" -d 'List recent process-excel runs, newest first'
complete -c optctl -n "__fish_optctl_using_subcommand process-excel; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c optctl -n "__fish_optctl_using_subcommand quant; and not __fish_seen_subcommand_from iv help" -l home -d 'Data home: the database and exports live here' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand quant; and not __fish_seen_subcommand_from iv help" -l config -d 'Config file (TOML). Missing at the default location = built-in defaults' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand quant; and not __fish_seen_subcommand_from iv help" -l as-of -d 'Run as if the time were this instant (RFC 3339), for reproducible runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand quant; and not __fish_seen_subcommand_from iv help" -l ping -d 'Dead-man\'s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. A ping takes 5 s at most and never fails the job' -r
complete -c optctl -n "__fish_optctl_using_subcommand quant; and not __fish_seen_subcommand_from iv help" -l log-format -d 'Log lines on stderr: text, or json (one object per line, with the events scan_started, scan_finished, ticker_failed, export_written; info level unless -q or -vv). Over [log] format in the config' -r -f -a "text\t''
json\t''"
complete -c optctl -n "__fish_optctl_using_subcommand quant; and not __fish_seen_subcommand_from iv help" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c optctl -n "__fish_optctl_using_subcommand quant; and not __fish_seen_subcommand_from iv help" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
complete -c optctl -n "__fish_optctl_using_subcommand quant; and not __fish_seen_subcommand_from iv help" -s q -l quiet -d 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
complete -c optctl -n "__fish_optctl_using_subcommand quant; and not __fish_seen_subcommand_from iv help" -s h -l help -d 'Print help'
complete -c optctl -n "__fish_optctl_using_subcommand quant; and not __fish_seen_subcommand_from iv help" -f -a "iv" -d 'Implied volatility and greeks of one option, or of every row of a CSV'
complete -c optctl -n "__fish_optctl_using_subcommand quant; and not __fish_seen_subcommand_from iv help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c optctl -n "__fish_optctl_using_subcommand quant; and __fish_seen_subcommand_from iv" -l right -d 'call or put (c/p accepted)' -r
complete -c optctl -n "__fish_optctl_using_subcommand quant; and __fish_seen_subcommand_from iv" -l spot -d 'Underlying price' -r
complete -c optctl -n "__fish_optctl_using_subcommand quant; and __fish_seen_subcommand_from iv" -l strike -r
complete -c optctl -n "__fish_optctl_using_subcommand quant; and __fish_seen_subcommand_from iv" -l expiry -d 'Time to expiry in years (0.25 = three months)' -r
complete -c optctl -n "__fish_optctl_using_subcommand quant; and __fish_seen_subcommand_from iv" -l rate -d 'Risk-free rate, continuously compounded (0.05 = 5%)' -r
complete -c optctl -n "__fish_optctl_using_subcommand quant; and __fish_seen_subcommand_from iv" -l div -d 'Dividend yield, continuous (0.01 = 1%)' -r
complete -c optctl -n "__fish_optctl_using_subcommand quant; and __fish_seen_subcommand_from iv" -l price -d 'Option price (the mid)' -r
complete -c optctl -n "__fish_optctl_using_subcommand quant; and __fish_seen_subcommand_from iv" -l input -d 'CSV file to read instead of stdin' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand quant; and __fish_seen_subcommand_from iv" -l home -d 'Data home: the database and exports live here' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand quant; and __fish_seen_subcommand_from iv" -l config -d 'Config file (TOML). Missing at the default location = built-in defaults' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand quant; and __fish_seen_subcommand_from iv" -l as-of -d 'Run as if the time were this instant (RFC 3339), for reproducible runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand quant; and __fish_seen_subcommand_from iv" -l ping -d 'Dead-man\'s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. A ping takes 5 s at most and never fails the job' -r
complete -c optctl -n "__fish_optctl_using_subcommand quant; and __fish_seen_subcommand_from iv" -l log-format -d 'Log lines on stderr: text, or json (one object per line, with the events scan_started, scan_finished, ticker_failed, export_written; info level unless -q or -vv). Over [log] format in the config' -r -f -a "text\t''
json\t''"
complete -c optctl -n "__fish_optctl_using_subcommand quant; and __fish_seen_subcommand_from iv" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c optctl -n "__fish_optctl_using_subcommand quant; and __fish_seen_subcommand_from iv" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
complete -c optctl -n "__fish_optctl_using_subcommand quant; and __fish_seen_subcommand_from iv" -s q -l quiet -d 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
complete -c optctl -n "__fish_optctl_using_subcommand quant; and __fish_seen_subcommand_from iv" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c optctl -n "__fish_optctl_using_subcommand quant; and __fish_seen_subcommand_from help" -f -a "iv" -d 'Implied volatility and greeks of one option, or of every row of a CSV'
complete -c optctl -n "__fish_optctl_using_subcommand quant; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c optctl -n "__fish_optctl_using_subcommand scan" -l tickers -d 'Tickers to scan, comma separated (default: the config watchlist)' -r
complete -c optctl -n "__fish_optctl_using_subcommand scan" -l watchlist -d 'File of tickers (one per line or comma separated; # starts a comment)' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand scan" -l provider -d 'Chain provider (default: [provider] name)' -r -f -a "sim\t'The embedded, deterministic simulated market (no network)'
files\t'Replay of saved snapshots or raw responses from a folder'
cboe\t'CBOE delayed quotes (chains)'
yahoo\t'Yahoo Finance (chains and bars)'
polygon\t'Polygon.io (chains and bars; needs a key)'
tradier\t'Tradier (chains and bars; needs a token)'
nse\t'NSE India option chains'"
complete -c optctl -n "__fish_optctl_using_subcommand scan" -l files-dir -d 'Folder of snapshots for the files provider (overrides [provider.files] dir)' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand scan" -l concurrency -d 'Chains fetched at once (default: [scan] concurrency)' -r
complete -c optctl -n "__fish_optctl_using_subcommand scan" -l save-snapshots -d 'Also save every fetched chain as JSON under DIR/<TICKER>/ for `--provider files`' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand scan" -l home -d 'Data home: the database and exports live here' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand scan" -l config -d 'Config file (TOML). Missing at the default location = built-in defaults' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand scan" -l as-of -d 'Run as if the time were this instant (RFC 3339), for reproducible runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand scan" -l ping -d 'Dead-man\'s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. A ping takes 5 s at most and never fails the job' -r
complete -c optctl -n "__fish_optctl_using_subcommand scan" -l log-format -d 'Log lines on stderr: text, or json (one object per line, with the events scan_started, scan_finished, ticker_failed, export_written; info level unless -q or -vv). Over [log] format in the config' -r -f -a "text\t''
json\t''"
complete -c optctl -n "__fish_optctl_using_subcommand scan" -l no-notify -d 'Queue the alerts\' notifications but do not send them (`optctl notify` will)'
complete -c optctl -n "__fish_optctl_using_subcommand scan" -l strict -d 'Exit 3 when some tickers failed and the rest were stored [default: [scan] strict]'
complete -c optctl -n "__fish_optctl_using_subcommand scan" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c optctl -n "__fish_optctl_using_subcommand scan" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
complete -c optctl -n "__fish_optctl_using_subcommand scan" -s q -l quiet -d 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
complete -c optctl -n "__fish_optctl_using_subcommand scan" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c optctl -n "__fish_optctl_using_subcommand scans" -l status -d 'Only scans with this status' -r -f -a "running\t''
succeeded\t''
partial\t''
failed\t''
interrupted\t''"
complete -c optctl -n "__fish_optctl_using_subcommand scans" -l since -d 'Only scans taken since this span ago (24h, 7d) or instant (RFC 3339)' -r
complete -c optctl -n "__fish_optctl_using_subcommand scans" -l limit -d 'At most this many scans' -r
complete -c optctl -n "__fish_optctl_using_subcommand scans" -l home -d 'Data home: the database and exports live here' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand scans" -l config -d 'Config file (TOML). Missing at the default location = built-in defaults' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand scans" -l as-of -d 'Run as if the time were this instant (RFC 3339), for reproducible runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand scans" -l ping -d 'Dead-man\'s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. A ping takes 5 s at most and never fails the job' -r
complete -c optctl -n "__fish_optctl_using_subcommand scans" -l log-format -d 'Log lines on stderr: text, or json (one object per line, with the events scan_started, scan_finished, ticker_failed, export_written; info level unless -q or -vv). Over [log] format in the config' -r -f -a "text\t''
json\t''"
complete -c optctl -n "__fish_optctl_using_subcommand scans" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c optctl -n "__fish_optctl_using_subcommand scans" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
complete -c optctl -n "__fish_optctl_using_subcommand scans" -s q -l quiet -d 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
complete -c optctl -n "__fish_optctl_using_subcommand scans" -s h -l help -d 'Print help'
complete -c optctl -n "__fish_optctl_using_subcommand screen" -l sort -d 'Sort by this field, ascending; -FIELD (or --desc) for descending. Default: ticker' -r
complete -c optctl -n "__fish_optctl_using_subcommand screen" -l limit -d 'At most this many tickers (after sorting)' -r
complete -c optctl -n "__fish_optctl_using_subcommand screen" -l home -d 'Data home: the database and exports live here' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand screen" -l config -d 'Config file (TOML). Missing at the default location = built-in defaults' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand screen" -l as-of -d 'Run as if the time were this instant (RFC 3339), for reproducible runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand screen" -l ping -d 'Dead-man\'s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. A ping takes 5 s at most and never fails the job' -r
complete -c optctl -n "__fish_optctl_using_subcommand screen" -l log-format -d 'Log lines on stderr: text, or json (one object per line, with the events scan_started, scan_finished, ticker_failed, export_written; info level unless -q or -vv). Over [log] format in the config' -r -f -a "text\t''
json\t''"
complete -c optctl -n "__fish_optctl_using_subcommand screen" -l desc -d 'Sort descending'
complete -c optctl -n "__fish_optctl_using_subcommand screen" -l all -d 'Every ticker with stored features, not only the watchlist\'s'
complete -c optctl -n "__fish_optctl_using_subcommand screen" -l csv -d 'One CSV line per ticker with every field, instead of the table'
complete -c optctl -n "__fish_optctl_using_subcommand screen" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c optctl -n "__fish_optctl_using_subcommand screen" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
complete -c optctl -n "__fish_optctl_using_subcommand screen" -s q -l quiet -d 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
complete -c optctl -n "__fish_optctl_using_subcommand screen" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c optctl -n "__fish_optctl_using_subcommand serve" -l port -d 'Port to listen on; 0 picks a free one [config: serve.port, 8061]' -r
complete -c optctl -n "__fish_optctl_using_subcommand serve" -l bind -d 'Address to listen on [config: serve.bind, 127.0.0.1]' -r
complete -c optctl -n "__fish_optctl_using_subcommand serve" -l threads -d 'Requests answered at once; 0 = one per CPU core [config: serve.threads, 0]' -r
complete -c optctl -n "__fish_optctl_using_subcommand serve" -l token -d 'Require `Authorization: Bearer TOKEN` on every data request' -r
complete -c optctl -n "__fish_optctl_using_subcommand serve" -l cors-origin -d 'Send `Access-Control-Allow-Origin: ORIGIN` for a browser dashboard [config: serve.cors_origin]' -r
complete -c optctl -n "__fish_optctl_using_subcommand serve" -l refresh-secs -d 'Seconds between the dashboard page\'s refreshes [config: serve.refresh_secs, 15]' -r
complete -c optctl -n "__fish_optctl_using_subcommand serve" -l max-connections -d 'Connections open at once; one more gets a 503 and is closed [config: serve.max_connections, 256]' -r
complete -c optctl -n "__fish_optctl_using_subcommand serve" -l home -d 'Data home: the database and exports live here' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand serve" -l config -d 'Config file (TOML). Missing at the default location = built-in defaults' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand serve" -l as-of -d 'Run as if the time were this instant (RFC 3339), for reproducible runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand serve" -l ping -d 'Dead-man\'s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. A ping takes 5 s at most and never fails the job' -r
complete -c optctl -n "__fish_optctl_using_subcommand serve" -l log-format -d 'Log lines on stderr: text, or json (one object per line, with the events scan_started, scan_finished, ticker_failed, export_written; info level unless -q or -vv). Over [log] format in the config' -r -f -a "text\t''
json\t''"
complete -c optctl -n "__fish_optctl_using_subcommand serve" -l allow-no-token -d 'Serve a non-loopback address without a token (only on a trusted network)'
complete -c optctl -n "__fish_optctl_using_subcommand serve" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c optctl -n "__fish_optctl_using_subcommand serve" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
complete -c optctl -n "__fish_optctl_using_subcommand serve" -s q -l quiet -d 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
complete -c optctl -n "__fish_optctl_using_subcommand serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c optctl -n "__fish_optctl_using_subcommand show" -l alerts -d 'At most this many recent alerts' -r
complete -c optctl -n "__fish_optctl_using_subcommand show" -l home -d 'Data home: the database and exports live here' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand show" -l config -d 'Config file (TOML). Missing at the default location = built-in defaults' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand show" -l as-of -d 'Run as if the time were this instant (RFC 3339), for reproducible runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand show" -l ping -d 'Dead-man\'s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. A ping takes 5 s at most and never fails the job' -r
complete -c optctl -n "__fish_optctl_using_subcommand show" -l log-format -d 'Log lines on stderr: text, or json (one object per line, with the events scan_started, scan_finished, ticker_failed, export_written; info level unless -q or -vv). Over [log] format in the config' -r -f -a "text\t''
json\t''"
complete -c optctl -n "__fish_optctl_using_subcommand show" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c optctl -n "__fish_optctl_using_subcommand show" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
complete -c optctl -n "__fish_optctl_using_subcommand show" -s q -l quiet -d 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
complete -c optctl -n "__fish_optctl_using_subcommand show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c optctl -n "__fish_optctl_using_subcommand store; and not __fish_seen_subcommand_from stats prune help" -l home -d 'Data home: the database and exports live here' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand store; and not __fish_seen_subcommand_from stats prune help" -l config -d 'Config file (TOML). Missing at the default location = built-in defaults' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand store; and not __fish_seen_subcommand_from stats prune help" -l as-of -d 'Run as if the time were this instant (RFC 3339), for reproducible runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand store; and not __fish_seen_subcommand_from stats prune help" -l ping -d 'Dead-man\'s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. A ping takes 5 s at most and never fails the job' -r
complete -c optctl -n "__fish_optctl_using_subcommand store; and not __fish_seen_subcommand_from stats prune help" -l log-format -d 'Log lines on stderr: text, or json (one object per line, with the events scan_started, scan_finished, ticker_failed, export_written; info level unless -q or -vv). Over [log] format in the config' -r -f -a "text\t''
json\t''"
complete -c optctl -n "__fish_optctl_using_subcommand store; and not __fish_seen_subcommand_from stats prune help" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c optctl -n "__fish_optctl_using_subcommand store; and not __fish_seen_subcommand_from stats prune help" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
complete -c optctl -n "__fish_optctl_using_subcommand store; and not __fish_seen_subcommand_from stats prune help" -s q -l quiet -d 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
complete -c optctl -n "__fish_optctl_using_subcommand store; and not __fish_seen_subcommand_from stats prune help" -s h -l help -d 'Print help'
complete -c optctl -n "__fish_optctl_using_subcommand store; and not __fish_seen_subcommand_from stats prune help" -f -a "stats" -d 'Rows, bytes and the oldest row\'s time per table'
complete -c optctl -n "__fish_optctl_using_subcommand store; and not __fish_seen_subcommand_from stats prune help" -f -a "prune" -d 'Delete what every table family\'s retention setting allows, now (each job also does this for its own tables at the end of its run)'
complete -c optctl -n "__fish_optctl_using_subcommand store; and not __fish_seen_subcommand_from stats prune help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c optctl -n "__fish_optctl_using_subcommand store; and __fish_seen_subcommand_from stats" -l home -d 'Data home: the database and exports live here' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand store; and __fish_seen_subcommand_from stats" -l config -d 'Config file (TOML). Missing at the default location = built-in defaults' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand store; and __fish_seen_subcommand_from stats" -l as-of -d 'Run as if the time were this instant (RFC 3339), for reproducible runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand store; and __fish_seen_subcommand_from stats" -l ping -d 'Dead-man\'s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. A ping takes 5 s at most and never fails the job' -r
complete -c optctl -n "__fish_optctl_using_subcommand store; and __fish_seen_subcommand_from stats" -l log-format -d 'Log lines on stderr: text, or json (one object per line, with the events scan_started, scan_finished, ticker_failed, export_written; info level unless -q or -vv). Over [log] format in the config' -r -f -a "text\t''
json\t''"
complete -c optctl -n "__fish_optctl_using_subcommand store; and __fish_seen_subcommand_from stats" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c optctl -n "__fish_optctl_using_subcommand store; and __fish_seen_subcommand_from stats" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
complete -c optctl -n "__fish_optctl_using_subcommand store; and __fish_seen_subcommand_from stats" -s q -l quiet -d 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
complete -c optctl -n "__fish_optctl_using_subcommand store; and __fish_seen_subcommand_from stats" -s h -l help -d 'Print help'
complete -c optctl -n "__fish_optctl_using_subcommand store; and __fish_seen_subcommand_from prune" -l home -d 'Data home: the database and exports live here' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand store; and __fish_seen_subcommand_from prune" -l config -d 'Config file (TOML). Missing at the default location = built-in defaults' -r -F
complete -c optctl -n "__fish_optctl_using_subcommand store; and __fish_seen_subcommand_from prune" -l as-of -d 'Run as if the time were this instant (RFC 3339), for reproducible runs' -r
complete -c optctl -n "__fish_optctl_using_subcommand store; and __fish_seen_subcommand_from prune" -l ping -d 'Dead-man\'s-switch ping URL for this run of a job (over [monitor] in the config): URL/start when it begins, URL on success, URL/fail (with the error) on failure, URL/<exit code> on exit 3 or 75. A ping takes 5 s at most and never fails the job' -r
complete -c optctl -n "__fish_optctl_using_subcommand store; and __fish_seen_subcommand_from prune" -l log-format -d 'Log lines on stderr: text, or json (one object per line, with the events scan_started, scan_finished, ticker_failed, export_written; info level unless -q or -vv). Over [log] format in the config' -r -f -a "text\t''
json\t''"
complete -c optctl -n "__fish_optctl_using_subcommand store; and __fish_seen_subcommand_from prune" -l json -d 'Print one JSON document on stdout instead of tables'
complete -c optctl -n "__fish_optctl_using_subcommand store; and __fish_seen_subcommand_from prune" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug). RUST_LOG overrides'
complete -c optctl -n "__fish_optctl_using_subcommand store; and __fish_seen_subcommand_from prune" -s q -l quiet -d 'Quiet, for cron: a job (scan, export, enrich run, process-excel, notify, migrate-scheduler run) prints nothing on success; errors and what failed still go to stderr. --json still prints its document; commands that show something (scans, status, crontab) still show it'
complete -c optctl -n "__fish_optctl_using_subcommand store; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help'
complete -c optctl -n "__fish_optctl_using_subcommand store; and __fish_seen_subcommand_from help" -f -a "stats" -d 'Rows, bytes and the oldest row\'s time per table'
complete -c optctl -n "__fish_optctl_using_subcommand store; and __fish_seen_subcommand_from help" -f -a "prune" -d 'Delete what every table family\'s retention setting allows, now (each job also does this for its own tables at the end of its run)'
complete -c optctl -n "__fish_optctl_using_subcommand store; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c optctl -n "__fish_optctl_using_subcommand help; and not __fish_seen_subcommand_from alerts chain compare config doctor enrich export fetch generate market-hours migrate-scheduler notify process-excel quant scan scans screen serve show store help" -f -a "alerts" -d 'List stored alerts, newest first, highest score first within a scan'
complete -c optctl -n "__fish_optctl_using_subcommand help; and not __fish_seen_subcommand_from alerts chain compare config doctor enrich export fetch generate market-hours migrate-scheduler notify process-excel quant scan scans screen serve show store help" -f -a "chain" -d 'Show one expiry of a ticker\'s stored chain: calls on the left, puts on the right'
complete -c optctl -n "__fish_optctl_using_subcommand help; and not __fish_seen_subcommand_from alerts chain compare config doctor enrich export fetch generate market-hours migrate-scheduler notify process-excel quant scan scans screen serve show store help" -f -a "compare" -d 'Compare the legacy and the unified strategy scheduler on the same data'
complete -c optctl -n "__fish_optctl_using_subcommand help; and not __fish_seen_subcommand_from alerts chain compare config doctor enrich export fetch generate market-hours migrate-scheduler notify process-excel quant scan scans screen serve show store help" -f -a "config" -d 'Show or create the configuration file'
complete -c optctl -n "__fish_optctl_using_subcommand help; and not __fish_seen_subcommand_from alerts chain compare config doctor enrich export fetch generate market-hours migrate-scheduler notify process-excel quant scan scans screen serve show store help" -f -a "doctor" -d 'Check what unattended runs need: config, home, database, clock, providers, keys'
complete -c optctl -n "__fish_optctl_using_subcommand help; and not __fish_seen_subcommand_from alerts chain compare config doctor enrich export fetch generate market-hours migrate-scheduler notify process-excel quant scan scans screen serve show store help" -f -a "enrich" -d 'Fetch OHLCV bars, check them and compute indicators, nightly from cron'
complete -c optctl -n "__fish_optctl_using_subcommand help; and not __fish_seen_subcommand_from alerts chain compare config doctor enrich export fetch generate market-hours migrate-scheduler notify process-excel quant scan scans screen serve show store help" -f -a "export" -d 'Write alerts, chains, scans and features as JSON files, atomically'
complete -c optctl -n "__fish_optctl_using_subcommand help; and not __fish_seen_subcommand_from alerts chain compare config doctor enrich export fetch generate market-hours migrate-scheduler notify process-excel quant scan scans screen serve show store help" -f -a "fetch" -d 'Fetch one chain (or a range of bars) from a provider and save the raw responses'
complete -c optctl -n "__fish_optctl_using_subcommand help; and not __fish_seen_subcommand_from alerts chain compare config doctor enrich export fetch generate market-hours migrate-scheduler notify process-excel quant scan scans screen serve show store help" -f -a "generate" -d 'Generate completions and man pages'
complete -c optctl -n "__fish_optctl_using_subcommand help; and not __fish_seen_subcommand_from alerts chain compare config doctor enrich export fetch generate market-hours migrate-scheduler notify process-excel quant scan scans screen serve show store help" -f -a "market-hours" -d 'Show whether the market is open and when it next opens'
complete -c optctl -n "__fish_optctl_using_subcommand help; and not __fish_seen_subcommand_from alerts chain compare config doctor enrich export fetch generate market-hours migrate-scheduler notify process-excel quant scan scans screen serve show store help" -f -a "migrate-scheduler" -d 'Move the strategy categories from the legacy to the unified scheduler'
complete -c optctl -n "__fish_optctl_using_subcommand help; and not __fish_seen_subcommand_from alerts chain compare config doctor enrich export fetch generate market-hours migrate-scheduler notify process-excel quant scan scans screen serve show store help" -f -a "notify" -d 'Send queued alert and signal notifications to the configured channels'
complete -c optctl -n "__fish_optctl_using_subcommand help; and not __fish_seen_subcommand_from alerts chain compare config doctor enrich export fetch generate market-hours migrate-scheduler notify process-excel quant scan scans screen serve show store help" -f -a "process-excel" -d 'Read the broker workbooks and store each stock\'s OI buildup'
complete -c optctl -n "__fish_optctl_using_subcommand help; and not __fish_seen_subcommand_from alerts chain compare config doctor enrich export fetch generate market-hours migrate-scheduler notify process-excel quant scan scans screen serve show store help" -f -a "quant" -d 'Option calculator: implied volatility and greeks'
complete -c optctl -n "__fish_optctl_using_subcommand help; and not __fish_seen_subcommand_from alerts chain compare config doctor enrich export fetch generate market-hours migrate-scheduler notify process-excel quant scan scans screen serve show store help" -f -a "scan" -d 'Scan option chains and store IV, greeks, features and scored alerts'
complete -c optctl -n "__fish_optctl_using_subcommand help; and not __fish_seen_subcommand_from alerts chain compare config doctor enrich export fetch generate market-hours migrate-scheduler notify process-excel quant scan scans screen serve show store help" -f -a "scans" -d 'List stored scans, newest first'
complete -c optctl -n "__fish_optctl_using_subcommand help; and not __fish_seen_subcommand_from alerts chain compare config doctor enrich export fetch generate market-hours migrate-scheduler notify process-excel quant scan scans screen serve show store help" -f -a "screen" -d 'Screen the watchlist\'s latest features: `optctl screen \'iv_rank > 0.9\' \'pcr_volume > 1.5\'`'
complete -c optctl -n "__fish_optctl_using_subcommand help; and not __fish_seen_subcommand_from alerts chain compare config doctor enrich export fetch generate market-hours migrate-scheduler notify process-excel quant scan scans screen serve show store help" -f -a "serve" -d 'Serve the exports over HTTP (read-only) until SIGINT or SIGTERM'
complete -c optctl -n "__fish_optctl_using_subcommand help; and not __fish_seen_subcommand_from alerts chain compare config doctor enrich export fetch generate market-hours migrate-scheduler notify process-excel quant scan scans screen serve show store help" -f -a "show" -d 'Show a ticker\'s features with their history, from the stored scans'
complete -c optctl -n "__fish_optctl_using_subcommand help; and not __fish_seen_subcommand_from alerts chain compare config doctor enrich export fetch generate market-hours migrate-scheduler notify process-excel quant scan scans screen serve show store help" -f -a "store" -d 'Look at the database: rows and bytes per table, or run every retention now'
complete -c optctl -n "__fish_optctl_using_subcommand help; and not __fish_seen_subcommand_from alerts chain compare config doctor enrich export fetch generate market-hours migrate-scheduler notify process-excel quant scan scans screen serve show store help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c optctl -n "__fish_optctl_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "show" -d 'Print the effective configuration (file merged over defaults) as TOML, or JSON with --json'
complete -c optctl -n "__fish_optctl_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "init" -d 'Write a commented configuration file with every default'
complete -c optctl -n "__fish_optctl_using_subcommand help; and __fish_seen_subcommand_from enrich" -f -a "run" -d 'Fetch new bars for every symbol, check and store them, compute indicators'
complete -c optctl -n "__fish_optctl_using_subcommand help; and __fish_seen_subcommand_from enrich" -f -a "status" -d 'Show whether a run is going, the last run and success, pause, the next cron run'
complete -c optctl -n "__fish_optctl_using_subcommand help; and __fish_seen_subcommand_from enrich" -f -a "history" -d 'List recent enrich runs, newest first'
complete -c optctl -n "__fish_optctl_using_subcommand help; and __fish_seen_subcommand_from enrich" -f -a "metrics" -d 'Show the last 24 hours: success rates, response time, API quota, data quality'
complete -c optctl -n "__fish_optctl_using_subcommand help; and __fish_seen_subcommand_from enrich" -f -a "health" -d 'Say whether enrichment is healthy, degraded or unhealthy, and why'
complete -c optctl -n "__fish_optctl_using_subcommand help; and __fish_seen_subcommand_from enrich" -f -a "job-status" -d 'Show a symbol\'s newest job: each timeframe\'s fetch, quality issues, stored bars and the latest indicators'
complete -c optctl -n "__fish_optctl_using_subcommand help; and __fish_seen_subcommand_from enrich" -f -a "pause" -d 'Pause enrichment: `enrich run` exits 0 and does nothing until `enrich resume`'
complete -c optctl -n "__fish_optctl_using_subcommand help; and __fish_seen_subcommand_from enrich" -f -a "resume" -d 'Resume enrichment after `enrich pause`'
complete -c optctl -n "__fish_optctl_using_subcommand help; and __fish_seen_subcommand_from enrich" -f -a "resilience" -d 'Show each provider\'s circuit breaker and rate limiter as stored'
complete -c optctl -n "__fish_optctl_using_subcommand help; and __fish_seen_subcommand_from generate" -f -a "completions" -d 'Write shell completions (bash, zsh, fish, elvish, powershell) into DIR'
complete -c optctl -n "__fish_optctl_using_subcommand help; and __fish_seen_subcommand_from generate" -f -a "man" -d 'Write man pages (optctl.1, optctl-scan.1, ...) into DIR'
complete -c optctl -n "__fish_optctl_using_subcommand help; and __fish_seen_subcommand_from generate" -f -a "all" -d 'Write both, into DIR/completions and DIR/man'
complete -c optctl -n "__fish_optctl_using_subcommand help; and __fish_seen_subcommand_from generate" -f -a "systemd" -d 'systemd units: serve, process-excel --watch, and timers for scan, export, enrich'
complete -c optctl -n "__fish_optctl_using_subcommand help; and __fish_seen_subcommand_from migrate-scheduler" -f -a "status" -d 'Show the phase, where each category runs, and the criteria of the next step'
complete -c optctl -n "__fish_optctl_using_subcommand help; and __fish_seen_subcommand_from migrate-scheduler" -f -a "advance" -d 'Take the next step of the migration, if the success criteria hold'
complete -c optctl -n "__fish_optctl_using_subcommand help; and __fish_seen_subcommand_from migrate-scheduler" -f -a "rollback" -d 'Roll the migration back: one step, one category, or all the way'
complete -c optctl -n "__fish_optctl_using_subcommand help; and __fish_seen_subcommand_from migrate-scheduler" -f -a "run" -d 'One scheduling tick in the current phase; cron calls this'
complete -c optctl -n "__fish_optctl_using_subcommand help; and __fish_seen_subcommand_from migrate-scheduler" -f -a "crontab" -d 'Print the crontab lines for the current phase'
complete -c optctl -n "__fish_optctl_using_subcommand help; and __fish_seen_subcommand_from migrate-scheduler" -f -a "log" -d 'Show the audit trail: every advance and rollback, oldest first'
complete -c optctl -n "__fish_optctl_using_subcommand help; and __fish_seen_subcommand_from notify" -f -a "test" -d 'Send a test message to one channel, now'
complete -c optctl -n "__fish_optctl_using_subcommand help; and __fish_seen_subcommand_from notify" -f -a "status" -d 'Show queued, sent and failed messages per channel, and each one\'s last error'
complete -c optctl -n "__fish_optctl_using_subcommand help; and __fish_seen_subcommand_from notify" -f -a "retry" -d 'Send queued messages now instead of after their backoff; --failed retries failed ones'
complete -c optctl -n "__fish_optctl_using_subcommand help; and __fish_seen_subcommand_from process-excel" -f -a "status" -d 'Show whether the market is open, the last run and the last error'
complete -c optctl -n "__fish_optctl_using_subcommand help; and __fish_seen_subcommand_from process-excel" -f -a "history" -d 'List recent process-excel runs, newest first'
complete -c optctl -n "__fish_optctl_using_subcommand help; and __fish_seen_subcommand_from quant" -f -a "iv" -d 'Implied volatility and greeks of one option, or of every row of a CSV'
complete -c optctl -n "__fish_optctl_using_subcommand help; and __fish_seen_subcommand_from store" -f -a "stats" -d 'Rows, bytes and the oldest row\'s time per table'
complete -c optctl -n "__fish_optctl_using_subcommand help; and __fish_seen_subcommand_from store" -f -a "prune" -d 'Delete what every table family\'s retention setting allows, now (each job also does this for its own tables at the end of its run)'
