-- When the vendor request of a message's last attempt really started
-- (epoch microseconds, after the A2P window admitted it: domain/send_window.h).
-- The pacing's own record, kept with the message: it shows per message that
-- no window held more than the campaign's rate, which timestamps taken at
-- the vendor can only show up to their own clock's jitter.
ALTER TABLE sms_messages ADD COLUMN request_at_us BIGINT;
