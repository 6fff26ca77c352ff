-- attempt_at: when the first request to place a click-to-call leg with the
--   vendor started (wall clock, epoch ms), recorded before the request goes
--   out; NULL while none has. Twilio's Calls API takes no idempotency key, so
--   a retry of a leg that has one asks the vendor for a call it may already
--   have placed (created since then) before placing it again.
ALTER TABLE call_legs ADD COLUMN attempt_at BIGINT;
