-- +goose Up
-- Each member's outcome in a course that ended, and the certificates
-- members earned: what each states, found by its verification code.
CREATE TABLE course_results (
    cohort_id      BIGINT  NOT NULL REFERENCES cohorts (id),
    member_id      BIGINT  NOT NULL REFERENCES members (id),
    took           INTEGER NOT NULL, -- lessons they answered in -- only: sqlite
    took           INTEGER NOT NULL, -- only: postgres
    passed_lessons INTEGER NOT NULL,
    passed         INTEGER NOT NULL,
    at             BIGINT  NOT NULL,
    PRIMARY KEY (cohort_id, member_id)
) WITHOUT ROWID; -- only: sqlite
); -- only: postgres
CREATE INDEX course_results_member ON course_results (member_id);

CREATE TABLE certificates (
    code      TEXT             PRIMARY KEY,
    member_id BIGINT           NOT NULL REFERENCES members (id),
    name      TEXT    NOT NULL, -- as printed -- only: sqlite
    name      TEXT             NOT NULL, -- only: postgres
    course_id TEXT             NOT NULL DEFAULT '',
    lesson_id TEXT             NOT NULL DEFAULT '',
    title     TEXT             NOT NULL,
    hours     REAL    NOT NULL, -- only: sqlite
    hours     DOUBLE PRECISION NOT NULL, -- only: postgres
    cohort_id BIGINT           REFERENCES cohorts (id),
    run_id    BIGINT           REFERENCES runs (id),
    issued_at BIGINT           NOT NULL
-- only: sqlite
) WITHOUT ROWID;
-- One certificate per member per course taken or lesson run.
-- end only
); -- only: postgres
CREATE UNIQUE INDEX certificates_once ON certificates (member_id, COALESCE(cohort_id, 0), COALESCE(run_id, 0));
CREATE INDEX certificates_member ON certificates (member_id);

-- The name a member wants on their certificates.
ALTER TABLE review_prefs ADD COLUMN cert_name TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE review_prefs DROP COLUMN cert_name;
DROP TABLE certificates;
DROP TABLE course_results;
