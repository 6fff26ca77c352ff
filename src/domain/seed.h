/* The data generator behind `switchboard seed --calls N`: a workspace's worth
 * of realistic, deterministic call data (contacts with 1-3 phones, repeat
 * callers, business-hour peaks, missed calls and follow-ups, spam, AI and
 * human answers, jobs with techs, tags, notes, transcripts, tracking numbers).
 *
 * Deterministic: the same options against the same database state write the
 * same rows. Every id, time and value comes from a seeded PRNG and the fixed
 * `now`; the only exceptions are the workspace and the five staff users, which
 * are made (when missing) by the accounts module with ordinary ids. The
 * summary's digest covers every generated value, leaving the workspace id out
 * and taking the users' e-mails for their ids, so two runs compare by it.
 *
 * Running again into the same workspace adds more calls: the PRNG is keyed by
 * the seed, the slug and the number of calls already there, earlier contacts
 * keep calling, and prior-call counts continue from the stored calls. */
#ifndef SB_DOMAIN_SEED_H
#define SB_DOMAIN_SEED_H

#include <stdint.h>

#include "core/err.h"
#include "store/db.h"

#define SEED_MAX_CALLS 20000000
#define SEED_DEFAULT_DAYS 90

struct seed_opts {
	const char *workspace;  /* slug; created when missing */
	int64_t calls;          /* 1..SEED_MAX_CALLS */
	uint64_t seed;
	int64_t now;            /* epoch ms; calls fall in [now - days, now) */
	int days;               /* 1..3650 */
	/* Called after each committed batch (may be NULL). */
	void (*progress)(void *ctx, int64_t done, int64_t total, const char *stage);
	void *progress_ctx;
};

/* Rows written, by table, and a few proportions of the calls. */
struct seed_summary {
	int64_t calls, contacts, phones, jobs, assignments, tags, transcripts, followups;
	int64_t numbers, users;         /* tracking numbers and staff users created */
	int64_t missed, spam, ai, booked, first_time, after_hours, triage, known;
	uint64_t digest;                /* FNV-1a over the generated rows (see above) */
	double seconds;
};

/* Generates and writes o->calls calls (plus what they need) into the workspace.
 * Contacts go in 10,000 per transaction. Under 100,000 calls, so do the calls;
 * from 100,000 on, the calls are one transaction that rebuilds the calls
 * indexes once at its end (all or nothing). The connection runs in bulk-load
 * settings meanwhile (store/seed.h). ERR_INVALID (d names the option) for bad
 * options; ERR_STORE and friends when the database fails (committed batches
 * stay). */
enum err seed_calls(struct db *db, const struct seed_opts *o, struct seed_summary *out, struct err_detail *d);

#endif
