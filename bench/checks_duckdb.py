"""The yardstick of the cross-check benchmark (issue 5): DuckDB executing the equivalent SQL of
every rule of cross-checks.md over the same CSV files.

Usage: python3 checks_duckdb.py DATA_DIR OUT_FINDINGS_CSV
Prints `load_seconds rules_seconds findings` on the last line. The findings written are the set
(rule, subject_kind, subject_id, village_code), sorted, for comparison with Jingzhun's.

The SQL is written as a careful SQL author would: hash joins on equalities; R15 finds ID numbers
one character apart by joining on the name with each third of the number left out (two
18-character strings one character apart agree on two of the three blocks of six), as the Rust
rule does; a plain self-join on the name would be quadratic per name.
"""

import sys
import time

import duckdb

data, out = sys.argv[1], sys.argv[2]
con = duckdb.connect()

SOURCES = [
    "households", "persons", "public_employees", "vehicles", "businesses", "deaths",
    "urban_housing", "cadres", "cadre_kin", "students", "insured", "payments",
]

t0 = time.perf_counter()
for name in SOURCES:
    con.execute(
        f"CREATE TABLE {name} AS SELECT * FROM read_csv('{data}/{name}.csv', header = true, "
        "all_varchar = true, quote = '\"', escape = '\"')"
    )
t1 = time.perf_counter()

TRUE = "('是', 'true', '1', 'y', 'yes')"
RULES = f"""
CREATE TEMP TABLE hh AS
SELECT household_id, village_code,
       CAST(round(CAST(annual_net_income AS DECIMAL(18, 2)) * 100) AS BIGINT) AS income_fen,
       CAST(income_year AS INTEGER) AS income_year,
       lower(housing_safe) IN {TRUE} AS housing_safe,
       lower(water_safe) IN {TRUE} AS water_safe,
       status IN ('exited', '已脱贫') AS exited,
       status IN ('registered', '在册', '在册未脱贫', 'monitored', '监测对象', 'exited', '已脱贫') AS active
FROM households;

CREATE TEMP TABLE pp AS
SELECT p.id_number, p.name, p.household_id, CAST(p.birth_date AS DATE) AS birth,
       p.school_status, h.village_code, h.active
FROM persons p JOIN hh h USING (household_id);

CREATE TEMP TABLE ap AS SELECT * FROM pp WHERE active;

-- A person's home: the active household with the lowest number, else any with the lowest.
CREATE TEMP TABLE home AS
SELECT DISTINCT ON (id_number) id_number, household_id, village_code
FROM pp ORDER BY id_number, NOT active, household_id;

CREATE TEMP TABLE params AS
SELECT max(income_year) AS year, make_date(max(income_year), 9, 1) AS ref FROM hh;

CREATE TEMP TABLE findings AS
-- R02
SELECT 'R02' AS rule, 'person' AS subject_kind, a.id_number AS subject_id, h.village_code
FROM (SELECT id_number FROM ap GROUP BY id_number HAVING count(DISTINCT household_id) >= 2) a
JOIN home h USING (id_number)
UNION ALL
-- R03
SELECT 'R03', 'person', a.id_number, h.village_code
FROM (SELECT DISTINCT id_number FROM ap SEMI JOIN public_employees e USING (id_number)) a
JOIN home h USING (id_number)
UNION ALL
-- R04
SELECT DISTINCT 'R04', 'household', ap.household_id, ap.village_code
FROM ap JOIN vehicles v ON v.owner_id_number = ap.id_number
WHERE lower(v.vehicle_type) IN ('car', '小汽车', '轿车', '小型汽车')
UNION ALL
-- R05
SELECT DISTINCT 'R05', 'household', ap.household_id, ap.village_code
FROM ap JOIN businesses b ON b.legal_rep_id_number = ap.id_number
WHERE CAST(b.registered_capital AS DECIMAL(18, 2)) >= 100000
UNION ALL
-- R06
SELECT DISTINCT 'R06', 'household', ap.household_id, ap.village_code
FROM ap JOIN urban_housing u ON u.owner_id_number = ap.id_number
UNION ALL
-- R07
SELECT 'R07', 'person', a.id_number, h.village_code
FROM (SELECT DISTINCT id_number FROM ap SEMI JOIN deaths d USING (id_number)) a
JOIN home h USING (id_number)
UNION ALL
-- R08
SELECT 'R08', 'person', a.id_number, h.village_code
FROM (
  SELECT ap.id_number FROM ap JOIN cadres c ON c.id_number = ap.id_number AND c.village_code = ap.village_code
  UNION
  SELECT ap.id_number FROM ap
  JOIN cadre_kin k ON k.relative_id_number = ap.id_number
  JOIN cadres c ON c.id_number = k.cadre_id_number AND c.village_code = ap.village_code
) a JOIN home h USING (id_number)
UNION ALL
-- R09
SELECT 'R09', 'household', hh.household_id, hh.village_code
FROM hh
LEFT JOIN (SELECT household_id, count(*) AS n FROM pp GROUP BY household_id) m USING (household_id)
LEFT JOIN (VALUES (2015, 2855), (2016, 3100), (2020, 4000)) AS line(year, yuan) ON line.year = hh.income_year
WHERE hh.exited AND (
  (line.yuan IS NOT NULL AND hh.income_fen < line.yuan * 100 * coalesce(m.n, 0))
  OR NOT hh.housing_safe OR NOT hh.water_safe)
UNION ALL
-- R10
SELECT 'R10', 'person', a.id_number, h.village_code
FROM (
  SELECT ap.id_number FROM ap, params
  GROUP BY ap.id_number, params.ref
  HAVING year(params.ref) - year(any_value(ap.birth))
           - CASE WHEN month(params.ref) * 100 + day(params.ref)
                     < month(any_value(ap.birth)) * 100 + day(any_value(ap.birth)) THEN 1 ELSE 0 END
         BETWEEN 6 AND 15
     AND NOT bool_or(coalesce(ap.school_status IN ('送教上门', 'home_taught'), false))
) a
JOIN home h USING (id_number)
WHERE a.id_number NOT IN (SELECT id_number FROM students WHERE lower(status) IN ('enrolled', '在读', '在籍'))
UNION ALL
-- R11
SELECT 'R11', 'person', a.id_number, h.village_code
FROM (SELECT DISTINCT id_number FROM ap) a
JOIN home h USING (id_number)
WHERE a.id_number NOT IN (
  SELECT id_number FROM insured, params WHERE CAST(insured.year AS INTEGER) = params.year)
UNION ALL
-- R12
SELECT 'R12', 'payment', p.payment_id, h.village_code
FROM payments p
JOIN (SELECT id_number, min(death_date) AS died FROM deaths GROUP BY id_number) d
  ON d.id_number = p.payee_id_number
LEFT JOIN home h ON h.id_number = p.payee_id_number
WHERE p.paid_on > d.died
UNION ALL
-- R13
SELECT 'R13', 'payment', payment_id, village_code FROM (
  SELECT p.payment_id, h.village_code,
         row_number() OVER (PARTITION BY p.payee_id_number, p.program, substr(p.paid_on, 1, 7)
                            ORDER BY p.paid_on, p.payment_id) AS k
  FROM payments p LEFT JOIN home h ON h.id_number = p.payee_id_number
) WHERE k > 1
UNION ALL
-- R14
SELECT 'R14', 'account', account_no, min(village_code)
FROM (
  SELECT p.account_no, h.village_code, coalesce(h.household_id, 'outside:' || p.payee_id_number) AS hk
  FROM payments p LEFT JOIN home h ON h.id_number = p.payee_id_number
)
GROUP BY account_no HAVING count(DISTINCT hk) >= 3
UNION ALL
-- R15
SELECT 'R15', 'person_pair', x || '|' || y, h.village_code
FROM (
  WITH u AS (
    SELECT DISTINCT ON (id_number) id_number, name, birth FROM ap ORDER BY id_number, household_id
  )
  SELECT a.id_number AS x, b.id_number AS y FROM u a JOIN u b
    ON a.name = b.name AND a.birth = b.birth AND a.id_number < b.id_number
  UNION
  SELECT a.id_number, b.id_number FROM u a JOIN u b
    ON a.name = b.name AND substr(a.id_number, 7, 12) = substr(b.id_number, 7, 12)
   AND a.id_number < b.id_number WHERE hamming(a.id_number, b.id_number) = 1
  UNION
  SELECT a.id_number, b.id_number FROM u a JOIN u b
    ON a.name = b.name AND substr(a.id_number, 1, 6) = substr(b.id_number, 1, 6)
   AND substr(a.id_number, 13, 6) = substr(b.id_number, 13, 6)
   AND a.id_number < b.id_number WHERE hamming(a.id_number, b.id_number) = 1
  UNION
  SELECT a.id_number, b.id_number FROM u a JOIN u b
    ON a.name = b.name AND substr(a.id_number, 1, 12) = substr(b.id_number, 1, 12)
   AND a.id_number < b.id_number WHERE hamming(a.id_number, b.id_number) = 1
) pairs JOIN home h ON h.id_number = pairs.x;
"""
for statement in RULES.split(";\n"):
    if statement.strip():
        con.execute(statement)
n = con.execute("SELECT count(*) FROM findings").fetchone()[0]
t2 = time.perf_counter()

con.execute(
    f"COPY (SELECT rule, subject_kind, subject_id, coalesce(village_code, '') AS village_code "
    f"FROM findings ORDER BY rule, subject_id) TO '{out}' (HEADER, DELIMITER ',')"
)
print(f"{t1 - t0:.3f} {t2 - t1:.3f} {n}")
