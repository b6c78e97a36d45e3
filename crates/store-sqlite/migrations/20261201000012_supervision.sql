-- Supervision records (domain.md §6): complaints, inspections, rectification programmes and
-- accountability cases. Each row holds its domain object as JSON written by the domain types
-- (jingzhun_domain::complaint, ::draw, ::rectification, ::accountability), with the columns
-- lists are searched by; every change is also an audit entry. version gives optimistic
-- concurrency; origin names what the record came from (a complaint, a lead, a finding...).
CREATE TABLE supervision_records (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL
        CHECK (kind IN ('complaint', 'inspection', 'programme', 'accountability')),
    public_code TEXT,
    area_code   TEXT NOT NULL REFERENCES areas (code),
    state       TEXT NOT NULL,
    category    TEXT,
    due_on      TEXT,
    origin_kind TEXT,
    origin_id   TEXT,
    body        TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX supervision_public_code ON supervision_records (kind, public_code)
    WHERE public_code IS NOT NULL;
CREATE INDEX supervision_area ON supervision_records (kind, area_code, state);
CREATE INDEX supervision_origin ON supervision_records (origin_kind, origin_id);

-- Complainants' identities, sealed: encrypted with the platform's sealing key (AEAD), never in
-- the record's JSON; read only with the `sealed` permission, each read an audit entry.
CREATE TABLE sealed_identities (
    record_id  INTEGER PRIMARY KEY REFERENCES supervision_records (id),
    nonce      TEXT NOT NULL,
    ciphertext TEXT NOT NULL
);
