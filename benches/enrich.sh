#!/usr/bin/env bash
# Benchmark: `optctl enrich run` end to end on the simulated market, stored in SQLite.
#
#   benches/enrich.sh [RUNS] [SYMBOLS] [LATENCY_MS] [CONCURRENCY]
#                                   (defaults: 5 runs, 100 symbols, 100 ms, 10)
#
# The performance budget (docs/ARCHITECTURE.md): 100 symbols x 3 timeframes (1d, 1h, 5m), 100 ms injected provider latency
# per call, concurrency 10. Each run uses a fresh data home and enriches twice: the first
# run fetches each symbol's whole lookback (400 days of 1d, 60 of 1h, 10 of 5m); the
# second, a day later, fetches only the new bars (the nightly case). With 300 calls of
# 100 ms, 10 at a time, 3 s is the floor set by the latency alone. Prints wall time and
# peak RSS of each run and the medians. Needs GNU time (/usr/bin/time; Debian `time`).
set -euo pipefail
runs=${1:-5}
n=${2:-100}
latency=${3:-100}
concurrency=${4:-10}
cd "$(dirname "$0")/.."
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
cargo build --release --quiet
bin=$PWD/target/release/optctl
symbols=$(python3 -c "print(','.join(f'S{i:03d}' for i in range($n)))")
results=$(mktemp)
echo "cores: $(nproc); symbols: $n x 3 timeframes; latency: ${latency} ms; concurrency: $concurrency; runs: $runs"
for i in $(seq "$runs"); do
    home=$(mktemp -d)
    mkdir -p "$home/cfg/optctl"
    printf '[provider.sim]\nlatency_ms = %s\n' "$latency" >"$home/cfg/optctl/config.toml"
    for at in 2026-11-23T21:30:00Z 2026-11-24T21:30:00Z; do
        XDG_CONFIG_HOME=$home/cfg /usr/bin/time -f "%e %M" -o "$home/time" \
            "$bin" --home "$home" --as-of "$at" -q enrich run --symbols "$symbols" \
            --timeframes 1d,1h,5m --concurrency "$concurrency" --json >"$home/report.json"
        read -r wall rss <"$home/time"
        summary=$(python3 -c "import json; r=json.load(open('$home/report.json')); print(r['status'], r['provider_calls'], r['bars_added'])")
        kind=$([ "$at" = 2026-11-23T21:30:00Z ] && echo first || echo next-day)
        echo "run $i $kind: ${wall}s wall, $((rss / 1024)) MB peak RSS (status, calls, bars added: $summary)"
        echo "$kind $wall $rss" >>"$results"
    done
    echo "  database: $(du -h "$home/optctl.db" | cut -f1)"
    rm -rf "$home"
done
python3 - "$results" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
for kind in ("first", "next-day"):
    w = [float(r[1]) for r in rows if r[0] == kind]
    m = [int(r[2]) / 1024 for r in rows if r[0] == kind]
    print(f"median {kind} run: {statistics.median(w):.2f} s wall, {statistics.median(m):.0f} MB peak RSS")
PY
rm -f "$results"
