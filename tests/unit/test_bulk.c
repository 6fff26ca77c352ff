/* Issue 7 pieces that need no server: nested transactions (savepoints) in
 * store/db.h, the CSV cell writer (RFC 4180 quoting, formula guard, zone
 * times), the export column allowlist and the signed download links. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "core/tz.h"
#include "domain/export.h"
#include "render/csv.h"
#include "store/db.h"

static struct db *mem_db(void)
{
	struct db *db = NULL;
	struct err_detail d = {0};
	assert_int_equal(db_open("sqlite::memory:", &db, &d), ERR_OK);
	assert_int_equal(db_exec(db, "CREATE TABLE t (v INTEGER)", &d), ERR_OK);
	return db;
}

static int64_t count(struct db *db)
{
	struct db_stmt *st;
	assert_int_equal(db_prepare(db, "SELECT COUNT(*) FROM t", &st), ERR_OK);
	bool row;
	assert_int_equal(db_step(st, &row), ERR_OK);
	int64_t n = db_col_int(st, 0);
	db_done(st);
	return n;
}

static void insert(struct db *db, int v)
{
	struct db_stmt *st;
	assert_int_equal(db_prepare(db, "INSERT INTO t (v) VALUES (?)", &st), ERR_OK);
	db_bind_int(st, 1, v);
	assert_int_equal(db_run(st), ERR_OK);
}

static void nested_commit_and_rollback(void **state)
{
	(void)state;
	struct db *db = mem_db();
	assert_int_equal(db_begin_write(db), ERR_OK);
	insert(db, 1);
	assert_int_equal(db_begin_write(db), ERR_OK); /* a unit of work inside: a savepoint */
	assert_int_equal(db_tx_depth(db), 2);
	insert(db, 2);
	assert_int_equal(db_commit(db), ERR_OK);      /* releases the savepoint only */
	assert_int_equal(db_tx_depth(db), 1);
	assert_int_equal(db_begin_write(db), ERR_OK);
	insert(db, 3);
	db_rollback(db);                              /* undoes 3 only */
	assert_int_equal(db_tx_depth(db), 1);
	assert_true(db_in_transaction(db));
	assert_int_equal(count(db), 2);
	db_rollback(db);                              /* the whole transaction */
	assert_int_equal(db_tx_depth(db), 0);
	assert_int_equal(count(db), 0);
	assert_int_equal(db_begin_write(db), ERR_OK);
	insert(db, 4);
	assert_int_equal(db_begin(db), ERR_OK);
	insert(db, 5);
	assert_int_equal(db_commit(db), ERR_OK);
	assert_int_equal(db_commit(db), ERR_OK);
	assert_int_equal(count(db), 2);
	db_close(db);
}

static char *csv_of(const char *s)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	assert_non_null(f);
	render_csv_cell(f, s, strlen(s));
	fclose(f);
	return out;
}

static void csv_cells(void **state)
{
	(void)state;
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"plain", "plain"},
		{"", ""},
		{"a,b", "\"a,b\""},
		{"say \"hi\"", "\"say \"\"hi\"\"\""},
		{"two\nlines", "\"two\nlines\""},
		{"=1+2", "'=1+2"},
		{"+14155550100", "'+14155550100"},
		{"-5", "'-5"},
		{"@cmd", "'@cmd"},
		{"\tx", "'\tx"},
		{"\rx", "\"'\rx\""},
		{"=HYPERLINK(\"a\",\"b\")", "\"'=HYPERLINK(\"\"a\"\",\"\"b\"\")\""},
		{"caf\xc3\xa9", "caf\xc3\xa9"},
		{"a=b", "a=b"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = csv_of(cases[i].in);
		assert_string_equal(got, cases[i].out);
		free(got);
	}
}

static void zone_times(void **state)
{
	(void)state;
	const struct tz *ny = tz_get("America/New_York");
	assert_non_null(ny);
	char buf[48];
	render_time_local(ny, 1795695218461LL, buf, sizeof buf); /* 2026-11-26T12:13:38.461Z */
	assert_string_equal(buf, "2026-11-26T07:13:38.461-05:00");
	render_time_local(ny, 1783000000000LL, buf, sizeof buf); /* July: daylight time */
	assert_non_null(strstr(buf, "-04:00"));
	render_time_local(NULL, 0, buf, sizeof buf);
	assert_string_equal(buf, "1970-01-01T00:00:00.000+00:00");
}

static void columns(void **state)
{
	(void)state;
	struct export_spec s;
	struct err_detail d = {0};
	assert_int_equal(export_columns_parse(NULL, 0, &s, &d), ERR_OK);
	assert_true(s.ncols > 5);
	const char *ok[] = {"id", "tags", "contactName"};
	assert_int_equal(export_columns_parse(ok, 3, &s, &d), ERR_OK);
	assert_int_equal(s.ncols, 3);
	const char *bad[] = {"id", "password_hash"};
	assert_int_equal(export_columns_parse(bad, 2, &s, &d), ERR_INVALID);
	assert_string_equal(d.fields[0].field, "columns");
	const char *dup[] = {"id", "id"};
	memset(&d, 0, sizeof d);
	assert_int_equal(export_columns_parse(dup, 2, &s, &d), ERR_INVALID);
}

static void links(void **state)
{
	(void)state;
	struct config cfg = {0};
	char dir[] = "/tmp/sb-unit-bulk-XXXXXX";
	assert_non_null(mkdtemp(dir));
	cfg.data_dir = dir;
	cfg.export_secret = "unit-test-secret";
	char sig[64], exp[32];
	assert_int_equal(export_link_sign(&cfg, "job-1", 2000000000, sig, sizeof sig), ERR_OK);
	snprintf(exp, sizeof exp, "%d", 2000000000);
	assert_int_equal(export_link_check(&cfg, "job-1", exp, sig, 1000LL), EXPORT_LINK_OK);
	assert_int_equal(export_link_check(&cfg, "job-2", exp, sig, 1000LL), EXPORT_LINK_BAD);
	assert_int_equal(export_link_check(&cfg, "job-1", "2000000001", sig, 1000LL), EXPORT_LINK_BAD);
	assert_int_equal(export_link_check(&cfg, "job-1", exp, "AAAA", 1000LL), EXPORT_LINK_BAD);
	assert_int_equal(export_link_check(&cfg, "job-1", NULL, sig, 1000LL), EXPORT_LINK_BAD);
	assert_int_equal(export_link_check(&cfg, "job-1", "12x", sig, 1000LL), EXPORT_LINK_BAD);
	assert_int_equal(export_link_check(&cfg, "job-1", exp, sig, 2000000001000LL), EXPORT_LINK_EXPIRED);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nested_commit_and_rollback),
		cmocka_unit_test(csv_cells),
		cmocka_unit_test(zone_times),
		cmocka_unit_test(columns),
		cmocka_unit_test(links),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
