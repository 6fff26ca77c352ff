/* SQL for blocked numbers and SMS opt-in state. */
#include "store/blocked.h"

#include <string.h>

#define BLOCKED_COLS "workspace_id, e164, reason, source, created_by, created_at"

static enum err blocked_read(struct db_stmt *st, struct arena *a, struct blocked_number *b)
{
	memset(b, 0, sizeof *b);
	b->workspace_id = db_col_dup(st, 0, a);
	b->e164 = db_col_dup(st, 1, a);
	b->reason = db_col_dup(st, 2, a);
	b->source = db_col_dup(st, 3, a);
	b->created_by = db_col_dup(st, 4, a);
	b->created_at = db_col_int(st, 5);
	return b->workspace_id && b->e164 && b->source ? ERR_OK : ERR_NOMEM;
}

enum err store_blocked_add(struct db *db, const struct blocked_number *b, bool *created)
{
	static const char sql[] = "INSERT INTO blocked_numbers (" BLOCKED_COLS ") VALUES (?, ?, ?, ?, ?, ?)"
				  " ON CONFLICT (workspace_id, e164) DO NOTHING";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, b->workspace_id);
	db_bind_text(st, 2, b->e164);
	db_bind_text(st, 3, b->reason);
	db_bind_text(st, 4, b->source ? b->source : "manual");
	db_bind_text(st, 5, b->created_by);
	db_bind_int(st, 6, b->created_at);
	if ((rc = db_run(st)) == ERR_OK && created)
		*created = db_changes(db) > 0;
	return rc;
}

enum err store_blocked_remove(struct db *db, const char *workspace_id, const char *e164)
{
	static const char sql[] = "DELETE FROM blocked_numbers WHERE workspace_id = ? AND e164 = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	db_bind_text(st, 2, e164);
	if ((rc = db_run(st)) == ERR_OK && db_changes(db) == 0)
		rc = ERR_NOT_FOUND;
	return rc;
}

enum err store_blocked_get(struct db *db, const char *workspace_id, const char *e164, struct arena *a,
			   struct blocked_number *out)
{
	static const char sql[] = "SELECT " BLOCKED_COLS " FROM blocked_numbers WHERE workspace_id = ? AND e164 = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	db_bind_text(st, 2, e164);
	bool row = false;
	if ((rc = db_step(st, &row)) == ERR_OK)
		rc = row ? blocked_read(st, a, out) : ERR_NOT_FOUND;
	db_done(st);
	return rc;
}

enum err store_blocked_is(struct db *db, const char *workspace_id, const char *e164, bool *blocked)
{
	static const char sql[] = "SELECT 1 FROM blocked_numbers WHERE workspace_id = ? AND e164 = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	db_bind_text(st, 2, e164);
	bool row = false;
	rc = db_step(st, &row);
	db_done(st);
	*blocked = rc == ERR_OK && row;
	return rc;
}

enum err store_blocked_list(struct db *db, const char *workspace_id, struct arena *a, struct blocked_number **rows,
			    int *n)
{
	static const char sql[] = "SELECT " BLOCKED_COLS " FROM blocked_numbers WHERE workspace_id = ?"
				  " ORDER BY created_at DESC, e164";
	*rows = NULL;
	*n = 0;
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	int cap = 0;
	bool row = false;
	while ((rc = db_step(st, &row)) == ERR_OK && row) {
		if (*n == cap) {
			int ncap = cap ? cap * 2 : 16;
			struct blocked_number *grown = arena_alloc(a, sizeof *grown * (size_t)ncap);
			if (!grown) {
				rc = ERR_NOMEM;
				break;
			}
			if (*n)
				memcpy(grown, *rows, sizeof *grown * (size_t)*n);
			*rows = grown;
			cap = ncap;
		}
		if ((rc = blocked_read(st, a, &(*rows)[*n])) != ERR_OK)
			break;
		(*n)++;
	}
	db_done(st);
	return rc;
}

enum err store_blocked_count(struct db *db, const char *workspace_id, int64_t *count)
{
	static const char sql[] = "SELECT count(*) FROM blocked_numbers WHERE workspace_id = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	return db_step_int(st, 0, count);
}

enum err store_sms_opt_set(struct db *db, const struct sms_opt_status *s, bool *changed)
{
	/* The update clause only fires on a real change, so db_changes tells. */
	static const char sql[] =
		"INSERT INTO sms_opt_status (workspace_id, e164, opted_out, source, changed_by, changed_at)"
		" VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (workspace_id, e164) DO UPDATE SET"
		" opted_out = excluded.opted_out, source = excluded.source, changed_by = excluded.changed_by,"
		" changed_at = excluded.changed_at WHERE sms_opt_status.opted_out <> excluded.opted_out";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, s->workspace_id);
	db_bind_text(st, 2, s->e164);
	db_bind_bool(st, 3, s->opted_out);
	db_bind_text(st, 4, s->source);
	db_bind_text(st, 5, s->changed_by);
	db_bind_int(st, 6, s->changed_at);
	if ((rc = db_run(st)) == ERR_OK && changed)
		*changed = db_changes(db) > 0;
	return rc;
}

enum err store_sms_opt_get(struct db *db, const char *workspace_id, const char *e164, struct arena *a,
			   struct sms_opt_status *out)
{
	static const char sql[] = "SELECT workspace_id, e164, opted_out, source, changed_by, changed_at"
				  " FROM sms_opt_status WHERE workspace_id = ? AND e164 = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	db_bind_text(st, 2, e164);
	bool row = false;
	if ((rc = db_step(st, &row)) == ERR_OK && !row)
		rc = ERR_NOT_FOUND;
	if (rc == ERR_OK) {
		memset(out, 0, sizeof *out);
		out->workspace_id = db_col_dup(st, 0, a);
		out->e164 = db_col_dup(st, 1, a);
		out->opted_out = db_col_int(st, 2) != 0;
		out->source = db_col_dup(st, 3, a);
		out->changed_by = db_col_dup(st, 4, a);
		out->changed_at = db_col_int(st, 5);
		if (!out->workspace_id || !out->e164 || !out->source)
			rc = ERR_NOMEM;
	}
	db_done(st);
	return rc;
}
