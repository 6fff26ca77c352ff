/* Unit tests for the YAML to JSON converter (src/core/yamljson.c). Results are
 * compared with json_equal against JSON text read by jansson, so types matter
 * (1 is not 1.0, "1" is not 1). Errors are checked for their code and for the
 * position or reason in the detail sentence. A fault-injection test fails
 * jansson's allocator at every step and expects ERR_NOMEM without leaks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/yamljson.h"

/* Parses n bytes of yaml, fails the test on error; the caller owns the result. */
static json_t *parse_n(const char *yaml, size_t n)
{
	struct err_detail d = { 0 };
	json_t *v = NULL;
	enum err rc = yamljson_parse(yaml, n, &v, &d);

	if (rc != ERR_OK)
		fail_msg("%s: %s\n--- input ---\n%.*s", err_str(rc), d.detail, (int)n, yaml);
	assert_non_null(v);
	return v;
}

static json_t *parse(const char *yaml)
{
	return parse_n(yaml, strlen(yaml));
}

/* Checks that yaml converts to exactly the JSON text want. */
static void expect_json(const char *yaml, const char *want)
{
	json_error_t jerr;
	json_t *w, *got;
	char *text;

	w = json_loads(want, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
	if (w == NULL)
		fail_msg("bad expected JSON [%s]: %s", want, jerr.text);
	got = parse(yaml);
	if (!json_equal(got, w)) {
		text = json_dumps(got, JSON_ENCODE_ANY);
		fail_msg("got %s\nwant %s\n--- input ---\n%s", text ? text : "?", want, yaml);
	}
	json_decref(got);
	json_decref(w);
}

/* Checks that n bytes of yaml fail with code e and a detail containing needle. */
static void expect_error_n(const char *yaml, size_t n, enum err e, const char *needle)
{
	struct err_detail d = { 0 };
	json_t *v = json_true(); /* must be overwritten with NULL */
	enum err rc = yamljson_parse(yaml, n, &v, &d);

	if (rc != e)
		fail_msg("got %s (%s), want %s\n--- input ---\n%.*s", err_str(rc), d.detail, err_str(e), (int)n,
			 yaml ? yaml : "");
	assert_null(v);
	if (strstr(d.detail, needle) == NULL)
		fail_msg("detail [%s] lacks [%s]", d.detail, needle);
}

static void expect_error(const char *yaml, const char *needle)
{
	expect_error_n(yaml, strlen(yaml), ERR_INVALID, needle);
}

/* Checks that obj's keys are exactly keys[] in this order (NULL-terminated). */
static void expect_keys(const json_t *obj, const char *const *keys)
{
	size_t i = 0;

	assert_true(json_is_object(obj));
	for (void *it = json_object_iter((json_t *)obj); it; it = json_object_iter_next((json_t *)obj, it), i++) {
		assert_non_null(keys[i]);
		assert_string_equal(json_object_iter_key(it), keys[i]);
	}
	assert_null(keys[i]);
}

static void test_nested(void **state)
{
	static const char doc[] =
		"# leading comment\n"
		"zeta: 1\n"
		"alpha:\n"
		"  list:\n"
		"    - one\n"
		"    - two: 2\n"
		"      three: [3, {four: 4}]\n"
		"    -\n"
		"      - inner\n"
		"  flow: {b: [], a: {}, c: [x, y]}\n"
		"middle: [ ]\n"
		"empty: {}\n";
	static const char *const top[] = { "zeta", "alpha", "middle", "empty", NULL };
	static const char *const flow[] = { "b", "a", "c", NULL };
	json_t *v;

	(void)state;
	expect_json(doc, "{\"zeta\": 1, \"alpha\": {\"list\": [\"one\", {\"two\": 2, \"three\": [3, {\"four\": 4}]},"
			 " [\"inner\"]], \"flow\": {\"b\": [], \"a\": {}, \"c\": [\"x\", \"y\"]}},"
			 " \"middle\": [], \"empty\": {}}");
	/* Keys keep document order, not sorted order. */
	v = parse(doc);
	expect_keys(v, top);
	expect_keys(json_object_get(json_object_get(v, "alpha"), "flow"), flow);
	json_decref(v);
	/* A top-level sequence, and a block sequence not indented under its key. */
	expect_json("- a\n- - b\n  - c\n- {d: e}\n", "[\"a\", [\"b\", \"c\"], {\"d\": \"e\"}]");
	expect_json("k:\n- 1\n- 2\n", "{\"k\": [1, 2]}");
}

static void test_scalar_styles(void **state)
{
	(void)state;
	expect_json("plain: hello world   # trailing comment\n", "{\"plain\": \"hello world\"}");
	expect_json("url: http://x/#frag\n", "{\"url\": \"http://x/#frag\"}");
	expect_json("multi: first\n  second\n", "{\"multi\": \"first second\"}");
	expect_json("s: 'it''s \"fine\"'\n", "{\"s\": \"it's \\\"fine\\\"\"}");
	expect_json("d: \"tab\\there \\u00e9 \\\"q\\\" \\\\ \\x41\"\n",
		    "{\"d\": \"tab\\there \\u00e9 \\\"q\\\" \\\\ A\"}");
	expect_json("d: \"nul\\0byte\"\n", "{\"d\": \"nul\\u0000byte\"}");
	expect_json("folded: >\n  one\n  two\n\n  three\n", "{\"folded\": \"one two\\nthree\\n\"}");
	expect_json("strip: |-\n  a\n\nnext: 1\n", "{\"strip\": \"a\", \"next\": 1}");
	expect_json("keep: |+\n  b\n\n", "{\"keep\": \"b\\n\\n\"}");
	expect_json("fstrip: >-\n  x\n  y\n", "{\"fstrip\": \"x y\"}");
	expect_json("utf8: héllo – ✓\n", "{\"utf8\": \"h\\u00e9llo \\u2013 \\u2713\"}");
	/* A document that is one bare scalar. */
	expect_json("just text\n", "\"just text\"");
	/* Anchors alone are harmless and ignored. */
	expect_json("a: &x 1\nb: &y [2]\n", "{\"a\": 1, \"b\": [2]}");
}

static void test_block_literal(void **state)
{
	(void)state;
	expect_json("description: |\n"
		    "  Switchboard keeps calls.\n"
		    "\n"
		    "    Indented stays indented.\n"
		    "  # not a comment\n"
		    "  Last line.\n"
		    "after: done\n",
		    "{\"description\": \"Switchboard keeps calls.\\n\\n  Indented stays indented.\\n"
		    "# not a comment\\nLast line.\\n\", \"after\": \"done\"}");
	/* Explicit indentation indicator for text that starts with spaces. */
	expect_json("code: |2\n    indented\n  base\n", "{\"code\": \"  indented\\nbase\\n\"}");
	/* A literal that looks like other types is still a string. */
	expect_json("n: |\n  42\n", "{\"n\": \"42\\n\"}");
}

static void test_quoted_stay_strings(void **state)
{
	(void)state;
	expect_json("[\"true\", 'false', \"null\", '~', \"12\", '1.5', \"0x1F\", '', \"\"]",
		    "[\"true\", \"false\", \"null\", \"~\", \"12\", \"1.5\", \"0x1F\", \"\", \"\"]");
	expect_json("'200': ok\n", "{\"200\": \"ok\"}");
	/* Explicit tags. */
	expect_json("[!!str 12, !!str true, ! 7, !!int \"12\", !!float 1, !!float 0o10, !!bool 'true', !!null '']",
		    "[\"12\", \"true\", \"7\", 12, 1.0, 8.0, true, null]");
	expect_json("!!map {a: !!seq [1]}", "{\"a\": [1]}");
}

static void test_core_schema(void **state)
{
	(void)state;
	expect_json("[~, null, Null, NULL, true, True, TRUE, false, False, FALSE]",
		    "[null, null, null, null, true, true, true, false, false, false]");
	/* The empty plain scalar is null, in block and flow style. */
	expect_json("a:\nb: ~\nc: {d: , e}\n", "{\"a\": null, \"b\": null, \"c\": {\"d\": null, \"e\": null}}");
	/* YAML 1.1 booleans and other look-alikes are strings under 1.2. */
	expect_json("[yes, no, on, off, y, n, tRUE, nULL, NUll, 'True']",
		    "[\"yes\", \"no\", \"on\", \"off\", \"y\", \"n\", \"tRUE\", \"nULL\", \"NUll\", \"True\"]");
}

static void test_numbers(void **state)
{
	(void)state;
	expect_json("[0, 42, -7, +3, -0, 007, 0o17, 0x1F, 0xff, 9223372036854775807, -9223372036854775808]",
		    "[0, 42, -7, 3, 0, 7, 15, 31, 255, 9223372036854775807, -9223372036854775808]");
	expect_json("[2.5, -.5, .5, +1.25, 1e3, 1E-2, 3., 1.e2, 6.02e+23]",
		    "[2.5, -0.5, 0.5, 1.25, 1000.0, 0.01, 3.0, 100.0, 6.02e23]");
	/* Not numbers in the core schema. */
	expect_json("[1_000, 0b101, -0x1, 0x, 0o8, e3, ., +, 1.2.3, 12abc, 1e, '3']",
		    "[\"1_000\", \"0b101\", \"-0x1\", \"0x\", \"0o8\", \"e3\", \".\", \"+\", \"1.2.3\", \"12abc\","
		    " \"1e\", \"3\"]");
	expect_json("version: 3.1.0\nport: 8080\n", "{\"version\": \"3.1.0\", \"port\": 8080}");
	expect_error("n: 9223372036854775808\n", "line 1, column 4: integer out of range");
	expect_error("n: 0x8000000000000000\n", "integer out of range");
	expect_error("n: 1e999\n", "out of range");
	expect_error("[1, .inf]", "line 1, column 5: .inf and .nan have no JSON form");
	expect_error("-.Inf", "no JSON form");
	expect_error(".NaN", "no JSON form");
}

static void test_empty_document(void **state)
{
	(void)state;
	expect_json("", "null");
	expect_json("   \n\n", "null");
	expect_json("# only a comment\n", "null");
	expect_json("---\n", "null");
	expect_json("--- ~\n...\n", "null");
	expect_json("%YAML 1.2\n---\n{}\n", "{}");
	json_decref(parse_n(NULL, 0));
}

static void test_syntax_error(void **state)
{
	(void)state;
	expect_error("a: 1\nb: [1, 2\nc: 3\n", "line 3, column 2: did not find expected ',' or ']'");
	expect_error("a: 1\nb:\n  - x\n - y\n", "line 4, column 2: did not find expected key");
	expect_error("key: value: other\n", "line 1, column 11: mapping values are not allowed");
	expect_error("a: 1\n\tb: 2\n", "line 2");
	expect_error("a: \"unterminated\n", "found unexpected end of stream");
	expect_error("a: 1\n  b: 2\n", "line 2");
}

static void test_duplicate_key(void **state)
{
	(void)state;
	expect_error("a: 1\nb: 2\na: 3\n", "line 3, column 1: duplicate key \"a\"");
	expect_error("outer:\n  x: 1\n  y: 2\n  x: 3\n", "line 4, column 3: duplicate key \"x\"");
	expect_error("{a: 1, a: 2}", "line 1, column 8: duplicate key \"a\"");
	/* Different YAML keys, one JSON key. */
	expect_error("1: a\n'1': b\n", "duplicate key \"1\"");
	/* The same key in different mappings is fine. */
	expect_json("a: {a: {a: 1}}\nb: [{a: 1}, {a: 2}]\n",
		    "{\"a\": {\"a\": {\"a\": 1}}, \"b\": [{\"a\": 1}, {\"a\": 2}]}");
}

static void test_keys(void **state)
{
	static const char *const order[] = { "200", "404", "default", "null", "true", "1.5", NULL };
	json_t *v;

	(void)state;
	v = parse("200: ok\n404: missing\ndefault: other\nnull: n\ntrue: t\n1.5: f\n");
	expect_keys(v, order);
	assert_string_equal(json_string_value(json_object_get(v, "200")), "ok");
	assert_string_equal(json_string_value(json_object_get(v, "null")), "n");
	json_decref(v);
	expect_json("\"quoted key\": 1\n? explicit\n: 2\n", "{\"quoted key\": 1, \"explicit\": 2}");
	expect_error("? [a, b]\n: 1\n", "line 1, column 3: mapping keys must be scalars");
	expect_error("{? {a: 1}: 2}", "mapping keys must be scalars");
	expect_error("\"a\\0b\": 1\n", "mapping key contains a NUL character");
}

static void test_rejected(void **state)
{
	static const char bad_utf8[] = "a: \xff\xfe\n";

	(void)state;
	expect_error("x: &a 1\ny: *a\n", "line 2, column 4: aliases are not supported");
	expect_error("base: &b {x: 1}\nderived:\n  <<: *b\n", "line 3, column 7: aliases are not supported");
	expect_error("--- 1\n--- 2\n", "line 2, column 1: more than one document");
	expect_error("a: !custom x\n", "line 1, column 4: unsupported tag !custom");
	expect_error("!!set {a, b}", "unsupported tag tag:yaml.org,2002:set");
	expect_error("!!map [1]", "unsupported tag");
	expect_error("!!int abc", "line 1, column 1: value does not match its tag");
	expect_error("!!bool 1", "does not match its tag");
	expect_error_n(bad_utf8, sizeof bad_utf8 - 1, ERR_INVALID, "UTF-8");
	expect_error_n(NULL, 3, ERR_INVALID, "no YAML text");
}

static void test_depth_limit(void **state)
{
	enum { DEEP = 100000 };
	char *buf;
	size_t n;

	(void)state;
	buf = malloc(5 * (YAMLJSON_MAX_DEPTH + 1) + DEEP);
	assert_non_null(buf);
	/* Exactly the limit converts; one more is refused. */
	n = 0;
	for (int i = 0; i < YAMLJSON_MAX_DEPTH; i++)
		buf[n++] = '[';
	for (int i = 0; i < YAMLJSON_MAX_DEPTH; i++)
		buf[n++] = ']';
	json_decref(parse_n(buf, n));
	n = 0;
	for (int i = 0; i < YAMLJSON_MAX_DEPTH + 1; i++) {
		memcpy(buf + n, "{a: ", 4);
		n += 4;
	}
	buf[n++] = '1';
	for (int i = 0; i < YAMLJSON_MAX_DEPTH + 1; i++)
		buf[n++] = '}';
	expect_error_n(buf, n, ERR_INVALID, "nested too deeply");
	/* Far past it: refused without exhausting the stack. */
	memset(buf, '[', DEEP);
	expect_error_n(buf, DEEP, ERR_INVALID, "nested too deeply");
	free(buf);
}

static void test_length_not_nul(void **state)
{
	static const char text[] = "a: 1XYZ: not part of it";
	struct err_detail d = { 0 };
	json_t *v;

	(void)state;
	v = parse_n(text, 4);
	assert_int_equal(json_integer_value(json_object_get(v, "a")), 1);
	assert_int_equal(json_object_size(v), 1);
	json_decref(v);
	/* d may be NULL, on success and on failure. */
	assert_int_equal(yamljson_parse("a: 1", 4, &v, NULL), ERR_OK);
	json_decref(v);
	assert_int_equal(yamljson_parse("[", 1, &v, NULL), ERR_INVALID);
	assert_null(v);
	assert_int_equal(yamljson_parse("[", 1, &v, &d), ERR_INVALID);
	assert_non_null(strstr(d.detail, "line "));
}

/* Fault injection: jansson's allocator fails once `budget` allocations are used. */
static long budget;

static void *tight_malloc(size_t n)
{
	if (budget <= 0)
		return NULL;
	budget--;
	return malloc(n);
}

static void test_nomem(void **state)
{
	static const char doc[] = "openapi: 3.1.0\n"
				  "info: {title: T, version: '1'}\n"
				  "paths:\n"
				  "  /a:\n"
				  "    get:\n"
				  "      responses:\n"
				  "        '200': {description: ok}\n"
				  "        404: {description: \"no\"}\n"
				  "list: [1, 2.5, x, true, ~, [y, z], {k1: 1, k2: 2, k3: 3, k4: 4, k5: 5, k6: 6, k7: 7,"
				  " k8: 8, k9: 9}]\n";
	struct err_detail d;
	json_t *v;
	enum err rc;
	long limit;

	(void)state;
	for (limit = 0;; limit++) {
		memset(&d, 0, sizeof d);
		budget = limit;
		json_set_alloc_funcs(tight_malloc, free);
		rc = yamljson_parse(doc, sizeof doc - 1, &v, &d);
		json_set_alloc_funcs(malloc, free);
		if (rc == ERR_OK)
			break;
		assert_int_equal(rc, ERR_NOMEM);
		assert_null(v);
		assert_true(limit < 10000);
	}
	assert_true(limit > 10); /* the loop did exercise failures */
	assert_int_equal(json_integer_value(json_array_get(json_object_get(v, "list"), 0)), 1);
	json_decref(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_scalar_styles),
		cmocka_unit_test(test_block_literal),
		cmocka_unit_test(test_quoted_stay_strings),
		cmocka_unit_test(test_core_schema),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_empty_document),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_duplicate_key),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_rejected),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_length_not_nul),
		cmocka_unit_test(test_nomem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
