#!/usr/bin/env bash
# Benchmark: the legacy and the unified strategy scheduler on the default categories
# (12 + 10 + 15 overlapping NSE symbols) with 50 ms injected latency per provider call,
# against the old system's targets: provider calls -50% or better, time -60% or better,
# cache hit rate above 60% after warm-up.
#
#   benches/scheduler.sh [RUNS] [TICKS]      (defaults: 3 runs, 12 ticks)
#
# Each run measures, each in a fresh data home
#   1. one cold `optctl compare` (empty cache): calls, time (with the legacy-vs-legacy
#      noise floor), hit rate, and the projected calls of a day at the 5-minute cadence;
#   2. TICKS `migrate-scheduler run` ticks in the parallel phase, every 5 minutes from
#      10:00 New York, the first one cold (both schedulers each tick, the cache carried
#      across processes): the measured totals `migrate-scheduler status` judges the
#      criteria on.
# Prints each run's figures and the medians.
set -euo pipefail
runs=${1:-3}
ticks=${2:-12}
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=$PWD/target/release/optctl
results=$(mktemp)
echo "cores: $(nproc); runs: $runs; ticks per run: $ticks; latency: 50 ms per call"
for i in $(seq "$runs"); do
    home=$(mktemp -d)
    cfg=$home/config.toml
    printf '[provider.sim]\nlatency_ms = 50\n\n[scheduler.criteria]\nmin_ticks = %s\n' "$ticks" >"$cfg"
    "$bin" --home "$home/compare" --config "$cfg" -q compare --json --as-of 2026-11-23T15:00:00Z >"$home/compare.json"
    opt=("$bin" --home "$home/ticks" --config "$cfg" -q)
    "${opt[@]}" migrate-scheduler advance --json >/dev/null
    for k in $(seq 0 $((ticks - 1))); do
        at=$(python3 -c "import datetime as d; print((d.datetime(2026,11,23,15,0)+d.timedelta(minutes=5*$k)).strftime('%Y-%m-%dT%H:%M:%SZ'))")
        "${opt[@]}" migrate-scheduler run --json --as-of "$at" >/dev/null
    done
    "${opt[@]}" migrate-scheduler status --json >"$home/status.json"
    python3 - "$home" "$i" >>"$results" <<'PY'
import json, sqlite3, statistics, sys
home, run = sys.argv[1], sys.argv[2]
db = sqlite3.connect(f"{home}/ticks/optctl.db")
tick_ms = db.execute("SELECT legacy_ms, unified_ms, legacy_calls, unified_calls FROM scheduler_comparisons WHERE source = 'run'").fetchall()
c = json.load(open(f"{home}/compare.json"))
s = json.load(open(f"{home}/status.json"))
crit = {x["name"]: x for x in s["next"]["criteria"]}
row = {
    "cold_legacy_calls": c["legacy"]["provider_calls"],
    "cold_unified_calls": c["unified"]["provider_calls"],
    "cold_call_reduction": c["call_reduction_pct"],
    "cold_legacy_ms": c["legacy"]["duration_ms"],
    "cold_unified_ms": c["unified"]["duration_ms"],
    "cold_time_reduction": c["time_reduction_pct"],
    "noise_floor": c["noise_floor_pct"],
    "cold_hit_rate": c["hit_rate_pct"],
    "parity": c["parity"]["match_pct"],
    "day_legacy_calls": c["projected"]["legacy_calls"],
    "day_unified_calls": c["projected"]["unified_calls"],
    "day_call_reduction": c["projected"]["call_reduction_pct"],
    "day_hit_rate": c["projected"]["hit_rate_pct"],
    "ticks_call_reduction": crit["calls_reduced"]["actual"],
    "ticks_time_reduction": crit["time_reduced"]["actual"],
    "ticks_hit_rate": crit["cache_hit_rate"]["actual"],
    "ticks_mismatch": crit["signal_parity"]["actual"],
    "ticks_criteria_hold": all(x["holds"] for x in s["next"]["criteria"]),
    "tick_legacy_ms": statistics.median(t[0] for t in tick_ms),
    "tick_unified_ms": statistics.median(t[1] for t in tick_ms),
    "ticks_legacy_calls": sum(t[2] for t in tick_ms),
    "ticks_unified_calls": sum(t[3] for t in tick_ms),
}
print(json.dumps(row))
print(f"run {run}: cold compare: calls {row['cold_legacy_calls']:.0f} -> {row['cold_unified_calls']:.0f} "
      f"({row['cold_call_reduction']:.1f}% fewer), time {row['cold_legacy_ms']:.0f} -> {row['cold_unified_ms']:.0f} ms "
      f"({row['cold_time_reduction']:.1f}% less, noise floor {row['noise_floor']:.1f}%), hit rate {row['cold_hit_rate']:.1f}%, "
      f"parity {row['parity']:.1f}%; ticks: calls {row['ticks_legacy_calls']:.0f} -> {row['ticks_unified_calls']:.0f} ({row['ticks_call_reduction']:.1f}% fewer), median tick "
      f"{row['tick_legacy_ms']:.0f} -> {row['tick_unified_ms']:.0f} ms, time "
      f"{row['ticks_time_reduction']:.1f}% less, hit rate after warm-up {row['ticks_hit_rate']:.1f}%, "
      f"criteria hold: {row['ticks_criteria_hold']}", file=sys.stderr)
PY
    rm -rf "$home"
done
python3 - "$results" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
m = lambda k: statistics.median(r[k] for r in rows)
print(f"medians over {len(rows)} runs:")
print(f"  one cold tick (compare):   calls {m('cold_legacy_calls'):.0f} -> {m('cold_unified_calls'):.0f} "
      f"({m('cold_call_reduction'):.1f}% fewer), time {m('cold_legacy_ms'):.0f} -> {m('cold_unified_ms'):.0f} ms "
      f"({m('cold_time_reduction'):.1f}% less; noise floor {m('noise_floor'):.1f}%), hit rate {m('cold_hit_rate'):.1f}%, "
      f"signal parity {m('parity'):.1f}%")
print(f"  a day at 5 min (projected): calls {m('day_legacy_calls'):.0f} -> {m('day_unified_calls'):.0f} "
      f"({m('day_call_reduction'):.1f}% fewer), hit rate {m('day_hit_rate'):.1f}%")
print(f"  parallel ticks (measured):  calls {m('ticks_legacy_calls'):.0f} -> {m('ticks_unified_calls'):.0f} ({m('ticks_call_reduction'):.1f}% fewer), "
      f"median tick {m('tick_legacy_ms'):.0f} -> {m('tick_unified_ms'):.0f} ms, time {m('ticks_time_reduction'):.1f}% less, "
      f"hit rate after warm-up {m('ticks_hit_rate'):.1f}%, signals differing {m('ticks_mismatch'):.1f}%")
print("  targets: calls -50% or better, time -60% or better, hit rate above 60% after warm-up")
PY
rm -f "$results"
