/* JSON field readers. jansson has already validated UTF-8 on parse. */
#include "api/input.h"

#include <stdio.h>
#include <string.h>

#include "core/clock.h"

static bool absent(struct req *r, json_t *v, const char *key, bool required)
{
	if (v && !json_is_null(v))
		return false;
	if (required)
		err_field_add(&r->err, key, "is required");
	return true;
}

bool input_str(struct req *r, json_t *obj, const char *key, bool required, size_t max, const char **out)
{
	json_t *v = obj ? json_object_get(obj, key) : NULL;
	if (absent(r, v, key, required))
		return false;
	if (!json_is_string(v)) {
		err_field_add(&r->err, key, "must be a string");
		return false;
	}
	size_t n = json_string_length(v);
	const char *s = json_string_value(v);
	if (memchr(s, 0, n)) {
		err_field_add(&r->err, key, "must not contain NUL characters");
		return false;
	}
	if (n == 0 && required) {
		err_field_add(&r->err, key, "must not be empty");
		return false;
	}
	if (n > max) {
		err_field_add(&r->err, key, "must be at most %zu bytes", max);
		return false;
	}
	*out = arena_strndup(r->arena, s, n);
	return *out != NULL;
}

bool input_int(struct req *r, json_t *obj, const char *key, bool required, int64_t min, int64_t max, int64_t *out)
{
	json_t *v = obj ? json_object_get(obj, key) : NULL;
	if (absent(r, v, key, required))
		return false;
	if (!json_is_integer(v)) {
		err_field_add(&r->err, key, "must be a whole number");
		return false;
	}
	json_int_t n = json_integer_value(v);
	if (n < min || n > max) {
		err_field_add(&r->err, key, "must be between %lld and %lld", (long long)min, (long long)max);
		return false;
	}
	*out = n;
	return true;
}

bool input_bool(struct req *r, json_t *obj, const char *key, bool required, bool *out)
{
	json_t *v = obj ? json_object_get(obj, key) : NULL;
	if (absent(r, v, key, required))
		return false;
	if (!json_is_boolean(v)) {
		err_field_add(&r->err, key, "must be true or false");
		return false;
	}
	*out = json_is_true(v);
	return true;
}

bool input_time(struct req *r, json_t *obj, const char *key, bool required, int64_t *out)
{
	json_t *v = obj ? json_object_get(obj, key) : NULL;
	if (absent(r, v, key, required))
		return false;
	if (!json_is_string(v) || !clock_parse_rfc3339(json_string_value(v), out)) {
		err_field_add(&r->err, key, "must be an RFC 3339 date-time such as 2026-01-31T09:30:00Z");
		return false;
	}
	return true;
}

bool input_enum(struct req *r, json_t *obj, const char *key, bool required, const char *const *words, int *out)
{
	json_t *v = obj ? json_object_get(obj, key) : NULL;
	if (absent(r, v, key, required))
		return false;
	if (json_is_string(v)) {
		for (int i = 0; words[i]; i++) {
			if (strcmp(words[i], json_string_value(v)) == 0) {
				*out = i;
				return true;
			}
		}
	}
	char list[256] = "";
	size_t used = 0;
	for (int i = 0; words[i] && used < sizeof list - 1; i++) {
		int w = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", words[i]);
		if (w < 0)
			break;
		used += (size_t)w;
	}
	err_field_add(&r->err, key, "must be one of: %s", list);
	return false;
}

enum err input_result(struct req *r)
{
	return r->err.nfields > 0 ? ERR_INVALID : ERR_OK;
}

void input_known_keys(struct req *r, json_t *obj, const char *const *keys)
{
	const char *k;
	json_t *v;
	json_object_foreach(obj, k, v) {
		bool known = false;
		for (int i = 0; keys[i] && !known; i++)
			known = strcmp(keys[i], k) == 0;
		if (!known)
			err_field_add(&r->err, k, "is not a known field");
	}
}
