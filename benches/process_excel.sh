#!/usr/bin/env bash
# Benchmark: `optctl process-excel` as the shell loop runs it, whole process, on the
# 204-stock fixture pair (fixtures/excel/), release build.
#
#   benches/process_excel.sh [RUNS]      (default: 31 runs of each kind)
#
# changed:   Live.xlsx is swapped between two live moments before every run (the
#            fixture and one written with --seed 2), so each run reads Live.xlsx,
#            recomputes every stock and writes ~204 changed stocks and ticks. Historical
#            is unchanged, so its stored per-stock summary is reused (the intraday case).
# both:      as changed, and Historical.xlsx is touched too, so it is parsed again
#            (25 days x 204 stocks): the first run of a day, the worst case.
# unchanged: the same files again: the fingerprint fast path.
# Prints the median, min and max wall time of the whole process (fork/exec to exit),
# the core count, and the run's own duration_ms as recorded in processing_metadata.
# Budget (docs/ARCHITECTURE.md): changed under 50 ms, unchanged under 10 ms.
set -euo pipefail
runs=${1:-31}
cd "$(dirname "$0")/.."
cargo build --release --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo run --quiet --example make_excel_fixtures -- "$work/seed2" --seed 2 2>/dev/null
mkdir -p "$work/home/excel"
cp fixtures/excel/Historical.xlsx fixtures/excel/Live.xlsx "$work/home/excel/"
echo "cores: $(nproc); runs: $runs; $(uname -sm)"
python3 - "$PWD/target/release/optctl" "$work" "$runs" <<'PY'
import os, shutil, sqlite3, statistics, subprocess, sys, time
binary, work, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
home = os.path.join(work, "home")
lives = ["fixtures/excel/Live.xlsx", os.path.join(work, "seed2", "Live.xlsx")]
env = dict(os.environ, OPTCTL_HOME=home, OPTCTL_NOW="2026-11-23T09:00:00Z",
           XDG_CONFIG_HOME=os.path.join(work, "cfg"))
cmd = [binary, "-q", "process-excel", "--market-hours-only"]

def once():
    t = time.perf_counter()
    p = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = (time.perf_counter() - t) * 1000
    if p.returncode != 0:
        sys.exit(f"optctl exited {p.returncode}: {p.stderr.decode()}")
    return wall

def last_run():
    with sqlite3.connect(os.path.join(home, "optctl.db")) as db:
        return db.execute("SELECT status, updated, duration_ms FROM processing_metadata "
                          "ORDER BY id DESC LIMIT 1").fetchone()

once()  # creates the database; not timed
hist = os.path.join(home, "excel", "Historical.xlsx")
current = 0  # index in lives of the Live.xlsx in place
for kind in ("changed", "both", "unchanged"):
    walls, inner, updated = [], [], []
    for i in range(runs):
        if kind != "unchanged":
            current = 1 - current
            shutil.copyfile(lives[current], os.path.join(home, "excel", "Live.xlsx"))
        if kind == "both":
            os.utime(hist, ns=(time.time_ns(), time.time_ns()))
        walls.append(once())
        status, n, ms = last_run()
        assert status == ("unchanged" if kind == "unchanged" else "processed"), status
        inner.append(ms)
        updated.append(n)
    print(f"{kind:>9}: median {statistics.median(walls):6.2f} ms wall "
          f"(min {min(walls):.2f}, max {max(walls):.2f}); in-process median "
          f"{statistics.median(inner):.2f} ms; stocks updated per run: median {statistics.median(updated):.0f}")
PY
