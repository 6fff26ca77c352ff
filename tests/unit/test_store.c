/* The store contract (store/db.h, migrate.h, accounts.h) run against the
 * SQLite driver, on a temporary file and on "sqlite::memory:": migrations,
 * prepare/bind/step/columns, the statement cache under nesting, constraint
 * errors, transactions, the accounts rows, and two connections to one file
 * (visibility of committed writes, a writer waiting for or failing cleanly
 * on the other's write lock, and the file still intact afterwards).
 *
 * Each test gets a fresh database from its setup; the temp file (and its
 * -wal/-shm companions) is removed in the teardown. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/embedded.h"
#include "core/ids.h"
#include "core/log.h"
#include "store/accounts.h"
#include "store/blocked.h"
#include "store/dnc.h"
#include "store/db.h"
#include "store/migrate.h"

struct fixture {
	char path[64];   /* "" for the in-memory database */
	char url[80];
	struct db *db;
};

static void remove_db_files(const char *path)
{
	static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
	for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
		char p[96];
		snprintf(p, sizeof p, "%s%s", path, suffix[i]);
		unlink(p);
	}
}

static int open_fixture(void **state, bool file, bool migrate)
{
	struct fixture *f = calloc(1, sizeof *f);
	if (!f)
		return -1;
	if (file) {
		snprintf(f->path, sizeof f->path, "/tmp/sb_test_store_XXXXXX");
		int fd = mkstemp(f->path);
		if (fd < 0) {
			free(f);
			return -1;
		}
		close(fd);
		snprintf(f->url, sizeof f->url, "sqlite:%s", f->path);
	} else {
		snprintf(f->url, sizeof f->url, "sqlite::memory:");
	}
	struct err_detail d = {0};
	if (db_open(f->url, &f->db, &d) != ERR_OK) {
		print_error("db_open %s: %s\n", f->url, d.detail);
		goto fail;
	}
	if (migrate && store_migrate(f->db, NULL, &d) != ERR_OK) {
		print_error("migrate %s: %s\n", f->url, d.detail);
		goto fail;
	}
	*state = f;
	return 0;
fail:
	db_close(f->db);
	if (f->path[0])
		remove_db_files(f->path);
	free(f);
	return -1;
}

static int setup_file(void **state) { return open_fixture(state, true, true); }
static int setup_mem(void **state) { return open_fixture(state, false, true); }
static int setup_file_raw(void **state) { return open_fixture(state, true, false); }
static int setup_mem_raw(void **state) { return open_fixture(state, false, false); }

static int teardown(void **state)
{
	struct fixture *f = *state;
	if (!f)
		return 0;
	db_close(f->db);
	if (f->path[0])
		remove_db_files(f->path);
	free(f);
	return 0;
}

/* Runs one SQL statement with no parameters and asserts it worked. */
static void exec_ok(struct db *db, const char *sql)
{
	struct err_detail d = {0};
	enum err rc = db_exec(db, sql, &d);
	if (rc != ERR_OK)
		fail_msg("[%s]: %s (%s)", sql, err_str(rc), d.detail);
}

/* SELECT COUNT(*) or any single-integer query. */
static int64_t query_int(struct db *db, const char *sql)
{
	struct db_stmt *st;
	assert_int_equal(db_prepare(db, sql, &st), ERR_OK);
	bool row;
	assert_int_equal(db_step(st, &row), ERR_OK);
	assert_true(row);
	int64_t v = db_col_int(st, 0);
	db_done(st);
	return v;
}

/* ---- db_open, migrations ---- */

static void test_open_errors(void **state)
{
	(void)state;
	struct db *db = (struct db *)0x1;
	struct err_detail d = {0};
	assert_int_equal(db_open("no-scheme", &db, &d), ERR_INVALID);
	assert_null(db);
	assert_true(d.detail[0] != 0);
	db = (struct db *)0x1;
	memset(&d, 0, sizeof d);
	assert_int_equal(db_open("postgres://localhost/x", &db, &d), ERR_INVALID);
	assert_null(db);
	assert_non_null(strstr(d.detail, "postgres"));
	db = (struct db *)0x1;
	assert_int_not_equal(db_open("sqlite:/nonexistent-sb-dir/a/b/c.db", &db, &d), ERR_OK);
	assert_null(db);
	db = (struct db *)0x1;
	assert_int_not_equal(db_open(NULL, &db, &d), ERR_OK);
	assert_null(db);
	db_close(NULL);
}

/* How many migrations the binary carries: versions may have gaps while
 * branches that own the numbers between are not merged yet. */
static int migrations_count(void)
{
	int n = 0;
	for (const struct embedded_file *e = embedded_files; e->path; e++)
		n += strncmp(e->path, "src/store/migrations/", 21) == 0;
	return n;
}

static void test_migrate_twice(void **state)
{
	struct fixture *f = *state;
	int version = -1;
	assert_int_equal(store_schema_version(f->db, &version), ERR_OK);
	assert_int_equal(version, 0);

	int latest = store_schema_latest();
	assert_true(latest >= 1);
	int applied = -1;
	struct err_detail d = {0};
	assert_int_equal(store_migrate(f->db, &applied, &d), ERR_OK);
	assert_int_equal(applied, migrations_count());
	assert_int_equal(store_schema_version(f->db, &version), ERR_OK);
	assert_int_equal(version, latest);

	applied = -1;
	assert_int_equal(store_migrate(f->db, &applied, &d), ERR_OK);
	assert_int_equal(applied, 0);
	assert_int_equal(store_schema_version(f->db, &version), ERR_OK);
	assert_int_equal(version, latest);
	assert_false(db_in_transaction(f->db));
	assert_int_equal(query_int(f->db, "SELECT COUNT(*) FROM schema_version"), migrations_count());
	/* applied may be NULL. */
	assert_int_equal(store_migrate(f->db, NULL, &d), ERR_OK);
	assert_int_equal(db_dialect_of(f->db), DB_SQLITE);
	assert_int_equal(db_ping(f->db), ERR_OK);
}

/* A migration missing below the newest applied one (merged late) still runs. */
static void test_migrate_fills_gap(void **state)
{
	struct fixture *f = *state;
	struct err_detail d = {0};
	int applied = -1;
	assert_int_equal(store_migrate(f->db, &applied, &d), ERR_OK);
	exec_ok(f->db, "DROP TABLE blocked_numbers; DROP TABLE sms_opt_status;"
		       " DELETE FROM schema_version WHERE version = 7");
	assert_int_equal(store_migrate(f->db, &applied, &d), ERR_OK);
	assert_int_equal(applied, 1);
	assert_int_equal(query_int(f->db, "SELECT COUNT(*) FROM blocked_numbers"), 0);
	assert_int_equal(query_int(f->db, "SELECT COUNT(*) FROM schema_version WHERE version = 7"), 1);
	assert_int_equal(query_int(f->db, "SELECT COUNT(*) FROM schema_version"), migrations_count());
}

/* A second connection to a migrated file applies nothing and sees the version. */
static void test_migrate_second_connection(void **state)
{
	struct fixture *f = *state;
	struct db *b;
	struct err_detail d = {0};
	assert_int_equal(db_open(f->url, &b, &d), ERR_OK);
	int applied = -1, version = -1;
	assert_int_equal(store_migrate(b, &applied, &d), ERR_OK);
	assert_int_equal(applied, 0);
	assert_int_equal(store_schema_version(b, &version), ERR_OK);
	assert_int_equal(version, store_schema_latest());
	db_close(b);
}

struct migrator {
	const char *url;
	enum err open_rc, rc;
	int applied;
};

/* Own thread, own connection; no cmocka assertions off the main thread. */
static void *migrate_thread(void *p)
{
	struct migrator *m = p;
	struct db *db = NULL;
	struct err_detail d = {0};
	m->open_rc = db_open(m->url, &db, &d);
	if (m->open_rc == ERR_OK)
		m->rc = store_migrate(db, &m->applied, &d);
	db_close(db);
	return NULL;
}

/* migrate.h: "Safe to run from several processes at once." Four connections
 * migrate one fresh file at the same time: each migration is applied once. */
static void test_migrate_concurrent(void **state)
{
	struct fixture *f = *state;
	enum { N = 4 };
	struct migrator m[N];
	pthread_t t[N];
	for (int i = 0; i < N; i++) {
		m[i] = (struct migrator){f->url, ERR_INTERNAL, ERR_INTERNAL, -1};
		assert_int_equal(pthread_create(&t[i], NULL, migrate_thread, &m[i]), 0);
	}
	int total = 0;
	for (int i = 0; i < N; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(m[i].open_rc, ERR_OK);
		assert_int_equal(m[i].rc, ERR_OK);
		total += m[i].applied;
	}
	int latest = store_schema_latest();
	assert_int_equal(total, migrations_count());
	int version = -1;
	assert_int_equal(store_schema_version(f->db, &version), ERR_OK);
	assert_int_equal(version, latest);
	assert_int_equal(query_int(f->db, "SELECT COUNT(*) FROM schema_version"), migrations_count());
}

struct per_thread {
	struct db *db, *again;
	bool ping_ok;
};

static void *thread_conn(void *p)
{
	struct per_thread *pt = p;
	pt->db = db_thread();
	pt->again = db_thread();
	pt->ping_ok = pt->db && db_ping(pt->db) == ERR_OK;
	return NULL; /* the connection is closed as the thread exits */
}

/* db_thread: one connection per thread, the same one on every call. */
static void test_db_thread(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(db_thread_setup(f->url), ERR_OK);
	struct db *mine = db_thread();
	assert_non_null(mine);
	assert_ptr_equal(db_thread(), mine);
	assert_int_equal(db_ping(mine), ERR_OK);

	struct per_thread pt[2] = {{0}};
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, thread_conn, &pt[i]), 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_non_null(pt[i].db);
		assert_ptr_equal(pt[i].again, pt[i].db);
		assert_true(pt[i].ping_ok);
		assert_ptr_not_equal(pt[i].db, mine);
	}
	/* Writes through the thread connection are seen by the fixture's. */
	exec_ok(mine, "CREATE TABLE tc (x INTEGER)");
	exec_ok(mine, "INSERT INTO tc VALUES (1)");
	assert_int_equal(query_int(f->db, "SELECT COUNT(*) FROM tc"), 1);
	db_thread_release();
	db_thread_release(); /* nothing left: harmless */
}

/* ---- statements ---- */

static void test_round_trip_types(void **state)
{
	struct fixture *f = *state;
	exec_ok(f->db, "CREATE TABLE t (k INTEGER PRIMARY KEY, s TEXT, i BIGINT, n TEXT, b INTEGER)");
	static const char ins[] = "INSERT INTO t (k, s, i, n, b) VALUES (?, ?, ?, ?, ?)";
	static const struct {
		int64_t k;
		const char *s;
		int64_t i;
		bool b;
	} rows[] = {
		{1, "hello", 42, true},
		{2, "", INT64_MIN, false},
		{3, "caf\xc3\xa9 \xe2\x98\x8e", INT64_MAX, true},
		{4, "it's \"quoted\"; DROP TABLE t; --", -1, false},
	};
	for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
		struct db_stmt *st;
		assert_int_equal(db_prepare(f->db, ins, &st), ERR_OK);
		db_bind_int(st, 1, rows[r].k);
		db_bind_text(st, 2, rows[r].s);
		db_bind_int(st, 3, rows[r].i);
		db_bind_null(st, 4);
		db_bind_bool(st, 5, rows[r].b);
		assert_int_equal(db_run(st), ERR_OK);
		assert_int_equal(db_changes(f->db), 1);
	}
	/* text NULL binds NULL; textn takes a length. */
	struct db_stmt *st;
	assert_int_equal(db_prepare(f->db, ins, &st), ERR_OK);
	db_bind_int(st, 1, 5);
	db_bind_text(st, 2, NULL);
	db_bind_int(st, 3, 0);
	db_bind_textn(st, 4, "abcdef", 3);
	db_bind_textn(st, 5, NULL, 7);
	assert_int_equal(db_run(st), ERR_OK);

	assert_int_equal(db_prepare(f->db, "SELECT k, s, i, n, b FROM t ORDER BY k", &st), ERR_OK);
	bool row;
	for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
		assert_int_equal(db_step(st, &row), ERR_OK);
		assert_true(row);
		assert_int_equal(db_col_int(st, 0), rows[r].k);
		assert_false(db_col_null(st, 1));
		assert_string_equal(db_col_text(st, 1), rows[r].s);
		assert_int_equal(db_col_len(st, 1), (int)strlen(rows[r].s));
		assert_int_equal(db_col_int(st, 2), rows[r].i);
		assert_true(db_col_null(st, 3));
		assert_null(db_col_text(st, 3));
		assert_int_equal(db_col_int(st, 4), rows[r].b ? 1 : 0);
	}
	assert_int_equal(db_step(st, &row), ERR_OK);
	assert_true(row);
	assert_true(db_col_null(st, 1));
	assert_null(db_col_text(st, 1));
	assert_string_equal(db_col_text(st, 3), "abc");
	assert_int_equal(db_col_len(st, 3), 3);
	assert_true(db_col_null(st, 4));
	assert_int_equal(db_step(st, &row), ERR_OK);
	assert_false(row);
	db_done(st);
	db_done(NULL);
}

/* Text with an embedded NUL survives through textn and col_len. */
static void test_textn_embedded_nul(void **state)
{
	struct fixture *f = *state;
	struct db_stmt *st;
	assert_int_equal(db_prepare(f->db, "SELECT ?", &st), ERR_OK);
	db_bind_textn(st, 1, "a\0b", 3);
	bool row;
	assert_int_equal(db_step(st, &row), ERR_OK);
	assert_true(row);
	assert_int_equal(db_col_len(st, 0), 3);
	assert_memory_equal(db_col_text(st, 0), "a\0b", 3);
	db_done(st);
}

static void test_prepare_errors(void **state)
{
	struct fixture *f = *state;
	struct db_stmt *st = (struct db_stmt *)0x1;
	assert_int_not_equal(db_prepare(f->db, "SELEKT nonsense", &st), ERR_OK);
	assert_null(st);
	st = (struct db_stmt *)0x1;
	assert_int_not_equal(db_prepare(f->db, "SELECT * FROM no_such_table", &st), ERR_OK);
	assert_null(st);
	assert_true(strlen(db_errmsg(f->db)) > 0);
	/* The connection is still fine. */
	assert_int_equal(db_ping(f->db), ERR_OK);
}

/* A bind error (index out of range) is kept and reported by db_step, and
 * does not stick to the statement after db_done. */
static void test_bind_error_reported_by_step(void **state)
{
	struct fixture *f = *state;
	static const char sql[] = "SELECT ?";
	struct db_stmt *st;
	assert_int_equal(db_prepare(f->db, sql, &st), ERR_OK);
	db_bind_int(st, 1, 7);
	db_bind_int(st, 2, 8);
	bool row = true;
	assert_int_not_equal(db_step(st, &row), ERR_OK);
	assert_false(row);
	db_done(st);

	assert_int_equal(db_prepare(f->db, sql, &st), ERR_OK);
	db_bind_int(st, 1, 9);
	assert_int_equal(db_step(st, &row), ERR_OK);
	assert_true(row);
	assert_int_equal(db_col_int(st, 0), 9);
	db_done(st);
}

/* The cache hands the same statement back once it is done; while it is still
 * stepping, the same SQL gets a private, independent copy (nested loops). */
static void test_cache_nested(void **state)
{
	struct fixture *f = *state;
	exec_ok(f->db, "CREATE TABLE n (v INTEGER)");
	exec_ok(f->db, "INSERT INTO n VALUES (1), (2), (3)");
	static const char sql[] = "SELECT v FROM n WHERE v >= ? ORDER BY v";

	struct db_stmt *outer, *inner;
	assert_int_equal(db_prepare(f->db, sql, &outer), ERR_OK);
	struct db_stmt *first = outer;
	db_bind_int(outer, 1, 1);
	bool row;
	int64_t pairs = 0, sum = 0;
	while (db_step(outer, &row) == ERR_OK && row) {
		int64_t o = db_col_int(outer, 0);
		assert_int_equal(db_prepare(f->db, sql, &inner), ERR_OK);
		assert_ptr_not_equal(inner, outer);
		db_bind_int(inner, 1, o);
		bool irow;
		while (db_step(inner, &irow) == ERR_OK && irow) {
			/* Nested copy of the copy, too. */
			struct db_stmt *third;
			assert_int_equal(db_prepare(f->db, sql, &third), ERR_OK);
			assert_ptr_not_equal(third, inner);
			assert_ptr_not_equal(third, outer);
			db_bind_int(third, 1, 3);
			bool trow;
			assert_int_equal(db_step(third, &trow), ERR_OK);
			assert_true(trow);
			assert_int_equal(db_col_int(third, 0), 3);
			db_done(third);
			pairs++;
			sum += o * 10 + db_col_int(inner, 0);
		}
		db_done(inner);
		/* The outer statement still has its row. */
		assert_int_equal(db_col_int(outer, 0), o);
	}
	db_done(outer);
	assert_int_equal(pairs, 6);                 /* (1,1..3) (2,2..3) (3,3) */
	assert_int_equal(sum, 11 + 12 + 13 + 22 + 23 + 33);

	/* Done: the cached statement is handed out again, bindings cleared. */
	struct db_stmt *again;
	assert_int_equal(db_prepare(f->db, sql, &again), ERR_OK);
	assert_ptr_equal(again, first);
	db_bind_int(again, 1, 2);
	assert_int_equal(db_step(again, &row), ERR_OK);
	assert_true(row);
	assert_int_equal(db_col_int(again, 0), 2);
	db_done(again);
}

/* Many distinct statements (the cache grows) all keep working. */
static void test_cache_many(void **state)
{
	struct fixture *f = *state;
	char sql[300][48];
	for (int i = 0; i < 300; i++) {
		snprintf(sql[i], sizeof sql[i], "SELECT %d + ?", i);
		struct db_stmt *st;
		assert_int_equal(db_prepare(f->db, sql[i], &st), ERR_OK);
		db_bind_int(st, 1, 1000);
		bool row;
		assert_int_equal(db_step(st, &row), ERR_OK);
		assert_int_equal(db_col_int(st, 0), 1000 + i);
		db_done(st);
	}
	for (int i = 299; i >= 0; i--) {
		struct db_stmt *st;
		assert_int_equal(db_prepare(f->db, sql[i], &st), ERR_OK);
		db_bind_int(st, 1, 1);
		bool row;
		assert_int_equal(db_step(st, &row), ERR_OK);
		assert_int_equal(db_col_int(st, 0), 1 + i);
		db_done(st);
	}
}

/* INSERT INTO u with the given values (email NULL binds NULL). */
static enum err insert_u(struct db *db, const char *id, const char *email, int64_t n)
{
	struct db_stmt *st;
	assert_int_equal(db_prepare(db, "INSERT INTO u (id, email, n) VALUES (?, ?, ?)", &st), ERR_OK);
	db_bind_text(st, 1, id);
	db_bind_text(st, 2, email);
	db_bind_int(st, 3, n);
	bool row = true;
	enum err rc = db_step(st, &row);
	assert_false(row);
	db_done(st);
	return rc;
}

static void test_constraint_conflict(void **state)
{
	struct fixture *f = *state;
	exec_ok(f->db, "CREATE TABLE u (id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, n INTEGER CHECK (n > 0))");
	assert_int_equal(insert_u(f->db, "a", "a@example.com", 1), ERR_OK);
	assert_int_equal(insert_u(f->db, "b", "a@example.com", 1), ERR_CONFLICT);     /* UNIQUE */
	assert_int_equal(insert_u(f->db, "a", "other@example.com", 1), ERR_CONFLICT); /* PRIMARY KEY */
	/* NOT NULL and CHECK are constraint violations too. */
	assert_int_equal(insert_u(f->db, "c", NULL, 1), ERR_CONFLICT);
	assert_int_equal(insert_u(f->db, "d", "d@example.com", 0), ERR_CONFLICT);
	/* Nothing of the failed inserts is there; the statement is reusable. */
	assert_int_equal(query_int(f->db, "SELECT COUNT(*) FROM u"), 1);
	assert_int_equal(insert_u(f->db, "e", "e@example.com", 5), ERR_OK);
	assert_int_equal(query_int(f->db, "SELECT COUNT(*) FROM u"), 2);
}

/* ---- transactions ---- */

static void insert_kv(struct db *db, const char *k, enum err want)
{
	struct db_stmt *st;
	assert_int_equal(db_prepare(db, "INSERT INTO kv (k) VALUES (?)", &st), ERR_OK);
	db_bind_text(st, 1, k);
	enum err rc = db_run(st);
	if (rc != want)
		fail_msg("insert %s: %s, want %s", k, err_str(rc), err_str(want));
}

static int64_t count_kv(struct db *db)
{
	return query_int(db, "SELECT COUNT(*) FROM kv");
}

static void test_transactions(void **state)
{
	struct fixture *f = *state;
	exec_ok(f->db, "CREATE TABLE kv (k TEXT PRIMARY KEY)");
	assert_false(db_in_transaction(f->db));

	assert_int_equal(db_begin(f->db), ERR_OK);
	assert_true(db_in_transaction(f->db));
	insert_kv(f->db, "rolled-back", ERR_OK);
	assert_int_equal(count_kv(f->db), 1); /* visible inside */
	db_rollback(f->db);
	assert_false(db_in_transaction(f->db));
	assert_int_equal(count_kv(f->db), 0);

	assert_int_equal(db_begin_write(f->db), ERR_OK);
	assert_true(db_in_transaction(f->db));
	insert_kv(f->db, "a", ERR_OK);
	insert_kv(f->db, "b", ERR_OK);
	assert_int_equal(db_commit(f->db), ERR_OK);
	assert_false(db_in_transaction(f->db));
	assert_int_equal(count_kv(f->db), 2);

	/* A conflict inside a transaction does not end it; rollback undoes all. */
	assert_int_equal(db_begin_write(f->db), ERR_OK);
	insert_kv(f->db, "c", ERR_OK);
	insert_kv(f->db, "a", ERR_CONFLICT);
	assert_true(db_in_transaction(f->db));
	db_rollback(f->db);
	assert_int_equal(count_kv(f->db), 2);

	/* Rollback outside a transaction does nothing; NULL is fine. */
	db_rollback(f->db);
	db_rollback(NULL);
	assert_int_equal(count_kv(f->db), 2);
	/* Commit without a transaction fails and leaves no transaction. */
	assert_int_not_equal(db_commit(f->db), ERR_OK);
	assert_false(db_in_transaction(f->db));
	/* Still usable. */
	assert_int_equal(db_begin(f->db), ERR_OK);
	insert_kv(f->db, "d", ERR_OK);
	assert_int_equal(db_commit(f->db), ERR_OK);
	assert_int_equal(count_kv(f->db), 3);
}

/* Two connections to one file: committed writes of one are seen by the
 * other; uncommitted ones are not. */
static void test_two_connections_visibility(void **state)
{
	struct fixture *f = *state;
	exec_ok(f->db, "CREATE TABLE kv (k TEXT PRIMARY KEY)");
	struct db *b;
	struct err_detail d = {0};
	assert_int_equal(db_open(f->url, &b, &d), ERR_OK);

	insert_kv(f->db, "from-a", ERR_OK);
	assert_int_equal(count_kv(b), 1);
	insert_kv(b, "from-b", ERR_OK);
	assert_int_equal(count_kv(f->db), 2);

	assert_int_equal(db_begin_write(f->db), ERR_OK);
	insert_kv(f->db, "pending", ERR_OK);
	assert_int_equal(count_kv(b), 2); /* not committed yet */
	assert_int_equal(db_commit(f->db), ERR_OK);
	assert_int_equal(count_kv(b), 3);

	assert_int_equal(db_begin_write(f->db), ERR_OK);
	insert_kv(f->db, "discarded", ERR_OK);
	db_rollback(f->db);
	assert_int_equal(count_kv(b), 3);
	db_close(b);
}

/* While A holds the write lock, B's BEGIN IMMEDIATE fails cleanly once its
 * busy timeout runs out (ERR_LIMITED), B is left outside any transaction,
 * and after A commits B can write. Nothing is lost or corrupted. */
static void test_write_lock_busy_fails_cleanly(void **state)
{
	struct fixture *f = *state;
	exec_ok(f->db, "CREATE TABLE kv (k TEXT PRIMARY KEY)");
	struct db *b;
	struct err_detail d = {0};
	assert_int_equal(db_open(f->url, &b, &d), ERR_OK);
	exec_ok(b, "PRAGMA busy_timeout = 200");

	assert_int_equal(db_begin_write(f->db), ERR_OK);
	insert_kv(f->db, "a1", ERR_OK);

	int64_t t0 = clock_mono_us();
	assert_int_equal(db_begin_write(b), ERR_LIMITED);
	int64_t waited = clock_mono_us() - t0;
	assert_true(waited >= 150 * 1000); /* it did wait for the timeout */
	assert_false(db_in_transaction(b));
	/* A plain write outside a transaction is refused the same way. */
	insert_kv(b, "b-blocked", ERR_LIMITED);
	/* Reading still works (WAL) and sees only committed data. */
	assert_int_equal(count_kv(b), 0);

	insert_kv(f->db, "a2", ERR_OK);
	assert_int_equal(db_commit(f->db), ERR_OK);

	assert_int_equal(db_begin_write(b), ERR_OK);
	insert_kv(b, "b1", ERR_OK);
	assert_int_equal(db_commit(b), ERR_OK);

	assert_int_equal(count_kv(f->db), 3);
	assert_int_equal(count_kv(b), 3);
	struct db_stmt *st;
	assert_int_equal(db_prepare(b, "PRAGMA integrity_check", &st), ERR_OK);
	bool row;
	assert_int_equal(db_step(st, &row), ERR_OK);
	assert_true(row);
	assert_string_equal(db_col_text(st, 0), "ok");
	db_done(st);
	db_close(b);
}

struct committer {
	struct db *db;
	int delay_ms;
	enum err insert_rc, commit_rc;
};

/* Runs on its own thread: no cmocka assertions here (they longjmp into the
 * main thread's frame); results go back through c. */
static void *commit_later(void *p)
{
	struct committer *c = p;
	struct timespec ts = {c->delay_ms / 1000, (long)(c->delay_ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
	struct db_stmt *st;
	c->insert_rc = db_prepare(c->db, "INSERT INTO kv (k) VALUES ('late')", &st);
	if (c->insert_rc == ERR_OK)
		c->insert_rc = db_run(st);
	c->commit_rc = db_commit(c->db);
	return NULL;
}

/* With the default busy timeout, B's BEGIN IMMEDIATE waits for A's commit
 * (made by another thread after 150 ms) and then succeeds. A's connection is
 * used only by that thread meanwhile. */
static void test_write_lock_waits(void **state)
{
	struct fixture *f = *state;
	exec_ok(f->db, "CREATE TABLE kv (k TEXT PRIMARY KEY)");
	struct db *b;
	struct err_detail d = {0};
	assert_int_equal(db_open(f->url, &b, &d), ERR_OK);

	assert_int_equal(db_begin_write(f->db), ERR_OK);
	insert_kv(f->db, "early", ERR_OK);
	struct committer c = {f->db, 150, ERR_INTERNAL, ERR_INTERNAL};
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, commit_later, &c), 0);

	int64_t t0 = clock_mono_us();
	enum err rc = db_begin_write(b);
	int64_t waited = clock_mono_us() - t0;
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(c.insert_rc, ERR_OK);
	assert_int_equal(c.commit_rc, ERR_OK);
	assert_int_equal(rc, ERR_OK);
	assert_true(waited >= 100 * 1000);
	assert_true(db_in_transaction(b));
	/* B's transaction started after A's commit: it sees both rows. */
	assert_int_equal(count_kv(b), 2);
	insert_kv(b, "after", ERR_OK);
	assert_int_equal(db_commit(b), ERR_OK);
	assert_int_equal(count_kv(f->db), 3);
	db_close(b);
}

/* ---- accounts ---- */

static void make_workspace(struct workspace *w, const char *slug, int64_t now)
{
	memset(w, 0, sizeof *w);
	id_new(w->id);
	snprintf(w->slug, sizeof w->slug, "%s", slug);
	snprintf(w->name, sizeof w->name, "Name of %s", slug);
	w->created_at = now;
}

static void make_user(struct user *u, const char *email, int64_t now)
{
	memset(u, 0, sizeof *u);
	id_new(u->id);
	snprintf(u->email, sizeof u->email, "%s", email);
	snprintf(u->name, sizeof u->name, "User %s", email);
	u->created_at = now;
}

static void test_workspaces(void **state)
{
	struct fixture *f = *state;
	int64_t count = -1;
	assert_int_equal(store_workspace_count(f->db, &count), ERR_OK);
	assert_int_equal(count, 0);

	struct workspace w, got;
	make_workspace(&w, "acme", 1700000000000LL);
	snprintf(w.time_zone, sizeof w.time_zone, "Europe/Berlin");
	assert_int_equal(store_workspace_insert(f->db, &w), ERR_OK);

	memset(&got, 0, sizeof got);
	assert_int_equal(store_workspace_by_slug(f->db, "acme", &got), ERR_OK);
	assert_string_equal(got.id, w.id);
	assert_string_equal(got.slug, "acme");
	assert_string_equal(got.name, "Name of acme");
	assert_string_equal(got.time_zone, "Europe/Berlin");
	assert_int_equal(got.created_at, 1700000000000LL);

	memset(&got, 0, sizeof got);
	assert_int_equal(store_workspace_by_id(f->db, w.id, &got), ERR_OK);
	assert_string_equal(got.slug, "acme");

	/* Empty time zone -> the default. */
	struct workspace w2;
	make_workspace(&w2, "beta", 1700000000001LL);
	assert_int_equal(store_workspace_insert(f->db, &w2), ERR_OK);
	assert_int_equal(store_workspace_by_slug(f->db, "beta", &got), ERR_OK);
	assert_string_equal(got.time_zone, "America/New_York");

	assert_int_equal(store_workspace_by_slug(f->db, "nope", &got), ERR_NOT_FOUND);
	assert_int_equal(store_workspace_by_slug(f->db, "ACME", &got), ERR_NOT_FOUND);
	assert_int_equal(store_workspace_by_id(f->db, "00000000-0000-7000-8000-000000000000", &got), ERR_NOT_FOUND);

	/* Duplicate slug or id. */
	struct workspace dup;
	make_workspace(&dup, "acme", 1);
	assert_int_equal(store_workspace_insert(f->db, &dup), ERR_CONFLICT);
	make_workspace(&dup, "gamma", 1);
	memcpy(dup.id, w.id, sizeof dup.id);
	assert_int_equal(store_workspace_insert(f->db, &dup), ERR_CONFLICT);

	assert_int_equal(store_workspace_count(f->db, &count), ERR_OK);
	assert_int_equal(count, 2);
}

static void test_users(void **state)
{
	struct fixture *f = *state;
	struct user u, got;
	make_user(&u, "ann@example.com", 1700000000000LL);
	snprintf(u.phone, sizeof u.phone, "+15551230100");
	assert_int_equal(store_user_insert(f->db, &u, "$argon2id$fake"), ERR_OK);

	char hash[128] = "x";
	memset(&got, 0, sizeof got);
	assert_int_equal(store_user_by_email(f->db, "ann@example.com", &got, hash, sizeof hash), ERR_OK);
	assert_string_equal(got.id, u.id);
	assert_string_equal(got.email, "ann@example.com");
	assert_string_equal(got.name, "User ann@example.com");
	assert_string_equal(got.phone, "+15551230100");
	assert_int_equal(got.created_at, 1700000000000LL);
	assert_string_equal(hash, "$argon2id$fake");
	/* password_hash may be NULL. */
	assert_int_equal(store_user_by_email(f->db, "ann@example.com", &got, NULL, 0), ERR_OK);

	memset(&got, 0, sizeof got);
	assert_int_equal(store_user_by_id(f->db, u.id, &got), ERR_OK);
	assert_string_equal(got.email, "ann@example.com");

	/* No name, phone or password: empty strings back. */
	struct user v;
	make_user(&v, "bob@example.com", 1700000000001LL);
	v.name[0] = 0;
	assert_int_equal(store_user_insert(f->db, &v, NULL), ERR_OK);
	assert_int_equal(store_user_by_email(f->db, "bob@example.com", &got, hash, sizeof hash), ERR_OK);
	assert_string_equal(got.name, "");
	assert_string_equal(got.phone, "");
	assert_string_equal(hash, "");

	assert_int_equal(store_user_by_email(f->db, "nobody@example.com", &got, hash, sizeof hash), ERR_NOT_FOUND);
	assert_int_equal(store_user_by_id(f->db, "nope", &got), ERR_NOT_FOUND);

	struct user dup;
	make_user(&dup, "ann@example.com", 1);
	assert_int_equal(store_user_insert(f->db, &dup, NULL), ERR_CONFLICT);

	/* Updates. */
	assert_int_equal(store_user_set_password(f->db, v.id, "$argon2id$new"), ERR_OK);
	assert_int_equal(store_user_set_phone(f->db, v.id, "+15551230101"), ERR_OK);
	assert_int_equal(store_user_set_name(f->db, v.id, "Bob"), ERR_OK);
	assert_int_equal(store_user_by_email(f->db, "bob@example.com", &got, hash, sizeof hash), ERR_OK);
	assert_string_equal(hash, "$argon2id$new");
	assert_string_equal(got.phone, "+15551230101");
	assert_string_equal(got.name, "Bob");
	assert_int_equal(store_user_set_name(f->db, "no-such-user", "X"), ERR_NOT_FOUND);
	assert_int_equal(store_user_set_password(f->db, "no-such-user", "X"), ERR_NOT_FOUND);
	assert_int_equal(store_user_set_phone(f->db, "no-such-user", "X"), ERR_NOT_FOUND);
}

struct seen {
	int n;
	char emails[8][256];
	char roles[8][16];
	int stop_after;
};

static bool collect(void *ctx, const struct member *m)
{
	struct seen *s = ctx;
	if (s->n < 8) {
		snprintf(s->emails[s->n], sizeof s->emails[0], "%s", m->user.email);
		snprintf(s->roles[s->n], sizeof s->roles[0], "%s", m->role);
	}
	s->n++;
	return s->stop_after == 0 || s->n < s->stop_after;
}

static void test_memberships(void **state)
{
	struct fixture *f = *state;
	struct workspace w1, w2;
	make_workspace(&w1, "one", 1000);
	make_workspace(&w2, "two", 2000);
	assert_int_equal(store_workspace_insert(f->db, &w1), ERR_OK);
	assert_int_equal(store_workspace_insert(f->db, &w2), ERR_OK);
	struct user a, b;
	make_user(&a, "zed@example.com", 1);
	make_user(&b, "amy@example.com", 2);
	assert_int_equal(store_user_insert(f->db, &a, NULL), ERR_OK);
	assert_int_equal(store_user_insert(f->db, &b, NULL), ERR_OK);

	assert_int_equal(store_membership_insert(f->db, w1.id, a.id, "owner", 10), ERR_OK);
	assert_int_equal(store_membership_insert(f->db, w2.id, a.id, "tech", 11), ERR_OK);
	assert_int_equal(store_membership_insert(f->db, w1.id, b.id, "viewer", 12), ERR_OK);

	char role[16];
	assert_int_equal(store_membership_role(f->db, w1.id, a.id, role), ERR_OK);
	assert_string_equal(role, "owner");
	assert_int_equal(store_membership_role(f->db, w2.id, a.id, role), ERR_OK);
	assert_string_equal(role, "tech");
	assert_int_equal(store_membership_role(f->db, w2.id, b.id, role), ERR_NOT_FOUND);

	/* Twice, an unknown role, an unknown workspace (foreign key). */
	assert_int_equal(store_membership_insert(f->db, w1.id, a.id, "admin", 13), ERR_CONFLICT);
	assert_int_equal(store_membership_insert(f->db, w2.id, b.id, "superuser", 13), ERR_CONFLICT);
	assert_int_equal(store_membership_insert(f->db, "no-such-ws", b.id, "viewer", 13), ERR_CONFLICT);
	assert_int_equal(store_membership_role(f->db, w2.id, b.id, role), ERR_NOT_FOUND);

	struct seen s = {0};
	assert_int_equal(store_members_each(f->db, w1.id, collect, &s), ERR_OK);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.emails[0], "amy@example.com"); /* by e-mail */
	assert_string_equal(s.roles[0], "viewer");
	assert_string_equal(s.emails[1], "zed@example.com");
	assert_string_equal(s.roles[1], "owner");
	struct seen stop = {.stop_after = 1};
	assert_int_equal(store_members_each(f->db, w1.id, collect, &stop), ERR_OK);
	assert_int_equal(stop.n, 1);

	struct workspace ws[4];
	int count = -1;
	assert_int_equal(store_memberships_of(f->db, a.id, ws, 4, &count), ERR_OK);
	assert_int_equal(count, 2);
	assert_string_equal(ws[0].slug, "one");
	assert_string_equal(ws[1].slug, "two");
	assert_int_equal(store_memberships_of(f->db, a.id, ws, 1, &count), ERR_OK);
	assert_int_equal(count, 2); /* how many exist, though only 1 was filled */
	assert_int_equal(store_memberships_of(f->db, "nobody", ws, 4, &count), ERR_OK);
	assert_int_equal(count, 0);
}

/* One workspace, one member: ids into *w and *u. */
static void seed_member(struct db *db, struct workspace *w, struct user *u, const char *role)
{
	make_workspace(w, "ws", 1000);
	make_user(u, "member@example.com", 1000);
	assert_int_equal(store_workspace_insert(db, w), ERR_OK);
	assert_int_equal(store_user_insert(db, u, NULL), ERR_OK);
	assert_int_equal(store_membership_insert(db, w->id, u->id, role, 1000), ERR_OK);
}

static void test_tokens(void **state)
{
	struct fixture *f = *state;
	struct workspace w;
	struct user u;
	seed_member(f->db, &w, &u, "dispatcher");

	char tid[ID_SIZE], tid2[ID_SIZE];
	id_new(tid);
	id_new(tid2);
	assert_int_equal(store_api_token_insert(f->db, tid, w.id, u.id, "hash-1", "cli", 5000), ERR_OK);
	assert_int_equal(store_api_token_insert(f->db, tid2, w.id, u.id, "hash-2", NULL, 5001), ERR_OK);

	struct credential_row c;
	memset(&c, 0, sizeof c);
	assert_int_equal(store_credential_by_token(f->db, "hash-1", &c), ERR_OK);
	assert_string_equal(c.cred_id, tid);
	assert_string_equal(c.workspace_id, w.id);
	assert_string_equal(c.workspace_slug, "ws");
	assert_string_equal(c.user_id, u.id);
	assert_string_equal(c.email, "member@example.com");
	assert_string_equal(c.name, "User member@example.com");
	assert_string_equal(c.role, "dispatcher");
	assert_int_equal(c.expires_at, 0);

	assert_int_equal(store_credential_by_token(f->db, "hash-3", &c), ERR_NOT_FOUND);
	assert_int_equal(store_credential_by_token(f->db, "", &c), ERR_NOT_FOUND);
	/* A token hash is not a session hash. */
	assert_int_equal(store_credential_by_session(f->db, "hash-1", &c), ERR_NOT_FOUND);

	/* Same hash twice is a conflict. */
	char tid3[ID_SIZE];
	id_new(tid3);
	assert_int_equal(store_api_token_insert(f->db, tid3, w.id, u.id, "hash-1", "dup", 5002), ERR_CONFLICT);

	/* Revoked: gone; the other token still works; revoking twice is harmless. */
	assert_int_equal(store_api_token_revoke(f->db, tid, 6000), ERR_OK);
	assert_int_equal(store_credential_by_token(f->db, "hash-1", &c), ERR_NOT_FOUND);
	assert_int_equal(store_credential_by_token(f->db, "hash-2", &c), ERR_OK);
	assert_string_equal(c.cred_id, tid2);
	assert_int_equal(store_api_token_revoke(f->db, tid, 7000), ERR_OK);
	assert_int_equal(query_int(f->db, "SELECT revoked_at FROM api_tokens WHERE token_hash = 'hash-1'"), 6000);
}

/* A token whose user is no longer a member of the workspace resolves to nothing. */
static void test_token_without_membership(void **state)
{
	struct fixture *f = *state;
	struct workspace w;
	struct user u;
	seed_member(f->db, &w, &u, "viewer");
	char tid[ID_SIZE];
	id_new(tid);
	assert_int_equal(store_api_token_insert(f->db, tid, w.id, u.id, "h", "cli", 1), ERR_OK);
	struct credential_row c;
	assert_int_equal(store_credential_by_token(f->db, "h", &c), ERR_OK);
	exec_ok(f->db, "DELETE FROM memberships");
	assert_int_equal(store_credential_by_token(f->db, "h", &c), ERR_NOT_FOUND);
}

static void test_sessions(void **state)
{
	struct fixture *f = *state;
	struct workspace w;
	struct user u;
	seed_member(f->db, &w, &u, "tech");

	char sid[ID_SIZE];
	id_new(sid);
	assert_int_equal(store_session_insert(f->db, sid, w.id, u.id, "s-hash", 10000, 90000), ERR_OK);
	struct credential_row c;
	memset(&c, 0, sizeof c);
	assert_int_equal(store_credential_by_session(f->db, "s-hash", &c), ERR_OK);
	assert_string_equal(c.cred_id, sid);
	assert_string_equal(c.workspace_id, w.id);
	assert_string_equal(c.user_id, u.id);
	assert_string_equal(c.role, "tech");
	assert_int_equal(c.expires_at, 90000);
	assert_int_equal(c.last_seen_at, 10000);
	/* A session hash is not a token hash. */
	assert_int_equal(store_credential_by_token(f->db, "s-hash", &c), ERR_NOT_FOUND);

	assert_int_equal(store_session_touch(f->db, sid, 20000), ERR_OK);
	assert_int_equal(store_credential_by_session(f->db, "s-hash", &c), ERR_OK);
	assert_int_equal(c.last_seen_at, 20000);
	assert_int_equal(c.expires_at, 90000);

	/* Expiry is the caller's rule: an expired session is still returned. */
	assert_int_equal(store_session_touch(f->db, sid, 100000), ERR_OK);
	assert_int_equal(store_credential_by_session(f->db, "s-hash", &c), ERR_OK);

	assert_int_equal(store_session_revoke(f->db, sid, 30000), ERR_OK);
	assert_int_equal(store_credential_by_session(f->db, "s-hash", &c), ERR_NOT_FOUND);
	assert_int_equal(store_session_revoke(f->db, sid, 40000), ERR_OK);
	assert_int_equal(query_int(f->db, "SELECT revoked_at FROM sessions"), 30000);

	char sid2[ID_SIZE];
	id_new(sid2);
	assert_int_equal(store_session_insert(f->db, sid2, w.id, u.id, "s-hash", 1, 2), ERR_CONFLICT);
	assert_int_equal(store_session_insert(f->db, sid2, "no-such-ws", u.id, "s-hash-2", 1, 2), ERR_CONFLICT);
}

static void expect_failures(struct db *db, const char *email, const char *ip, int64_t since, int64_t want_email,
			    int64_t want_ip, int64_t want_oldest)
{
	int64_t by_email = -1, by_ip = -1, oldest = -1;
	assert_int_equal(store_login_failures_since(db, email, ip, since, &by_email, &by_ip, &oldest), ERR_OK);
	if (by_email != want_email || by_ip != want_ip || oldest != want_oldest)
		fail_msg("since %lld: by_email %lld by_ip %lld oldest %lld, want %lld %lld %lld", (long long)since,
			 (long long)by_email, (long long)by_ip, (long long)oldest, (long long)want_email,
			 (long long)want_ip, (long long)want_oldest);
}

static void test_login_failures(void **state)
{
	struct fixture *f = *state;
	const char *e = "ann@example.com", *ip = "203.0.113.7";
	expect_failures(f->db, e, ip, 0, 0, 0, 0);

	assert_int_equal(store_login_failure_add(f->db, e, ip, 1000), ERR_OK);
	assert_int_equal(store_login_failure_add(f->db, e, ip, 2000), ERR_OK);
	assert_int_equal(store_login_failure_add(f->db, e, "198.51.100.1", 3000), ERR_OK);
	assert_int_equal(store_login_failure_add(f->db, "bob@example.com", ip, 4000), ERR_OK);
	/* Same millisecond twice is two failures. */
	assert_int_equal(store_login_failure_add(f->db, e, ip, 4000), ERR_OK);

	expect_failures(f->db, e, ip, 0, 4, 4, 1000);
	/* The window starts at since (inclusive). */
	expect_failures(f->db, e, ip, 2000, 3, 3, 2000);
	expect_failures(f->db, e, ip, 2001, 2, 2, 3000);
	expect_failures(f->db, e, ip, 5000, 0, 0, 0);

	/* Clearing an e-mail leaves other e-mails' failures from the same address. */
	assert_int_equal(store_login_failures_clear(f->db, e), ERR_OK);
	expect_failures(f->db, e, ip, 0, 0, 1, 4000);
}

/* Accounts rows written in a rolled-back transaction are not there. */
static void test_accounts_rollback(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(db_begin_write(f->db), ERR_OK);
	struct workspace w;
	make_workspace(&w, "temp", 1);
	assert_int_equal(store_workspace_insert(f->db, &w), ERR_OK);
	struct workspace got;
	assert_int_equal(store_workspace_by_slug(f->db, "temp", &got), ERR_OK);
	db_rollback(f->db);
	assert_int_equal(store_workspace_by_slug(f->db, "temp", &got), ERR_NOT_FOUND);
}

/* ---- blocked numbers and SMS opt-in state ---- */

static void test_blocked_and_opt_status(void **state)
{
	struct fixture *f = *state;
	struct workspace w, w2;
	make_workspace(&w, "blk", 1);
	make_workspace(&w2, "other", 1);
	assert_int_equal(store_workspace_insert(f->db, &w), ERR_OK);
	assert_int_equal(store_workspace_insert(f->db, &w2), ERR_OK);
	struct arena *a = arena_new();
	assert_non_null(a);

	struct blocked_number b = { .workspace_id = w.id, .e164 = "+15550001111", .reason = "robocall",
				    .source = "spam", .created_at = 10 };
	bool created = false, is = true;
	assert_int_equal(store_blocked_is(f->db, w.id, b.e164, &is), ERR_OK);
	assert_false(is);
	assert_int_equal(store_blocked_add(f->db, &b, &created), ERR_OK);
	assert_true(created);
	struct blocked_number again = b;
	again.reason = "second";
	again.created_at = 20;
	assert_int_equal(store_blocked_add(f->db, &again, &created), ERR_OK);
	assert_false(created); /* idempotent: the first row stays */
	struct blocked_number got;
	assert_int_equal(store_blocked_get(f->db, w.id, b.e164, a, &got), ERR_OK);
	assert_string_equal(got.reason, "robocall");
	assert_string_equal(got.source, "spam");
	assert_int_equal(got.created_at, 10);
	assert_int_equal(store_blocked_is(f->db, w.id, b.e164, &is), ERR_OK);
	assert_true(is);
	assert_int_equal(store_blocked_is(f->db, w2.id, b.e164, &is), ERR_OK);
	assert_false(is); /* per workspace */

	b.e164 = "+15550002222";
	b.created_at = 30;
	assert_int_equal(store_blocked_add(f->db, &b, NULL), ERR_OK);
	struct blocked_number *rows;
	int n = 0;
	assert_int_equal(store_blocked_list(f->db, w.id, a, &rows, &n), ERR_OK);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].e164, "+15550002222"); /* newest first */
	int64_t count = 0;
	assert_int_equal(store_blocked_count(f->db, w.id, &count), ERR_OK);
	assert_int_equal(count, 2);
	assert_int_equal(store_blocked_remove(f->db, w.id, "+15550002222"), ERR_OK);
	assert_int_equal(store_blocked_remove(f->db, w.id, "+15550002222"), ERR_NOT_FOUND);
	assert_int_equal(store_blocked_get(f->db, w.id, "+15550002222", a, &got), ERR_NOT_FOUND);

	struct sms_opt_status s = { .workspace_id = w.id, .e164 = "+15550003333", .opted_out = true,
				    .source = "STOP", .changed_at = 5 }, so;
	bool changed = false;
	assert_int_equal(store_sms_opt_get(f->db, w.id, s.e164, a, &so), ERR_NOT_FOUND);
	assert_int_equal(store_sms_opt_set(f->db, &s, &changed), ERR_OK);
	assert_true(changed);
	s.changed_at = 6;
	assert_int_equal(store_sms_opt_set(f->db, &s, &changed), ERR_OK);
	assert_false(changed); /* a second STOP changes nothing */
	assert_int_equal(store_sms_opt_get(f->db, w.id, s.e164, a, &so), ERR_OK);
	assert_true(so.opted_out);
	assert_int_equal(so.changed_at, 5);
	s.opted_out = false;
	s.source = "START";
	assert_int_equal(store_sms_opt_set(f->db, &s, &changed), ERR_OK);
	assert_true(changed);
	assert_int_equal(store_sms_opt_get(f->db, w.id, s.e164, a, &so), ERR_OK);
	assert_false(so.opted_out);
	assert_string_equal(so.source, "START");
	arena_free(a);
}

static bool count_dnc(void *ctx, const struct dnc_entry *e)
{
	(void)e;
	++*(int *)ctx;
	return true;
}

static void test_dnc_entries(void **state)
{
	struct fixture *f = *state;
	struct workspace w;
	make_workspace(&w, "dnc", 1);
	assert_int_equal(store_workspace_insert(f->db, &w), ERR_OK);
	struct arena *a = arena_new();
	assert_non_null(a);
	struct dnc_entry e = { .workspace_id = w.id, .e164 = "+15550004444", .block_call = false, .block_sms = true,
			       .source = "sms_stop", .expires_at = 1000, .created_at = 10, .updated_at = 10 }, got;
	bool created = false, hit = true;
	assert_int_equal(store_dnc_put(f->db, &e, &created), ERR_OK);
	assert_true(created);
	/* Per channel, and only until the expiry. */
	assert_int_equal(store_dnc_active(f->db, w.id, e.e164, false, 500, a, &hit, &got), ERR_OK);
	assert_false(hit);
	assert_int_equal(store_dnc_active(f->db, w.id, e.e164, true, 500, a, &hit, &got), ERR_OK);
	assert_true(hit);
	assert_string_equal(got.source, "sms_stop");
	assert_int_equal(store_dnc_active(f->db, w.id, e.e164, true, 1000, a, &hit, NULL), ERR_OK);
	assert_false(hit);
	/* A second put replaces the fields but keeps created_at. */
	e.block_call = true;
	e.expires_at = 0;
	e.source = "manual";
	e.created_at = e.updated_at = 20;
	assert_int_equal(store_dnc_put(f->db, &e, &created), ERR_OK);
	assert_false(created);
	assert_int_equal(store_dnc_get(f->db, w.id, e.e164, a, &got), ERR_OK);
	assert_true(got.block_call);
	assert_int_equal(got.expires_at, 0);
	assert_int_equal(got.created_at, 10);
	assert_int_equal(got.updated_at, 20);
	assert_int_equal(store_dnc_active(f->db, w.id, e.e164, false, 5000, a, &hit, NULL), ERR_OK);
	assert_true(hit);
	int n = 0;
	assert_int_equal(store_dnc_each(f->db, w.id, count_dnc, &n), ERR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(store_dnc_delete(f->db, w.id, e.e164), ERR_OK);
	assert_int_equal(store_dnc_delete(f->db, w.id, e.e164), ERR_NOT_FOUND);
	assert_int_equal(store_dnc_get(f->db, w.id, e.e164, a, &got), ERR_NOT_FOUND);
	arena_free(a);
}

#define FILE_T(fn) cmocka_unit_test_setup_teardown(fn, setup_file, teardown)
#define MEM_T(fn) cmocka_unit_test_setup_teardown(fn, setup_mem, teardown)

int main(void)
{
	/* Expected failures still log at error level; "migration applied" lines are noise here. */
	log_level_set(LOG_WARN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test_setup_teardown(test_migrate_twice, setup_file_raw, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_twice, setup_mem_raw, teardown),
		FILE_T(test_migrate_second_connection),
		FILE_T(test_migrate_fills_gap),
		cmocka_unit_test_setup_teardown(test_migrate_concurrent, setup_file_raw, teardown),
		FILE_T(test_db_thread),
		FILE_T(test_round_trip_types),
		MEM_T(test_round_trip_types),
		MEM_T(test_textn_embedded_nul),
		MEM_T(test_prepare_errors),
		MEM_T(test_bind_error_reported_by_step),
		FILE_T(test_cache_nested),
		MEM_T(test_cache_nested),
		MEM_T(test_cache_many),
		FILE_T(test_constraint_conflict),
		MEM_T(test_constraint_conflict),
		FILE_T(test_transactions),
		MEM_T(test_transactions),
		FILE_T(test_two_connections_visibility),
		FILE_T(test_write_lock_busy_fails_cleanly),
		FILE_T(test_write_lock_waits),
		FILE_T(test_workspaces),
		MEM_T(test_workspaces),
		FILE_T(test_users),
		MEM_T(test_users),
		FILE_T(test_memberships),
		MEM_T(test_memberships),
		FILE_T(test_tokens),
		MEM_T(test_tokens),
		MEM_T(test_token_without_membership),
		FILE_T(test_sessions),
		MEM_T(test_sessions),
		FILE_T(test_login_failures),
		MEM_T(test_login_failures),
		FILE_T(test_accounts_rollback),
		FILE_T(test_blocked_and_opt_status),
		FILE_T(test_dnc_entries),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
