/* The group-commit writer (see group_commit.h). One mutex guards the queue;
 * the writer takes everything queued (up to max_batch) at once, so while it
 * commits one batch the next one gathers. */
#include "store/group_commit.h"

#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>

#include "core/log.h"

#define DEFAULT_BATCH 256

static struct {
	pthread_mutex_t lock; /* guards everything below */
	pthread_cond_t wake;  /* queue not empty, or stop */
	struct gc_unit *head, *tail;
	bool running, stop;
	pthread_t thread;
	int max_batch;
	struct gc_unit **units; /* the writer's batch table, max_batch long */
	enum err *rcs;
	struct gc_stats stats;
} w = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

/* One unit in its own savepoint. *tx_lost is set when the failure took the
 * whole transaction with it (SQLite rolls back on some I/O and memory errors). */
static enum err apply_one(struct db *db, struct gc_unit *u, bool *tx_lost)
{
	enum err rc = db_exec(db, "SAVEPOINT gc_unit", NULL);
	if (rc != ERR_OK) {
		*tx_lost = true;
		return rc;
	}
	rc = u->fn(db, u->ctx);
	if (rc == ERR_OK && (rc = db_exec(db, "RELEASE gc_unit", NULL)) == ERR_OK)
		return ERR_OK;
	if (db_exec(db, "ROLLBACK TO gc_unit", NULL) != ERR_OK || db_exec(db, "RELEASE gc_unit", NULL) != ERR_OK)
		*tx_lost = true;
	return rc;
}

/* Applies units [first, end) in one transaction; results in rcs. */
static void apply_batch(struct db *db, struct gc_unit **units, enum err *rcs, int n)
{
	int from = 0; /* first unit of the current transaction */
	enum err rc = db_begin_write(db);
	for (int i = 0; i < n; i++) {
		if (rc != ERR_OK) { /* no transaction: this unit fails with the reason */
			rcs[i] = rc;
			from = i + 1;
			if (i + 1 < n)
				rc = db_begin_write(db);
			continue;
		}
		bool lost = false;
		rcs[i] = apply_one(db, units[i], &lost);
		if (lost) {
			/* Everything since `from` is gone: report it, start again after i. */
			log_error("group commit: a unit's failure rolled back its batch: %s", db_errmsg(db));
			db_rollback(db);
			for (int k = from; k <= i; k++)
				if (rcs[k] == ERR_OK)
					rcs[k] = ERR_STORE;
			from = i + 1;
			rc = i + 1 < n ? db_begin_write(db) : ERR_OK;
		}
	}
	if (rc == ERR_OK && from < n && (rc = db_commit(db)) != ERR_OK) {
		log_error("group commit: commit failed: %s", db_errmsg(db));
		for (int k = from; k < n; k++)
			if (rcs[k] == ERR_OK)
				rcs[k] = rc;
	}
}

static void *writer(void *arg)
{
	(void)arg;
	struct db *db = db_thread();
	log_context_set("group-commit");
	pthread_mutex_lock(&w.lock);
	int cap = w.max_batch;
	struct gc_unit **units = w.units;
	enum err *rcs = w.rcs;
	pthread_mutex_unlock(&w.lock);
	for (;;) {
		pthread_mutex_lock(&w.lock);
		while (!w.head && !w.stop)
			pthread_cond_wait(&w.wake, &w.lock);
		if (!w.head) {
			pthread_mutex_unlock(&w.lock);
			break;
		}
		int n = 0;
		struct gc_unit *rest = w.head;
		for (; rest && n < cap; rest = rest->next)
			units[n++] = rest;
		w.head = rest;
		if (!rest)
			w.tail = NULL;
		pthread_mutex_unlock(&w.lock);
		if (db) {
			apply_batch(db, units, rcs, n);
		} else {
			for (int i = 0; i < n; i++)
				rcs[i] = ERR_STORE; /* db_thread() logged why */
		}
		int failed = 0;
		for (int i = 0; i < n; i++)
			failed += rcs[i] != ERR_OK;
		pthread_mutex_lock(&w.lock);
		w.stats.batches++;
		w.stats.units += n;
		w.stats.failed_units += failed;
		if (n > w.stats.max_batch_seen)
			w.stats.max_batch_seen = n;
		pthread_mutex_unlock(&w.lock);
		for (int i = 0; i < n; i++)
			units[i]->done(units[i], rcs[i]);
	}
	db_thread_release();
	return NULL;
}

enum err gc_start(int max_batch, struct err_detail *d)
{
	pthread_mutex_lock(&w.lock);
	if (w.running) {
		pthread_mutex_unlock(&w.lock);
		return ERR_OK;
	}
	w.max_batch = max_batch > 0 ? max_batch : DEFAULT_BATCH;
	w.stop = false;
	w.units = calloc((size_t)w.max_batch, sizeof *w.units);
	w.rcs = calloc((size_t)w.max_batch, sizeof *w.rcs);
	if (!w.units || !w.rcs || pthread_create(&w.thread, NULL, writer, NULL) != 0) {
		free(w.units);
		free(w.rcs);
		w.units = NULL;
		w.rcs = NULL;
		pthread_mutex_unlock(&w.lock);
		return err_set(d, ERR_IO, "cannot start the group-commit writer");
	}
	w.running = true;
	pthread_mutex_unlock(&w.lock);
	return ERR_OK;
}

void gc_stop(void)
{
	pthread_mutex_lock(&w.lock);
	if (!w.running) {
		pthread_mutex_unlock(&w.lock);
		return;
	}
	w.stop = true;
	pthread_cond_signal(&w.wake);
	pthread_t t = w.thread;
	pthread_mutex_unlock(&w.lock);
	pthread_join(t, NULL); /* the writer drains the queue before it exits */
	pthread_mutex_lock(&w.lock);
	w.running = false;
	free(w.units);
	free(w.rcs);
	w.units = NULL;
	w.rcs = NULL;
	pthread_mutex_unlock(&w.lock);
}

bool gc_running(void)
{
	pthread_mutex_lock(&w.lock);
	bool r = w.running && !w.stop;
	pthread_mutex_unlock(&w.lock);
	return r;
}

static void apply_inline(struct db *db, struct gc_unit *u)
{
	struct gc_unit *one[1] = {u};
	enum err rc[1] = {ERR_OK};
	if (!db)
		rc[0] = ERR_STORE;
	else
		apply_batch(db, one, rc, 1);
	u->done(u, rc[0]);
}

void gc_submit(struct db *db, struct gc_unit *u)
{
	u->next = NULL;
	pthread_mutex_lock(&w.lock);
	if (!w.running || w.stop) {
		pthread_mutex_unlock(&w.lock);
		apply_inline(db, u);
		return;
	}
	if (w.tail)
		w.tail->next = u;
	else
		w.head = u;
	w.tail = u;
	pthread_cond_signal(&w.wake);
	pthread_mutex_unlock(&w.lock);
}

struct sync_unit {
	struct gc_unit u;
	sem_t sem;
	enum err rc;
};

static void sync_done(struct gc_unit *u, enum err rc)
{
	struct sync_unit *s = (struct sync_unit *)u;
	s->rc = rc;
	sem_post(&s->sem);
}

enum err gc_run(struct db *db, gc_fn fn, void *ctx)
{
	struct sync_unit s = {.u = {.fn = fn, .ctx = ctx, .done = sync_done}, .rc = ERR_OK};
	if (sem_init(&s.sem, 0, 0) != 0)
		return ERR_INTERNAL;
	gc_submit(db, &s.u);
	while (sem_wait(&s.sem) != 0)
		; /* EINTR */
	sem_destroy(&s.sem);
	return s.rc;
}

void gc_stats_get(struct gc_stats *out)
{
	pthread_mutex_lock(&w.lock);
	*out = w.stats;
	pthread_mutex_unlock(&w.lock);
}
