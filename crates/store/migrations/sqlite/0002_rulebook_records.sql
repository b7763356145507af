-- Rulebook versions, assets, evidence records with attachments, and the message centre.

CREATE TABLE assets (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    kind TEXT NOT NULL,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    active INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX assets_unit ON assets(unit_id, kind);

-- Every edit of a rule is a new version; a period is judged by the version in force when it began.
CREATE TABLE rule_versions (
    id INTEGER PRIMARY KEY,
    rule_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    active INTEGER NOT NULL,
    effective_from_day INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    created_by INTEGER REFERENCES accounts(id),
    UNIQUE (rule_id, version)
);

-- Evidence records are append-only: a correction is a new row naming the row it supersedes.
CREATE TABLE records (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    subkind TEXT,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    asset_id INTEGER REFERENCES assets(id),
    performer_id INTEGER REFERENCES staff(id),
    performer_position TEXT,
    second_person_id INTEGER REFERENCES staff(id),
    subject_staff_id INTEGER REFERENCES staff(id),
    target_unit_id INTEGER REFERENCES units(id),
    occurred_at INTEGER NOT NULL,
    local_day INTEGER NOT NULL,
    value INTEGER,
    data TEXT NOT NULL,
    supersedes_id INTEGER REFERENCES records(id),
    recorded_by INTEGER REFERENCES accounts(id),
    recorded_at INTEGER NOT NULL
);
CREATE INDEX records_kind_day ON records(kind, local_day);
CREATE INDEX records_unit_day ON records(unit_id, local_day);
CREATE INDEX records_asset_day ON records(asset_id, local_day);
CREATE INDEX records_supersedes ON records(supersedes_id);

CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    record_id INTEGER NOT NULL REFERENCES records(id),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    taken_at INTEGER NOT NULL,
    uploaded_at INTEGER NOT NULL,
    uploaded_by INTEGER REFERENCES accounts(id)
);
CREATE INDEX attachments_record ON attachments(record_id);

-- The message centre. (account, dedupe_key) is unique, so several instances creating the same reminder make one.
CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    dedupe_key TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    link TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    read_at INTEGER,
    UNIQUE (account_id, dedupe_key)
);
