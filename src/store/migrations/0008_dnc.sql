-- The workspace's do-not-contact list: one row per number, per channel, with an
-- optional expiry. Fed by agents (a contact's DNC), CSV imports (including a
-- national registry), and SMS STOP keywords (channel sms). The compliance gate
-- reads it for every send and dial.
CREATE TABLE dnc_entries (
	workspace_id TEXT NOT NULL REFERENCES workspaces(id),
	e164 TEXT NOT NULL,
	contact_id TEXT REFERENCES contacts(id) ON DELETE SET NULL,
	block_call INTEGER NOT NULL DEFAULT 1 CHECK (block_call IN (0, 1)),
	block_sms INTEGER NOT NULL DEFAULT 1 CHECK (block_sms IN (0, 1)),
	reason TEXT,
	source TEXT NOT NULL,          -- manual, import, registry, sms_stop, vendor_21610
	expires_at BIGINT,             -- NULL: never
	created_by TEXT REFERENCES users(id),
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	PRIMARY KEY (workspace_id, e164)
) WITHOUT ROWID;
CREATE INDEX dnc_entries_contact ON dnc_entries (workspace_id, contact_id);

-- When each kind of list was last imported (a national registry older than 31 days is warned about).
CREATE TABLE dnc_imports (
	id TEXT PRIMARY KEY,
	workspace_id TEXT NOT NULL REFERENCES workspaces(id),
	source TEXT NOT NULL,          -- import, registry
	registry_date BIGINT,          -- the registry snapshot's date, when source = registry
	imported INTEGER NOT NULL,
	invalid INTEGER NOT NULL,
	created_by TEXT REFERENCES users(id),
	created_at BIGINT NOT NULL
);
CREATE INDEX dnc_imports_ws ON dnc_imports (workspace_id, source, created_at);
