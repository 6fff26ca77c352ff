/* The only door to SQL. A connection (struct db) belongs to one thread.
 * Statements use `?` placeholders and typed binds; they are prepared once per
 * connection and cached by their SQL text, so call sites just say
 * db_prepare(db, SQL, &st) every time. Drivers: SQLite ("sqlite:PATH") now,
 * PostgreSQL later behind the same vtable (store/db_int.h).
 *
 * Usage:
 *	struct db_stmt *st;
 *	if ((rc = db_prepare(db, SQL_GET, &st)) != ERR_OK) goto out;
 *	db_bind_text(st, 1, id);
 *	bool row;
 *	while ((rc = db_step(st, &row)) == ERR_OK && row) { ... db_col_text(st, 0) ... }
 *	db_done(st);
 */
#ifndef SB_STORE_DB_H
#define SB_STORE_DB_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"

enum db_dialect { DB_SQLITE, DB_PG };

struct db;
struct db_stmt;

/* Opens a connection for url ("sqlite:/path/file.db"). Caller owns *out (db_close). */
enum err db_open(const char *url, struct db **out, struct err_detail *d);
/* Finalizes cached statements and closes; NULL is fine. */
void db_close(struct db *db);
enum db_dialect db_dialect_of(const struct db *db);

/* Transactions. db_begin_write takes the write lock up front (SQLite BEGIN IMMEDIATE).
 * Inside an open transaction, begin opens a savepoint, and commit / rollback
 * release / undo only that innermost level (see db_tx_depth). */
enum err db_begin(struct db *db);
enum err db_begin_write(struct db *db);
enum err db_commit(struct db *db);
/* Rolls back if a transaction is open; otherwise does nothing. */
void db_rollback(struct db *db);
bool db_in_transaction(const struct db *db);
/* How many transaction levels are open (0: none, 1: a transaction, >1: savepoints in it). */
int db_tx_depth(const struct db *db);
/* The outbox (events table) hook: store code calls db_outbox_written after
 * appending an event; fn runs once the change is committed (at once outside a
 * transaction), on the committing thread. The WebSocket hub sets it to be
 * woken instead of polling. fn NULL removes it; fn must be cheap. */
void db_set_outbox_hook(void (*fn)(void));
void db_outbox_written(struct db *db);
/* Runs SQL without parameters (may hold several statements; migrations). */
enum err db_exec(struct db *db, const char *sql, struct err_detail *d);

/* Prepared statement for sql, borrowed from the connection's cache until db_done.
 * A statement still in use when the same SQL is prepared again gets a private copy. */
enum err db_prepare(struct db *db, const char *sql, struct db_stmt **out);
/* Binds (1-based). text NULL binds NULL. Errors are kept and reported by db_step. */
void db_bind_text(struct db_stmt *st, int i, const char *s);
void db_bind_textn(struct db_stmt *st, int i, const char *s, int64_t len);
void db_bind_int(struct db_stmt *st, int i, int64_t v);
void db_bind_null(struct db_stmt *st, int i);
void db_bind_bool(struct db_stmt *st, int i, bool v);
/* Next row: ERR_OK with *row true (a row), false (done); ERR_CONFLICT on a
 * uniqueness/constraint violation; ERR_LIMITED when the database stayed busy. */
enum err db_step(struct db_stmt *st, bool *row);
/* Columns (0-based) of the current row. Text is borrowed until the next step or db_done; NULL for NULL. */
const char *db_col_text(struct db_stmt *st, int i);
int db_col_len(struct db_stmt *st, int i);
int64_t db_col_int(struct db_stmt *st, int i);
bool db_col_null(struct db_stmt *st, int i);
/* Resets the statement and gives it back to the cache; NULL is fine. */
void db_done(struct db_stmt *st);
/* Rows changed by the last INSERT/UPDATE/DELETE. */
int64_t db_changes(struct db *db);
/* The last driver error message (for logs, never for clients). */
const char *db_errmsg(struct db *db);

/* A number that changes whenever the database may have changed since the last
 * call on this connection (a commit by any connection, this one included).
 * Lets a thread keep derived data (cached responses) exactly as long as it is true. */
enum err db_data_version(struct db *db, uint64_t *version);

/* True when the database answers a trivial query. */
enum err db_ping(struct db *db);

/* Nullable integers: DB_NULL_INT (INT64_MIN) stands for SQL NULL. */
#define DB_NULL_INT INT64_MIN
void db_bind_int_or_null(struct db_stmt *st, int i, int64_t v);
int64_t db_col_int_or_null(struct db_stmt *st, int i);
/* A text column copied into arena a (NULL stays NULL; NULL on allocation failure too). */
struct arena;
const char *db_col_dup(struct db_stmt *st, int i, struct arena *a);

/* Runs del_sql then ins_sql, each with id bound to its one '?': how a row's
 * full-text entry is rebuilt (delete the old, insert the new). */
enum err db_run_pair(struct db *db, const char *del_sql, const char *ins_sql, const char *id);

/* Convenience: prepare, bind nothing more, step once, done. For statements without results. */
enum err db_run(struct db_stmt *st);
/* The same for a one-value query (COUNT(*), a MAX, one column of one row):
 * *out is column 0 as an integer, or fallback when there is no row. */
enum err db_step_int(struct db_stmt *st, int64_t fallback, int64_t *out);

/* Per-thread connections: db_thread_setup once at start-up (before threads),
 * then db_thread() opens this thread's connection on first use and closes it
 * when the thread exits. NULL if it cannot be opened (logged). */
enum err db_thread_setup(const char *url);
struct db *db_thread(void);
/* Server mode: per-thread connections do not checkpoint the write-ahead log on
 * commit (that fsync would land on whichever request commits past the
 * threshold); a background thread calls db_checkpoint instead. Set once at
 * start-up, before db_thread() is first called. */
void db_thread_background_checkpoints(bool on);
/* Moves committed WAL content into the database file without blocking
 * writers (the background thread's call). Once the WAL is large and caught
 * up, it must start over: SQLite does that when a writer begins with every
 * frame copied, which a steady stream of writes never leaves. With a
 * finisher (the group-commit writer: db_checkpoint_finisher(true)), the
 * finisher is asked to run one last, short passive pass between its
 * transactions (db_checkpoint_finish), after which its next transaction
 * starts the WAL over; that costs the writer a moment and no one a lock
 * wait. Without one, or when the finisher has not come by since the last
 * call (it is idle: no webhooks), a RESTART checkpoint does it, holding
 * writers off for a few ms at most. */
enum err db_checkpoint(struct db *db);
void db_checkpoint_finisher(bool on);
/* The finisher's call between its transactions: the last pass, when asked. */
void db_checkpoint_finish(struct db *db);
/* How many WAL frames make the WAL large (16,384: 64 MiB); tests lower it. */
void db_wal_restart_frames_set(int frames);
/* Closes the calling thread's connection now (main thread at exit). */
void db_thread_release(void);

#endif
