-- Foundation: org tree, staff, leadership groups, accounts and access, sessions, audit chain, notices.
-- Times are UTC epoch milliseconds; booleans are 0/1 integers (the same on PostgreSQL, so one query serves both).

CREATE TABLE units (
    id INTEGER PRIMARY KEY,
    parent_id INTEGER REFERENCES units(id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    path TEXT NOT NULL UNIQUE,
    depth INTEGER NOT NULL,
    first_responsible_id INTEGER REFERENCES staff(id),
    deputy_in_charge_id INTEGER REFERENCES staff(id),
    address TEXT,
    phone TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX units_parent ON units(parent_id);

CREATE TABLE unit_history (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    at INTEGER NOT NULL,
    actor_id INTEGER,
    change TEXT NOT NULL,
    name TEXT NOT NULL,
    parent_id INTEGER,
    path TEXT NOT NULL
);
CREATE INDEX unit_history_unit ON unit_history(unit_id, at);

CREATE TABLE staff (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    staff_no TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    positions TEXT NOT NULL,
    employment TEXT NOT NULL,
    key_position INTEGER NOT NULL,
    card_grade TEXT,
    phone TEXT,
    active INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX staff_unit ON staff(unit_id);
CREATE INDEX staff_name ON staff(name);

CREATE TABLE leadership_groups (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    kind TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (unit_id, kind)
);

CREATE TABLE group_members (
    group_id INTEGER NOT NULL REFERENCES leadership_groups(id),
    staff_id INTEGER NOT NULL REFERENCES staff(id),
    role TEXT NOT NULL,
    PRIMARY KEY (group_id, staff_id)
);

CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    staff_id INTEGER REFERENCES staff(id),
    must_change_password INTEGER NOT NULL,
    disabled INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE grants (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    role TEXT NOT NULL,
    unit_id INTEGER REFERENCES units(id)
);
CREATE INDEX grants_account ON grants(account_id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    kind TEXT NOT NULL,
    csrf TEXT NOT NULL,
    name TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_account ON sessions(account_id);

CREATE TABLE login_failures (
    username TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    window_start INTEGER NOT NULL,
    locked_until INTEGER NOT NULL
);

CREATE TABLE notices (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER REFERENCES units(id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    author_id INTEGER REFERENCES accounts(id),
    published_at INTEGER NOT NULL
);

CREATE TABLE audit_events (
    seq INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    actor_id INTEGER,
    unit_id INTEGER,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT,
    row_hash TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_entity ON audit_events(entity, entity_id, seq);
CREATE INDEX audit_unit ON audit_events(unit_id, seq);

-- One row: the head of the chain. Updating it serialises appenders on both databases.
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
