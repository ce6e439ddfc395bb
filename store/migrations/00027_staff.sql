-- +goose Up
-- The programme's staff and mentors as the configuration names them (a
-- channel and a platform id, or on WhatsApp a phone number; role 'staff'
-- or 'mentor'), written at each start (DB.SetStaff), so that the figures
-- count learners alone wherever they are read, the huddle report
-- command's included: staff and mentors teach, and are not counted among
-- a group's members or its active ones. Mentors added by command are in
-- mentors.
CREATE TABLE staff (
    channel TEXT NOT NULL,
    ref     TEXT NOT NULL,
    role    TEXT NOT NULL,
    PRIMARY KEY (channel, ref, role)
);

-- +goose Down
DROP TABLE staff;
