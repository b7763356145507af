-- How many times the records of each kind and day changed: one for each record entered, and one more on the day
-- of a record that a correction supersedes (the correction may be of another day). Records are append-only, so a
-- count here only grows, and evidence whose days still sum to what they summed to when a month was judged has not
-- changed since: compliance summaries are kept beside these sums and reused until they move (see
-- app::compliance_summary). The trigger keeps the count in the inserting transaction.
CREATE TABLE record_marks (
    kind TEXT NOT NULL,
    local_day INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (kind, local_day)
) WITHOUT ROWID;

INSERT INTO record_marks (kind, local_day, n) SELECT kind, local_day, COUNT(*) FROM records GROUP BY kind, local_day;

CREATE TRIGGER records_mark AFTER INSERT ON records
BEGIN
    INSERT INTO record_marks (kind, local_day, n) VALUES (NEW.kind, NEW.local_day, 1)
    ON CONFLICT (kind, local_day) DO UPDATE SET n = n + 1;
    INSERT INTO record_marks (kind, local_day, n) SELECT kind, local_day, 1 FROM records WHERE id = NEW.supersedes_id
    ON CONFLICT (kind, local_day) DO UPDATE SET n = n + 1;
END;

-- Assets (ATMs, vaults, CCTV systems) decide which due items exist, as units and staff do: their own version.
INSERT INTO data_versions (name, version) VALUES ('assets', 0);
CREATE TRIGGER assets_insert_version AFTER INSERT ON assets
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'assets'; END;
CREATE TRIGGER assets_update_version AFTER UPDATE ON assets
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'assets'; END;
CREATE TRIGGER assets_delete_version AFTER DELETE ON assets
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'assets'; END;
