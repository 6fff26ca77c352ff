-- SMS messaging: messages of both directions, the workspace's own templates,
-- its A2P campaign limits, the sender's pacing state and daily usage, and the
-- vendor callbacks already applied (idempotency). Times are epoch ms.

-- One SMS. `sid` is ours ("SM" + 32 hex, the client's messageSid and the
-- idempotency key of the send); `vendor_sid` is the vendor's MessageSid once
-- known. Inbound messages carry the vendor's sid in both.
CREATE TABLE sms_messages (
	sid TEXT PRIMARY KEY,
	vendor_sid TEXT UNIQUE,
	workspace_id TEXT NOT NULL REFERENCES workspaces(id),
	call_id TEXT,
	direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
	peer_e164 TEXT NOT NULL,       -- the customer
	our_e164 TEXT NOT NULL,        -- the tracking number
	body TEXT NOT NULL,
	template_id TEXT,
	category TEXT NOT NULL DEFAULT 'transactional' CHECK (category IN ('transactional', 'marketing')),
	kind TEXT NOT NULL DEFAULT 'send' CHECK (kind IN ('send', 'keyword_reply', 'inbound')),
	status TEXT NOT NULL,          -- scheduled queued sending sent delivered undelivered failed received
	error_code INTEGER,
	error TEXT,
	segments INTEGER NOT NULL,
	encoding TEXT NOT NULL,
	cost_micros INTEGER,
	user_id TEXT,
	scheduled_for BIGINT,
	attempt_at BIGINT,             -- first vendor attempt (an ambiguous one is looked up from here)
	sent_at BIGINT,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX sms_messages_conversation ON sms_messages (workspace_id, peer_e164, created_at, sid);

-- Vendor callbacks applied once: MessageSid + status.
CREATE TABLE sms_callbacks_seen (
	vendor_sid TEXT NOT NULL,
	status TEXT NOT NULL,
	seen_at BIGINT NOT NULL,
	PRIMARY KEY (vendor_sid, status)
) WITHOUT ROWID;

-- A workspace's own templates (the built-in ones live in code).
CREATE TABLE sms_templates (
	id TEXT PRIMARY KEY,
	workspace_id TEXT NOT NULL REFERENCES workspaces(id),
	name TEXT NOT NULL,
	body TEXT NOT NULL,
	category TEXT NOT NULL CHECK (category IN ('transactional', 'marketing')),
	created_by TEXT,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	UNIQUE (workspace_id, name)
);

-- A2P campaign limits; no row: the defaults.
CREATE TABLE sms_settings (
	workspace_id TEXT PRIMARY KEY REFERENCES workspaces(id),
	messages_per_second INTEGER NOT NULL,
	daily_cap_segments INTEGER NOT NULL,
	updated_at BIGINT NOT NULL
);

-- The sender's pacing: the next slot of the workspace's 1/rate grid
-- (microseconds), and when the last messages went (the last second's worth is
-- kept: no 1-second window ever holds more than the rate).
CREATE TABLE sms_pacer (
	workspace_id TEXT PRIMARY KEY,
	next_us BIGINT NOT NULL
) WITHOUT ROWID;
CREATE TABLE sms_pace_log (
	workspace_id TEXT NOT NULL,
	at_us BIGINT NOT NULL,
	PRIMARY KEY (workspace_id, at_us)
) WITHOUT ROWID;

-- Segments accepted by the vendor per workspace and UTC day (YYYY-MM-DD).
CREATE TABLE sms_usage (
	workspace_id TEXT NOT NULL,
	day TEXT NOT NULL,
	segments INTEGER NOT NULL,
	PRIMARY KEY (workspace_id, day)
) WITHOUT ROWID;
