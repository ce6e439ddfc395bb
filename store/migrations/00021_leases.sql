-- +goose Up
-- Leases: what one instance of several holds alone for a time, renewed
-- while it lives and taken over once it lapses (a WhatsApp number's one
-- session). holder names the instance.
CREATE TABLE leases (
    name       TEXT   PRIMARY KEY,
    holder     TEXT   NOT NULL,
    expires_at BIGINT NOT NULL
) WITHOUT ROWID; -- only: sqlite
); -- only: postgres

-- +goose Down
DROP TABLE leases;
