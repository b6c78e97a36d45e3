-- The fingerprint of the sealing key this database's sealed values are sealed with (one row,
-- written when the key is first used). A program that finds no key, or another key, refuses
-- to start instead of making a new one: a new key would leave every old identity unreadable.
CREATE TABLE seal_key (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    fingerprint TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
