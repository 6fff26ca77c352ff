/* Unit tests for core/cidr.h: IPv4 and IPv6 lists, host entries, prefix
 * boundaries, IPv4-mapped IPv6, and malformed lists. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>

#include "core/cidr.h"

static struct cidr_list parse_ok(const char *text)
{
	struct cidr_list l;
	struct err_detail d = {0};
	assert_int_equal(cidr_list_parse(text, &l, &d), ERR_OK);
	return l;
}

static void test_empty(void **state)
{
	(void)state;
	struct cidr_list l = parse_ok("");
	assert_int_equal(l.n, 0);
	assert_false(cidr_list_match(&l, "127.0.0.1"));
	l = parse_ok(NULL);
	assert_int_equal(l.n, 0);
	l = parse_ok(" , ,");
	assert_int_equal(l.n, 0);
}

static void test_ipv4(void **state)
{
	(void)state;
	struct cidr_list l = parse_ok("10.0.0.0/8, 192.168.1.7 172.16.0.0/12,0.0.0.0/32");
	assert_int_equal(l.n, 4);
	assert_true(cidr_list_match(&l, "10.0.0.0"));
	assert_true(cidr_list_match(&l, "10.255.255.255"));
	assert_false(cidr_list_match(&l, "11.0.0.0"));
	assert_false(cidr_list_match(&l, "9.255.255.255"));
	assert_true(cidr_list_match(&l, "192.168.1.7"));
	assert_false(cidr_list_match(&l, "192.168.1.8"));
	assert_true(cidr_list_match(&l, "172.31.255.255"));
	assert_false(cidr_list_match(&l, "172.32.0.0"));
	assert_false(cidr_list_match(&l, "127.0.0.1"));
	assert_false(cidr_list_match(&l, "not an address"));
	assert_false(cidr_list_match(&l, NULL));
	assert_false(cidr_list_match(&l, "::1"));
}

static void test_odd_prefixes(void **state)
{
	(void)state;
	struct cidr_list l = parse_ok("203.0.113.64/27");
	assert_true(cidr_list_match(&l, "203.0.113.64"));
	assert_true(cidr_list_match(&l, "203.0.113.95"));
	assert_false(cidr_list_match(&l, "203.0.113.96"));
	assert_false(cidr_list_match(&l, "203.0.113.63"));
	l = parse_ok("0.0.0.0/0");
	assert_true(cidr_list_match(&l, "8.8.8.8"));
	assert_false(cidr_list_match(&l, "2001:db8::1"));
}

static void test_ipv6(void **state)
{
	(void)state;
	struct cidr_list l = parse_ok("2001:db8::/32, ::1, fe80::/10");
	assert_true(cidr_list_match(&l, "2001:db8::1"));
	assert_true(cidr_list_match(&l, "2001:0db8:ffff:ffff::"));
	assert_false(cidr_list_match(&l, "2001:db9::1"));
	assert_true(cidr_list_match(&l, "::1"));
	assert_false(cidr_list_match(&l, "::2"));
	assert_true(cidr_list_match(&l, "febf::1"));
	assert_false(cidr_list_match(&l, "fec0::1"));
	assert_false(cidr_list_match(&l, "10.0.0.1"));
	l = parse_ok("::/0");
	assert_true(cidr_list_match(&l, "2001:db8::1"));
}

static void test_mapped(void **state)
{
	(void)state;
	struct cidr_list l = parse_ok("10.0.0.0/8");
	assert_true(cidr_list_match(&l, "::ffff:10.1.2.3"));
	assert_false(cidr_list_match(&l, "::ffff:11.1.2.3"));
	l = parse_ok("::ffff:192.168.0.0/112");
	assert_true(cidr_list_match(&l, "192.168.44.1"));
	assert_false(cidr_list_match(&l, "192.169.0.1"));
}

static void test_malformed(void **state)
{
	(void)state;
	static const char *const bad[] = {"10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8x",
					  "300.1.1.1", "10.0.0", "example.com", "2001:db8::/3a", "1.2.3.4/0008",
					  "10.0.0.0/8,,bogus", NULL};
	for (int i = 0; bad[i]; i++) {
		struct cidr_list l;
		struct err_detail d = {0};
		assert_int_equal(cidr_list_parse(bad[i], &l, &d), ERR_INVALID);
		assert_true(d.detail[0] != 0);
	}
	char many[40 * 16] = "";
	size_t n = 0;
	for (int i = 0; i < CIDR_MAX + 1; i++)
		n += (size_t)snprintf(many + n, sizeof many - n, "10.0.0.%d,", i);
	struct cidr_list l;
	assert_int_equal(cidr_list_parse(many, &l, NULL), ERR_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),      cmocka_unit_test(test_ipv4),   cmocka_unit_test(test_odd_prefixes),
		cmocka_unit_test(test_ipv6),       cmocka_unit_test(test_mapped), cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
