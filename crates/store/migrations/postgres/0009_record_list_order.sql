-- The record list is newest first. A broad scope (a province, a region) walks these from the newest end and stops
-- after the page; with a kind chosen, the second one does the same within that kind.
CREATE INDEX records_time ON records(occurred_at, id);
CREATE INDEX records_kind_time ON records(kind, occurred_at, id);

-- A person's latest review (the validity rules) is found from the people of a subtree, person by person.
CREATE INDEX records_subject ON records(subject_staff_id, kind, local_day) WHERE subject_staff_id IS NOT NULL;
