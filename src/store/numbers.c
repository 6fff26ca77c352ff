/* SQL for tracking numbers. forward_to (migration 0009) is the forwarding
 * E.164; hours_zone, hours_week and hours_holidays (migration 0018) the
 * number's own business hours in the business_hours table's format. */
#include "store/numbers.h"

#include <string.h>

#define NUM_COLS \
	"id, workspace_id, e164, label, status, routing_mode, after_hours, hours_zone, recording_opt_in, created_at," \
	" updated_at, forward_to, hours_week, hours_holidays"

static enum err row_read(struct db_stmt *st, struct arena *a, struct tracking_number *n)
{
	memset(n, 0, sizeof *n);
	n->id = db_col_dup(st, 0, a);
	n->workspace_id = db_col_dup(st, 1, a);
	n->e164 = db_col_dup(st, 2, a);
	n->label = db_col_dup(st, 3, a);
	n->status = db_col_dup(st, 4, a);
	n->routing_mode = db_col_dup(st, 5, a);
	n->after_hours = db_col_dup(st, 6, a);
	n->hours.time_zone = db_col_dup(st, 7, a);
	n->forward_to = db_col_dup(st, 11, a);
	n->hours.week = db_col_dup(st, 12, a);
	n->hours.holidays = db_col_dup(st, 13, a);
	n->recording_opt_in = db_col_int(st, 8) != 0;
	n->created_at = db_col_int(st, 9);
	n->updated_at = db_col_int(st, 10);
	if (!n->id || !n->workspace_id || !n->e164 || !n->status || !n->routing_mode || !n->after_hours ||
	    (!n->hours.time_zone && !db_col_null(st, 7)) || (!n->forward_to && !db_col_null(st, 11)) ||
	    !n->hours.week || !n->hours.holidays)
		return ERR_NOMEM;
	return ERR_OK;
}

/* Steps st once into out: ERR_NOT_FOUND without a row. */
static enum err read_one(struct db_stmt *st, struct arena *a, struct tracking_number *out)
{
	bool row = false;
	enum err rc = db_step(st, &row);
	if (rc == ERR_OK)
		rc = row ? row_read(st, a, out) : ERR_NOT_FOUND;
	db_done(st);
	return rc;
}

enum err store_number_insert(struct db *db, const struct tracking_number *n)
{
	static const char sql[] =
		"INSERT INTO tracking_numbers (" NUM_COLS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc == ERR_OK) {
		db_bind_text(st, 1, n->id);
		db_bind_text(st, 2, n->workspace_id);
		db_bind_text(st, 3, n->e164);
		db_bind_text(st, 4, n->label);
		db_bind_text(st, 5, n->status);
		db_bind_text(st, 6, n->routing_mode);
		db_bind_text(st, 7, n->after_hours);
		db_bind_text(st, 8, n->hours.time_zone);
		db_bind_bool(st, 9, n->recording_opt_in);
		db_bind_int(st, 10, n->created_at);
		db_bind_int(st, 11, n->updated_at);
		db_bind_text(st, 12, n->forward_to);
		db_bind_text(st, 13, n->hours.time_zone && n->hours.week ? n->hours.week : "");
		db_bind_text(st, 14, n->hours.time_zone && n->hours.holidays ? n->hours.holidays : "");
		rc = db_run(st);
	}
	return rc;
}

enum err store_number_get(struct db *db, const char *workspace_id, const char *id, struct arena *a,
			  struct tracking_number *out)
{
	static const char sql[] = "SELECT " NUM_COLS " FROM tracking_numbers WHERE workspace_id = ? AND id = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	db_bind_text(st, 2, id);
	return read_one(st, a, out);
}

enum err store_number_by_e164(struct db *db, const char *e164, struct arena *a, struct tracking_number *out)
{
	static const char sql[] = "SELECT " NUM_COLS " FROM tracking_numbers WHERE e164 = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, e164);
	return read_one(st, a, out);
}

enum err store_numbers_list(struct db *db, const char *workspace_id, struct arena *a, struct tracking_number **rows,
			    int *n)
{
	static const char sql_count[] = "SELECT COUNT(*) FROM tracking_numbers WHERE workspace_id = ?";
	static const char sql[] = "SELECT " NUM_COLS " FROM tracking_numbers WHERE workspace_id = ? ORDER BY e164, id";
	struct db_stmt *st;
	bool row = false;
	int64_t count = 0;
	*rows = NULL;
	*n = 0;
	enum err rc = db_prepare(db, sql_count, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	if ((rc = db_step(st, &row)) == ERR_OK && row)
		count = db_col_int(st, 0);
	db_done(st);
	if (rc != ERR_OK || count == 0)
		return rc;
	struct tracking_number *v = arena_alloc(a, sizeof *v * (size_t)count);
	if (!v)
		return ERR_NOMEM;
	if ((rc = db_prepare(db, sql, &st)) != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	int k = 0;
	while (k < count && (rc = db_step(st, &row)) == ERR_OK && row)
		if ((rc = row_read(st, a, &v[k++])) != ERR_OK)
			break;
	db_done(st);
	*rows = v;
	*n = k;
	return rc;
}

enum err store_number_update(struct db *db, const struct tracking_number *n)
{
	static const char sql[] =
		"UPDATE tracking_numbers SET label = ?, status = ?, routing_mode = ?, after_hours = ?, hours_zone = ?,"
		" recording_opt_in = ?, updated_at = ?, forward_to = ?, hours_week = ?, hours_holidays = ?"
		" WHERE workspace_id = ? AND id = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc == ERR_OK) {
		db_bind_text(st, 1, n->label);
		db_bind_text(st, 2, n->status);
		db_bind_text(st, 3, n->routing_mode);
		db_bind_text(st, 4, n->after_hours);
		db_bind_text(st, 5, n->hours.time_zone);
		db_bind_bool(st, 6, n->recording_opt_in);
		db_bind_int(st, 7, n->updated_at);
		db_bind_text(st, 8, n->forward_to);
		db_bind_text(st, 9, n->hours.time_zone && n->hours.week ? n->hours.week : "");
		db_bind_text(st, 10, n->hours.time_zone && n->hours.holidays ? n->hours.holidays : "");
		db_bind_text(st, 11, n->workspace_id);
		db_bind_text(st, 12, n->id);
		rc = db_run(st);
	}
	if (rc == ERR_OK && db_changes(db) == 0)
		rc = ERR_NOT_FOUND;
	return rc;
}

enum err store_number_delete(struct db *db, const char *workspace_id, const char *id)
{
	static const char sql[] = "DELETE FROM tracking_numbers WHERE workspace_id = ? AND id = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	db_bind_text(st, 2, id);
	if ((rc = db_run(st)) == ERR_OK && db_changes(db) == 0)
		rc = ERR_NOT_FOUND;
	return rc;
}

enum err store_caller_prior_calls(struct db *db, const char *workspace_id, const char *e164, int64_t *count)
{
	static const char sql[] = "SELECT COUNT(*) FROM calls WHERE workspace_id = ? AND from_e164 = ?";
	struct db_stmt *st;
	bool row = false;
	*count = 0;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	db_bind_text(st, 2, e164);
	if ((rc = db_step(st, &row)) == ERR_OK && row)
		*count = db_col_int(st, 0);
	db_done(st);
	return rc;
}
