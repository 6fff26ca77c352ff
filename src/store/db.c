/* Driver dispatch, the per-connection statement cache, and per-thread connections. */
#include "store/db_int.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/log.h"

static const struct db_ops *const drivers[] = {&db_sqlite_ops};

#define STMT_CACHE_MAX 512

/* Open-addressing table of statements keyed by SQL text. */
struct stmt_cache {
	struct db_stmt **slots;
	size_t cap, count;
};

static unsigned hash_sql(const char *s)
{
	unsigned h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

enum err db_open(const char *url, struct db **out, struct err_detail *d)
{
	*out = NULL;
	const char *colon = url ? strchr(url, ':') : NULL;
	if (!colon)
		return err_set(d, ERR_INVALID, "database URL '%s' has no scheme", url ? url : "");
	for (size_t i = 0; i < sizeof drivers / sizeof drivers[0]; i++) {
		size_t n = strlen(drivers[i]->scheme);
		if ((size_t)(colon - url) != n || strncmp(url, drivers[i]->scheme, n) != 0)
			continue;
		struct db *db = NULL;
		enum err rc = drivers[i]->open(colon + 1, &db, d);
		if (rc != ERR_OK)
			return rc;
		db->ops = drivers[i];
		db->cache = calloc(1, sizeof *db->cache);
		if (!db->cache) {
			drivers[i]->close(db);
			return ERR_NOMEM;
		}
		*out = db;
		return ERR_OK;
	}
	return err_set(d, ERR_INVALID, "no database driver for '%.*s'", (int)(colon - url), url);
}

static void stmt_destroy(struct db_stmt *st)
{
	const struct db_ops *ops = st->db->ops;
	free((char *)st->sql);
	ops->finalize(st);
}

void db_close(struct db *db)
{
	if (!db)
		return;
	if (db->cache) {
		for (size_t i = 0; i < db->cache->cap; i++)
			if (db->cache->slots[i])
				stmt_destroy(db->cache->slots[i]);
		free(db->cache->slots);
		free(db->cache);
	}
	db->ops->close(db);
}

enum db_dialect db_dialect_of(const struct db *db) { return db->ops->dialect; }

/* Nested transactions are savepoints named by depth ("sb_1", "sb_2", ...):
 * a unit of work that opens and commits its own transaction (the calls edit
 * cycle) can then run inside a caller's larger one (a bulk job's chunk). */
static void savepoint_name(char *out, size_t n, const char *verb, int depth)
{
	snprintf(out, n, "%s sb_%d", verb, depth);
}

/* Savepoint statements are prepared once per connection (cached by their text like any other):
 * a bulk job opens and releases one per call. */
static enum err savepoint_exec(struct db *db, const char *sql)
{
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	return rc == ERR_OK ? db_run(st) : rc;
}

static enum err begin_with(struct db *db, const char *sql)
{
	if (db->tx_depth > 0) {
		char sp[48];
		savepoint_name(sp, sizeof sp, "SAVEPOINT", db->tx_depth);
		enum err rc = savepoint_exec(db, sp);
		if (rc == ERR_OK)
			db->tx_depth++;
		return rc;
	}
	enum err rc = savepoint_exec(db, sql); /* prepared once per connection, like the savepoints */
	if (rc == ERR_OK)
		db->tx_depth = 1;
	return rc;
}

enum err db_begin(struct db *db)
{
	return begin_with(db, "BEGIN");
}

enum err db_begin_write(struct db *db)
{
	return begin_with(db, db->ops->dialect == DB_SQLITE ? "BEGIN IMMEDIATE" : "BEGIN");
}

static pthread_mutex_t outbox_lock = PTHREAD_MUTEX_INITIALIZER;
static void (*outbox_hook)(void);

void db_set_outbox_hook(void (*fn)(void))
{
	pthread_mutex_lock(&outbox_lock);
	outbox_hook = fn;
	pthread_mutex_unlock(&outbox_lock);
}

static void outbox_fire(void)
{
	pthread_mutex_lock(&outbox_lock); /* so the hub cannot go away under a caller */
	if (outbox_hook)
		outbox_hook();
	pthread_mutex_unlock(&outbox_lock);
}

void db_outbox_written(struct db *db)
{
	if (db->tx_depth)
		db->outbox_written = true;
	else
		outbox_fire();
}

enum err db_commit(struct db *db)
{
	if (db->tx_depth > 1) {
		char sp[48];
		savepoint_name(sp, sizeof sp, "RELEASE", db->tx_depth - 1);
		enum err rc = savepoint_exec(db, sp);
		if (rc != ERR_OK) {
			db_rollback(db);
			return rc;
		}
		db->tx_depth--;
		return ERR_OK;
	}
	enum err rc = savepoint_exec(db, "COMMIT");
	if (rc != ERR_OK) {
		db_rollback(db);
		return rc;
	}
	db->tx_depth = 0;
	if (db->outbox_written) {
		db->outbox_written = false;
		outbox_fire();
	}
	return ERR_OK;
}

void db_rollback(struct db *db)
{
	if (!db || !db->tx_depth)
		return;
	if (db->tx_depth > 1) {
		char sp[48], rel[48];
		savepoint_name(sp, sizeof sp, "ROLLBACK TO", db->tx_depth - 1);
		savepoint_name(rel, sizeof rel, "RELEASE", db->tx_depth - 1);
		if (savepoint_exec(db, sp) != ERR_OK || savepoint_exec(db, rel) != ERR_OK)
			log_error("rollback to savepoint failed: %s", db->ops->errmsg(db));
		db->tx_depth--;
		return;
	}
	db->outbox_written = false;
	if (db->ops->exec(db, "ROLLBACK", NULL) != ERR_OK)
		log_error("rollback failed: %s", db->ops->errmsg(db));
	db->tx_depth = 0;
}

int db_tx_depth(const struct db *db) { return db->tx_depth; }

bool db_in_transaction(const struct db *db) { return db->tx_depth > 0; }

enum err db_exec(struct db *db, const char *sql, struct err_detail *d)
{
	return db->ops->exec(db, sql, d);
}

static enum err cache_grow(struct stmt_cache *c)
{
	size_t ncap = c->cap ? c->cap * 2 : 64;
	struct db_stmt **ns = calloc(ncap, sizeof *ns);
	if (!ns)
		return ERR_NOMEM;
	for (size_t i = 0; i < c->cap; i++) {
		struct db_stmt *st = c->slots[i];
		if (!st)
			continue;
		size_t j = st->hash & (ncap - 1);
		while (ns[j])
			j = (j + 1) & (ncap - 1);
		ns[j] = st;
	}
	free(c->slots);
	c->slots = ns;
	c->cap = ncap;
	return ERR_OK;
}

static enum err stmt_make(struct db *db, const char *sql, unsigned h, struct db_stmt **out)
{
	struct db_stmt *st = NULL;
	enum err rc = db->ops->prepare(db, sql, &st);
	if (rc != ERR_OK) {
		log_error("prepare failed: %s", db->ops->errmsg(db));
		return rc;
	}
	st->db = db;
	st->hash = h;
	st->sql = strdup(sql);
	if (!st->sql) {
		db->ops->finalize(st);
		return ERR_NOMEM;
	}
	*out = st;
	return ERR_OK;
}

enum err db_prepare(struct db *db, const char *sql, struct db_stmt **out)
{
	struct stmt_cache *c = db->cache;
	unsigned h = hash_sql(sql);
	*out = NULL;
	if (c->cap) {
		for (size_t j = h & (c->cap - 1); c->slots[j]; j = (j + 1) & (c->cap - 1)) {
			struct db_stmt *st = c->slots[j];
			if (st->hash != h || strcmp(st->sql, sql) != 0)
				continue;
			if (st->busy)
				goto private_copy;
			st->busy = true;
			st->bind_err = ERR_OK;
			*out = st;
			return ERR_OK;
		}
	}
	/* Filter combinations make many distinct list queries: past the bound,
	 * new shapes are prepared per use instead of growing the cache forever. */
	if (c->count >= STMT_CACHE_MAX)
		goto private_copy;
	if ((c->count + 1) * 2 > c->cap && cache_grow(c) != ERR_OK)
		return ERR_NOMEM;
	struct db_stmt *st;
	enum err rc = stmt_make(db, sql, h, &st);
	if (rc != ERR_OK)
		return rc;
	size_t j = h & (c->cap - 1);
	while (c->slots[j])
		j = (j + 1) & (c->cap - 1);
	c->slots[j] = st;
	c->count++;
	st->cached = true;
	st->busy = true;
	*out = st;
	return ERR_OK;

private_copy:
	rc = stmt_make(db, sql, h, out);
	if (rc == ERR_OK) {
		(*out)->cached = false;
		(*out)->busy = true;
	}
	return rc;
}

void db_bind_textn(struct db_stmt *st, int i, const char *s, int64_t len)
{
	if (!s)
		st->db->ops->bind_null(st, i);
	else
		st->db->ops->bind_text(st, i, s, len);
}

void db_bind_text(struct db_stmt *st, int i, const char *s) { db_bind_textn(st, i, s, -1); }
void db_bind_int(struct db_stmt *st, int i, int64_t v) { st->db->ops->bind_int(st, i, v); }
void db_bind_null(struct db_stmt *st, int i) { st->db->ops->bind_null(st, i); }
void db_bind_bool(struct db_stmt *st, int i, bool v) { st->db->ops->bind_int(st, i, v ? 1 : 0); }

enum err db_step(struct db_stmt *st, bool *row)
{
	*row = false;
	if (st->bind_err != ERR_OK)
		return st->bind_err;
	return st->db->ops->step(st, row);
}

const char *db_col_text(struct db_stmt *st, int i) { return st->db->ops->col_text(st, i); }
int db_col_len(struct db_stmt *st, int i) { return st->db->ops->col_len(st, i); }
int64_t db_col_int(struct db_stmt *st, int i) { return st->db->ops->col_int(st, i); }
bool db_col_null(struct db_stmt *st, int i) { return st->db->ops->col_null(st, i); }

void db_done(struct db_stmt *st)
{
	if (!st)
		return;
	if (!st->cached) {
		stmt_destroy(st);
		return;
	}
	st->db->ops->reset(st);
	st->busy = false;
}

int64_t db_changes(struct db *db) { return db->ops->changes(db); }
const char *db_errmsg(struct db *db) { return db->ops->errmsg(db); }

enum err db_run_pair(struct db *db, const char *del_sql, const char *ins_sql, const char *id)
{
	const char *const sqls[] = {del_sql, ins_sql};
	for (int i = 0; i < 2; i++) {
		struct db_stmt *st;
		enum err rc = db_prepare(db, sqls[i], &st);
		if (rc != ERR_OK)
			return rc;
		db_bind_text(st, 1, id);
		if ((rc = db_run(st)) != ERR_OK)
			return rc;
	}
	return ERR_OK;
}

enum err db_run(struct db_stmt *st)
{
	bool row;
	enum err rc = db_step(st, &row);
	db_done(st);
	return rc;
}

enum err db_step_int(struct db_stmt *st, int64_t fallback, int64_t *out)
{
	bool row = false;
	enum err rc = db_step(st, &row);
	*out = rc == ERR_OK && row ? db_col_int(st, 0) : fallback;
	db_done(st);
	return rc;
}

void db_bind_int_or_null(struct db_stmt *st, int i, int64_t v)
{
	if (v == DB_NULL_INT)
		db_bind_null(st, i);
	else
		db_bind_int(st, i, v);
}

int64_t db_col_int_or_null(struct db_stmt *st, int i)
{
	return db_col_null(st, i) ? DB_NULL_INT : db_col_int(st, i);
}

const char *db_col_dup(struct db_stmt *st, int i, struct arena *a)
{
	const char *s = db_col_text(st, i);
	return s ? arena_strndup(a, s, (size_t)db_col_len(st, i)) : NULL;
}

enum err db_data_version(struct db *db, uint64_t *version)
{
	if (!db->ops->data_version)
		return ERR_UNSUPPORTED;
	return db->ops->data_version(db, version);
}

enum err db_ping(struct db *db)
{
	static const char sql[] = "SELECT 1";
	struct db_stmt *st;
	enum err rc = db_prepare(db, sql, &st);
	if (rc != ERR_OK)
		return rc;
	bool row;
	rc = db_step(st, &row);
	db_done(st);
	return rc == ERR_OK && !row ? ERR_STORE : rc;
}

/* Per-thread connections. */
static char *thread_url;                 /* const after db_thread_setup */
static bool thread_bg_checkpoints;       /* const after start-up */

void db_thread_background_checkpoints(bool on)
{
	thread_bg_checkpoints = on;
}

/* The WAL restart (db.h): whether a writer thread finishes it, and whether
 * one is wanted now. Process-wide, lock-free. */
static atomic_bool finisher, finish_wanted;

void db_checkpoint_finisher(bool on)
{
	atomic_store(&finisher, on);
	if (!on)
		atomic_store(&finish_wanted, false);
}

enum err db_checkpoint(struct db *db)
{
	if (!db->ops->checkpoint)
		return ERR_OK;
	bool due = false;
	enum err rc = db->ops->checkpoint(db, DB_CKPT_CATCH_UP, &due);
	if (rc != ERR_OK || !due)
		return rc;
	/* Asked a tick ago and not done: the writer is idle (no webhooks), so a
	 * RESTART here holds no one up. */
	if (atomic_load(&finisher) && !atomic_exchange(&finish_wanted, true))
		return ERR_OK;
	atomic_store(&finish_wanted, false);
	return db->ops->checkpoint(db, DB_CKPT_RESTART, NULL);
}

void db_checkpoint_finish(struct db *db)
{
	if (db->ops->checkpoint && atomic_exchange(&finish_wanted, false))
		db->ops->checkpoint(db, DB_CKPT_PASSIVE, NULL);
}
static pthread_key_t thread_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

static void thread_db_close(void *p) { db_close(p); }
static void make_key(void) { pthread_key_create(&thread_key, thread_db_close); }

enum err db_thread_setup(const char *url)
{
	pthread_once(&key_once, make_key);
	char *u = strdup(url);
	if (!u)
		return ERR_NOMEM;
	free(thread_url);
	thread_url = u;
	return ERR_OK;
}

struct db *db_thread(void)
{
	pthread_once(&key_once, make_key);
	struct db *db = pthread_getspecific(thread_key);
	if (db || !thread_url)
		return db;
	struct err_detail d = {0};
	if (db_open(thread_url, &db, &d) != ERR_OK) {
		log_error("cannot open database: %s", d.detail);
		return NULL;
	}
	if (thread_bg_checkpoints && db->ops->no_autocheckpoint)
		db->ops->no_autocheckpoint(db);
	pthread_setspecific(thread_key, db);
	return db;
}

void db_thread_release(void)
{
	pthread_once(&key_once, make_key);
	struct db *db = pthread_getspecific(thread_key);
	pthread_setspecific(thread_key, NULL);
	db_close(db);
}
