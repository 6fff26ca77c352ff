/* Problem documents. type is a stable URN per kind; title is the status's phrase. */
#include "http/problem.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/jw.h"

struct kind {
	int status;
	const char *type;
	const char *title;
};

static const struct kind kinds[] = {
	{400, "urn:switchboard:problem:invalid-request", "Bad Request"},
	{401, "urn:switchboard:problem:unauthenticated", "Unauthorized"},
	{403, "urn:switchboard:problem:forbidden", "Forbidden"},
	{404, "urn:switchboard:problem:not-found", "Not Found"},
	{405, "urn:switchboard:problem:method-not-allowed", "Method Not Allowed"},
	{409, "urn:switchboard:problem:conflict", "Conflict"},
	{413, "urn:switchboard:problem:too-large", "Content Too Large"},
	{415, "urn:switchboard:problem:unsupported-media-type", "Unsupported Media Type"},
	{422, "urn:switchboard:problem:unprocessable", "Unprocessable Content"},
	{429, "urn:switchboard:problem:rate-limited", "Too Many Requests"},
	{500, "urn:switchboard:problem:internal", "Internal Server Error"},
	{502, "urn:switchboard:problem:upstream", "Bad Gateway"},
	{503, "urn:switchboard:problem:unavailable", "Service Unavailable"},
};

int problem_status(enum err e)
{
	switch (e) {
	case ERR_OK: return 200;
	case ERR_INVALID: return 400;
	case ERR_UNAUTHORIZED: return 401;
	case ERR_FORBIDDEN: return 403;
	case ERR_NOT_FOUND: return 404;
	case ERR_CONFLICT: return 409;
	case ERR_TOO_LARGE: return 413;
	case ERR_UNSUPPORTED: return 415;
	case ERR_LIMITED: return 429;
	case ERR_UPSTREAM: return 502;
	case ERR_STORE: return 503;
	default: return 500;
	}
}

static const struct kind *kind_of(int status)
{
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (kinds[i].status == status)
			return &kinds[i];
	return &kinds[10];
}

void problem_reply_status(struct req *r, int status, const char *detail)
{
	const struct kind *k = kind_of(status);
	struct jw w;
	jw_init(&w, 512, 64 * 1024);
	jw_obj_begin(&w);
	jw_kstr(&w, "type", k->type);
	jw_kstr(&w, "title", k->title);
	jw_kint(&w, "status", status);
	jw_kstr(&w, "detail", detail && *detail ? detail : k->title);
	jw_kstr(&w, "instance", r->path);
	jw_kstr(&w, "requestId", r->id);
	if (r->err.nfields > 0) {
		jw_key(&w, "errors");
		jw_arr_begin(&w);
		for (int i = 0; i < r->err.nfields; i++) {
			jw_obj_begin(&w);
			jw_kstr(&w, "field", r->err.fields[i].field);
			jw_kstr(&w, "message", r->err.fields[i].message);
			jw_obj_end(&w);
		}
		jw_arr_end(&w);
	}
	jw_obj_end(&w);
	free(r->resp_data);
	size_t len = 0;
	r->resp_data = jw_steal(&w, &len);
	r->resp_len = r->resp_data ? len : 0;
	jw_cleanup(&w);
	r->resp_type = "application/problem+json";
	r->status = status;
	r->replied = true;
	if (status == 401)
		req_add_header(r, "WWW-Authenticate", "Bearer realm=\"switchboard\"");
	if (status == 429 || status == 503) {
		char ra[16];
		snprintf(ra, sizeof ra, "%d", r->err.retry_after > 0 ? r->err.retry_after : 1);
		req_add_header(r, "Retry-After", ra);
	}
}

void problem_reply(struct req *r, enum err e)
{
	int status = problem_status(e);
	const char *detail = r->err.detail;
	if (status >= 500 && e != ERR_STORE && e != ERR_UPSTREAM)
		detail = "the server could not complete the request"; /* never leak internals */
	if (e == ERR_STORE && !r->err.retry_after)
		r->err.retry_after = 1;
	problem_reply_status(r, status, detail);
}
