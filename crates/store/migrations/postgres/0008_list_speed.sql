-- Staff pages are ordered by unit (tree order) then staff number: walking units by path and each unit's staff by
-- number gives that order from indexes, so a page stops after its 50 rows instead of sorting the whole province.
CREATE INDEX staff_unit_no ON staff(unit_id, staff_no);

-- A counter that moves whenever staff or units change, in the same transaction. A list's total ("1,234 people") is
-- kept beside the version it was counted at and reused until the version moves.
CREATE TABLE data_versions (
    name TEXT PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO data_versions (name, version) VALUES ('org', 0);

CREATE FUNCTION bump_org_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE data_versions SET version = version + 1 WHERE name = 'org';
    RETURN NULL;
END;
$$;

CREATE TRIGGER staff_version AFTER INSERT OR UPDATE OR DELETE ON staff
    FOR EACH STATEMENT EXECUTE FUNCTION bump_org_version();
CREATE TRIGGER units_version AFTER INSERT OR UPDATE OR DELETE ON units
    FOR EACH STATEMENT EXECUTE FUNCTION bump_org_version();
