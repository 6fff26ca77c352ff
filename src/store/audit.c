/* SQL for audit_events and events. */
#include "store/audit.h"

#include <stdio.h>
#include <string.h>

/* Rows per multi-row INSERT: a fixed few shapes of statement, each prepared once. */
#define MANY_ROWS 32

/* "head (?, ... ?), (...)" for k rows of ncols placeholders, into buf (fixed text: no input). */
static const char *many_sql(char *buf, size_t size, const char *head, int ncols, size_t k)
{
	size_t used = (size_t)snprintf(buf, size, "%s", head);
	for (size_t r = 0; r < k && used < size; r++) {
		used += (size_t)snprintf(buf + used, size - used, r ? ", (" : " (");
		for (int c = 0; c < ncols && used < size; c++)
			used += (size_t)snprintf(buf + used, size - used, c ? ", ?" : "?");
		if (used < size)
			used += (size_t)snprintf(buf + used, size - used, ")");
	}
	return used < size ? buf : NULL;
}

enum err store_audit_insert(struct db *db, const struct audit_row *a)
{
	static const char sql[] =
		"INSERT INTO audit_events (id, workspace_id, actor_id, actor, action, target, target_id,"
		" diff, metadata, source, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, a->id);
	db_bind_text(st, 2, a->workspace_id);
	db_bind_text(st, 3, a->actor_id);
	db_bind_text(st, 4, a->actor);
	db_bind_text(st, 5, a->action);
	db_bind_text(st, 6, a->target);
	db_bind_text(st, 7, a->target_id);
	db_bind_text(st, 8, a->diff);
	db_bind_text(st, 9, a->metadata);
	db_bind_text(st, 10, a->source);
	db_bind_int(st, 11, a->created_at);
	return db_run(st);
}

enum err store_audit_insert_many(struct db *db, const struct audit_row *rows, size_t n)
{
	static const char head[] = "INSERT INTO audit_events (id, workspace_id, actor_id, actor, action, target, target_id,"
				   " diff, metadata, source, created_at) VALUES";
	char sql[sizeof head + MANY_ROWS * 40];
	for (size_t at = 0; at < n;) {
		size_t k = n - at >= MANY_ROWS ? MANY_ROWS : 1;
		struct db_stmt *st;
		const char *text = many_sql(sql, sizeof sql, head, 11, k);
		enum err rc = text ? db_prepare(db, text, &st) : ERR_INTERNAL;
		if (rc != ERR_OK)
			return rc;
		int i = 1;
		for (size_t r = at; r < at + k; r++) {
			const struct audit_row *a = &rows[r];
			db_bind_text(st, i++, a->id);
			db_bind_text(st, i++, a->workspace_id);
			db_bind_text(st, i++, a->actor_id);
			db_bind_text(st, i++, a->actor);
			db_bind_text(st, i++, a->action);
			db_bind_text(st, i++, a->target);
			db_bind_text(st, i++, a->target_id);
			db_bind_text(st, i++, a->diff);
			db_bind_text(st, i++, a->metadata);
			db_bind_text(st, i++, a->source);
			db_bind_int(st, i++, a->created_at);
		}
		if ((rc = db_run(st)) != ERR_OK)
			return rc;
		at += k;
	}
	return ERR_OK;
}

enum err store_audit_each(struct db *db, const char *workspace_id, const char *target, const char *target_id,
			  bool (*fn)(void *ctx, const struct audit_row *a), void *ctx)
{
	static const char sql[] =
		"SELECT id, workspace_id, actor_id, actor, action, target, target_id, diff, metadata, source, created_at"
		" FROM audit_events WHERE workspace_id = ? AND target = ? AND target_id = ? ORDER BY id";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	db_bind_text(st, 2, target);
	db_bind_text(st, 3, target_id);
	bool row;
	while ((rc = db_step(st, &row)) == ERR_OK && row) {
		struct audit_row a = {
			.id = db_col_text(st, 0), .workspace_id = db_col_text(st, 1), .actor_id = db_col_text(st, 2),
			.actor = db_col_text(st, 3), .action = db_col_text(st, 4), .target = db_col_text(st, 5),
			.target_id = db_col_text(st, 6), .diff = db_col_text(st, 7), .metadata = db_col_text(st, 8),
			.source = db_col_text(st, 9), .created_at = db_col_int(st, 10),
		};
		if (!fn(ctx, &a))
			break;
	}
	db_done(st);
	return rc;
}

enum err store_event_insert(struct db *db, const struct event_row *e, int64_t *seq)
{
	static const char sql[] =
		"INSERT INTO events (id, workspace_id, type, call_id, data, at) VALUES (?, ?, ?, ?, ?, ?) RETURNING seq";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, e->id);
	db_bind_text(st, 2, e->workspace_id);
	db_bind_text(st, 3, e->type);
	db_bind_text(st, 4, e->call_id);
	db_bind_text(st, 5, e->data);
	db_bind_int(st, 6, e->at);
	bool row;
	rc = db_step(st, &row);
	if (rc == ERR_OK && row && seq)
		*seq = db_col_int(st, 0);
	db_done(st);
	if (rc == ERR_OK)
		db_outbox_written(db);
	return rc;
}

enum err store_event_insert_many(struct db *db, const struct event_row *rows, size_t n)
{
	static const char head[] = "INSERT INTO events (id, workspace_id, type, call_id, data, at) VALUES";
	char sql[sizeof head + MANY_ROWS * 24];
	for (size_t at = 0; at < n;) {
		size_t k = n - at >= MANY_ROWS ? MANY_ROWS : 1;
		struct db_stmt *st;
		const char *text = many_sql(sql, sizeof sql, head, 6, k);
		enum err rc = text ? db_prepare(db, text, &st) : ERR_INTERNAL;
		if (rc != ERR_OK)
			return rc;
		int i = 1;
		for (size_t r = at; r < at + k; r++) {
			const struct event_row *e = &rows[r];
			db_bind_text(st, i++, e->id);
			db_bind_text(st, i++, e->workspace_id);
			db_bind_text(st, i++, e->type);
			db_bind_text(st, i++, e->call_id);
			db_bind_text(st, i++, e->data);
			db_bind_int(st, i++, e->at);
		}
		if ((rc = db_run(st)) != ERR_OK)
			return rc;
		at += k;
	}
	if (n)
		db_outbox_written(db); /* wakes the WebSocket hub once the batch commits */
	return ERR_OK;
}

enum err store_events_after(struct db *db, const char *workspace_id, int64_t seq, int limit,
			    bool (*fn)(void *ctx, const struct event_row *e), void *ctx)
{
	static const char sql_ws[] =
		"SELECT seq, id, workspace_id, type, call_id, data, at FROM events"
		" WHERE workspace_id = ? AND seq > ? ORDER BY seq LIMIT ?";
	static const char sql_all[] =
		"SELECT seq, id, workspace_id, type, call_id, data, at FROM events WHERE seq > ? ORDER BY seq LIMIT ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, workspace_id ? sql_ws : sql_all, &st);
	if (rc != ERR_OK)
		return rc;
	int i = 1;
	if (workspace_id)
		db_bind_text(st, i++, workspace_id);
	db_bind_int(st, i++, seq);
	db_bind_int(st, i, limit);
	bool row;
	while ((rc = db_step(st, &row)) == ERR_OK && row) {
		struct event_row e = {
			.seq = db_col_int(st, 0), .id = db_col_text(st, 1), .workspace_id = db_col_text(st, 2),
			.type = db_col_text(st, 3), .call_id = db_col_text(st, 4), .data = db_col_text(st, 5),
			.at = db_col_int(st, 6),
		};
		if (!fn(ctx, &e))
			break;
	}
	db_done(st);
	return rc;
}

enum err store_events_last_seq(struct db *db, int64_t *seq)
{
	static const char sql[] = "SELECT COALESCE(MAX(seq), 0) FROM events";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	bool row;
	rc = db_step(st, &row);
	*seq = (rc == ERR_OK && row) ? db_col_int(st, 0) : 0;
	db_done(st);
	return rc;
}
