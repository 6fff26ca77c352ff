/* Shared by api/bulk.c and api/exports.c. */
#ifndef SB_API_BULK_API_H
#define SB_API_BULK_API_H

#include <jansson.h>

#include "domain/export.h"
#include "http/req.h"

/* Reads format and columns of b into spec and the job's data JSON (with b's
 * filters when need_filters) into *data_out (caller frees). Field errors in r->err. */
enum err api_export_data(struct req *r, json_t *b, bool need_filters, char **data_out, struct export_spec *spec);

#endif
