-- The spam model of each workspace (a naive Bayes classifier, see
-- src/domain/spam_model.h): per-feature counts, the labelled examples they
-- were counted from, and the caller name (CNAM) an inbound call arrived with.
-- Counts are kept incrementally: labelling a call adds its example's features
-- to the counts of its classes; re-labelling subtracts the old example first,
-- so an example is counted once whatever happens to it.

-- n examples of class cls (ham, spam, robocall, telemarketer, repeat_silent)
-- have feature (a "group=value" token), or a known value in group (a group
-- name alone), or exist at all (feature '*').
CREATE TABLE spam_counts (
	workspace_id TEXT NOT NULL REFERENCES workspaces(id),
	feature TEXT NOT NULL,
	cls TEXT NOT NULL CHECK (cls IN ('ham', 'spam', 'robocall', 'telemarketer', 'repeat_silent')),
	n INTEGER NOT NULL CHECK (n >= 0),
	PRIMARY KEY (workspace_id, feature, cls)
) WITHOUT ROWID;

-- One labelled call; features as counted (space-separated tokens), so a
-- re-label subtracts exactly what was added.
CREATE TABLE spam_examples (
	workspace_id TEXT NOT NULL REFERENCES workspaces(id),
	call_id TEXT NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
	is_spam INTEGER NOT NULL CHECK (is_spam IN (0, 1)),
	reason TEXT CHECK (reason IN ('robocall', 'telemarketer', 'repeat_silent')),
	features TEXT NOT NULL,
	source TEXT NOT NULL CHECK (source IN ('train', 'mark', 'bulk', 'bootstrap')),
	labelled_by TEXT,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	PRIMARY KEY (workspace_id, call_id)
) WITHOUT ROWID;
CREATE INDEX spam_examples_ws_updated ON spam_examples (workspace_id, updated_at DESC);

-- The caller name the carrier sent with an inbound call (Twilio CallerName),
-- kept for training: the calls row does not hold it. Written when the call is
-- scored, just before it is inserted.
CREATE TABLE spam_caller_names (
	call_id TEXT PRIMARY KEY,
	workspace_id TEXT NOT NULL,
	caller_name TEXT NOT NULL,
	created_at BIGINT NOT NULL
);
