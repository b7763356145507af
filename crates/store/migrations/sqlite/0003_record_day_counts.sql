-- Evidence records counted per subject and local day: derived from `records`, kept up to date in the same
-- transaction as every write, and rebuilt by bulk imports. The compliance engine reads these instead of grouping
-- millions of records. Empty strings and 0 stand for "none" so the key has no NULLs.
CREATE TABLE record_day_counts (
    kind TEXT NOT NULL,
    subkind TEXT NOT NULL,
    position TEXT NOT NULL,
    unit_id INTEGER NOT NULL,
    asset_id INTEGER NOT NULL,
    day INTEGER NOT NULL,
    n INTEGER NOT NULL,
    with_att INTEGER NOT NULL,
    min_value INTEGER,
    PRIMARY KEY (kind, unit_id, asset_id, day, subkind, position)
);
CREATE INDEX record_day_counts_day ON record_day_counts(day, kind);
