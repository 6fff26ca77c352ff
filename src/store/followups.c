/* SQL for follow-up tasks. The list query is assembled from the constant
 * fragments below (store/sqlb.h); every value is bound. */
#include "store/followups.h"

#include <string.h>

#include "store/sqlb.h"

/* Columns of a follow-up row, in the order row_read expects. */
#define FU_COLS \
	"f.id, f.workspace_id, f.call_id, f.contact_id, f.type, f.status, f.priority, f.note, f.assigned_to," \
	" f.due_at, f.completed_at, f.created_at, f.updated_at"
#define FU_NCOLS 13

/* A Tech's rows: assigned to them, or on a call of a job assigned to them (user id bound twice). */
#define FU_SCOPE \
	"(f.assigned_to = ? OR EXISTS (SELECT 1 FROM calls c JOIN job_assignments ja ON ja.job_id = c.job_id" \
	" WHERE c.id = f.call_id AND c.workspace_id = f.workspace_id AND ja.user_id = ?))"

void followup_query_init(struct followup_query *q, const char *workspace_id, int64_t now)
{
	memset(q, 0, sizeof *q);
	q->workspace_id = workspace_id;
	q->now = now;
	q->due_from = q->due_to = I64_NULL;
	q->overdue = -1;
	q->limit = 50;
}


static enum err row_read(struct db_stmt *st, struct arena *a, struct followup *f)
{
	memset(f, 0, sizeof *f);
	f->id = db_col_dup(st, 0, a);
	f->workspace_id = db_col_dup(st, 1, a);
	f->call_id = db_col_dup(st, 2, a);
	f->contact_id = db_col_dup(st, 3, a);
	f->type = db_col_dup(st, 4, a);
	f->status = db_col_dup(st, 5, a);
	f->priority = db_col_dup(st, 6, a);
	f->note = db_col_dup(st, 7, a);
	f->assigned_to = db_col_dup(st, 8, a);
	f->due_at = db_col_int(st, 9);
	f->completed_at = db_col_null(st, 10) ? I64_NULL : db_col_int(st, 10);
	f->created_at = db_col_int(st, 11);
	f->updated_at = db_col_int(st, 12);
	/* Every NOT NULL text column came back: a NULL here is an allocation failure. */
	if (!f->id || !f->workspace_id || !f->type || !f->status || !f->priority)
		return ERR_NOMEM;
	return ERR_OK;
}

static void build_list(struct sqlb *b, const struct followup_query *q)
{
	sqlb_sql(b, "SELECT " FU_COLS " FROM followups f WHERE f.workspace_id = ?");
	sqlb_text(b, q->workspace_id);
	if (q->scope_user_id) {
		sqlb_sql(b, " AND " FU_SCOPE);
		sqlb_text(b, q->scope_user_id);
		sqlb_text(b, q->scope_user_id);
	}
	if (q->status.n) {
		sqlb_sql(b, " AND f.status IN ");
		sqlb_in(b, q->status.v, q->status.n);
	}
	if (q->priority.n) {
		sqlb_sql(b, " AND f.priority IN ");
		sqlb_in(b, q->priority.v, q->priority.n);
	}
	if (q->assigned_to) {
		sqlb_sql(b, " AND f.assigned_to = ?");
		sqlb_text(b, q->assigned_to);
	}
	if (q->call_id) {
		sqlb_sql(b, " AND f.call_id = ?");
		sqlb_text(b, q->call_id);
	}
	if (q->contact_id) {
		sqlb_sql(b, " AND f.contact_id = ?");
		sqlb_text(b, q->contact_id);
	}
	if (q->due_from != I64_NULL) {
		sqlb_sql(b, " AND f.due_at >= ?");
		sqlb_int(b, q->due_from);
	}
	if (q->due_to != I64_NULL) {
		sqlb_sql(b, " AND f.due_at < ?");
		sqlb_int(b, q->due_to);
	}
	if (q->overdue >= 0) {
		sqlb_sql(b, q->overdue ? " AND (f.status = 'open' AND f.due_at < ?)"
				       : " AND NOT (f.status = 'open' AND f.due_at < ?)");
		sqlb_int(b, q->now);
	}
	if (q->has_cursor) {
		sqlb_sql(b, " AND (f.due_at > ? OR (f.due_at = ? AND f.id > ?))");
		sqlb_int(b, q->cursor_due);
		sqlb_int(b, q->cursor_due);
		sqlb_text(b, q->cursor_id);
	}
	/* One row more than the page tells whether another page follows. */
	sqlb_sql(b, " ORDER BY f.due_at, f.id LIMIT ?");
	sqlb_int(b, (int64_t)q->limit + 1);
}

enum err store_followups_list(struct db *db, const struct followup_query *q, struct arena *a,
			      struct followup_page *out)
{
	struct sqlb b;
	struct db_stmt *st = NULL;
	memset(out, 0, sizeof *out);
	out->rows = arena_alloc(a, sizeof *out->rows * (size_t)(q->limit > 0 ? q->limit : 1));
	if (!out->rows)
		return ERR_NOMEM;
	sqlb_init(&b);
	build_list(&b, q);
	enum err rc = sqlb_prepare(&b, db, &st);
	if (rc != ERR_OK)
		goto out;
	bool row;
	while ((rc = db_step(st, &row)) == ERR_OK && row) {
		if (out->n == q->limit) {
			out->has_more = true;
			break;
		}
		if ((rc = row_read(st, a, &out->rows[out->n])) != ERR_OK)
			break;
		out->n++;
	}
	db_done(st);
out:
	sqlb_cleanup(&b);
	return rc;
}

enum err store_followup_get(struct db *db, const char *workspace_id, const char *id, const char *user_id,
			    struct arena *a, struct followup *out, bool *in_scope)
{
	static const char sql[] =
		"SELECT " FU_COLS ", " FU_SCOPE " FROM followups f WHERE f.workspace_id = ? AND f.id = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	/* "" matches no assignee and no job assignment. */
	db_bind_text(st, 1, user_id ? user_id : "");
	db_bind_text(st, 2, user_id ? user_id : "");
	db_bind_text(st, 3, workspace_id);
	db_bind_text(st, 4, id);
	bool row;
	rc = db_step(st, &row);
	if (rc == ERR_OK && !row)
		rc = ERR_NOT_FOUND;
	if (rc == ERR_OK) {
		rc = row_read(st, a, out);
		if (in_scope)
			*in_scope = db_col_int(st, FU_NCOLS) != 0;
	}
	db_done(st);
	return rc;
}


enum err store_followup_insert(struct db *db, const struct followup *f)
{
	static const char sql[] =
		"INSERT INTO followups (id, workspace_id, call_id, contact_id, type, due_at, assigned_to, status,"
		" priority, note, completed_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	int i = 1;
	db_bind_text(st, i++, f->id);
	db_bind_text(st, i++, f->workspace_id);
	db_bind_text(st, i++, f->call_id);
	db_bind_text(st, i++, f->contact_id);
	db_bind_text(st, i++, f->type);
	db_bind_int(st, i++, f->due_at);
	db_bind_text(st, i++, f->assigned_to);
	db_bind_text(st, i++, f->status ? f->status : "open");
	db_bind_text(st, i++, f->priority ? f->priority : "normal");
	db_bind_text(st, i++, f->note);
	db_bind_int_or_null(st, i++, f->completed_at);
	db_bind_int(st, i++, f->created_at);
	db_bind_int(st, i++, f->updated_at);
	return db_run(st);
}

enum err store_followup_update(struct db *db, const struct followup *f)
{
	static const char sql[] =
		"UPDATE followups SET type = ?, due_at = ?, assigned_to = ?, status = ?, priority = ?, note = ?,"
		" completed_at = ?, updated_at = ? WHERE workspace_id = ? AND id = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	int i = 1;
	db_bind_text(st, i++, f->type);
	db_bind_int(st, i++, f->due_at);
	db_bind_text(st, i++, f->assigned_to);
	db_bind_text(st, i++, f->status);
	db_bind_text(st, i++, f->priority);
	db_bind_text(st, i++, f->note);
	db_bind_int_or_null(st, i++, f->completed_at);
	db_bind_int(st, i++, f->updated_at);
	db_bind_text(st, i++, f->workspace_id);
	db_bind_text(st, i++, f->id);
	rc = db_run(st);
	if (rc == ERR_OK && db_changes(db) == 0)
		rc = ERR_NOT_FOUND;
	return rc;
}

enum err store_followup_delete(struct db *db, const char *workspace_id, const char *id)
{
	static const char sql[] = "DELETE FROM followups WHERE workspace_id = ? AND id = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	db_bind_text(st, 2, id);
	rc = db_run(st);
	if (rc == ERR_OK && db_changes(db) == 0)
		rc = ERR_NOT_FOUND;
	return rc;
}

/* Runs a one-column EXISTS query whose binds are all text. */
static enum err exists_query(struct db *db, const char *sql, const char *const *binds, int n, bool *out)
{
	struct db_stmt *st;
	*out = false;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	for (int i = 0; i < n; i++)
		db_bind_text(st, i + 1, binds[i]);
	bool row;
	if ((rc = db_step(st, &row)) == ERR_OK && row)
		*out = db_col_int(st, 0) != 0;
	db_done(st);
	return rc;
}

enum err store_followups_contact_exists(struct db *db, const char *workspace_id, const char *contact_id,
					bool *exists)
{
	static const char sql[] = "SELECT EXISTS (SELECT 1 FROM contacts WHERE workspace_id = ? AND id = ?)";
	const char *binds[] = {workspace_id, contact_id};
	return exists_query(db, sql, binds, 2, exists);
}

enum err store_followups_in_scope(struct db *db, const char *workspace_id, const char *user_id,
				  const char *assigned_to, const char *call_id, bool *in_scope)
{
	static const char sql[] =
		"SELECT EXISTS (SELECT 1 FROM calls c JOIN job_assignments ja ON ja.job_id = c.job_id"
		" WHERE c.workspace_id = ? AND c.id = ? AND ja.user_id = ?)";
	*in_scope = false;
	if (!user_id)
		return ERR_OK;
	if (assigned_to && strcmp(assigned_to, user_id) == 0) {
		*in_scope = true;
		return ERR_OK;
	}
	if (!call_id)
		return ERR_OK;
	const char *binds[] = {workspace_id, call_id, user_id};
	return exists_query(db, sql, binds, 3, in_scope);
}
