-- The security facilities ledger: places, catalogue versions, items with their history, monthly reports,
-- installation projects and faults. Every table here is audited row by row.

CREATE TABLE facility_catalogs (
    id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL UNIQUE,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by INTEGER REFERENCES accounts(id)
);

-- A place facilities are required at: an outlet, a business vault, an ATM, a van, a monitoring room.
CREATE TABLE places (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    risk_level INTEGER NOT NULL,
    asset_id INTEGER REFERENCES assets(id),
    opened INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (unit_id, name)
);
CREATE INDEX places_unit ON places(unit_id);

CREATE TABLE facility_items (
    id INTEGER PRIMARY KEY,
    place_id INTEGER NOT NULL REFERENCES places(id),
    kind TEXT NOT NULL,
    model TEXT NOT NULL,
    count INTEGER NOT NULL,
    supplier TEXT NOT NULL,
    installed_day INTEGER NOT NULL,
    expires_day INTEGER,
    status TEXT NOT NULL,
    last_check_day INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX facility_items_place ON facility_items(place_id);

CREATE TABLE facility_events (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES facility_items(id),
    action TEXT NOT NULL,
    note TEXT NOT NULL,
    at INTEGER NOT NULL,
    by_account INTEGER REFERENCES accounts(id)
);
CREATE INDEX facility_events_item ON facility_events(item_id);

-- The monthly upward report, frozen as it stood when made.
CREATE TABLE facility_reports (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    month TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by INTEGER REFERENCES accounts(id),
    UNIQUE (unit_id, month)
);

-- Installation: proposed → approved → installed → accepted (then payable) or failed with findings.
CREATE TABLE facility_projects (
    id INTEGER PRIMARY KEY,
    place_id INTEGER NOT NULL REFERENCES places(id),
    kind TEXT NOT NULL,
    product TEXT NOT NULL,
    supplier TEXT NOT NULL,
    budget INTEGER NOT NULL,
    status TEXT NOT NULL,
    findings TEXT,
    proposed_by INTEGER REFERENCES accounts(id),
    proposed_at INTEGER NOT NULL,
    decided_by INTEGER REFERENCES accounts(id),
    installed_at INTEGER,
    accepted_by INTEGER REFERENCES accounts(id),
    accepted_at INTEGER
);
CREATE INDEX facility_projects_place ON facility_projects(place_id);

-- A fault: reported by the outlet → dispatched by the security department → repaired → verified.
CREATE TABLE facility_faults (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES facility_items(id),
    description TEXT NOT NULL,
    status TEXT NOT NULL,
    assignee TEXT,
    accompanied_by TEXT,
    deadline_day INTEGER,
    reported_by INTEGER REFERENCES accounts(id),
    reported_at INTEGER NOT NULL,
    dispatched_at INTEGER,
    repaired_at INTEGER,
    verified_at INTEGER
);
CREATE INDEX facility_faults_item ON facility_faults(item_id);
