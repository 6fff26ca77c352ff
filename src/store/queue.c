/* SQL for the background job queue (bg_jobs). Claiming is one UPDATE ... RETURNING inside BEGIN IMMEDIATE, so
 * two workers never take the same job (PostgreSQL: FOR UPDATE SKIP LOCKED). */
#include "store/queue.h"

#include <stdio.h>
#include <string.h>

enum err store_queue_insert(struct db *db, const char *workspace_id, const char *kind, const char *payload,
			  int64_t run_at, int64_t now)
{
	static const char sql[] =
		"INSERT INTO bg_jobs (id, workspace_id, kind, payload, status, attempts, run_at, created_at, updated_at)"
		" VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, ?)";
	char id[ID_SIZE];
	id_new_at(id, now);
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, workspace_id);
	db_bind_text(st, 3, kind);
	db_bind_text(st, 4, payload);
	db_bind_int(st, 5, run_at);
	db_bind_int(st, 6, now);
	db_bind_int(st, 7, now);
	return db_run(st);
}

enum err store_queue_insert_email(struct db *db, const char *workspace_id, const char *payload, int64_t now)
{
	return store_queue_insert(db, workspace_id, "email", payload, now, now);
}

enum err store_queue_claim(struct db *db, int64_t now, int64_t lease_ms, struct arena *a, struct bg_job *out)
{
	static const char sql[] =
		"UPDATE bg_jobs SET status = 'running', attempts = attempts + 1, locked_until = ?, updated_at = ?"
		" WHERE id = COALESCE("
		"   (SELECT id FROM bg_jobs WHERE status = 'running' AND locked_until < ? ORDER BY run_at LIMIT 1),"
		"   (SELECT id FROM bg_jobs WHERE status = 'pending' AND run_at <= ? ORDER BY run_at LIMIT 1))"
		" RETURNING id, workspace_id, kind, payload, attempts, run_at, last_error";
	enum err rc = db_begin_write(db);
	if (rc != ERR_OK)
		return rc;
	struct db_stmt *st;
	if ((rc = db_prepare(db, sql, &st)) != ERR_OK) {
		db_rollback(db);
		return rc;
	}
	db_bind_int(st, 1, now + lease_ms);
	db_bind_int(st, 2, now);
	db_bind_int(st, 3, now); /* abandoned leases first, then pending work in run_at order: */
	db_bind_int(st, 4, now); /* both walk bg_jobs_ready, no sort of the whole backlog */
	bool row;
	rc = db_step(st, &row);
	if (rc == ERR_OK && !row)
		rc = ERR_NOT_FOUND;
	if (rc == ERR_OK) {
		snprintf(out->id, sizeof out->id, "%s", db_col_text(st, 0));
		out->workspace_id = arena_strdup(a, db_col_text(st, 1));
		out->kind = arena_strdup(a, db_col_text(st, 2));
		out->payload = arena_strdup(a, db_col_text(st, 3));
		out->attempts = db_col_int(st, 4);
		out->run_at = db_col_int(st, 5);
		out->last_error = arena_strdup(a, db_col_text(st, 6));
		if (!out->kind || !out->payload)
			rc = ERR_NOMEM;
	}
	db_done(st);
	if (rc != ERR_OK) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db);
}

enum err store_queue_done(struct db *db, const char *id, int64_t now)
{
	static const char sql[] = "UPDATE bg_jobs SET status = 'done', locked_until = NULL, updated_at = ? WHERE id = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_int(st, 1, now);
	db_bind_text(st, 2, id);
	return db_run(st);
}

enum err store_queue_failed(struct db *db, const char *id, const char *error, int64_t retry_at, int64_t now)
{
	static const char sql[] =
		"UPDATE bg_jobs SET status = ?, run_at = ?, locked_until = NULL, held_for = NULL, last_error = ?,"
		" updated_at = ? WHERE id = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, retry_at < 0 ? "failed" : "pending");
	db_bind_int(st, 2, retry_at < 0 ? now : retry_at);
	db_bind_text(st, 3, error);
	db_bind_int(st, 4, now);
	db_bind_text(st, 5, id);
	return db_run(st);
}

enum err store_queue_count(struct db *db, const char *kind, const char *status, int64_t *n)
{
	static const char sql[] = "SELECT COUNT(*) FROM bg_jobs WHERE kind = ? AND status = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, kind);
	db_bind_text(st, 2, status);
	bool row;
	rc = db_step(st, &row);
	*n = (rc == ERR_OK && row) ? db_col_int(st, 0) : 0;
	db_done(st);
	return rc;
}
