-- Cases and accountability (案件责任追究): the rules' versions, cases with their reports up the tree and their
-- timeline, and violations with their proposed and decided penalties. Every table here is audited row by row.

CREATE TABLE accountability_versions (
    id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL UNIQUE,
    body TEXT NOT NULL,
    effective_from_day INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    created_by INTEGER REFERENCES accounts(id)
);

CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    case_no TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    place TEXT NOT NULL,
    occurred_at INTEGER NOT NULL,
    local_day INTEGER NOT NULL,
    loss_fen INTEGER NOT NULL,
    description TEXT NOT NULL,
    people TEXT NOT NULL,
    insider INTEGER NOT NULL,
    status TEXT NOT NULL,
    rules_version_id INTEGER NOT NULL REFERENCES accountability_versions(id),
    findings TEXT NOT NULL,
    cause TEXT,
    proposal TEXT,
    decision TEXT,
    decided_by INTEGER REFERENCES accounts(id),
    decided_at INTEGER,
    closed_at INTEGER,
    reported_by INTEGER REFERENCES accounts(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX cases_unit ON cases(unit_id, local_day);
CREATE INDEX cases_day ON cases(local_day);

-- One row per level the report climbs: when it was due there, when it arrived, who acknowledged it.
CREATE TABLE case_reports (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    level INTEGER NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    due_at INTEGER NOT NULL,
    reported_at INTEGER,
    acknowledged_at INTEGER,
    acknowledged_by INTEGER REFERENCES accounts(id),
    UNIQUE (case_id, level)
);
CREATE INDEX case_reports_unit ON case_reports(unit_id);

-- The timeline the system writes: every report, status change, finding and decision, with actor and time.
CREATE TABLE case_events (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    action TEXT NOT NULL,
    note TEXT NOT NULL,
    at INTEGER NOT NULL,
    by_account INTEGER REFERENCES accounts(id)
);
CREATE INDEX case_events_case ON case_events(case_id);

-- A violation found in an inspection, a register, a late report or a case determination, with the penalty the rules
-- propose and, once decided, the penalty decided and why.
CREATE TABLE violations (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    staff_id INTEGER REFERENCES staff(id),
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    article TEXT NOT NULL,
    source TEXT NOT NULL,
    source_id INTEGER,
    case_id INTEGER REFERENCES cases(id),
    occurred_at INTEGER NOT NULL,
    local_day INTEGER NOT NULL,
    facts TEXT NOT NULL,
    fine_yuan INTEGER,
    sanction TEXT,
    joint_staff_id INTEGER REFERENCES staff(id),
    status TEXT NOT NULL,
    decided_fine_yuan INTEGER,
    decided_sanction TEXT,
    decision_reason TEXT,
    decided_by INTEGER REFERENCES accounts(id),
    decided_at INTEGER,
    created_at INTEGER NOT NULL,
    created_by INTEGER REFERENCES accounts(id)
);
CREATE INDEX violations_unit ON violations(unit_id, local_day);
CREATE INDEX violations_case ON violations(case_id);
CREATE INDEX violations_source ON violations(source, source_id);

-- 三不放过 asks for the hazards a case exposed.
CREATE INDEX hazards_case ON hazards(case_ref);
