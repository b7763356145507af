-- Responsibility letters (RESP-1): a plan per issuing unit, kind and year with the year's targets and the deadline
-- the rulebook gave it, and one letter per person, kind and year (the cascade of domain::letters::cascade).
CREATE TABLE letter_plans (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    kind TEXT NOT NULL,
    year INTEGER NOT NULL,
    targets TEXT NOT NULL,
    deadline_day INTEGER NOT NULL,
    rule_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by INTEGER REFERENCES accounts(id),
    UNIQUE (unit_id, kind, year)
);

CREATE TABLE letters (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES letter_plans(id),
    kind TEXT NOT NULL,
    year INTEGER NOT NULL,
    signer_id INTEGER NOT NULL REFERENCES staff(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    unit_path TEXT NOT NULL,
    issuer_id INTEGER REFERENCES staff(id),
    issuer_unit_id INTEGER NOT NULL REFERENCES units(id),
    status TEXT NOT NULL,
    method TEXT,
    signed_at INTEGER,
    signed_day INTEGER,
    signed_by INTEGER REFERENCES accounts(id),
    scan_sha256 TEXT,
    scan_type TEXT,
    scan_size INTEGER,
    created_at INTEGER NOT NULL,
    UNIQUE (kind, year, signer_id)
);
CREATE INDEX letters_path ON letters(year, kind, unit_path);
CREATE INDEX letters_signer ON letters(signer_id, year);
