/* Exports stream through a small page cache (store/bulk.h): while
 * store_export_each reads, the connection's cache is 2 MB; after it (and after
 * store_export_count), the connection has its own size back, rows or not. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/bulk.h"
#include "store/calls.h"
#include "store/db.h"
#include "store/migrate.h"

static int64_t cache_size(struct db *db)
{
	struct db_stmt *st;
	assert_int_equal(db_prepare(db, "PRAGMA cache_size", &st), ERR_OK);
	bool row;
	assert_int_equal(db_step(st, &row), ERR_OK);
	int64_t v = db_col_int(st, 0);
	db_done(st);
	return v;
}

struct seen {
	struct db *db;
	int rows;
	int64_t cache_during;
};

static bool on_row(void *ctx, const struct export_cell *cells)
{
	struct seen *s = ctx;
	assert_false(cells[0].null);
	s->cache_during = cache_size(s->db);
	s->rows++;
	return true;
}

static void cache_small_while_streaming_and_restored(void **state)
{
	(void)state;
	char path[] = "/tmp/sb_export_stream_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	char url[128];
	snprintf(url, sizeof url, "sqlite:%s", path);
	struct db *db = NULL;
	struct err_detail d = {0};
	assert_int_equal(db_open(url, &db, &d), ERR_OK);
	assert_int_equal(store_migrate(db, NULL, &d), ERR_OK);
	int64_t own = cache_size(db);
	assert_true(own < -2048 || own > 512); /* the connection's configured cache is bigger than 2 MB */
	assert_int_equal(db_exec(db, "INSERT INTO workspaces (id, slug, name, created_at) VALUES ('w1', 'w1', 'W', 0)", &d),
			 ERR_OK);
	assert_int_equal(db_exec(db,
				 "INSERT INTO calls (id, workspace_id, started_at, direction, from_e164, to_e164, created_at,"
				 " updated_at) VALUES ('c1', 'w1', 1000, 'in', '+15551230001', '+15551230002', 0, 0),"
				 " ('c2', 'w1', 2000, 'in', '+15551230003', '+15551230002', 0, 0)",
				 &d),
			 ERR_OK);
	struct call_query q;
	call_query_init(&q, "w1", 3000);
	int cols[] = {store_export_col("id"), store_export_col("startedAt"), store_export_col("tags")};
	struct seen s = {.db = db};
	assert_int_equal(store_export_each(db, &q, NULL, cols, 3, on_row, &s), ERR_OK);
	assert_int_equal(s.rows, 2);
	assert_int_equal(s.cache_during, -2048);
	assert_int_equal(cache_size(db), own);
	int64_t n = 0;
	assert_int_equal(store_export_count(db, &q, NULL, &n), ERR_OK);
	assert_int_equal(n, 2);
	assert_int_equal(cache_size(db), own);
	call_query_init(&q, "nobody", 3000); /* no rows */
	assert_int_equal(store_export_each(db, &q, NULL, cols, 3, on_row, &s), ERR_OK);
	assert_int_equal(s.rows, 2);
	assert_int_equal(cache_size(db), own);
	db_close(db);
	unlink(path);
	char side[160];
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cache_small_while_streaming_and_restored),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
