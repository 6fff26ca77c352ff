/* Unit tests for domain/authz.h: the permission table of DESIGN.md §4, cell
 * by cell. The expected table below is transcribed from DESIGN.md, not from
 * authz.c:
 *
 * | permission                         | Viewer | Tech      | Dispatcher      | Admin | Owner |
 * | read calls, follow-ups, contacts   | yes    | own jobs' | yes             | yes   | yes   |
 * | download (attachments, print card) | no     | own jobs' | yes, no exports | yes   | yes   |
 * | edit calls, tags, ..., SMS, bulk   | no     | own jobs' | yes             | yes   | yes   |
 * | exports                            | no     | no        | no              | yes   | yes   |
 * | settings, blocked, DNC import, users | no   | no        | no              | yes   | yes   |
 * | contact a DNC number (override)    | no     | no        | no              | no    | yes   |
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "domain/authz.h"

enum cell { NO, YES, OWN };

static const char *const act_names[ACT__COUNT] = {
	[ACT_READ] = "read", [ACT_DOWNLOAD] = "download", [ACT_EDIT] = "edit",
	[ACT_EXPORT] = "export", [ACT_SETTINGS] = "settings", [ACT_DNC_OVERRIDE] = "dnc-override",
};

/* expected[role][action] */
static const enum cell expected[ROLE_OWNER + 1][ACT__COUNT] = {
	/*                  READ DOWNLOAD EDIT EXPORT SETTINGS DNC_OVERRIDE */
	[ROLE_NONE]       = {NO, NO, NO, NO, NO, NO},
	[ROLE_VIEWER]     = {YES, NO, NO, NO, NO, NO},
	[ROLE_TECH]       = {OWN, OWN, OWN, NO, NO, NO},
	[ROLE_DISPATCHER] = {YES, YES, YES, NO, NO, NO},
	[ROLE_ADMIN]      = {YES, YES, YES, YES, YES, NO},
	[ROLE_OWNER]      = {YES, YES, YES, YES, YES, YES},
};

static struct principal principal_of(enum role r)
{
	struct principal p;
	memset(&p, 0, sizeof p);
	p.role = r;
	return p;
}

static void test_role_may_table(void **state)
{
	(void)state;
	for (int r = ROLE_NONE; r <= ROLE_OWNER; r++)
		for (int a = 0; a < ACT__COUNT; a++) {
			bool want = expected[r][a] != NO;
			if (authz_role_may((enum role)r, (enum action)a) != want)
				fail_msg("role_may(%s, %s) = %d, want %d", role_name((enum role)r), act_names[a], !want,
					 want);
		}
}

static void test_row_scoped_table(void **state)
{
	(void)state;
	for (int r = ROLE_NONE; r <= ROLE_OWNER; r++)
		for (int a = 0; a < ACT__COUNT; a++) {
			bool want = expected[r][a] == OWN;
			if (authz_row_scoped((enum role)r, (enum action)a) != want)
				fail_msg("row_scoped(%s, %s) = %d, want %d", role_name((enum role)r), act_names[a],
					 !want, want);
		}
	/* Spelled out: only Tech, only read/download/edit. */
	assert_true(authz_row_scoped(ROLE_TECH, ACT_READ));
	assert_true(authz_row_scoped(ROLE_TECH, ACT_DOWNLOAD));
	assert_true(authz_row_scoped(ROLE_TECH, ACT_EDIT));
	assert_false(authz_row_scoped(ROLE_TECH, ACT_EXPORT));
	assert_false(authz_row_scoped(ROLE_DISPATCHER, ACT_READ));
	assert_false(authz_row_scoped(ROLE_VIEWER, ACT_READ));
}

static void test_row_may_table(void **state)
{
	(void)state;
	for (int r = ROLE_NONE; r <= ROLE_OWNER; r++)
		for (int a = 0; a < ACT__COUNT; a++) {
			struct principal p = principal_of((enum role)r);
			struct row_scope own = {.on_own_job = true}, other = {.on_own_job = false};
			bool want_own = expected[r][a] != NO;
			bool want_other = expected[r][a] == YES;
			if (authz_row_may(&p, (enum action)a, &own) != want_own)
				fail_msg("row_may(%s, %s, own job) = %d, want %d", role_name(p.role), act_names[a],
					 !want_own, want_own);
			if (authz_row_may(&p, (enum action)a, &other) != want_other)
				fail_msg("row_may(%s, %s, other job) = %d, want %d", role_name(p.role), act_names[a],
					 !want_other, want_other);
		}
}

/* No scope at all: only unscoped permissions hold; a Tech gets nothing. */
static void test_row_may_null_scope(void **state)
{
	(void)state;
	for (int r = ROLE_NONE; r <= ROLE_OWNER; r++)
		for (int a = 0; a < ACT__COUNT; a++) {
			struct principal p = principal_of((enum role)r);
			bool want = expected[r][a] == YES;
			if (authz_row_may(&p, (enum action)a, NULL) != want)
				fail_msg("row_may(%s, %s, NULL) = %d, want %d", role_name(p.role), act_names[a], !want,
					 want);
		}
}

/* The rest of the principal (workspace, session or token) does not change
 * the answer. */
static void test_row_may_ignores_rest_of_principal(void **state)
{
	(void)state;
	struct principal p = principal_of(ROLE_TECH);
	memcpy(p.workspace_slug, "acme", 5);
	memcpy(p.email, "t@example.com", 14);
	p.via_session = true;
	struct row_scope own = {.on_own_job = true}, other = {.on_own_job = false};
	assert_true(authz_row_may(&p, ACT_EDIT, &own));
	assert_false(authz_row_may(&p, ACT_EDIT, &other));
	p.via_session = false;
	assert_true(authz_row_may(&p, ACT_EDIT, &own));
	assert_false(authz_row_may(&p, ACT_EDIT, &other));
}

static void test_out_of_range(void **state)
{
	(void)state;
	struct row_scope own = {.on_own_job = true};
	for (int a = 0; a < ACT__COUNT; a++) {
		assert_false(authz_role_may((enum role)(ROLE_OWNER + 1), (enum action)a));
		assert_false(authz_role_may((enum role)-1, (enum action)a));
		assert_false(authz_row_scoped((enum role)99, (enum action)a));
		struct principal p = principal_of((enum role)99);
		assert_false(authz_row_may(&p, (enum action)a, &own));
	}
	for (int r = ROLE_NONE; r <= ROLE_OWNER; r++) {
		struct principal p = principal_of((enum role)r);
		assert_false(authz_role_may((enum role)r, ACT__COUNT));
		assert_false(authz_role_may((enum role)r, (enum action)-1));
		assert_false(authz_row_scoped((enum role)r, ACT__COUNT));
		assert_false(authz_row_may(&p, ACT__COUNT, &own));
		assert_false(authz_row_may(&p, (enum action)1000, &own));
	}
}

static void test_role_names(void **state)
{
	(void)state;
	assert_string_equal(role_name(ROLE_NONE), "none");
	assert_string_equal(role_name(ROLE_VIEWER), "viewer");
	assert_string_equal(role_name(ROLE_TECH), "tech");
	assert_string_equal(role_name(ROLE_DISPATCHER), "dispatcher");
	assert_string_equal(role_name(ROLE_ADMIN), "admin");
	assert_string_equal(role_name(ROLE_OWNER), "owner");
	assert_string_equal(role_name((enum role)42), "none");
	assert_string_equal(role_name((enum role)-1), "none");
}

static void test_role_parse(void **state)
{
	(void)state;
	assert_int_equal(role_parse("viewer"), ROLE_VIEWER);
	assert_int_equal(role_parse("tech"), ROLE_TECH);
	assert_int_equal(role_parse("dispatcher"), ROLE_DISPATCHER);
	assert_int_equal(role_parse("admin"), ROLE_ADMIN);
	assert_int_equal(role_parse("owner"), ROLE_OWNER);
	for (int r = ROLE_NONE; r <= ROLE_OWNER; r++)
		assert_int_equal(role_parse(role_name((enum role)r)), r);
}

static void test_role_parse_unknown(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"", "none", "Owner", "OWNER", "Admin", " owner", "owner ", "owner\n", "own", "owners",
		"ownerx", "superuser", "root", "technician", "view", "0", "5", "dispatch", "admin\t",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (role_parse(bad[i]) != ROLE_NONE)
			fail_msg("role_parse(\"%s\") = %d, want ROLE_NONE", bad[i], (int)role_parse(bad[i]));
	assert_int_equal(role_parse(NULL), ROLE_NONE);
	/* ROLE_NONE may nothing, so an unknown role string grants nothing. */
	for (int a = 0; a < ACT__COUNT; a++)
		assert_false(authz_role_may(role_parse("superuser"), (enum action)a));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_role_may_table),
		cmocka_unit_test(test_row_scoped_table),
		cmocka_unit_test(test_row_may_table),
		cmocka_unit_test(test_row_may_null_scope),
		cmocka_unit_test(test_row_may_ignores_rest_of_principal),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_role_names),
		cmocka_unit_test(test_role_parse),
		cmocka_unit_test(test_role_parse_unknown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
