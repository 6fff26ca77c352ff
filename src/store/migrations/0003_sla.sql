-- Business hours, SLA rules, the follow-up clock's notices, and the durable
-- job queue (e-mail alerts now; vendor calls, exports and bulk work later).

CREATE TABLE business_hours (
	workspace_id TEXT PRIMARY KEY REFERENCES workspaces(id),
	time_zone TEXT NOT NULL,
	week TEXT NOT NULL DEFAULT '',      -- "d:open-close,open-close;..." minutes from local midnight, d 0=Sunday
	holidays TEXT NOT NULL DEFAULT '',  -- comma-separated local dates YYYY-MM-DD
	updated_at BIGINT NOT NULL
);

-- What follow-up a call outcome asks for, and how soon.
CREATE TABLE sla_rules (
	workspace_id TEXT NOT NULL REFERENCES workspaces(id),
	trigger_on TEXT NOT NULL,           -- a disposition (missed, booked, callback, answered) or status (voicemail)
	followup_type TEXT NOT NULL DEFAULT 'callback' CHECK (followup_type IN ('callback', 'sms', 'email', 'task')),
	minutes BIGINT NOT NULL CHECK (minutes > 0),
	clock TEXT NOT NULL DEFAULT 'business' CHECK (clock IN ('business', 'wall')),
	warn_minutes BIGINT NOT NULL DEFAULT 0 CHECK (warn_minutes >= 0),
	priority TEXT NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
	updated_at BIGINT NOT NULL,
	PRIMARY KEY (workspace_id, trigger_on)
);

-- The scheduler's durable state: each notice is stamped in the same
-- transaction as its event, so a restart neither misses nor repeats one.
ALTER TABLE followups ADD COLUMN sla_trigger TEXT;
ALTER TABLE followups ADD COLUMN warn_at BIGINT;
ALTER TABLE followups ADD COLUMN warned_at BIGINT;
ALTER TABLE followups ADD COLUMN breached_at BIGINT;
CREATE INDEX followups_warn_due ON followups (warn_at) WHERE status = 'open' AND warned_at IS NULL;
CREATE INDEX followups_breach_due ON followups (due_at) WHERE status = 'open' AND breached_at IS NULL;

CREATE TABLE bg_jobs (
	id TEXT PRIMARY KEY,
	workspace_id TEXT,
	kind TEXT NOT NULL,
	payload TEXT NOT NULL,
	status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed')),
	attempts INTEGER NOT NULL DEFAULT 0,
	run_at BIGINT NOT NULL,
	locked_until BIGINT,
	last_error TEXT,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX bg_jobs_ready ON bg_jobs (status, run_at);
