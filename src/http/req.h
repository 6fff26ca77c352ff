/* The request context handlers see: inputs (path parameters, query, headers,
 * parsed body, principal), the request's arena and error record, and the reply
 * functions. Handlers never see libmicrohttpd. A handler returns ERR_OK after
 * calling one reply_* function, or an error (with detail in r->err) that the
 * HTTP layer turns into problem+json. */
#ifndef SB_HTTP_REQ_H
#define SB_HTTP_REQ_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/err.h"
#include "core/jw.h"
#include "domain/accounts.h"
#include "domain/authz.h"
#include "http/router.h"
#include "http/ws_hub.h"
#include "store/db.h"

struct server;

struct req_header {
	const char *name;
	const char *value;
};

#define REQ_MAX_HEADERS 8

struct req {
	struct arena *arena;
	const struct config *cfg;
	const struct auth_policy *policy;
	void *conn;                  /* the HTTP connection: for http/ only */
	struct server *srv;          /* for http/ only */
	char id[65];                 /* request id (X-Request-Id) */
	int64_t start_us;
	const char *method;
	const char *path;
	const char *target;          /* the request target as sent (raw path and query), or NULL */
	struct route_match match;
	const char *params[ROUTE_MAX_PARAMS]; /* decoded path parameters, in pattern order */
	struct buf body;
	int upload_fd;               /* ROUTE_UPLOAD: the body in an unlinked temporary file, or -1 (no body) */
	uint64_t upload_len;         /* its length */
	json_t *json;                /* parsed JSON body (object) or NULL; owned */
	char client_ip[64];

	struct principal principal;
	bool authenticated;
	struct db *db;               /* this thread's connection */
	struct err_detail err;

	/* reply */
	int status;
	char *resp_data;             /* malloc'd; handed to the HTTP layer */
	size_t resp_len;
	const char *resp_type;
	bool resp_has_fd;            /* reply_fd: the body is resp_fd (resp_fd_size bytes), sent from the file */
	int resp_fd;
	uint64_t resp_fd_size;
	struct req_header headers[REQ_MAX_HEADERS];
	int nheaders;
	bool replied;
	struct ws_sub *upgrade;      /* set by reply_upgrade: answer 101, hand the socket to the hub */
	char ws_accept[32];
	void **mhd_ctx;              /* libmicrohttpd's slot for this request (cleared on upgrade) */
	int early_status;            /* error decided before the body was read */
	uint64_t discarded;          /* bytes of a refused body read and dropped */
	uint64_t bytes_out;
	/* deferred reply (req_defer): for http/ only */
	enum err (*finish)(struct req *r, void *ctx);
	void *defer_ctx;
	int defer_state;
	pthread_mutex_t defer_lock;
};

/* Path parameter by name (decoded, arena-owned); NULL if the route has none. */
const char *req_param(struct req *r, const char *name);
/* First value of a query parameter, NULL if absent. Borrowed for the request. */
const char *req_query(struct req *r, const char *key);
/* Every value of a repeated query parameter, in order; returns how many exist (may exceed max). */
int req_query_all(struct req *r, const char *key, const char **vals, int max);
/* Calls fn for each query parameter (key, value) in order; stops when fn returns false. */
void req_query_each(struct req *r, bool (*fn)(void *ctx, const char *key, const char *value), void *ctx);
/* Request header (case-insensitive), NULL if absent. */
const char *req_header(struct req *r, const char *name);

/* Replies. Each sets the body; the status comes from the route (200/201/204). */
enum err reply_json(struct req *r, json_t *body);                 /* steals body */
enum err reply_jw(struct req *r, struct jw *w);                   /* takes w's buffer */
enum err reply_bytes(struct req *r, const char *type, char *data, size_t len); /* steals malloc'd data */
enum err reply_static(struct req *r, const char *type, const char *data, size_t len); /* copies */
enum err reply_none(struct req *r);                               /* no body (204 routes) */
/* Sends size bytes of an open file (downloads; memory does not grow with the file). Steals fd. */
enum err reply_fd(struct req *r, const char *type, int fd, uint64_t size);
/* Switches the connection to WebSocket (101) and hands it to the hub with sub
 * (copied); ERR_INVALID (400) when the request is not a WebSocket handshake. */
enum err reply_upgrade(struct req *r, const struct ws_sub *sub);
/* Deferred replies, for work another thread finishes (store/group_commit.h):
 * the handler calls req_defer(r, finish, ctx) BEFORE it hands the work over,
 * then returns ERR_OK without replying; the connection is parked (no thread
 * waits on it). A handler that replies or fails after req_defer (the work was
 * not handed over after all) is answered as usual.
 * The other thread calls req_resume(r) once the work is done (once, and after
 * that never touches r). The HTTP layer then calls finish(r) on the request's
 * own thread, finish(r, ctx), which replies or fails exactly like a handler. */
void req_defer(struct req *r, enum err (*finish)(struct req *r, void *ctx), void *ctx);
void req_resume(struct req *r);
/* Extra response header (name and value copied into the arena). */
void req_add_header(struct req *r, const char *name, const char *value);
/* Override the route's success status (e.g. 200 for an idempotent replay of a create). */
void req_set_status(struct req *r, int status);

/* Body helpers for handlers: the parsed JSON object (never NULL in handlers of
 * ROUTE_BODY_REQUIRED routes). */
static inline json_t *req_body(struct req *r) { return r->json; }

#endif
