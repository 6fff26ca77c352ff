/* Group commit: one writer thread applies many small write units in one
 * SQLite write transaction, so a burst of N webhooks costs one BEGIN
 * IMMEDIATE ... COMMIT (one set of dirtied pages, one WAL append) instead of N.
 *
 * A unit is a function run on the writer's connection inside its own
 * SAVEPOINT: a unit that fails is rolled back to its savepoint and the others
 * of the batch still commit. A unit never begins, commits or rolls back a
 * transaction itself. Its submitter learns the outcome only after COMMIT has
 * returned, so nothing is acknowledged before it is in the database.
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

/* Starts the writer thread (its own connection from db_thread()); a batch
 * holds at most max_batch units (<= 0: 256). Call once, after db_thread_setup. */
enum err gc_start(int max_batch, struct err_detail *d);
/* Applies what is queued, then stops the writer; later gc_run calls apply
 * inline. Safe to call when it was never started. */
void gc_stop(void);
bool gc_running(void);

/* Asynchronous form: u->fn(db, u->ctx) runs in a coming batch; after the
 * batch's commit (or failure) the writer thread calls u->done(u, rc), which
 * must be quick and must not submit. u stays the caller's until then. Without
 * a running writer, the unit is applied and done called before gc_submit returns. */
struct gc_unit {
	gc_fn fn;
	void *ctx;
	void (*done)(struct gc_unit *u, enum err rc);
	struct gc_unit *next; /* queue link (the writer's) */
};
void gc_submit(struct db *db, struct gc_unit *u);

/* Applies fn(db, ctx) in the next batch and waits for the batch's commit.
 * Returns fn's result when it failed, else the commit's result. db is the
 * caller's connection, used only when no writer runs. */
enum err gc_run(struct db *db, gc_fn fn, void *ctx);

/* Counters since start-up, for logs and tests. */
struct gc_stats {
	long long batches, units, failed_units, max_batch_seen;
};
void gc_stats_get(struct gc_stats *out);

#endif
