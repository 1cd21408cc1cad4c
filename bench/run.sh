#!/usr/bin/env bash
# bench/run.sh — crawl throughput of gongkai against peer tools, on one
# simulated fleet, in one run.
#
# Builds gongkai, serves a large simulated district (UNITS units, SCALE times
# the usual items per column) from a separate process, then crawls it with:
#   gongkai audit (politeness off: no delay, PER_HOST requests per host)
#   wget --spider -r        (Debian's wget)
#   linkinator --recurse    (npm linkinator@6)
#   linkchecker             (Debian's linkchecker)
# and prints requests, wall time, requests per second and peak RSS for each.
# Then it audits the same fleet politely (one request at a time per host,
# 100 ms delay) and compares the time with 1.2 x the largest unit's requests
# x the delay.
#
# Usage: bench/run.sh [--quick]     (--quick: 40 units, for a smoke test)
# Needs: go, /usr/bin/time, wget, linkchecker, linkinator (installs the
# missing ones with apt-get / npm when it can), python3 for the tables.
set -euo pipefail
cd "$(dirname "$0")/.."

UNITS=${UNITS:-200}
SCALE=${SCALE:-2}
PER_HOST=${PER_HOST:-4}
CONCURRENCY=${CONCURRENCY:-64}
DELAY_MS=${DELAY_MS:-100}
PEERS=${PEERS:-"wget linkinator linkchecker"}
if [ "${1:-}" = "--quick" ]; then UNITS=40; SCALE=1; fi

OUT=${OUT:-bench/out}
rm -rf "$OUT"; mkdir -p "$OUT"

need() { command -v "$1" >/dev/null 2>&1; }
if ! need wget || ! need linkchecker || [ ! -x /usr/bin/time ]; then
  (apt-get update -qq && apt-get install -y -qq wget linkchecker time) >/dev/null 2>&1 || true
fi
if ! need linkinator; then npm install -g linkinator@6 >/dev/null 2>&1 || true; fi

echo "== building gongkai"
go build -o "$OUT/gongkai" ./cmd/gongkai

echo "== serving the fleet: $UNITS units, scale $SCALE"
"$OUT/gongkai" sim --units "$UNITS" --scale "$SCALE" --units-out "$OUT/units.yaml" > "$OUT/sim.log" 2>&1 &
SIM=$!
trap 'kill $SIM 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do grep -q "press Ctrl-C" "$OUT/sim.log" 2>/dev/null && break; sleep 0.1; done
grep -q "press Ctrl-C" "$OUT/sim.log" || { cat "$OUT/sim.log"; exit 1; }
head -2 "$OUT/sim.log"
python3 - "$OUT/units.yaml" > "$OUT/urls.txt" <<'PY'
import re, sys
for line in open(sys.argv[1]):
    m = re.match(r"\s+url: (\S+)", line)
    if m: print(m.group(1))
PY
NURLS=$(wc -l < "$OUT/urls.txt")
echo "   $NURLS unit sites"

# measure NAME CMD... : runs CMD under /usr/bin/time, records wall seconds and peak RSS (KiB).
measure() {
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$OUT/$name.time" "$@" > "$OUT/$name.out" 2> "$OUT/$name.err" || true
}

echo "== gongkai audit (politeness off)"
measure gongkai "$OUT/gongkai" audit --units "$OUT/units.yaml" --db "$OUT/bench.db" --as-of 2026-03-01 --retries 0 --reach-attempts 1 \
  --delay 0 --per-host "$PER_HOST" --concurrency "$CONCURRENCY" --format json
sqlite3 "$OUT/bench.db" "select count(*) from fetches" > "$OUT/gongkai.count"

for peer in $PEERS; do
  case $peer in
  wget)
    echo "== wget --spider -r"
    measure wget wget --spider -r -l inf -nd -nv -e robots=on -t 1 -T 10 -i "$OUT/urls.txt"
    grep -c " URL:" "$OUT/wget.err" > "$OUT/wget.count" || echo 0 > "$OUT/wget.count"
    ;;
  linkinator)
    echo "== linkinator --recurse"
    measure linkinator linkinator $(cat "$OUT/urls.txt") --recurse --concurrency 100 --format csv --timeout 10000
    # one CSV row per link checked, after the header
    echo $(( $(wc -l < "$OUT/linkinator.out") - 1 )) > "$OUT/linkinator.count"
    ;;
  linkchecker)
    echo "== linkchecker"
    printf "[checking]\nthreads=20\nmaxrequestspersecond=10000\ntimeout=10\n" > "$OUT/linkcheckerrc"; chmod 644 "$OUT/linkcheckerrc"
    measure linkchecker linkchecker -f "$OUT/linkcheckerrc" --no-status --no-warnings --verbose -r -1 -o csv $(cat "$OUT/urls.txt")
    # one CSV row per URL checked, less comments and the header
    echo $(( $(grep -vc "^#" "$OUT/linkchecker.out") - 1 )) > "$OUT/linkchecker.count"
    ;;
  esac
done

echo "== gongkai audit, polite: 1 request per host, ${DELAY_MS} ms delay"
measure polite "$OUT/gongkai" audit --units "$OUT/units.yaml" --db "$OUT/polite.db" --as-of 2026-03-01 \
  --delay "${DELAY_MS}ms" --per-host 1 --concurrency "$CONCURRENCY" --format json
sqlite3 "$OUT/polite.db" "select count(*) from fetches" > "$OUT/polite.count"
sqlite3 "$OUT/polite.db" "select max(n) from (select count(*) n from fetches group by unit_id)" > "$OUT/polite.maxunit"

python3 - "$OUT" "$DELAY_MS" $PEERS <<'PY'
import os, sys
out, delay_ms, peers = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
def rd(name):
    wall, rss = open(os.path.join(out, name + ".time")).read().split()[-2:]
    n = int(open(os.path.join(out, name + ".count")).read().strip() or 0)
    return n, float(wall), int(rss) // 1024
rows = []
for name in ["gongkai"] + peers:
    try:
        n, wall, rss = rd(name)
    except Exception as e:
        print(f"{name}: no result ({e})"); continue
    rows.append((name, n, wall, n / wall if wall else 0, rss))
print()
print(f"| tool | requests | wall (s) | requests/s | peak RSS (MB) |")
print(f"|---|---:|---:|---:|---:|")
for name, n, wall, rate, rss in rows:
    print(f"| {name} | {n} | {wall:.1f} | {rate:.0f} | {rss} |")
peers_rates = [r[3] for r in rows if r[0] != "gongkai"]
if rows and rows[0][0] == "gongkai" and peers_rates:
    print(f"\ngongkai / fastest peer: {rows[0][3] / max(peers_rates):.2f}x")
n, wall, rss = rd("polite")
largest = int(open(os.path.join(out, "polite.maxunit")).read().strip())
bound = 1.2 * largest * delay_ms / 1000
print(f"\npolite audit: {n} requests in {wall:.1f} s, peak RSS {rss} MB; largest unit {largest} requests;"
      f" bound 1.2 x {largest} x {delay_ms} ms = {bound:.1f} s -> {'within' if wall <= bound else 'OVER'}")
PY
