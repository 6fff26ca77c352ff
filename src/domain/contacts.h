/* Contact rules: who sees which contact (a Tech only those of their jobs),
 * how a search text is read (a number in any format, a name, an e-mail), and
 * linking a call to an existing or a new contact. Linking goes through the
 * call edit cycle (domain/calls.h): one transaction with its audit trail and
 * realtime events. */
#ifndef SB_DOMAIN_CONTACTS_H
#define SB_DOMAIN_CONTACTS_H

#include <stdbool.h>

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
#define CONTACT_TZ_MAX 63              /* bytes of an IANA zone name */

/* A contact to create for a call. Strings are borrowed; NULL = not given. */
struct contact_new {
	const char *name;     /* required */
	const char *email;
	const char *address;
	const char **phones;  /* E.164 (the caller normalizes), besides the caller's number */
	int nphones;
	const char *time_zone; /* IANA zone the compliance gate judges quiet hours in, or NULL (the number's) */
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

/* Whether name is an IANA zone the system database has (field "timeZone"). */
bool contacts_tz_valid(const char *name);

/* The contact's own time zone (arena) or NULL when it has none. */
enum err contacts_time_zone(struct db *db, const char *workspace_id, const char *contact_id, struct arena *a,
			    const char **tz);

/* Sets (or, tz NULL, clears) the time zone of a contact the principal may
 * see and edit; the compliance gate then decides quiet hours in it (the
 * state's window still comes from the number). ERR_INVALID (field
 * "timeZone") for a name the zone database lacks; ERR_NOT_FOUND for a contact
 * outside reach. Audited as contact.updated (diff timeZone) when it changes.
 * Own transaction. */
enum err contacts_set_time_zone(struct db *db, const struct principal *p, const char *contact_id, const char *tz,
				struct arena *a, struct err_detail *d);

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
