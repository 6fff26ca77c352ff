/* The HTTP server: a libmicrohttpd daemon (thread pool + epoll, keep-alive)
 * that turns each request into a struct req, runs its route's handler and
 * writes one access-log line when it completes. */
#ifndef SB_HTTP_SERVER_H
#define SB_HTTP_SERVER_H

#include <stddef.h>

#include "core/config.h"
#include "core/err.h"
#include "http/router.h"

struct server;

/* Starts listening on cfg's bind address and port. cfg and routes are borrowed
 * and must outlive the server. Caller owns *out (http_server_close). */
enum err http_server_open(const struct config *cfg, const struct route *routes, size_t nroutes,
			  struct server **out, struct err_detail *d);
/* The port actually bound (useful with port 0). */
int http_server_port(const struct server *s);
/* Graceful stop: stop accepting, let in-flight requests finish (up to grace_ms),
 * then close every connection and free the server. NULL is fine. */
void http_server_close(struct server *s, int64_t grace_ms);

#endif
