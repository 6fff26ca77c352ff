-- A pace-log reservation becomes the send's real start once the vendor
-- request has been made (started = 1, at_us = when it started), so a
-- restarted process paces its first sends against when its predecessor's
-- really began, not when they were granted (domain/send_window.h).
ALTER TABLE sms_pace_log ADD COLUMN started INTEGER NOT NULL DEFAULT 0;
