/* Spam handling: scoring new inbound calls with the workspace's model,
 * marking a call as spam (optionally blocking its number), training the model
 * with a labelled call, and the spam report. The model itself is
 * domain/spam_model.h; its counts live in the database (store/spam.h).
 *
 * Who may do what (DESIGN.md §4): marking a call is a call edit (Dispatcher
 * and up; a Tech on their own jobs' calls); blocking the number too is a
 * blocked-numbers change (Admin, Owner); training is a settings change
 * (Admin, Owner); the report covers every call of the workspace, so it is for
 * roles that read every call (not a Tech). */
#ifndef SB_DOMAIN_SPAM_H
#define SB_DOMAIN_SPAM_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/tz.h"
#include "domain/audit.h"
#include "domain/authz.h"
#include "domain/spam_model.h"
#include "store/db.h"
#include "store/model.h"
#include "store/spam.h"

/* Scores a new inbound call before it is inserted (c->id, workspace, numbers,
 * line type, contact and after_hours set): sets spam_score, spam_reason when
 * confident, and flags it spam (out of triage) at SPAM_FLAG_SCORE or more.
 * caller_name: the carrier's CNAM or NULL. What the webhook already knows
 * is not looked up again: from_valid (whether From was a valid number) and
 * zone (the workspace's business-hours zone, for the local hour). Only
 * reads (it runs on the request thread, before the call's write is handed
 * to the group commit). Never fails the call: a store error is logged and
 * leaves it unscored. */
void spam_inbound_score(struct db *db, const char *caller_name, bool from_valid, const struct tz *zone,
			struct call *c);
/* Keeps the caller name the call arrived with, for later training: in the
 * transaction that inserts the call (after it). */
enum err spam_caller_name_record(struct db *db, const struct call *c, const char *caller_name);

/* A call's features, score and per-feature weights under the current model. */
struct spam_explain {
	struct spam_features f;
	struct spam_score s;
	double weights[SPAM_NGROUPS];
	int64_t spam_examples, ham_examples;
};
/* For a call the principal may read (404 otherwise). */
enum err spam_call_explain(struct db *db, const struct principal *p, const char *call_id, struct arena *a,
			   struct spam_explain *out, struct err_detail *d);

/* Labels a call and updates the model; re-labelling moves the call's example
 * (the old one is subtracted first), so a call counts once. reason: NULL, or
 * robocall/telemarketer/repeat_silent (only with is_spam; defaults to the
 * call's spamReason). Audited as spam.trained on the call. Admin/Owner. */
struct spam_train_result {
	bool relabelled;           /* the call had an example before */
	bool was_spam;             /* its previous label, when relabelled */
	struct spam_explain after; /* the call under the updated model */
};
enum err spam_train(struct db *db, const struct principal *p, const char *call_id, bool is_spam, const char *reason,
		    struct arena *a, struct spam_train_result *out, struct err_detail *d);

/* Marks the call spam with reason (disposition spam, out of the queues),
 * trains the model with it, and when block is set adds the caller to the
 * blocked numbers (source spam): one transaction, audited with source (SRC_API,
 * or SRC_BULK for a bulk job) and announced (call_updated). *blocked tells
 * whether the number was newly blocked. */
enum err spam_mark(struct db *db, const struct principal *p, enum audit_source source, const char *call_id,
		   const char *reason, bool block, struct arena *a, bool *blocked, struct err_detail *d);

/* The spam report. */
enum spam_period { SPAM_PERIOD_DAY, SPAM_PERIOD_WEEK };
#define SPAM_REPORT_MAX_BUCKETS 400
#define SPAM_REPORT_TOP 10
struct spam_bucket {
	int64_t start;                 /* local midnight (day) or Monday midnight (week), as epoch ms */
	int64_t total, by_reason[4];   /* robocall telemarketer repeat_silent unspecified */
};
struct spam_report {
	int64_t from, to;
	enum spam_period period;
	const char *zone;
	int64_t calls, spam, by_reason[4];
	struct spam_bucket *buckets;
	int nbuckets;
	struct spam_number_row *top;
	int ntop;
	int64_t blocked;
	int64_t spam_examples, ham_examples;
	struct spam_eval eval;
	int threshold;
};
enum err spam_report(struct db *db, const struct principal *p, int64_t from, int64_t to, enum spam_period period,
		     struct arena *a, struct spam_report *out, struct err_detail *d);

/* Trains the model with up to limit of the workspace's newest labelled calls
 * (flagged spam, or answered/booked/callback): how a seeded or imported
 * history teaches the model. *trained = examples written. */
enum err spam_bootstrap(struct db *db, const char *workspace_id, int limit, int *trained, struct err_detail *d);

#endif
