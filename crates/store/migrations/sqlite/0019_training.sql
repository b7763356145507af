-- Training, exams, warning education, emergency plans and armed guards (TRN-1..5, EMG-1, ORG-5).

-- The question bank (TRN-4): the seed's 第五篇 questions first; posts and tags are comma lists, options a JSON array.
CREATE TABLE exam_questions (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    origin TEXT NOT NULL,
    posts TEXT NOT NULL,
    tags TEXT NOT NULL,
    article TEXT NOT NULL,
    difficulty INTEGER NOT NULL,
    marks INTEGER NOT NULL,
    body TEXT NOT NULL,
    options TEXT NOT NULL,
    answer TEXT NOT NULL,
    active INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    created_by INTEGER REFERENCES accounts(id)
);

-- A paper: its drawing rule, who it is for, its window, time limit, pass mark and retakes.
CREATE TABLE exam_papers (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    unit_path TEXT NOT NULL,
    title TEXT NOT NULL,
    rule TEXT NOT NULL,
    posts TEXT NOT NULL,
    opens_at INTEGER NOT NULL,
    closes_at INTEGER NOT NULL,
    limit_minutes INTEGER NOT NULL,
    pass_pct INTEGER NOT NULL,
    max_attempts INTEGER NOT NULL,
    retake_days INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    created_by INTEGER REFERENCES accounts(id)
);
CREATE INDEX exam_papers_path ON exam_papers(unit_path);

-- One person's attempt at a paper, with the questions drawn for it (exam_answers, in order).
CREATE TABLE exam_sittings (
    id INTEGER PRIMARY KEY,
    paper_id INTEGER NOT NULL REFERENCES exam_papers(id),
    staff_id INTEGER NOT NULL REFERENCES staff(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    unit_path TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    deadline_at INTEGER NOT NULL,
    submitted_at INTEGER,
    status TEXT NOT NULL,
    score INTEGER,
    max_score INTEGER NOT NULL,
    passed INTEGER,
    marked_at INTEGER,
    marked_by INTEGER REFERENCES accounts(id),
    record_id INTEGER REFERENCES records(id),
    UNIQUE (paper_id, staff_id, attempt)
);
CREATE INDEX exam_sittings_staff ON exam_sittings(staff_id, paper_id);
CREATE INDEX exam_sittings_paper ON exam_sittings(paper_id, unit_path);

CREATE TABLE exam_answers (
    sitting_id INTEGER NOT NULL REFERENCES exam_sittings(id),
    seq INTEGER NOT NULL,
    question_id INTEGER NOT NULL REFERENCES exam_questions(id),
    marks_max INTEGER NOT NULL,
    given TEXT,
    awarded INTEGER,
    PRIMARY KEY (sitting_id, seq)
);
CREATE INDEX exam_answers_question ON exam_answers(question_id);

-- Warning education (TRN-5): a case bulletin sent to a subtree (and posts), read and acknowledged by each person.
CREATE TABLE warnings (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    unit_path TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    posts TEXT NOT NULL,
    case_id INTEGER REFERENCES cases(id),
    issued_at INTEGER NOT NULL,
    issued_by INTEGER REFERENCES accounts(id),
    record_id INTEGER REFERENCES records(id)
);
CREATE INDEX warnings_path ON warnings(unit_path);

CREATE TABLE warning_reads (
    id INTEGER PRIMARY KEY,
    warning_id INTEGER NOT NULL REFERENCES warnings(id),
    staff_id INTEGER NOT NULL REFERENCES staff(id),
    read_at INTEGER NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    UNIQUE (warning_id, staff_id)
);

-- The emergency plans (EMG-1) as versioned data, like the accountability rules, and each use of one: the steps
-- ticked with their times.
CREATE TABLE plan_versions (
    id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL UNIQUE,
    body TEXT NOT NULL,
    effective_from_day INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    created_by INTEGER REFERENCES accounts(id)
);

CREATE TABLE plan_runs (
    id INTEGER PRIMARY KEY,
    plan_code TEXT NOT NULL,
    plan_version INTEGER NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    unit_path TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    ticks TEXT NOT NULL,
    notes TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by INTEGER REFERENCES accounts(id)
);
CREATE INDEX plan_runs_path ON plan_runs(unit_path);

-- Armed guards' eligibility (ORG-5; 第四篇 三(2)(3)): birth date, vetting by personnel and by security, training and
-- the licence with its expiry. Days are local day numbers.
CREATE TABLE guard_credentials (
    id INTEGER PRIMARY KEY,
    staff_id INTEGER NOT NULL UNIQUE REFERENCES staff(id),
    birth_day INTEGER,
    vetted_personnel_day INTEGER,
    vetted_security_day INTEGER,
    trained_day INTEGER,
    licence_no TEXT NOT NULL,
    licence_expires_day INTEGER,
    updated_at INTEGER NOT NULL,
    updated_by INTEGER REFERENCES accounts(id)
);
