-- The union's business-day calendar (SYS-6): weekly rest days, holidays and adjusted working days, as versions of
-- one document (its JSON body); an edit is a new version, and the version stamps the compliance summaries of the
-- rules that keep business days.
CREATE TABLE calendar_versions (
    id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL UNIQUE,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by INTEGER REFERENCES accounts(id)
);
