-- Standards set by administrators (domain.md §4): one value per key, year and region. The
-- shipped defaults live in the code (jingzhun_domain::standards::defaults) and are overridden
-- by a row of the same slot. year 0: every year; region '': the whole country.
-- Every change is also an audit entry with its reason, before and after.
CREATE TABLE standards (
    key     TEXT NOT NULL,
    year    INTEGER NOT NULL DEFAULT 0,
    region  TEXT NOT NULL DEFAULT '',
    value   INTEGER NOT NULL,
    source  TEXT NOT NULL,
    set_by  TEXT NOT NULL,
    set_at  TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (key, year, region)
);
