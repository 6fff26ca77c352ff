-- The calls core: tracking numbers, contacts and their phones, jobs and their
-- techs, calls with tags and transcripts, follow-ups, disposition rules, the
-- realtime outbox (events) and the audit trail. Enums are stored as their wire
-- words. Times are epoch ms; NULL means "not known / not set".

CREATE TABLE tracking_numbers (
	id TEXT PRIMARY KEY,
	workspace_id TEXT NOT NULL REFERENCES workspaces(id),
	e164 TEXT NOT NULL,
	label TEXT,
	status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
	routing_mode TEXT NOT NULL DEFAULT 'human' CHECK (routing_mode IN ('ai', 'human', 'overflow')),
	after_hours TEXT NOT NULL DEFAULT 'vm' CHECK (after_hours IN ('ai', 'vm', 'forward')),
	hours TEXT,
	recording_opt_in INTEGER NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	UNIQUE (workspace_id, e164)
);
CREATE UNIQUE INDEX tracking_numbers_e164 ON tracking_numbers (e164);

-- rid: a stable integer key (the full-text index's rowid); id: the public UUIDv7.
CREATE TABLE contacts (
	rid INTEGER PRIMARY KEY,
	id TEXT NOT NULL UNIQUE,
	workspace_id TEXT NOT NULL REFERENCES workspaces(id),
	name TEXT,
	email TEXT,
	address TEXT,
	notes TEXT,
	do_not_contact INTEGER NOT NULL DEFAULT 0,
	preferred_channel TEXT CHECK (preferred_channel IN ('call', 'sms', 'email')),
	time_windows TEXT NOT NULL DEFAULT '[]',
	last_seen_at BIGINT,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX contacts_ws_name ON contacts (workspace_id, name);

-- A number belongs to at most one contact in a workspace.
CREATE TABLE contact_phones (
	workspace_id TEXT NOT NULL,
	e164 TEXT NOT NULL,
	contact_id TEXT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
	label TEXT,
	position INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (workspace_id, e164)
);
CREATE INDEX contact_phones_contact ON contact_phones (contact_id, position);

CREATE TABLE contact_emails (
	contact_id TEXT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
	email TEXT NOT NULL,
	position INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (contact_id, email)
);

-- Contact search: names, e-mails and phone digits, substring-matchable; rowid = contacts.rid.
CREATE VIRTUAL TABLE contacts_fts USING fts5(name, email, digits, tokenize = 'trigram');

CREATE TABLE jobs (
	id TEXT PRIMARY KEY,
	workspace_id TEXT NOT NULL REFERENCES workspaces(id),
	title TEXT,
	status TEXT NOT NULL DEFAULT 'new'
		CHECK (status IN ('new', 'scheduled', 'en_route', 'on_site', 'done', 'cancelled')),
	slot_start BIGINT,
	slot_end BIGINT,
	address TEXT,
	contact_id TEXT REFERENCES contacts(id),
	source_call_id TEXT,
	assigned_to TEXT REFERENCES users(id),
	estimate_cents BIGINT,
	final_cents BIGINT,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX jobs_ws_contact ON jobs (workspace_id, contact_id);

-- The techs on a job; a Tech reads and edits only calls of jobs listed here for them.
CREATE TABLE job_assignments (
	job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
	user_id TEXT NOT NULL REFERENCES users(id),
	workspace_id TEXT NOT NULL,
	PRIMARY KEY (job_id, user_id)
);
CREATE INDEX job_assignments_user ON job_assignments (workspace_id, user_id, job_id);

CREATE TABLE calls (
	rid INTEGER PRIMARY KEY,
	id TEXT NOT NULL UNIQUE,
	workspace_id TEXT NOT NULL REFERENCES workspaces(id),
	started_at BIGINT NOT NULL,
	answered_at BIGINT,
	ended_at BIGINT,
	duration_sec BIGINT,
	direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
	from_e164 TEXT NOT NULL,
	to_e164 TEXT NOT NULL,
	from_raw TEXT,
	status TEXT NOT NULL DEFAULT 'completed' CHECK (status IN
		('ringing', 'in_progress', 'completed', 'busy', 'failed', 'no_answer', 'canceled', 'voicemail')),
	call_sid TEXT,
	number_id TEXT,
	contact_id TEXT REFERENCES contacts(id),
	job_id TEXT REFERENCES jobs(id),
	agent_type TEXT NOT NULL DEFAULT 'human' CHECK (agent_type IN ('ai', 'human')),
	agent_user_id TEXT,
	assigned_to TEXT,
	intent TEXT CHECK (intent IN ('emergency', 'routine', 'quote', 'faq', 'billing', 'spam')),
	disposition TEXT CHECK (disposition IN ('answered', 'missed', 'booked', 'spam', 'callback')),
	outcome_at BIGINT,
	outcome_required INTEGER NOT NULL DEFAULT 0,
	queue_status TEXT NOT NULL DEFAULT 'none' CHECK (queue_status IN ('none', 'triage', 'followup')),
	priority TEXT NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
	value_est_cents BIGINT,
	emergency_score INTEGER,
	spam_score INTEGER,
	spam_reason TEXT CHECK (spam_reason IN ('robocall', 'telemarketer', 'repeat_silent')),
	spam INTEGER NOT NULL DEFAULT 0,
	recording_url TEXT,
	recording_sid TEXT,
	recording_duration_sec BIGINT,
	transcript_url TEXT,
	has_transcript INTEGER NOT NULL DEFAULT 0,
	escalation_status TEXT NOT NULL DEFAULT 'none' CHECK (escalation_status IN ('none', 'queued', 'sent', 'acked')),
	source TEXT NOT NULL DEFAULT 'phone' CHECK (source IN ('phone', 'web_callback', 'manual', 'transfer')),
	lead_source TEXT NOT NULL DEFAULT 'unknown'
		CHECK (lead_source IN ('google_maps', 'website', 'referral', 'ad', 'unknown')),
	notes TEXT,
	after_hours INTEGER NOT NULL DEFAULT 0,
	first_time_caller INTEGER NOT NULL DEFAULT 0,
	prior_calls INTEGER NOT NULL DEFAULT 0,
	carrier TEXT,
	line_type TEXT NOT NULL DEFAULT 'unknown' CHECK (line_type IN ('mobile', 'landline', 'voip', 'unknown')),
	consent_recording INTEGER,
	consent_sms INTEGER,
	consent_updated_at BIGINT,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX calls_ws_started ON calls (workspace_id, started_at DESC, id DESC);
CREATE INDEX calls_ws_disposition ON calls (workspace_id, disposition, started_at DESC);
CREATE INDEX calls_ws_contact ON calls (workspace_id, contact_id, started_at DESC);
CREATE INDEX calls_ws_job ON calls (workspace_id, job_id);
CREATE INDEX calls_ws_from ON calls (workspace_id, from_e164, started_at DESC);
CREATE INDEX calls_ws_queue ON calls (workspace_id, queue_status, started_at DESC);
CREATE INDEX calls_ws_duration ON calls (workspace_id, COALESCE(duration_sec, -1), id);
CREATE INDEX calls_ws_value ON calls (workspace_id, COALESCE(value_est_cents, -1), id);
CREATE INDEX calls_ws_emergency ON calls (workspace_id, COALESCE(emergency_score, -1), id);
CREATE UNIQUE INDEX calls_sid ON calls (call_sid) WHERE call_sid IS NOT NULL;

CREATE TABLE call_tags (
	call_id TEXT NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
	workspace_id TEXT NOT NULL,
	tag TEXT NOT NULL,
	PRIMARY KEY (call_id, tag)
);
CREATE INDEX call_tags_ws_tag ON call_tags (workspace_id, tag, call_id);

CREATE TABLE transcripts (
	call_id TEXT PRIMARY KEY REFERENCES calls(id) ON DELETE CASCADE,
	workspace_id TEXT NOT NULL,
	body TEXT NOT NULL,         -- structured transcript (JSON) as received
	text TEXT NOT NULL,         -- plain text for search and excerpts
	confidence INTEGER,
	created_at BIGINT NOT NULL
);

-- Call search: phone digits, contact name, notes and transcript text, substring-matchable.
-- rowid = calls.rid.
CREATE VIRTUAL TABLE calls_fts USING fts5(digits, words, tokenize = 'trigram');

CREATE TABLE followups (
	id TEXT PRIMARY KEY,
	workspace_id TEXT NOT NULL REFERENCES workspaces(id),
	call_id TEXT REFERENCES calls(id) ON DELETE CASCADE,
	contact_id TEXT REFERENCES contacts(id),
	type TEXT NOT NULL CHECK (type IN ('callback', 'sms', 'email', 'task')),
	due_at BIGINT NOT NULL,
	assigned_to TEXT,
	status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'cancelled')),
	priority TEXT NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
	note TEXT,
	completed_at BIGINT,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX followups_call ON followups (call_id, status, due_at);
CREATE INDEX followups_ws_status_due ON followups (workspace_id, status, due_at);
CREATE INDEX followups_ws_assignee ON followups (workspace_id, assigned_to, status, due_at);

CREATE TABLE disposition_rules (
	workspace_id TEXT NOT NULL REFERENCES workspaces(id),
	disposition TEXT NOT NULL CHECK (disposition IN ('answered', 'missed', 'booked', 'spam', 'callback')),
	required_fields TEXT NOT NULL DEFAULT '',  -- comma-separated wire field names
	updated_at BIGINT NOT NULL,
	PRIMARY KEY (workspace_id, disposition)
);

-- Transactional outbox for realtime events: written in the same transaction as
-- the change, numbered, read by the WebSocket hub.
CREATE TABLE events (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	id TEXT NOT NULL UNIQUE,
	workspace_id TEXT NOT NULL,
	type TEXT NOT NULL,
	call_id TEXT,
	data TEXT NOT NULL,
	at BIGINT NOT NULL
);
CREATE INDEX events_ws_seq ON events (workspace_id, seq);

CREATE TABLE audit_events (
	id TEXT PRIMARY KEY,
	workspace_id TEXT NOT NULL,
	actor_id TEXT,
	actor TEXT NOT NULL,
	action TEXT NOT NULL,
	target TEXT NOT NULL,
	target_id TEXT NOT NULL,
	diff TEXT,
	metadata TEXT,
	source TEXT NOT NULL CHECK (source IN ('api', 'webhook', 'system', 'bulk')),
	created_at BIGINT NOT NULL
);
CREATE INDEX audit_target ON audit_events (workspace_id, target, target_id, id);
