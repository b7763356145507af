-- The annual security work plan (RESP-4): a unit's plan for a year, made from the template, and its items with the
-- post that owns each, the month it is due, the rule that judges it (or none), and the progress its owner reported.
CREATE TABLE work_plans (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    year INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    created_by INTEGER REFERENCES accounts(id),
    UNIQUE (unit_id, year)
);

CREATE TABLE work_plan_items (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES work_plans(id),
    seq INTEGER NOT NULL,
    section TEXT NOT NULL,
    title TEXT NOT NULL,
    owner_post TEXT NOT NULL,
    due_month INTEGER NOT NULL,
    rule_id TEXT NOT NULL,
    source TEXT NOT NULL,
    percent INTEGER NOT NULL,
    note TEXT NOT NULL,
    updated_at INTEGER,
    updated_by INTEGER REFERENCES accounts(id)
);
CREATE INDEX work_plan_items_plan ON work_plan_items(plan_id, seq);
