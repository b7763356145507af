-- Inspections and hazards: checklist template versions, inspections with their results and photos, hazards with
-- their history, bulletins and who has read them. Every table here is audited row by row.

-- Every edit of the checklist is a new version; an inspection keeps the version it was made with.
CREATE TABLE checklist_versions (
    id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL UNIQUE,
    body TEXT NOT NULL,
    effective_from_day INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    created_by INTEGER REFERENCES accounts(id)
);

CREATE TABLE inspections (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    target_unit_id INTEGER NOT NULL REFERENCES units(id),
    kind TEXT NOT NULL,
    checklist_version_id INTEGER NOT NULL REFERENCES checklist_versions(id),
    inspector_id INTEGER NOT NULL REFERENCES staff(id),
    inspector_position TEXT NOT NULL,
    inspected_at INTEGER NOT NULL,
    local_day INTEGER NOT NULL,
    results TEXT NOT NULL,
    score_tenths INTEGER NOT NULL,
    suggestions TEXT,
    status TEXT NOT NULL,
    signed_at INTEGER,
    countersigned_by INTEGER REFERENCES staff(id),
    countersigned_at INTEGER,
    supersedes_id INTEGER REFERENCES inspections(id),
    created_by INTEGER REFERENCES accounts(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX inspections_target ON inspections(target_unit_id, local_day);
CREATE INDEX inspections_unit ON inspections(unit_id, local_day);

CREATE TABLE inspection_photos (
    id INTEGER PRIMARY KEY,
    inspection_id INTEGER NOT NULL REFERENCES inspections(id),
    item_code TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    taken_at INTEGER NOT NULL,
    uploaded_at INTEGER NOT NULL,
    uploaded_by INTEGER REFERENCES accounts(id)
);
CREATE INDEX inspection_photos_inspection ON inspection_photos(inspection_id);

-- A hazard: raised by a failed item (or by hand), with its notice, deadline and owner; rectified, then verified.
CREATE TABLE hazards (
    id INTEGER PRIMARY KEY,
    notice_no TEXT NOT NULL UNIQUE,
    inspection_id INTEGER REFERENCES inspections(id),
    item_code TEXT,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    raised_by_unit_id INTEGER NOT NULL REFERENCES units(id),
    title TEXT NOT NULL,
    article TEXT NOT NULL,
    severity TEXT NOT NULL,
    owner_id INTEGER REFERENCES staff(id),
    deadline_day INTEGER NOT NULL,
    status TEXT NOT NULL,
    repeat_count INTEGER NOT NULL,
    case_ref TEXT,
    cause TEXT,
    accountability TEXT,
    raised_at INTEGER NOT NULL,
    raised_by INTEGER REFERENCES accounts(id),
    closed_at INTEGER
);
CREATE INDEX hazards_unit ON hazards(unit_id, status);
CREATE INDEX hazards_item ON hazards(unit_id, item_code, raised_at);

-- What happened to a hazard: rectified (with the outlet's account), verified, sent back with reasons.
CREATE TABLE hazard_events (
    id INTEGER PRIMARY KEY,
    hazard_id INTEGER NOT NULL REFERENCES hazards(id),
    action TEXT NOT NULL,
    note TEXT NOT NULL,
    at INTEGER NOT NULL,
    by_account INTEGER REFERENCES accounts(id)
);
CREATE INDEX hazard_events_hazard ON hazard_events(hazard_id);

CREATE TABLE bulletins (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    hazard_ids TEXT NOT NULL,
    inspection_ids TEXT NOT NULL,
    published_at INTEGER NOT NULL,
    author INTEGER REFERENCES accounts(id)
);
CREATE INDEX bulletins_unit ON bulletins(unit_id);

CREATE TABLE bulletin_reads (
    id INTEGER PRIMARY KEY,
    bulletin_id INTEGER NOT NULL REFERENCES bulletins(id),
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    read_at INTEGER NOT NULL,
    UNIQUE (bulletin_id, account_id)
);
