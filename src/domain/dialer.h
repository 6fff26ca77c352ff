/* Click-to-call: ring the acting user's own phone (the agent leg), then bridge
 * to the customer of the call, in one of two modes:
 *	transfer    the agent leg's TwiML dials the customer directly
 *	            (<Dial callerId="{tracking number}">{customer}</Dial>);
 *	conference  the agent leg joins room "call-{callId}"; once its status
 *	            callbacks say it is connected, a second (customer) leg is
 *	            placed into the same room.
 * The request only records the leg (status dialing) and queues a "dial" job;
 * the job places legs through the telephony provider, the queue retries
 * ERR_UPSTREAM with backoff, and the leg's state afterwards comes from the
 * vendor's status callbacks (store/legs.h). A retry after an attempt whose
 * outcome is unknown (the vendor may have placed the leg without our hearing
 * back: Twilio's Calls API has no idempotency key) first asks the vendor for
 * that call and adopts it, with its state as the vendor shows it. */
#ifndef SB_DOMAIN_DIALER_H
#define SB_DOMAIN_DIALER_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "domain/authz.h"
#include "providers/telephony.h"
#include "store/db.h"

#define DIAL_IDEM_KEY_MAX 200
#define DIAL_AGENT_WAIT_MS 120000    /* conference: how long the customer leg waits for the agent */
#define DIAL_AGENT_POLL_MS 700       /* ... re-reading the agent leg's (webhook-driven) state this often */

enum bridge_mode { BRIDGE_CONFERENCE, BRIDGE_TRANSFER };

struct dial_request {
	const char *call_id;
	enum bridge_mode mode;
	bool override;               /* explicit compliance override (Owner only) */
	const char *idempotency_key; /* NULL when none */
};

struct dial_result {
	const char *call_sid;        /* what the client polls call-status with (arena) */
	const char *status;          /* "dialing" (a replay answers what the first request did) */
	bool replay;                 /* answered from an earlier request with the same key */
};

/* Starts a click-to-call for p. Errors: ERR_NOT_FOUND (call not visible),
 * ERR_CONFLICT (no phone on the user, no dialable customer or tracking number,
 * an idempotency key reused for another call), ERR_FORBIDDEN (compliance
 * denial, detail naming the rule; committed with its audit event). On success:
 * leg row, "dial" job, compliance audit, call.click_to_call audit and a
 * call_updated event, one transaction. */
enum err dialer_click(struct db *db, const struct principal *p, const struct dial_request *q, struct arena *a,
		      struct dial_result *out, struct err_detail *d);

struct dial_status {
	const char *call_sid, *vendor_status, *error, *bridge_mode;
	const char *status;          /* the contract's: dialing ringing connected ended */
	const char *outcome;         /* once ended: completed busy no-answer canceled (the vendor's word), or
	                              * failed (the vendor failed it, or it could not be placed); else NULL */
	int64_t duration_sec;        /* I64_NULL when not known */
};

/* The state of leg sid (vendor or request sid) of a call p may see; ERR_NOT_FOUND otherwise.
 * The Calls page polls until `ended` and knows no other end state, so a leg
 * that failed reads as ended with outcome "failed" (the leg itself, and the
 * call_updated events, keep status failed). */
enum err dialer_status(struct db *db, const struct principal *p, const char *call_id, const char *sid,
		       struct arena *a, struct dial_status *out, struct err_detail *d);

/* A "dial" job, as its payload says (parsed by the job runner):
 * stage "agent": place the agent leg request_sid; stage "customer": place
 * customer leg request_sid of agent leg parent_sid once that one is connected
 * (re-queued every DIAL_AGENT_POLL_MS until deadline_ms). attempt is 1-based;
 * last says the queue gives up after this one (the queue's limit is its own,
 * jobs/worker.h). After a permanent error, or a retryable one on the last
 * attempt, the leg is marked failed (with a call_updated event and a
 * call.dial_failed audit). Returns the provider's error so the queue retries
 * or gives up. */
struct dial_job {
	const char *stage;           /* agent | customer */
	const char *request_sid;
	const char *parent_sid;      /* customer stage */
	const char *customer;        /* the customer's E.164 */
	int64_t deadline_ms;         /* customer stage */
	int64_t attempt;
	bool last;                   /* the queue's last attempt */
};
enum err dialer_job_run(struct db *db, struct telephony *tel, const struct dial_job *j, struct err_detail *d);

/* A leg's state for the vendor's CallStatus: queued, initiated → dialing;
 * ringing; in-progress → connected; completed, busy, no-answer, canceled →
 * ended; failed. NULL for anything else. (Static string.) */
const char *dialer_leg_status(const char *vendor_status);

#endif
