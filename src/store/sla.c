/* SQL for business hours, SLA rules and notices. */
#include "store/sla.h"

#include <string.h>


enum err store_business_hours_get(struct db *db, const char *workspace_id, struct arena *a, struct bh_row *out)
{
	static const char sql[] =
		"SELECT time_zone, week, holidays, updated_at FROM business_hours WHERE workspace_id = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	bool row;
	rc = db_step(st, &row);
	if (rc == ERR_OK && !row)
		rc = ERR_NOT_FOUND;
	if (rc == ERR_OK) {
		out->time_zone = db_col_dup(st, 0, a);
		out->week = db_col_dup(st, 1, a);
		out->holidays = db_col_dup(st, 2, a);
		out->updated_at = db_col_int(st, 3);
		if (!out->time_zone || !out->week || !out->holidays)
			rc = ERR_NOMEM;
	}
	db_done(st);
	return rc;
}

enum err store_business_hours_set(struct db *db, const char *workspace_id, const struct bh_row *bh, int64_t now)
{
	static const char sql[] =
		"INSERT INTO business_hours (workspace_id, time_zone, week, holidays, updated_at) VALUES (?, ?, ?, ?, ?)"
		" ON CONFLICT (workspace_id) DO UPDATE SET time_zone = excluded.time_zone, week = excluded.week,"
		" holidays = excluded.holidays, updated_at = excluded.updated_at";
	static const char sql_ws[] = "UPDATE workspaces SET time_zone = ? WHERE id = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	db_bind_text(st, 2, bh->time_zone);
	db_bind_text(st, 3, bh->week);
	db_bind_text(st, 4, bh->holidays);
	db_bind_int(st, 5, now);
	if ((rc = db_run(st)) != ERR_OK)
		return rc;
	if ((rc = db_prepare(db, sql_ws, &st)) != ERR_OK)
		return rc;
	db_bind_text(st, 1, bh->time_zone);
	db_bind_text(st, 2, workspace_id);
	return db_run(st);
}

enum err store_sla_rules_list(struct db *db, const char *workspace_id, struct arena *a, struct sla_rule_row **rows,
			      int *n)
{
	static const char sql[] =
		"SELECT trigger_on, followup_type, clock, priority, minutes, warn_minutes, updated_at FROM sla_rules"
		" WHERE workspace_id = ? ORDER BY trigger_on";
	struct db_stmt *st;
	*n = 0;
	*rows = NULL;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	struct sla_rule_row *v = arena_alloc(a, sizeof *v * 32);
	if (!v) {
		db_done(st);
		return ERR_NOMEM;
	}
	bool row;
	while ((rc = db_step(st, &row)) == ERR_OK && row && *n < 32) {
		struct sla_rule_row *r = &v[(*n)++];
		r->trigger_on = db_col_dup(st, 0, a);
		r->followup_type = db_col_dup(st, 1, a);
		r->clock = db_col_dup(st, 2, a);
		r->priority = db_col_dup(st, 3, a);
		r->minutes = db_col_int(st, 4);
		r->warn_minutes = db_col_int(st, 5);
		r->updated_at = db_col_int(st, 6);
	}
	db_done(st);
	*rows = v;
	return rc;
}

enum err store_sla_rules_replace(struct db *db, const char *workspace_id, const struct sla_rule_row *rows, int n,
				 int64_t now)
{
	static const char del[] = "DELETE FROM sla_rules WHERE workspace_id = ?";
	static const char ins[] =
		"INSERT INTO sla_rules (workspace_id, trigger_on, followup_type, minutes, clock, warn_minutes, priority,"
		" updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
	struct db_stmt *st;
	enum err rc = db_prepare(db, del, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	if ((rc = db_run(st)) != ERR_OK)
		return rc;
	for (int i = 0; i < n; i++) {
		if ((rc = db_prepare(db, ins, &st)) != ERR_OK)
			return rc;
		db_bind_text(st, 1, workspace_id);
		db_bind_text(st, 2, rows[i].trigger_on);
		db_bind_text(st, 3, rows[i].followup_type);
		db_bind_int(st, 4, rows[i].minutes);
		db_bind_text(st, 5, rows[i].clock);
		db_bind_int(st, 6, rows[i].warn_minutes);
		db_bind_text(st, 7, rows[i].priority);
		db_bind_int(st, 8, now);
		if ((rc = db_run(st)) != ERR_OK)
			return rc;
	}
	return ERR_OK;
}

enum err store_followup_sla_set(struct db *db, const char *followup_id, const char *trigger, int64_t warn_at)
{
	static const char sql[] = "UPDATE followups SET sla_trigger = ?, warn_at = ? WHERE id = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, trigger);
	db_bind_int(st, 2, warn_at);
	db_bind_text(st, 3, followup_id);
	return db_run(st);
}

enum err store_followup_sla_open(struct db *db, const char *call_id, const char *trigger, bool *open)
{
	static const char sql[] =
		"SELECT EXISTS (SELECT 1 FROM followups WHERE call_id = ? AND sla_trigger = ? AND status = 'open')";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, call_id);
	db_bind_text(st, 2, trigger);
	bool row;
	rc = db_step(st, &row);
	*open = rc == ERR_OK && row && db_col_int(st, 0);
	db_done(st);
	return rc;
}

enum err store_followups_sla_cancel(struct db *db, const char *call_id, const char *trigger, int64_t now,
				    struct arena *a, const char ***ids, int *n)
{
	static const char sql[] = "UPDATE followups SET status = 'cancelled', updated_at = ?"
				  " WHERE call_id = ? AND sla_trigger = ? AND status = 'open' RETURNING id";
	struct db_stmt *st;
	*ids = NULL;
	*n = 0;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_int(st, 1, now);
	db_bind_text(st, 2, call_id);
	db_bind_text(st, 3, trigger);
	int cap = 0;
	for (bool row = true; rc == ERR_OK && row;) {
		if ((rc = db_step(st, &row)) != ERR_OK || !row)
			break;
		if (*n == cap) { /* one, as a rule: sla_apply opens at most one per trigger */
			const char **grown = arena_alloc(a, sizeof *grown * (size_t)(cap = cap ? 2 * cap : 2));
			if (!grown) {
				rc = ERR_NOMEM;
				break;
			}
			if (*n)
				memcpy(grown, *ids, sizeof *grown * (size_t)*n);
			*ids = grown;
		}
		if (!((*ids)[*n] = db_col_dup(st, 0, a))) {
			rc = ERR_NOMEM;
			break;
		}
		(*n)++;
	}
	db_done(st);
	return rc;
}

enum err store_notices_due(struct db *db, int kind, int64_t now, int max, struct arena *a, struct notice_row **rows,
			   int *n)
{
	static const char sql_warn[] =
		"SELECT id, workspace_id, call_id, contact_id, assigned_to, type, priority, due_at FROM followups"
		" WHERE status = 'open' AND warned_at IS NULL AND warn_at <= ? AND due_at > ? ORDER BY warn_at, id LIMIT ?";
	static const char sql_breach[] =
		"SELECT id, workspace_id, call_id, contact_id, assigned_to, type, priority, due_at FROM followups"
		" WHERE status = 'open' AND breached_at IS NULL AND due_at <= ? ORDER BY due_at, id LIMIT ?";
	struct db_stmt *st;
	*n = 0;
	struct notice_row *v = arena_alloc(a, sizeof *v * (size_t)max);
	if (!v)
		return ERR_NOMEM;
	enum err rc = db_prepare(db, kind == 0 ? sql_warn : sql_breach, &st);
	if (rc != ERR_OK)
		return rc;
	int i = 1;
	db_bind_int(st, i++, now);
	if (kind == 0)
		db_bind_int(st, i++, now); /* a warning is moot once the breach is due */
	db_bind_int(st, i, max);
	bool row;
	while ((rc = db_step(st, &row)) == ERR_OK && row && *n < max) {
		struct notice_row *r = &v[(*n)++];
		r->followup_id = db_col_dup(st, 0, a);
		r->workspace_id = db_col_dup(st, 1, a);
		r->call_id = db_col_dup(st, 2, a);
		r->contact_id = db_col_dup(st, 3, a);
		r->assigned_to = db_col_dup(st, 4, a);
		r->type = db_col_dup(st, 5, a);
		r->priority = db_col_dup(st, 6, a);
		r->due_at = db_col_int(st, 7);
	}
	db_done(st);
	*rows = v;
	return rc;
}

enum err store_notice_stamp(struct db *db, int kind, const char *followup_id, int64_t now, bool *won)
{
	static const char sql_warn[] = "UPDATE followups SET warned_at = ? WHERE id = ? AND warned_at IS NULL";
	static const char sql_breach[] = "UPDATE followups SET breached_at = ? WHERE id = ? AND breached_at IS NULL";
	struct db_stmt *st;
	enum err rc = db_prepare(db, kind == 0 ? sql_warn : sql_breach, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_int(st, 1, now);
	db_bind_text(st, 2, followup_id);
	rc = db_run(st);
	*won = rc == ERR_OK && db_changes(db) == 1;
	return rc;
}

enum err store_followup_counts(struct db *db, const char *workspace_id, const char *tech_user_id, int64_t now,
			       int64_t soon_ms, int64_t *overdue, int64_t *due_soon)
{
	static const char sql[] =
		"SELECT COALESCE(SUM(f.due_at <= ?), 0),"
		" COALESCE(SUM(f.due_at > ? AND COALESCE(f.warn_at, f.due_at - ?) <= ?), 0)"
		" FROM followups f WHERE f.workspace_id = ? AND f.status = 'open'"
		" AND (? IS NULL OR f.assigned_to = ? OR f.call_id IN (SELECT c.id FROM calls c JOIN job_assignments ja"
		"   ON ja.job_id = c.job_id WHERE ja.user_id = ?))";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_int(st, 1, now);
	db_bind_int(st, 2, now);
	db_bind_int(st, 3, soon_ms);
	db_bind_int(st, 4, now);
	db_bind_text(st, 5, workspace_id);
	db_bind_text(st, 6, tech_user_id);
	db_bind_text(st, 7, tech_user_id);
	db_bind_text(st, 8, tech_user_id);
	bool row;
	rc = db_step(st, &row);
	*overdue = (rc == ERR_OK && row) ? db_col_int(st, 0) : 0;
	*due_soon = (rc == ERR_OK && row) ? db_col_int(st, 1) : 0;
	db_done(st);
	return rc;
}

enum err store_sla_compliance(struct db *db, const char *workspace_id, int64_t from, int64_t to, int64_t *due,
			      int64_t *met)
{
	static const char sql[] =
		"SELECT COUNT(*), COALESCE(SUM(status = 'done' AND completed_at <= due_at), 0) FROM followups"
		" WHERE workspace_id = ? AND due_at >= ? AND due_at < ? AND status != 'cancelled'";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	db_bind_int(st, 2, from);
	db_bind_int(st, 3, to);
	bool row;
	rc = db_step(st, &row);
	*due = (rc == ERR_OK && row) ? db_col_int(st, 0) : 0;
	*met = (rc == ERR_OK && row) ? db_col_int(st, 1) : 0;
	db_done(st);
	return rc;
}
