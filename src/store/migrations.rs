//! The schema, as numbered migrations applied on open (`PRAGMA user_version`).
//!
//! Timestamps are stored as `YYYY-MM-DDTHH:MM:SSZ` text (see `store::ts`), so text order is
//! time order and `WHERE created_at >= ?` works on an index.

// Append only: never edit or reorder an entry. Entry i brings the database to user_version i + 1.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: scans, chain snapshots, features, daily IV history, alerts.
    r#"
CREATE TABLE scans (
    id                INTEGER PRIMARY KEY,
    started_at        TEXT    NOT NULL,
    as_of             TEXT    NOT NULL,
    finished_at       TEXT,
    status            TEXT    NOT NULL
                      CHECK (status IN ('running', 'succeeded', 'partial', 'failed', 'interrupted')),
    provider          TEXT    NOT NULL,
    pid               INTEGER NOT NULL,
    tickers_requested INTEGER NOT NULL,
    tickers_ok        INTEGER NOT NULL DEFAULT 0,
    tickers_failed    INTEGER NOT NULL DEFAULT 0,
    contracts         INTEGER NOT NULL DEFAULT 0,
    alerts            INTEGER NOT NULL DEFAULT 0,
    provider_calls    INTEGER NOT NULL DEFAULT 0,
    duration_ms       INTEGER,
    errors            TEXT    NOT NULL DEFAULT '[]'
);
CREATE INDEX scans_status ON scans (status);
CREATE INDEX scans_as_of ON scans (as_of);

CREATE TABLE chain_snapshots (
    scan_id          INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    ticker           TEXT    NOT NULL,
    symbol           TEXT    NOT NULL,
    expiry           TEXT    NOT NULL,
    strike           REAL    NOT NULL,
    right            TEXT    NOT NULL CHECK (right IN ('call', 'put')),
    bid              REAL    NOT NULL,
    ask              REAL    NOT NULL,
    last             REAL    NOT NULL,
    volume           INTEGER NOT NULL,
    open_interest    INTEGER NOT NULL,
    iv               REAL,
    delta            REAL,
    gamma            REAL,
    theta            REAL,
    vega             REAL,
    underlying_price REAL    NOT NULL,
    PRIMARY KEY (scan_id, ticker, symbol)
) WITHOUT ROWID;

CREATE TABLE features (
    scan_id       INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    ticker        TEXT    NOT NULL,
    as_of         TEXT    NOT NULL,
    spot          REAL    NOT NULL,
    atm_iv_front  REAL,
    atm_iv_30d    REAL,
    term_slope    REAL,
    rr25          REAL,
    call_volume   INTEGER NOT NULL,
    put_volume    INTEGER NOT NULL,
    call_oi       INTEGER NOT NULL,
    put_oi        INTEGER NOT NULL,
    pcr_volume    REAL,
    pcr_oi        REAL,
    max_pain      REAL,
    expected_move REAL,
    iv_rank       REAL,
    iv_percentile REAL,
    iv_history_n  INTEGER NOT NULL,
    contracts     INTEGER NOT NULL,
    PRIMARY KEY (scan_id, ticker)
);
CREATE INDEX features_ticker ON features (ticker, as_of);

CREATE TABLE iv_history (
    ticker     TEXT NOT NULL,
    day        TEXT NOT NULL,
    atm_iv_30d REAL NOT NULL,
    PRIMARY KEY (ticker, day)
) WITHOUT ROWID;

CREATE TABLE alerts (
    id         INTEGER PRIMARY KEY,
    scan_id    INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    ticker     TEXT    NOT NULL,
    detector   TEXT    NOT NULL,
    contract   TEXT,
    score      REAL    NOT NULL,
    alert_data TEXT    NOT NULL,
    created_at TEXT    NOT NULL
);
CREATE INDEX alerts_created ON alerts (created_at);
CREATE INDEX alerts_cooldown ON alerts (ticker, detector, created_at);
"#,
    // 2: process-excel: latest state per stock, tick history, one metadata row per run,
    // and the per-stock summary of the historical workbook.
    r#"
CREATE TABLE processing_metadata (
    id                 INTEGER PRIMARY KEY,
    run_at             TEXT    NOT NULL,
    status             TEXT    NOT NULL
                       CHECK (status IN ('processed', 'partial', 'unchanged', 'failed')),
    historical_path    TEXT,
    historical_size    INTEGER,
    historical_mtime_ns INTEGER,
    historical_hash    TEXT,
    live_path          TEXT,
    live_size          INTEGER,
    live_mtime_ns      INTEGER,
    live_hash          TEXT,
    settings_key       TEXT    NOT NULL DEFAULT '',
    historical_rows    INTEGER NOT NULL DEFAULT 0,
    live_rows          INTEGER NOT NULL DEFAULT 0,
    stocks             INTEGER NOT NULL DEFAULT 0,
    updated            INTEGER NOT NULL DEFAULT 0,
    skipped            INTEGER NOT NULL DEFAULT 0,
    skipped_rows       TEXT    NOT NULL DEFAULT '[]',
    error              TEXT,
    duration_ms        REAL    NOT NULL
);
CREATE INDEX processing_metadata_run_at ON processing_metadata (run_at);
CREATE INDEX processing_metadata_status ON processing_metadata (status, id);

CREATE TABLE excel_stocks (
    symbol         TEXT    PRIMARY KEY,
    ltp            REAL    NOT NULL,
    open           REAL,
    high           REAL,
    low            REAL,
    prev_close     REAL,
    volume         INTEGER,
    oi             INTEGER NOT NULL,
    prev_oi        INTEGER,
    avg_volume     REAL,
    bid            REAL,
    ask            REAL,
    last_update    TEXT,
    change         REAL,
    change_pct     REAL,
    oi_change      INTEGER,
    oi_change_pct  REAL,
    volume_ratio   REAL,
    range_position REAL,
    buildup        TEXT CHECK (buildup IN
                   ('long_buildup', 'short_buildup', 'short_covering', 'long_unwinding', 'neutral')),
    updated_at     TEXT    NOT NULL,
    run_id         INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX excel_stocks_buildup ON excel_stocks (buildup);

CREATE TABLE excel_ticks (
    run_id        INTEGER NOT NULL REFERENCES processing_metadata (id) ON DELETE CASCADE,
    symbol        TEXT    NOT NULL,
    at            TEXT    NOT NULL,
    ltp           REAL    NOT NULL,
    volume        INTEGER,
    oi            INTEGER NOT NULL,
    change_pct    REAL,
    oi_change_pct REAL,
    buildup       TEXT,
    PRIMARY KEY (run_id, symbol)
) WITHOUT ROWID;
CREATE INDEX excel_ticks_symbol ON excel_ticks (symbol, at);

-- What the historical workbook says per stock, kept while that workbook is unchanged so
-- a run where only Live.xlsx changed does not parse the (much larger) history again.
CREATE TABLE excel_history_cache (
    symbol     TEXT    PRIMARY KEY,
    key        TEXT    NOT NULL,
    prev_close REAL,
    prev_oi    INTEGER,
    avg_volume REAL
) WITHOUT ROWID;
"#,
    // 3: resilience state that must outlive a process: circuit breakers (state and the
    // call outcomes of their sliding window) and token-bucket rate limiters. Times here are
    // Unix milliseconds, not text: a limiter refills by the millisecond and a breaker's
    // recovery timeout is compared by arithmetic, never by text order.
    r#"
CREATE TABLE breakers (
    name            TEXT    PRIMARY KEY,
    state           TEXT    NOT NULL CHECK (state IN ('closed', 'open', 'half_open')),
    changed_at_ms   INTEGER NOT NULL,
    open_until_ms   INTEGER,
    trials_admitted INTEGER NOT NULL DEFAULT 0,
    trial_successes INTEGER NOT NULL DEFAULT 0,
    times_opened    INTEGER NOT NULL DEFAULT 0,
    last_failure    TEXT,
    last_failure_ms INTEGER
) WITHOUT ROWID;

CREATE TABLE breaker_calls (
    name  TEXT    NOT NULL,
    at_ms INTEGER NOT NULL,
    ok    INTEGER NOT NULL CHECK (ok IN (0, 1))
);
CREATE INDEX breaker_calls_window ON breaker_calls (name, at_ms);

CREATE TABLE rate_limits (
    name             TEXT    PRIMARY KEY,
    tokens           REAL    NOT NULL,
    updated_ms       INTEGER NOT NULL,
    blocked_until_ms INTEGER,
    granted          INTEGER NOT NULL DEFAULT 0,
    waits            INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
"#,
    // 4: enrich: OHLCV bars (good ones only; bad ones quarantined apart), the latest
    // indicators per symbol and timeframe, runs, one job per symbol per run, one fetch per
    // job and timeframe, data-quality issues, and the pause flag.
    r#"
CREATE TABLE bars (
    symbol    TEXT    NOT NULL,
    timeframe TEXT    NOT NULL CHECK (timeframe IN ('5m', '1h', '1d')),
    time      TEXT    NOT NULL,
    open      REAL    NOT NULL,
    high      REAL    NOT NULL,
    low       REAL    NOT NULL,
    close     REAL    NOT NULL,
    volume    INTEGER NOT NULL,
    run_id    INTEGER NOT NULL,
    PRIMARY KEY (symbol, timeframe, time)
) WITHOUT ROWID;

CREATE TABLE indicators (
    symbol         TEXT    NOT NULL,
    timeframe      TEXT    NOT NULL,
    time           TEXT    NOT NULL,
    close          REAL    NOT NULL,
    sma_20         REAL,
    sma_50         REAL,
    sma_200        REAL,
    ema_12         REAL,
    ema_26         REAL,
    rsi_14         REAL,
    macd           REAL,
    macd_signal    REAL,
    macd_histogram REAL,
    atr_14         REAL,
    bb_middle      REAL,
    bb_upper       REAL,
    bb_lower       REAL,
    rv_20          REAL,
    rv_60          REAL,
    high_52w       REAL,
    low_52w        REAL,
    bars           INTEGER NOT NULL,
    computed_at    TEXT    NOT NULL,
    run_id         INTEGER NOT NULL,
    PRIMARY KEY (symbol, timeframe)
) WITHOUT ROWID;

CREATE TABLE enrich_runs (
    id               INTEGER PRIMARY KEY,
    started_at       TEXT    NOT NULL,
    as_of            TEXT    NOT NULL,
    finished_at      TEXT,
    status           TEXT    NOT NULL
                     CHECK (status IN ('running', 'succeeded', 'partial', 'failed', 'interrupted')),
    provider         TEXT    NOT NULL,
    pid              INTEGER NOT NULL,
    timeframes       TEXT    NOT NULL,
    symbols          INTEGER NOT NULL,
    succeeded        INTEGER NOT NULL DEFAULT 0,
    failed           INTEGER NOT NULL DEFAULT 0,
    skipped          INTEGER NOT NULL DEFAULT 0,
    bars_added       INTEGER NOT NULL DEFAULT 0,
    bars_quarantined INTEGER NOT NULL DEFAULT 0,
    quality_issues   INTEGER NOT NULL DEFAULT 0,
    provider_calls   INTEGER NOT NULL DEFAULT 0,
    retries          INTEGER NOT NULL DEFAULT 0,
    duration_ms      INTEGER
);
CREATE INDEX enrich_runs_status ON enrich_runs (status, id);
CREATE INDEX enrich_runs_started ON enrich_runs (started_at);

CREATE TABLE enrich_jobs (
    id             INTEGER PRIMARY KEY,
    run_id         INTEGER NOT NULL REFERENCES enrich_runs (id) ON DELETE CASCADE,
    symbol         TEXT    NOT NULL,
    asset_class    TEXT    NOT NULL CHECK (asset_class IN ('stock', 'etf', 'index')),
    status         TEXT    NOT NULL CHECK (status IN
                   ('queued', 'running', 'retrying', 'succeeded', 'failed', 'skipped')),
    attempts       INTEGER NOT NULL DEFAULT 0,
    queued_at      TEXT    NOT NULL,
    started_at     TEXT,
    finished_at    TEXT,
    fetch_ms       REAL    NOT NULL DEFAULT 0,
    compute_ms     REAL    NOT NULL DEFAULT 0,
    bars_added     INTEGER NOT NULL DEFAULT 0,
    quality_issues INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT
);
CREATE INDEX enrich_jobs_run ON enrich_jobs (run_id);
CREATE INDEX enrich_jobs_symbol ON enrich_jobs (symbol, id);

CREATE TABLE enrich_fetches (
    job_id           INTEGER NOT NULL REFERENCES enrich_jobs (id) ON DELETE CASCADE,
    timeframe        TEXT    NOT NULL,
    status           TEXT    NOT NULL CHECK (status IN ('succeeded', 'failed', 'skipped')),
    range_from       TEXT    NOT NULL,
    range_to         TEXT    NOT NULL,
    attempts         INTEGER NOT NULL,
    calls_ms         REAL    NOT NULL,
    fetch_ms         REAL    NOT NULL,
    compute_ok       INTEGER,
    compute_ms       REAL    NOT NULL DEFAULT 0,
    bars_fetched     INTEGER NOT NULL DEFAULT 0,
    bars_added       INTEGER NOT NULL DEFAULT 0,
    bars_revised     INTEGER NOT NULL DEFAULT 0,
    bars_quarantined INTEGER NOT NULL DEFAULT 0,
    quality_issues   INTEGER NOT NULL DEFAULT 0,
    finished_at      TEXT    NOT NULL,
    error            TEXT,
    PRIMARY KEY (job_id, timeframe)
) WITHOUT ROWID;
CREATE INDEX enrich_fetches_finished ON enrich_fetches (finished_at);

CREATE TABLE quarantined_bars (
    id          INTEGER PRIMARY KEY,
    job_id      INTEGER NOT NULL REFERENCES enrich_jobs (id) ON DELETE CASCADE,
    symbol      TEXT    NOT NULL,
    timeframe   TEXT    NOT NULL,
    time        TEXT    NOT NULL,
    open        REAL,
    high        REAL,
    low         REAL,
    close       REAL,
    volume      INTEGER NOT NULL,
    reason      TEXT    NOT NULL
);
CREATE INDEX quarantined_bars_symbol ON quarantined_bars (symbol, timeframe, time);

CREATE TABLE enrich_quality (
    id         INTEGER PRIMARY KEY,
    job_id     INTEGER NOT NULL REFERENCES enrich_jobs (id) ON DELETE CASCADE,
    symbol     TEXT    NOT NULL,
    timeframe  TEXT    NOT NULL,
    kind       TEXT    NOT NULL
               CHECK (kind IN ('gap', 'duplicate', 'ohlc', 'non_positive', 'stale')),
    bar_time   TEXT,
    detail     TEXT    NOT NULL,
    created_at TEXT    NOT NULL
);
CREATE INDEX enrich_quality_job ON enrich_quality (job_id);
CREATE INDEX enrich_quality_created ON enrich_quality (created_at);

CREATE TABLE enrich_control (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    paused     INTEGER NOT NULL CHECK (paused IN (0, 1)),
    reason     TEXT,
    changed_at TEXT    NOT NULL
);
"#,
    // 5: intentionally empty. It was reserved while the scheduler was built in parallel
    // and main shipped with it, so stores in the field are past it: migrations are
    // append-only, so it stays empty and the scheduler's tables come as a new entry.
    "-- 5: intentionally empty (reserved slot)",
    // 6: the notification outbox. One row per (channel, alert or signal), written in the
    // same transaction as the alert or signal; `optctl notify` sends, then marks it sent.
    // `batch_key` fixes which rows go out together once a send was tried, so a resend
    // after a crash carries the same idempotency key.
    r#"
CREATE TABLE notify_outbox (
    id              INTEGER PRIMARY KEY,
    channel         TEXT    NOT NULL,
    source_kind     TEXT    NOT NULL CHECK (source_kind IN ('alert', 'signal')),
    source_id       INTEGER NOT NULL,
    idempotency_key TEXT    NOT NULL,
    payload         TEXT    NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'queued'
                    CHECK (status IN ('queued', 'sent', 'failed')),
    batch_key       TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT    NOT NULL,
    next_attempt_at TEXT    NOT NULL,
    last_attempt_at TEXT,
    sent_at         TEXT,
    last_error      TEXT,
    UNIQUE (channel, source_kind, source_id)
);
CREATE INDEX notify_outbox_due ON notify_outbox (channel, status, next_attempt_at);
CREATE INDEX notify_outbox_batch ON notify_outbox (batch_key) WHERE batch_key IS NOT NULL;
"#,
    // 7: the strategy schedulers (`optctl compare`, `optctl migrate-scheduler`): the
    // persisted symbol cache, scheduler runs, the signals each produced, comparisons, and
    // the migration's state and audit log. (Built for slot 5, which main shipped empty.)
    r#"
CREATE TABLE scheduler_bar_cache (
    symbol     TEXT    NOT NULL,
    timeframe  TEXT    NOT NULL CHECK (timeframe IN ('5m', '1h', '1d')),
    range_from TEXT    NOT NULL,
    fetched_to TEXT    NOT NULL,
    expires_at TEXT    NOT NULL,
    bar_count  INTEGER NOT NULL,
    bytes      INTEGER NOT NULL,
    bars       TEXT    NOT NULL,
    PRIMARY KEY (symbol, timeframe)
) WITHOUT ROWID;
CREATE INDEX scheduler_bar_cache_fetched ON scheduler_bar_cache (fetched_to);

CREATE TABLE scheduler_state (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    phase TEXT    NOT NULL CHECK (phase IN ('legacy', 'parallel', 'cutover', 'unified', 'cleanup')),
    moved TEXT    NOT NULL DEFAULT '[]',
    step  INTEGER NOT NULL DEFAULT 0,
    since TEXT
);

CREATE TABLE scheduler_audit (
    id           INTEGER PRIMARY KEY,
    at           TEXT    NOT NULL,
    action       TEXT    NOT NULL CHECK (action IN ('advance', 'rollback')),
    from_phase   TEXT    NOT NULL,
    to_phase     TEXT    NOT NULL,
    moved_before TEXT    NOT NULL,
    moved_after  TEXT    NOT NULL,
    forced       INTEGER NOT NULL DEFAULT 0,
    reason       TEXT,
    actor        TEXT,
    criteria     TEXT    NOT NULL DEFAULT '[]'
);

CREATE TABLE scheduler_runs (
    id             INTEGER PRIMARY KEY,
    tick_at        TEXT    NOT NULL,
    started_at     TEXT    NOT NULL,
    phase          TEXT    NOT NULL,
    step           INTEGER NOT NULL,
    scheduler      TEXT    NOT NULL CHECK (scheduler IN ('legacy', 'unified')),
    role           TEXT    NOT NULL CHECK (role IN ('used', 'shadow')),
    categories     TEXT    NOT NULL,
    provider_calls INTEGER NOT NULL,
    failed_calls   INTEGER NOT NULL,
    lookups        INTEGER NOT NULL,
    cache_hits     INTEGER NOT NULL,
    cache_misses   INTEGER NOT NULL,
    symbols        INTEGER NOT NULL,
    symbols_failed INTEGER NOT NULL,
    signals        INTEGER NOT NULL,
    duration_ms    REAL    NOT NULL,
    errors         TEXT    NOT NULL DEFAULT '[]'
);
CREATE INDEX scheduler_runs_tick ON scheduler_runs (tick_at);
CREATE INDEX scheduler_runs_step ON scheduler_runs (step, scheduler, role);

CREATE TABLE scheduler_signals (
    id         INTEGER PRIMARY KEY,
    run_id     INTEGER NOT NULL REFERENCES scheduler_runs (id) ON DELETE CASCADE,
    scheduler  TEXT    NOT NULL CHECK (scheduler IN ('legacy', 'unified')),
    used       INTEGER NOT NULL,
    symbol     TEXT    NOT NULL,
    category   TEXT    NOT NULL,
    strategy   TEXT    NOT NULL,
    direction  TEXT    NOT NULL CHECK (direction IN ('long', 'short')),
    price      REAL    NOT NULL,
    strength   REAL    NOT NULL,
    bar_time   TEXT    NOT NULL,
    timeframe  TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    UNIQUE (scheduler, symbol, category, strategy, direction, bar_time)
);
CREATE INDEX scheduler_signals_setup ON scheduler_signals (symbol, category, strategy, direction, bar_time);
CREATE INDEX scheduler_signals_created ON scheduler_signals (created_at);

CREATE TABLE scheduler_comparisons (
    id                   INTEGER PRIMARY KEY,
    created_at           TEXT    NOT NULL,
    source               TEXT    NOT NULL CHECK (source IN ('compare', 'run')),
    phase                TEXT    NOT NULL,
    step                 INTEGER NOT NULL,
    categories           TEXT    NOT NULL,
    runs                 INTEGER NOT NULL,
    warm                 INTEGER NOT NULL,
    legacy_signals       INTEGER NOT NULL,
    unified_signals      INTEGER NOT NULL,
    matching             INTEGER NOT NULL,
    only_legacy          INTEGER NOT NULL,
    only_unified         INTEGER NOT NULL,
    legacy_calls         REAL    NOT NULL,
    unified_calls        REAL    NOT NULL,
    legacy_ms            REAL    NOT NULL,
    unified_ms           REAL    NOT NULL,
    noise_floor_pct      REAL,
    lookups              INTEGER NOT NULL,
    cache_hits           INTEGER NOT NULL,
    legacy_failed_calls  INTEGER NOT NULL,
    unified_failed_calls INTEGER NOT NULL,
    report               TEXT    NOT NULL
);
CREATE INDEX scheduler_comparisons_step ON scheduler_comparisons (step, source);
"#,
    // 8: process-excel: which header each field was read from in a run (and the
    // warnings about headers that matched nothing), shown by `process-excel status`;
    // the historical workbook's mapping is kept beside its cached summary.
    r#"
ALTER TABLE processing_metadata ADD COLUMN columns TEXT NOT NULL DEFAULT '{}';

CREATE TABLE excel_history_columns (
    key     TEXT PRIMARY KEY,
    columns TEXT NOT NULL
) WITHOUT ROWID;
"#,
    // 9: serve's control routes: who asked what and what came of it (one row per
    // authenticated control request), and the workbook loop's shared state: the paused
    // flag and interval `process-excel --watch` reads every tick (set over HTTP), a
    // refresh asked for, and the heartbeat the loop writes back.
    r#"
CREATE TABLE control_audit (
    id       INTEGER PRIMARY KEY,
    at       TEXT    NOT NULL,
    client   TEXT    NOT NULL,
    token_id TEXT    NOT NULL,
    method   TEXT    NOT NULL,
    route    TEXT    NOT NULL,
    request  TEXT    NOT NULL,
    status   INTEGER NOT NULL,
    result   TEXT    NOT NULL
);
CREATE INDEX control_audit_at ON control_audit (at);

CREATE TABLE excel_loop (
    id                   INTEGER PRIMARY KEY CHECK (id = 1),
    paused               INTEGER NOT NULL DEFAULT 0,
    interval_seconds     INTEGER,
    changed_at           TEXT,
    refresh_requested_at TEXT,
    pid                  INTEGER,
    started_at           TEXT,
    beat_interval        INTEGER,
    last_tick_at         TEXT,
    last_error           TEXT,
    stopped_at           TEXT
);
"#,
    // 10: the source's own figures beside optctl's (IV, delta, gamma, theoretical value)
    // per contract, and dealer gamma exposure per contract; per ticker, how far optctl's
    // IV is from the source's, the source's 30-day IV, total gamma exposure and the
    // zero-gamma level.
    r#"
ALTER TABLE chain_snapshots ADD COLUMN vendor_iv REAL;
ALTER TABLE chain_snapshots ADD COLUMN vendor_delta REAL;
ALTER TABLE chain_snapshots ADD COLUMN vendor_gamma REAL;
ALTER TABLE chain_snapshots ADD COLUMN vendor_theo REAL;
ALTER TABLE chain_snapshots ADD COLUMN gex REAL;

ALTER TABLE features ADD COLUMN vendor_iv_pairs INTEGER NOT NULL DEFAULT 0;
ALTER TABLE features ADD COLUMN vendor_iv_gap_median REAL;
ALTER TABLE features ADD COLUMN vendor_iv_gap_p90 REAL;
ALTER TABLE features ADD COLUMN vendor_iv_gap_otm_median REAL;
ALTER TABLE features ADD COLUMN vendor_iv_gap_otm_p90 REAL;
ALTER TABLE features ADD COLUMN vendor_iv30 REAL;
ALTER TABLE features ADD COLUMN vendor_iv30_gap REAL;
ALTER TABLE features ADD COLUMN gex REAL;
ALTER TABLE features ADD COLUMN zero_gamma REAL;
"#,
    // 11: scan: each expiry's implied forward, discount factor and how they were found;
    // per contract the model that priced it and rho.
    r#"
ALTER TABLE chain_snapshots ADD COLUMN rho REAL;
ALTER TABLE chain_snapshots ADD COLUMN model TEXT CHECK (model IN ('black76', 'american'));

CREATE TABLE chain_expiries (
    scan_id  INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    ticker   TEXT    NOT NULL,
    expiry   TEXT    NOT NULL,
    t_years  REAL    NOT NULL,
    forward  REAL    NOT NULL,
    carry    REAL    NOT NULL,
    discount REAL    NOT NULL,
    rate     REAL    NOT NULL,
    method   TEXT    NOT NULL CHECK (method IN ('parity', 'box', 'fallback')),
    pairs    INTEGER NOT NULL,
    PRIMARY KEY (scan_id, ticker, expiry)
) WITHOUT ROWID;
"#,
    // 12: enrich: each bar's open interest where the source gives it (Kite's and Upstox's
    // F&O candles, in units of the underlying); NULL for the rest and for older bars.
    r#"
ALTER TABLE bars ADD COLUMN open_interest REAL;
"#,
    // 13: 1-minute bars (Kite's `minute`, Upstox's `1minute`, Yahoo's `1m`): the two
    // tables whose timeframe is checked are rebuilt with '1m' allowed (SQLite cannot alter
    // a CHECK), rows and indexes kept.
    r#"
CREATE TABLE bars_13 (
    symbol        TEXT    NOT NULL,
    timeframe     TEXT    NOT NULL CHECK (timeframe IN ('1m', '5m', '1h', '1d')),
    time          TEXT    NOT NULL,
    open          REAL    NOT NULL,
    high          REAL    NOT NULL,
    low           REAL    NOT NULL,
    close         REAL    NOT NULL,
    volume        INTEGER NOT NULL,
    run_id        INTEGER NOT NULL,
    open_interest REAL,
    PRIMARY KEY (symbol, timeframe, time)
) WITHOUT ROWID;
INSERT INTO bars_13 (symbol, timeframe, time, open, high, low, close, volume, run_id, open_interest)
    SELECT symbol, timeframe, time, open, high, low, close, volume, run_id, open_interest FROM bars;
DROP TABLE bars;
ALTER TABLE bars_13 RENAME TO bars;

CREATE TABLE scheduler_bar_cache_13 (
    symbol     TEXT    NOT NULL,
    timeframe  TEXT    NOT NULL CHECK (timeframe IN ('1m', '5m', '1h', '1d')),
    range_from TEXT    NOT NULL,
    fetched_to TEXT    NOT NULL,
    expires_at TEXT    NOT NULL,
    bar_count  INTEGER NOT NULL,
    bytes      INTEGER NOT NULL,
    bars       TEXT    NOT NULL,
    PRIMARY KEY (symbol, timeframe)
) WITHOUT ROWID;
INSERT INTO scheduler_bar_cache_13
    SELECT symbol, timeframe, range_from, fetched_to, expires_at, bar_count, bytes, bars
    FROM scheduler_bar_cache;
DROP TABLE scheduler_bar_cache;
ALTER TABLE scheduler_bar_cache_13 RENAME TO scheduler_bar_cache;
CREATE INDEX scheduler_bar_cache_fetched ON scheduler_bar_cache (fetched_to);
"#,
];
