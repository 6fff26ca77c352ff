-- Telephony: vendor webhook deliveries (idempotency and replay protection) and
-- the legs of outbound calls placed by click-to-call.

-- One row per vendor event applied (e.g. "CA123:completed", "RE456"); a repeated
-- delivery finds its row and changes nothing.
CREATE TABLE webhook_deliveries (
	source TEXT NOT NULL,          -- telephony, sms, transcription
	event_key TEXT NOT NULL,
	workspace_id TEXT,
	received_at BIGINT NOT NULL,
	PRIMARY KEY (source, event_key)
);
CREATE INDEX webhook_deliveries_age ON webhook_deliveries (received_at);

-- Outbound legs (click-to-call): the agent's leg rings first, then bridges to the customer.
CREATE TABLE call_legs (
	call_sid TEXT PRIMARY KEY,     -- vendor id of this leg
	workspace_id TEXT NOT NULL REFERENCES workspaces(id),
	call_id TEXT NOT NULL REFERENCES calls(id) ON DELETE CASCADE,  -- the call it was placed from
	user_id TEXT REFERENCES users(id),
	to_e164 TEXT NOT NULL,
	from_e164 TEXT NOT NULL,
	bridge_mode TEXT NOT NULL DEFAULT 'conference' CHECK (bridge_mode IN ('conference', 'transfer')),
	status TEXT NOT NULL DEFAULT 'dialing' CHECK (status IN ('dialing', 'ringing', 'connected', 'ended', 'failed')),
	vendor_status TEXT,
	duration_sec BIGINT,
	error TEXT,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX call_legs_call ON call_legs (call_id, created_at);
