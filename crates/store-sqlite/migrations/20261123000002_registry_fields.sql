-- The rest of domain.md §3: address, other causes, removal reason and the parts of the net
-- income for households; ethnicity, migrant work, serious-illness insurance and death for
-- persons. The income parts are all given or all absent (checked by the domain rules).
ALTER TABLE households ADD COLUMN address TEXT;
ALTER TABLE households ADD COLUMN other_causes TEXT;
ALTER TABLE households ADD COLUMN removal_reason TEXT;
ALTER TABLE households ADD COLUMN wage_income_fen INTEGER;
ALTER TABLE households ADD COLUMN production_income_fen INTEGER;
ALTER TABLE households ADD COLUMN property_income_fen INTEGER;
ALTER TABLE households ADD COLUMN transfer_income_fen INTEGER;
ALTER TABLE households ADD COLUMN production_costs_fen INTEGER;

ALTER TABLE persons ADD COLUMN ethnicity TEXT;
ALTER TABLE persons ADD COLUMN migrant_work_months INTEGER
    CHECK (migrant_work_months BETWEEN 0 AND 12);
ALTER TABLE persons ADD COLUMN serious_illness_insurance INTEGER;
ALTER TABLE persons ADD COLUMN deceased_on TEXT;
