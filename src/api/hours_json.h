/* Business hours as JSON, one format for the workspace's settings
 * (/api/settings/business-hours) and a tracking number's own `hours`:
 *	{ "timeZone": "America/Chicago",
 *	  "days": { "mon": [{ "open": "08:00", "close": "17:00" }], ... },
 *	  "holidays": ["2026-12-25"] }
 * days: any of sun..sat, each at most SLA_INTERVALS_MAX intervals (close
 * "24:00" is midnight; close <= open runs overnight); holidays optional. The
 * rules beyond the shape (overlaps, order, ranges) are sla_hours_validate's. */
#ifndef SB_API_HOURS_JSON_H
#define SB_API_HOURS_JSON_H

#include <stdbool.h>

#include "core/jw.h"
#include "domain/sla.h"
#include "http/req.h"

/* Reads v into bh (zeroed first; holidays in r's arena). Field errors go to
 * r->err named prefix + field ("timeZone", "days", "days.mon", "holidays";
 * prefix "" or "hours."). False when v was not readable. */
bool hours_json_parse(struct req *r, json_t *v, const char *prefix, struct business_hours *bh);
/* Writes "timeZone", "days" and "holidays" of bh into the open object w. */
void hours_json_write(struct jw *w, const struct business_hours *bh);

#endif
