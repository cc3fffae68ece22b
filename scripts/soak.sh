#!/usr/bin/env bash
# Soak test with faults: every optctl job at once on one data home, under HTTP load,
# with a random process SIGKILLed every few seconds; then checks that nothing was lost
# or corrupted (see examples/soak.rs for the list of targets). Exits non-zero when a
# target is missed.
#
#   scripts/soak.sh [--seconds 60] [--release] [--conns 32] [--json FILE] [--old-scans N]
#                    [--full-disk auto|on|off] [--store postgres://user@host/db [--keep-db]]
#
# --store runs every job on PostgreSQL: in a database of the soak's own that it creates on
# that server (the URL's database is only where it connects to) and drops at the end
# unless --keep-db. Otherwise only ever talks to 127.0.0.1. Needs nothing but cargo.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=60
profile=debug
extra=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --seconds) seconds="$2"; shift 2 ;;
        --release) profile=release; shift ;;
        --conns|--json|--old-scans|--full-disk|--store) extra+=("$1" "$2"); shift 2 ;;
        --keep-db) extra+=("$1"); shift ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) echo "soak.sh: unknown argument $1 (try --help)" >&2; exit 2 ;;
    esac
done

flags=()
[[ $profile == release ]] && flags+=(--release)
cargo build -q "${flags[@]}" --bin optctl --example soak --example make_excel_fixtures

variants=target/soak-variants
for seed in 1 2 3; do
    if [[ ! -f $variants/$seed/Live.xlsx ]]; then
        "target/$profile/examples/make_excel_fixtures" "$variants/$seed" --seed "$seed" >/dev/null
    fi
done

exec "target/$profile/examples/soak" --bin "target/$profile/optctl" --variants "$variants" \
    --seconds "$seconds" "${extra[@]}"
