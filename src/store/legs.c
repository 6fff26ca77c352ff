/* SQL for call_legs (see legs.h). */
#include "store/legs.h"

#include "store/model.h"

#define LEG_COLS \
	"call_sid, request_sid, workspace_id, call_id, user_id, to_e164, from_e164, bridge_mode, status," \
	" vendor_status, error, idempotency_key, leg_role, parent_sid, duration_sec, created_at, updated_at, attempt_at"

static const char *col(struct db_stmt *st, int i, struct arena *a)
{
	return db_col_null(st, i) ? NULL : arena_strdup(a, db_col_text(st, i));
}

static void fill(struct db_stmt *st, struct arena *a, struct leg *l)
{
	int i = 0;
	l->call_sid = col(st, i++, a);
	l->request_sid = col(st, i++, a);
	l->workspace_id = col(st, i++, a);
	l->call_id = col(st, i++, a);
	l->user_id = col(st, i++, a);
	l->to_e164 = col(st, i++, a);
	l->from_e164 = col(st, i++, a);
	l->bridge_mode = col(st, i++, a);
	l->status = col(st, i++, a);
	l->vendor_status = col(st, i++, a);
	l->error = col(st, i++, a);
	l->idempotency_key = col(st, i++, a);
	l->leg_role = col(st, i++, a);
	l->parent_sid = col(st, i++, a);
	l->duration_sec = db_col_null(st, i) ? I64_NULL : db_col_int(st, i);
	i++;
	l->created_at = db_col_int(st, i++);
	l->updated_at = db_col_int(st, i++);
	l->attempt_at = db_col_int_or_null(st, i++);
}

/* Steps a prepared single-row query into out. */
static enum err one(struct db_stmt *st, struct arena *a, struct leg *out)
{
	bool row = false;
	enum err rc = db_step(st, &row);
	if (rc == ERR_OK && !row)
		rc = ERR_NOT_FOUND;
	if (rc == ERR_OK) {
		fill(st, a, out);
		if (!out->call_sid || !out->request_sid || !out->status)
			rc = ERR_NOMEM;
	}
	db_done(st);
	return rc;
}

enum err store_leg_insert(struct db *db, const struct leg *l)
{
	static const char sql[] = "INSERT INTO call_legs (" LEG_COLS ")"
				  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	int i = 1;
	db_bind_text(st, i++, l->request_sid);
	db_bind_text(st, i++, l->request_sid);
	db_bind_text(st, i++, l->workspace_id);
	db_bind_text(st, i++, l->call_id);
	db_bind_text(st, i++, l->user_id);
	db_bind_text(st, i++, l->to_e164);
	db_bind_text(st, i++, l->from_e164);
	db_bind_text(st, i++, l->bridge_mode);
	db_bind_text(st, i++, l->status ? l->status : "dialing");
	db_bind_text(st, i++, l->vendor_status);
	db_bind_text(st, i++, l->error);
	db_bind_text(st, i++, l->idempotency_key);
	db_bind_text(st, i++, l->leg_role ? l->leg_role : "agent");
	db_bind_text(st, i++, l->parent_sid);
	if (l->duration_sec == I64_NULL)
		db_bind_null(st, i++);
	else
		db_bind_int(st, i++, l->duration_sec);
	db_bind_int(st, i++, l->created_at);
	db_bind_int(st, i++, l->updated_at);
	return db_run(st);
}

enum err store_leg_get(struct db *db, const char *workspace_id, const char *call_id, const char *sid, struct arena *a,
		       struct leg *out)
{
	static const char sql[] = "SELECT " LEG_COLS " FROM call_legs"
				  " WHERE workspace_id = ? AND call_id = ? AND (call_sid = ? OR request_sid = ?)";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	db_bind_text(st, 2, call_id);
	db_bind_text(st, 3, sid);
	db_bind_text(st, 4, sid);
	return one(st, a, out);
}

enum err store_leg_by_request(struct db *db, const char *request_sid, struct arena *a, struct leg *out)
{
	static const char sql[] = "SELECT " LEG_COLS " FROM call_legs WHERE request_sid = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, request_sid);
	return one(st, a, out);
}

enum err store_leg_by_idem(struct db *db, const char *workspace_id, const char *user_id, const char *key,
			   struct arena *a, struct leg *out)
{
	static const char sql[] = "SELECT " LEG_COLS " FROM call_legs"
				  " WHERE workspace_id = ? AND user_id = ? AND idempotency_key = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	db_bind_text(st, 2, user_id);
	db_bind_text(st, 3, key);
	return one(st, a, out);
}

/* Runs a (request_sid, text, now) update. */
static enum err update3(struct db *db, const char *sql, const char *request_sid, const char *text, int64_t now)
{
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, text);
	db_bind_int(st, 2, now);
	db_bind_text(st, 3, request_sid);
	return db_run(st);
}

enum err store_leg_placed(struct db *db, const char *request_sid, const char *vendor_sid, int64_t now)
{
	static const char sql[] = "UPDATE call_legs SET call_sid = ?, error = NULL, updated_at = ? WHERE request_sid = ?";
	return update3(db, sql, request_sid, vendor_sid, now);
}

enum err store_leg_fail(struct db *db, const char *request_sid, const char *error, int64_t now)
{
	static const char sql[] = "UPDATE call_legs SET status = 'failed', error = ?, updated_at = ? WHERE request_sid = ?";
	return update3(db, sql, request_sid, error, now);
}

enum err store_leg_note_error(struct db *db, const char *request_sid, const char *error, int64_t now)
{
	static const char sql[] = "UPDATE call_legs SET error = ?, updated_at = ? WHERE request_sid = ?";
	return update3(db, sql, request_sid, error, now);
}

enum err store_leg_attempt(struct db *db, const char *request_sid, int64_t at)
{
	static const char sql[] = "UPDATE call_legs SET attempt_at = COALESCE(attempt_at, ?) WHERE request_sid = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_int(st, 1, at);
	db_bind_text(st, 2, request_sid);
	return db_run(st);
}

enum err store_leg_sid_taken(struct db *db, const char *sid, bool *taken)
{
	static const char sql[] = "SELECT 1 FROM call_legs WHERE call_sid = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, sid);
	rc = db_step(st, taken);
	db_done(st);
	return rc;
}
