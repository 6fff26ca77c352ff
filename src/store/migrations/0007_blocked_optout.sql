-- Two compliance lists the gate, the telephony webhook and messaging share.
-- Numbers are E.164; times are epoch milliseconds.

-- Numbers the workspace refuses: their inbound calls are rejected, nothing is
-- ever sent or dialed to them.
CREATE TABLE blocked_numbers (
	workspace_id TEXT NOT NULL REFERENCES workspaces(id),
	e164 TEXT NOT NULL,
	reason TEXT,
	source TEXT NOT NULL DEFAULT 'manual' CHECK (source IN ('manual', 'spam', 'import', 'system')),
	created_by TEXT REFERENCES users(id),
	created_at BIGINT NOT NULL,
	PRIMARY KEY (workspace_id, e164)
) WITHOUT ROWID;

-- The SMS opt-in state of a number, as last changed (STOP, START, vendor error
-- 21610, an agent's opt-out). No row: never asked, which is not opted out.
CREATE TABLE sms_opt_status (
	workspace_id TEXT NOT NULL REFERENCES workspaces(id),
	e164 TEXT NOT NULL,
	opted_out INTEGER NOT NULL CHECK (opted_out IN (0, 1)),
	source TEXT NOT NULL,          -- keyword (STOP, START...), vendor_21610, api, import
	changed_by TEXT REFERENCES users(id),
	changed_at BIGINT NOT NULL,
	PRIMARY KEY (workspace_id, e164)
) WITHOUT ROWID;
