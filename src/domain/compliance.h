/* Compliance actions agents and admins take outside the gate itself:
 *	blocked numbers  the workspace's refuse list (Admin+ by the route):
 *	                 listed, added (idempotent) and removed, each audited
 *	                 (blocked_number.added / .removed, target "number")
 *	consent          a call's recording and SMS consent, copied to the
 *	                 call's contact and (SMS) to the number's opt-in state,
 *	                 with the audit trail: who, when, from what, to what;
 *	                 never over a customer's own STOP */
#ifndef SB_DOMAIN_COMPLIANCE_H
#define SB_DOMAIN_COMPLIANCE_H

#include <stdbool.h>

#include "core/arena.h"
#include "core/err.h"
#include "domain/audit.h"
#include "domain/authz.h"
#include "store/blocked.h"
#include "store/db.h"

#define BLOCKED_REASON_MAX 500

extern const char *const blocked_sources[]; /* manual spam import system */

enum err blocked_list(struct db *db, const char *workspace_id, struct arena *a, struct blocked_number **rows,
		      int *n);
/* Blocks number (any human format; field "number" when invalid). *created is
 * false when it was already blocked (then *out is the existing row, nothing
 * is written). */
enum err blocked_add(struct db *db, const struct principal *p, const char *number, const char *reason,
		     const char *source, struct arena *a, struct blocked_number *out, bool *created,
		     struct err_detail *d);
/* ERR_NOT_FOUND when the number is not blocked. */
enum err blocked_remove(struct db *db, const struct principal *p, const char *number, struct arena *a,
			struct err_detail *d);

/* A consent change: -1 not given, 0, 1 (at least one given). */
struct consent_input {
	int recording, sms;
};

/* Updates call_id's consent (Dispatcher+, a Tech on own jobs' calls), its
 * contact's, and for SMS the customer number's opt-in state; audited on the
 * call (call.consent_updated with the from/to diff and the contact's), on the
 * contact (contact.consent_updated) and on the number (sms.opt_in /
 * sms.opt_out); announced as call_updated. One transaction. ERR_CONFLICT
 * (nothing written) when smsOptIn true would lift an opt-out the customer
 * made (a STOP reply, or the carrier's 21610): only their own START does;
 * an opt-out staff recorded (opt-out endpoint, consent) may be lifted. */
enum err compliance_consent_set(struct db *db, const struct principal *p, const char *call_id,
				const struct consent_input *in, struct arena *a, struct err_detail *d);

#endif
