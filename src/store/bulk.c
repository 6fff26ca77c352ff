/* SQL for bulk and export jobs (see bulk.h). */
#include "store/bulk.h"

#include <stdio.h>
#include <string.h>

#include "store/sqlb.h"

#define JOB_COLS \
	"id, workspace_id, user_id, user_email, role, kind, operation, data, status, total, processed, nerrors," \
	" next_seq, attempts, result_key, result_size, last_error, created_at, updated_at, finished_at"

static enum err job_read(struct db_stmt *st, struct arena *a, struct bulk_job *j)
{
	memset(j, 0, sizeof *j);
	snprintf(j->id, sizeof j->id, "%s", db_col_text(st, 0) ? db_col_text(st, 0) : "");
	j->workspace_id = db_col_dup(st, 1, a);
	j->user_id = db_col_dup(st, 2, a);
	j->user_email = db_col_dup(st, 3, a);
	j->role = db_col_dup(st, 4, a);
	j->kind = db_col_dup(st, 5, a);
	j->operation = db_col_dup(st, 6, a);
	j->data = db_col_dup(st, 7, a);
	j->status = db_col_dup(st, 8, a);
	j->total = db_col_int(st, 9);
	j->processed = db_col_int(st, 10);
	j->nerrors = db_col_int(st, 11);
	j->next_seq = db_col_int(st, 12);
	j->attempts = db_col_int(st, 13);
	j->result_key = db_col_dup(st, 14, a);
	j->result_size = db_col_int_or_null(st, 15);
	j->last_error = db_col_dup(st, 16, a);
	j->created_at = db_col_int(st, 17);
	j->updated_at = db_col_int(st, 18);
	j->finished_at = db_col_int_or_null(st, 19);
	return j->workspace_id && j->kind && j->operation && j->data && j->status ? ERR_OK : ERR_NOMEM;
}

enum err store_bulk_insert(struct db *db, const struct bulk_job *j)
{
	static const char sql[] =
		"INSERT INTO bulk_jobs (id, workspace_id, user_id, user_email, role, kind, operation, data, status, total,"
		" created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, j->id);
	db_bind_text(st, 2, j->workspace_id);
	db_bind_text(st, 3, j->user_id);
	db_bind_text(st, 4, j->user_email);
	db_bind_text(st, 5, j->role);
	db_bind_text(st, 6, j->kind);
	db_bind_text(st, 7, j->operation);
	db_bind_text(st, 8, j->data);
	db_bind_int(st, 9, j->total);
	db_bind_int(st, 10, j->created_at);
	db_bind_int(st, 11, j->created_at);
	return db_run(st);
}

enum err store_bulk_items_add(struct db *db, const char *job_id, const char **ids, int n)
{
	static const char sql[] = "INSERT INTO bulk_job_items (job_id, seq, call_id) VALUES (?, ?, ?)";
	for (int i = 0; i < n; i++) {
		struct db_stmt *st;
		enum err rc = db_prepare(db, sql, &st);
		if (rc != ERR_OK)
			return rc;
		db_bind_text(st, 1, job_id);
		db_bind_int(st, 2, i);
		db_bind_text(st, 3, ids[i]);
		if ((rc = db_run(st)) != ERR_OK)
			return rc;
	}
	return ERR_OK;
}

enum err store_bulk_items_select(struct db *db, const char *job_id, const struct call_query *q, int64_t *n)
{
	struct sqlb b;
	struct db_stmt *st = NULL;
	sqlb_init(&b);
	sqlb_sql(&b, "INSERT INTO bulk_job_items (job_id, seq, call_id) SELECT ?, row_number() OVER (");
	sqlb_text(&b, job_id);
	store_calls_order(&b, q);
	sqlb_sql(&b, ") - 1, c.id" CALLS_LIST_FROM);
	store_calls_where(&b, q);
	enum err rc = sqlb_prepare(&b, db, &st);
	if (rc == ERR_OK) {
		rc = db_run(st);
		*n = rc == ERR_OK ? db_changes(db) : 0;
	}
	sqlb_cleanup(&b);
	return rc;
}

enum err store_bulk_set_total(struct db *db, const char *job_id, int64_t total)
{
	static const char sql[] = "UPDATE bulk_jobs SET total = ? WHERE id = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_int(st, 1, total);
	db_bind_text(st, 2, job_id);
	return db_run(st);
}

static enum err count_one(struct db_stmt *st, int64_t *n, int64_t *second)
{
	bool row;
	enum err rc = db_step(st, &row);
	*n = (rc == ERR_OK && row) ? db_col_int(st, 0) : 0;
	if (second)
		*second = (rc == ERR_OK && row) ? db_col_int_or_null(st, 1) : DB_NULL_INT;
	db_done(st);
	return rc;
}

enum err store_bulk_count_active(struct db *db, const char *workspace_id, const char *kind, int64_t *n)
{
	static const char sql[] = "SELECT COUNT(*) FROM bulk_jobs WHERE workspace_id = ? AND kind = ?"
				  " AND status IN ('pending', 'running')";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, workspace_id);
	db_bind_text(st, 2, kind);
	return count_one(st, n, NULL);
}

enum err store_bulk_exports_since(struct db *db, const char *user_id, int64_t since, int64_t *n, int64_t *oldest)
{
	static const char sql[] =
		"SELECT COUNT(*), MIN(created_at) FROM bulk_jobs WHERE user_id = ? AND created_at >= ?"
		" AND (kind = 'export' OR operation = 'export')";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, user_id);
	db_bind_int(st, 2, since);
	return count_one(st, n, oldest);
}

enum err store_bulk_renew(struct db *db, const char *job_id, int64_t until)
{
	static const char sql[] = "UPDATE bulk_jobs SET locked_until = ? WHERE id = ? AND status = 'running'";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_int(st, 1, until);
	db_bind_text(st, 2, job_id);
	return db_run(st);
}

enum err store_bulk_get(struct db *db, const char *workspace_id, const char *id, struct arena *a, struct bulk_job *out)
{
	static const char sql[] = "SELECT " JOB_COLS " FROM bulk_jobs WHERE id = ? AND workspace_id = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, workspace_id);
	bool row;
	rc = db_step(st, &row);
	if (rc == ERR_OK)
		rc = row ? job_read(st, a, out) : ERR_NOT_FOUND;
	db_done(st);
	return rc;
}

enum err store_bulk_get_by_id(struct db *db, const char *id, struct arena *a, struct bulk_job *out)
{
	static const char sql[] = "SELECT " JOB_COLS " FROM bulk_jobs WHERE id = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, id);
	bool row;
	rc = db_step(st, &row);
	if (rc == ERR_OK)
		rc = row ? job_read(st, a, out) : ERR_NOT_FOUND;
	db_done(st);
	return rc;
}

enum err store_bulk_errors_each(struct db *db, const char *job_id, int max,
				bool (*fn)(void *ctx, const char *call_id, int64_t status, const char *message), void *ctx)
{
	static const char sql[] =
		"SELECT call_id, status, message FROM bulk_job_errors WHERE job_id = ? ORDER BY seq LIMIT ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, job_id);
	db_bind_int(st, 2, max);
	bool row;
	while ((rc = db_step(st, &row)) == ERR_OK && row)
		if (!fn(ctx, db_col_text(st, 0), db_col_int(st, 1), db_col_text(st, 2)))
			break;
	db_done(st);
	return rc;
}

enum err store_bulk_claim(struct db *db, int64_t now, int64_t lease_ms, struct arena *a, struct bulk_job *out)
{
	static const char sql[] =
		"UPDATE bulk_jobs SET status = 'running', attempts = attempts + 1, locked_until = ?, updated_at = ?"
		" WHERE id = (SELECT id FROM bulk_jobs WHERE status = 'pending'"
		"   OR (status = 'running' AND locked_until < ?) ORDER BY created_at, id LIMIT 1)"
		" RETURNING " JOB_COLS;
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
	db_bind_int(st, 3, now);
	bool row;
	rc = db_step(st, &row);
	if (rc == ERR_OK)
		rc = row ? job_read(st, a, out) : ERR_NOT_FOUND;
	db_done(st);
	if (rc != ERR_OK) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db);
}

enum err store_bulk_items_next(struct db *db, const char *job_id, int64_t from, int limit, struct arena *a,
			       const char **ids, int64_t *seqs, int *n)
{
	static const char sql[] =
		"SELECT seq, call_id FROM bulk_job_items WHERE job_id = ? AND seq >= ? ORDER BY seq LIMIT ?";
	struct db_stmt *st;
	*n = 0;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, job_id);
	db_bind_int(st, 2, from);
	db_bind_int(st, 3, limit);
	bool row;
	while ((rc = db_step(st, &row)) == ERR_OK && row && *n < limit) {
		seqs[*n] = db_col_int(st, 0);
		if (!(ids[*n] = db_col_dup(st, 1, a))) {
			rc = ERR_NOMEM;
			break;
		}
		(*n)++;
	}
	db_done(st);
	return rc;
}

enum err store_bulk_error_add(struct db *db, const char *job_id, int64_t seq, const char *call_id, int64_t status,
			      const char *message)
{
	static const char sql[] =
		"INSERT INTO bulk_job_errors (job_id, seq, call_id, status, message) VALUES (?, ?, ?, ?, ?)";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, job_id);
	db_bind_int(st, 2, seq);
	db_bind_text(st, 3, call_id);
	db_bind_int(st, 4, status);
	db_bind_text(st, 5, message);
	return db_run(st);
}

enum err store_bulk_progress(struct db *db, const char *job_id, int64_t next_seq, int64_t processed_add,
			     int64_t errors_add, int64_t locked_until, int64_t now)
{
	static const char sql[] =
		"UPDATE bulk_jobs SET next_seq = ?, processed = processed + ?, nerrors = nerrors + ?, locked_until = ?,"
		" updated_at = ? WHERE id = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_int(st, 1, next_seq);
	db_bind_int(st, 2, processed_add);
	db_bind_int(st, 3, errors_add);
	db_bind_int(st, 4, locked_until);
	db_bind_int(st, 5, now);
	db_bind_text(st, 6, job_id);
	return db_run(st);
}

enum err store_bulk_finish(struct db *db, const char *job_id, const char *status, const char *result_key,
			   int64_t result_size, int64_t processed, const char *error, int64_t now)
{
	static const char sql[] =
		"UPDATE bulk_jobs SET status = ?, result_key = COALESCE(?, result_key), result_size = ?,"
		" processed = CASE WHEN ? >= 0 THEN ? ELSE processed END, last_error = ?, locked_until = NULL,"
		" finished_at = ?, updated_at = ? WHERE id = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_text(st, 1, status);
	db_bind_text(st, 2, result_key);
	db_bind_int_or_null(st, 3, result_key ? result_size : DB_NULL_INT);
	db_bind_int(st, 4, processed);
	db_bind_int(st, 5, processed);
	db_bind_text(st, 6, error);
	db_bind_int(st, 7, now);
	db_bind_int(st, 8, now);
	db_bind_text(st, 9, job_id);
	return db_run(st);
}

enum err store_bulk_release(struct db *db, const char *job_id, const char *error, int64_t retry_at, int64_t now)
{
	static const char sql[] =
		"UPDATE bulk_jobs SET status = 'running', locked_until = ?, last_error = ?, updated_at = ? WHERE id = ?";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	db_bind_int(st, 1, retry_at);
	db_bind_text(st, 2, error);
	db_bind_int(st, 3, now);
	db_bind_text(st, 4, job_id);
	return db_run(st);
}

#define TAGS_SQL \
	"(SELECT group_concat(t.tag, '; ') FROM (SELECT tag FROM call_tags WHERE call_id = c.id ORDER BY tag) t)"

const struct export_col export_cols[] = {
	{"id", "Id", "c.id", EXPORT_TEXT, 3},
	{"startedAt", "Started", "c.started_at", EXPORT_TIME, 3},
	{"endedAt", "Ended", "c.ended_at", EXPORT_TIME, 3},
	{"durationSec", "Duration (s)", "c.duration_sec", EXPORT_INT, 1},
	{"direction", "Dir.", "c.direction", EXPORT_TEXT, 1},
	{"fromE164", "From", "c.from_e164", EXPORT_TEXT, 2},
	{"toE164", "To", "c.to_e164", EXPORT_TEXT, 2},
	{"status", "Status", "c.status", EXPORT_TEXT, 2},
	{"agentType", "Agent", "c.agent_type", EXPORT_TEXT, 1},
	{"intent", "Intent", "c.intent", EXPORT_TEXT, 2},
	{"disposition", "Disposition", "c.disposition", EXPORT_TEXT, 2},
	{"outcomeAt", "Outcome at", "c.outcome_at", EXPORT_TIME, 3},
	{"valueEstCents", "Value (cents)", "c.value_est_cents", EXPORT_INT, 2},
	{"emergencyScore", "Emergency", "c.emergency_score", EXPORT_INT, 1},
	{"spamScore", "Spam score", "c.spam_score", EXPORT_INT, 1},
	{"spamReason", "Spam reason", "c.spam_reason", EXPORT_TEXT, 2},
	{"queueStatus", "Queue", "c.queue_status", EXPORT_TEXT, 1},
	{"outcomeRequired", "Outcome req.", "c.outcome_required", EXPORT_BOOL, 1},
	{"source", "Source", "c.source", EXPORT_TEXT, 2},
	{"leadSource", "Lead source", "c.lead_source", EXPORT_TEXT, 2},
	{"tags", "Tags", TAGS_SQL, EXPORT_TEXT, 3},
	{"notes", "Notes", "c.notes", EXPORT_TEXT, 5},
	{"contactId", "Contact id", "c.contact_id", EXPORT_TEXT, 3},
	{"contactName", "Contact", "ct.name", EXPORT_TEXT, 3},
	{"contactEmail", "E-mail", "ct.email", EXPORT_TEXT, 3},
	{"jobId", "Job id", "c.job_id", EXPORT_TEXT, 3},
	{"jobTitle", "Job", "j.title", EXPORT_TEXT, 3},
	{"jobStatus", "Job status", "j.status", EXPORT_TEXT, 2},
	{"assignedTo", "Assigned to", "c.assigned_to", EXPORT_TEXT, 3},
	{"createdAt", "Created", "c.created_at", EXPORT_TIME, 3},
	{NULL, NULL, NULL, EXPORT_TEXT, 0},
};

int store_export_col(const char *name)
{
	for (int i = 0; export_cols[i].name; i++)
		if (strcmp(export_cols[i].name, name) == 0)
			return i;
	return -1;
}

static void export_from(struct sqlb *b, const struct call_query *q, const char *job_id)
{
	if (job_id) {
		sqlb_sql(b, " FROM bulk_job_items bi JOIN calls c ON c.id = bi.call_id"
			    " LEFT JOIN contacts ct ON ct.id = c.contact_id LEFT JOIN jobs j ON j.id = c.job_id"
			    " WHERE bi.job_id = ? AND c.workspace_id = ?");
		sqlb_text(b, job_id);
		sqlb_text(b, q->workspace_id);
		return;
	}
	sqlb_sql(b, CALLS_LIST_FROM);
	store_calls_where(b, q);
}

/* The count needs the contact join only for the filters that read the contact (as the
 * triage ranking does); without it, a workspace-wide count reads only an index. */
static void count_from(struct sqlb *b, const struct call_query *q, const char *job_id)
{
	if (job_id || q->dnc >= 0 || q->search_like) {
		export_from(b, q, job_id);
		return;
	}
	sqlb_sql(b, " FROM calls c");
	store_calls_where(b, q);
}

/* A streaming read (an export, its count) reads most pages once: it goes through a small
 * page cache, so the connection's memory does not grow with the rows read; the
 * connection's own size is put back after. *saved: 0 when nothing was changed. */
#define STREAM_CACHE_KIB 2048

static void stream_cache_begin(struct db *db, int64_t *saved)
{
	*saved = 0;
	if (db_dialect_of(db) != DB_SQLITE)
		return;
	struct db_stmt *st;
	bool row = false;
	if (db_prepare(db, "PRAGMA cache_size", &st) != ERR_OK)
		return;
	int64_t v = db_step(st, &row) == ERR_OK && row ? db_col_int(st, 0) : 0;
	db_done(st);
	/* Negative: KiB; positive: pages. Only ever made smaller. */
	if (v == 0 || (v < 0 && -v <= STREAM_CACHE_KIB) || (v > 0 && v <= STREAM_CACHE_KIB / 4))
		return;
	char sql[64];
	snprintf(sql, sizeof sql, "PRAGMA cache_size = %d", -STREAM_CACHE_KIB);
	if (db_exec(db, sql, NULL) == ERR_OK)
		*saved = v;
}

static void stream_cache_end(struct db *db, int64_t saved)
{
	if (saved == 0)
		return;
	char sql[64];
	snprintf(sql, sizeof sql, "PRAGMA cache_size = %lld", (long long)saved); /* the number read above */
	db_exec(db, sql, NULL);
}

enum err store_export_each(struct db *db, const struct call_query *q, const char *job_id, const int *cols, int ncols,
			   bool (*fn)(void *ctx, const struct export_cell *cells), void *ctx)
{
	struct sqlb b;
	struct db_stmt *st = NULL;
	struct export_cell cells[64];
	if (ncols < 1 || ncols > 64)
		return ERR_INVALID;
	sqlb_init(&b);
	sqlb_sql(&b, "SELECT ");
	for (int i = 0; i < ncols; i++) {
		if (i)
			sqlb_sql(&b, ", ");
		sqlb_sql(&b, export_cols[cols[i]].sql);
	}
	export_from(&b, q, job_id);
	if (job_id)
		sqlb_sql(&b, " ORDER BY bi.seq");
	else
		store_calls_order(&b, q);
	int64_t saved;
	stream_cache_begin(db, &saved);
	enum err rc = sqlb_prepare(&b, db, &st);
	if (rc != ERR_OK)
		goto out;
	bool row;
	while ((rc = db_step(st, &row)) == ERR_OK && row) {
		for (int i = 0; i < ncols; i++) {
			struct export_cell *c = &cells[i];
			c->null = db_col_null(st, i);
			c->text = NULL;
			c->len = 0;
			c->i = 0;
			if (c->null)
				continue;
			if (export_cols[cols[i]].type == EXPORT_TEXT) {
				c->text = db_col_text(st, i);
				c->len = db_col_len(st, i);
			} else {
				c->i = db_col_int(st, i);
			}
		}
		if (!fn(ctx, cells))
			break;
	}
	db_done(st);
out:
	stream_cache_end(db, saved);
	sqlb_cleanup(&b);
	return rc;
}

enum err store_export_count(struct db *db, const struct call_query *q, const char *job_id, int64_t *n)
{
	struct sqlb b;
	struct db_stmt *st = NULL;
	sqlb_init(&b);
	sqlb_sql(&b, "SELECT COUNT(*)");
	count_from(&b, q, job_id);
	int64_t saved;
	stream_cache_begin(db, &saved);
	enum err rc = sqlb_prepare(&b, db, &st);
	if (rc == ERR_OK)
		rc = count_one(st, n, NULL);
	stream_cache_end(db, saved);
	sqlb_cleanup(&b);
	return rc;
}
