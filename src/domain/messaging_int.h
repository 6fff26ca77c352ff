/* Messaging internals shared by messaging.c (requests) and
 * messaging_delivery.c (the send job and vendor webhooks). */
#ifndef SB_DOMAIN_MESSAGING_INT_H
#define SB_DOMAIN_MESSAGING_INT_H

#include "domain/audit.h"
#include "core/tz.h"
#include "domain/messaging.h"

/* Records e164's opt-in state in ws (source: STOP, START, vendor_21610, api)
 * inside the open transaction; an opt-out also lists the number
 * do-not-contact for SMS (dnc_source), an opt-in lifts an SMS-only listing
 * that an opt-out made. Audited (sms.opt_out / sms.opt_in) only when the
 * state changed, which *changed reports. */
enum err msg_opt_set(struct db *db, const struct actor *actor, const char *ws, const char *e164, bool opted_out,
		     const char *source, const char *dnc_source, bool *changed);

/* Records and queues an outbound message of kind (send, keyword_reply) in
 * the open transaction: counts its segments, prices it, queues its "sms" job
 * at run_at. m's sid, status and counts are filled in. */
enum err msg_queue(struct db *db, struct sms_message *m, char sid[SMS_SID_SIZE], int64_t price_micros, int64_t run_at,
		   int64_t now);

/* The date ("YYYY-MM-DD") of instant ms in zone (NULL: UTC) into out: the
 * key of the day's segment usage. */
void msg_day(int64_t ms, const struct tz *zone, char out[11]);
/* The first instant after ms of the next day in zone: its midnight, or the
 * end of a spring-forward gap that swallows midnight. */
int64_t msg_next_day(int64_t ms, const struct tz *zone);
/* The daily cap's zone by name ("" or NULL: SMS_CAP_TZ_DEFAULT); NULL (UTC)
 * only when the system has neither. Borrowed from the tz cache. */
const struct tz *msg_cap_zone(const char *name);
/* The usage day of instant ms for the workspace's campaign (its cap zone). */
enum err msg_usage_day(struct db *db, const char *workspace_id, int64_t ms, char out[11]);

/* Applies one delivery receipt (a status callback, or the vendor's answer to
 * a reconcile: see messaging_reconcile) inside its own transaction: claimed
 * once per MessageSid + status, never moving a message back, announced
 * (sms_status), a 21610 opts the number out as `label` (source src).
 * ERR_NOT_FOUND when no message matches, ERR_INVALID for a status or error
 * code that makes no sense. */
enum err msg_receipt_apply(struct db *db, const struct sms_webhook *w, enum audit_source src, const char *label,
			   struct arena *a, struct err_detail *d);

#endif
