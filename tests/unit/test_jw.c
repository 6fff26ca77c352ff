/* Unit tests for the streaming JSON writer (src/core/jw.c). Every document is
 * read back with jansson; exact bytes are checked where the format is fixed
 * (escapes, numbers, timestamps), and a seeded random test builds the same
 * document with jansson and with jw and compares them with json_equal. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core/jw.h"

#define LOAD_FLAGS (JSON_DECODE_ANY | JSON_ALLOW_NUL)

/* The out-of-memory test asks for an absurd buffer; under ASan that must
 * come back as NULL rather than abort. Unused in non-sanitizer builds. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "allocator_may_return_null=1";
}

/* Steals w's document, checks it parses, and returns the parsed value. The
 * caller owns both *text (free) and the result (json_decref). */
static json_t *take(struct jw *w, char **text, size_t *len)
{
	json_error_t jerr;
	json_t *v;

	assert_int_equal(jw_error(w), ERR_OK);
	*text = jw_steal(w, len);
	assert_non_null(*text);
	assert_int_equal((*text)[*len], '\0');
	v = json_loadb(*text, *len, LOAD_FLAGS, &jerr);
	if (v == NULL)
		fail_msg("jansson rejected [%.*s]: %s", (int)*len, *text, jerr.text);
	return v;
}

/* Checks that w holds exactly `want` (which must parse) and resets w. */
static void expect_text(struct jw *w, const char *want, size_t want_len)
{
	char *text;
	size_t len;
	json_t *v = take(w, &text, &len);

	if (len != want_len || memcmp(text, want, len) != 0)
		fail_msg("got [%.*s] want [%.*s]", (int)len, text, (int)want_len, want);
	json_decref(v);
	free(text);
}

#define EXPECT(w, lit) expect_text((w), (lit), sizeof(lit) - 1)

/* Writes s as the whole document and checks the bytes and what jansson reads
 * back (the decoded string, which must equal `decoded`). */
static void check_string(const char *s, size_t n, const char *want, size_t want_len,
			 const char *decoded, size_t decoded_len)
{
	struct jw w;
	char *text;
	size_t len;
	json_t *v;

	jw_init(&w, 0, 1 << 20);
	jw_strn(&w, s, n);
	v = take(&w, &text, &len);
	if (len != want_len || memcmp(text, want, len) != 0)
		fail_msg("got [%.*s] want [%.*s]", (int)len, text, (int)want_len, want);
	assert_true(json_is_string(v));
	assert_int_equal(json_string_length(v), decoded_len);
	assert_memory_equal(json_string_value(v), decoded, decoded_len);
	json_decref(v);
	free(text);
	jw_cleanup(&w);
}

static void test_scalars(void **state)
{
	struct jw w;

	(void)state;
	jw_init(&w, 0, 1024);
	jw_null(&w);
	EXPECT(&w, "null");
	jw_bool(&w, true);
	EXPECT(&w, "true");
	jw_bool(&w, false);
	EXPECT(&w, "false");
	jw_str(&w, NULL);
	EXPECT(&w, "null");
	jw_strn(&w, NULL, 3);
	EXPECT(&w, "null");
	jw_str(&w, "");
	EXPECT(&w, "\"\"");
	jw_str(&w, "a/b");
	EXPECT(&w, "\"a/b\"");
	jw_int(&w, 42);
	EXPECT(&w, "42");
	/* Only one value at the top level. */
	jw_int(&w, 1);
	jw_int(&w, 2);
	assert_int_equal(jw_error(&w), ERR_INVALID);
	assert_null(jw_steal(&w, NULL));
	jw_cleanup(&w);
}

static void test_nesting_commas(void **state)
{
	struct jw w;

	(void)state;
	jw_init(&w, 4, 4096); /* tiny first buffer: exercises growth */
	jw_obj_begin(&w);
	jw_obj_end(&w);
	EXPECT(&w, "{}");
	jw_arr_begin(&w);
	jw_arr_end(&w);
	EXPECT(&w, "[]");

	jw_obj_begin(&w);
	jw_kint(&w, "a", 1);
	jw_key(&w, "b");
	jw_arr_begin(&w);
	jw_int(&w, 1);
	jw_arr_begin(&w);
	jw_arr_end(&w);
	jw_obj_begin(&w);
	jw_obj_end(&w);
	jw_obj_begin(&w);
	jw_knull(&w, "x");
	jw_kbool(&w, "y", false);
	jw_obj_end(&w);
	jw_str(&w, "s");
	jw_arr_end(&w);
	jw_key(&w, "c");
	jw_obj_begin(&w);
	jw_key(&w, "d");
	jw_arr_begin(&w);
	jw_arr_begin(&w);
	jw_null(&w);
	jw_arr_end(&w);
	jw_arr_end(&w);
	jw_obj_end(&w);
	jw_kstr(&w, "e", "f");
	jw_obj_end(&w);
	EXPECT(&w, "{\"a\":1,\"b\":[1,[],{},{\"x\":null,\"y\":false},\"s\"],"
		   "\"c\":{\"d\":[[null]]},\"e\":\"f\"}");

	/* Exactly JW_MAX_DEPTH levels is fine. */
	for (int i = 0; i < JW_MAX_DEPTH; i++)
		jw_arr_begin(&w);
	for (int i = 0; i < JW_MAX_DEPTH; i++)
		jw_arr_end(&w);
	{
		char *text;
		size_t len;
		json_t *v = take(&w, &text, &len);
		assert_int_equal(len, 2 * JW_MAX_DEPTH);
		json_decref(v);
		free(text);
	}
	jw_cleanup(&w);
}

static void test_escapes(void **state)
{
	static const char *const want[32] = {
		"\\u0000", "\\u0001", "\\u0002", "\\u0003", "\\u0004", "\\u0005", "\\u0006",
		"\\u0007", "\\b", "\\t", "\\n", "\\u000b", "\\f", "\\r", "\\u000e", "\\u000f",
		"\\u0010", "\\u0011", "\\u0012", "\\u0013", "\\u0014", "\\u0015", "\\u0016",
		"\\u0017", "\\u0018", "\\u0019", "\\u001a", "\\u001b", "\\u001c", "\\u001d",
		"\\u001e", "\\u001f",
	};
	char in[3], out[16];
	size_t n;

	(void)state;
	for (int c = 0; c < 32; c++) {
		in[0] = 'x';
		in[1] = (char)c;
		in[2] = 'y';
		n = (size_t)snprintf(out, sizeof out, "\"x%sy\"", want[c]);
		check_string(in, 3, out, n, in, 3);
	}
	check_string("\"", 1, "\"\\\"\"", 4, "\"", 1);
	check_string("\\", 1, "\"\\\\\"", 4, "\\", 1);
	check_string("a\"b\\c/d\x7f", 8, "\"a\\\"b\\\\c/d\x7f\"", 12, "a\"b\\c/d\x7f", 8);
	/* Escapes at both ends of a run longer than the 8-byte scan. */
	check_string("\nabcdefghijklmnop\"", 18, "\"\\nabcdefghijklmnop\\\"\"", 22,
		     "\nabcdefghijklmnop\"", 18);
	/* Keys are escaped the same way. */
	{
		struct jw w;

		jw_init(&w, 0, 1024);
		jw_obj_begin(&w);
		jw_kstr(&w, "k\"\n\x01", "v");
		jw_obj_end(&w);
		EXPECT(&w, "{\"k\\\"\\n\\u0001\":\"v\"}");
		jw_cleanup(&w);
	}
}

static void test_utf8_valid(void **state)
{
	static const char *const keep[] = {
		"\xC2\x80",                    /* U+0080 */
		"caf\xC3\xA9",                 /* é */
		"\xDF\xBF",                    /* U+07FF */
		"\xE0\xA0\x80",                /* U+0800 */
		"\xE2\x82\xAC",                /* € */
		"\xE2\x80\xA7\xE2\x80\xAA",    /* U+2027, U+202A: neighbours of LS/PS */
		"\xED\x9F\xBF",                /* U+D7FF */
		"\xEE\x80\x80",                /* U+E000 */
		"\xEF\xBF\xBD",                /* U+FFFD itself */
		"\xEF\xBF\xBF",                /* U+FFFF */
		"\xF0\x90\x80\x80",            /* U+10000 */
		"\xF0\x9F\x98\x80 ok \xF0\x9F\x93\x9E", /* emoji */
		"\xF4\x8F\xBF\xBF",            /* U+10FFFF */
		"\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82 \xE4\xB8\x96\xE7\x95\x8C",
	};
	char want[64];
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) {
		n = (size_t)snprintf(want, sizeof want, "\"%s\"", keep[i]);
		check_string(keep[i], strlen(keep[i]), want, n, keep[i], strlen(keep[i]));
	}
	check_string("a\xE2\x80\xA8z", 5, "\"a\\u2028z\"", 10, "a\xE2\x80\xA8z", 5);
	check_string("\xE2\x80\xA9", 3, "\"\\u2029\"", 8, "\xE2\x80\xA9", 3);
}

static void test_utf8_invalid(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"\x80", "\xEF\xBF\xBD"},                         /* lone continuation */
		{"a\xBFz", "a\xEF\xBF\xBDz"},
		{"\xC0\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD"},         /* overlong '/' */
		{"\xC1\xBF", "\xEF\xBF\xBD\xEF\xBF\xBD"},
		{"\xE0\x80\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"}, /* overlong 3 */
		{"\xF0\x80\x80\xAF",                              /* overlong 4 */
		 "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},
		{"\xED\xA0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"}, /* U+D800 */
		{"\xED\xBF\xBF", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"}, /* U+DFFF */
		{"\xF4\x90\x80\x80",                              /* U+110000 */
		 "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},
		{"\xF5\x80", "\xEF\xBF\xBD\xEF\xBF\xBD"},
		{"\xFE\xFF", "\xEF\xBF\xBD\xEF\xBF\xBD"},
		{"\xC3", "\xEF\xBF\xBD"},                         /* truncated at end */
		{"\xE2\x82", "\xEF\xBF\xBD"},                     /* one U+FFFD per subpart */
		{"\xF0\x9F\x98", "\xEF\xBF\xBD"},
		{"\xF0\x9F\x98z", "\xEF\xBF\xBDz"},               /* truncated mid-string */
		{"\xE2\x82\"", "\xEF\xBF\xBD\\\""},
		{"\xC3\xC3\xA9", "\xEF\xBF\xBD\xC3\xA9"},
		{"ab\xE2\x80", "ab\xEF\xBF\xBD"},
	};
	char want[64], dec[64];
	size_t n, dn;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		n = (size_t)snprintf(want, sizeof want, "\"%s\"", cases[i].out);
		/* What jansson decodes: the output minus quotes, escapes undone. */
		dn = 0;
		for (const char *p = cases[i].out; *p; p++) {
			if (*p == '\\')
				p++;
			dec[dn++] = *p;
		}
		check_string(cases[i].in, strlen(cases[i].in), want, n, dec, dn);
	}
}

static void test_integers(void **state)
{
	static const struct {
		int64_t v;
		const char *s;
	} cases[] = {
		{0, "0"}, {1, "1"}, {-1, "-1"}, {9, "9"}, {10, "10"}, {99, "99"}, {100, "100"},
		{-100, "-100"}, {12345, "12345"}, {1000000007, "1000000007"},
		{INT64_MAX, "9223372036854775807"}, {INT64_MIN, "-9223372036854775808"},
		{INT64_MIN + 1, "-9223372036854775807"},
	};
	struct jw w;
	char *text;
	size_t len;
	json_t *v;

	(void)state;
	jw_init(&w, 0, 1024);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		jw_int(&w, cases[i].v);
		v = take(&w, &text, &len);
		assert_string_equal(text, cases[i].s);
		assert_true(json_is_integer(v));
		assert_true(json_integer_value(v) == cases[i].v);
		json_decref(v);
		free(text);
	}
	jw_uint(&w, UINT64_MAX);
	text = jw_steal(&w, &len);
	assert_string_equal(text, "18446744073709551615");
	free(text);
	jw_uint(&w, 0);
	EXPECT(&w, "0");
	jw_arr_begin(&w);
	jw_uint(&w, 7);
	jw_int(&w, -7);
	jw_uint(&w, 1u << 31);
	jw_arr_end(&w);
	EXPECT(&w, "[7,-7,2147483648]");
	jw_cleanup(&w);
}

static void test_doubles(void **state)
{
	static const struct {
		double v;
		const char *s;
	} cases[] = {
		{0.0, "0.0"}, {-0.0, "-0.0"}, {1.0, "1.0"}, {-2.0, "-2.0"}, {0.1, "0.1"},
		{0.3, "0.3"}, {1.5, "1.5"}, {123.456, "123.456"}, {1e21, "1e+21"},
		{1e-7, "1e-07"}, {100.0, "100.0"}, {0.1 + 0.2, "0.30000000000000004"},
		{5e-324, "4.94065645841247e-324"}, {DBL_MAX, "1.7976931348623157e+308"},
		{1.0 / 3.0, "0.3333333333333333"}, {2.5e-5, "2.5e-05"},
	};
	static const double nonfinite[] = {NAN, INFINITY, -INFINITY};
	struct jw w;
	char *text;
	size_t len;
	json_t *v;

	(void)state;
	jw_init(&w, 0, 1024);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		jw_double(&w, cases[i].v);
		v = take(&w, &text, &len);
		assert_string_equal(text, cases[i].s);
		assert_true(json_is_real(v));
		assert_true(json_real_value(v) == cases[i].v);
		json_decref(v);
		free(text);
	}
	for (size_t i = 0; i < sizeof nonfinite / sizeof nonfinite[0]; i++) {
		jw_double(&w, nonfinite[i]);
		EXPECT(&w, "null");
	}
	/* Random bit patterns read back exactly. */
	uint64_t x = 0x9E3779B97F4A7C15u;
	for (int i = 0; i < 5000; i++) {
		double d;
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		memcpy(&d, &x, sizeof d);
		if (!isfinite(d))
			continue;
		jw_double(&w, d);
		v = take(&w, &text, &len);
		assert_true(json_is_real(v));
		if (json_real_value(v) != d)
			fail_msg("%s did not read back as %.17g", text, d);
		assert_true(len <= 24);
		json_decref(v);
		free(text);
	}
	jw_cleanup(&w);
}

/* The straightforward shortest-round-trip formatting jw_double must agree
 * with: %.15g, %.16g, then %.17g, whichever reads back first, plus ".0" on
 * integral values. (The test never calls setlocale, so '.' is the point.) */
static void ref_double(char *out, size_t size, double v)
{
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(out, size, "%.*g", prec, v);
		if (strtod(out, NULL) == v)
			break;
	}
	if (strpbrk(out, ".e") == NULL) {
		size_t n = strlen(out);
		assert_true(n + 3 <= size);
		memcpy(out + n, ".0", 3);
	}
}

static void test_doubles_match_reference(void **state)
{
	static const double pow10[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
				       1e10, 1e11, 1e12};
	static const double edges[] = {1e-4, 9.9999999999999e-5, 0.00010000000000000002,
				       1e15, 999999999999999.9, 999999999999999.0,
				       9007199254740991.0, 9007199254740992.0, 4503599627370495.5,
				       0.1, 0.7, 1.005, 2.675, 1234.5678, 0.000123456789};
	struct jw w;
	char want[64], *text;
	size_t len;
	uint64_t x = 0x0123456789ABCDEFu;
	double v;

	(void)state;
	jw_init(&w, 0, 1024);
	for (int i = 0; i < 200000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		if (i < (int)(sizeof edges / sizeof edges[0]))
			v = edges[i];
		else if (i % 3 == 0) /* decimals as read back from a database */
			v = (double)(x >> (11 + x % 40)) / pow10[(x >> 8) % 13];
		else if (i % 3 == 1) /* products that need 16-17 digits */
			v = 0.0125 * (double)(x % 100000) * pow10[(x >> 20) % 5];
		else
			v = (double)(x % 1000000007) / (double)((x >> 32) % 997 + 1);
		if (x & 1u << 30)
			v = -v;
		ref_double(want, sizeof want, v);
		jw_double(&w, v);
		text = jw_steal(&w, &len);
		assert_non_null(text);
		if (strcmp(text, want) != 0)
			fail_msg("%.17g: got %s want %s", v, text, want);
		free(text);
	}
	jw_cleanup(&w);
}

static void expect_time(int64_t ms, const char *want)
{
	struct jw w;
	char *text;
	size_t len;

	jw_init(&w, 0, 64);
	jw_time_ms(&w, ms);
	text = jw_steal(&w, &len);
	assert_non_null(text);
	assert_string_equal(text, want);
	free(text);
	jw_cleanup(&w);
}

static void test_time(void **state)
{
	struct jw w;
	char want[64], *text;
	size_t len;
	struct tm tm;

	(void)state;
	expect_time(0, "\"1970-01-01T00:00:00.000Z\"");
	expect_time(951782400000, "\"2000-02-29T00:00:00.000Z\"");
	expect_time(951868799999, "\"2000-02-29T23:59:59.999Z\"");
	expect_time(951868800000, "\"2000-03-01T00:00:00.000Z\"");
	expect_time(1795799613123, "\"2026-11-27T17:13:33.123Z\"");
	expect_time(4107542400000, "\"2100-03-01T00:00:00.000Z\""); /* 2100: not leap */
	expect_time(253402300799999, "\"9999-12-31T23:59:59.999Z\"");
	expect_time(253402300800000, "null");
	expect_time(-1, "null");
	expect_time(INT64_MIN, "null");
	expect_time(INT64_MAX, "null");

	/* Against gmtime_r for seeded random instants across the whole range. */
	uint64_t x = 88172645463325252u;
	jw_init(&w, 0, 64);
	for (int i = 0; i < 20000; i++) {
		int64_t ms;
		time_t t;
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		ms = (int64_t)(x % 253402300800000u);
		t = (time_t)(ms / 1000);
		assert_non_null(gmtime_r(&t, &tm));
		snprintf(want, sizeof want, "\"%04d-%02d-%02dT%02d:%02d:%02d.%03dZ\"",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			 tm.tm_sec, (int)(ms % 1000));
		jw_time_ms(&w, ms);
		text = jw_steal(&w, &len);
		assert_non_null(text);
		assert_string_equal(text, want);
		free(text);
	}
	jw_obj_begin(&w);
	jw_ktime_ms(&w, "at", 1000);
	jw_ktime_ms(&w, "never", -5);
	jw_obj_end(&w);
	EXPECT(&w, "{\"at\":\"1970-01-01T00:00:01.000Z\",\"never\":null}");
	jw_cleanup(&w);
}

static void test_too_large(void **state)
{
	struct jw w;
	char *text;
	size_t len;

	(void)state;
	/* A document of exactly max bytes fits. */
	jw_init(&w, 1, 10);
	jw_str(&w, "12345678");
	text = jw_steal(&w, &len);
	assert_non_null(text);
	assert_int_equal(len, 10);
	free(text);

	/* One more byte does not. */
	jw_str(&w, "123456789");
	assert_int_equal(jw_error(&w), ERR_TOO_LARGE);
	assert_null(jw_steal(&w, &len));
	jw_cleanup(&w);

	/* Crossing max in the middle of an array, past the first allocation. */
	jw_init(&w, 16, 1000);
	jw_arr_begin(&w);
	for (int i = 0; i < 1000; i++)
		jw_int(&w, i);
	assert_int_equal(jw_error(&w), ERR_TOO_LARGE);
	assert_true(w.len <= 1000);
	assert_true(w.cap <= 1001);
	jw_arr_end(&w);
	assert_null(jw_steal(&w, NULL));
	assert_int_equal(jw_error(&w), ERR_TOO_LARGE);
	jw_cleanup(&w);

	/* max == 0 (also what a zeroed struct has). */
	memset(&w, 0, sizeof w);
	jw_null(&w);
	assert_int_equal(jw_error(&w), ERR_TOO_LARGE);
	jw_cleanup(&w);
}

static void test_sticky(void **state)
{
	struct jw w;
	size_t len;

	(void)state;
	jw_init(&w, 0, 1024);
	jw_obj_begin(&w);
	jw_kint(&w, "a", 1);
	jw_int(&w, 2); /* value without a key */
	assert_int_equal(jw_error(&w), ERR_INVALID);
	len = w.len;
	jw_kstr(&w, "b", "c");
	jw_obj_end(&w);
	jw_arr_begin(&w);
	jw_raw(&w, "1", 1);
	jw_double(&w, 1.5);
	jw_time_ms(&w, 0);
	assert_int_equal(w.len, len);
	assert_int_equal(jw_error(&w), ERR_INVALID);
	assert_null(jw_steal(&w, NULL));

	jw_cleanup(&w);

	/* The first error wins. */
	jw_init(&w, 0, 3);
	jw_str(&w, "long");
	jw_arr_end(&w);
	assert_int_equal(jw_error(&w), ERR_TOO_LARGE);
	jw_cleanup(&w);
}

static void expect_invalid(void (*build)(struct jw *))
{
	struct jw w;

	jw_init(&w, 0, 4096);
	build(&w);
	/* Unfinished documents are only caught by jw_steal. */
	assert_null(jw_steal(&w, NULL));
	assert_int_equal(jw_error(&w), ERR_INVALID);
	jw_cleanup(&w);
}

static void b_obj_arr(struct jw *w) { jw_obj_begin(w); jw_arr_end(w); }
static void b_arr_obj(struct jw *w) { jw_arr_begin(w); jw_obj_end(w); }
static void b_end_top(struct jw *w) { jw_arr_end(w); }
static void b_end_after_close(struct jw *w) { jw_arr_begin(w); jw_arr_end(w); jw_arr_end(w); }
static void b_key_in_arr(struct jw *w) { jw_arr_begin(w); jw_key(w, "k"); }
static void b_key_top(struct jw *w) { jw_key(w, "k"); }
static void b_key_twice(struct jw *w) { jw_obj_begin(w); jw_key(w, "a"); jw_key(w, "b"); }
static void b_key_null(struct jw *w) { jw_obj_begin(w); jw_key(w, NULL); }
static void b_value_no_key(struct jw *w) { jw_obj_begin(w); jw_str(w, "v"); }
static void b_end_after_key(struct jw *w) { jw_obj_begin(w); jw_key(w, "a"); jw_obj_end(w); }
static void b_unclosed(struct jw *w) { jw_arr_begin(w); jw_int(w, 1); }
static void b_empty(struct jw *w) { (void)w; }
static void b_raw_empty(struct jw *w) { jw_raw(w, "", 0); }
static void b_raw_null(struct jw *w) { jw_raw(w, NULL, 4); }
static void b_two_tops(struct jw *w) { jw_obj_begin(w); jw_obj_end(w); jw_arr_begin(w); }

static void b_too_deep(struct jw *w)
{
	for (int i = 0; i <= JW_MAX_DEPTH; i++)
		jw_obj_begin(w), jw_key(w, "k");
}

static void test_invalid_structure(void **state)
{
	static void (*const builds[])(struct jw *) = {
		b_obj_arr, b_arr_obj, b_end_top, b_end_after_close, b_key_in_arr, b_key_top,
		b_key_twice, b_key_null, b_value_no_key, b_end_after_key, b_unclosed, b_empty,
		b_raw_empty, b_raw_null, b_two_tops, b_too_deep,
	};

	(void)state;
	for (size_t i = 0; i < sizeof builds / sizeof builds[0]; i++)
		expect_invalid(builds[i]);
}

static void test_reset_reuse(void **state)
{
	struct jw w;
	char *buf;

	(void)state;
	jw_init(&w, 0, 1 << 16);
	assert_null(w.buf); /* nothing allocated before the first write */
	jw_obj_begin(&w);
	jw_kstr(&w, "a", "b");
	jw_arr_end(&w);
	assert_int_equal(jw_error(&w), ERR_INVALID);
	buf = w.buf;
	jw_reset(&w);
	assert_int_equal(jw_error(&w), ERR_OK);
	assert_int_equal(w.len, 0);
	assert_int_equal(w.depth, 0);
	jw_arr_begin(&w);
	jw_int(&w, 1);
	jw_int(&w, 2);
	jw_arr_end(&w);
	assert_ptr_equal(w.buf, buf); /* the buffer was kept */
	EXPECT(&w, "[1,2]");
	assert_null(w.buf);
	/* After steal the writer is empty and reusable. */
	for (int round = 0; round < 3; round++) {
		jw_obj_begin(&w);
		jw_kint(&w, "round", round);
		jw_obj_end(&w);
		{
			char want[32];
			int n = snprintf(want, sizeof want, "{\"round\":%d}", round);
			expect_text(&w, want, (size_t)n);
		}
	}
	/* Reset mid-document, inside nesting. */
	jw_arr_begin(&w);
	jw_obj_begin(&w);
	jw_key(&w, "x");
	jw_reset(&w);
	jw_str(&w, "fresh");
	EXPECT(&w, "\"fresh\"");
	jw_cleanup(&w);
	jw_cleanup(&w); /* twice is fine */
}

static void test_nomem(void **state)
{
	struct jw w;

	(void)state;
	jw_init(&w, SIZE_MAX / 4, SIZE_MAX);
	jw_null(&w);
	assert_int_equal(jw_error(&w), ERR_NOMEM);
	assert_null(w.buf);
	assert_null(jw_steal(&w, NULL));
	jw_cleanup(&w);
}

static void test_raw(void **state)
{
	static const char inner[] = "{\"pre\":[1,2,{\"x\":\"y\"}]}";
	struct jw w;

	(void)state;
	jw_init(&w, 0, 4096);
	jw_arr_begin(&w);
	jw_raw(&w, inner, sizeof inner - 1);
	jw_raw(&w, "3", 1);
	jw_obj_begin(&w);
	jw_key(&w, "r");
	jw_raw(&w, "true", 4);
	jw_key(&w, "s");
	jw_raw(&w, "[]", 2);
	jw_obj_end(&w);
	jw_arr_end(&w);
	EXPECT(&w, "[{\"pre\":[1,2,{\"x\":\"y\"}]},3,{\"r\":true,\"s\":[]}]");
	jw_cleanup(&w);
}

static void test_cleanup_zeroed(void **state)
{
	struct jw w;

	(void)state;
	memset(&w, 0, sizeof w);
	jw_cleanup(&w);
	jw_cleanup(NULL);
	jw_init(&w, 0, 100);
	jw_cleanup(&w); /* never written: nothing to free */
}

static void test_big_string(void **state)
{
	const size_t n = 3u << 20;
	struct jw w;
	char *s = malloc(n), *text;
	size_t len;
	json_t *v;

	(void)state;
	assert_non_null(s);
	for (size_t i = 0; i < n; i++)
		s[i] = (char)(i % 7 == 6 ? '\n' : 'a' + i % 26);
	jw_init(&w, 0, 8u << 20);
	jw_arr_begin(&w);
	jw_strn(&w, s, n);
	jw_arr_end(&w);
	v = take(&w, &text, &len);
	assert_int_equal(json_string_length(json_array_get(v, 0)), n);
	assert_memory_equal(json_string_value(json_array_get(v, 0)), s, n);
	json_decref(v);
	free(text);
	/* The same string cannot fit a 3 MB document (newlines double). */
	jw_init(&w, 0, 3u << 20);
	jw_strn(&w, s, n);
	assert_int_equal(jw_error(&w), ERR_TOO_LARGE);
	jw_cleanup(&w);
	free(s);
}

/* Seeded random documents, built twice: with jansson and with jw. */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rng_state = x;
	return x * 0x2545F4914F6CDD1Du;
}

static unsigned rnd_below(unsigned n)
{
	return (unsigned)(rnd() % n);
}

static size_t put_utf8(char *p, uint32_t cp)
{
	if (cp < 0x80) {
		p[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		p[0] = (char)(0xC0 | cp >> 6);
		p[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		p[0] = (char)(0xE0 | cp >> 12);
		p[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		p[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	p[0] = (char)(0xF0 | cp >> 18);
	p[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	p[2] = (char)(0x80 | (cp >> 6 & 0x3F));
	p[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Fills buf (room for 4 * 40 + 1 bytes) with a random valid UTF-8 string. */
static size_t rnd_text(char *buf, bool allow_nul)
{
	static const uint32_t special[] = {'"', '\\', '/', '\n', '\t', 0x7F, 0x2028,
					   0x2029, 0xFFFD, 0x1F600, 0x10FFFF, 0xE9};
	unsigned count = rnd_below(40);
	size_t n = 0;

	for (unsigned i = 0; i < count; i++) {
		uint32_t cp;
		switch (rnd_below(8)) {
		case 0: cp = rnd_below(0x20); break;
		case 1: cp = special[rnd_below(sizeof special / sizeof special[0])]; break;
		case 2: cp = 0x80 + rnd_below(0x800 - 0x80); break;
		case 3:
			cp = 0x800 + rnd_below(0x10000 - 0x800);
			if (cp >= 0xD800 && cp <= 0xDFFF)
				cp = 'S';
			break;
		case 4: cp = 0x10000 + rnd_below(0x110000 - 0x10000); break;
		default: cp = 0x20 + rnd_below(0x7F - 0x20); break;
		}
		if (cp == 0 && !allow_nul)
			cp = 'Z';
		n += put_utf8(buf + n, cp);
	}
	buf[n] = '\0';
	return n;
}

static json_t *gen(struct jw *w, int depth)
{
	char s[4 * 40 + 1];
	size_t n;
	unsigned kind = rnd_below(depth < 5 ? 12 : 9);
	json_t *v;

	switch (kind) {
	case 0:
		jw_null(w);
		return json_null();
	case 1: {
		bool b = rnd() & 1;
		jw_bool(w, b);
		return json_boolean(b);
	}
	case 2: {
		int64_t i = (int64_t)rnd() >> rnd_below(64);
		jw_int(w, i);
		return json_integer(i);
	}
	case 3: {
		uint64_t u = rnd() >> (1 + rnd_below(63)); /* jansson stops at INT64_MAX */
		jw_uint(w, u);
		return json_integer((json_int_t)u);
	}
	case 4: {
		double d;
		uint64_t bits = rnd();
		if (rnd() & 1) {
			memcpy(&d, &bits, sizeof d);
			if (!isfinite(d))
				d = 0.5;
		} else {
			d = (double)(int64_t)(bits % 2000001 - 1000000) / 1000.0;
		}
		jw_double(w, d);
		return json_real(d);
	}
	case 5:
		n = rnd_text(s, true);
		jw_strn(w, s, n);
		return json_stringn(s, n);
	case 6: {
		int64_t ms = (int64_t)(rnd() % 253402300800000u);
		char t[96];
		struct tm tm;
		time_t sec = (time_t)(ms / 1000);
		gmtime_r(&sec, &tm);
		snprintf(t, sizeof t, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
			 (int)(ms % 1000));
		jw_time_ms(w, ms);
		return json_string(t);
	}
	case 7: {
		/* Pre-serialized by jansson, inserted raw. */
		json_t *r = json_pack("{s:i,s:[s,b]}", "n", (int)rnd_below(1000), "l", "x\ny",
				      (int)(rnd() & 1));
		char *dump = json_dumps(r, JSON_COMPACT);
		assert_non_null(dump);
		jw_raw(w, dump, strlen(dump));
		free(dump);
		return r;
	}
	case 8:
		n = rnd_text(s, true);
		jw_str(w, s); /* stops at the first NUL, like jansson's json_string */
		return json_string(s);
	case 9:
	case 10: {
		unsigned count = rnd_below(8);
		v = json_object();
		jw_obj_begin(w);
		for (unsigned i = 0; i < count; i++) {
			char key[4 * 40 + 16];
			int kn = snprintf(key, sizeof key, "%u:", i); /* unique keys */
			rnd_text(key + kn, false);
			jw_key(w, key);
			json_object_set_new(v, key, gen(w, depth + 1));
		}
		jw_obj_end(w);
		return v;
	}
	default: {
		unsigned count = rnd_below(8);
		v = json_array();
		jw_arr_begin(w);
		for (unsigned i = 0; i < count; i++)
			json_array_append_new(v, gen(w, depth + 1));
		jw_arr_end(w);
		return v;
	}
	}
}

static void test_random_documents(void **state)
{
	struct jw w;
	char *text;
	size_t len;

	(void)state;
	rng_state = 0x5EED5EED12345678u;
	jw_init(&w, 256, 16u << 20);
	for (int iter = 0; iter < 2000; iter++) {
		json_t *want = gen(&w, 0);
		json_t *got;

		assert_non_null(want);
		got = take(&w, &text, &len);
		if (!json_equal(want, got))
			fail_msg("iteration %d: documents differ: %.*s", iter, (int)len, text);
		json_decref(want);
		json_decref(got);
		free(text);
	}
	jw_cleanup(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_nesting_commas),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_utf8_valid),
		cmocka_unit_test(test_utf8_invalid),
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_doubles),
		cmocka_unit_test(test_doubles_match_reference),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_sticky),
		cmocka_unit_test(test_invalid_structure),
		cmocka_unit_test(test_reset_reuse),
		cmocka_unit_test(test_nomem),
		cmocka_unit_test(test_raw),
		cmocka_unit_test(test_cleanup_zeroed),
		cmocka_unit_test(test_big_string),
		cmocka_unit_test(test_random_documents),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
