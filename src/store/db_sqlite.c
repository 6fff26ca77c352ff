/* SQLite driver: WAL, a busy timeout, foreign keys, one connection per thread
 * (opened NOMUTEX: the connection never crosses threads). */
#include "store/db_int.h"

#include <errno.h>
#include <libgen.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/log.h"

struct sdb {
	struct db base;
	sqlite3 *h;
	int64_t busy_budget_us; /* how long a lock may be waited for (busy_wait) */
	int64_t busy_since;     /* when the current wait began */
};

struct sstmt {
	struct db_stmt base;
	sqlite3_stmt *s;
};

#define H(db) (((struct sdb *)(db))->h)
#define S(st) (((struct sstmt *)(st))->s)

#define DB_FILE_CHUNK (16 * 1024 * 1024)
#define DB_BUSY_BUDGET_US 5000000LL

static int64_t mono_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

/* Waiting for a lock another connection holds. SQLite's own busy timeout
 * sleeps 1, 2, 5, 10, 15, 20, 25 ... 100 ms between tries, so a lock held
 * 3 ms cost a waiter 8 and one held 20 ms cost 33; locks here are held for
 * a transaction's few ms, so this tries again every 0.1 ms at first, then
 * every 0.5 ms, then every 2 ms, for the connection's budget in all. */
static int busy_wait(void *arg, int count)
{
	struct sdb *db = arg;
	int64_t now = mono_us();
	if (count == 0)
		db->busy_since = now;
	if (now - db->busy_since >= db->busy_budget_us)
		return 0;
	long nap_us = count < 20 ? 100 : count < 60 ? 500 : 2000;
	struct timespec t = {0, nap_us * 1000};
	nanosleep(&t, NULL);
	return 1;
}

/* No memory-mapped reads: in WAL mode a connection drops its mapping (and its
 * page cache) at the start of every read transaction after any commit, so
 * under a stream of writes each request thread unmapped and remapped the
 * file per transaction (munmap with TLB shootdowns across the threads, then
 * page faults), 4 % of an inbound webhook's CPU. pread copies from the page
 * cache instead. */
static const char pragmas[] =
	"PRAGMA journal_mode=WAL;"
	"PRAGMA synchronous=NORMAL;"
	"PRAGMA foreign_keys=ON;"
	"PRAGMA temp_store=MEMORY;"
	"PRAGMA cache_size=-32768;"
	"PRAGMA mmap_size=0;" /* see below */
	"PRAGMA journal_size_limit=536870912;"; /* see s_checkpoint */

static enum err map_rc(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE:
		return ERR_OK;
	case SQLITE_CONSTRAINT:
		return ERR_CONFLICT;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return ERR_LIMITED;
	case SQLITE_NOMEM:
		return ERR_NOMEM;
	case SQLITE_TOOBIG:
		return ERR_TOO_LARGE;
	default:
		return ERR_STORE;
	}
}

static int mkdir_parent(const char *path)
{
	char *copy = strdup(path);
	if (!copy)
		return -1;
	char *dir = dirname(copy);
	int rc = 0;
	if (strcmp(dir, ".") != 0 && mkdir(dir, 0700) != 0 && errno != EEXIST)
		rc = -1;
	free(copy);
	return rc;
}

/* SQLite's memory statistics take one process-wide mutex on every
 * allocation: the request threads and the group-commit writer queued on it.
 * Nothing here reads the statistics. Set before the library initializes. */
static pthread_once_t config_once = PTHREAD_ONCE_INIT;
static void config(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static enum err s_open(const char *target, struct db **out, struct err_detail *d)
{
	pthread_once(&config_once, config);
	if (strcmp(target, ":memory:") != 0 && mkdir_parent(target) != 0)
		return err_set(d, ERR_IO, "cannot create the directory of %s: %s", target, strerror(errno));
	struct sdb *db = calloc(1, sizeof *db);
	if (!db)
		return ERR_NOMEM;
	int rc = sqlite3_open_v2(target, &db->h,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		err_set(d, ERR_STORE, "cannot open %s: %s", target, db->h ? sqlite3_errmsg(db->h) : "out of memory");
		sqlite3_close(db->h);
		free(db);
		return ERR_STORE;
	}
	db->busy_budget_us = DB_BUSY_BUDGET_US;
	sqlite3_busy_handler(db->h, busy_wait, db);
	char *msg = NULL;
	if (sqlite3_exec(db->h, pragmas, NULL, NULL, &msg) != SQLITE_OK) {
		err_set(d, ERR_STORE, "cannot configure %s: %s", target, msg ? msg : "?");
		sqlite3_free(msg);
		sqlite3_close(db->h);
		free(db);
		return ERR_STORE;
	}
	/* The file grows in chunks, not page by page as each checkpoint copies
	 * new pages in. */
	int chunk = DB_FILE_CHUNK;
	sqlite3_file_control(db->h, "main", SQLITE_FCNTL_CHUNK_SIZE, &chunk);
	*out = &db->base;
	return ERR_OK;
}

static void s_close(struct db *db)
{
	sqlite3_close(H(db));
	free(db);
}

static enum err s_exec(struct db *db, const char *sql, struct err_detail *d)
{
	char *msg = NULL;
	int rc = sqlite3_exec(H(db), sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		if (d)
			err_set(d, map_rc(rc), "%s", msg ? msg : sqlite3_errstr(rc));
		else
			log_error("sql failed: %s", msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return map_rc(rc);
	}
	return ERR_OK;
}

static enum err s_prepare(struct db *db, const char *sql, struct db_stmt **out)
{
	struct sstmt *st = calloc(1, sizeof *st);
	if (!st)
		return ERR_NOMEM;
	int rc = sqlite3_prepare_v3(H(db), sql, -1, SQLITE_PREPARE_PERSISTENT, &st->s, NULL);
	if (rc != SQLITE_OK) {
		free(st);
		return map_rc(rc) == ERR_OK ? ERR_STORE : map_rc(rc);
	}
	*out = &st->base;
	return ERR_OK;
}

static void s_finalize(struct db_stmt *st)
{
	sqlite3_finalize(S(st));
	free(st);
}

static void bind_check(struct db_stmt *st, int rc)
{
	if (rc != SQLITE_OK && st->bind_err == ERR_OK)
		st->bind_err = map_rc(rc) == ERR_OK ? ERR_STORE : map_rc(rc);
}

static void s_bind_text(struct db_stmt *st, int i, const char *s, int64_t len)
{
	bind_check(st, sqlite3_bind_text64(S(st), i, s, len < 0 ? strlen(s) : (sqlite3_uint64)len,
					   SQLITE_TRANSIENT, SQLITE_UTF8));
}

static void s_bind_int(struct db_stmt *st, int i, int64_t v) { bind_check(st, sqlite3_bind_int64(S(st), i, v)); }
static void s_bind_null(struct db_stmt *st, int i) { bind_check(st, sqlite3_bind_null(S(st), i)); }

static enum err s_step(struct db_stmt *st, bool *row)
{
	int rc = sqlite3_step(S(st));
	if (rc == SQLITE_ROW) {
		*row = true;
		return ERR_OK;
	}
	*row = false;
	if (rc == SQLITE_DONE)
		return ERR_OK;
	enum err e = map_rc(rc);
	if (e != ERR_CONFLICT)
		log_error("sql step failed: %s", sqlite3_errmsg(sqlite3_db_handle(S(st))));
	return e == ERR_OK ? ERR_STORE : e;
}

static const char *s_col_text(struct db_stmt *st, int i) { return (const char *)sqlite3_column_text(S(st), i); }
static int s_col_len(struct db_stmt *st, int i) { return sqlite3_column_bytes(S(st), i); }
static int64_t s_col_int(struct db_stmt *st, int i) { return sqlite3_column_int64(S(st), i); }
static bool s_col_null(struct db_stmt *st, int i) { return sqlite3_column_type(S(st), i) == SQLITE_NULL; }

static void s_reset(struct db_stmt *st)
{
	sqlite3_reset(S(st));
	sqlite3_clear_bindings(S(st));
}

static int64_t s_changes(struct db *db) { return sqlite3_changes64(H(db)); }
static const char *s_errmsg(struct db *db) { return sqlite3_errmsg(H(db)); }

/* Checkpoints (db.h has the plan). A passive pass copies the WAL into the
 * database without blocking anyone. Once the WAL holds wal_restart_frames,
 * CATCH_UP repeats passive passes, each copying only what was written
 * during the one before, until one finds almost nothing to do: then the WAL
 * can start over cheaply (restart_due). Under a steady stream of writes a
 * passive pass alone never leaves it fully copied at the moment a writer
 * begins, so the file grew without end (855 MiB after 16,000 webhooks) and
 * every commit paid for new file blocks. A RESTART checkpoint straight after
 * one pass held writers 20-60 ms (all that was written during the pass),
 * and even after catching up, 2-28 ms, which the writers' waits turned into
 * a p99 of 128-243 ms at 3,000 webhooks/s: hence the finisher (db.h).
 * A WAL started over keeps its file (up to journal_size_limit, 512 MiB):
 * cut back to 64 MiB, it was extended again by every second's writes, and
 * allocating the new blocks stalled commits behind the checkpoints' fsyncs
 * (p99 84 ms against 18 ms with the file kept). */
static atomic_int wal_restart_frames = 16384; /* 64 MiB of 4 KiB pages; tests lower it */

void db_wal_restart_frames_set(int frames)
{
	atomic_store(&wal_restart_frames, frames);
}
#define WAL_RESTART_WAIT_US 20000
#define WAL_QUIET_PASS_US 3000   /* a passive pass this short left almost nothing */
#define WAL_MAX_PASSES 8

static enum err s_checkpoint(struct db *db, int mode, bool *restart_due)
{
	struct sdb *s = (struct sdb *)db;
	int rc = SQLITE_OK, frames = 0;
	if (restart_due)
		*restart_due = false;
	if (mode == DB_CKPT_RESTART) {
		s->busy_budget_us = WAL_RESTART_WAIT_US;
		rc = sqlite3_wal_checkpoint_v2(s->h, NULL, SQLITE_CHECKPOINT_RESTART, NULL, NULL);
		s->busy_budget_us = DB_BUSY_BUDGET_US;
	} else {
		rc = sqlite3_wal_checkpoint_v2(s->h, NULL, SQLITE_CHECKPOINT_PASSIVE, &frames, NULL);
	}
	if (mode == DB_CKPT_CATCH_UP && rc == SQLITE_OK && frames >= atomic_load(&wal_restart_frames)) {
		bool quiet = false;
		for (int i = 0; i < WAL_MAX_PASSES && rc == SQLITE_OK && !quiet; i++) {
			int64_t t0 = mono_us();
			rc = sqlite3_wal_checkpoint_v2(s->h, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
			quiet = mono_us() - t0 < WAL_QUIET_PASS_US;
		}
		if (restart_due)
			*restart_due = rc == SQLITE_OK && quiet;
	}
	return rc == SQLITE_OK || rc == SQLITE_BUSY ? ERR_OK : map_rc(rc);
}

/* Other connections' commits bump PRAGMA data_version; our own bump total_changes. */
static enum err s_data_version(struct db *db, uint64_t *v)
{
	static const char sql[] = "PRAGMA data_version";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	bool row;
	rc = db_step(st, &row);
	uint64_t dv = rc == ERR_OK && row ? (uint64_t)db_col_int(st, 0) : 0;
	db_done(st);
	*v = dv << 40 ^ (uint64_t)sqlite3_total_changes64(H(db));
	return rc;
}

static void s_no_autocheckpoint(struct db *db)
{
	sqlite3_wal_autocheckpoint(H(db), 0);
}

const struct db_ops db_sqlite_ops = {
	.scheme = "sqlite",
	.dialect = DB_SQLITE,
	.open = s_open,
	.close = s_close,
	.exec = s_exec,
	.prepare = s_prepare,
	.finalize = s_finalize,
	.bind_text = s_bind_text,
	.bind_int = s_bind_int,
	.bind_null = s_bind_null,
	.step = s_step,
	.col_text = s_col_text,
	.col_len = s_col_len,
	.col_int = s_col_int,
	.col_null = s_col_null,
	.reset = s_reset,
	.changes = s_changes,
	.errmsg = s_errmsg,
	.checkpoint = s_checkpoint,
	.data_version = s_data_version,
	.no_autocheckpoint = s_no_autocheckpoint,
};
