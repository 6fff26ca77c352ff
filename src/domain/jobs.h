/* Job rules: creating a job from a call (who may be assigned, what a job must
 * hold) and linking a call to an existing or a new job, through the call edit
 * cycle (domain/calls.h): one transaction with its audit trail and events. */
#ifndef SB_DOMAIN_JOBS_H
#define SB_DOMAIN_JOBS_H

#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "domain/authz.h"
#include "store/db.h"
#include "store/jobs.h"

#define JOB_TITLE_MAX 200
#define JOB_ADDRESS_MAX 500
#define JOB_ESTIMATE_MAX INT64_C(100000000000) /* cents: one billion in the currency */

/* A job to create for a call. Strings are borrowed; NULL / I64_NULL = not given. */
struct job_new {
	const char *title;        /* required */
	const char *status;       /* one of job_statuses; NULL = "new" */
	int64_t estimate_cents, slot_start, slot_end;
	const char *address;
	const char *assigned_to;  /* a user id of a member of the workspace */
};

/* Every field "not given". */
void job_new_init(struct job_new *nj);

/* Checks the form's own fields (field errors into d); membership of assigned_to
 * is checked by jobs_link_call. */
enum err jobs_new_check(const struct job_new *nj, struct err_detail *d);

/* Links the call to job_id (a job of the workspace; for a Tech, one assigned to
 * them), or, when job_id is NULL, to a new job made from nj for the call's
 * contact with the call as its source. assigned_to gets a job assignment
 * (ERR_INVALID on field "assignedTo" when not a member); a Tech creating a job
 * is assigned to it too, so the call stays theirs. Audit: job.created (target
 * job) and call.job_linked. Own transaction. *job_id_out (may be NULL) gets the
 * job's id (arena). */
enum err jobs_link_call(struct db *db, const struct principal *p, const char *call_id, const char *job_id,
			const struct job_new *nj, struct arena *a, const char **job_id_out, struct err_detail *d);

#endif
