/* SQL of the spam model: its per-workspace counts, labelled examples and the
 * caller names inbound calls arrived with, plus the call aggregates the spam
 * report reads. Features and classes are opaque strings here; what they mean
 * is domain/spam_model.h's business. */
#ifndef SB_STORE_SPAM_H
#define SB_STORE_SPAM_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/db.h"

/* Calls fn for every count row of the workspace. */
enum err store_spam_counts_each(struct db *db, const char *workspace_id,
				void (*fn)(void *ctx, const char *feature, const char *cls, int64_t n), void *ctx);
/* n += delta for (feature, cls), never below zero; the row is created when missing. */
enum err store_spam_count_add(struct db *db, const char *workspace_id, const char *feature, const char *cls,
			      int64_t delta);

struct spam_example_row {
	const char *workspace_id, *call_id;
	bool is_spam;
	const char *reason;      /* NULL when none */
	const char *features;    /* text form */
	const char *source;      /* train mark bulk bootstrap */
	const char *labelled_by; /* user id or NULL */
	int64_t created_at, updated_at;
};

/* The call's example (strings in a), or ERR_NOT_FOUND. */
enum err store_spam_example_get(struct db *db, const char *workspace_id, const char *call_id, struct arena *a,
				struct spam_example_row *out);
/* Inserts or replaces the call's example (created_at kept on replace). */
enum err store_spam_example_put(struct db *db, const struct spam_example_row *e);
/* The newest `limit` examples (call id, label, reason, features) of the workspace. */
enum err store_spam_examples_each(struct db *db, const char *workspace_id, int limit,
				  void (*fn)(void *ctx, const char *call_id, bool is_spam, const char *reason,
					     const char *features),
				  void *ctx);
/* How many spam and ham examples the workspace has. */
enum err store_spam_example_counts(struct db *db, const char *workspace_id, int64_t *spam, int64_t *ham);

/* The caller name an inbound call arrived with. */
enum err store_spam_caller_name_put(struct db *db, const char *workspace_id, const char *call_id, const char *name,
				    int64_t now);
/* *name in a, or ERR_NOT_FOUND. */
enum err store_spam_caller_name_get(struct db *db, const char *call_id, struct arena *a, const char **name);

/* Ended inbound calls from e164 that started in [since, before) with under
 * 10 s of talk, other than call_id (may be NULL). */
enum err store_spam_recent_silent(struct db *db, const char *workspace_id, const char *e164, int64_t since,
				  int64_t before, const char *call_id, int64_t *count);

/* Inbound calls started in [from, to): how many, and how many flagged spam. */
enum err store_spam_call_totals(struct db *db, const char *workspace_id, int64_t from, int64_t to, int64_t *calls,
				int64_t *spam);
/* Calls fn(started_at, spam_reason or NULL) for every spam call started in [from, to). */
enum err store_spam_calls_each(struct db *db, const char *workspace_id, int64_t from, int64_t to,
			       void (*fn)(void *ctx, int64_t started_at, const char *reason), void *ctx);

struct spam_number_row {
	const char *e164;
	int64_t calls, last_at;
	bool blocked;
};
/* The numbers with the most spam calls in [from, to), most first (ties by number). */
enum err store_spam_top_numbers(struct db *db, const char *workspace_id, int64_t from, int64_t to, int limit,
				struct arena *a, struct spam_number_row **rows, int *n);

/* Labelled calls to learn from: the newest `limit` inbound, ended calls
 * with spam = 1 (spam) or a disposition answered/booked/callback (ham). */
enum err store_spam_labelled_calls(struct db *db, const char *workspace_id, int limit, struct arena *a,
				   const char ***ids, int *n);

#endif
