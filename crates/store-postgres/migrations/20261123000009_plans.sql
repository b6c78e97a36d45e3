-- One plan per household (一户一策): its measures as JSON written by the domain types, the
-- responsible contact, and the signature that finds identical plans (帮扶措施雷同); progress
-- records against it. Every change is also an audit entry.
CREATE TABLE plans (
    household_id TEXT PRIMARY KEY REFERENCES households (household_id),
    village_code TEXT NOT NULL REFERENCES areas (code),
    measures     TEXT NOT NULL,
    contact      TEXT NOT NULL,
    signature    TEXT NOT NULL,
    updated_by   TEXT NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    version      BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX plans_village ON plans (village_code, signature);

CREATE TABLE plan_progress (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    household_id TEXT NOT NULL REFERENCES plans (household_id),
    done_on      TEXT NOT NULL,
    note         TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    recorded_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX plan_progress_household ON plan_progress (household_id);
