/* SQL for jobs (the field work a call turns into) and their techs. */
#ifndef SB_STORE_JOBS_H
#define SB_STORE_JOBS_H

#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/db.h"

struct job {
	const char *id, *workspace_id, *title, *status, *address, *contact_id, *source_call_id, *assigned_to;
	int64_t slot_start, slot_end, estimate_cents, final_cents; /* I64_NULL when absent */
	int64_t created_at, updated_at;
};

enum err store_job_insert(struct db *db, const struct job *j);
/* Adds user_id to the job's techs (no-op when already there). */
enum err store_job_assign(struct db *db, const char *workspace_id, const char *job_id, const char *user_id);
/* One job of the workspace; with tech_user_id, only if that user is assigned to it
 * (ERR_NOT_FOUND otherwise). Strings in arena a. */
enum err store_job_get(struct db *db, const char *workspace_id, const char *job_id, const char *tech_user_id,
		       struct arena *a, struct job *out);

#endif
