-- The quarterly assessment (ASSESS-1): the scheme's versions (rulebook/assessment.toml, then each edit), each unit's
-- result of a quarter once its assessor has made it final (the scores and every line lost, as they were), and the
-- rewards of a year (refused under the one-vote veto).
CREATE TABLE assessment_schemes (
    id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL UNIQUE,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by INTEGER REFERENCES accounts(id)
);

CREATE TABLE assessment_results (
    id INTEGER PRIMARY KEY,
    assessor_unit_id INTEGER NOT NULL REFERENCES units(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    year INTEGER NOT NULL,
    quarter INTEGER NOT NULL,
    scheme_id INTEGER NOT NULL REFERENCES assessment_schemes(id),
    total_tenths INTEGER NOT NULL,
    rating TEXT NOT NULL,
    veto_case_id INTEGER REFERENCES cases(id),
    detail TEXT NOT NULL,
    frozen_at INTEGER NOT NULL,
    frozen_by INTEGER REFERENCES accounts(id),
    UNIQUE (unit_id, year, quarter)
);
CREATE INDEX assessment_results_assessor ON assessment_results(assessor_unit_id, year, quarter);

CREATE TABLE assessment_rewards (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    year INTEGER NOT NULL,
    title TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by INTEGER REFERENCES accounts(id),
    UNIQUE (unit_id, year)
);
