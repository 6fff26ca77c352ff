/* SQL for SMS messaging (migrations 0011, 0016): messages of both directions, the
 * vendor callbacks already applied, the workspace's own templates, its A2P
 * campaign settings, the sender's pacing slot and its daily segment usage.
 * Numbers are E.164, normalised by the caller; no rule lives here. */
#ifndef SB_STORE_MESSAGES_H
#define SB_STORE_MESSAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/db.h"

struct sms_message {
	const char *sid;          /* ours ("SM…"); for inbound, the vendor's */
	const char *vendor_sid;   /* or NULL until known */
	const char *workspace_id, *call_id, *user_id;
	const char *direction;    /* inbound | outbound */
	const char *peer_e164, *our_e164, *body;
	const char *template_id;  /* or NULL */
	const char *category;     /* transactional | marketing */
	const char *kind;         /* send | keyword_reply | inbound */
	const char *status;       /* scheduled queued sending sent delivered undelivered failed received */
	int64_t error_code;       /* DB_NULL_INT when none */
	const char *error;
	int64_t segments;
	const char *encoding;     /* GSM-7 | UCS-2 */
	int64_t cost_micros, scheduled_for, attempt_at, sent_at; /* DB_NULL_INT when none */
	int64_t created_at, updated_at;
	const char *override_by;  /* the Owner whose compliance override the send carries (0016), or NULL */
	const char *override_rules; /* the rules that override passed, comma-separated, or NULL */
	int64_t deferred_until;   /* read only: quiet hours at delivery put it back to then (0020), or DB_NULL_INT */
};

enum err store_sms_insert(struct db *db, const struct sms_message *m);
/* Inserts an inbound message unless its sid is known: *created says which. */
enum err store_sms_insert_inbound(struct db *db, const struct sms_message *m, bool *created);
/* By our sid (any workspace); ERR_NOT_FOUND otherwise. Strings in a. */
enum err store_sms_get(struct db *db, const char *sid, struct arena *a, struct sms_message *out);
/* By the vendor's MessageSid; ERR_NOT_FOUND otherwise. */
enum err store_sms_by_vendor(struct db *db, const char *vendor_sid, struct arena *a, struct sms_message *out);
/* The vendor request of message sid started at at_us (epoch µs). */
enum err store_sms_request_at(struct db *db, const char *sid, int64_t at_us);
/* An attempt starts: status sending, attempt_at kept from the first attempt. */
enum err store_sms_sending(struct db *db, const char *sid, int64_t now);
/* The vendor accepted: its sid, status (unless a callback already moved it
 * further: see store_sms_status), sent_at. */
enum err store_sms_accepted(struct db *db, const char *sid, const char *vendor_sid, int64_t now);
/* Sets vendor_sid when it is still unknown (a callback that beat the job). */
enum err store_sms_vendor_sid(struct db *db, const char *sid, const char *vendor_sid);
/* Status (and error) of a message. */
enum err store_sms_status(struct db *db, const char *sid, const char *status, int64_t error_code, const char *error,
			  int64_t now);
/* Records callback (vendor_sid, status); *fresh false when it was seen before. */
enum err store_sms_callback_claim(struct db *db, const char *vendor_sid, const char *status, int64_t now, bool *fresh);
/* Whether the workspace already sent peer a message (kind send, not a
 * keyword answer) that the vendor accepted and has not reported failed or
 * undelivered: the next one needs no opt-out wording. */
enum err store_sms_sent_before(struct db *db, const char *workspace_id, const char *peer, bool *yes);
/* The contact call_id is linked to now (NULL when none, or no such call). */
enum err store_sms_call_contact(struct db *db, const char *workspace_id, const char *call_id, struct arena *a,
				const char **contact_id);
/* One page of the conversation with peer, oldest first, after (created_at,
 * sid) when after_sid is not NULL; up to limit rows into *rows (arena array). */
/* Whether e164 is a party (caller or called) of a call on a job assigned to
 * user_id: what a Tech may read of a number's conversation. */
enum err store_sms_number_on_user_jobs(struct db *db, const char *workspace_id, const char *user_id, const char *e164,
				       bool *yes);
enum err store_sms_conversation(struct db *db, const char *workspace_id, const char *peer, int64_t after_at,
				const char *after_sid, int limit, struct arena *a, struct sms_message **rows, int *n);

struct sms_template_row {
	const char *id, *workspace_id, *name, *body, *category, *created_by;
	int64_t created_at, updated_at;
};

/* Every template of the workspace, by name; *rows an arena array of *n. */
enum err store_sms_templates(struct db *db, const char *workspace_id, struct arena *a, struct sms_template_row **rows,
			     int *n);
/* ERR_NOT_FOUND when the workspace has no such template. */
enum err store_sms_template_get(struct db *db, const char *workspace_id, const char *id, struct arena *a,
				struct sms_template_row *out);
/* ERR_CONFLICT when the name is taken in the workspace. */
enum err store_sms_template_insert(struct db *db, const struct sms_template_row *t);
enum err store_sms_template_update(struct db *db, const struct sms_template_row *t);
enum err store_sms_template_delete(struct db *db, const char *workspace_id, const char *id);

/* Campaign settings; *found false (outputs untouched) when never set.
 * cap_tz gets the daily cap's zone when one was set (else untouched). */
enum err store_sms_settings_get(struct db *db, const char *workspace_id, int64_t *mps, int64_t *daily_cap,
				char *cap_tz, size_t cap_tz_size, bool *found);
/* cap_tz NULL keeps the zone already set (or none). */
enum err store_sms_settings_set(struct db *db, const char *workspace_id, int64_t mps, int64_t daily_cap,
				const char *cap_tz, int64_t now);
/* The pacing slot (microseconds; 0 when none). */
enum err store_sms_pacer_get(struct db *db, const char *workspace_id, int64_t *next_us);
enum err store_sms_pacer_set(struct db *db, const char *workspace_id, int64_t next_us);
/* The pace log: a send reserved at at_us; the k-th most recent reservation
 * (1-based; 0 when there are fewer); reservations before before_us dropped. */
enum err store_sms_pace_log_add(struct db *db, const char *workspace_id, int64_t at_us);
enum err store_sms_pace_log_kth(struct db *db, const char *workspace_id, int64_t k, int64_t *at_us);
/* The reservation granted at granted_us became a send that started at
 * started_us (a clash with another entry leaves it a reservation). */
enum err store_sms_pace_log_started(struct db *db, const char *workspace_id, int64_t granted_us, int64_t started_us);
/* The entries of workspace_id at or after since_us, oldest first, except
 * the one at except_us, into at[] (at most cap): a real start's time, or
 * now_us for a reservation whose send may have started since. *n is how many. */
enum err store_sms_pace_log_window(struct db *db, const char *workspace_id, int64_t since_us, int64_t except_us,
				   int64_t now_us, int64_t *at, int cap, int *n);
enum err store_sms_pace_log_prune(struct db *db, const char *workspace_id, int64_t before_us);
/* Segments accepted on day ("YYYY-MM-DD" in the campaign's cap zone). */
enum err store_sms_usage_get(struct db *db, const char *workspace_id, const char *day, int64_t *segments);
enum err store_sms_usage_add(struct db *db, const char *workspace_id, const char *day, int64_t segments);

/* Why a send job waits (bg_jobs.held_for, migration 0020). */
#define SMS_HELD_PACE "pace"         /* its A2P slot, or the day's segment cap */
#define SMS_HELD_SCHEDULE "schedule" /* a scheduled send, not due yet */
#define SMS_HELD_QUIET "quiet"       /* quiet hours at the recipient, seen at delivery */

/* The send job job_id (bg_jobs) waits for held_for (SMS_HELD_*): pending
 * again at run_at, the claim's attempt not counted. */
enum err store_sms_job_defer(struct db *db, const char *job_id, int64_t run_at, const char *held_for, int64_t now);

/* Every pending "sms" job of the workspace held for its pacing or the daily
 * cap (SMS_HELD_PACE) runs now: the campaign's limits changed. Jobs waiting
 * out a retry's backoff, a schedule or quiet hours keep their time. */
enum err store_sms_jobs_wake(struct db *db, const char *workspace_id, int64_t now);

/* Message sid was deferred by quiet hours at its delivery until `until`. */
enum err store_sms_deferred(struct db *db, const char *sid, int64_t until, int64_t now);

/* Whether vendor_sid is recorded for a message other than except_sid (the
 * vendor sid is unique: another message already owns it). */
enum err store_sms_vendor_sid_taken(struct db *db, const char *vendor_sid, const char *except_sid, bool *taken);

/* ---- reconciling delivery receipts (migration 0017) ---- */

#define SMS_STORE_SID_MAX 40

struct sms_unsettled {
	const char *sid, *workspace_id;
};
/* Up to limit outbound messages with a vendor sid and a status that is not
 * final (accepted queued sending sent), unchanged and not reconciled since
 * quiet_before, accepted (sent_at, else created) at or after sent_after;
 * the quietest first. *rows an arena array of *n. */
enum err store_sms_unsettled(struct db *db, int64_t quiet_before, int64_t sent_after, int limit, struct arena *a,
			     struct sms_unsettled **rows, int *n);
/* Message sid was (or is being) reconciled at now. */
enum err store_sms_reconciled(struct db *db, const char *sid, int64_t now);
/* Queues an "sms_reconcile" job ({ "sid" }) for message sid, due now, unless
 * one is already pending or running for it (*queued false then). */
enum err store_sms_reconcile_queue(struct db *db, const char *workspace_id, const char *sid, int64_t now,
				   bool *queued);

#endif
