-- Other departments' data (interchange.md) and the cross-checks run over it (cross-checks.md).
--
-- One table per source holds its current copy: an import replaces every row. `line` is the
-- row's line in the imported file (evidence names it). Dates are ISO text (YYYY-MM-DD, so
-- they compare as text); money (registered_capital, amount) is in fen.

CREATE TABLE source_public_employees (
    line INTEGER NOT NULL,
    id_number TEXT,
    name TEXT,
    employer TEXT
);
CREATE TABLE source_vehicles (
    line INTEGER NOT NULL,
    owner_id_number TEXT,
    plate TEXT,
    vehicle_type TEXT,
    registered_on TEXT
);
CREATE TABLE source_businesses (
    line INTEGER NOT NULL,
    legal_rep_id_number TEXT,
    company_name TEXT,
    registered_capital INTEGER
);
CREATE TABLE source_deaths (
    line INTEGER NOT NULL,
    id_number TEXT,
    death_date TEXT
);
CREATE TABLE source_urban_housing (
    line INTEGER NOT NULL,
    owner_id_number TEXT,
    city TEXT,
    area_m2 TEXT,
    registered_on TEXT
);
CREATE TABLE source_cadres (
    line INTEGER NOT NULL,
    id_number TEXT,
    name TEXT,
    village_code TEXT,
    role TEXT
);
CREATE TABLE source_cadre_kin (
    line INTEGER NOT NULL,
    cadre_id_number TEXT,
    relative_id_number TEXT,
    relation TEXT
);
CREATE TABLE source_students (
    line INTEGER NOT NULL,
    id_number TEXT,
    school_name TEXT,
    grade TEXT,
    status TEXT
);
CREATE TABLE source_insured (
    line INTEGER NOT NULL,
    id_number TEXT,
    year INTEGER
);
CREATE TABLE source_payments (
    line INTEGER NOT NULL,
    payment_id TEXT,
    payee_id_number TEXT,
    program TEXT,
    amount INTEGER,
    paid_on TEXT,
    account_no TEXT
);

-- The import each source's current copy came from.
CREATE TABLE source_imports (
    kind      TEXT PRIMARY KEY,
    import_id INTEGER NOT NULL REFERENCES imports (id),
    rows      INTEGER NOT NULL
);

CREATE TABLE check_runs (
    id          INTEGER PRIMARY KEY,
    actor       TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    -- Comma-separated area codes the run was confined to; NULL: everywhere.
    within_areas TEXT,
    rules       TEXT NOT NULL,
    -- JSON: check year, poverty lines, capital threshold.
    params      TEXT NOT NULL,
    -- JSON: each source used, with its import (digest, file, when).
    sources     TEXT NOT NULL,
    notes       TEXT NOT NULL DEFAULT '',
    findings    INTEGER NOT NULL DEFAULT 0,
    new_leads   INTEGER NOT NULL DEFAULT 0,
    still_open  INTEGER NOT NULL DEFAULT 0,
    gone        INTEGER NOT NULL DEFAULT 0
);

-- A lead (疑点) is one (rule, subject) across runs. state: open (found by the latest run that
-- looked), gone (a later run no longer found it), confirmed or explained (verified by an
-- officer; never changed by a run).
CREATE TABLE leads (
    id           INTEGER PRIMARY KEY,
    rule         TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_id   TEXT NOT NULL,
    village_code TEXT REFERENCES areas (code),
    detail       TEXT NOT NULL,
    evidence     TEXT NOT NULL,
    state        TEXT NOT NULL,
    first_run    INTEGER NOT NULL REFERENCES check_runs (id),
    opened_run   INTEGER NOT NULL REFERENCES check_runs (id),
    last_run     INTEGER NOT NULL REFERENCES check_runs (id),
    gone_run     INTEGER REFERENCES check_runs (id),
    action       TEXT,
    note         TEXT,
    verified_by  TEXT,
    verified_at  TEXT,
    version      INTEGER NOT NULL DEFAULT 0,
    UNIQUE (rule, subject_kind, subject_id)
);
CREATE INDEX leads_village ON leads (village_code, state);
CREATE INDEX leads_subject ON leads (subject_id);
