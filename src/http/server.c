/* libmicrohttpd glue: request intake (route, limits, body), dispatch to the
 * handler, the response, the access log, and graceful shutdown.
 *
 * libmicrohttpd calls on_request several times per request: first with no
 * upload data (we set up the context and decide routing errors), then with
 * body chunks, then once more with none (we dispatch). We never answer on the
 * first call: doing so makes libmicrohttpd close keep-alive connections. */
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/ids.h"
#include "core/log.h"
#include "http/guard.h"
#include "http/problem.h"

/* How much of a refused request body we read and drop before answering. */
#define DRAIN_LIMIT ((uint64_t)4 << 20)

struct server {
	struct MHD_Daemon *daemon;
	const struct config *cfg;
	struct auth_policy policy;
	const struct route *routes;
	size_t nroutes;
	atomic_int inflight; /* requests begun and not completed */
	struct ws_hub *hub;
};

static bool valid_request_id(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
		      c == '_' || c == '.' || c == ':'))
			return false;
	}
	return true;
}

static void client_ip(struct MHD_Connection *c, char *out, size_t n)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	snprintf(out, n, "unknown");
	if (!ci || !ci->client_addr)
		return;
	const struct sockaddr *sa = ci->client_addr;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out, (socklen_t)n);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out, (socklen_t)n);
}

/* A request as soon as its request line is read (on_uri): what is known then. */
static struct req *req_new(struct server *s, struct MHD_Connection *c, const char *target)
{
	struct arena *a = arena_new();
	if (!a)
		return NULL;
	struct req *r = arena_alloc(a, sizeof *r);
	if (!r) {
		arena_free(a);
		return NULL;
	}
	r->arena = a;
	r->cfg = s->cfg;
	r->policy = &s->policy;
	r->conn = c;
	r->srv = s;
	r->start_us = clock_mono_us();
	r->target = target ? arena_strdup(a, target) : NULL;
	buf_init(&r->body, (size_t)s->cfg->max_body);
	r->upload_fd = -1;
	client_ip(c, r->client_ip, sizeof r->client_ip);
	return r;
}

/* The first access-handler call: method, decoded path, headers. */
static bool req_begin(struct req *r, const char *url, const char *method)
{
	r->method = arena_strdup(r->arena, method);
	r->path = arena_strdup(r->arena, url);
	const char *rid = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-Request-Id");
	if (rid && valid_request_id(rid))
		snprintf(r->id, sizeof r->id, "%s", rid);
	else
		id_new(r->id);
	return r->method && r->path;
}

/* libmicrohttpd's URI log callback: the request target exactly as sent
 * (signatures such as Twilio's cover the raw query). Its result becomes the
 * request's context. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	return req_new(cls, c, uri);
}

static void req_free(struct req *r)
{
	if (!r)
		return;
	if (r->defer_state)
		pthread_mutex_destroy(&r->defer_lock);
	json_decref(r->json);
	buf_cleanup(&r->body);
	if (r->upload_fd >= 0)
		close(r->upload_fd);
	free(r->resp_data);
	if (r->resp_has_fd)
		close(r->resp_fd);
	arena_free(r->arena);
}

static bool is_json_type(const char *ct)
{
	if (!ct)
		return false;
	while (*ct == ' ')
		ct++;
	size_t n = strcspn(ct, ";");
	while (n && ct[n - 1] == ' ')
		n--;
	if (n == 16 && strncasecmp(ct, "application/json", 16) == 0)
		return true;
	return n > 17 && strncasecmp(ct, "application/", 12) == 0 && strncasecmp(ct + n - 5, "+json", 5) == 0;
}

/* First call: route, and what can be refused before reading a body. */
static void intake(struct server *s, struct req *r)
{
	char allow[128] = "";
	if (strcmp(r->method, "OPTIONS") == 0) {
		if (router_allow(s->routes, s->nroutes, r->path, allow, sizeof allow))
			guard_preflight(r, allow);
		else
			r->early_status = 404;
		r->status = 204;
		return;
	}
	enum route_result rr = router_match(s->routes, s->nroutes, r->method, r->path, &r->match, allow, sizeof allow);
	if (rr == ROUTE_NO_PATH) {
		r->early_status = 404;
		return;
	}
	if (rr == ROUTE_NO_METHOD) {
		req_add_header(r, "Allow", allow);
		r->early_status = 405;
		return;
	}
	for (int i = 0; i < r->match.nparams; i++) {
		r->params[i] = arena_strndup(r->arena, r->match.values[i], r->match.value_lens[i]);
		if (!r->params[i]) {
			r->early_status = 500;
			return;
		}
	}
	const char *cl = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Length");
	const char *te = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Transfer-Encoding");
	bool has_body = (cl && strcmp(cl, "0") != 0) || te;
	unsigned long long limit = (r->match.route->flags & ROUTE_UPLOAD) ? ROUTE_UPLOAD_MAX
									    : (unsigned long long)s->cfg->max_body;
	if (cl && strtoull(cl, NULL, 10) > limit) {
		r->early_status = 413;
		return;
	}
	unsigned fl = r->match.route->flags;
	if (has_body && (fl & ROUTE_BODY_JSON) &&
	    !is_json_type(MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Type")))
		r->early_status = 415;
	/* A large upload is spooled only for a principal who may make it. */
	if (!r->early_status && (fl & ROUTE_UPLOAD) && (r->db = db_thread()) != NULL) {
		enum err rc = guard_check(r);
		if (rc != ERR_OK)
			r->early_status = problem_status(rc);
	}
}

/* ROUTE_UPLOAD: appends a chunk to the request's temporary file (created on
 * the first one, unlinked at once). 413 past ROUTE_UPLOAD_MAX, 500 when the
 * file cannot be written. */
static int spool(struct req *r, const char *data, size_t n)
{
	if (r->upload_len + n > ROUTE_UPLOAD_MAX)
		return 413;
	if (r->upload_fd < 0) {
		const char *dir = getenv("TMPDIR");
		char path[512];
		snprintf(path, sizeof path, "%s/switchboard-upload-XXXXXX", dir && *dir ? dir : "/tmp");
		r->upload_fd = mkostemp(path, O_CLOEXEC);
		if (r->upload_fd < 0) {
			log_error("upload: cannot create a temporary file: %s", strerror(errno));
			return 500;
		}
		unlink(path);
	}
	while (n) {
		ssize_t w = write(r->upload_fd, data, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			log_error("upload: cannot write the temporary file: %s", strerror(errno));
			return 500;
		}
		data += w;
		n -= (size_t)w;
		r->upload_len += (uint64_t)w;
	}
	return 0;
}

static const char *early_detail(int status)
{
	switch (status) {
	case 404: return "no such resource";
	case 405: return "the resource does not answer to this method";
	case 413: return "the request body is larger than this server accepts";
	case 415: return "send the body as application/json";
	default: return NULL;
	}
}

/* Parses the JSON body per the route's flags. */
static enum err parse_body(struct req *r)
{
	unsigned fl = r->match.route->flags;
	if (!(fl & ROUTE_BODY_JSON))
		return ERR_OK;
	if (r->body.len == 0) {
		if (fl & ROUTE_BODY_REQUIRED)
			return err_set(&r->err, ERR_INVALID, "a JSON object body is required");
		return ERR_OK;
	}
	json_error_t je;
	r->json = json_loadb(r->body.data, r->body.len, JSON_REJECT_DUPLICATES, &je);
	if (!r->json)
		return err_set(&r->err, ERR_INVALID, "malformed JSON at line %d, column %d: %s", je.line, je.column, je.text);
	if (!json_is_object(r->json))
		return err_set(&r->err, ERR_INVALID, "the body must be a JSON object");
	return ERR_OK;
}

/* After the handler (or a deferred reply's finish): the error or the status. */
static void dispatch_end(struct req *r, enum err rc)
{
	const struct route *rt = r->match.route;
	if (rc == ERR_OK && !r->replied) {
		log_error("handler for %s %s replied nothing", rt->method, rt->pattern);
		rc = ERR_INTERNAL;
	}
	if (r->db && db_in_transaction(r->db)) {
		log_error("handler for %s %s left a transaction open", rt->method, rt->pattern);
		db_rollback(r->db);
	}
	if (rc != ERR_OK) {
		if (problem_status(rc) >= 500)
			log_error("%s %s failed: %s", r->method, rt->pattern, err_str(rc));
		problem_reply(r, rc);
		return;
	}
	if (!r->status)
		r->status = (rt->flags & ROUTE_CREATED) ? 201 : (rt->flags & ROUTE_NO_CONTENT) ? 204 : 200;
}

static void dispatch(struct req *r)
{
	r->db = db_thread();
	enum err rc = ERR_OK;
	if (!r->db)
		rc = err_set(&r->err, ERR_STORE, "the database is unavailable");
	if (rc == ERR_OK)
		rc = guard_check(r);
	if (rc == ERR_OK)
		rc = parse_body(r);
	if (rc == ERR_OK)
		rc = r->match.route->handler(r);
	if (rc == ERR_OK && r->defer_state && !r->replied)
		return; /* on_request parks the connection */
	dispatch_end(r, rc);
}

/* Deferred replies: DEFERRED (handler returned), PARKED (connection
 * suspended), DONE (req_resume called). defer_lock orders the park and the
 * resume, which may race. */
enum { DEFER_NONE, DEFER_PENDING, DEFER_PARKED, DEFER_DONE };

void req_defer(struct req *r, enum err (*finish)(struct req *r, void *ctx), void *ctx)
{
	pthread_mutex_init(&r->defer_lock, NULL);
	r->finish = finish;
	r->defer_ctx = ctx;
	r->defer_state = DEFER_PENDING;
}

void req_resume(struct req *r)
{
	pthread_mutex_lock(&r->defer_lock);
	if (r->defer_state == DEFER_PARKED)
		MHD_resume_connection(r->conn);
	r->defer_state = DEFER_DONE;
	pthread_mutex_unlock(&r->defer_lock);
}

/* True when the connection was parked; false when the work is already done. */
static bool park(struct MHD_Connection *c, struct req *r)
{
	pthread_mutex_lock(&r->defer_lock);
	bool parked = r->defer_state != DEFER_DONE;
	if (parked) {
		MHD_suspend_connection(c);
		r->defer_state = DEFER_PARKED;
	}
	pthread_mutex_unlock(&r->defer_lock);
	return parked;
}

/* The deferred work is done: the handler's finish replies. */
static void finish_deferred(struct req *r)
{
	pthread_mutex_lock(&r->defer_lock); /* req_resume has let go of r */
	pthread_mutex_unlock(&r->defer_lock);
	dispatch_end(r, r->finish(r, r->defer_ctx));
}

static void log_access(struct req *r, int toe);

static void close_fd(void *arg)
{
	close((int)(intptr_t)arg);
}

/* The 101 went out: the socket now belongs to the hub, and the request is done. */
static void on_upgraded(void *cls, struct MHD_Connection *c, void *con_cls, const char *extra, size_t extra_len,
			MHD_socket sock, struct MHD_UpgradeResponseHandle *urh)
{
	(void)c;
	(void)con_cls;
	struct req *r = cls;
	struct server *s = r->srv;
	/* The hub keeps its own descriptor and libmicrohttpd lets go of the
	 * connection at once: an upgraded connection otherwise keeps its whole
	 * memory pool (~36 KB resident) for the socket's life. MHD_USE_TURBO means
	 * libmicrohttpd closes without shutdown(), so our duplicate stays usable. */
	int fd = fcntl(sock, F_DUPFD_CLOEXEC, 0);
	if (fd >= 0)
		ws_hub_adopt(s->hub, fd, extra, extra_len, r->upgrade, close_fd, (void *)(intptr_t)fd);
	else
		log_warn("websocket: cannot take the socket over: %s", strerror(errno));
	MHD_upgrade_action(urh, MHD_UPGRADE_ACTION_CLOSE);
	log_access(r, MHD_REQUEST_TERMINATED_COMPLETED_OK);
	*r->mhd_ctx = NULL; /* the completion callback comes only when the socket closes */
	log_context_set(NULL);
	req_free(r);
	atomic_fetch_sub(&s->inflight, 1);
}

static enum MHD_Result respond_upgrade(struct MHD_Connection *c, struct req *r)
{
	struct MHD_Response *resp = MHD_create_response_for_upgrade(on_upgraded, r);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_UPGRADE, "websocket");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "Upgrade");
	MHD_add_response_header(resp, "Sec-WebSocket-Accept", r->ws_accept);
	MHD_add_response_header(resp, "X-Request-Id", r->id);
	enum MHD_Result ok = MHD_queue_response(c, MHD_HTTP_SWITCHING_PROTOCOLS, resp);
	MHD_destroy_response(resp);
	return ok;
}

static enum MHD_Result respond(struct MHD_Connection *c, struct req *r)
{
	if (r->upgrade && r->status == 101)
		return respond_upgrade(c, r);
	guard_cors_headers(r);
	struct MHD_Response *resp;
	if (r->resp_has_fd && r->status < 300) {
		resp = MHD_create_response_from_fd64(r->resp_fd_size, r->resp_fd);
		if (!resp)
			return MHD_NO;
		r->resp_has_fd = false; /* the response closes it */
		r->bytes_out = r->resp_fd_size;
	} else {
		resp = MHD_create_response_from_buffer(r->resp_len, r->resp_data, MHD_RESPMEM_MUST_FREE);
		if (!resp)
			return MHD_NO;
		r->resp_data = NULL; /* the response owns it now */
		r->bytes_out = r->resp_len;
	}
	if (r->resp_type)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->resp_type);
	MHD_add_response_header(resp, "X-Request-Id", r->id);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	for (int i = 0; i < r->nheaders; i++)
		MHD_add_response_header(resp, r->headers[i].name, r->headers[i].value);
	enum MHD_Result ok = MHD_queue_response(c, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *upload, size_t *upload_size, void **ctx)
{
	(void)version;
	struct server *s = cls;
	struct req *r = *ctx;
	if (!r || !r->method) {
		if (!r && !(r = *ctx = req_new(s, c, NULL)))
			return MHD_NO;
		if (!req_begin(r, url, method))
			return MHD_NO; /* on_completed frees r */
		r->mhd_ctx = ctx;
		atomic_fetch_add(&s->inflight, 1);
		intake(s, r);
		return MHD_YES;
	}
	if (r->replied)
		return MHD_YES; /* already answered (an early error); discard the rest */
	if (r->defer_state) { /* resumed: the deferred work is done */
		finish_deferred(r);
		r->replied = true;
		return respond(c, r);
	}
	if (*upload_size) {
		if (!r->early_status && r->match.route && (r->match.route->flags & ROUTE_UPLOAD))
			r->early_status = spool(r, upload, *upload_size);
		else if (!r->early_status && buf_append(&r->body, upload, *upload_size) != ERR_OK)
			r->early_status = 413;
		r->discarded += r->early_status ? *upload_size : 0;
		*upload_size = 0;
		/* A refused body is read and dropped up to a bound, so the client gets
		 * to read our answer instead of a reset; past the bound we cut it short. */
		if (!r->early_status || r->discarded <= DRAIN_LIMIT)
			return MHD_YES;
	}
	if (r->early_status) {
		problem_reply_status(r, r->early_status, r->err.detail[0] ? r->err.detail : early_detail(r->early_status));
	} else if (strcmp(r->method, "OPTIONS") == 0) {
		reply_none(r);
	} else {
		dispatch(r);
		if (r->defer_state && !r->replied) {
			if (park(c, r))
				return MHD_YES; /* answered when req_resume wakes the connection */
			finish_deferred(r);
		}
	}
	r->replied = true;
	return respond(c, r);
}

static void log_access(struct req *r, int toe)
{
	if (!log_access_enabled())
		return;
	struct jw w;
	jw_init(&w, 512, 4096);
	jw_obj_begin(&w);
	jw_ktime_ms(&w, "ts", clock_real_ms());
	jw_kstr(&w, "level", "info");
	jw_kstr(&w, "msg", "access");
	jw_kstr(&w, "id", r->id);
	jw_kstr(&w, "method", r->method);
	jw_kstr(&w, "route", r->match.route ? r->match.route->pattern : "-");
	jw_kint(&w, "status", r->status);
	jw_kint(&w, "bytes", (int64_t)r->bytes_out);
	jw_key(&w, "ms");
	jw_double(&w, (double)(clock_mono_us() - r->start_us) / 1000.0);
	jw_kstr(&w, "ip", r->client_ip);
	if (r->authenticated)
		jw_kstr(&w, "user", r->principal.user_id);
	if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
		jw_kint(&w, "aborted", toe);
	jw_obj_end(&w);
	if (jw_error(&w) == ERR_OK)
		log_line_raw(w.buf, w.len);
	jw_cleanup(&w);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **ctx, enum MHD_RequestTerminationCode toe)
{
	(void)c;
	struct server *s = cls;
	struct req *r = *ctx;
	if (!r)
		return;
	bool begun = r->method != NULL; /* else: gone before its headers were read */
	if (begun)
		log_access(r, toe);
	log_context_set(NULL);
	req_free(r);
	*ctx = NULL;
	if (begun)
		atomic_fetch_sub(&s->inflight, 1);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char msg[512];
	vsnprintf(msg, sizeof msg, fmt, ap);
	size_t n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = 0;
	log_warn("http: %s", msg);
}

enum err http_server_open(const struct config *cfg, const struct route *routes, size_t nroutes,
			  struct server **out, struct err_detail *d)
{
	struct server *s = calloc(1, sizeof *s);
	if (!s)
		return ERR_NOMEM;
	s->cfg = cfg;
	s->routes = routes;
	s->nroutes = nroutes;
	s->policy = (struct auth_policy){
		.session_idle_ms = cfg->session_idle_min * 60000,
		.session_max_ms = cfg->session_max_hours * 3600000,
		.login_max_failures = cfg->login_max_failures,
		.login_window_ms = cfg->login_window_sec * 1000,
	};
	unsigned threads = cfg->threads > 0 ? (unsigned)cfg->threads : (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
	if (threads < 1)
		threads = 1;

	struct sockaddr_in sin = {0};
	struct sockaddr_in6 sin6 = {0};
	struct sockaddr *sa;
	unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG | MHD_USE_TURBO |
			 MHD_ALLOW_UPGRADE | MHD_ALLOW_SUSPEND_RESUME;
	if (strchr(cfg->bind, ':')) {
		sin6.sin6_family = AF_INET6;
		sin6.sin6_port = htons((uint16_t)cfg->port);
		if (inet_pton(AF_INET6, cfg->bind, &sin6.sin6_addr) != 1)
			goto bad_bind;
		sa = (struct sockaddr *)&sin6;
		flags |= MHD_USE_IPv6;
	} else {
		sin.sin_family = AF_INET;
		sin.sin_port = htons((uint16_t)cfg->port);
		if (inet_pton(AF_INET, cfg->bind, &sin.sin_addr) != 1)
			goto bad_bind;
		sa = (struct sockaddr *)&sin;
	}
	s->daemon = MHD_start_daemon(flags, (uint16_t)cfg->port, NULL, NULL, on_request, s,
				     MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
				     MHD_OPTION_SOCK_ADDR, sa,
				     MHD_OPTION_THREAD_POOL_SIZE, threads,
				     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->conn_timeout_sec,
				     MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->conn_limit,
				     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024,
				     MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
				     MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
				     MHD_OPTION_LISTENING_ADDRESS_REUSE, 1,
				     MHD_OPTION_END);
	if (!s->daemon) {
		free(s);
		return err_set(d, ERR_IO, "cannot listen on %s:%lld (in use, or not permitted)", cfg->bind,
			       (long long)cfg->port);
	}
	enum err rc = ws_hub_start(cfg, &s->hub, d);
	if (rc != ERR_OK) {
		MHD_stop_daemon(s->daemon);
		free(s);
		return rc;
	}
	*out = s;
	return ERR_OK;
bad_bind:
	free(s);
	return err_set(d, ERR_INVALID, "bind: '%s' is not an IP address", cfg->bind);
}

int http_server_port(const struct server *s)
{
	const union MHD_DaemonInfo *i = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	return i ? i->port : -1;
}

void http_server_close(struct server *s, int64_t grace_ms)
{
	if (!s)
		return;
	MHD_socket fd = MHD_quiesce_daemon(s->daemon);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	int64_t deadline = clock_mono_us() + grace_ms * 1000;
	while (atomic_load(&s->inflight) > 0 && clock_mono_us() < deadline) {
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	int left = atomic_load(&s->inflight);
	if (left > 0)
		log_warn("shutdown: %d requests still running after the grace period", left);
	ws_hub_stop(s->hub); /* closes every WebSocket (1001) before the daemon goes */
	MHD_stop_daemon(s->daemon);
	free(s);
}
