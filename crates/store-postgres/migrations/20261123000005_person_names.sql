-- Household search by the beginning of a member's name (surname or full name): names
-- compare by code point ("C"), as on SQLite, so that a prefix is a range of the index.
ALTER TABLE persons ALTER COLUMN name TYPE TEXT COLLATE "C";
CREATE INDEX persons_name ON persons (name);
