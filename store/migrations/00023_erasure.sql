-- only: sqlite
-- +goose NO TRANSACTION
-- end only
-- +goose Up
-- only: sqlite
-- Erasure that always completes, and ids never used again.
--
-- members.id becomes AUTOINCREMENT: a plain INTEGER PRIMARY KEY gives the
-- next new member the number of a forgotten one who had the highest, and
-- the xAPI actor "member-N" would then merge a new person's learning
-- records with the erased one's. A certificate outlives its holder's
-- erasure: member_id may be NULL, and name_hash holds a keyed hash of the
-- name printed on it in place of the name.
--
-- SQLite changes a table's definition by building a new one (its "twelve
-- steps", https://www.sqlite.org/lang_altertable.html#otheralter), which
-- needs foreign keys off outside the transaction: hence NO TRANSACTION,
-- and a transaction of its own. The write pool has one connection, so
-- every statement runs on it.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE members_new (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    channel     TEXT    NOT NULL,
    platform_id TEXT    NOT NULL,
    name        TEXT    NOT NULL DEFAULT '',
    lang        TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    alias       TEXT,
    pseudonym   TEXT,
    name_key    TEXT,
    UNIQUE (channel, platform_id)
);
INSERT INTO members_new (id, channel, platform_id, name, lang, created_at, alias, pseudonym, name_key)
    SELECT id, channel, platform_id, name, lang, created_at, alias, pseudonym, name_key FROM members;
DROP TABLE members;
ALTER TABLE members_new RENAME TO members;
CREATE UNIQUE INDEX members_alias ON members (channel, alias) WHERE alias IS NOT NULL;
CREATE UNIQUE INDEX members_pseudonym ON members (pseudonym COLLATE NOCASE);
CREATE INDEX members_name_key ON members (name_key) WHERE name_key IS NOT NULL;

CREATE TABLE certificates_new (
    code      TEXT    PRIMARY KEY,
    member_id INTEGER REFERENCES members (id), -- NULL once its holder is forgotten
    name      TEXT    NOT NULL, -- as printed; '' once its holder is forgotten
    course_id TEXT    NOT NULL DEFAULT '',
    lesson_id TEXT    NOT NULL DEFAULT '',
    title     TEXT    NOT NULL,
    hours     REAL    NOT NULL,
    cohort_id INTEGER REFERENCES cohorts (id),
    run_id    INTEGER REFERENCES runs (id),
    issued_at INTEGER NOT NULL,
    name_hash TEXT -- the name's keyed hash, once its holder is forgotten
) WITHOUT ROWID;
INSERT INTO certificates_new (code, member_id, name, course_id, lesson_id, title, hours, cohort_id, run_id, issued_at)
    SELECT code, member_id, name, course_id, lesson_id, title, hours, cohort_id, run_id, issued_at FROM certificates;
DROP TABLE certificates;
ALTER TABLE certificates_new RENAME TO certificates;
CREATE UNIQUE INDEX certificates_once ON certificates (member_id, COALESCE(cohort_id, 0), COALESCE(run_id, 0));
CREATE INDEX certificates_member ON certificates (member_id);
COMMIT;
PRAGMA foreign_keys = ON;
-- end only
-- only: postgres
-- A certificate outlives its holder's erasure (see above; an
-- identity never gives a number twice, so members need no change here).
ALTER TABLE certificates ALTER COLUMN member_id DROP NOT NULL;
ALTER TABLE certificates ADD COLUMN name_hash TEXT;
-- end only

-- +goose Down
-- members keeps AUTOINCREMENT (harmless to the older schema); the
-- certificates of forgotten members go, as they did then.
DELETE FROM certificates WHERE member_id IS NULL;
ALTER TABLE certificates DROP COLUMN name_hash;
ALTER TABLE certificates ALTER COLUMN member_id SET NOT NULL; -- only: postgres
