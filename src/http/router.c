/* Segment-by-segment matching. Tables are small (tens of routes), so a linear
 * scan costs less than a request's first syscall. */
#include "http/router.h"

#include <string.h>

/* Matches one pattern against path; fills m's params on success. */
static bool match_path(const char *pat, const char *path, struct route_match *m)
{
	m->nparams = 0;
	while (*pat && *path) {
		if (*pat != '/' || *path != '/')
			return false;
		pat++;
		path++;
		const char *pe = strchr(pat, '/'), *se = strchr(path, '/');
		size_t pl = pe ? (size_t)(pe - pat) : strlen(pat);
		size_t sl = se ? (size_t)(se - path) : strlen(path);
		if (pl && pat[0] == ':') {
			if (sl == 0 || m->nparams >= ROUTE_MAX_PARAMS)
				return false;
			m->names[m->nparams] = pat + 1;
			m->name_lens[m->nparams] = pl - 1;
			m->values[m->nparams] = path;
			m->value_lens[m->nparams] = sl;
			m->nparams++;
		} else if (pl != sl || strncmp(pat, path, pl) != 0) {
			return false;
		}
		pat += pl;
		path += sl;
	}
	return *pat == 0 && *path == 0;
}

static void allow_add(char *allow, size_t n, const char *method)
{
	if (!allow || n == 0)
		return;
	size_t len = strlen(allow);
	if (strstr(allow, method))
		return;
	size_t ml = strlen(method);
	if (len + ml + 3 > n)
		return;
	if (len) {
		memcpy(allow + len, ", ", 2);
		len += 2;
	}
	memcpy(allow + len, method, ml + 1);
}

bool router_allow(const struct route *table, size_t count, const char *path, char *allow, size_t n)
{
	struct route_match m;
	bool any = false;
	if (allow && n)
		allow[0] = 0;
	for (size_t i = 0; i < count; i++) {
		if (!match_path(table[i].pattern, path, &m))
			continue;
		any = true;
		allow_add(allow, n, table[i].method);
		if (strcmp(table[i].method, "GET") == 0)
			allow_add(allow, n, "HEAD");
	}
	if (any)
		allow_add(allow, n, "OPTIONS");
	return any;
}

enum route_result router_match(const struct route *table, size_t count, const char *method, const char *path,
			       struct route_match *m, char *allow, size_t n)
{
	const char *want = strcmp(method, "HEAD") == 0 ? "GET" : method;
	struct route_match tmp;
	bool found = false;
	/* A literal segment beats a parameter: "/api/calls/views" before "/api/calls/:id". */
	for (size_t i = 0; i < count; i++) {
		if (strcmp(table[i].method, want) != 0 || !match_path(table[i].pattern, path, &tmp))
			continue;
		if (found && tmp.nparams >= m->nparams)
			continue;
		*m = tmp;
		m->route = &table[i];
		found = true;
	}
	if (found)
		return ROUTE_FOUND;
	return router_allow(table, count, path, allow, n) ? ROUTE_NO_METHOD : ROUTE_NO_PATH;
}
