#!/usr/bin/env bash
# Benchmark: `optctl export` of a 500-ticker simulated scan (~500k contracts) plus 10,000
# alerts, all four files with archives (no compression).
#
#   benches/export.sh [RUNS] [TICKERS] [ALERTS]     (defaults: 5 runs, 500, 10000)
#
# Builds one home with a scan, inserts the extra alerts with Python's sqlite3, then times
# `optctl export --alerts-limit ALERTS` RUNS times and prints the median. Needs GNU time.
set -euo pipefail
runs=${1:-5}
n=${2:-500}
alerts=${3:-10000}
cd "$(dirname "$0")/.."
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
cargo build --release --quiet
bin=$PWD/target/release/optctl
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
export XDG_CONFIG_HOME=$home/cfg OPTCTL_NOW=2026-11-23T15:00:00Z
tickers=$(python3 -c "print(','.join(f'T{i:04d}' for i in range($n)))")
"$bin" --home "$home" -q scan --tickers "$tickers" >/dev/null
python3 - "$home/optctl.db" "$alerts" <<'PY'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
scan = db.execute("SELECT max(id) FROM scans").fetchone()[0]
data = json.dumps({"volume": 1200, "open_interest": 300, "vol_oi_ratio": 4.0, "premium": 250000})
db.executemany(
    "INSERT INTO alerts (scan_id, ticker, detector, contract, score, alert_data, created_at) VALUES (?,?,?,?,?,?,?)",
    [(scan, f"T{i % 500:04d}", "unusual_activity", None, 50 + i % 50, data, "2026-11-23T14:59:00Z") for i in range(int(sys.argv[2]))],
)
db.commit()
PY
echo "cores: $(nproc); tickers: $n; alerts: $(python3 -c "import sqlite3; print(sqlite3.connect('$home/optctl.db').execute('select count(*) from alerts').fetchone()[0])")"
results=$(mktemp)
for i in $(seq "$runs"); do
    /usr/bin/time -f "%e %M" -o "$home/time" "$bin" --home "$home" -q export --alerts-limit "$alerts" >/dev/null
    read -r wall rss <"$home/time"
    echo "run $i: ${wall}s wall, $((rss / 1024)) MB peak RSS"
    echo "$wall $rss" >>"$results"
done
ls -l "$home/exports" | awk 'NR>1 {print "  " $5 " bytes  " $9}'
python3 - "$results" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
print(f"median export: {statistics.median(float(r[0]) for r in rows):.2f} s wall, "
      f"{statistics.median(int(r[1]) for r in rows) / 1024:.0f} MB peak RSS")
PY
rm -f "$results"
