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
# x the delay. Last it measures storage: the politeness-off audit again,
# alternating with and without storing the evidence (hidden flag
# --skip-evidence; scores and findings are stored either way) REPEAT times
# each, the database's size, and how long `problems` and `ranking` take on it;
# then HISTORY audits into one database, its bytes per audit and per unit
# (evidence against findings and scores, `gongkai db stats`) before and
# after `gongkai db prune --keep 1`, and how long prune, backup and check take.
# The dist stage (not in the default STAGES) measures distributed audits on
# a politeness-bound fleet of its own (DIST_UNITS units, one request at a
# time per host, DIST_DELAY_MS between requests): the single-process audit,
# then `audit --nats` with 1, 2 and 4 `gongkai worker`s (DIST_WORKERS) on a
# local nats-server -js, and prints a table.
# The office stage (not in the default STAGES) measures the office outputs
# on a demo audit of OFFICE_UNITS units (53: the sim then has 47 units that
# lost points, so 47 deduction notices): the whole workbook (export
# --per-unit), 47 PDF notices (notices --pdf: one Chromium, two tabs
# reused), and the same with a picture of every evidence page
# (--screenshots), each OFFICE_REPEAT times; it needs Debian's chromium.
#
# The content stage (not in the default STAGES) measures what the content
# checks cost on the same fleet: the politeness-off audit with a ruleset
# without them, with the default ruleset reading no attachments
# (--max-attachments 0: the pages' text only), and with the default ruleset
# (the sim's attachments read too), alternating, CONTENT_REPEAT times each.
#
# Usage: bench/run.sh [--quick]     (--quick: 40 units, for a smoke test)
#        STAGES="storage" bench/run.sh   (only some of: crawl peers polite storage dist)
#        STAGES=dist bench/run.sh         (distributed audits; needs nats-server)
#        STAGES=office bench/run.sh       (workbook, PDF notices, screenshots; needs chromium)
#        STAGES=content bench/run.sh      (what the content checks add to an audit)
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
STAGES=${STAGES:-"crawl peers polite storage"}
REPEAT=${REPEAT:-5}
HISTORY=${HISTORY:-3}                # audits in the database whose size per audit and unit is measured
DIST_UNITS=${DIST_UNITS:-400}
DIST_DELAY_MS=${DIST_DELAY_MS:-200}
DIST_WORKERS=${DIST_WORKERS:-"1 2 4"}
DIST_JOBS=${DIST_JOBS:-256}          # units in flight per worker (the single process's default with delays)
DIST_CONCURRENCY=${DIST_CONCURRENCY:-64}
OFFICE_UNITS=${OFFICE_UNITS:-53}
OFFICE_REPEAT=${OFFICE_REPEAT:-3}
CONTENT_REPEAT=${CONTENT_REPEAT:-3}
stage() { [[ " $STAGES " == *" $1 "* ]]; }
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

PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT
if stage crawl || stage peers || stage polite || stage storage || stage content; then
echo "== serving the fleet: $UNITS units, scale $SCALE"
"$OUT/gongkai" sim --units "$UNITS" --scale "$SCALE" --units-out "$OUT/units.yaml" > "$OUT/sim.log" 2>&1 &
PIDS+=($!)
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
fi

# measure NAME CMD... : runs CMD under /usr/bin/time, records wall seconds and peak RSS (KiB).
measure() {
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$OUT/$name.time" "$@" > "$OUT/$name.out" 2> "$OUT/$name.err" || true
}

FLATOUT=(--as-of 2026-03-01 --retries 0 --reach-attempts 1 --delay 0 --per-host "$PER_HOST" --concurrency "$CONCURRENCY" --format json)
if stage crawl; then
  echo "== gongkai audit (politeness off)"
  measure gongkai "$OUT/gongkai" audit --units "$OUT/units.yaml" --db "$OUT/bench.db" "${FLATOUT[@]}"
  sqlite3 "$OUT/bench.db" "select count(*) from fetches" > "$OUT/gongkai.count"
fi

stage peers || PEERS=""
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

if stage polite; then
  echo "== gongkai audit, polite: 1 request per host, ${DELAY_MS} ms delay"
  measure polite "$OUT/gongkai" audit --units "$OUT/units.yaml" --db "$OUT/polite.db" --as-of 2026-03-01 \
    --delay "${DELAY_MS}ms" --per-host 1 --concurrency "$CONCURRENCY" --format json
  sqlite3 "$OUT/polite.db" "select count(*) from fetches" > "$OUT/polite.count"
  sqlite3 "$OUT/polite.db" "select max(n) from (select count(*) n from fetches group by unit_id)" > "$OUT/polite.maxunit"
fi

if stage storage; then
  echo "== storage: $REPEAT audits with evidence and $REPEAT without, alternating"
  for i in $(seq 1 "$REPEAT"); do
    rm -f "$OUT"/store.db*; measure "store-with-$i" "$OUT/gongkai" audit --units "$OUT/units.yaml" --db "$OUT/store.db" "${FLATOUT[@]}"
    rm -f "$OUT"/nostore.db*; measure "store-without-$i" "$OUT/gongkai" audit --units "$OUT/units.yaml" --db "$OUT/nostore.db" "${FLATOUT[@]}" --skip-evidence
  done
  sqlite3 "$OUT/store.db" "pragma wal_checkpoint(truncate)" > /dev/null
  sqlite3 "$OUT/store.db" "select count(*) from fetches" > "$OUT/store.fetches"
  stat -c %s "$OUT/store.db" > "$OUT/store.size"
  for i in $(seq 1 "$REPEAT"); do
    measure "problems-$i" "$OUT/gongkai" problems --db "$OUT/store.db" --format json
    measure "ranking-$i" "$OUT/gongkai" ranking --db "$OUT/store.db" --format json
  done
  echo "== storage: database size per audit and unit: $HISTORY audits into one database, then db prune --keep 1"
  rm -f "$OUT"/hist.db* "$OUT"/hist-backup.db
  for i in $(seq 1 "$HISTORY"); do
    "$OUT/gongkai" audit --units "$OUT/units.yaml" --db "$OUT/hist.db" "${FLATOUT[@]}" > /dev/null 2> "$OUT/hist-$i.err"
  done
  "$OUT/gongkai" db stats --db "$OUT/hist.db" --format json > "$OUT/hist-before.json"
  measure prune "$OUT/gongkai" db prune --db "$OUT/hist.db" --keep 1
  "$OUT/gongkai" db stats --db "$OUT/hist.db" --format json > "$OUT/hist-after.json"
  measure backup "$OUT/gongkai" db backup --db "$OUT/hist.db" --out "$OUT/hist-backup.db"
  measure check "$OUT/gongkai" db check --db "$OUT/hist-backup.db"
fi

if stage content; then
  echo "== content: $CONTENT_REPEAT audits each without the content checks, with them on pages only, with attachments"
  rm -rf "$OUT/rules-nocontent"
  "$OUT/gongkai" rules dump "$OUT/rules-nocontent" > /dev/null
  python3 - "$OUT/rules-nocontent/checks.yaml" <<'PY'
import re, sys
p = sys.argv[1]
s = open(p).read()
s = re.sub(r"  - id: content\.[^\n]*\n(    [^\n]*\n)*", "", s)
open(p, "w").write(s)
PY
  "$OUT/gongkai" rules check "$OUT/rules-nocontent" > /dev/null
  for i in $(seq 1 "$CONTENT_REPEAT"); do
    for v in none pages files; do
      case $v in
      none) extra=(--rules "$OUT/rules-nocontent") ;;
      pages) extra=(--max-attachments 0) ;;
      files) extra=() ;;
      esac
      rm -f "$OUT"/content-"$v".db*
      measure "content-$v-$i" "$OUT/gongkai" audit --units "$OUT/units.yaml" --db "$OUT/content-$v.db" "${FLATOUT[@]}" ${extra[@]+"${extra[@]}"}
      sqlite3 "$OUT/content-$v.db" "select count(*) from fetches" > "$OUT/content-$v-$i.count"
      sqlite3 "$OUT/content-$v.db" "select count(*) from findings where kind like 'content.%'" > "$OUT/content-$v-$i.findings"
      sqlite3 "$OUT/content-$v.db" "select count(*), coalesce(sum(size), 0) from fetches where role = 'attachment'" > "$OUT/content-$v-$i.attach"
    done
  done
fi

if stage dist; then
  NATS_BIN=$(command -v nats-server || echo /usr/sbin/nats-server)
  [ -x "$NATS_BIN" ] || (apt-get update -qq && apt-get install -y -qq nats-server) >/dev/null 2>&1 || true
  NATS_BIN=$(command -v nats-server || echo /usr/sbin/nats-server)
  echo "== dist: serving a politeness-bound fleet of $DIST_UNITS units (1 request per host, ${DIST_DELAY_MS} ms delay)"
  "$OUT/gongkai" sim --units "$DIST_UNITS" --units-out "$OUT/dist-units.raw.yaml" > "$OUT/dist-sim.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 600); do grep -q "press Ctrl-C" "$OUT/dist-sim.log" 2>/dev/null && break; sleep 0.1; done
  grep -q "press Ctrl-C" "$OUT/dist-sim.log" || { cat "$OUT/dist-sim.log"; exit 1; }
  # The fleet's crawl block: one request at a time per host, the delay.
  python3 - "$OUT/dist-units.raw.yaml" "$DIST_DELAY_MS" "$DIST_CONCURRENCY" > "$OUT/dist-units.yaml" <<'PY'
import re, sys
src, delay, conc = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(src).read()
block = f"crawl:\n    delay: {delay}ms\n    parallelism: 1\n    concurrency: {conc}\n"
text = re.sub(r"(?m)^crawl:\n(?:    .*\n)*", block, text, count=1)
print(text, end="")
PY
  grep -A3 "^crawl:" "$OUT/dist-units.yaml"
  DARGS=(--units "$OUT/dist-units.yaml" --as-of 2026-03-01 --format json)
  echo "== dist: single-process audit"
  measure dist-single "$OUT/gongkai" audit "${DARGS[@]}" --db "$OUT/dist-single.db"
  NATS_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  rm -rf "$OUT/nats-js"
  "$NATS_BIN" -js -a 127.0.0.1 -p "$NATS_PORT" -sd "$OUT/nats-js" > "$OUT/nats.log" 2>&1 &
  NATS_PID=$!
  PIDS+=($NATS_PID)
  sleep 1
  for n in $DIST_WORKERS; do
    echo "== dist: coordinator + $n worker(s)"
    WPIDS=()
    for i in $(seq 1 "$n"); do
      "$OUT/gongkai" worker --nats "nats://127.0.0.1:$NATS_PORT" --name "w$i" --jobs "$DIST_JOBS" --concurrency "$DIST_CONCURRENCY" > "$OUT/dist-w$n-$i.log" 2>&1 &
      WPIDS+=($!); PIDS+=($!)
    done
    sleep 1
    measure "dist-$n" "$OUT/gongkai" audit "${DARGS[@]}" --db "$OUT/dist-$n.db" --nats "nats://127.0.0.1:$NATS_PORT"
    for p in "${WPIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  done
  kill "$NATS_PID" 2>/dev/null || true
  for db in "$OUT"/dist-single.db "$OUT"/dist-[0-9]*.db; do
    [ -f "$db" ] || continue
    sqlite3 "$db" "select count(*) from fetches" > "${db%.db}.count"
    sqlite3 "$db" "select max(n) from (select count(*) n from fetches group by unit_id)" > "${db%.db}.maxunit"
    sqlite3 "$db" "select count(*) from findings" > "${db%.db}.findings"
  done
fi

if stage office; then
  command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium fonts-wqy-microhei) >/dev/null 2>&1 || true
  echo "== office: demo audit of $OFFICE_UNITS units"
  "$OUT/gongkai" demo --units "$OFFICE_UNITS" --db "$OUT/office.db" > "$OUT/office-demo.log" 2>&1
  for i in $(seq 1 "$OFFICE_REPEAT"); do
    measure "office-xlsx-$i" "$OUT/gongkai" export --db "$OUT/office.db" --per-unit --out "$OUT/office-$i.xlsx"
    rm -rf "$OUT/office-pdf-$i"
    measure "office-pdf-$i" "$OUT/gongkai" notices --db "$OUT/office.db" --out "$OUT/office-pdf-$i" --pdf
    ls "$OUT/office-pdf-$i"/notice-*.pdf | wc -l > "$OUT/office-pdf-$i.count"
    rm -rf "$OUT/office-shots-$i"
    measure "office-shots-$i" "$OUT/gongkai" notices --db "$OUT/office.db" --out "$OUT/office-shots-$i" --pdf --screenshots
    ls "$OUT/office-shots-$i"/notice-*.pdf | wc -l > "$OUT/office-shots-$i.count"
  done
  grep -h "problems show a picture" "$OUT"/office-shots-1.out > "$OUT/office-shots.pictures" || true
  sqlite3 "$OUT/office.db" "select count(*) from findings" > "$OUT/office.findings"
fi

python3 - "$OUT" "$DELAY_MS" $PEERS <<'PY'
import os, sys
out, delay_ms, peers = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
def rd(name):
    wall, rss = open(os.path.join(out, name + ".time")).read().split()[-2:]
    n = int(open(os.path.join(out, name + ".count")).read().strip() or 0)
    return n, float(wall), int(rss) // 1024
def wall(name):
    return float(open(os.path.join(out, name + ".time")).read().split()[-2])
def median(xs):
    xs = sorted(xs); n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2
rows = []
for name in ["gongkai"] + peers:
    try:
        n, w, rss = rd(name)
    except Exception as e:
        if name != "gongkai": print(f"{name}: no result ({e})")
        continue
    rows.append((name, n, w, n / w if w else 0, rss))
if rows:
    print()
    print(f"| tool | requests | wall (s) | requests/s | peak RSS (MB) |")
    print(f"|---|---:|---:|---:|---:|")
    for name, n, w, rate, rss in rows:
        print(f"| {name} | {n} | {w:.1f} | {rate:.0f} | {rss} |")
peers_rates = [r[3] for r in rows if r[0] != "gongkai"]
if rows and rows[0][0] == "gongkai" and peers_rates:
    print(f"\ngongkai / fastest peer: {rows[0][3] / max(peers_rates):.2f}x")
if os.path.exists(os.path.join(out, "content-none-1.time")):
    print("\n| content checks | requests | content findings | attachments read (MB) | wall (s, median) | vs without |")
    print("|---|---:|---:|---:|---:|---:|")
    base = None
    for v, label in [("none", "without (ruleset without them)"), ("pages", "pages only (--max-attachments 0)"), ("files", "pages and attachments (default)")]:
        walls, i = [], 1
        while os.path.exists(os.path.join(out, f"content-{v}-{i}.time")):
            walls.append(wall(f"content-{v}-{i}")); i += 1
        w = median(walls)
        n = int(open(os.path.join(out, f"content-{v}-1.count")).read().strip())
        f = int(open(os.path.join(out, f"content-{v}-1.findings")).read().strip())
        a, size = open(os.path.join(out, f"content-{v}-1.attach")).read().strip().split("|")
        base = base or w
        print(f"| {label} | {n} | {f} | {a} ({int(size) / 1e6:.1f}) | {w:.2f} ({' '.join(f'{x:.2f}' for x in walls)}) | {100 * (w - base) / base:+.1f}% |")
if os.path.exists(os.path.join(out, "polite.time")):
    n, w, rss = rd("polite")
    largest = int(open(os.path.join(out, "polite.maxunit")).read().strip())
    bound = 1.2 * largest * delay_ms / 1000
    print(f"\npolite audit: {n} requests in {w:.1f} s, peak RSS {rss} MB; largest unit {largest} requests;"
          f" bound 1.2 x {largest} x {delay_ms} ms = {bound:.1f} s -> {'within' if w <= bound else 'OVER'}")
if os.path.exists(os.path.join(out, "store.size")):
    k = len([f for f in os.listdir(out) if f.startswith("store-with-") and f.endswith(".time")])
    with_ = [wall(f"store-with-{i}") for i in range(1, k + 1)]
    without = [wall(f"store-without-{i}") for i in range(1, k + 1)]
    mw, mo = median(with_), median(without)
    fetches = int(open(os.path.join(out, "store.fetches")).read())
    size = int(open(os.path.join(out, "store.size")).read()) / 1e6
    prob = [wall(f"problems-{i}") * 1000 for i in range(1, k + 1)]
    rank = [wall(f"ranking-{i}") * 1000 for i in range(1, k + 1)]
    print(f"\nstorage: audit of {fetches} fetches, median of {k}: {mw:.2f} s storing the evidence,"
          f" {mo:.2f} s without -> +{(mw / mo - 1) * 100:.1f}% (runs: {' '.join(f'{x:.1f}' for x in with_)} vs"
          f" {' '.join(f'{x:.1f}' for x in without)})")
    print(f"database: {size:.1f} MB; problems {median(prob):.0f} ms, ranking {median(rank):.0f} ms (median, whole command)")
if os.path.exists(os.path.join(out, "hist-after.json")):
    import json
    def stats(name):
        return json.load(open(os.path.join(out, name)))
    b, a = stats("hist-before.json"), stats("hist-after.json")
    ev, jd = "evidence", "findings and scores"
    print(f"\ndatabase size: {b['audits']} audits of {b['units_per_audit']:.0f} units (MB = 10^6 bytes; evidence per audit and unit whose evidence is kept)")
    print("| database | file (MB) | evidence (MB) | findings and scores (MB) | other (MB) | evidence per audit (MB) | evidence per unit (kB) | findings and scores per audit (MB) | per unit (kB) | units with evidence |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, s in [(f"{b['audits']} audits", b), ("after db prune --keep 1", a)]:
        g = s["groups"]
        print(f"| {label} | {s['page_size'] * s['pages'] / 1e6:.1f} | {g.get(ev, 0) / 1e6:.1f} | {g.get(jd, 0) / 1e6:.2f} | {g.get('other', 0) / 1e6:.2f} |"
              f" {s['evidence_per_audit'] / 1e6:.2f} | {s['evidence_per_unit'] / 1e3:.1f} | {s['judgement_per_audit'] / 1e6:.3f} |"
              f" {s['judgement_per_unit'] / 1e3:.2f} | {s['units_kept']} of {s['units_kept'] + s['units_pruned']} |")
    print(f"db prune {wall('prune'):.2f} s, db backup {wall('backup'):.2f} s, db check of the copy {wall('check'):.2f} s (whole command)")
if os.path.exists(os.path.join(out, "office-xlsx-1.time")):
    k = len([f for f in os.listdir(out) if f.startswith("office-xlsx-") and f.endswith(".time")])
    def stats(prefix):
        ws = [wall(f"{prefix}-{i}") for i in range(1, k + 1)]
        rss = max(int(open(os.path.join(out, f"{prefix}-{i}.time")).read().split()[-1]) // 1024 for i in range(1, k + 1))
        return median(ws), ws, rss
    findings = open(os.path.join(out, "office.findings")).read().strip() if os.path.exists(os.path.join(out, "office.findings")) else "?"
    print(f"\noffice outputs (demo audit, {findings} findings; median of {k}, whole command incl. process and browser start):")
    print("| output | files | wall (s) | runs (s) | peak RSS of gongkai (MB) |")
    print("|---|---:|---:|---|---:|")
    m, ws, rss = stats("office-xlsx")
    print(f"| workbook (export --per-unit) | 1 | {m:.2f} | {' '.join(f'{x:.2f}' for x in ws)} | {rss} |")
    for prefix, label in (("office-pdf", "PDF notices (notices --pdf)"), ("office-shots", "PDF notices with evidence pictures (--pdf --screenshots)")):
        n = open(os.path.join(out, f"{prefix}-1.count")).read().strip()
        m, ws, rss = stats(prefix)
        print(f"| {label} | {n} | {m:.1f} | {' '.join(f'{x:.1f}' for x in ws)} | {rss} |")
    if os.path.exists(os.path.join(out, "office-shots.pictures")):
        print(open(os.path.join(out, "office-shots.pictures")).read().strip())
if os.path.exists(os.path.join(out, "dist-single.time")):
    base = wall("dist-single")
    largest = int(open(os.path.join(out, "dist-single.maxunit")).read().strip() or 0)
    print(f"\ndistributed audits (politeness-bound fleet; largest unit {largest} requests):")
    print("| audit | requests | findings | wall (s) | vs single process | peak RSS coordinator (MB) |")
    print("|---|---:|---:|---:|---:|---:|")
    names = ["dist-single"] + sorted((f[:-5] for f in os.listdir(out) if f.startswith("dist-") and f.endswith(".time") and f != "dist-single.time"), key=lambda n: int(n.split("-")[1]))
    for name in names:
        try:
            n, w, rss = rd(name)
            fnd = open(os.path.join(out, name + ".findings")).read().strip()
        except Exception as e:
            print(f"{name}: no result ({e})"); continue
        label = "single process" if name == "dist-single" else f"coordinator + {name.split('-')[1]} worker(s)"
        print(f"| {label} | {n} | {fnd} | {w:.1f} | {(w / base - 1) * 100:+.1f}% | {rss} |")
PY
