-- How many times the records of each kind and day changed: one for each record entered, and one more on the day
-- of a record that a correction supersedes (the correction may be of another day). Records are append-only, so a
-- count here only grows, and evidence whose days still sum to what they summed to when a month was judged has not
-- changed since: compliance summaries are kept beside these sums and reused until they move (see
-- app::compliance_summary). The trigger keeps the count in the inserting transaction, once per statement, so a
-- bulk insert of many rows updates each (kind, day) once.
CREATE TABLE record_marks (
    kind TEXT NOT NULL,
    local_day BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (kind, local_day)
);

INSERT INTO record_marks (kind, local_day, n) SELECT kind, local_day, COUNT(*) FROM records GROUP BY kind, local_day;

CREATE FUNCTION mark_records() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO record_marks (kind, local_day, n)
    SELECT kind, local_day, COUNT(*) FROM (
        SELECT kind, local_day FROM new_records
        UNION ALL
        SELECT o.kind, o.local_day FROM new_records n JOIN records o ON o.id = n.supersedes_id
    ) changed GROUP BY kind, local_day
    ON CONFLICT (kind, local_day) DO UPDATE SET n = record_marks.n + EXCLUDED.n;
    RETURN NULL;
END;
$$;

CREATE TRIGGER records_mark AFTER INSERT ON records
    REFERENCING NEW TABLE AS new_records
    FOR EACH STATEMENT EXECUTE FUNCTION mark_records();

-- Assets (ATMs, vaults, CCTV systems) decide which due items exist, as units and staff do: their own version.
INSERT INTO data_versions (name, version) VALUES ('assets', 0);

CREATE FUNCTION bump_assets_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE data_versions SET version = version + 1 WHERE name = 'assets';
    RETURN NULL;
END;
$$;

CREATE TRIGGER assets_version AFTER INSERT OR UPDATE OR DELETE ON assets
    FOR EACH STATEMENT EXECUTE FUNCTION bump_assets_version();
