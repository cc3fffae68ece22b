#!/usr/bin/env bash
# Benchmark: what notifications cost a scan, and how fast `optctl notify` drains.
#
#   benches/notify.sh [RUNS] [TICKERS]      (defaults: 5 runs, 500 tickers)
#
# Each run uses a fresh data home with anomalies planted often enough to raise a few
# hundred alerts, and a webhook channel that points at a local sink (127.0.0.1, answers
# 200 to every POST). It times `scan --no-notify` without channels and with the channel
# (the outbox rows written in the alerts' transactions), then `optctl notify` draining
# the queue (10 alerts a message, no rate limit). Prints each run and the medians.
# Needs GNU time (/usr/bin/time; Debian package `time`) and python3.
set -euo pipefail
runs=${1:-5}
n=${2:-500}
cd "$(dirname "$0")/.."
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
cargo build --release --quiet
bin=$PWD/target/release/optctl
tickers=$(python3 -c "print(','.join(f'T{i:04d}' for i in range($n)))")
work=$(mktemp -d)
port_file=$work/port
python3 - "$port_file" <<'PY' &
import http.server, sys
class Sink(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *a): pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Sink)
open(sys.argv[1], "w").write(str(s.server_address[1]))
s.serve_forever()
PY
sink=$!
trap 'kill $sink 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do [ -s "$port_file" ] && break; sleep 0.1; done
port=$(cat "$port_file")
market='[provider.sim]
anomaly_rate = 0.3'
channel="[notify]
max_batch = 10
[notify.channels.sink]
kind = \"webhook\"
url = \"http://127.0.0.1:$port/hook\"
secret = \"bench\"
rate_limit = { calls = 0 }"
results=$work/results
echo "cores: $(nproc); tickers: $n; runs: $runs"
for i in $(seq "$runs"); do
    for setup in plain notify; do
        home=$work/home-$i-$setup
        mkdir -p "$home/cfg/optctl"
        if [ $setup = plain ]; then echo "$market" >"$home/cfg/optctl/config.toml"
        else printf '%s\n%s\n' "$market" "$channel" >"$home/cfg/optctl/config.toml"; fi
        XDG_CONFIG_HOME=$home/cfg /usr/bin/time -f "%e %M" -o "$home/time" \
            "$bin" --home "$home" --as-of 2026-11-23T15:00:00Z -q scan --no-notify \
            --tickers "$tickers" --json >"$home/scan.json"
        read -r wall _ <"$home/time"
        alerts=$(python3 -c "import json; print(json.load(open('$home/scan.json'))['alerts'])")
        echo "run $i scan ($setup): ${wall}s wall, $alerts alerts"
        echo "scan-$setup $wall" >>"$results"
    done
    home=$work/home-$i-notify
    XDG_CONFIG_HOME=$home/cfg /usr/bin/time -f "%e %M" -o "$home/time" \
        "$bin" --home "$home" --as-of 2026-11-23T15:00:00Z -q notify --json >"$home/notify.json"
    read -r wall rss <"$home/time"
    sent=$(python3 -c "import json; r=json.load(open('$home/notify.json')); print(r['items_sent'], r['messages_sent'])")
    echo "run $i notify: ${wall}s wall, $((rss / 1024)) MB peak RSS, items+messages sent: $sent"
    echo "drain $wall" >>"$results"
    rm -rf "$work"/home-"$i"-*
done
python3 - "$results" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
for kind in ("scan-plain", "scan-notify", "drain"):
    w = [float(r[1]) for r in rows if r[0] == kind]
    print(f"median {kind}: {statistics.median(w):.3f} s wall ({len(w)} runs)")
PY
