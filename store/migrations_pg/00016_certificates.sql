-- +goose Up
-- Course outcomes and certificates (see SQLite's 00016).
CREATE TABLE course_results (
    cohort_id      BIGINT  NOT NULL REFERENCES cohorts (id),
    member_id      BIGINT  NOT NULL REFERENCES members (id),
    took           INTEGER NOT NULL,
    passed_lessons INTEGER NOT NULL,
    passed         INTEGER NOT NULL,
    at             BIGINT  NOT NULL,
    PRIMARY KEY (cohort_id, member_id)
);
CREATE INDEX course_results_member ON course_results (member_id);

CREATE TABLE certificates (
    code      TEXT             PRIMARY KEY,
    member_id BIGINT           NOT NULL REFERENCES members (id),
    name      TEXT             NOT NULL,
    course_id TEXT             NOT NULL DEFAULT '',
    lesson_id TEXT             NOT NULL DEFAULT '',
    title     TEXT             NOT NULL,
    hours     DOUBLE PRECISION NOT NULL,
    cohort_id BIGINT           REFERENCES cohorts (id),
    run_id    BIGINT           REFERENCES runs (id),
    issued_at BIGINT           NOT NULL
);
CREATE UNIQUE INDEX certificates_once ON certificates (member_id, COALESCE(cohort_id, 0), COALESCE(run_id, 0));
CREATE INDEX certificates_member ON certificates (member_id);

ALTER TABLE review_prefs ADD COLUMN cert_name TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE review_prefs DROP COLUMN cert_name;
DROP TABLE certificates;
DROP TABLE course_results;
