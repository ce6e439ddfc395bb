-- +goose Up
-- Inbound messages a channel acknowledged before their file was fetched
-- (WhatsApp's adapter downloads outside whatsmeow's event handler, which
-- would otherwise wait for it): kept until handled, so that a restart
-- fetches and handles them again. The sender's platform id is a column of
-- its own, so that erasing them reaches these rows too.
CREATE TABLE parked (
    channel   TEXT   NOT NULL,
    key       TEXT   NOT NULL,
    sender    TEXT   NOT NULL,
    data      TEXT   NOT NULL,
    parked_at BIGINT NOT NULL,
    PRIMARY KEY (channel, key)
);
CREATE INDEX parked_sender ON parked (channel, sender);

-- +goose Down
DROP TABLE parked;
