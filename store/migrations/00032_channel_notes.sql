-- +goose Up
-- The parked messages become a channel's notes in general (bot.Notebook):
-- WhatsApp's messages whose files are still to fetch, and the SMS
-- channel's queue of texts and its digests. The member a note is about
-- is a column of its own, so that erasing them reaches these rows too.
CREATE TABLE channel_notes (
    channel  TEXT   NOT NULL,
    key      TEXT   NOT NULL,
    member   TEXT   NOT NULL DEFAULT '',
    data     TEXT   NOT NULL,
    noted_at BIGINT NOT NULL,
    PRIMARY KEY (channel, key)
);
CREATE INDEX channel_notes_member ON channel_notes (channel, member);
CREATE INDEX channel_notes_order ON channel_notes (channel, noted_at, key);
INSERT INTO channel_notes (channel, key, member, data, noted_at)
    SELECT channel, key, sender, data, parked_at FROM parked;
DROP TABLE parked;

-- +goose Down
CREATE TABLE parked (
    channel   TEXT   NOT NULL,
    key       TEXT   NOT NULL,
    sender    TEXT   NOT NULL,
    data      TEXT   NOT NULL,
    parked_at BIGINT NOT NULL,
    PRIMARY KEY (channel, key)
);
CREATE INDEX parked_sender ON parked (channel, sender);
INSERT INTO parked SELECT channel, key, member, data, noted_at FROM channel_notes;
DROP TABLE channel_notes;
