/* Unit tests for the pure parts of messaging: exact SMS segment counting
 * (domain/segments.h), template variables and rendering
 * (domain/templates.h) and compliance keyword parsing
 * (domain/messaging_keywords.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "domain/messaging_keywords.h"
#include "domain/segments.h"
#include "domain/templates.h"

/* n copies of s, then tail, into out. */
static const char *rep(char *out, size_t cap, const char *s, int n, const char *tail)
{
	size_t k = strlen(s), len = 0;
	for (int i = 0; i < n; i++, len += k)
		memcpy(out + len, s, k);
	size_t t = strlen(tail);
	assert_true(len + t < cap);
	memcpy(out + len, tail, t + 1);
	return out;
}

static void cat(char *out, size_t cap, const char *s)
{
	size_t len = strlen(out), k = strlen(s);
	assert_true(len + k < cap);
	memcpy(out + len, s, k + 1);
}

static struct sms_count count(const char *s)
{
	struct sms_count c;
	assert_true(sms_count(s, strlen(s), &c));
	return c;
}

static void test_gsm_single_and_multi(void **state)
{
	(void)state;
	char b[8192];
	struct sms_count c = count(rep(b, sizeof b, "a", 160, ""));
	assert_int_equal(c.encoding, SMS_GSM7);
	assert_int_equal(c.units, 160);
	assert_int_equal(c.segments, 1);
	assert_int_equal(count(rep(b, sizeof b, "a", 161, "")).segments, 2);
	assert_int_equal(count(rep(b, sizeof b, "a", 306, "")).segments, 2); /* 2 x 153 */
	assert_int_equal(count(rep(b, sizeof b, "a", 307, "")).segments, 3);
	assert_int_equal(count(rep(b, sizeof b, "a", 459, "")).segments, 3);
	assert_int_equal(count(rep(b, sizeof b, "a", 460, "")).segments, 4);
	assert_int_equal(count("").segments, 0);
	assert_string_equal(sms_encoding_name(SMS_GSM7), "GSM-7");
	/* GSM-7 letters outside ASCII stay GSM-7: é ü Ñ £ Δ */
	c = count("caf\xc3\xa9 \xc3\xbc \xc3\x91 \xc2\xa3 \xce\x94");
	assert_int_equal(c.encoding, SMS_GSM7);
	assert_int_equal(c.units, 12);
}

static void test_gsm_extension_characters(void **state)
{
	(void)state;
	char b[8192];
	const char *ext[] = {"^", "{", "}", "\\", "[", "~", "]", "|", "\xe2\x82\xac" /* € */};
	for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
		struct sms_count c = count(ext[i]);
		assert_int_equal(c.encoding, SMS_GSM7);
		assert_int_equal(c.units, 2);
		assert_int_equal(c.chars, 1);
	}
	/* 158 + one extension = 160 units: one segment; 159 + one = 161: two. */
	assert_int_equal(count(rep(b, sizeof b, "a", 158, "{")).segments, 1);
	assert_int_equal(count(rep(b, sizeof b, "a", 159, "\xe2\x82\xac")).segments, 2);
	/* An escape pair is never split: 152 + ^ + 152 = 306 units, yet three segments. */
	char t[8192];
	rep(t, sizeof t, "a", 152, "^");
	rep(b, sizeof b, "a", 152, "");
	cat(t, sizeof t, b);
	struct sms_count c = count(t);
	assert_int_equal(c.units, 306);
	assert_int_equal(c.segments, 3);
	/* ... while 153 + ^ + 151 fits two (153 | 2 + 151). */
	rep(t, sizeof t, "a", 153, "^");
	rep(b, sizeof b, "a", 151, "");
	cat(t, sizeof t, b);
	assert_int_equal(count(t).segments, 2);
}

static void test_ucs2(void **state)
{
	(void)state;
	char b[8192];
	const char *zhe = "\xd0\xb6"; /* ж: not GSM-7 */
	struct sms_count c = count(rep(b, sizeof b, zhe, 70, ""));
	assert_int_equal(c.encoding, SMS_UCS2);
	assert_int_equal(c.segments, 1);
	assert_int_equal(count(rep(b, sizeof b, zhe, 71, "")).segments, 2);
	assert_int_equal(count(rep(b, sizeof b, zhe, 134, "")).segments, 2); /* 2 x 67 */
	assert_int_equal(count(rep(b, sizeof b, zhe, 135, "")).segments, 3);
	/* One non-GSM character turns the whole message UCS-2: 100 + ç = 101 units. */
	c = count(rep(b, sizeof b, "a", 100, "\xc3\xa7"));
	assert_int_equal(c.encoding, SMS_UCS2);
	assert_int_equal(c.units, 101);
	assert_int_equal(c.segments, 2);
	assert_string_equal(sms_encoding_name(SMS_UCS2), "UCS-2");
}

static void test_emoji_surrogate_pairs(void **state)
{
	(void)state;
	char b[8192], t[8192];
	const char *grin = "\xf0\x9f\x98\x80"; /* U+1F600: a surrogate pair */
	struct sms_count c = count(grin);
	assert_int_equal(c.encoding, SMS_UCS2);
	assert_int_equal(c.units, 2);
	assert_int_equal(c.chars, 1);
	assert_int_equal(count(rep(b, sizeof b, "a", 68, grin)).segments, 1);  /* 70 units */
	assert_int_equal(count(rep(b, sizeof b, "a", 69, grin)).segments, 2);  /* 71 units */
	/* A pair is never split: 66 + pair + 66 = 134 units, three segments. */
	rep(t, sizeof t, "a", 66, grin);
	rep(b, sizeof b, "a", 66, "");
	cat(t, sizeof t, b);
	c = count(t);
	assert_int_equal(c.units, 134);
	assert_int_equal(c.segments, 3);
	assert_int_equal(c.chars, 133);
}

static void test_invalid_utf8(void **state)
{
	(void)state;
	struct sms_count c;
	assert_false(sms_count("\xc3", 1, &c));
	assert_false(sms_count("\xed\xa0\x80", 3, &c)); /* a lone surrogate */
	assert_false(sms_count("\xc0\xaf", 2, &c));     /* overlong */
	assert_false(sms_count("\xff", 1, &c));
}

static const char *vars_lookup(void *ctx, const char *name)
{
	const char *const *kv = ctx;
	for (; kv[0]; kv += 2)
		if (!strcmp(kv[0], name))
			return kv[1];
	return NULL;
}

static void test_template_variables(void **state)
{
	(void)state;
	char names[TPL_MAX_VARS][TPL_VAR_MAX];
	int n = tpl_variables("Hi {{customerName}}, {{ jobTime }} {{customerName}} {{bad name}} {{}} {x} {{a_1}}", names,
			      TPL_MAX_VARS);
	assert_int_equal(n, 3);
	assert_string_equal(names[0], "customerName");
	assert_string_equal(names[1], "jobTime");
	assert_string_equal(names[2], "a_1");
	assert_int_equal(tpl_variables("no variables", names, TPL_MAX_VARS), 0);
}

static void test_template_render(void **state)
{
	(void)state;
	const char *kv[] = {"customerName", "Ann", "jobTime", "3 pm", "empty", "", NULL};
	char missing[TPL_VAR_MAX];
	struct buf b;
	buf_init(&b, 4096);
	assert_int_equal(tpl_render("Hi {{customerName}}, see you at {{ jobTime }}.{{empty}} {{not a var}} {", NULL,
				    vars_lookup, kv, &b, missing),
			 ERR_OK);
	assert_string_equal(buf_cstr(&b), "Hi Ann, see you at 3 pm. {{not a var}} {");
	buf_cleanup(&b);
	buf_init(&b, 4096);
	assert_int_equal(tpl_render("Hi {{customerName}} at {{eta}} by {{techName}}", NULL, vars_lookup, kv, &b, missing),
			 ERR_NOT_FOUND);
	assert_string_equal(missing, "eta");
	buf_cleanup(&b);
	buf_init(&b, 8);
	assert_int_equal(tpl_render("far too long for eight bytes", NULL, vars_lookup, kv, &b, missing), ERR_TOO_LARGE);
	buf_cleanup(&b);
}

/* A missing variable with a default renders its default (itself a template);
 * the contract's { template: general, variables: { customerName, jobTime } }. */
static void test_template_defaults(void **state)
{
	(void)state;
	const struct sms_template *g = tpl_builtin("general");
	const char *contract[] = {"customerName", "Ann", "jobTime", "3 pm", "businessName", "acme", NULL};
	const char *own[] = {"customerName", "Ann", "message", "Your tech is booked.", "businessName", "acme", NULL};
	const char *neither[] = {"customerName", "Ann", "businessName", "acme", NULL};
	char missing[TPL_VAR_MAX];
	struct buf b;
	buf_init(&b, 4096);
	assert_int_equal(tpl_render(g->body, g->defaults, vars_lookup, contract, &b, missing), ERR_OK);
	assert_string_equal(buf_cstr(&b), "Hi Ann, this is acme. We have you scheduled for 3 pm. Reply here with any questions.");
	buf_cleanup(&b);
	buf_init(&b, 4096);
	assert_int_equal(tpl_render(g->body, g->defaults, vars_lookup, own, &b, missing), ERR_OK);
	assert_string_equal(buf_cstr(&b), "Hi Ann, this is acme. Your tech is booked.");
	buf_cleanup(&b);
	buf_init(&b, 4096);
	assert_int_equal(tpl_render(g->body, g->defaults, vars_lookup, neither, &b, missing), ERR_NOT_FOUND);
	assert_string_equal(missing, "message"); /* named as the template's variable, not its default's */
	buf_cleanup(&b);
	buf_init(&b, 4096);
	assert_int_equal(tpl_render(g->body, NULL, vars_lookup, contract, &b, missing), ERR_NOT_FOUND);
	assert_string_equal(missing, "message");
	buf_cleanup(&b);
}

static void test_builtins(void **state)
{
	(void)state;
	const char *want[] = {"general", "missed-call-text-back", "on-my-way", "appointment-confirmation",
			      "estimate-follow-up", "review-request"};
	size_t n;
	const struct sms_template *t = tpl_builtins(&n);
	assert_int_equal(n, 6);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(t[i].id, want[i]);
		assert_true(t[i].builtin);
		assert_true(!strcmp(t[i].category, "transactional") || !strcmp(t[i].category, "marketing"));
		assert_ptr_equal(tpl_builtin(want[i]), &t[i]);
	}
	assert_string_equal(tpl_builtin("review-request")->category, "marketing");
	assert_null(tpl_builtin("nope"));
	assert_null(tpl_builtin(NULL));
}

static void test_keywords(void **state)
{
	(void)state;
	const char *stop[] = {"STOP", "stop", " Stop \n", "STOPALL", "unsubscribe", "Cancel", "end", "QUIT",
			      "revoke", "OptOut", "\tSTOP\r\n"};
	for (size_t i = 0; i < sizeof stop / sizeof stop[0]; i++)
		assert_int_equal(sms_keyword_parse(stop[i]), KW_STOP);
	const char *start[] = {"START", "yes", " Unstop "};
	for (size_t i = 0; i < sizeof start / sizeof start[0]; i++)
		assert_int_equal(sms_keyword_parse(start[i]), KW_START);
	assert_int_equal(sms_keyword_parse("help"), KW_HELP);
	assert_int_equal(sms_keyword_parse(" INFO "), KW_HELP);
	const char *none[] = {"", "   ", "STOP.", "stop please", "please stop", "STOPP", "yes!", "s t o p", "HELPME"};
	for (size_t i = 0; i < sizeof none / sizeof none[0]; i++)
		assert_int_equal(sms_keyword_parse(none[i]), KW_NONE);
	assert_int_equal(sms_keyword_parse(NULL), KW_NONE);
	assert_string_equal(sms_keyword_name(KW_STOP), "stop");
	assert_null(sms_keyword_name(KW_NONE));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gsm_single_and_multi), cmocka_unit_test(test_gsm_extension_characters),
		cmocka_unit_test(test_ucs2),                 cmocka_unit_test(test_emoji_surrogate_pairs),
		cmocka_unit_test(test_invalid_utf8),         cmocka_unit_test(test_template_variables),
		cmocka_unit_test(test_template_render),      cmocka_unit_test(test_template_defaults),
		cmocka_unit_test(test_builtins),
		cmocka_unit_test(test_keywords),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
