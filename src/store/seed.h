/* SQL for bulk-loading generated data (switchboard seed --calls): calls with
 * their tags and transcripts written row by row on reused prepared statements,
 * their search rows built per batch in one statement, tracking numbers, the
 * reads a second run needs to continue where the first stopped, and the
 * connection settings of a bulk load. Contacts, jobs, assignments and
 * follow-ups go through their own store modules (contacts.h, jobs.h,
 * followups.h). Every call here expects the caller's write transaction,
 * except the pragma pair. */
#ifndef SB_STORE_SEED_H
#define SB_STORE_SEED_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/ids.h"
#include "store/db.h"
#include "store/model.h"

/* What a bulk load changed on the connection, to put back afterwards. */
struct store_seed_saved {
	int synchronous; /* -1: unchanged */
};

/* SQLite: synchronous=OFF for the load (nothing to do for other dialects).
 * Outside any transaction. */
enum err store_seed_fast_begin(struct db *db, struct store_seed_saved *saved);
/* Restores what store_seed_fast_begin changed and checkpoints the WAL. */
void store_seed_fast_end(struct db *db, const struct store_seed_saved *saved);

/* Calls already in the workspace. */
enum err store_seed_calls_count(struct db *db, const char *workspace_id, int64_t *n);
/* Largest calls.rid in the database (0 when empty): the batch's search rows are
 * built for rids above it. */
enum err store_seed_calls_max_rid(struct db *db, int64_t *rid);

/* Existing contacts of the workspace (oldest first) and their numbers, for a
 * run that adds calls to earlier data. Strings are borrowed for the callback's
 * duration. fn returns false to stop. */
enum err store_seed_contacts_each(struct db *db, const char *workspace_id,
				  bool (*fn)(void *ctx, const char *id, const char *name, const char *address), void *ctx);
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
	const char *from_raw;       /* the caller's number as displayed */
	const char *recording_sid;  /* NULL without a recording */
	int64_t recording_duration_sec;
};

/* Inserts the call row and its tags (c->tags, already normalized). The search
 * row is built later by store_seed_calls_index. */
enum err store_seed_call_insert(struct db *db, const struct call *c, const struct seed_call_extra *x);
enum err store_seed_transcript_insert(struct db *db, const char *workspace_id, const char *call_id,
				      const struct transcript *t);
/* Search rows (the same content store_call_search_refresh writes) of every call
 * with rid > after_rid. */
enum err store_seed_calls_index(struct db *db, int64_t after_rid);
/* Sets contacts.last_seen_at of the workspace's contacts to their latest call. */
enum err store_seed_contacts_seen(struct db *db, const char *workspace_id);

#endif
