-- Staff pages are ordered by unit (tree order) then staff number: walking units by path and each unit's staff by
-- number gives that order from indexes, so a page stops after its 50 rows instead of sorting the whole province.
CREATE INDEX staff_unit_no ON staff(unit_id, staff_no);

-- A counter that moves whenever staff or units change, in the same transaction. A list's total ("1,234 people") is
-- kept beside the version it was counted at and reused until the version moves.
CREATE TABLE data_versions (
    name TEXT PRIMARY KEY,
    version INTEGER NOT NULL
);
INSERT INTO data_versions (name, version) VALUES ('org', 0);

CREATE TRIGGER staff_insert_version AFTER INSERT ON staff
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'org'; END;
CREATE TRIGGER staff_update_version AFTER UPDATE ON staff
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'org'; END;
CREATE TRIGGER staff_delete_version AFTER DELETE ON staff
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'org'; END;
CREATE TRIGGER units_insert_version AFTER INSERT ON units
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'org'; END;
CREATE TRIGGER units_update_version AFTER UPDATE ON units
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'org'; END;
CREATE TRIGGER units_delete_version AFTER DELETE ON units
BEGIN UPDATE data_versions SET version = version + 1 WHERE name = 'org'; END;
