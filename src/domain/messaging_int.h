/* Messaging internals shared by messaging.c (requests) and
 * messaging_delivery.c (the send job and vendor webhooks). */
#ifndef SB_DOMAIN_MESSAGING_INT_H
#define SB_DOMAIN_MESSAGING_INT_H

#include "domain/audit.h"
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

/* "YYYY-MM-DD" (UTC) of ms into out (11 bytes). */
void msg_day(int64_t ms, char out[11]);

#endif
