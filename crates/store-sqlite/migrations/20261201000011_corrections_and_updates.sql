-- A correction of a published notice is a new notice that names the one it corrects; the old
-- row is never updated (domain.md §11.2).
ALTER TABLE notices ADD COLUMN corrects INTEGER REFERENCES notices (id);
CREATE INDEX notices_corrects ON notices (corrects);

-- The yearly update (动态调整) of each village: the clerk submits the village's data for the
-- year, the township approves it (or returns it with a note). Once approved, the village's
-- households of that income year are locked: later changes go through a procedure
-- (domain.md §11.5). version gives optimistic concurrency.
CREATE TABLE annual_updates (
    village_code TEXT NOT NULL REFERENCES areas (code),
    year         INTEGER NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('submitted', 'approved', 'returned')),
    submitted_by TEXT NOT NULL,
    submitted_on TEXT NOT NULL,
    decided_by   TEXT,
    decided_on   TEXT,
    note         TEXT,
    version      INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (village_code, year)
);
