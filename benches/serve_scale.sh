#!/usr/bin/env bash
# Benchmark: `optctl serve` at scale, and beside nginx on the same machine.
#
#   benches/serve_scale.sh [TICKERS] [RUNS] [SECS]     (defaults: 1500, 3, 10)
#
# 1. Memory. A simulated scan of a TICKERS-ticker watchlist (~1,000 contracts each) and
#    its export; serve's resident memory (VmRSS) after start, after every ticker's
#    `/options/{t}/snapshot` was asked once, after a new scan + export was reloaded,
#    and after every ticker was asked again; VmHWM is the peak over the whole run.
# 2. Load. `wrk` at 32 keep-alive connections (2 threads) on `/alerts/latest` and on
#    one ticker's snapshot, served by optctl and by nginx serving the same bytes (the
#    `/alerts/latest` body saved to a file, and the ticker's exported chain file itself,
#    hard-linked: see `same_file` in benches/nginx.sh), RUNS runs of SECS seconds of
#    each server in turn, medians printed, and optctl's rate over nginx's run by run
#    (median, lowest-highest): first as fast as the client can
#    ask (saturating), then paced at half the rate nginx reached, the same for both
#    servers; then all of it again while a scan + export loop runs under `nice -n 10`,
#    as the README's cron lines would.
# 3. Idle connections. 10,000 keep-alive connections opened and held (each asked once),
#    then 200 fresh clients (connect, GET /alerts/latest, close) timed.
#
# SERVE_SCALE_IDLE=10000 sets the idle connections; SERVE_SCALE_BIN=path uses that
# optctl instead of building one with --release; SERVE_SCALE_LOAD_ONLY=1 runs step 2
# without the scan + export loop and skips steps 1 and 3 (a ticker's chain file is the
# same bytes whatever the watchlist's length, so a short watchlist measures the same);
# SERVE_SCALE_IDLE_ONLY=1 runs step 3 alone. SERVE_SCALE_CLIENT=discard runs step 2 with
# examples/http_load instead of wrk: the same 32 connections, one request in flight on
# each, but every answer's body is dropped inside the kernel (recv MSG_TRUNC) rather than
# copied out, so the client's CPU no longer grows with the answer's size, as a client on
# another host would cost this machine nothing. It has a thread per connection, each
# blocking until its answer: 32 threads on 2 cores, a context switch for every answer.
# SERVE_SCALE_CLIENT=events is the same client shaped as wrk is: 2 threads, each waiting
# on its 16 connections at once (epoll).
# Beside each rate the server's CPU time per request (user + system, its threads or
# nginx's workers) is printed: on a machine shared with other work it varies less than
# the rates do.
# Installs nginx-light and wrk from Debian if missing (apt-get). Only 127.0.0.1 is used.
# Client and servers share the machine's cores, so the figures are a floor.
set -euo pipefail
n=${1:-1500}
runs=${2:-3}
secs=${3:-10}
idle=${SERVE_SCALE_IDLE:-10000}
load_only=${SERVE_SCALE_LOAD_ONLY:-}
idle_only=${SERVE_SCALE_IDLE_ONLY:-}
cd "$(dirname "$0")/.."
. benches/nginx.sh
if ! command -v wrk >/dev/null || ! [ -x /usr/sbin/nginx ]; then
    apt-get install -y -q nginx-light wrk >/dev/null
fi
discard=
loadgen_threads=()
case "${SERVE_SCALE_CLIENT:-wrk}" in
discard | events)
    discard=1
    [ "$SERVE_SCALE_CLIENT" = discard ] || loadgen_threads=(--threads 2)
    cargo build --release --quiet --example http_load
    loadgen=$PWD/target/release/examples/http_load
    ;;
wrk) ;;
*) echo "serve_scale: SERVE_SCALE_CLIENT is wrk, discard or events" >&2; exit 2 ;;
esac
if [ -n "${SERVE_SCALE_BIN:-}" ]; then
    bin=$SERVE_SCALE_BIN # a quick try of the script with another build
else
    cargo build --release --quiet --bin optctl
    bin=$PWD/target/release/optctl
fi
work=$(mktemp -d)
home=$work/home
pids=()
loop=
cleanup() {
    [ -z "$loop" ] || kill -- "-$loop" 2>/dev/null || true
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$home/cfg/optctl" "$work/www"
ulimit -n $((idle + 4096))
cat >"$home/cfg/optctl/config.toml" <<EOF
[provider.sim]
anomaly_rate = 0.1
[export]
archive = false
[serve]
max_connections = $((idle + 1000))
max_connections_per_client = $((idle + 1000))
idle_timeout_seconds = 600
EOF
export XDG_CONFIG_HOME=$home/cfg
unset OPTCTL_CONFIG OPTCTL_NOW RUST_LOG
opt() { "$bin" --home "$home" -q "$@"; }
python3 -c "print('\n'.join(f'T{i:04d}' for i in range($n)))" >"$work/watchlist.txt"
at() { python3 -c "import datetime as d; print((d.datetime(2026,11,23,15,0,tzinfo=d.timezone.utc)+d.timedelta(minutes=10*$1)).strftime('%Y-%m-%dT%H:%M:%SZ'))"; }
scan_export() {
    local t
    t=$(at "$1")
    opt scan --watchlist "$work/watchlist.txt" --as-of "$t" >/dev/null || [ $? -eq 3 ]
    opt export --as-of "$t" >/dev/null
}
echo "cores: $(nproc); load average: $(cut -d' ' -f1-3 /proc/loadavg); tickers: $n"
t0=$(date +%s.%N)
scan_export 0
echo "scan + export of $n tickers: $(python3 -c "print(f'{$(date +%s.%N) - $t0:.1f}')") s"
echo "exports: chains.json $(du -m "$home/exports/chains.json" | cut -f1) MB, chains/ $(du -sm "$home/exports/chains" | cut -f1) MB in $(ls "$home/exports/chains" | wc -l) files"

"$bin" --home "$home" -q serve --port 0 --threads 2 >"$work/serve.out" 2>"$work/serve.err" &
spid=$!
pids+=("$spid")
for _ in $(seq 100); do grep -q listening "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
addr=$(sed -n 's/^listening on http:\/\///p' "$work/serve.out")
[ -n "$addr" ] || { cat "$work/serve.err"; exit 1; }
rss() { awk '/VmRSS/ {printf "%.0f MB", $2/1024}' "/proc/$spid/status"; }
hwm() { awk '/VmHWM/ {printf "%.0f MB", $2/1024}' "/proc/$spid/status"; }
metric() { curl -s "http://$addr/metrics" | awk -v m="$1" '$1 == m {print $2}'; }
touch_all() {
    python3 -c "import sys; print('\n'.join(f'url = \"http://$addr/options/T{i:04d}/snapshot\"\noutput = /dev/null' for i in range($n)))" >"$work/urls"
    curl -s -K "$work/urls"
}
sleep 1
if [ -z "$load_only$idle_only" ]; then
echo "serve RSS after start: $(rss)"
touch_all
echo "serve RSS after every ticker's snapshot once: $(rss) (cache $(($(metric optctl_snapshot_cache_bytes) / 1048576)) MB in $(metric optctl_snapshot_cache_entries) entries)"
reloads=$(metric optctl_export_reloads_total)
scan_export 1
for _ in $(seq 100); do [ "$(metric optctl_export_reloads_total)" != "$reloads" ] && break; sleep 0.2; done
sleep 1
echo "serve RSS after a new export was reloaded: $(rss) (cache $(($(metric optctl_snapshot_cache_bytes) / 1048576)) MB)"
touch_all
echo "serve RSS after every ticker again: $(rss); peak over the run (VmHWM): $(hwm)"
fi

if [ -z "$idle_only" ]; then
# Load: optctl and nginx on the same bytes.
curl -s "http://$addr/alerts/latest" >"$work/www/alerts-latest.json"
same_file "$home/exports/chains/T0000.json" "$work/www"
same_file "$home/exports/chains/T0000.json.gz" "$work/www"
nginx_conf "$work" 2 18061
/usr/sbin/nginx -c "$work/nginx.conf" -g "daemon off;" &
npid=$!
pids+=("$npid")
sleep 1
cpu_ticks() { # CPU ticks (user + system) of process $1 and its child processes
    local t=0 p
    for p in "$1" $(pgrep -P "$1" || true); do
        t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat")))
    done
    echo "$t"
}
load_run() { # URL [wrk args] -> "req/s p50 p99 non-2xx requests cpu-ticks" (ms), from wrk or http_load
    local pid=$spid c0
    case "$1" in *:18061/*) pid=$npid ;; esac
    c0=$(cpu_ticks "$pid")
    if [ -n "$discard" ]; then
        # The same connections and pacing, from the client that drops bodies in the kernel.
        local url=$1 a=()
        shift
        while [ $# -gt 0 ]; do
            case "$1" in
            -H) a+=(--header "$2"); shift 2 ;;
            -s) a+=(--pace-ms "$PACE_MS"); shift 2 ;;
            *) echo "serve_scale: no http_load form of $1" >&2; exit 2 ;;
            esac
        done
        "$loadgen" "$url" --conns 32 --secs "$secs" "${loadgen_threads[@]}" "${a[@]}" | awk '{printf "%s %s %s %s %s ", $1, $2, $3, $4, $5}'
        echo $(($(cpu_ticks "$pid") - c0))
        return
    fi
    wrk -t2 -c32 -d"${secs}s" --latency "$@" | python3 -c '
import re, sys
t = sys.stdin.read()
def ms(v):
    n, u = re.match(r"([\d.]+)(\w+)", v).groups()
    return float(n) * {"us": 0.001, "ms": 1, "s": 1000}[u]
rps = re.search(r"Requests/sec:\s+([\d.]+)", t).group(1)
p = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", t, re.M))
errs = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
reqs = re.search(r"(\d+) requests in", t).group(1)
print(rps, ms(p["50"]), ms(p["99"]), errs.group(1) if errs else 0, reqs, end=" ")'
    echo $(($(cpu_ticks "$pid") - c0))
}
summarize() { # label < rows of load_run; the median rate (req/s) is left in $work/rate
    python3 -c '
import statistics, sys
rows = [l.split() for l in sys.stdin]
med = lambda i: statistics.median(float(r[i]) for r in rows)
hz = int(sys.argv[2])
cpu = statistics.median(int(r[5]) / hz * 1e6 / int(r[4]) for r in rows)
open(sys.argv[3], "w").write(f"{med(0):.0f}")
print(f"  {sys.argv[1]:<52} {med(0)/1000:6.1f}k req/s  p50 {med(1):.2f} ms  p99 {med(2):.2f} ms  CPU {cpu:.0f} us/req  non-2xx {sum(int(r[3]) for r in rows)}  ({len(rows)} runs)")' "$1" "$(getconf CLK_TCK)" "$work/rate"
}
median_pair() { # label URL nginx-label nginx-URL [wrk args]: RUNS runs of each, in turn
    local ours=$1 our_url=$2 theirs=$3 their_url=$4
    shift 4
    : >"$work/ours"
    : >"$work/theirs"
    # Alternating, so that the machine's drift (other work, the loop's phase) falls on
    # both servers alike; then optctl's rate over nginx's, run by run.
    for _ in $(seq "$runs"); do
        load_run "$our_url" "$@" >>"$work/ours"
        load_run "$their_url" "$@" >>"$work/theirs"
    done
    summarize "$ours" <"$work/ours"
    summarize "$theirs" <"$work/theirs"
    # Paced runs both get the rate they are offered: their latencies are what differs.
    [ -z "${PACE_MS:-}" ] || return 0
    python3 -c '
import statistics, sys
a = [float(l.split()[0]) for l in open(sys.argv[1])]
b = [float(l.split()[0]) for l in open(sys.argv[2])]
r = sorted(x / y for x, y in zip(a, b))
label = "optctl / nginx, run by run"
print(f"  {label:<52} {statistics.median(r):.2f}x  ({r[0]:.2f}-{r[-1]:.2f})")' "$work/ours" "$work/theirs"
}
# Paced runs: each of the 32 connections waits PACE_MS between an answer and its next
# request (wrk's `delay()`, whole milliseconds), so both servers get the same offered
# load below what saturates the machine, and the latencies are the servers' own rather
# than the queue a saturating client builds (at saturation, 32 connections wait
# 32 / rate on average whatever the server does).
cat >"$work/pace.lua" <<'LUA'
local gap = tonumber(os.getenv("PACE_MS"))
function delay() return gap end
LUA
paced_pair() { # what optctl-URL nginx-URL [wrk args]: both at half the rate nginx reached
    local what=$1 ours=$2 theirs=$3 gap
    shift 3
    # 32 connections at half nginx's saturated rate: 64,000 / rate ms between requests.
    gap=$(python3 -c "import math; print(max(1, math.ceil(64000 / max(1, $(cat "$work/rate")))))")
    PACE_MS=$gap median_pair "optctl $what, paced ($gap ms a connection)" "$ours" \
        "nginx  the same, paced" "$theirs" -s "$work/pace.lua" "$@"
}
load_table() {
    echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
    local a=http://$addr/alerts/latest b=http://127.0.0.1:18061/alerts-latest.json
    local s=http://$addr/options/T0000/snapshot n=http://127.0.0.1:18061/T0000.json
    local gz="Accept-Encoding: gzip"
    median_pair "optctl /alerts/latest" "$a" "nginx  same bytes" "$b"
    paced_pair /alerts/latest "$a" "$b"
    median_pair "optctl /options/T0000/snapshot" "$s" "nginx  chains/T0000.json" "$n"
    paced_pair "the snapshot" "$s" "$n"
    median_pair "optctl /options/T0000/snapshot, gzip" "$s" \
        "nginx  chains/T0000.json.gz (gzip_static)" "$n" -H "$gz"
    paced_pair "the snapshot, gzip" "$s" "$n" -H "$gz"
}
client="wrk -t2"
[ -z "$discard" ] || client="http_load (bodies dropped in the kernel)"
[ ${#loadgen_threads[@]} -eq 0 ] || client="http_load --threads 2 (epoll, bodies dropped in the kernel)"
echo "32 connections, $client, ${secs} s a run, medians; idle machine otherwise:"
load_table
[ -z "$load_only" ] || exit 0
echo "the same with a scan + export loop of $n tickers running (nice -n 10):"
cat >"$work/loop.sh" <<LOOP
round=2
while :; do
    t=\$(python3 -c "import datetime as d; print((d.datetime(2026,11,23,15,0,tzinfo=d.timezone.utc)+d.timedelta(minutes=10*\$round)).strftime('%Y-%m-%dT%H:%M:%SZ'))")
    nice -n 10 "$bin" --home "$home" -q scan --watchlist "$work/watchlist.txt" --as-of "\$t" >/dev/null 2>&1
    nice -n 10 "$bin" --home "$home" -q export --as-of "\$t" >/dev/null 2>&1
    round=\$((round + 1))
    echo \$round >"$work/rounds"
done
LOOP
# Its own process group, so the loop and the scan or export it runs stop together.
setsid bash "$work/loop.sh" &
loop=$!
load_table
kill -- "-$loop" 2>/dev/null || true
echo "  scan + export rounds finished meanwhile: $(( $(cat "$work/rounds" 2>/dev/null || echo 2) - 2 ))"
echo "serve RSS after the load runs: $(rss); peak (VmHWM): $(hwm)"
fi

# Idle connections held while a fresh client asks.
echo "serve RSS before the idle connections: $(rss); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$addr" "$idle" <<'PY'
import socket, statistics, sys, time
host, port = sys.argv[1].rsplit(":", 1)
port, idle = int(port), int(sys.argv[2])
held = []
for i in range(idle):
    s = socket.create_connection((host, port))
    s.sendall(b"GET /alerts/latest HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    held.append(s)
for s in held:
    s.settimeout(10)
    assert s.recv(16).startswith(b"HTTP/1.1 200"), "an idle connection was refused"
    s.setblocking(False)
    try:
        while s.recv(1 << 16):
            pass
    except BlockingIOError:
        pass
times = []
for _ in range(200):
    t = time.perf_counter()
    c = socket.create_connection((host, port))
    c.sendall(b"GET /alerts/latest HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    out = b""
    while chunk := c.recv(1 << 16):
        out += chunk
    c.close()
    assert out.startswith(b"HTTP/1.1 200"), out[:80]
    times.append((time.perf_counter() - t) * 1000)
times.sort()
still = 0
for s in held:
    try:
        still += s.recv(1) == b"" and 0 or 1
    except BlockingIOError:
        still += 1
print(f"{idle} idle keep-alive connections held; 200 fresh clients (connect, GET, close): "
      f"p50 {statistics.median(times):.2f} ms, p99 {times[197]:.2f} ms, max {times[-1]:.2f} ms; "
      f"{still} of {idle} still open")
PY
echo "serve RSS with them held: $(rss); peak (VmHWM): $(hwm)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
