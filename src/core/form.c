/* Form bodies. */
#include "core/form.h"

#include <stdbool.h>
#include <string.h>

static int hexval(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

static bool utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		size_t k;
		if (c < 0x80)
			k = 0;
		else if ((c & 0xe0) == 0xc0 && c >= 0xc2)
			k = 1;
		else if ((c & 0xf0) == 0xe0)
			k = 2;
		else if ((c & 0xf8) == 0xf0 && c <= 0xf4)
			k = 3;
		else
			return false;
		if (i + k >= n)
			return false;
		for (size_t j = 1; j <= k; j++)
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
		i += k + 1;
	}
	return true;
}

/* Decodes [s, s+n) into arena memory; NULL on a bad escape, a NUL or invalid
 * UTF-8. lenient: never NULL for those (only when out of memory): a bad
 * escape, or one decoding to NUL, stays as written and invalid UTF-8 is kept;
 * *clean is cleared when that happened. */
static char *decode(struct arena *a, const char *s, size_t n, bool lenient, bool *clean)
{
	char *out = arena_alloc(a, n + 1), *o = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '+') {
			*o++ = ' ';
		} else if (s[i] == '%') {
			int h = -1, l = -1;
			if (i + 2 < n) {
				h = hexval(s[i + 1]);
				l = hexval(s[i + 2]);
			}
			if (h < 0 || l < 0 || h * 16 + l == 0) {
				if (!lenient)
					return NULL;
				*clean = false;
				*o++ = '%';
				continue;
			}
			*o++ = (char)(h * 16 + l);
			i += 2;
		} else if (s[i] == 0) {
			if (!lenient)
				return NULL;
			*clean = false; /* a raw NUL cannot be a C string's byte: dropped */
		} else {
			*o++ = s[i];
		}
	}
	*o = 0;
	if (!utf8_valid((const unsigned char *)out, (size_t)(o - out))) {
		if (!lenient)
			return NULL;
		*clean = false;
	}
	return out;
}

static enum err parse(struct arena *a, const char *body, size_t len, struct form *f, bool lenient, bool *clean)
{
	int cap = 1;
	for (size_t i = 0; i < len; i++)
		cap += body[i] == '&';
	f->v = NULL;
	f->n = 0;
	if (cap > FORM_MAX_PARAMS)
		return ERR_INVALID;
	f->v = arena_alloc(a, sizeof *f->v * (size_t)cap);
	if (!f->v)
		return ERR_NOMEM;
	size_t i = 0;
	while (i < len) {
		size_t end = i;
		while (end < len && body[end] != '&')
			end++;
		if (end > i) {
			const char *eq = memchr(body + i, '=', end - i);
			size_t klen = eq ? (size_t)(eq - (body + i)) : end - i;
			char *k = decode(a, body + i, klen, lenient, clean);
			char *v = k ? (eq ? decode(a, eq + 1, (size_t)(body + end - eq - 1), lenient, clean)
					  : arena_strdup(a, "")) : NULL;
			if (!k || !v)
				return lenient ? ERR_NOMEM : ERR_INVALID;
			f->v[f->n].key = k;
			f->v[f->n].value = v;
			f->n++;
		}
		i = end + 1;
	}
	return ERR_OK;
}

enum err form_parse(struct arena *a, const char *body, size_t len, struct form *f)
{
	bool clean = true;
	return parse(a, body, len, f, false, &clean);
}

enum err form_parse_raw(struct arena *a, const char *body, size_t len, struct form *f, bool *clean)
{
	*clean = true;
	return parse(a, body, len, f, true, clean);
}

const char *form_get(const struct form *f, const char *key)
{
	for (int i = 0; i < f->n; i++)
		if (strcmp(f->v[i].key, key) == 0)
			return f->v[i].value;
	return NULL;
}

static enum err encode(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char tmp[3];
		enum err rc;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~') {
			rc = buf_append(b, s, 1);
		} else {
			tmp[0] = '%';
			tmp[1] = hex[c >> 4];
			tmp[2] = hex[c & 15];
			rc = buf_append(b, tmp, 3);
		}
		if (rc != ERR_OK)
			return rc;
	}
	return ERR_OK;
}

enum err form_append(struct buf *b, const char *key, const char *value)
{
	enum err rc = ERR_OK;
	if (b->len)
		rc = buf_append(b, "&", 1);
	if (rc == ERR_OK)
		rc = encode(b, key);
	if (rc == ERR_OK)
		rc = buf_append(b, "=", 1);
	if (rc == ERR_OK)
		rc = encode(b, value ? value : "");
	return rc;
}
