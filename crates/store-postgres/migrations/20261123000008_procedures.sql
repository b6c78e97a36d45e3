-- Procedures (domain.md §5): one row per case of one household. The steps and objections are
-- the case's history, kept as JSON written by the domain types (jingzhun_domain::procedure);
-- every act is also an audit entry. next_step and next_role let officers find the cases
-- waiting for them; version gives optimistic concurrency.
CREATE TABLE procedure_cases (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind          TEXT NOT NULL,
    household_id  TEXT NOT NULL REFERENCES households (household_id),
    village_code  TEXT NOT NULL REFERENCES areas (code),
    state         TEXT NOT NULL CHECK (state IN ('open', 'suspended', 'completed', 'closed')),
    next_step     TEXT,
    next_role     TEXT,
    notice_until  TEXT,
    closed_reason TEXT,
    steps         TEXT NOT NULL,
    objections    TEXT NOT NULL,
    started_by    TEXT NOT NULL,
    started_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    version       BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX procedure_cases_village ON procedure_cases (village_code, state);
CREATE INDEX procedure_cases_household ON procedure_cases (household_id);
-- At most one case in progress per household.
CREATE UNIQUE INDEX procedure_cases_one_open ON procedure_cases (household_id)
    WHERE state IN ('open', 'suspended');
