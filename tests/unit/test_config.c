/* Unit tests for core/config.h: defaults, environment overrides and their
 * errors (which must name the variable), command-line flags in both spellings
 * with unknown arguments left in argv, config_set, the CORS origin list and
 * the default database URL. Every test starts from an environment without
 * SWITCHBOARD_* variables and frees its config, so LeakSanitizer sees every
 * path. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"

extern char **environ;

/* Removes every SWITCHBOARD_* variable (names are copied first: unsetenv
 * rearranges environ). */
static int clean_env(void **state)
{
	(void)state;
	char names[64][128];
	int n = 0;
	for (char **e = environ; e && *e && n < 64; e++) {
		if (strncmp(*e, "SWITCHBOARD_", 12) != 0)
			continue;
		size_t len = strcspn(*e, "=");
		if (len >= sizeof names[0])
			continue;
		memcpy(names[n], *e, len);
		names[n][len] = 0;
		n++;
	}
	for (int i = 0; i < n; i++)
		unsetenv(names[i]);
	return 0;
}

static int teardown_env(void **state)
{
	return clean_env(state);
}

static void test_defaults(void **state)
{
	(void)state;
	struct config c;
	struct err_detail d = {0};
	assert_int_equal(config_load(&c, &d), ERR_OK);
	assert_string_equal(d.detail, "");
	assert_int_equal(c.port, 8080);
	assert_string_equal(c.bind, "127.0.0.1");
	assert_string_equal(c.data_dir, "./data");
	assert_int_equal(c.threads, 0);
	assert_string_equal(c.db_url, "");
	assert_int_equal(c.max_body, 1048576);
	assert_string_equal(c.cors_origins, "");
	assert_string_equal(c.public_url, "");
	assert_int_equal(c.session_idle_min, 720);
	assert_int_equal(c.session_max_hours, 168);
	assert_int_equal(c.login_max_failures, 5);
	assert_int_equal(c.login_window_sec, 900);
	assert_int_equal(c.shutdown_grace_sec, 10);
	assert_int_equal(c.conn_timeout_sec, 60);
	assert_int_equal(c.conn_limit, 4096);
	assert_string_equal(c.log_level, "info");
	assert_true(c.access_log);
	assert_false(c.test_hooks);
	config_cleanup(&c);
	/* Safe twice and on NULL. */
	config_cleanup(&c);
	config_cleanup(NULL);
}

static void test_env_override(void **state)
{
	(void)state;
	setenv("SWITCHBOARD_PORT", "9000", 1);
	setenv("SWITCHBOARD_BIND", "0.0.0.0", 1);
	setenv("SWITCHBOARD_DATA", "/var/lib/sb", 1);
	setenv("SWITCHBOARD_THREADS", "256", 1);
	setenv("SWITCHBOARD_MAX_BODY", "1024", 1);
	setenv("SWITCHBOARD_CORS_ORIGINS", "https://a.example.com", 1);
	setenv("SWITCHBOARD_LOG_LEVEL", "debug", 1);
	setenv("SWITCHBOARD_ACCESS_LOG", "off", 1);
	setenv("SWITCHBOARD_TEST_HOOKS", "1", 1);
	setenv("SWITCHBOARD_DB", "sqlite:/tmp/x.db", 1);
	struct config c;
	struct err_detail d = {0};
	assert_int_equal(config_load(&c, &d), ERR_OK);
	assert_int_equal(c.port, 9000);
	assert_string_equal(c.bind, "0.0.0.0");
	assert_string_equal(c.data_dir, "/var/lib/sb");
	assert_int_equal(c.threads, 256);
	assert_int_equal(c.max_body, 1024);
	assert_string_equal(c.cors_origins, "https://a.example.com");
	assert_string_equal(c.log_level, "debug");
	assert_false(c.access_log);
	assert_true(c.test_hooks);
	assert_string_equal(c.db_url, "sqlite:/tmp/x.db");
	/* Untouched settings keep their defaults. */
	assert_int_equal(c.conn_limit, 4096);
	config_cleanup(&c);

	/* unsetenv restores the default. */
	unsetenv("SWITCHBOARD_PORT");
	assert_int_equal(config_load(&c, &d), ERR_OK);
	assert_int_equal(c.port, 8080);
	config_cleanup(&c);
}

static void test_env_bool_spellings(void **state)
{
	(void)state;
	static const char *const yes[] = {"true", "1", "yes", "on"};
	static const char *const no[] = {"false", "0", "no", "off"};
	for (int i = 0; i < 4; i++) {
		struct config c;
		struct err_detail d = {0};
		setenv("SWITCHBOARD_ACCESS_LOG", no[i], 1);
		assert_int_equal(config_load(&c, &d), ERR_OK);
		assert_false(c.access_log);
		config_cleanup(&c);
		setenv("SWITCHBOARD_ACCESS_LOG", yes[i], 1);
		assert_int_equal(config_load(&c, &d), ERR_OK);
		assert_true(c.access_log);
		config_cleanup(&c);
	}
}

/* Loads with var=value set and expects ERR_INVALID naming var. */
static void expect_env_fail(const char *var, const char *value)
{
	clean_env(NULL);
	setenv(var, value, 1);
	struct config c;
	struct err_detail d = {0};
	enum err rc = config_load(&c, &d);
	if (rc != ERR_INVALID)
		fail_msg("%s=[%s]: %s, want ERR_INVALID", var, value, err_str(rc));
	if (!strstr(d.detail, var))
		fail_msg("%s=[%s]: detail [%s] does not name the variable", var, value, d.detail);
	config_cleanup(&c);
	unsetenv(var);
}

static void expect_env_ok(const char *var, const char *value)
{
	clean_env(NULL);
	setenv(var, value, 1);
	struct config c;
	struct err_detail d = {0};
	enum err rc = config_load(&c, &d);
	if (rc != ERR_OK)
		fail_msg("%s=[%s]: %s (%s), want ERR_OK", var, value, err_str(rc), d.detail);
	config_cleanup(&c);
	unsetenv(var);
}

static void test_env_bounds(void **state)
{
	(void)state;
	expect_env_fail("SWITCHBOARD_PORT", "65536");
	expect_env_fail("SWITCHBOARD_PORT", "-1");
	expect_env_ok("SWITCHBOARD_PORT", "0"); /* any free port */
	expect_env_ok("SWITCHBOARD_PORT", "1");
	expect_env_ok("SWITCHBOARD_PORT", "65535");
	expect_env_fail("SWITCHBOARD_THREADS", "-1");
	expect_env_fail("SWITCHBOARD_THREADS", "257");
	expect_env_ok("SWITCHBOARD_THREADS", "0");
	expect_env_fail("SWITCHBOARD_MAX_BODY", "1023");
	expect_env_fail("SWITCHBOARD_MAX_BODY", "67108865");
	expect_env_ok("SWITCHBOARD_MAX_BODY", "67108864");
	expect_env_fail("SWITCHBOARD_SESSION_IDLE_MIN", "4");
	expect_env_fail("SWITCHBOARD_LOGIN_MAX_FAILURES", "0");
	expect_env_fail("SWITCHBOARD_LOGIN_WINDOW_SEC", "86401");
	expect_env_fail("SWITCHBOARD_SHUTDOWN_GRACE_SEC", "601");
	expect_env_fail("SWITCHBOARD_CONN_TIMEOUT_SEC", "0");
	expect_env_fail("SWITCHBOARD_CONN_LIMIT", "15");
	expect_env_fail("SWITCHBOARD_SESSION_MAX_HOURS", "8761");
}

static void test_env_not_a_number(void **state)
{
	(void)state;
	expect_env_fail("SWITCHBOARD_PORT", "abc");
	expect_env_fail("SWITCHBOARD_PORT", "");
	expect_env_fail("SWITCHBOARD_PORT", "9000x");
	expect_env_fail("SWITCHBOARD_PORT", "90.5");
	expect_env_fail("SWITCHBOARD_PORT", "9000 ");
	expect_env_fail("SWITCHBOARD_PORT", "0x1f90");
	expect_env_fail("SWITCHBOARD_PORT", "99999999999999999999999");
	expect_env_fail("SWITCHBOARD_THREADS", "four");
	expect_env_fail("SWITCHBOARD_ACCESS_LOG", "maybe");
	expect_env_fail("SWITCHBOARD_ACCESS_LOG", "");
	expect_env_fail("SWITCHBOARD_ACCESS_LOG", "TRUE");
	expect_env_fail("SWITCHBOARD_TEST_HOOKS", "2");
}

/* Errors caught by the whole-config check after loading. */
static void test_env_invalid_values(void **state)
{
	(void)state;
	static const char *const vars[][2] = {
		{"SWITCHBOARD_LOG_LEVEL", "verbose"},
		{"SWITCHBOARD_DATA", ""},
		{"SWITCHBOARD_DB", "postgres://localhost/sb"},
	};
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
		clean_env(NULL);
		setenv(vars[i][0], vars[i][1], 1);
		struct config c;
		struct err_detail d = {0};
		enum err rc = config_load(&c, &d);
		if (rc != ERR_INVALID)
			fail_msg("%s=[%s]: %s, want ERR_INVALID", vars[i][0], vars[i][1], err_str(rc));
		assert_true(d.detail[0] != 0);
		config_cleanup(&c);
	}
}

/* config.h: "Defaults, then environment. Errors name the variable." The
 * checks done after loading (validate() in config.c) name the setting
 * ("log-level: ...") rather than the variable that supplied it. */
static void known_bug_validate_names_variable(void **state)
{
	(void)state;
	expect_env_fail("SWITCHBOARD_LOG_LEVEL", "verbose");
	expect_env_fail("SWITCHBOARD_DATA", "");
	expect_env_fail("SWITCHBOARD_DB", "postgres://localhost/sb");
}

/* argv from string literals, writable as config_parse_flags needs. */
struct args {
	char store[12][64];
	char *argv[13];
	int argc;
};

static void args_make(struct args *a, const char *const *list)
{
	memset(a, 0, sizeof *a);
	for (; list[a->argc]; a->argc++) {
		snprintf(a->store[a->argc], sizeof a->store[0], "%s", list[a->argc]);
		a->argv[a->argc] = a->store[a->argc];
	}
	a->argv[a->argc] = NULL;
}

static void expect_argv(const struct args *a, const char *const *want)
{
	int n = 0;
	while (want[n])
		n++;
	if (a->argc != n)
		fail_msg("argc %d, want %d", a->argc, n);
	for (int i = 0; i < n; i++)
		if (strcmp(a->argv[i], want[i]) != 0)
			fail_msg("argv[%d] = %s, want %s", i, a->argv[i], want[i]);
	assert_null(a->argv[n]);
}

static void test_flags_space_and_equals(void **state)
{
	(void)state;
	struct config c;
	struct err_detail d = {0};
	assert_int_equal(config_load(&c, &d), ERR_OK);

	struct args a;
	args_make(&a, (const char *const[]){"switchboard", "--port", "9000", NULL});
	assert_int_equal(config_parse_flags(&c, CFG_FLAG_SERVE, &a.argc, a.argv, &d), ERR_OK);
	assert_int_equal(c.port, 9000);
	expect_argv(&a, (const char *const[]){"switchboard", NULL});

	args_make(&a, (const char *const[]){"switchboard", "--port=9001", NULL});
	assert_int_equal(config_parse_flags(&c, CFG_FLAG_SERVE, &a.argc, a.argv, &d), ERR_OK);
	assert_int_equal(c.port, 9001);
	expect_argv(&a, (const char *const[]){"switchboard", NULL});

	args_make(&a, (const char *const[]){"sb", "--bind", "0.0.0.0", "--data=/srv/sb", "--max-body=2048",
					     "--cors-origins", "https://x.example", NULL});
	assert_int_equal(config_parse_flags(&c, CFG_FLAG_SERVE, &a.argc, a.argv, &d), ERR_OK);
	assert_string_equal(c.bind, "0.0.0.0");
	assert_string_equal(c.data_dir, "/srv/sb");
	assert_int_equal(c.max_body, 2048);
	assert_string_equal(c.cors_origins, "https://x.example");
	expect_argv(&a, (const char *const[]){"sb", NULL});

	/* A value may itself contain '='. */
	args_make(&a, (const char *const[]){"sb", "--public-url=https://h.example/?a=b", NULL});
	assert_int_equal(config_parse_flags(&c, CFG_FLAG_SERVE, &a.argc, a.argv, &d), ERR_OK);
	assert_string_equal(c.public_url, "https://h.example/?a=b");
	config_cleanup(&c);
}

static void test_flags_unknown_left(void **state)
{
	(void)state;
	struct config c;
	struct err_detail d = {0};
	assert_int_equal(config_load(&c, &d), ERR_OK);
	struct args a;
	args_make(&a, (const char *const[]){"switchboard", "serve", "--verbose", "--port", "9000", "-x", "file.txt",
					     "--portx=1", "--po=2", "--", "--threads=3", NULL});
	assert_int_equal(config_parse_flags(&c, CFG_FLAG_SERVE, &a.argc, a.argv, &d), ERR_OK);
	assert_int_equal(c.port, 9000);
	assert_int_equal(c.threads, 3);
	expect_argv(&a, (const char *const[]){"switchboard", "serve", "--verbose", "-x", "file.txt", "--portx=1",
					      "--po=2", "--", NULL});
	config_cleanup(&c);
}

/* Flags of other groups are not taken: they stay in argv, untouched. */
static void test_flags_other_group(void **state)
{
	(void)state;
	struct config c;
	struct err_detail d = {0};
	assert_int_equal(config_load(&c, &d), ERR_OK);
	struct args a;
	args_make(&a, (const char *const[]){"sb", "--port=9000", "--data=/d", "--db", "sqlite:/d/x.db", "--test-hooks",
					     NULL});
	assert_int_equal(config_parse_flags(&c, CFG_FLAG_DATA, &a.argc, a.argv, &d), ERR_OK);
	assert_int_equal(c.port, 8080);
	assert_string_equal(c.data_dir, "/d");
	assert_string_equal(c.db_url, "sqlite:/d/x.db");
	assert_false(c.test_hooks); /* never a flag */
	expect_argv(&a, (const char *const[]){"sb", "--port=9000", "--test-hooks", NULL});
	config_cleanup(&c);
}

static void test_flags_missing_value(void **state)
{
	(void)state;
	struct config c;
	struct err_detail d = {0};
	assert_int_equal(config_load(&c, &d), ERR_OK);
	struct args a;
	args_make(&a, (const char *const[]){"sb", "--port", NULL});
	assert_int_equal(config_parse_flags(&c, CFG_FLAG_SERVE, &a.argc, a.argv, &d), ERR_INVALID);
	assert_non_null(strstr(d.detail, "--port"));
	assert_int_equal(c.port, 8080);

	memset(&d, 0, sizeof d);
	args_make(&a, (const char *const[]){"sb", "--bind", NULL});
	assert_int_equal(config_parse_flags(&c, CFG_FLAG_SERVE, &a.argc, a.argv, &d), ERR_INVALID);
	assert_non_null(strstr(d.detail, "--bind"));
	config_cleanup(&c);
}

static void test_flags_bad_values(void **state)
{
	(void)state;
	struct config c;
	struct err_detail d = {0};
	assert_int_equal(config_load(&c, &d), ERR_OK);
	static const char *const bad[] = {"--port=70000", "--port=", "--port=http", "--threads=-4", "--max-body=1",
					  "--access-log=maybe", "--log-level=loud", NULL};
	for (int i = 0; bad[i]; i++) {
		struct args a;
		memset(&d, 0, sizeof d);
		args_make(&a, (const char *const[]){"sb", bad[i], NULL});
		if (config_parse_flags(&c, CFG_FLAG_SERVE, &a.argc, a.argv, &d) != ERR_INVALID)
			fail_msg("%s accepted", bad[i]);
		assert_true(d.detail[0] != 0);
	}
	/* The number errors name the flag. */
	struct args a;
	args_make(&a, (const char *const[]){"sb", "--port", "65536", NULL});
	memset(&d, 0, sizeof d);
	assert_int_equal(config_parse_flags(&c, CFG_FLAG_SERVE, &a.argc, a.argv, &d), ERR_INVALID);
	assert_non_null(strstr(d.detail, "--port"));
	config_cleanup(&c);
}

static void test_flags_bool(void **state)
{
	(void)state;
	setenv("SWITCHBOARD_ACCESS_LOG", "false", 1);
	struct config c;
	struct err_detail d = {0};
	assert_int_equal(config_load(&c, &d), ERR_OK);
	assert_false(c.access_log);
	struct args a;
	/* A bare bool flag means true and does not eat the next argument. */
	args_make(&a, (const char *const[]){"sb", "--access-log", "serve", NULL});
	assert_int_equal(config_parse_flags(&c, CFG_FLAG_SERVE, &a.argc, a.argv, &d), ERR_OK);
	assert_true(c.access_log);
	expect_argv(&a, (const char *const[]){"sb", "serve", NULL});

	args_make(&a, (const char *const[]){"sb", "--access-log=off", NULL});
	assert_int_equal(config_parse_flags(&c, CFG_FLAG_SERVE, &a.argc, a.argv, &d), ERR_OK);
	assert_false(c.access_log);
	args_make(&a, (const char *const[]){"sb", "--access-log=yes", NULL});
	assert_int_equal(config_parse_flags(&c, CFG_FLAG_SERVE, &a.argc, a.argv, &d), ERR_OK);
	assert_true(c.access_log);
	config_cleanup(&c);
}

/* Flags override the environment; the last occurrence wins. */
static void test_flags_override_env(void **state)
{
	(void)state;
	setenv("SWITCHBOARD_PORT", "7000", 1);
	struct config c;
	struct err_detail d = {0};
	assert_int_equal(config_load(&c, &d), ERR_OK);
	assert_int_equal(c.port, 7000);
	struct args a;
	args_make(&a, (const char *const[]){"sb", "--port=7001", "--port", "7002", NULL});
	assert_int_equal(config_parse_flags(&c, CFG_FLAG_SERVE, &a.argc, a.argv, &d), ERR_OK);
	assert_int_equal(c.port, 7002);
	config_cleanup(&c);
}

static void test_config_set(void **state)
{
	(void)state;
	struct config c;
	struct err_detail d = {0};
	assert_int_equal(config_load(&c, &d), ERR_OK);
	assert_int_equal(config_set(&c, "port", "1234", &d), ERR_OK);
	assert_int_equal(c.port, 1234);
	assert_int_equal(config_set(&c, "log-level", "warn", &d), ERR_OK);
	assert_string_equal(c.log_level, "warn");
	assert_int_equal(config_set(&c, "test-hooks", "true", &d), ERR_OK);
	assert_true(c.test_hooks);

	memset(&d, 0, sizeof d);
	assert_int_equal(config_set(&c, "nope", "1", &d), ERR_INVALID);
	assert_non_null(strstr(d.detail, "nope"));
	memset(&d, 0, sizeof d);
	assert_int_equal(config_set(&c, "port", "65536", &d), ERR_INVALID);
	assert_non_null(strstr(d.detail, "port"));
	assert_int_equal(c.port, 1234);
	memset(&d, 0, sizeof d);
	assert_int_equal(config_set(&c, "", "1", &d), ERR_INVALID);
	config_cleanup(&c);
}

static void expect_origin(const struct config *c, const char *origin, bool want)
{
	if (config_origin_allowed(c, origin, strlen(origin)) != want)
		fail_msg("origin [%s] with list [%s]: %d, want %d", origin, c->cors_origins, !want, want);
}

static void test_origin_allowed(void **state)
{
	(void)state;
	setenv("SWITCHBOARD_CORS_ORIGINS", "https://app.example.com,https://admin.example.com", 1);
	struct config c;
	struct err_detail d = {0};
	assert_int_equal(config_load(&c, &d), ERR_OK);
	expect_origin(&c, "https://app.example.com", true);
	expect_origin(&c, "https://admin.example.com", true);
	expect_origin(&c, "https://app.example", false);            /* prefix */
	expect_origin(&c, "https://app.example.co", false);
	expect_origin(&c, "https://app.example.com.evil.net", false); /* extension */
	expect_origin(&c, "https://app.example.comhttps://admin.example.com", false);
	expect_origin(&c, "https://app.example.com,https://admin.example.com", false);
	expect_origin(&c, "http://app.example.com", false);
	expect_origin(&c, "HTTPS://APP.EXAMPLE.COM", false);
	expect_origin(&c, "https://example.com", false);
	expect_origin(&c, "app.example.com", false);
	expect_origin(&c, "", false);
	expect_origin(&c, "null", false);
	/* len bounds the origin: a longer buffer is compared by its first len bytes. */
	const char *buf = "https://app.example.comXYZ";
	assert_true(config_origin_allowed(&c, buf, strlen("https://app.example.com")));
	assert_false(config_origin_allowed(&c, buf, strlen(buf)));
	assert_false(config_origin_allowed(&c, buf, 0));
	config_cleanup(&c);

	/* Spaces around entries, empty entries. */
	setenv("SWITCHBOARD_CORS_ORIGINS", " https://a.example , ,https://b.example,", 1);
	assert_int_equal(config_load(&c, &d), ERR_OK);
	expect_origin(&c, "https://a.example", true);
	expect_origin(&c, "https://b.example", true);
	expect_origin(&c, " https://a.example", false);
	expect_origin(&c, "https://c.example", false);
	config_cleanup(&c);

	/* Default: nothing allowed. */
	unsetenv("SWITCHBOARD_CORS_ORIGINS");
	assert_int_equal(config_load(&c, &d), ERR_OK);
	expect_origin(&c, "https://app.example.com", false);
	expect_origin(&c, "", false);
	config_cleanup(&c);
}

static void test_db_url(void **state)
{
	(void)state;
	struct config c;
	struct err_detail d = {0};
	assert_int_equal(config_load(&c, &d), ERR_OK);
	char *u = config_db_url(&c);
	assert_non_null(u);
	assert_string_equal(u, "sqlite:./data/switchboard.db");
	free(u);

	assert_int_equal(config_set(&c, "data", "/var/lib/switchboard", &d), ERR_OK);
	u = config_db_url(&c);
	assert_string_equal(u, "sqlite:/var/lib/switchboard/switchboard.db");
	free(u);

	assert_int_equal(config_set(&c, "db", "sqlite:/elsewhere/sb.db", &d), ERR_OK);
	u = config_db_url(&c);
	assert_string_equal(u, "sqlite:/elsewhere/sb.db");
	free(u);
	config_cleanup(&c);
}

static void test_print(void **state)
{
	(void)state;
	struct config c;
	struct err_detail d = {0};
	assert_int_equal(config_load(&c, &d), ERR_OK);
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	config_print_flags(f, CFG_FLAG_SERVE);
	fclose(f);
	assert_non_null(strstr(text, "--port"));
	assert_non_null(strstr(text, "SWITCHBOARD_PORT"));
	assert_null(strstr(text, "--test-hooks"));
	free(text);

	f = open_memstream(&text, &len);
	assert_non_null(f);
	config_print(f, &c);
	fclose(f);
	assert_non_null(strstr(text, "port"));
	assert_non_null(strstr(text, "8080"));
	free(text);
	config_cleanup(&c);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, clean_env, teardown_env)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_defaults),
		T(test_env_override),
		T(test_env_bool_spellings),
		T(test_env_bounds),
		T(test_env_not_a_number),
		T(test_env_invalid_values),
		T(known_bug_validate_names_variable),
		T(test_flags_space_and_equals),
		T(test_flags_unknown_left),
		T(test_flags_other_group),
		T(test_flags_missing_value),
		T(test_flags_bad_values),
		T(test_flags_bool),
		T(test_flags_override_env),
		T(test_config_set),
		T(test_origin_allowed),
		T(test_db_url),
		T(test_print),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
