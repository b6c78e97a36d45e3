-- Accounts: each with one or more roles, each role bound to an area and possibly a period.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    login         TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL
);

CREATE TABLE user_roles (
    user_id   INTEGER NOT NULL REFERENCES users (id),
    role      TEXT NOT NULL,
    area_code TEXT NOT NULL REFERENCES areas (code),
    starts_on TEXT,
    ends_on   TEXT,
    sealed    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, role, area_code)
);
