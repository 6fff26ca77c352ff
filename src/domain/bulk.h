/* Bulk operations on calls (POST /api/calls/bulk) and the job they run as.
 *
 * A job is created in one transaction with the calls it applies to fixed as
 * numbered items (the given ids, or every call the list filters select), then
 * a worker applies it chunk by chunk: each chunk is one write transaction in
 * which every call goes through the calls edit cycle (audit with source
 * "bulk", call_updated event) as a savepoint, the calls that cannot be changed
 * are recorded with the reason, and the job's progress moves on. A crash loses
 * at most the chunk in hand, which is then applied again from the start: every
 * item exactly once. */
#ifndef SB_DOMAIN_BULK_H
#define SB_DOMAIN_BULK_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "domain/authz.h"
#include "store/bulk.h"
#include "store/db.h"

#define BULK_MAX_IDS 10000
#define BULK_MAX_ACTIVE 5        /* running jobs per workspace */
#define EXPORTS_PER_DAY 10       /* per user, rolling 24 hours */

enum bulk_kind { BULK_TAG, BULK_SPAM, BULK_DISPOSITION, BULK_FOLLOWUP, BULK_EXPORT };
extern const char *const bulk_operations[]; /* tag spam disposition followup export (NULL-terminated) */

enum bulk_tag_mode { BULK_TAGS_ADD, BULK_TAGS_REMOVE, BULK_TAGS_SET };

/* An operation with its data, validated (strings borrowed). */
struct bulk_op {
	enum bulk_kind kind;
	/* tag */
	enum bulk_tag_mode tag_mode;
	const char **tags;
	int ntags;
	/* spam */
	bool spam;
	const char *spam_reason;
	/* disposition */
	const char *disposition;
	/* followup */
	const char *fu_type, *fu_priority, *fu_note, *fu_assigned_to;
	int64_t fu_due_at;
};

/* What to create: the calls (ids, or a query), the operation, its data as JSON text. */
struct bulk_request {
	const char *kind;             /* "bulk" or "export" */
	const char *operation;        /* bulk_operations word, or csv / pdf for kind export */
	const char *data;             /* JSON text stored with the job */
	const char **ids;             /* n ids, or NULL: every call q selects */
	int nids;
	struct call_query *q;         /* with ids NULL (bulk), or never for exports (filters run later) */
};

/* Creates a job in one transaction. Bulk: the principal may edit (exports: may
 * export); ERR_LIMITED (retry_after set) past BULK_MAX_ACTIVE pending or running
 * bulk jobs in the workspace or EXPORTS_PER_DAY exports of the user.
 * id: ID_SIZE bytes out; *count = items (exports: rows the filters select now). */
enum err bulk_create(struct db *db, const struct principal *p, const struct bulk_request *req, int64_t now,
		     char *id, int64_t *count, struct err_detail *d);

/* A job of the principal's workspace, visible to its creator and to Admins and Owners
 * (ERR_NOT_FOUND otherwise). Strings in a. */
enum err bulk_get(struct db *db, const struct principal *p, const char *id, struct arena *a, struct bulk_job *out,
		  struct err_detail *d);

/* The principal a job acts for (its creator as they were when they created it). */
void bulk_principal(const struct bulk_job *j, struct principal *out);

/* Applies one chunk (at most chunk items from j->next_seq) in one transaction and
 * moves j->next_seq / processed / nerrors on; *finished when no item was left
 * (the job is then completed). Errors are the store's (the chunk is rolled back). */
enum err bulk_job_step(struct db *db, struct bulk_job *j, const struct bulk_op *op, int chunk, int64_t lease_ms,
		       bool *finished, struct err_detail *d);

/* Marks a job failed for good. */
enum err bulk_job_fail(struct db *db, const struct bulk_job *j, const char *why);

#endif
