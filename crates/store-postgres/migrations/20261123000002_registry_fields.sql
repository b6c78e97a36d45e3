-- The rest of domain.md §3: address, other causes, removal reason and the parts of the net
-- income for households; ethnicity, migrant work, serious-illness insurance and death for
-- persons.
ALTER TABLE households
    ADD COLUMN address TEXT,
    ADD COLUMN other_causes TEXT,
    ADD COLUMN removal_reason TEXT,
    ADD COLUMN wage_income_fen BIGINT,
    ADD COLUMN production_income_fen BIGINT,
    ADD COLUMN property_income_fen BIGINT,
    ADD COLUMN transfer_income_fen BIGINT,
    ADD COLUMN production_costs_fen BIGINT,
    ADD CONSTRAINT income_components_all_or_none CHECK (
        num_nulls(wage_income_fen, production_income_fen, property_income_fen,
                  transfer_income_fen, production_costs_fen) IN (0, 5));

ALTER TABLE persons
    ADD COLUMN ethnicity TEXT,
    ADD COLUMN migrant_work_months INTEGER CHECK (migrant_work_months BETWEEN 0 AND 12),
    ADD COLUMN serious_illness_insurance BOOLEAN,
    ADD COLUMN deceased_on DATE;
