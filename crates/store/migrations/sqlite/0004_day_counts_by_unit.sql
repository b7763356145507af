-- One unit's buckets (an outlet's to-do, a county's roll-up) without scanning every unit's buckets of those days.
CREATE INDEX record_day_counts_unit ON record_day_counts(unit_id, kind, day);
