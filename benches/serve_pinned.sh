#!/usr/bin/env bash
# Benchmark: one `optctl serve` answering thread against one nginx worker on one core.
#
#   benches/serve_pinned.sh [ROUNDS] [SECS] [OPTCTL...]     (defaults: 5, 4, the release build)
#
# Every server is pinned to core 0 (`taskset`), the load client (examples/http_load, 16
# keep-alive connections, bodies dropped in the kernel) to core 1, so a server's CPU time
# per answer is its own and not shared with the client's. ROUNDS rounds of SECS-second
# runs on one ticker's plain `/options/T0000/snapshot` (~394 KB), each round running every
# optctl given (say, two builds to compare) and then nginx 1.22 on the same bytes, in
# turn: alternating runs see the same machine, which on shared cores drifts by more than
# the differences measured. One line a run: req/s, p99, and the server's user and system
# time per answer (from /proc); medians per server at the end. ROUTE=/alerts/latest
# NROUTE=/alerts-latest.json asks those instead; HDR='Accept-Encoding: gzip' adds a header.
# Installs nginx-light from Debian if missing (apt-get). Only 127.0.0.1 is used.
set -euo pipefail
rounds=${1:-5}
secs=${2:-4}
shift $(($# < 2 ? $# : 2))
cd "$(dirname "$0")/.."
. benches/nginx.sh
[ -x /usr/sbin/nginx ] || apt-get install -y -q nginx-light >/dev/null
command -v taskset >/dev/null || { echo "serve_pinned: needs taskset (util-linux)" >&2; exit 2; }
[ "$(nproc)" -ge 2 ] || { echo "serve_pinned: needs 2 cores" >&2; exit 2; }
cargo build --release --quiet --example http_load
bins=("$@")
if [ ${#bins[@]} -eq 0 ]; then
    cargo build --release --quiet --bin optctl
    bins=("$PWD/target/release/optctl")
fi
load=$PWD/target/release/examples/http_load
route=${ROUTE:-/options/T0000/snapshot}
nroute=${NROUTE:-/T0000.json}
hdr=()
[ -z "${HDR:-}" ] || hdr=(--header "$HDR")
work=$(mktemp -d)
home=$work/home
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$home/cfg/optctl" "$work/www"
printf '[export]\narchive = false\n' >"$home/cfg/optctl/config.toml"
export XDG_CONFIG_HOME=$home/cfg
unset OPTCTL_CONFIG OPTCTL_NOW RUST_LOG
printf 'T0000\nT0001\n' >"$work/watchlist.txt"
"${bins[0]}" --home "$home" -q scan --watchlist "$work/watchlist.txt" --as-of 2026-11-23T15:00:00Z >/dev/null || [ $? -eq 3 ]
"${bins[0]}" --home "$home" -q export --as-of 2026-11-23T15:00:00Z >/dev/null
same_file "$home/exports/chains/T0000.json" "$work/www"
same_file "$home/exports/chains/T0000.json.gz" "$work/www"
nginx_conf "$work" 1 18063
names=() urls=()
for i in "${!bins[@]}"; do
    taskset -c 0 "${bins[$i]}" --home "$home" -q serve --port $((18064 + i)) --threads 1 >/dev/null 2>&1 &
    pids+=($!)
    names+=("optctl$i")
    urls+=("http://127.0.0.1:$((18064 + i))$route")
done
taskset -c 0 /usr/sbin/nginx -c "$work/nginx.conf" -g "daemon off;" &
pids+=($!)
names+=(nginx)
urls+=("http://127.0.0.1:18063$nroute")
sleep 1.5
[ "$route" != /alerts/latest ] || curl -s "http://127.0.0.1:18064/alerts/latest" >"$work/www/alerts-latest.json"
cpu() { # user and system ticks of process $1 and its children
    local u=0 s=0 p a b
    for p in "$1" $(pgrep -P "$1" || true); do
        read -r a b < <(awk '{print $14, $15}' "/proc/$p/stat")
        u=$((u + a)) s=$((s + b))
    done
    echo "$u $s"
}
echo "cores: $(nproc); load average: $(cut -d' ' -f1-3 /proc/loadavg); $route, 16 connections, ${secs} s a run"
for i in "${!bins[@]}"; do echo "optctl$i: ${bins[$i]}"; done
for _ in $(seq "$rounds"); do
    for j in "${!pids[@]}"; do
        read -r u0 s0 < <(cpu "${pids[$j]}")
        out=$(taskset -c 1 "$load" "${urls[$j]}" --conns 16 --secs "$secs" "${hdr[@]}")
        read -r u1 s1 < <(cpu "${pids[$j]}")
        echo "${names[$j]} $out $((u1 - u0)) $((s1 - s0))"
    done
done | python3 -c '
import statistics, sys
hz = int(sys.argv[1]); rows = {}
for line in sys.stdin:
    name, rps, p50, p99, non2xx, n, mx, u, s = line.split()
    n = int(n)
    r = (float(rps), float(p99), int(u) / hz * 1e6 / n, int(s) / hz * 1e6 / n, int(non2xx))
    rows.setdefault(name, []).append(r)
    print(f"  {name:<8} {r[0]:8.0f} req/s  p99 {r[1]:5.2f} ms  user {r[2]:5.1f} us  system {r[3]:5.1f} us an answer  non-2xx {r[4]}", flush=True)
print("medians:")
for name, rs in rows.items():
    med = lambda i: statistics.median(x[i] for x in rs)
    print(f"  {name:<8} {med(0):8.0f} req/s  p99 {med(1):5.2f} ms  user {med(2):5.1f} us  system {med(3):5.1f} us an answer  ({len(rs)} runs)")
' "$(getconf CLK_TCK)"
