/* The group-commit writer (see group_commit.h). One mutex guards the queue;
 * the writer takes everything queued (up to max_batch) at once, so while it
 * commits one batch the next one gathers. */
#include "store/group_commit.h"

#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>

#include "core/log.h"

#define DEFAULT_BATCH 256
#define GATHER_AFTER 2      /* a batch of at least this many: units are arriving fast */
#define GATHER_MIN 4        /* then fewer waiting than this are given GATHER_NS to grow */
#define GATHER_NS 300000L

static struct {
	pthread_mutex_t lock; /* guards everything below */
	pthread_cond_t wake;  /* queue not empty, or stop */
	struct gc_unit *head, *tail;
	bool running, stop;
	pthread_t thread;
	int max_batch;
	struct gc_unit **units; /* the writer's batch table, max_batch long */
	enum err *rcs;
	void **ctxs;            /* try_batch's scratch, max_batch long */
	bool *done;
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

/* A unit in a transaction of its own: fn, then after. */
static enum err apply_alone(struct db *db, struct gc_unit *u)
{
	enum err rc = db_begin_write(db);
	if (rc != ERR_OK)
		return rc;
	rc = u->fn(db, u->ctx);
	if (rc == ERR_OK && u->after_all)
		rc = u->after_all(db, &u->ctx, 1);
	if (rc != ERR_OK) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db);
}

/* All units in one transaction: each fn in its savepoint, then the afters of
 * those that succeeded (no savepoints there: a full-text insert after a
 * savepoint is flushed at once instead of once per commit), then COMMIT.
 * ERR_OK with rcs[] filled, or the error that undid the whole batch. */
static enum err try_batch(struct db *db, struct gc_unit **units, enum err *rcs, int n)
{
	void **ctxs = w.ctxs;
	bool *done = w.done;
	enum err rc = db_begin_write(db);
	if (rc != ERR_OK)
		return rc;
	for (int i = 0; i < n; i++) {
		bool lost = false;
		rcs[i] = apply_one(db, units[i], &lost);
		if (lost) {
			log_warn("group commit: a unit's failure rolled back its batch (%s); applying one by one",
				 db_errmsg(db));
			db_rollback(db);
			return rcs[i] != ERR_OK ? rcs[i] : ERR_STORE;
		}
	}
	/* Second steps: once per distinct after_all, over the units that succeeded. */
	for (int i = 0; i < n; i++)
		done[i] = rcs[i] != ERR_OK || !units[i]->after_all;
	for (int i = 0; i < n; i++) {
		if (done[i])
			continue;
		gc_after_fn after = units[i]->after_all;
		int k = 0;
		for (int j = i; j < n; j++) {
			if (!done[j] && units[j]->after_all == after) {
				ctxs[k++] = units[j]->ctx;
				done[j] = true;
			}
		}
		if ((rc = after(db, ctxs, k)) != ERR_OK) {
			log_warn("group commit: a batch's second step failed (%s); applying one by one", err_str(rc));
			db_rollback(db);
			return rc;
		}
	}
	if ((rc = db_commit(db)) != ERR_OK)
		log_warn("group commit: commit failed (%s); applying one by one", db_errmsg(db));
	return rc;
}

/* Applies units [0, n) and fills rcs. When the batch fails as a whole (not
 * one unit alone), nothing of it was kept: each unit is then applied again
 * in its own transaction, so one unit's trouble reaches no other. A write
 * lock that cannot be had fails the batch without retries. */
static void apply_batch(struct db *db, struct gc_unit **units, enum err *rcs, int n)
{
	enum err rc = ERR_INTERNAL;
	if (n > 1) {
		rc = try_batch(db, units, rcs, n);
		if (rc == ERR_LIMITED) {
			for (int i = 0; i < n; i++)
				rcs[i] = rc;
			return;
		}
	}
	if (rc != ERR_OK)
		for (int i = 0; i < n; i++)
			rcs[i] = apply_alone(db, units[i]);
}

/* Whether fewer than k units wait (w.lock held). */
static bool queued_below(int k)
{
	int n = 0;
	for (struct gc_unit *u = w.head; u && n < k; u = u->next)
		n++;
	return n < k;
}

static void *writer(void *arg)
{
	(void)arg;
	struct db *db = db_thread();
	log_context_set("group-commit");
	pthread_setname_np(pthread_self(), "sb-commit"); /* benchmarks read its CPU time by name */
	pthread_mutex_lock(&w.lock);
	int cap = w.max_batch;
	struct gc_unit **units = w.units;
	enum err *rcs = w.rcs;
	pthread_mutex_unlock(&w.lock);
	int last_n = 0;
	for (;;) {
		pthread_mutex_lock(&w.lock);
		while (!w.head && !w.stop)
			pthread_cond_wait(&w.wake, &w.lock);
		if (!w.head) {
			pthread_mutex_unlock(&w.lock);
			break;
		}
		if (last_n >= GATHER_AFTER && !w.stop && queued_below(GATHER_MIN)) {
			/* Busy: a moment's wait lets the next units share this commit. */
			pthread_mutex_unlock(&w.lock);
			struct timespec t = {0, GATHER_NS};
			nanosleep(&t, NULL);
			pthread_mutex_lock(&w.lock);
		}
		int n = 0;
		struct gc_unit *rest = w.head;
		for (; rest && n < cap; rest = rest->next)
			units[n++] = rest;
		w.head = rest;
		if (!rest)
			w.tail = NULL;
		pthread_mutex_unlock(&w.lock);
		last_n = n;
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
		if (db) /* after the answers: a WAL restart asked for (store/db.h) */
			db_checkpoint_finish(db);
	}
	db_thread_release();
	return NULL;
}

static void free_tables(void)
{
	free(w.units);
	free(w.rcs);
	free(w.ctxs);
	free(w.done);
	w.units = NULL;
	w.rcs = NULL;
	w.ctxs = NULL;
	w.done = NULL;
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
	w.ctxs = calloc((size_t)w.max_batch, sizeof *w.ctxs);
	w.done = calloc((size_t)w.max_batch, sizeof *w.done);
	if (!w.units || !w.rcs || !w.ctxs || !w.done || pthread_create(&w.thread, NULL, writer, NULL) != 0) {
		free_tables();
		pthread_mutex_unlock(&w.lock);
		return err_set(d, ERR_IO, "cannot start the group-commit writer");
	}
	w.running = true;
	pthread_mutex_unlock(&w.lock);
	db_checkpoint_finisher(true);
	return ERR_OK;
}

void gc_stop(void)
{
	pthread_mutex_lock(&w.lock);
	if (!w.running) {
		pthread_mutex_unlock(&w.lock);
		return;
	}
	db_checkpoint_finisher(false);
	w.stop = true;
	pthread_cond_signal(&w.wake);
	pthread_t t = w.thread;
	pthread_mutex_unlock(&w.lock);
	pthread_join(t, NULL); /* the writer drains the queue before it exits */
	pthread_mutex_lock(&w.lock);
	w.running = false;
	free_tables();
	struct gc_stats st = w.stats;
	pthread_mutex_unlock(&w.lock);
	log_info("group commit: %lld units in %lld batches (largest %lld, %lld failed)", st.units, st.batches,
		 st.max_batch_seen, st.failed_units);
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
	u->done(u, db ? apply_alone(db, u) : ERR_STORE);
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
	return gc_run_unit(db, fn, NULL, ctx);
}

enum err gc_run_unit(struct db *db, gc_fn fn, gc_after_fn after_all, void *ctx)
{
	struct sync_unit s = {.u = {.fn = fn, .after_all = after_all, .ctx = ctx, .done = sync_done}, .rc = ERR_OK};
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
