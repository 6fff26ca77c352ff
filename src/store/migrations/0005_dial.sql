-- Click-to-call bookkeeping on call_legs.
-- request_sid: the callSid we answer the client with before the vendor has
--   placed the leg (the dial job runs later); call_sid becomes the vendor's sid
--   once placed, request_sid stays, so both find the leg.
-- idempotency_key: the Idempotency-Key of the click-to-call that made the leg
--   (per workspace and user).
-- leg_role: agent (the acting user's phone, rung first) or customer (the second
--   leg of a conference bridge, placed once the agent answers).
-- parent_sid: the agent leg's request_sid, on a customer leg.
ALTER TABLE call_legs ADD COLUMN request_sid TEXT;
ALTER TABLE call_legs ADD COLUMN idempotency_key TEXT;
ALTER TABLE call_legs ADD COLUMN leg_role TEXT NOT NULL DEFAULT 'agent';
ALTER TABLE call_legs ADD COLUMN parent_sid TEXT;
CREATE UNIQUE INDEX call_legs_request ON call_legs (request_sid);
CREATE UNIQUE INDEX call_legs_idem ON call_legs (workspace_id, user_id, idempotency_key)
	WHERE idempotency_key IS NOT NULL;
