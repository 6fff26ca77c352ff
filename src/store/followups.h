/* SQL for follow-up tasks: read one, list by a query spec with keyset
 * pagination on (due_at, id), insert, update, delete, and the two existence
 * checks a follow-up's references need (a contact of the workspace). Rows are
 * filled into the caller's arena; no rule about who may do what lives here. */
#ifndef SB_STORE_FOLLOWUPS_H
#define SB_STORE_FOLLOWUPS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/ids.h"
#include "store/calls.h"
#include "store/db.h"
#include "store/model.h"

/* What to list. I64_NULL = no bound; overdue: -1 any, 0 not overdue, 1 overdue. */
struct followup_query {
	const char *workspace_id;
	const char *scope_user_id;   /* non-NULL: only rows assigned to this user or on calls of their jobs */
	int64_t now;                 /* "overdue" = open and due before now */

	struct str_set status, priority;
	const char *assigned_to, *call_id, *contact_id;
	int64_t due_from, due_to;    /* due_at in [due_from, due_to) */
	int overdue;

	int limit;                   /* 1..100 */
	bool has_cursor;             /* rows strictly after (cursor_due, cursor_id) */
	int64_t cursor_due;
	char cursor_id[ID_SIZE];
};

struct followup_page {
	struct followup *rows;       /* arena-owned, soonest due first */
	int n;
	bool has_more;
};

/* Initializes q with "no filter" values for workspace_id. */
void followup_query_init(struct followup_query *q, const char *workspace_id, int64_t now);

/* One page of follow-ups per q, into a. */
enum err store_followups_list(struct db *db, const struct followup_query *q, struct arena *a,
			      struct followup_page *out);

/* One follow-up of the workspace, strings in a. ERR_NOT_FOUND when absent.
 * *in_scope (may be NULL) tells whether user_id (may be NULL) is its assignee
 * or is assigned to the job of its call. */
enum err store_followup_get(struct db *db, const char *workspace_id, const char *id, const char *user_id,
			    struct arena *a, struct followup *out, bool *in_scope);

/* Inserts f (every field set by the caller; NULL strings and I64_NULL
 * completed_at are stored as NULL). */
enum err store_followup_insert(struct db *db, const struct followup *f);
/* Writes the mutable fields of f (type, due, assignee, status, priority, note,
 * completed_at, updated_at). ERR_NOT_FOUND when the row is gone. */
enum err store_followup_update(struct db *db, const struct followup *f);
/* Deletes one follow-up. ERR_NOT_FOUND when the row is gone. */
enum err store_followup_delete(struct db *db, const char *workspace_id, const char *id);

/* *exists = the workspace has a contact with this id. */
enum err store_followups_contact_exists(struct db *db, const char *workspace_id, const char *contact_id,
					bool *exists);
/* *in_scope = the follow-up values (assignee, call) would be visible to user_id:
 * assigned to them, or on a call of a job assigned to them. */
enum err store_followups_in_scope(struct db *db, const char *workspace_id, const char *user_id,
				  const char *assigned_to, const char *call_id, bool *in_scope);

#endif
