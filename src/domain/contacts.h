/* Contact rules: who sees which contact (a Tech only those of their jobs),
 * how a search text is read (a number in any format, a name, an e-mail), and
 * linking a call to an existing or a new contact. Linking goes through the
 * call edit cycle (domain/calls.h): one transaction with its audit trail and
 * realtime events. */
#ifndef SB_DOMAIN_CONTACTS_H
#define SB_DOMAIN_CONTACTS_H

#include "core/arena.h"
#include "core/err.h"
#include "domain/authz.h"
#include "store/contacts.h"
#include "store/db.h"

#define CONTACT_NAME_MAX 200
#define CONTACT_EMAIL_MAX 254
#define CONTACT_ADDRESS_MAX 500
#define CONTACT_MAX_PHONES 10          /* given in a create form, besides the caller's number */
#define CONTACT_QUERY_MAX 200          /* bytes of a search text */
#define CONTACT_SEARCH_LIMIT_DEFAULT 20
#define CONTACT_SEARCH_LIMIT_MAX 50

/* A contact to create for a call. Strings are borrowed; NULL = not given. */
struct contact_new {
	const char *name;     /* required */
	const char *email;
	const char *address;
	const char **phones;  /* E.164 (the caller normalizes), besides the caller's number */
	int nphones;
};

/* Contacts matching q (a number in any format or part of one, a name, an
 * e-mail), best first (see store_contacts_search), at most limit (1..50).
 * ERR_INVALID (field "q") for an empty, too long or non-UTF-8 text. *out is
 * an arena array. A Tech gets only the contacts of their jobs. */
enum err contacts_search(struct db *db, const struct principal *p, const char *q, int limit, struct arena *a,
			 struct contact **out, int *n, struct err_detail *d);

/* One contact the principal may see; ERR_NOT_FOUND otherwise (other workspace,
 * outside a Tech's jobs). */
enum err contacts_get(struct db *db, const struct principal *p, const char *contact_id, struct arena *a,
		      struct contact *out, struct err_detail *d);

/* Checks a create form (field errors into d). */
enum err contacts_new_check(const struct contact_new *nc, struct err_detail *d);

/* Links the call to contact_id (an existing contact the principal may see), or,
 * when contact_id is NULL, to a new contact made from nc with the caller's
 * number (the call's fromE164, or toE164 for an outbound call) and nc's phones.
 * ERR_CONFLICT when one of those numbers already belongs to another contact
 * (d names it; for a Tech, only when the owner is theirs to see). Then gives
 * the contact to the workspace's other inbound calls from that number that
 * have none, and raises the contact's lastSeenAt to its latest linked call.
 * Audit: contact.created (target contact) and call.contact_linked on each call
 * changed (the count in the linked call's metadata); each changed call is
 * announced as call_updated. Own transaction. *contact_id_out (may be NULL)
 * gets the linked contact's id (arena). */
enum err contacts_link_call(struct db *db, const struct principal *p, const char *call_id, const char *contact_id,
			    const struct contact_new *nc, struct arena *a, const char **contact_id_out,
			    struct err_detail *d);

#endif
