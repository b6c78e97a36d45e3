-- Accounts: each with one or more roles, each role bound to an area and possibly a period.
CREATE TABLE users (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    login         TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    created_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE user_roles (
    user_id   BIGINT NOT NULL REFERENCES users (id),
    role      TEXT NOT NULL,
    area_code TEXT NOT NULL REFERENCES areas (code),
    starts_on DATE,
    ends_on   DATE,
    sealed    BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (user_id, role, area_code)
);
