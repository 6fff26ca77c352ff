-- Why a pending job waits, when it is not a retry's backoff: the job kind
-- put itself back for later (store_sms_job_defer). For "sms": 'pace' (its
-- A2P slot is far off, or the day's segment cap is used up), 'schedule' (a
-- scheduled send not due yet), 'quiet' (quiet hours at the recipient, seen
-- at delivery). NULL: a new job, or one waiting out a retry after an error.
-- Raising the campaign's rate or cap wakes only the 'pace' ones.
ALTER TABLE bg_jobs ADD COLUMN held_for TEXT;
-- Sends already waiting: one that never failed waits for its pacing, the
-- cap or its schedule (a schedule puts itself back when woken early); one
-- with an error waits out a retry.
UPDATE bg_jobs SET held_for = 'pace' WHERE kind = 'sms' AND status = 'pending' AND last_error IS NULL;

-- A message that quiet hours at the recipient put back at its delivery:
-- when the window opens and it goes (NULL: never deferred).
ALTER TABLE sms_messages ADD COLUMN deferred_until BIGINT;
