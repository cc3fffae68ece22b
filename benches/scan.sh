#!/usr/bin/env bash
# Benchmark: `optctl scan` end to end on the simulated market, stored in SQLite.
#
#   benches/scan.sh [RUNS] [TICKERS]      (defaults: 5 runs, 500 tickers)
#
# Each run uses a fresh data home and scans twice: at 15:00Z (empty database) and at
# 15:10Z (with the first scan as history: detectors read features and previous OI).
# Prints wall time and peak RSS of each scan and the medians. Needs GNU time
# (/usr/bin/time; Debian package `time`).
set -euo pipefail
runs=${1:-5}
n=${2:-500}
cd "$(dirname "$0")/.."
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
cargo build --release --quiet
bin=$PWD/target/release/optctl
tickers=$(python3 -c "print(','.join(f'T{i:04d}' for i in range($n)))")
results=$(mktemp)
echo "cores: $(nproc); tickers: $n; runs: $runs"
for i in $(seq "$runs"); do
    home=$(mktemp -d)
    for at in 2026-11-23T15:00:00Z 2026-11-23T15:10:00Z; do
        XDG_CONFIG_HOME=$home/cfg /usr/bin/time -f "%e %M" -o "$home/time" \
            "$bin" --home "$home" --as-of "$at" -q scan --tickers "$tickers" --json >"$home/report.json"
        read -r wall rss <"$home/time"
        contracts=$(python3 -c "import json,sys; r=json.load(open('$home/report.json')); print(r['contracts'], r['alerts'])")
        kind=$([ "$at" = 2026-11-23T15:00:00Z ] && echo first || echo second)
        echo "run $i $kind scan: ${wall}s wall, $((rss / 1024)) MB peak RSS, contracts+alerts: $contracts"
        echo "$kind $wall $rss" >>"$results"
    done
    echo "  database: $(du -h "$home/optctl.db" | cut -f1)"
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
