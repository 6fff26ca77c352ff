/* Group commit: one writer thread applies many small write units in one
 * SQLite write transaction, so a burst of N webhooks costs one BEGIN
 * IMMEDIATE ... COMMIT (one set of dirtied pages, one WAL append) instead of N.
 *
 * A unit is a function run on the writer's connection inside its own
 * SAVEPOINT: a unit that fails is rolled back to its savepoint and the others
 * of the batch still commit. A unit may have a second step (after_all), run
 * when every unit's first step is done, outside savepoints, in the same
 * transaction, ONCE for all the batch's successful units that share it (it
 * gets their ctx pointers): full-text index inserts go there, as one
 * statement per batch (FTS5 flushes its pending rows at every savepoint,
 * statement savepoints included, so one insert statement per unit would
 * write a new index segment per unit instead of one per batch). When a batch fails as
 * a whole (a second step, the commit, or an error that undoes the
 * transaction), nothing of it is kept and each of its units is applied again
 * alone, in a transaction of its own: so a unit may run twice, and must not
 * keep state in ctx from a run that failed. A unit never begins, commits or
 * rolls back a transaction itself. Its submitter learns the outcome only
 * after COMMIT has returned, so nothing is acknowledged before it is in the
 * database.
 *
 * Without a running writer (CLI commands, unit tests, before start-up),
 * gc_run applies the unit at once in a transaction of its own on the
 * caller's connection: the same result, no batching. */
#ifndef SB_STORE_GROUP_COMMIT_H
#define SB_STORE_GROUP_COMMIT_H

#include <stdbool.h>

#include "core/err.h"
#include "store/db.h"

/* A write unit: returns ERR_OK to keep its writes; anything else undoes them. */
typedef enum err (*gc_fn)(struct db *db, void *ctx);
/* A second step shared by n units (their ctx pointers). */
typedef enum err (*gc_after_fn)(struct db *db, void *const *ctxs, int n);

/* Starts the writer thread (its own connection from db_thread()); a batch
 * holds at most max_batch units (<= 0: 256). Call once, after db_thread_setup. */
enum err gc_start(int max_batch, struct err_detail *d);
/* Applies what is queued, then stops the writer (logging its counters);
 * later gc_run calls apply inline. Safe to call when it was never started. */
void gc_stop(void);
bool gc_running(void);

/* Asynchronous form: u->fn(db, u->ctx) runs in a coming batch; after the
 * batch's commit (or failure) the writer thread calls u->done(u, rc), which
 * must be quick and must not submit. u stays the caller's until then. Without
 * a running writer, the unit is applied and done called before gc_submit returns. */
struct gc_unit {
	gc_fn fn;
	gc_after_fn after_all; /* may be NULL; runs only when fn succeeded */
	void *ctx;
	void (*done)(struct gc_unit *u, enum err rc);
	struct gc_unit *next; /* queue link (the writer's) */
};
void gc_submit(struct db *db, struct gc_unit *u);

/* Applies fn(db, ctx) in the next batch and waits for the batch's commit.
 * Returns fn's result when it failed, else the commit's result. db is the
 * caller's connection, used only when no writer runs. */
enum err gc_run(struct db *db, gc_fn fn, void *ctx);
/* The same with a second step (see above; after_all may be NULL). */
enum err gc_run_unit(struct db *db, gc_fn fn, gc_after_fn after_all, void *ctx);

/* Counters since start-up, for logs and tests. */
struct gc_stats {
	long long batches, units, failed_units, max_batch_seen;
};
void gc_stats_get(struct gc_stats *out);

#endif
