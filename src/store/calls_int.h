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
void store_followup_row_read(struct db_stmt *st, struct arena *a, struct followup *f);

#endif
