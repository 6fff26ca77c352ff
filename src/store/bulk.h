/* SQL for bulk and export jobs (migration 0012): the job row with its status
 * and progress, the calls a bulk job applies to (numbered items fixed at
 * creation), the per-call errors, and the export row cursor. A job is claimed
 * with a lease like bg_jobs; a chunk's writes, its errors and the job's
 * progress commit in one transaction, so a job resumed after a crash applies
 * every item exactly once. */
#ifndef SB_STORE_BULK_H
#define SB_STORE_BULK_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/ids.h"
#include "store/calls.h"
#include "store/db.h"

struct bulk_job {
	char id[ID_SIZE];
	const char *workspace_id, *user_id, *user_email, *role;
	const char *kind;       /* bulk | export */
	const char *operation;  /* tag spam disposition followup export | csv pdf */
	const char *data;       /* JSON text */
	const char *status;     /* pending running completed failed */
	int64_t total, processed, nerrors, next_seq, attempts;
	const char *result_key, *last_error;
	int64_t result_size, created_at, updated_at, finished_at;
};

/* Inserts j (id, workspace, user, role, kind, operation, data, total, created_at set by the caller). */
enum err store_bulk_insert(struct db *db, const struct bulk_job *j);
/* Items seq 0..n-1 = ids (in the caller's transaction). */
enum err store_bulk_items_add(struct db *db, const char *job_id, const char **ids, int n);
/* Items for every call q selects, in list order; *n = how many. */
enum err store_bulk_items_select(struct db *db, const char *job_id, const struct call_query *q, int64_t *n);
enum err store_bulk_set_total(struct db *db, const char *job_id, int64_t total);
/* Jobs of kind in the workspace still pending or running. */
enum err store_bulk_count_active(struct db *db, const char *workspace_id, const char *kind, int64_t *n);
/* Exports (kind export, or a bulk job with operation export) the user created since `since`,
 * and the oldest creation time among them. */
enum err store_bulk_exports_since(struct db *db, const char *user_id, int64_t since, int64_t *n, int64_t *oldest);
/* Moves a running job's lease to until (from another connection while a long export reads). */
enum err store_bulk_renew(struct db *db, const char *job_id, int64_t until);
/* One job of the workspace (strings in a); ERR_NOT_FOUND otherwise. */
enum err store_bulk_get(struct db *db, const char *workspace_id, const char *id, struct arena *a, struct bulk_job *out);
/* One job by id alone (signed download links carry no credential). */
enum err store_bulk_get_by_id(struct db *db, const char *id, struct arena *a, struct bulk_job *out);
/* Per-call errors of a job, in item order (at most max). */
enum err store_bulk_errors_each(struct db *db, const char *job_id, int max,
				bool (*fn)(void *ctx, const char *call_id, int64_t status, const char *message), void *ctx);

/* Claims the oldest ready job (pending, or running with an expired lease): running,
 * attempts + 1, lease until now + lease_ms. ERR_NOT_FOUND when none is ready. */
enum err store_bulk_claim(struct db *db, int64_t now, int64_t lease_ms, struct arena *a, struct bulk_job *out);
/* Items of a job from seq `from` on (at most limit), into ids/seqs (ids in a); *n = how many. */
enum err store_bulk_items_next(struct db *db, const char *job_id, int64_t from, int limit, struct arena *a,
			       const char **ids, int64_t *seqs, int *n);
enum err store_bulk_error_add(struct db *db, const char *job_id, int64_t seq, const char *call_id, int64_t status,
			      const char *message);
/* Records a chunk: next item, counts added, lease renewed (inside the chunk's transaction). */
enum err store_bulk_progress(struct db *db, const char *job_id, int64_t next_seq, int64_t processed_add,
			     int64_t errors_add, int64_t locked_until, int64_t now);
/* Final state: completed (result_key may be NULL) or failed (error). */
enum err store_bulk_finish(struct db *db, const char *job_id, const char *status, const char *result_key,
			   int64_t result_size, int64_t processed, const char *error, int64_t now);
/* Gives a job back to the queue after a failed attempt (run again after the lease). */
enum err store_bulk_release(struct db *db, const char *job_id, const char *error, int64_t retry_at, int64_t now);

/* Export columns: a fixed allowlist of names (camelCase, as in the Call JSON) and their SQL. */
enum export_col_type { EXPORT_TEXT, EXPORT_INT, EXPORT_TIME, EXPORT_BOOL };
struct export_col {
	const char *name;
	const char *title;   /* header of the PDF table */
	const char *sql;
	enum export_col_type type;
	int width;           /* relative width in the PDF table */
};
extern const struct export_col export_cols[];
/* Index of a column name in export_cols, or -1. */
int store_export_col(const char *name);

/* One value of an export row: text (borrowed until the next row) or an integer; null when absent. */
struct export_cell {
	const char *text;
	int len;
	int64_t i;
	bool null;
};

/* Streams the rows q selects (or, when job_id is non-NULL, the job's items) in
 * list order with the columns cols[0..ncols-1], calling fn per row; fn returns
 * false to stop (ERR_OK). One SQLite cursor: memory does not grow with rows; on
 * SQLite the connection reads through a 2 MB page cache meanwhile (its own size is
 * put back after), so neither does the cache (store_export_count too). */
enum err store_export_each(struct db *db, const struct call_query *q, const char *job_id, const int *cols, int ncols,
			   bool (*fn)(void *ctx, const struct export_cell *cells), void *ctx);
/* How many rows store_export_each would produce. */
enum err store_export_count(struct db *db, const struct call_query *q, const char *job_id, int64_t *n);

#endif
