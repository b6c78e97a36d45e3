-- Other departments' data (interchange.md) and the cross-checks run over it (cross-checks.md).
--
-- One table per source holds its current copy: an import replaces every row. `line` is the
-- row's line in the imported file (evidence names it). Dates are ISO text (YYYY-MM-DD, so
-- they compare as text); money (registered_capital, amount) is in fen.

CREATE TABLE source_public_employees (
    line BIGINT NOT NULL,
    id_number TEXT,
    name TEXT,
    employer TEXT
);
CREATE TABLE source_vehicles (
    line BIGINT NOT NULL,
    owner_id_number TEXT,
    plate TEXT,
    vehicle_type TEXT,
    registered_on TEXT
);
CREATE TABLE source_businesses (
    line BIGINT NOT NULL,
    legal_rep_id_number TEXT,
    company_name TEXT,
    registered_capital BIGINT
);
CREATE TABLE source_deaths (
    line BIGINT NOT NULL,
    id_number TEXT,
    death_date TEXT
);
CREATE TABLE source_urban_housing (
    line BIGINT NOT NULL,
    owner_id_number TEXT,
    city TEXT,
    area_m2 TEXT,
    registered_on TEXT
);
CREATE TABLE source_cadres (
    line BIGINT NOT NULL,
    id_number TEXT,
    name TEXT,
    village_code TEXT,
    role TEXT
);
CREATE TABLE source_cadre_kin (
    line BIGINT NOT NULL,
    cadre_id_number TEXT,
    relative_id_number TEXT,
    relation TEXT
);
CREATE TABLE source_students (
    line BIGINT NOT NULL,
    id_number TEXT,
    school_name TEXT,
    grade TEXT,
    status TEXT
);
CREATE TABLE source_insured (
    line BIGINT NOT NULL,
    id_number TEXT,
    year BIGINT
);
CREATE TABLE source_payments (
    line BIGINT NOT NULL,
    payment_id TEXT,
    payee_id_number TEXT,
    program TEXT,
    amount BIGINT,
    paid_on TEXT,
    account_no TEXT
);

-- The import each source's current copy came from.
CREATE TABLE source_imports (
    kind      TEXT PRIMARY KEY,
    import_id BIGINT NOT NULL REFERENCES imports (id),
    rows      BIGINT NOT NULL
);

CREATE TABLE check_runs (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    actor       TEXT NOT NULL,
    started_at  TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    -- Comma-separated area codes the run was confined to; NULL: everywhere.
    within_areas TEXT,
    rules       TEXT NOT NULL,
    -- JSON: check year, poverty lines, capital threshold.
    params      TEXT NOT NULL,
    -- JSON: each source used, with its import (digest, file, when).
    sources     TEXT NOT NULL,
    notes       TEXT NOT NULL DEFAULT '',
    findings    BIGINT NOT NULL DEFAULT 0,
    new_leads   BIGINT NOT NULL DEFAULT 0,
    still_open  BIGINT NOT NULL DEFAULT 0,
    gone        BIGINT NOT NULL DEFAULT 0
);

-- A lead (疑点) is one (rule, subject) across runs. state: open (found by the latest run that
-- looked), gone (a later run no longer found it), confirmed or explained (verified by an
-- officer; never changed by a run).
CREATE TABLE leads (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rule         TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_id   TEXT NOT NULL,
    village_code TEXT REFERENCES areas (code),
    detail       TEXT NOT NULL,
    evidence     TEXT NOT NULL,
    state        TEXT NOT NULL,
    first_run    BIGINT NOT NULL REFERENCES check_runs (id),
    opened_run   BIGINT NOT NULL REFERENCES check_runs (id),
    last_run     BIGINT NOT NULL REFERENCES check_runs (id),
    gone_run     BIGINT REFERENCES check_runs (id),
    action       TEXT,
    note         TEXT,
    verified_by  TEXT,
    verified_at  TIMESTAMPTZ,
    version      BIGINT NOT NULL DEFAULT 0,
    UNIQUE (rule, subject_kind, subject_id)
);
CREATE INDEX leads_village ON leads (village_code, state);
CREATE INDEX leads_subject ON leads (subject_id);
