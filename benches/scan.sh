#!/usr/bin/env bash
# Benchmark: `optctl scan` end to end on the simulated market, stored in SQLite.
#
#   benches/scan.sh [RUNS] [TICKERS]      (defaults: 5 runs, 500 tickers)
#
# Each run uses a fresh data home and scans twice: at 15:00Z (empty database) and at
# 15:10Z (with the first scan as history: detectors read features and previous OI).
# Prints wall time and peak RSS of each scan and the medians. Needs GNU time
# (/usr/bin/time; Debian package `time`).
#
# SCAN_BENCH_BIN=path uses that optctl instead of building one.
# SCAN_BENCH_PG='host=127.0.0.1 user=postgres' stores into PostgreSQL instead: each run
# gets a fresh database on that server (created and dropped with psql). The server's own
# CPU and memory are not in the figures (another process); its time is in the wall time.
# SCAN_BENCH_SHARDS=N (with SCAN_BENCH_PG) runs N scans of parts 1/N..N/N at once, each
# from a data home of its own, into the run's one database; the wall time is the
# slowest part's, RSS the largest.
set -euo pipefail
runs=${1:-5}
n=${2:-500}
pg=${SCAN_BENCH_PG:-}
shards=${SCAN_BENCH_SHARDS:-1}
cd "$(dirname "$0")/.."
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
if [ -n "${SCAN_BENCH_BIN:-}" ]; then
    bin=$SCAN_BENCH_BIN # a build made before (SCAN_BENCH_BIN=path)
else
    cargo build --release --quiet
    bin=$PWD/target/release/optctl
fi
tickers=$(python3 -c "print(','.join(f'T{i:04d}' for i in range($n)))")
results=$(mktemp)
echo "cores: $(nproc); tickers: $n; runs: $runs; store: $([ -n "$pg" ] && echo postgresql || echo sqlite); parts: $shards"
for i in $(seq "$runs"); do
    home=$(mktemp -d)
    store=()
    if [ -n "$pg" ]; then
        db=optctl_bench_$$_$i
        psql "$pg dbname=postgres" -qc "CREATE DATABASE $db"
        user=$(python3 -c "import sys; d=dict(p.split('=',1) for p in sys.argv[1].split()); print(d.get('user','postgres'), d.get('host','127.0.0.1'))" "$pg")
        read -r u h <<<"$user"
        store=(--store "postgres://$u@$h/$db")
    fi
    for at in 2026-11-23T15:00:00Z 2026-11-23T15:10:00Z; do
        kind=$([ "$at" = 2026-11-23T15:00:00Z ] && echo first || echo second)
        start=$(date +%s.%N)
        for k in $(seq "$shards"); do
            part=()
            [ "$shards" -gt 1 ] && part=(--shard "$k/$shards")
            mkdir -p "$home/$k"
            XDG_CONFIG_HOME=$home/cfg /usr/bin/time -f "%e %M" -o "$home/$k/time" \
                "$bin" --home "$home/$k" "${store[@]}" --as-of "$at" -q scan --tickers "$tickers" "${part[@]}" --json >"$home/$k/report.json" &
        done
        wait
        wall=$(python3 -c "import time; print(f'{time.time() - $start:.2f}')")
        rss=$(cat "$home"/*/time | awk '$2 > m {m = $2} END {print m}')
        contracts=$(python3 -c "import json,glob; rs=[json.load(open(f)) for f in glob.glob('$home/*/report.json')]; print(sum(r['contracts'] for r in rs), sum(r['alerts'] for r in rs))")
        echo "run $i $kind scan: ${wall}s wall, $((rss / 1024)) MB peak RSS, contracts+alerts: $contracts"
        echo "$kind $wall $rss" >>"$results"
    done
    if [ -n "$pg" ]; then
        echo "  database: $(psql "$pg dbname=$db" -Atc "SELECT pg_size_pretty(pg_database_size(current_database()))")"
        psql "$pg dbname=postgres" -qc "DROP DATABASE $db WITH (FORCE)"
    else
        echo "  database: $(du -h "$home/1/optctl.db" | cut -f1)"
    fi
    rm -rf "$home"
done
python3 - "$results" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
for kind in ("first", "second"):
    w = [float(r[1]) for r in rows if r[0] == kind]
    m = [int(r[2]) / 1024 for r in rows if r[0] == kind]
    print(f"median {kind} scan: {statistics.median(w):.2f} s wall, {statistics.median(m):.0f} MB peak RSS")
PY
rm -f "$results"
