-- attempt_at: when the first request to place a click-to-call leg with the
--   vendor started (wall clock, epoch ms), recorded before the request goes
--   out; NULL while none has. Twilio's Calls API takes no idempotency key, so
--   a retry of a leg that has one asks the vendor for a call it may already
--   have placed (created since then) before placing it again.
ALTER TABLE call_legs ADD COLUMN attempt_at BIGINT;

-- A tracking number's own business hours, kept like the workspace's (table
-- business_hours): hours_zone an IANA zone (NULL: the number has none of its
-- own, the workspace's hours apply), hours_week "d:open-close,...;...",
-- hours_holidays "YYYY-MM-DD,...". They are validated like the workspace's
-- and decide whether the number's inbound calls are after hours. The old
-- free-form hours column was taken without validation and never used; its
-- values stay, unread, as hours_unvalidated.
ALTER TABLE tracking_numbers RENAME COLUMN hours TO hours_unvalidated;
ALTER TABLE tracking_numbers ADD COLUMN hours_zone TEXT;
ALTER TABLE tracking_numbers ADD COLUMN hours_week TEXT NOT NULL DEFAULT '';
ALTER TABLE tracking_numbers ADD COLUMN hours_holidays TEXT NOT NULL DEFAULT '';
