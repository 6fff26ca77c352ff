/* SQL for the do-not-contact list. */
#include "store/dnc.h"

#include <string.h>

#define DNC_COLS \
	"workspace_id, e164, contact_id, block_call, block_sms, reason, source, expires_at, created_by," \
	" created_at, updated_at"

/* Fills e from st's current row; strings point into st when a is NULL. */
static enum err dnc_read(struct db_stmt *st, struct arena *a, struct dnc_entry *e)
{
	memset(e, 0, sizeof *e);
	if (!a) {
		e->workspace_id = db_col_text(st, 0);
		e->e164 = db_col_text(st, 1);
		e->contact_id = db_col_text(st, 2);
		e->reason = db_col_text(st, 5);
		e->source = db_col_text(st, 6);
		e->created_by = db_col_text(st, 8);
	} else {
		e->workspace_id = db_col_dup(st, 0, a);
		e->e164 = db_col_dup(st, 1, a);
		e->contact_id = db_col_dup(st, 2, a);
		e->reason = db_col_dup(st, 5, a);
		e->source = db_col_dup(st, 6, a);
		e->created_by = db_col_dup(st, 8, a);
	}
	e->block_call = db_col_int(st, 3) != 0;
	e->block_sms = db_col_int(st, 4) != 0;
	e->expires_at = db_col_int(st, 7);
	e->created_at = db_col_int(st, 9);
	e->updated_at = db_col_int(st, 10);
	return e->workspace_id && e->e164 && e->source ? ERR_OK : ERR_NOMEM;
}

enum err store_dnc_put(struct db *db, const struct dnc_entry *e, bool *created)
{
	struct db_stmt *st;
	bool existed = false;
	static const char probe[] = "SELECT 1 FROM dnc_entries WHERE workspace_id = ? AND e164 = ?";
	enum err rc = db_prepare(db, probe, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, e->workspace_id);
	db_bind_text(st, 2, e->e164);
	rc = db_step(st, &existed);
	db_done(st);
	if (rc != ERR_OK)
		return rc;
	static const char sql[] =
		"INSERT INTO dnc_entries (" DNC_COLS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
		" ON CONFLICT (workspace_id, e164) DO UPDATE SET contact_id = excluded.contact_id,"
		" block_call = excluded.block_call, block_sms = excluded.block_sms, reason = excluded.reason,"
		" source = excluded.source, expires_at = excluded.expires_at, updated_at = excluded.updated_at";
	if ((rc = db_prepare(db, sql, &st)) != ERR_OK)
		return rc;
	db_bind_text(st, 1, e->workspace_id);
	db_bind_text(st, 2, e->e164);
	db_bind_text(st, 3, e->contact_id);
	db_bind_bool(st, 4, e->block_call);
	db_bind_bool(st, 5, e->block_sms);
	db_bind_text(st, 6, e->reason);
	db_bind_text(st, 7, e->source);
	db_bind_int_or_null(st, 8, e->expires_at ? e->expires_at : DB_NULL_INT);
	db_bind_text(st, 9, e->created_by);
	db_bind_int(st, 10, e->created_at);
	db_bind_int(st, 11, e->updated_at);
	if ((rc = db_run(st)) == ERR_OK && created)
		*created = !existed;
	return rc;
}

enum err store_dnc_get(struct db *db, const char *workspace_id, const char *e164, struct arena *a,
		       struct dnc_entry *out)
{
	static const char sql[] = "SELECT " DNC_COLS " FROM dnc_entries WHERE workspace_id = ? AND e164 = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	db_bind_text(st, 2, e164);
	bool row = false;
	if ((rc = db_step(st, &row)) == ERR_OK)
		rc = row ? dnc_read(st, a, out) : ERR_NOT_FOUND;
	db_done(st);
	return rc;
}

enum err store_dnc_delete(struct db *db, const char *workspace_id, const char *e164)
{
	static const char sql[] = "DELETE FROM dnc_entries WHERE workspace_id = ? AND e164 = ?";
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

enum err store_dnc_active(struct db *db, const char *workspace_id, const char *e164, bool sms, int64_t now,
			  struct arena *a, bool *hit, struct dnc_entry *entry)
{
	static const char sql_call[] = "SELECT " DNC_COLS " FROM dnc_entries WHERE workspace_id = ? AND e164 = ?"
				       " AND block_call = 1 AND (expires_at IS NULL OR expires_at > ?)";
	static const char sql_sms[] = "SELECT " DNC_COLS " FROM dnc_entries WHERE workspace_id = ? AND e164 = ?"
				      " AND block_sms = 1 AND (expires_at IS NULL OR expires_at > ?)";
	*hit = false;
	struct db_stmt *st;
	enum err rc = db_prepare(db, sms ? sql_sms : sql_call, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	db_bind_text(st, 2, e164);
	db_bind_int(st, 3, now);
	bool row = false;
	if ((rc = db_step(st, &row)) == ERR_OK && row) {
		*hit = true;
		if (entry)
			rc = a ? dnc_read(st, a, entry) : ERR_INVALID;
	}
	db_done(st);
	return rc;
}

enum err store_dnc_each(struct db *db, const char *workspace_id, bool (*fn)(void *ctx, const struct dnc_entry *e),
			void *ctx)
{
	static const char sql[] = "SELECT " DNC_COLS " FROM dnc_entries WHERE workspace_id = ? ORDER BY e164";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	bool row = false;
	while ((rc = db_step(st, &row)) == ERR_OK && row) {
		struct dnc_entry e;
		if ((rc = dnc_read(st, NULL, &e)) != ERR_OK || !fn(ctx, &e))
			break;
	}
	db_done(st);
	return rc;
}
