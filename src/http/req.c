/* Request accessors and reply functions. */
#include "http/req.h"

#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <strings.h>

const char *req_param(struct req *r, const char *name)
{
	size_t n = strlen(name);
	for (int i = 0; i < r->match.nparams; i++)
		if (r->match.name_lens[i] == n && strncmp(r->match.names[i], name, n) == 0)
			return r->params[i];
	return NULL;
}

const char *req_query(struct req *r, const char *key)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

struct collect {
	const char *key;
	const char **vals;
	int max, count;
};

static enum MHD_Result collect_one(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	struct collect *c = cls;
	if (strcmp(key, c->key) == 0) {
		if (c->count < c->max)
			c->vals[c->count] = value ? value : "";
		c->count++;
	}
	return MHD_YES;
}

int req_query_all(struct req *r, const char *key, const char **vals, int max)
{
	struct collect c = {key, vals, max, 0};
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, collect_one, &c);
	return c.count;
}

struct each {
	bool (*fn)(void *ctx, const char *key, const char *value);
	void *ctx;
};

static enum MHD_Result each_one(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	struct each *e = cls;
	return e->fn(e->ctx, key, value ? value : "") ? MHD_YES : MHD_NO;
}

void req_query_each(struct req *r, bool (*fn)(void *ctx, const char *key, const char *value), void *ctx)
{
	struct each e = {fn, ctx};
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, each_one, &e);
}

const char *req_header(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

static enum err set_reply(struct req *r, const char *type, char *data, size_t len)
{
	free(r->resp_data);
	r->resp_data = data;
	r->resp_len = len;
	r->resp_type = type;
	r->replied = true;
	return ERR_OK;
}

enum err reply_fd(struct req *r, const char *type, int fd, uint64_t size)
{
	set_reply(r, type, NULL, 0);
	if (r->resp_has_fd)
		close(r->resp_fd);
	r->resp_has_fd = true;
	r->resp_fd = fd;
	r->resp_fd_size = size;
	return ERR_OK;
}

enum err reply_json(struct req *r, json_t *body)
{
	char *s = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	if (!s)
		return ERR_NOMEM;
	return set_reply(r, "application/json", s, strlen(s));
}

enum err reply_jw(struct req *r, struct jw *w)
{
	enum err e = jw_error(w);
	if (e != ERR_OK) {
		jw_cleanup(w);
		return e;
	}
	size_t len = 0;
	char *s = jw_steal(w, &len);
	jw_cleanup(w);
	if (!s)
		return ERR_NOMEM;
	return set_reply(r, "application/json", s, len);
}

enum err reply_bytes(struct req *r, const char *type, char *data, size_t len)
{
	return set_reply(r, type, data, len);
}

enum err reply_static(struct req *r, const char *type, const char *data, size_t len)
{
	char *copy = malloc(len ? len : 1);
	if (!copy)
		return ERR_NOMEM;
	memcpy(copy, data, len);
	return set_reply(r, type, copy, len);
}

enum err reply_none(struct req *r)
{
	return set_reply(r, NULL, NULL, 0);
}

static bool header_has(struct req *r, const char *name, const char *token)
{
	const char *v = req_header(r, name);
	if (!v)
		return false;
	size_t n = strlen(token);
	for (const char *p = v; *p; p++)
		if (strncasecmp(p, token, n) == 0)
			return true;
	return false;
}

enum err reply_upgrade(struct req *r, const struct ws_sub *sub)
{
	const char *key = req_header(r, "Sec-WebSocket-Key");
	const char *version = req_header(r, "Sec-WebSocket-Version");
	if (!header_has(r, "Upgrade", "websocket") || !header_has(r, "Connection", "upgrade") || !key)
		return err_set(&r->err, ERR_INVALID, "this is a WebSocket endpoint: send an Upgrade: websocket handshake");
	if (!version || strcmp(version, "13") != 0) {
		req_add_header(r, "Sec-WebSocket-Version", "13");
		return err_set(&r->err, ERR_INVALID, "only WebSocket version 13 is supported");
	}
	if (!ws_accept_key(key, r->ws_accept))
		return err_set(&r->err, ERR_INVALID, "bad Sec-WebSocket-Key");
	r->upgrade = arena_alloc(r->arena, sizeof *r->upgrade);
	if (!r->upgrade)
		return ERR_NOMEM;
	*r->upgrade = *sub;
	r->status = 101;
	r->replied = true;
	return ERR_OK;
}

void req_add_header(struct req *r, const char *name, const char *value)
{
	if (r->nheaders >= REQ_MAX_HEADERS)
		return;
	const char *n = arena_strdup(r->arena, name), *v = arena_strdup(r->arena, value);
	if (!n || !v)
		return;
	r->headers[r->nheaders].name = n;
	r->headers[r->nheaders].value = v;
	r->nheaders++;
}

void req_set_status(struct req *r, int status)
{
	r->status = status;
}
