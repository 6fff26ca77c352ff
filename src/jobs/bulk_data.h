/* The JSON of bulk and export jobs: an operation's `data` and the list
 * `filters`, read into the domain's plain structs with field errors named as
 * the request names them ("data.tags", "filters.intent"). Used by the API when
 * a job is created and by the worker when it runs, so both read it alike. */
#ifndef SB_JOBS_BULK_DATA_H
#define SB_JOBS_BULK_DATA_H

#include <jansson.h>

#include "core/arena.h"
#include "core/err.h"
#include "domain/bulk.h"
#include "store/calls.h"

/* data (may be NULL) for operation kind into *op (strings in a). ERR_INVALID with field errors. */
enum err bulk_data_parse(enum bulk_kind kind, json_t *data, struct arena *a, struct bulk_op *op, struct err_detail *d);

/* filters (an object of list parameters: string, number, boolean or an array of them;
 * limit and cursor ignored) into q, which the caller initialised (workspace, now). */
enum err bulk_filters_parse(json_t *filters, struct call_query *q, struct arena *a, const char *self_user_id,
			    struct err_detail *d);

#endif
