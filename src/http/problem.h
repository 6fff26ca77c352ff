/* The one place that maps enum err to an HTTP status and writes RFC 9457
 * application/problem+json bodies. */
#ifndef SB_HTTP_PROBLEM_H
#define SB_HTTP_PROBLEM_H

#include "core/err.h"
#include "http/req.h"

/* HTTP status for an error code. */
int problem_status(enum err e);
/* Replaces any reply on r with the problem for e, using r->err for detail,
 * field errors and Retry-After. */
void problem_reply(struct req *r, enum err e);
/* Same with an explicit status (routing errors: 404, 405, 413, 415). */
void problem_reply_status(struct req *r, int status, const char *detail);

#endif
