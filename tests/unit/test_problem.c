/* problem+json: status mapping, body fields, hidden internals, headers. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/problem.h"

static struct req *new_req(void)
{
	struct arena *a = arena_new();
	struct req *r = arena_alloc(a, sizeof *r);
	r->arena = a;
	r->path = "/api/calls";
	snprintf(r->id, sizeof r->id, "req-1");
	return r;
}

static void free_req(struct req *r)
{
	free(r->resp_data);
	arena_free(r->arena);
}

static json_t *body(struct req *r)
{
	json_error_t e;
	json_t *j = json_loadb(r->resp_data, r->resp_len, 0, &e);
	assert_non_null(j);
	return j;
}

static const char *header(struct req *r, const char *name)
{
	for (int i = 0; i < r->nheaders; i++)
		if (!strcmp(r->headers[i].name, name))
			return r->headers[i].value;
	return NULL;
}

static void test_status_mapping(void **state)
{
	(void)state;
	assert_int_equal(problem_status(ERR_INVALID), 400);
	assert_int_equal(problem_status(ERR_UNAUTHORIZED), 401);
	assert_int_equal(problem_status(ERR_FORBIDDEN), 403);
	assert_int_equal(problem_status(ERR_NOT_FOUND), 404);
	assert_int_equal(problem_status(ERR_CONFLICT), 409);
	assert_int_equal(problem_status(ERR_TOO_LARGE), 413);
	assert_int_equal(problem_status(ERR_UNSUPPORTED), 415);
	assert_int_equal(problem_status(ERR_LIMITED), 429);
	assert_int_equal(problem_status(ERR_UPSTREAM), 502);
	assert_int_equal(problem_status(ERR_STORE), 503);
	assert_int_equal(problem_status(ERR_NOMEM), 500);
	assert_int_equal(problem_status(ERR_INTERNAL), 500);
}

static void test_validation_body(void **state)
{
	(void)state;
	struct req *r = new_req();
	err_field_add(&r->err, "intent", "must be one of: a, b");
	err_field_add(&r->err, "limit", "must be 1 to 100");
	problem_reply(r, ERR_INVALID);
	assert_int_equal(r->status, 400);
	assert_string_equal(r->resp_type, "application/problem+json");
	json_t *j = body(r);
	assert_string_equal(json_string_value(json_object_get(j, "type")), "urn:switchboard:problem:invalid-request");
	assert_string_equal(json_string_value(json_object_get(j, "title")), "Bad Request");
	assert_int_equal(json_integer_value(json_object_get(j, "status")), 400);
	assert_string_equal(json_string_value(json_object_get(j, "detail")), "intent: must be one of: a, b");
	assert_string_equal(json_string_value(json_object_get(j, "instance")), "/api/calls");
	assert_string_equal(json_string_value(json_object_get(j, "requestId")), "req-1");
	json_t *errs = json_object_get(j, "errors");
	assert_int_equal(json_array_size(errs), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(errs, 1), "field")), "limit");
	json_decref(j);
	free_req(r);
}

static void test_internal_detail_hidden(void **state)
{
	(void)state;
	struct req *r = new_req();
	err_set(&r->err, ERR_INTERNAL, "SELECT secret FROM table failed at src/x.c:12");
	problem_reply(r, ERR_INTERNAL);
	json_t *j = body(r);
	assert_int_equal(r->status, 500);
	assert_null(strstr(json_string_value(json_object_get(j, "detail")), "SELECT"));
	assert_null(json_object_get(j, "errors"));
	json_decref(j);
	free_req(r);
}

static void test_auth_and_limit_headers(void **state)
{
	(void)state;
	struct req *r = new_req();
	problem_reply(r, ERR_UNAUTHORIZED);
	assert_non_null(header(r, "WWW-Authenticate"));
	free_req(r);
	r = new_req();
	r->err.retry_after = 42;
	problem_reply(r, ERR_LIMITED);
	assert_int_equal(r->status, 429);
	assert_string_equal(header(r, "Retry-After"), "42");
	free_req(r);
	r = new_req();
	problem_reply(r, ERR_STORE);
	assert_int_equal(r->status, 503);
	assert_non_null(header(r, "Retry-After"));
	free_req(r);
}

static void test_escaping_and_replacement(void **state)
{
	(void)state;
	struct req *r = new_req();
	problem_reply_status(r, 404, "no call \"x\"\n\xff");
	problem_reply_status(r, 405, NULL); /* replaces the first reply, no leak */
	json_t *j = body(r);
	assert_int_equal(json_integer_value(json_object_get(j, "status")), 405);
	assert_string_equal(json_string_value(json_object_get(j, "detail")), "Method Not Allowed");
	json_decref(j);
	free_req(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_mapping),
		cmocka_unit_test(test_validation_body),
		cmocka_unit_test(test_internal_detail_hidden),
		cmocka_unit_test(test_auth_and_limit_headers),
		cmocka_unit_test(test_escaping_and_replacement),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
