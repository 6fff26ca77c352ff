/* Call rules: who may see and change which call, what a change must satisfy
 * (disposition rules, outcome and triage bookkeeping), and the edit cycle that
 * every write to a call goes through:
 *
 *	struct call before, after;
 *	rc = calls_edit_begin(db, p, id, a, &before, d);   // write transaction + load + row check
 *	if (rc != ERR_OK) return rc;                         // (the transaction is closed on error)
 *	after = before; ... change after ...
 *	rc = calls_edit_commit(db, &actor, "call.updated", &before, &after, NULL, d);
 *
 * calls_edit_commit validates, writes the row, its tags and search entry when
 * they changed, the audit event with the field diff and the call_updated event,
 * and commits, all or nothing. A change that changes nothing writes nothing. */
#ifndef SB_DOMAIN_CALLS_H
#define SB_DOMAIN_CALLS_H

#include "core/arena.h"
#include "core/err.h"
#include "domain/audit.h"
#include "domain/authz.h"
#include "store/calls.h"
#include "store/db.h"

/* Reads one call the principal may see (404 when absent, in another workspace,
 * or outside a Tech's jobs). */
enum err calls_get(struct db *db, const struct principal *p, const char *call_id, struct arena *a,
		   struct call *out, struct err_detail *d);

/* Lists calls for the principal (Tech scope applied). */
enum err calls_list(struct db *db, const struct principal *p, struct call_query *q, struct arena *a,
		    struct call_page *out, struct err_detail *d);

/* Changes whenever any call data may have changed (for response caches). */
enum err calls_data_version(struct db *db, uint64_t *version);
/* Until when (ms) the answer to q stays what it is if no data changes
 * (INT64_MAX unless it reads the clock): a triage ranking holds to the end of
 * its minute or until the next open follow-up falls due, whichever is first. */
enum err calls_list_valid_until(struct db *db, const struct call_query *q, int64_t *until);

/* Opens a write transaction and loads the call for editing (ERR_NOT_FOUND / ERR_FORBIDDEN
 * with the transaction closed). */
enum err calls_edit_begin(struct db *db, const struct principal *p, const char *call_id, struct arena *a,
			  struct call *before, struct err_detail *d);
/* As calls_edit_begin, reading only what calls_edit_commit needs (store_call_get_for_edit:
 * the row, tags and open follow-ups; no contact, job or transcript), for a caller that does
 * not show the call afterwards (bulk jobs). */
enum err calls_edit_begin_row(struct db *db, const struct principal *p, const char *call_id, struct arena *a,
			      struct call *before, struct err_detail *d);
/* As calls_edit_begin_row with the call already read for the edit in this same write
 * transaction (store_calls_get_for_edit_many: a bulk chunk reads its calls at once); the
 * role and row checks are the same. caller_tx: the caller holds the write transaction and
 * answers for it: the edit opens no savepoint of its own, and commits or rolls back nothing
 * (pass an actor with caller_tx to calls_edit_commit; calls_edit_abort is not called). On an
 * error after something was written, the caller must roll its whole transaction back. */
enum err calls_edit_begin_read(struct db *db, const struct principal *p, const struct call *read, bool on_own_job,
			       bool caller_tx, struct call *before, struct err_detail *d);
/* Validates and saves after (see above), then commits. metadata: JSON text or NULL.
 * *changed (may be NULL) tells whether anything was written. */
enum err calls_edit_commit(struct db *db, const struct actor *actor, const char *action, const struct call *before,
			   struct call *after, const char *metadata, bool *changed, struct err_detail *d);
/* Rolls back an edit that was begun (e.g. after a validation error of the caller's own). */
void calls_edit_abort(struct db *db);

/* Normalizes a tag list in place into the arena: trims, lower-cases, drops duplicates
 * and empties; ERR_INVALID (field "tags") for too many or too long or bad characters. */
enum err calls_tags_normalize(struct arena *a, const char **in, int n, const char ***out, int *nout,
			      struct err_detail *d);

/* Keeps queue_status and outcome_required consistent with the call's outcome
 * and its open follow-ups (nopen). */
void calls_queue_refresh(struct call *c, int nopen);

#endif
