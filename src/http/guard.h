/* Who is asking and may they: credentials (bearer token or session cookie),
 * CSRF for cookie-authenticated writes, role permission per route, and CORS. */
#ifndef SB_HTTP_GUARD_H
#define SB_HTTP_GUARD_H

#include <stdbool.h>

#include "core/err.h"
#include "http/req.h"

#define SESSION_COOKIE "sb_session"

/* Resolves the credential and checks CSRF and the route's access rule.
 * ERR_UNAUTHORIZED / ERR_FORBIDDEN with r->err filled. */
enum err guard_check(struct req *r);
/* Adds CORS response headers when the request's Origin is trusted. */
void guard_cors_headers(struct req *r);
/* Answers a CORS preflight (OPTIONS); allow is the path's method list. */
void guard_preflight(struct req *r, const char *allow);
/* Set-Cookie value for a new session (or clearing it when token is NULL). */
void guard_session_cookie(struct req *r, const char *token, int64_t max_age_sec);

#endif
