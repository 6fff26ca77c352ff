-- Bulk operations and exports (issue 7): durable jobs with their progress,
-- the calls each bulk job applies to (fixed when the job is created), and
-- the calls it could not change, each with the reason.
CREATE TABLE bulk_jobs (
	id TEXT PRIMARY KEY,
	workspace_id TEXT NOT NULL,
	user_id TEXT NOT NULL,
	user_email TEXT,
	role TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('bulk', 'export')),
	operation TEXT NOT NULL,
	data TEXT NOT NULL DEFAULT '{}',
	status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'completed', 'failed')),
	total INTEGER NOT NULL DEFAULT 0,
	processed INTEGER NOT NULL DEFAULT 0,
	nerrors INTEGER NOT NULL DEFAULT 0,
	next_seq INTEGER NOT NULL DEFAULT 0,
	attempts INTEGER NOT NULL DEFAULT 0,
	locked_until BIGINT,
	result_key TEXT,
	result_size BIGINT,
	last_error TEXT,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	finished_at BIGINT
);
CREATE INDEX bulk_jobs_ready ON bulk_jobs (status, created_at);
CREATE INDEX bulk_jobs_workspace ON bulk_jobs (workspace_id, kind, status);
CREATE INDEX bulk_jobs_user ON bulk_jobs (user_id, kind, created_at);

CREATE TABLE bulk_job_items (
	job_id TEXT NOT NULL,
	seq INTEGER NOT NULL,
	call_id TEXT NOT NULL,
	PRIMARY KEY (job_id, seq)
) WITHOUT ROWID;

CREATE TABLE bulk_job_errors (
	job_id TEXT NOT NULL,
	seq INTEGER NOT NULL,
	call_id TEXT NOT NULL,
	status INTEGER NOT NULL,
	message TEXT NOT NULL,
	PRIMARY KEY (job_id, seq)
) WITHOUT ROWID;
