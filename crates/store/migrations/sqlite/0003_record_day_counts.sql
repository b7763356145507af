-- Evidence records counted per subject and local day: derived from `records`, kept up to date in the same
-- transaction as every write, and rebuilt by bulk imports. The compliance engine reads these instead of grouping
-- millions of records. Empty strings and 0 stand for "none" so the key has no NULLs. Clustered by kind and day
-- (WITHOUT ROWID), so a month of one kind is one contiguous range of the table.
CREATE TABLE record_day_counts (
    kind TEXT NOT NULL,
    day INTEGER NOT NULL,
    unit_id INTEGER NOT NULL,
    asset_id INTEGER NOT NULL,
    subkind TEXT NOT NULL,
    position TEXT NOT NULL,
    n INTEGER NOT NULL,
    with_att INTEGER NOT NULL,
    min_value INTEGER,
    PRIMARY KEY (kind, day, unit_id, asset_id, subkind, position)
) WITHOUT ROWID;

-- Two-person records (duty logs, and later vault entries and loadings) read by pair: a partial covering index lets
-- the engine count a month's pairs without visiting the table.
CREATE INDEX records_pairs ON records(kind, local_day, unit_id, asset_id, performer_id, second_person_id)
    WHERE second_person_id IS NOT NULL;
