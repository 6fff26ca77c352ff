/* Routes: a const table of (method, path pattern, handler, access rule), and
 * matching of a request path against it. Patterns are literal segments and
 * ":name" parameters: "/api/calls/:id/followups". Pure; no I/O. */
#ifndef SB_HTTP_ROUTER_H
#define SB_HTTP_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

struct req;

#define ROUTE_MAX_PARAMS 4

enum route_access {
	ACCESS_PUBLIC,    /* no credential needed */
	ACCESS_SIGNED_IN, /* any principal */
	ACCESS_ACTION,    /* a principal whose role may do route->action (domain/authz.h) */
};

/* Route flags. */
#define ROUTE_BODY_JSON     (1u << 0) /* takes a JSON object body (415 otherwise; may be absent unless REQUIRED) */
#define ROUTE_BODY_REQUIRED (1u << 1) /* 400 without a body */
#define ROUTE_CREATED       (1u << 2) /* success is 201 */
#define ROUTE_NO_CONTENT    (1u << 3) /* success is 204 */
#define ROUTE_RAW_BODY      (1u << 4) /* takes a form or other body; handler parses (webhooks) */
#define ROUTE_QUERY_TOKEN   (1u << 5) /* also accepts ?token= (browsers cannot set headers on WebSockets) */
#define ROUTE_UPLOAD        (1u << 6) /* a raw body of up to ROUTE_UPLOAD_MAX spooled to an unlinked temporary
					* file (req->upload_fd), not memory; max-body does not apply (DNC import) */
#define ROUTE_UPLOAD_MAX    ((unsigned long long)64 << 20)

struct route {
	const char *method;
	const char *pattern;
	enum err (*handler)(struct req *r);
	enum route_access access;
	int action;        /* enum action when access == ACCESS_ACTION */
	unsigned flags;
};

struct route_match {
	const struct route *route;
	int nparams;
	const char *names[ROUTE_MAX_PARAMS];   /* borrowed from the route pattern... */
	size_t name_lens[ROUTE_MAX_PARAMS];
	const char *values[ROUTE_MAX_PARAMS];  /* ...and from the path (not decoded, not terminated) */
	size_t value_lens[ROUTE_MAX_PARAMS];
};

enum route_result { ROUTE_FOUND, ROUTE_NO_PATH, ROUTE_NO_METHOD };

/* Matches method and path (no query string) against the table. ROUTE_NO_METHOD
 * when the path exists with other methods: allow (size n) then lists them,
 * comma-separated ("GET, PATCH"). HEAD matches GET routes. */
enum route_result router_match(const struct route *table, size_t count, const char *method, const char *path,
			       struct route_match *m, char *allow, size_t n);
/* The methods the path answers to (for OPTIONS); false when the path is unknown. */
bool router_allow(const struct route *table, size_t count, const char *path, char *allow, size_t n);

#endif
