/* SQL for the durable job queue (background work: struct bg_job, not a field job). A job is claimed with a lease; a worker that
 * dies leaves the lease to expire and the job is claimed again. */
#ifndef SB_STORE_QUEUE_H
#define SB_STORE_QUEUE_H

#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/ids.h"
#include "store/db.h"

struct bg_job {
	char id[ID_SIZE];
	const char *workspace_id, *kind, *payload, *last_error;
	int64_t attempts, run_at;
};

/* Queues a job (inside the caller's transaction, next to the change that asks for it). */
enum err store_queue_insert(struct db *db, const char *workspace_id, const char *kind, const char *payload,
			  int64_t run_at, int64_t now);
/* Queues an e-mail job (payload {to, subject, body}) to run now. */
enum err store_queue_insert_email(struct db *db, const char *workspace_id, const char *payload, int64_t now);
/* Claims the oldest ready job (pending, or running with an expired lease) for lease_ms.
 * ERR_NOT_FOUND when none is ready. Strings are in arena a. */
enum err store_queue_claim(struct db *db, int64_t now, int64_t lease_ms, struct arena *a, struct bg_job *out);
enum err store_queue_done(struct db *db, const char *id, int64_t now);
/* Failed attempt: retried at retry_at, or failed for good when retry_at < 0;
 * a retry's wait is no hold (held_for cleared: see store_sms_job_defer). */
enum err store_queue_failed(struct db *db, const char *id, const char *error, int64_t retry_at, int64_t now);
/* Counts by status (tests, health). */
enum err store_queue_count(struct db *db, const char *kind, const char *status, int64_t *n);

#endif
