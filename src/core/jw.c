/* Streaming JSON writer (see jw.h). Owns: the bounded buffer growth policy,
 * the string escaper and UTF-8 repair, integer/double/time formatting, and the
 * comma/key bookkeeping that keeps the output one valid JSON document. */
#include "core/jw.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIN_CAP 64
/* 9999-12-31T23:59:59.999Z: the last instant with a four-digit year. */
#define TIME_MAX_MS INT64_C(253402300799999)
#define MS_PER_DAY INT64_C(86400000)

static const char digits2[201] =
	"0001020304050607080910111213141516171819"
	"2021222324252627282930313233343536373839"
	"4041424344454647484950515253545556575859"
	"6061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* Byte classes for strings: 0 copied as is, 1 escaped, 2 start of (or stray)
 * non-ASCII byte that needs UTF-8 validation. */
static const unsigned char cls[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* '"' */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, /* '\\' */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

static bool fail(struct jw *w, enum err e)
{
	if (w->err == ERR_OK)
		w->err = e;
	return false;
}

/* Slow path of reserve(): grows the buffer so n more bytes plus a NUL fit. */
static bool grow(struct jw *w, size_t n)
{
	size_t need, ncap;
	char *p;

	if (w->err != ERR_OK)
		return false;
	if (w->len > w->max || n > w->max - w->len)
		return fail(w, ERR_TOO_LARGE);
	need = w->len + n + 1; /* max <= SIZE_MAX / 2: cannot overflow */
	ncap = w->cap < MIN_CAP ? MIN_CAP : w->cap;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
	if (ncap > w->max + 1)
		ncap = w->max + 1;
	p = realloc(w->buf, ncap);
	if (p == NULL)
		return fail(w, ERR_NOMEM);
	w->buf = p;
	w->cap = ncap;
	return true;
}

/* Makes room for n bytes (and the NUL kept after them). While buf is NULL,
 * cap only holds the size wanted for the first allocation, hence the check.
 * cap never exceeds max + 1, so the fast path also enforces max. */
static inline bool reserve(struct jw *w, size_t n)
{
	if (w->buf != NULL && w->cap - w->len > n)
		return true;
	return grow(w, n);
}

static inline bool put(struct jw *w, const void *p, size_t n)
{
	if (!reserve(w, n))
		return false;
	memcpy(w->buf + w->len, p, n);
	w->len += n;
	return true;
}

static inline bool put_c(struct jw *w, char c)
{
	if (!reserve(w, 1))
		return false;
	w->buf[w->len++] = c;
	return true;
}

/* Bookkeeping before any value: enforces key/value order, writes the comma. */
static bool value_begin(struct jw *w)
{
	uint64_t bit;

	if (w->err != ERR_OK)
		return false;
	if (w->depth == 0)
		return w->len == 0 ? true : fail(w, ERR_INVALID);
	bit = UINT64_C(1) << (w->depth - 1);
	if (w->obj & bit) {
		if (!w->after_key)
			return fail(w, ERR_INVALID);
		w->after_key = false;
		return true;
	}
	if (w->first & bit) {
		w->first &= ~bit;
		return true;
	}
	return put_c(w, ',');
}

void jw_init(struct jw *w, size_t initial_cap, size_t max)
{
	memset(w, 0, sizeof *w);
	if (max > SIZE_MAX / 2)
		max = SIZE_MAX / 2;
	w->max = max;
	w->cap = initial_cap > max + 1 ? max + 1 : initial_cap;
}

void jw_cleanup(struct jw *w)
{
	if (w == NULL)
		return;
	free(w->buf);
	memset(w, 0, sizeof *w);
}

void jw_reset(struct jw *w)
{
	w->len = 0;
	w->err = ERR_OK;
	w->depth = 0;
	w->first = 0;
	w->obj = 0;
	w->after_key = false;
}

char *jw_steal(struct jw *w, size_t *len)
{
	char *p;

	if (w->err != ERR_OK)
		return NULL;
	if (w->depth != 0 || w->len == 0) {
		fail(w, ERR_INVALID);
		return NULL;
	}
	p = w->buf;
	p[w->len] = '\0'; /* reserve() always leaves room for it */
	if (len != NULL)
		*len = w->len;
	/* The next document likely has a similar size: keep cap as the hint. */
	w->buf = NULL;
	jw_reset(w);
	return p;
}

static void container_begin(struct jw *w, char c, bool is_obj)
{
	uint64_t bit;

	if (w->err != ERR_OK)
		return;
	if (w->depth >= JW_MAX_DEPTH) {
		fail(w, ERR_INVALID);
		return;
	}
	if (!value_begin(w) || !put_c(w, c))
		return;
	w->depth++;
	bit = UINT64_C(1) << (w->depth - 1);
	w->first |= bit;
	if (is_obj)
		w->obj |= bit;
	else
		w->obj &= ~bit;
}

static void container_end(struct jw *w, char c, bool is_obj)
{
	uint64_t bit;

	if (w->err != ERR_OK)
		return;
	if (w->depth == 0) {
		fail(w, ERR_INVALID);
		return;
	}
	bit = UINT64_C(1) << (w->depth - 1);
	if (((w->obj & bit) != 0) != is_obj || w->after_key) {
		fail(w, ERR_INVALID);
		return;
	}
	if (!put_c(w, c))
		return;
	w->first &= ~bit;
	w->obj &= ~bit;
	w->depth--;
}

void jw_obj_begin(struct jw *w)
{
	container_begin(w, '{', true);
}

void jw_obj_end(struct jw *w)
{
	container_end(w, '}', true);
}

void jw_arr_begin(struct jw *w)
{
	container_begin(w, '[', false);
}

void jw_arr_end(struct jw *w)
{
	container_end(w, ']', false);
}

/* Nonzero if any of the 8 bytes in x is < 0x20, '"', '\\' or >= 0x80: the
 * classic "has a byte less than n / has a zero byte" bit tricks, which are
 * exact as a yes/no answer. */
static inline uint64_t unsafe8(uint64_t x)
{
	const uint64_t ones = UINT64_C(0x0101010101010101);
	const uint64_t high = UINT64_C(0x8080808080808080);
	uint64_t q = x ^ (ones * '"');
	uint64_t b = x ^ (ones * '\\');

	return (((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((b - ones) & ~b) | x) & high;
}

/* Length (2..4) of the valid UTF-8 sequence at s, or 0 with *bad set to the
 * number of bytes (>= 1) to replace by one U+FFFD: the maximal prefix of a
 * well-formed sequence, as Unicode and WHATWG recommend. Follows Unicode's
 * table of well-formed byte sequences, so overlong forms, surrogates and code
 * points past U+10FFFF are rejected. */
static size_t utf8_seq(const unsigned char *s, size_t n, size_t *bad)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xBF;
	size_t need, k;

	if (c >= 0xC2 && c <= 0xDF) {
		need = 2;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else {
		*bad = 1;
		return 0;
	}
	if (n < 2 || s[1] < lo || s[1] > hi) {
		*bad = 1;
		return 0;
	}
	for (k = 2; k < need; k++) {
		if (k >= n || (s[k] & 0xC0) != 0x80) {
			*bad = k;
			return 0;
		}
	}
	return need;
}

/* Writes the escape for one class-1 byte. */
static bool put_escape(struct jw *w, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};

	switch (c) {
	case '"':  return put(w, "\\\"", 2);
	case '\\': return put(w, "\\\\", 2);
	case '\b': return put(w, "\\b", 2);
	case '\f': return put(w, "\\f", 2);
	case '\n': return put(w, "\\n", 2);
	case '\r': return put(w, "\\r", 2);
	case '\t': return put(w, "\\t", 2);
	default:   return put(w, e, sizeof e);
	}
}

/* Length of the leading run of s that is plain ASCII needing no escape,
 * scanned 8 bytes at a time. */
static inline size_t ascii_run(const unsigned char *s, size_t n)
{
	size_t i = 0;
	uint64_t x;

	while (n - i >= 8) {
		memcpy(&x, s + i, 8);
		if (unsafe8(x))
			break;
		i += 8;
	}
	while (i < n && cls[s[i]] == 0)
		i++;
	return i;
}

/* put_string() once s[i] needs attention. Runs of bytes that need no change
 * (ASCII and valid UTF-8 other than U+2028/U+2029) are still copied with one
 * memcpy each. */
static void put_string_slow(struct jw *w, const unsigned char *s, size_t n, size_t i)
{
	size_t run = 0, k, bad = 1;

	if (!put_c(w, '"'))
		return;
	while (i < n) {
		i += ascii_run(s + i, n - i);
		if (i == n)
			break;
		k = 0;
		if (cls[s[i]] == 2) {
			k = utf8_seq(s + i, n - i, &bad);
			/* U+2028/U+2029 end statements in pre-ES2019 JavaScript. */
			if (k != 0 && !(k == 3 && s[i] == 0xE2 && s[i + 1] == 0x80 &&
					(s[i + 2] == 0xA8 || s[i + 2] == 0xA9))) {
				i += k;
				continue;
			}
		}
		if (i > run && !put(w, s + run, i - run))
			return;
		if (cls[s[i]] == 1) {
			if (!put_escape(w, s[i]))
				return;
			i++;
		} else if (k != 0) {
			if (!put(w, s[i + 2] == 0xA8 ? "\\u2028" : "\\u2029", 6))
				return;
			i += 3;
		} else {
			if (!put(w, "\xEF\xBF\xBD", 3))
				return;
			i += bad;
		}
		run = i;
	}
	if (i > run && !put(w, s + run, i - run))
		return;
	put_c(w, '"');
}

/* Writes s as a quoted JSON string, then `tail` if it is not NUL (the ':'
 * after a key). Plain ASCII, the common case, costs one scan and one copy. */
static void put_string(struct jw *w, const unsigned char *s, size_t n, char tail)
{
	size_t i = ascii_run(s, n), t = tail != '\0';
	char *p;

	if (i < n) {
		put_string_slow(w, s, n, i);
		if (t)
			put_c(w, tail);
		return;
	}
	if (!reserve(w, n + 2 + t))
		return;
	p = w->buf + w->len;
	p[0] = '"';
	memcpy(p + 1, s, n);
	p[n + 1] = '"';
	p[n + 2] = tail; /* a NUL tail lands in the spare byte reserve() keeps */
	w->len += n + 2 + t;
}

void jw_key(struct jw *w, const char *key)
{
	uint64_t bit;

	if (w->err != ERR_OK)
		return;
	if (w->depth == 0 || key == NULL || w->after_key) {
		fail(w, ERR_INVALID);
		return;
	}
	bit = UINT64_C(1) << (w->depth - 1);
	if ((w->obj & bit) == 0) {
		fail(w, ERR_INVALID);
		return;
	}
	if (w->first & bit)
		w->first &= ~bit;
	else if (!put_c(w, ','))
		return;
	put_string(w, (const unsigned char *)key, strlen(key), ':');
	w->after_key = true;
}

void jw_str(struct jw *w, const char *s)
{
	if (s == NULL) {
		jw_null(w);
		return;
	}
	jw_strn(w, s, strlen(s));
}

void jw_strn(struct jw *w, const char *s, size_t n)
{
	if (s == NULL) {
		jw_null(w);
		return;
	}
	if (value_begin(w))
		put_string(w, (const unsigned char *)s, n, '\0');
}

/* Writes v in decimal ending just before end; returns the first digit. */
static char *fmt_u64(char *end, uint64_t v)
{
	char *p = end;

	while (v >= 100) {
		unsigned r = (unsigned)(v % 100);
		v /= 100;
		p -= 2;
		memcpy(p, digits2 + 2 * r, 2);
	}
	if (v >= 10) {
		p -= 2;
		memcpy(p, digits2 + 2 * v, 2);
	} else {
		*--p = (char)('0' + v);
	}
	return p;
}

void jw_int(struct jw *w, int64_t v)
{
	char tmp[24], *end = tmp + sizeof tmp, *p;

	if (!value_begin(w))
		return;
	/* Negating in uint64_t is defined for INT64_MIN too. */
	p = fmt_u64(end, v < 0 ? UINT64_C(0) - (uint64_t)v : (uint64_t)v);
	if (v < 0)
		*--p = '-';
	put(w, p, (size_t)(end - p));
}

void jw_uint(struct jw *w, uint64_t v)
{
	char tmp[24], *end = tmp + sizeof tmp, *p;

	if (!value_begin(w))
		return;
	p = fmt_u64(end, v);
	put(w, p, (size_t)(end - p));
}

/* Copies printf's %g output to out as JSON: the locale's decimal point (one
 * or more bytes) becomes '.', and ".0" marks integral values as reals. */
static size_t fmt_json_number(char *out, const char *in)
{
	size_t j = 0;
	bool point = false;

	for (; *in != '\0'; in++) {
		char c = *in;
		if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == 'e') {
			out[j++] = c;
		} else if (j == 0 || out[j - 1] != '.') {
			out[j++] = '.';
			point = true;
		}
		if (c == 'e')
			point = true;
	}
	if (!point) {
		out[j++] = '.';
		out[j++] = '0';
	}
	return j;
}

/* Fast path for the doubles responses mostly carry (amounts, rates, ratios):
 * finds the fewest decimals k <= 9 such that v == m / 10^k with m < 10^15. m
 * and 10^k are exact doubles and IEEE division rounds correctly, so that is
 * precisely the double strtod() returns for the decimal m·10^-k: the text
 * round-trips without calling strtod(). With at most 15 significant digits
 * and no exponent (the range where %g uses none), it is also exactly what the
 * slow path's %.15g would print. Returns 0 when it does not apply. */
static size_t fmt_double_fast(char *out, double v)
{
	static const double pow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
	double a = fabs(v);
	char digits[24], *end = digits + sizeof digits, *d;
	size_t j = 0, nd;
	uint64_t m;
	int k;

#if FLT_EVAL_METHOD != 0
	return 0; /* excess precision would break the exactness argument */
#endif
	if (!(a >= 1e-4 && a < 1e15))
		return 0;
	for (k = 0; k < 10; k++) {
		double sc = a * pow10[k];
		if (sc >= 1e15)
			return 0;
		m = (uint64_t)(sc + 0.5);
		if ((double)m / pow10[k] == a)
			break;
	}
	if (k == 10)
		return 0;
	d = fmt_u64(end, m);
	nd = (size_t)(end - d);
	if (v < 0)
		out[j++] = '-';
	if (k == 0) {
		memcpy(out + j, d, nd);
		j += nd;
		memcpy(out + j, ".0", 2);
		return j + 2;
	}
	if (nd > (size_t)k) {
		memcpy(out + j, d, nd - (size_t)k);
		j += nd - (size_t)k;
		out[j++] = '.';
		memcpy(out + j, d + nd - k, (size_t)k);
		return j + (size_t)k;
	}
	out[j++] = '0';
	out[j++] = '.';
	memset(out + j, '0', (size_t)k - nd);
	j += (size_t)k - nd;
	memcpy(out + j, d, nd);
	return j + nd;
}

void jw_double(struct jw *w, double v)
{
	char tmp[48], out[64];
	int n = 0;

	if (!isfinite(v)) {
		jw_null(w);
		return;
	}
	if (!value_begin(w))
		return;
	n = (int)fmt_double_fast(out, v);
	if (n > 0) {
		put(w, out, (size_t)n);
		return;
	}
	/* Any decimal of <= 15 digits survives a trip through a double, so %.15g
	 * finds it when one exists; 17 digits always round-trip. */
	for (int prec = 15; prec <= 17; prec++) {
		n = snprintf(tmp, sizeof tmp, "%.*g", prec, v);
		if (n <= 0 || (size_t)n >= sizeof tmp) {
			fail(w, ERR_INVALID);
			return;
		}
		if (strtod(tmp, NULL) == v)
			break;
	}
	put(w, out, fmt_json_number(out, tmp));
}

void jw_bool(struct jw *w, bool v)
{
	if (value_begin(w))
		put(w, v ? "true" : "false", v ? 4 : 5);
}

void jw_null(struct jw *w)
{
	if (value_begin(w))
		put(w, "null", 4);
}

void jw_raw(struct jw *w, const char *json, size_t n)
{
	if (w->err != ERR_OK)
		return;
	if (json == NULL || n == 0) {
		fail(w, ERR_INVALID);
		return;
	}
	if (value_begin(w))
		put(w, json, n);
}

void jw_kstr(struct jw *w, const char *k, const char *s)
{
	jw_key(w, k);
	jw_str(w, s);
}

void jw_kint(struct jw *w, const char *k, int64_t v)
{
	jw_key(w, k);
	jw_int(w, v);
}

void jw_kbool(struct jw *w, const char *k, bool v)
{
	jw_key(w, k);
	jw_bool(w, v);
}

void jw_knull(struct jw *w, const char *k)
{
	jw_key(w, k);
	jw_null(w);
}

/* Howard Hinnant's civil_from_days (the inverse of days_from_civil): proleptic
 * Gregorian date of a day count since 1970-01-01. z >= 0 here, so the era
 * arithmetic needs no negative-division fix-up. */
static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = z / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yoe + era * 400) + (*m <= 2);
}

void jw_time_ms(struct jw *w, int64_t epoch_ms)
{
	char t[26];
	int64_t days, ms;
	unsigned m, d, h, mi, s, frac;
	int y;

	if (epoch_ms < 0 || epoch_ms > TIME_MAX_MS) {
		jw_null(w);
		return;
	}
	if (!value_begin(w))
		return;
	days = epoch_ms / MS_PER_DAY;
	ms = epoch_ms % MS_PER_DAY;
	civil_from_days(days, &y, &m, &d);
	h = (unsigned)(ms / 3600000);
	mi = (unsigned)(ms / 60000 % 60);
	s = (unsigned)(ms / 1000 % 60);
	frac = (unsigned)(ms % 1000);
	/* "YYYY-MM-DDTHH:MM:SS.mmmZ" with its quotes, always 26 bytes. */
	memcpy(t, "\"0000-00-00T00:00:00.000Z\"", 26);
	memcpy(t + 1, digits2 + 2 * (y / 100), 2);
	memcpy(t + 3, digits2 + 2 * (y % 100), 2);
	memcpy(t + 6, digits2 + 2 * m, 2);
	memcpy(t + 9, digits2 + 2 * d, 2);
	memcpy(t + 12, digits2 + 2 * h, 2);
	memcpy(t + 15, digits2 + 2 * mi, 2);
	memcpy(t + 18, digits2 + 2 * s, 2);
	t[21] = (char)('0' + frac / 100);
	memcpy(t + 22, digits2 + 2 * (frac % 100), 2);
	put(w, t, sizeof t);
}

void jw_ktime_ms(struct jw *w, const char *k, int64_t epoch_ms)
{
	jw_key(w, k);
	jw_time_ms(w, epoch_ms);
}

enum err jw_error(const struct jw *w)
{
	return w->err;
}

const char *jw_cstr(struct jw *w)
{
	if (w == NULL || w->err != ERR_OK || w->buf == NULL)
		return NULL;
	w->buf[w->len] = '\0'; /* reserve() always leaves room for it */
	return w->buf;
}
