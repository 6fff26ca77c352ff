/* Shared by store/calls.c and store/calls_edit.c only: the row readers of a call
 * (CALL_COLS order in calls.c, with the own-job flag after them at NCOLS) and of a
 * follow-up. */
#ifndef SB_STORE_CALLS_INT_H
#define SB_STORE_CALLS_INT_H

#include "core/arena.h"
#include "store/db.h"
#include "store/model.h"

#define NCOLS 63

enum err store_call_row_read(struct db_stmt *st, struct arena *a, struct call *c);
/* The one call sql selects, binding user_id (the own-job flag: *on_own_job
 * when not NULL), workspace_id and call_id in that order; ERR_NOT_FOUND when none. */
enum err store_call_row_get(struct db *db, const char *sql, const char *user_id, const char *workspace_id,
			    const char *call_id, struct arena *a, struct call *out, bool *on_own_job);
void store_followup_row_read(struct db_stmt *st, struct arena *a, struct followup *f);

#endif
