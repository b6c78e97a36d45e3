-- Areas: the five-level hierarchy, 12-digit codes.
CREATE TABLE areas (
    code        TEXT PRIMARY KEY CHECK (length(code) = 12),
    name        TEXT NOT NULL,
    level       INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
    parent_code TEXT REFERENCES areas (code)
);
CREATE INDEX areas_parent ON areas (parent_code);

CREATE TABLE area_designations (
    area_code       TEXT NOT NULL REFERENCES areas (code),
    designation     TEXT NOT NULL,
    designated_year INTEGER,
    exit_year       INTEGER,
    PRIMARY KEY (area_code, designation)
);

CREATE TABLE area_populations (
    area_code        TEXT NOT NULL REFERENCES areas (code),
    year             INTEGER NOT NULL,
    rural_population INTEGER NOT NULL CHECK (rural_population >= 0),
    PRIMARY KEY (area_code, year)
);

-- Every import of a file, with the digest of what was read.
CREATE TABLE imports (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,
    digest     TEXT NOT NULL,
    source     TEXT NOT NULL,
    actor      TEXT NOT NULL,
    started_at TEXT NOT NULL,
    households INTEGER NOT NULL DEFAULT 0,
    persons    INTEGER NOT NULL DEFAULT 0,
    forced     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX imports_digest ON imports (kind, digest);

CREATE TABLE households (
    household_id          TEXT PRIMARY KEY,
    village_code          TEXT NOT NULL REFERENCES areas (code),
    group_name            TEXT,
    status                TEXT NOT NULL
        CHECK (status IN ('applicant', 'registered', 'exited', 'monitored', 'removed')),
    poverty_type          TEXT,
    identified_year       INTEGER NOT NULL,
    exit_year             INTEGER,
    primary_cause         TEXT,
    housing_safe          INTEGER NOT NULL,
    water_safe            INTEGER NOT NULL,
    annual_net_income_fen INTEGER NOT NULL,
    income_year           INTEGER NOT NULL,
    phone                 TEXT,
    import_id             INTEGER REFERENCES imports (id),
    updated_at            TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX households_village ON households (village_code, status);

CREATE TABLE persons (
    household_id      TEXT NOT NULL REFERENCES households (household_id),
    id_number         TEXT NOT NULL CHECK (length(id_number) = 18),
    name              TEXT NOT NULL,
    relation          TEXT NOT NULL,
    gender            TEXT NOT NULL CHECK (gender IN ('male', 'female')),
    birth_date        TEXT NOT NULL,
    education         TEXT,
    school_status     TEXT,
    health            TEXT,
    disability_grade  TEXT,
    labour            TEXT,
    medical_insurance INTEGER,
    pension_insurance INTEGER,
    dibao             INTEGER,
    PRIMARY KEY (household_id, id_number)
) WITHOUT ROWID;
CREATE INDEX persons_id_number ON persons (id_number);

-- The hash-chained audit log and its head (the last sequence number and hash), so that
-- deleting the newest entries is detected too.
CREATE TABLE audit_log (
    seq          INTEGER PRIMARY KEY,
    at           TEXT NOT NULL,
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_id   TEXT NOT NULL,
    detail       TEXT NOT NULL,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL
);
CREATE INDEX audit_subject ON audit_log (subject_kind, subject_id);

CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
