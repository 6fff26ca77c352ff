-- Compliance on contacts: the recipient's own time zone (quiet hours are
-- judged in it; NULL: from the number) and the contact's consent as last
-- recorded (NULL: never asked). Calls already carry their consent columns.
ALTER TABLE contacts ADD COLUMN time_zone TEXT;
ALTER TABLE contacts ADD COLUMN consent_recording INTEGER CHECK (consent_recording IN (0, 1));
ALTER TABLE contacts ADD COLUMN consent_sms INTEGER CHECK (consent_sms IN (0, 1));
ALTER TABLE contacts ADD COLUMN consent_updated_at BIGINT;
