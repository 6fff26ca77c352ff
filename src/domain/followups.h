/* Follow-up task rules: who may see and change which task, what a task must
 * satisfy (known type/status/priority, a member as assignee, a contact of the
 * workspace), its completion stamp, and the bookkeeping of the call a task
 * belongs to. Every write records an audit event on target "followup"
 * (followup.created / followup.updated with the field diff / followup.deleted)
 * in the same transaction; a write that changes nothing records nothing.
 *
 * A write to a task on a call runs the call's edit cycle (domain/calls.h) in
 * the same transaction, so the call's queue_status follows its open tasks; the
 * call's own change is audited as call.followup_created / _updated / _deleted
 * (metadata {"followUpId"}) with its call_updated event. When the call's own
 * fields stay the same (its embedded tasks still changed) only a call_updated
 * event with empty changes is emitted, so list rows refresh.
 *
 * Row scope: a Tech sees and edits only tasks assigned to them or on calls of
 * jobs assigned to them; anything else answers ERR_NOT_FOUND, like another
 * workspace's row. A Tech's write must leave the task in that scope
 * (ERR_FORBIDDEN otherwise). */
#ifndef SB_DOMAIN_FOLLOWUPS_H
#define SB_DOMAIN_FOLLOWUPS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "domain/audit.h"
#include "domain/authz.h"
#include "store/db.h"
#include "store/followups.h"

#define FOLLOWUP_NOTE_MAX 4000
#define FOLLOWUP_DUE_MIN 946684800000LL    /* 2000-01-01T00:00:00Z */
#define FOLLOWUP_DUE_MAX 253402300799999LL /* 9999-12-31T23:59:59.999Z */

/* A new task. Strings are borrowed for the call. */
struct followup_new {
	const char *call_id;     /* NULL: not on a call */
	const char *call_field;  /* field named when call_id is no visible call; NULL: ERR_NOT_FOUND instead */
	const char *contact_id;  /* NULL: the call's contact (if any) */
	const char *type;        /* followup_types */
	const char *priority;    /* NULL: normal */
	const char *note;        /* NULL or blank: none */
	const char *assigned_to; /* NULL: unassigned (a Tech's own task off any call: the Tech) */
	int64_t due_at;
	enum audit_source source; /* of the audit events (zero: SRC_API; a bulk job: SRC_BULK) */
};

/* A change to a task: NULL / I64_NULL / set_* false leave a field as it is. */
struct followup_change {
	const char *type, *priority, *status;
	int64_t due_at;
	bool set_note, set_assigned_to; /* with a NULL value: clear it */
	const char *note, *assigned_to;
};

/* Lists tasks for the principal (Tech scope applied; q's workspace is set here). */
enum err followups_list(struct db *db, const struct principal *p, struct followup_query *q, struct arena *a,
			struct followup_page *out, struct err_detail *d);

/* One task the principal may see. */
enum err followups_get(struct db *db, const struct principal *p, const char *id, struct arena *a,
		       struct followup *out, struct err_detail *d);

/* Creates a task (own transaction); *out is the stored row (strings in a).
 * ERR_INVALID with field errors, ERR_NOT_FOUND for an invisible call when
 * in->call_field is NULL, ERR_FORBIDDEN for a role that may not. */
enum err followups_create(struct db *db, const struct principal *p, const struct followup_new *in,
			  struct arena *a, struct followup *out, struct err_detail *d);

/* Applies ch (own transaction). Setting status "done" stamps completed_at,
 * leaving "done" clears it. *out is the task after the change; *changed (may
 * be NULL) tells whether anything was written. */
enum err followups_update(struct db *db, const struct principal *p, const char *id,
			  const struct followup_change *ch, struct arena *a, struct followup *out, bool *changed,
			  struct err_detail *d);

/* Deletes a task for good (own transaction). */
enum err followups_delete(struct db *db, const struct principal *p, const char *id, struct arena *a,
			  struct err_detail *d);

#endif
