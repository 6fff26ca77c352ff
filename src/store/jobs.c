/* SQL for jobs and job_assignments. */
#include "store/jobs.h"

#include "store/model.h"


enum err store_job_insert(struct db *db, const struct job *j)
{
	static const char sql[] =
		"INSERT INTO jobs (id, workspace_id, title, status, slot_start, slot_end, address, contact_id,"
		" source_call_id, assigned_to, estimate_cents, final_cents, created_at, updated_at)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, j->id);
	db_bind_text(st, 2, j->workspace_id);
	db_bind_text(st, 3, j->title);
	db_bind_text(st, 4, j->status ? j->status : "new");
	db_bind_int_or_null(st, 5, j->slot_start);
	db_bind_int_or_null(st, 6, j->slot_end);
	db_bind_text(st, 7, j->address);
	db_bind_text(st, 8, j->contact_id);
	db_bind_text(st, 9, j->source_call_id);
	db_bind_text(st, 10, j->assigned_to);
	db_bind_int_or_null(st, 11, j->estimate_cents);
	db_bind_int_or_null(st, 12, j->final_cents);
	db_bind_int(st, 13, j->created_at);
	db_bind_int(st, 14, j->updated_at);
	return db_run(st);
}

enum err store_job_assign(struct db *db, const char *workspace_id, const char *job_id, const char *user_id)
{
	static const char sql[] =
		"INSERT INTO job_assignments (job_id, user_id, workspace_id) VALUES (?, ?, ?)"
		" ON CONFLICT (job_id, user_id) DO NOTHING";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, job_id);
	db_bind_text(st, 2, user_id);
	db_bind_text(st, 3, workspace_id);
	return db_run(st);
}



enum err store_job_get(struct db *db, const char *workspace_id, const char *job_id, const char *tech_user_id,
		       struct arena *a, struct job *out)
{
	static const char sql[] =
		"SELECT id, workspace_id, title, status, address, contact_id, source_call_id, assigned_to, slot_start,"
		" slot_end, estimate_cents, final_cents, created_at, updated_at FROM jobs j"
		" WHERE workspace_id = ? AND id = ? AND (? IS NULL OR EXISTS (SELECT 1 FROM job_assignments ja"
		"   WHERE ja.job_id = j.id AND ja.user_id = ?))";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	db_bind_text(st, 2, job_id);
	db_bind_text(st, 3, tech_user_id);
	db_bind_text(st, 4, tech_user_id);
	bool row;
	rc = db_step(st, &row);
	if (rc == ERR_OK && !row)
		rc = ERR_NOT_FOUND;
	if (rc == ERR_OK) {
		out->id = db_col_dup(st, 0, a);
		out->workspace_id = db_col_dup(st, 1, a);
		out->title = db_col_dup(st, 2, a);
		out->status = db_col_dup(st, 3, a);
		out->address = db_col_dup(st, 4, a);
		out->contact_id = db_col_dup(st, 5, a);
		out->source_call_id = db_col_dup(st, 6, a);
		out->assigned_to = db_col_dup(st, 7, a);
		out->slot_start = db_col_int_or_null(st, 8);
		out->slot_end = db_col_int_or_null(st, 9);
		out->estimate_cents = db_col_int_or_null(st, 10);
		out->final_cents = db_col_int_or_null(st, 11);
		out->created_at = db_col_int(st, 12);
		out->updated_at = db_col_int(st, 13);
		if (!out->id)
			rc = ERR_NOMEM;
	}
	db_done(st);
	return rc;
}
