/* SQL for bulk-loading generated data (switchboard seed --calls): calls with
 * their tags, search rows and transcripts, contacts with phones and e-mails
 * (search rows per batch), jobs with their techs, follow-ups and tracking
 * numbers, all on reused prepared statements; the reads a second run needs to
 * continue where the first stopped; the calls indexes a large load rebuilds
 * once; and the connection settings of a bulk load. The rows are the ones the
 * owning modules write (store/calls.c, contacts.c, jobs.c, followups.c),
 * without their per-row search refresh. Every call here expects the caller's
 * write transaction, except the fast_begin/fast_end pair. */
#ifndef SB_STORE_SEED_H
#define SB_STORE_SEED_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/ids.h"
#include "store/contacts.h"
#include "store/db.h"
#include "store/jobs.h"
#include "store/model.h"

/* What a bulk load changed on the connection, to put back afterwards (I64_NULL: unchanged). */
struct store_seed_saved {
	int64_t synchronous, foreign_keys, cache_size, threads;
	bool left_wal;
};

/* SQLite: synchronous=OFF, foreign key checks off (the generator only writes
 * references to rows it wrote or read before), a 1 GiB page cache, two sorter
 * threads for index builds, and a rollback journal instead of WAL when this is
 * the only connection to the database, until store_seed_fast_end. Nothing for
 * other dialects. Outside any transaction (foreign_keys and the journal mode
 * cannot change inside one). */
enum err store_seed_fast_begin(struct db *db, struct store_seed_saved *saved);
/* Restores what store_seed_fast_begin changed (back to WAL, or a WAL checkpoint). */
void store_seed_fast_end(struct db *db, const struct store_seed_saved *saved);

/* Sets the call search index's in-memory buffer (FTS5 'hashsize', a setting
 * stored with the index) to bytes (0: FTS5's default, 1 MiB) and reports the
 * previous value in *old (0 when it was the default). A large buffer halves
 * the cost of indexing a big load in one statement; call again with *old to
 * put it back. Inside the caller's write transaction. */
enum err store_seed_fts_hashsize(struct db *db, int64_t bytes, int64_t *old);

/* The definitions of the calls table's secondary indexes while a bulk load
 * runs without them (SQLite only; nothing is dropped for other dialects). */
#define STORE_SEED_MAX_INDEXES 16
struct store_seed_indexes {
	int n;
	char *sql[STORE_SEED_MAX_INDEXES]; /* owned */
};

/* Drops the calls table's non-unique indexes (a fixed list) and keeps their
 * definitions in *saved: building them once after a large load is several
 * times cheaper than updating them row by row. Inside the caller's write
 * transaction, which must also restore them before it commits. */
enum err store_seed_indexes_drop(struct db *db, struct store_seed_indexes *saved);
/* Creates the saved indexes again and frees the definitions (also on error). */
enum err store_seed_indexes_restore(struct db *db, struct store_seed_indexes *saved);

/* Calls already in the workspace. */
enum err store_seed_calls_count(struct db *db, const char *workspace_id, int64_t *n);
/* Largest calls.rid in the database (0 when empty): new calls take the next ones. */
enum err store_seed_calls_max_rid(struct db *db, int64_t *rid);

/* Largest contacts.rid (0 when empty), like store_seed_calls_max_rid. */
enum err store_seed_contacts_max_rid(struct db *db, int64_t *rid);

/* Existing contacts of the workspace (oldest first) and their numbers, for a
 * run that adds calls to earlier data. Strings are borrowed for the callback's
 * duration. fn returns false to stop. */
enum err store_seed_contacts_each(struct db *db, const char *workspace_id,
				  bool (*fn)(void *ctx, const char *id, const char *name, const char *email,
					     const char *address),
				  void *ctx);
enum err store_seed_phones_each(struct db *db, const char *workspace_id,
				bool (*fn)(void *ctx, const char *e164, const char *contact_id), void *ctx);
/* Inbound calls per caller number in the workspace (for prior-call counts). */
enum err store_seed_caller_counts_each(struct db *db, const char *workspace_id,
				       bool (*fn)(void *ctx, const char *e164, int64_t n), void *ctx);

struct seed_number {
	char id[ID_SIZE];
	char e164[24];
	char label[48];
	const char *routing_mode; /* ai human overflow */
	const char *after_hours;  /* ai vm forward */
	int64_t created_at;
};

/* Up to max active tracking numbers of the workspace, oldest first. */
enum err store_seed_numbers_get(struct db *db, const char *workspace_id, struct seed_number *out, int max, int *n);
/* ERR_CONFLICT when the number is taken (by any workspace). */
enum err store_seed_number_insert(struct db *db, const char *workspace_id, const struct seed_number *n);

/* What a generated call carries beyond struct call. */
struct seed_call_extra {
	int64_t rid;                /* calls.rid to use: store_seed_calls_max_rid + 1, + 2, ... within
				       one write transaction */
	const char *from_raw;       /* the caller's number as displayed */
	const char *recording_sid;  /* NULL without a recording */
	int64_t recording_duration_sec;
	/* For the search row: the contact's name and e-mail and the transcript's
	 * text, as they are (or will be, in this transaction) in their tables. */
	const char *contact_name, *contact_email, *transcript_text;
	bool staged;                /* search row into the stage (store_seed_search_stage) */
};

/* Inserts the call row, its tags (c->tags, already normalized) and its search
 * row: the row store_call_search_refresh (store/calls.c) would build, composed
 * here from the values instead of read back with a join. */
enum err store_seed_call_insert(struct db *db, const struct call *c, const struct seed_call_extra *x);

/* A large load collects its search rows in a connection-private in-memory
 * table and moves them into the index with one statement at the end: FTS5
 * indexes one big statement with a large buffer (store_seed_fts_hashsize)
 * several times faster than many small writes interleaved with the rest. */
enum err store_seed_search_stage(struct db *db);
/* Moves the staged rows into calls_fts and drops the stage. */
enum err store_seed_search_unstage(struct db *db);

enum err store_seed_transcript_insert(struct db *db, const char *workspace_id, const char *call_id,
				      const struct transcript *t);
/* A contact (c->id, workspace and times set), its phones (positions in order)
 * and its e-mail; the search row comes from store_seed_contacts_index. */
enum err store_seed_contact_insert(struct db *db, const struct contact *c);
/* Search rows (as store_contact_search_refresh writes them) of contacts with rid > after_rid. */
enum err store_seed_contacts_index(struct db *db, int64_t after_rid);
/* A job and its techs (techs[0] is usually j->assigned_to). */
enum err store_seed_job_insert(struct db *db, const struct job *j, const char *const *techs, int ntechs);
/* A follow-up; breached_at (I64_NULL: none) stamps an overdue one's SLA breach
 * notice as already sent, so the scheduler does not announce history. */
enum err store_seed_followup_insert(struct db *db, const struct followup *f, int64_t breached_at);

/* Sets contacts.last_seen_at of the workspace's contacts to their latest call. */
enum err store_seed_contacts_seen(struct db *db, const char *workspace_id);

#endif
