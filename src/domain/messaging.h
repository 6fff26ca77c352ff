/* SMS messaging: sending from a call (templates, segments, cost, opt-out
 * wording, the compliance gate, durable queued sends), the send job's pacing
 * and delivery, vendor webhooks (inbound messages, compliance keywords,
 * delivery receipts), conversations and manual opt-out.
 *
 * A send is recorded (status queued, or scheduled) with a "sms" job in one
 * transaction with its audit event; the job paces itself to the workspace's
 * A2P campaign (messages per second, segments per day: the carriers' day,
 * midnight to midnight in the campaign's cap zone), passes the
 * compliance gate again (every rule, on the Owner's behalf when the send
 * carries an Owner's override; gate.h), and delivers through the provider.
 * A refusal there fails the message with its rule, except quiet hours alone
 * (a marketing message held by the cap or a retry past closing time): that
 * defers it to the window's opening.
 * Our message sid is the idempotency key: the vendor sid is recorded in the
 * same transaction that ends the attempt, an attempt whose outcome is unknown
 * (timeout, crash) leaves the message "sending", and the next attempt asks
 * the vendor for that message before sending again.
 *
 * Delivery receipts lost while we were down (the vendor does not retry its
 * status callbacks) are reconciled: a message with the vendor and not final
 * that has been quiet for a while is asked of the vendor, and its answer is
 * applied as the callback would have been.
 *
 * Keyword answers (STOP confirmation, START, HELP) pass the gate as kind
 * keyword_reply, at the webhook and at delivery: carriers require them, so
 * opt-out, DNC and consent do not hold them back (a HELP from an opted-out
 * number is answered too: CTIA allows it); a blocked number still gets
 * none. They carry no marketing. When the vendor answers keywords itself
 * (SWITCHBOARD_SMS_VENDOR_KEYWORD_REPLIES, or Twilio's OptOutType on the
 * webhook), the state still changes and no answer of ours is sent. */
#ifndef SB_DOMAIN_MESSAGING_H
#define SB_DOMAIN_MESSAGING_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "domain/authz.h"
#include "domain/templates.h"
#include "providers/sms.h"
#include "store/db.h"
#include "store/messages.h"

#define SMS_OPT_OUT_WORDING "Reply STOP to opt out."
#define SMS_PAGE_MAX 200
#define SMS_PAGE_DEFAULT 50
#define SMS_CAP_TZ_DEFAULT "America/Los_Angeles" /* T-Mobile counts the brand's daily cap by Pacific days */
#define SMS_CAP_TZ_MAX 64

/* ---- templates ---- */

/* The built-in templates then the workspace's own (by name), into an arena array. */
enum err messaging_templates(struct db *db, const struct principal *p, struct arena *a, struct sms_template **rows,
			     int *n);
struct sms_template_input {
	const char *name, *body, *category; /* NULL: unchanged (update) */
};
/* Creates (id NULL) or updates the workspace's template id; audited.
 * ERR_INVALID naming the field, ERR_CONFLICT for a taken name, ERR_FORBIDDEN
 * for a built-in template, ERR_NOT_FOUND for an unknown id. */
enum err messaging_template_save(struct db *db, const struct principal *p, const char *id,
				 const struct sms_template_input *in, struct arena *a, struct sms_template *out,
				 struct err_detail *d);
enum err messaging_template_delete(struct db *db, const struct principal *p, const char *id, struct err_detail *d);

/* ---- sending ---- */

struct sms_send_request {
	const char *call_id;
	const char *template_id;
	const char *const *var_names, *const *var_values; /* the client's variables */
	int nvars;
	const char *message;     /* replaces the template's body (variables still apply), or NULL */
	int64_t scheduled_for;   /* I64_NULL: now */
	bool override;           /* explicit compliance override (Owner only) */
	int64_t price_micros;    /* per segment */
};

struct sms_send_result {
	const char *message_sid, *status, *encoding, *body;
	int64_t segments, cost_micros;
};

/* Sends an SMS to the customer of call q->call_id as p (quiet hours judged
 * at q->scheduled_for when given; an Owner's override is kept on the message
 * for the delivery re-check, with the rules it passed). Errors: ERR_NOT_FOUND
 * (call not visible), ERR_INVALID naming the field (unknown template, missing
 * variable "variables.<name>", body too long or empty, scheduledFor in the
 * past), ERR_CONFLICT (no textable customer or tracking number),
 * ERR_FORBIDDEN (compliance denial, committed with its audit event). */
enum err messaging_send(struct db *db, const struct principal *p, const struct sms_send_request *q, struct arena *a,
			struct sms_send_result *out, struct err_detail *d);

/* ---- A2P campaign settings ---- */

struct sms_campaign {
	int64_t messages_per_second, daily_cap_segments;
	char cap_time_zone[SMS_CAP_TZ_MAX]; /* IANA zone whose midnight starts the cap's day */
	int64_t used_today;       /* segments accepted today (in cap_time_zone) */
};
enum err messaging_campaign_get(struct db *db, const char *workspace_id, int64_t def_mps, int64_t def_cap,
				struct sms_campaign *out);
/* Admin+ (by route); audited. cap_tz NULL keeps the zone in force;
 * ERR_INVALID naming "capTimeZone" for a zone the system does not know. */
enum err messaging_campaign_set(struct db *db, const struct principal *p, int64_t mps, int64_t cap,
				const char *cap_tz, struct err_detail *d);

/* ---- the send job ---- */

struct sms_pace {
	bool go;                  /* a slot is reserved: deliver now */
	int64_t wait_us;          /* !go, defer_ms == 0: the slot comes in this long */
	int64_t defer_ms;         /* !go: not due yet, or the daily cap is reached; try again then (epoch ms) */
	bool not_due;             /* defer_ms: a scheduled send not due yet (else the cap) */
	int64_t mps;              /* go: the campaign's rate, for messaging_deliver */
	int64_t granted_us;       /* go: the reservation (its time in the pace log) */
};
/* Paces message sid at now_us (epoch microseconds): reserves the workspace's
 * next slot when it has come, the last second holds fewer than the rate's
 * sends and the day's cap allows the message; else says how long to wait.
 * Slots follow a 1/rate grid (a late send is made up by the next ones, within
 * the one-second window). A message that needs no delivery any more goes at once. */
enum err messaging_pace(struct db *db, const char *sid, int64_t def_mps, int64_t def_cap, int64_t now_us,
			struct sms_pace *out);
/* Delivers message sid at the campaign's rate (the start of the vendor
 * request waits for the A2P window, send_window.h; last is whether no attempt
 * follows) once the gate's delivery re-check allows it. ERR_OK when nothing
 * is left to do (sent, or failed for good and recorded: a refusal by the
 * gate too); ERR_UPSTREAM to retry later; ERR_INVALID when it failed for
 * good; ERR_LIMITED with *defer_ms (epoch ms) when quiet hours at the
 * recipient hold it until then (nothing sent; audited compliance.deferred). */
enum err messaging_deliver(struct db *db, struct sms_provider *prov, const char *sid, const struct sms_pace *pace,
			   bool last, int64_t *defer_ms, struct err_detail *d);

/* ---- reconciling lost delivery receipts ---- */

/* Queues an "sms_reconcile" job for each of up to limit outbound messages
 * with a vendor sid and a status that is not final (accepted, queued,
 * sending, sent), unchanged and unasked for quiet_ms, accepted less than
 * max_age_ms ago; never a second one while a message's job is waiting or
 * running. *queued says how many were queued. */
enum err messaging_reconcile_queue(struct db *db, int64_t now, int64_t quiet_ms, int64_t max_age_ms, int limit,
				   int *queued);
/* The "sms_reconcile" job of message sid: asks the vendor for its status
 * (prov->fetch) and applies the answer as a status callback would be
 * (msg_receipt_apply). ERR_OK when done or nothing is left to ask (gone,
 * final, never with the vendor); ERR_UPSTREAM to ask again later (backoff);
 * ERR_INVALID when the vendor does not know the message or says nonsense. */
enum err messaging_reconcile(struct db *db, struct sms_provider *prov, const char *sid, struct err_detail *d);

/* ---- webhooks ---- */

struct sms_webhook {
	const char *message_sid;  /* MessageSid (SmsSid) */
	const char *status;       /* MessageStatus (SmsStatus) */
	const char *from, *to, *body;
	const char *error_code;   /* ErrorCode or NULL */
	const char *key;          /* our sid, from the StatusCallback's query (m=), or NULL */
	int64_t price_micros;     /* for keyword answers */
	bool vendor_replied;      /* the vendor answered a keyword itself (configured, or OptOutType sent): record, do not answer */
};
/* Applies one vendor webhook: an inbound message (stored, announced, keywords
 * acted on and answered) or a status callback. Idempotent on MessageSid +
 * status. ERR_NOT_FOUND when no message or workspace matches (the vendor may
 * retry), ERR_INVALID when the post lacks what it needs. */
enum err messaging_webhook(struct db *db, const struct sms_webhook *w, struct arena *a, struct err_detail *d);

/* ---- conversations and opt-out ---- */

struct sms_page {
	struct sms_message *rows;
	int n;
	bool opted_out;
	const char *next_cursor;  /* NULL at the end */
};
/* The conversation of p's workspace with number (any format), oldest first,
 * after cursor (from an earlier page, or NULL). ERR_INVALID naming "number"
 * or "cursor". */
enum err messaging_conversation(struct db *db, const struct principal *p, const char *number, const char *cursor,
				int limit, struct arena *a, struct sms_page *out, struct err_detail *d);
/* Opts number out for p's workspace (and lists it do-not-contact for SMS);
 * audited once: *changed false when it was already opted out. *e164 in a. */
enum err messaging_opt_out(struct db *db, const struct principal *p, const char *number, struct arena *a,
			   const char **e164, bool *changed, struct err_detail *d);

#endif
