-- A case's attachments (INC-1): photos of the scene, a scan of the police receipt, each with the timeline entry it
-- came with (the case's entry, or a note added later). Content-addressed blobs, as records' attachments are.
CREATE TABLE case_attachments (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    event_id INTEGER NOT NULL REFERENCES case_events(id),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    taken_at INTEGER NOT NULL,
    uploaded_at INTEGER NOT NULL,
    uploaded_by INTEGER REFERENCES accounts(id)
);
CREATE INDEX case_attachments_case ON case_attachments(case_id);
