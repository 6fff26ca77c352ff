-- The triage queue ranks calls on a score whose clock-free part, the base
-- (emergency intent and score, first-time caller, value: TRIAGE_BASE in
-- store/calls.c, written identically here so the planner matches it), is
-- indexed over the queue only. A call older than 24 h that is not overdue
-- scores exactly base + 100, so the top of the queue is read from this index
-- in order instead of scoring every queued call per request. spam and
-- started_at ride along so the scan needs no table lookups.
DROP INDEX IF EXISTS calls_triage_cover;
CREATE INDEX calls_triage_rank ON calls (workspace_id,
	((CASE WHEN intent = 'emergency' THEN 300 ELSE 0 END) + 2 * COALESCE(emergency_score, 0)
	 + 100 * first_time_caller + MIN(COALESCE(value_est_cents, 0) / 10000, 100)),
	id, spam, started_at)
	WHERE queue_status IN ('triage', 'followup');
