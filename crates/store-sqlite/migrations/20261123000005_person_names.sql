-- Household search by the beginning of a member's name (surname or full name).
CREATE INDEX persons_name ON persons (name);
