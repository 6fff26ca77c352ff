-- The A2P daily cap counts segments by the carrier's day, not UTC's: the
-- campaign names the zone whose midnight starts it (NULL: America/Los_Angeles,
-- T-Mobile's day). sms_usage.day is that zone's date from now on.
ALTER TABLE sms_settings ADD COLUMN cap_time_zone TEXT;

-- Delivery receipts lost while we were down are asked of the vendor: when an
-- outbound message was last checked that way (NULL: never).
ALTER TABLE sms_messages ADD COLUMN reconciled_at BIGINT;

-- The messages a reconcile may look at: with the vendor, not final yet.
CREATE INDEX sms_messages_unsettled ON sms_messages (status, updated_at)
	WHERE status IN ('accepted', 'queued', 'sending', 'sent');

-- At most one reconcile job per message is waiting or running.
CREATE UNIQUE INDEX bg_jobs_sms_reconcile_one ON bg_jobs (payload)
	WHERE kind = 'sms_reconcile' AND status IN ('pending', 'running');
