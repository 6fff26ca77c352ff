/* SQL behind vendor webhooks (see webhooks.h). */
#include "store/webhooks.h"

#include "core/buf.h"
#include "store/calls.h"

#include <string.h>

enum err store_delivery_claim(struct db *db, const char *source, const char *key, const char *workspace_id,
			      int64_t now, bool *fresh)
{
	static const char sql[] =
		"INSERT INTO webhook_deliveries (source, event_key, workspace_id, received_at) VALUES (?, ?, ?, ?)"
		" ON CONFLICT (source, event_key) DO NOTHING";
	struct db_stmt *st;
	*fresh = false;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, source);
	db_bind_text(st, 2, key);
	db_bind_text(st, 3, workspace_id);
	db_bind_int(st, 4, now);
	if ((rc = db_run(st)) == ERR_OK)
		*fresh = db_changes(db) == 1;
	return rc;
}

enum err store_delivery_seen(struct db *db, const char *source, const char *key, bool *seen)
{
	static const char sql[] = "SELECT 1 FROM webhook_deliveries WHERE source = ? AND event_key = ?";
	struct db_stmt *st;
	*seen = false;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, source);
	db_bind_text(st, 2, key);
	rc = db_step(st, seen);
	db_done(st);
	return rc;
}

enum err store_deliveries_prune(struct db *db, const char *source, int64_t before)
{
	static const char sql[] = "DELETE FROM webhook_deliveries WHERE source = ? AND received_at < ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, source);
	db_bind_int(st, 2, before);
	return db_run(st);
}

/* Steps a statement selecting up to two text columns into arena copies. */
static enum err two_texts(struct db_stmt *st, struct arena *a, const char **x, const char **y)
{
	bool row = false;
	enum err rc = db_step(st, &row);
	if (rc == ERR_OK && !row)
		rc = ERR_NOT_FOUND;
	if (rc == ERR_OK) {
		*x = db_col_dup(st, 0, a);
		if (y)
			*y = db_col_dup(st, 1, a);
		if (!*x || (y && !*y))
			rc = ERR_NOMEM;
	}
	db_done(st);
	return rc;
}

enum err store_call_by_sid(struct db *db, const char *call_sid, struct arena *a, const char **workspace_id,
			   const char **call_id)
{
	static const char sql[] = "SELECT workspace_id, id FROM calls WHERE call_sid = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, call_sid);
	return two_texts(st, a, workspace_id, call_id);
}

enum err store_call_routing(struct db *db, const char *call_id, struct arena *a, const char **number_id,
			    bool *after_hours)
{
	static const char sql[] = "SELECT number_id, after_hours FROM calls WHERE id = ?";
	struct db_stmt *st;
	bool row = false;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, call_id);
	if ((rc = db_step(st, &row)) == ERR_OK && !row)
		rc = ERR_NOT_FOUND;
	if (rc == ERR_OK) {
		*number_id = db_col_null(st, 0) ? NULL : db_col_dup(st, 0, a);
		*after_hours = db_col_int(st, 1) != 0;
		if (!db_col_null(st, 0) && !*number_id)
			rc = ERR_NOMEM;
	}
	db_done(st);
	return rc;
}

enum err store_call_workspace(struct db *db, const char *call_id, struct arena *a, const char **workspace_id)
{
	static const char sql[] = "SELECT workspace_id FROM calls WHERE id = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, call_id);
	return two_texts(st, a, workspace_id, NULL);
}

enum err store_call_recording_set(struct db *db, const char *call_id, const char *recording_sid, int64_t duration_sec)
{
	static const char sql[] = "UPDATE calls SET recording_sid = ?, recording_duration_sec = ? WHERE id = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, recording_sid);
	db_bind_int_or_null(st, 2, duration_sec);
	db_bind_text(st, 3, call_id);
	return db_run(st);
}

enum err store_transcript_put(struct db *db, const char *workspace_id, const char *call_id, const char *body,
			      const char *text, int64_t confidence, int64_t now)
{
	static const char sql[] =
		"INSERT INTO transcripts (call_id, workspace_id, body, text, confidence, created_at)"
		" VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (call_id) DO UPDATE SET body = excluded.body,"
		" text = excluded.text, confidence = excluded.confidence, created_at = excluded.created_at";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, call_id);
	db_bind_text(st, 2, workspace_id);
	db_bind_text(st, 3, body);
	db_bind_text(st, 4, text);
	db_bind_int_or_null(st, 5, confidence);
	db_bind_int(st, 6, now);
	return db_run(st);
}

enum err store_call_leg_state(struct db *db, const char *call_sid, struct arena *a, const char **status, int64_t *seq,
			      const char **call_id, const char **workspace_id)
{
	static const char sql[] = "SELECT status, vendor_seq, call_id, workspace_id FROM call_legs WHERE call_sid = ?";
	struct db_stmt *st;
	bool row = false;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, call_sid);
	rc = db_step(st, &row);
	if (rc == ERR_OK && !row)
		rc = ERR_NOT_FOUND;
	if (rc == ERR_OK) {
		*status = db_col_dup(st, 0, a);
		*seq = db_col_null(st, 1) ? I64_NULL : db_col_int(st, 1);
		*call_id = db_col_dup(st, 2, a);
		*workspace_id = db_col_dup(st, 3, a);
		if (!*status || !*call_id || !*workspace_id)
			rc = ERR_NOMEM;
	}
	db_done(st);
	return rc;
}

enum err store_call_leg_update(struct db *db, const char *call_sid, const char *status, const char *vendor_status,
			       int64_t duration_sec, int64_t seq, int64_t now)
{
	static const char sql[] =
		"UPDATE call_legs SET status = ?, vendor_status = ?, duration_sec = COALESCE(?, duration_sec),"
		" vendor_seq = COALESCE(?, vendor_seq), updated_at = ? WHERE call_sid = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, status);
	db_bind_text(st, 2, vendor_status);
	db_bind_int_or_null(st, 3, duration_sec);
	db_bind_int_or_null(st, 4, seq);
	db_bind_int(st, 5, now);
	db_bind_text(st, 6, call_sid);
	return db_run(st);
}

enum err store_calls_search_add(struct db *db, const char *const *call_ids, int n)
{
	static const char sql[] = CALL_SEARCH_ROW_INSERT " WHERE c.id IN (SELECT value FROM json_each(?))";
	if (n <= 0)
		return ERR_OK;
	struct buf ids;
	buf_init(&ids, (size_t)n * 48 + 16);
	buf_puts(&ids, "[");
	for (int i = 0; i < n; i++) {
		buf_puts(&ids, i ? ",\"" : "\"");
		buf_puts(&ids, call_ids[i]); /* UUIDs: nothing to escape */
		buf_puts(&ids, "\"");
	}
	enum err rc = buf_puts(&ids, "]");
	struct db_stmt *st;
	if (rc == ERR_OK && (rc = db_prepare(db, sql, &st)) == ERR_OK) {
		db_bind_textn(st, 1, ids.data, (int64_t)ids.len);
		rc = db_run(st);
	}
	buf_cleanup(&ids);
	return rc;
}
