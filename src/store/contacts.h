/* SQL for contacts: rows with their phones and e-mails, the full-text index
 * that contact search runs on (contacts_fts, kept in step by every write
 * here), lookups by id and by number, ranked search, and attaching a contact
 * to the calls of its number. Rows are filled into the caller's arena. */
#ifndef SB_STORE_CONTACTS_H
#define SB_STORE_CONTACTS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/db.h"

#define CONTACTQ_MAX_TERMS 8

struct contact {
	const char *id, *workspace_id;
	const char *name, *email, *address, *notes;
	bool do_not_contact;
	const char *preferred_channel;  /* call sms email, or NULL */
	const char *time_windows;       /* JSON array text as stored */
	int64_t last_seen_at;           /* I64_NULL when never */
	int64_t created_at, updated_at;
	const char **phones;            /* E.164, in position order */
	int nphones;
	const char **emails;            /* in position order (at least email when it is set) */
	int nemails;
};

/* What to search. The store turns the parts into its dialect's full-text query. */
struct contact_query {
	const char *workspace_id;
	const char *tech_user_id;       /* non-NULL: only contacts on jobs (or calls of jobs) assigned to this user */
	const char *digits;             /* >= 3 digits: substring of one of the contact's numbers */
	const char *terms[CONTACTQ_MAX_TERMS]; /* each >= 3 characters: substring of the name or an e-mail (all must match) */
	int nterms;
	const char *exact_e164;         /* the owner of this number ranks first */
	const char *prefix;             /* names starting with this rank next; with no digits and no
					   terms it is the whole search (index range scan, any length) */
	int limit;
};

/* Contact search, best first: the exact number's owner, then names starting
 * with q->prefix (case-insensitive for ASCII), then by full-text relevance.
 * *out is an arena array of *n contacts. */
enum err store_contacts_search(struct db *db, const struct contact_query *q, struct arena *a, struct contact **out,
			       int *n);

/* One contact of the workspace, with phones and e-mails. tech_user_id non-NULL
 * narrows to that Tech's contacts (as in search). ERR_NOT_FOUND otherwise. */
enum err store_contact_get(struct db *db, const char *workspace_id, const char *contact_id, const char *tech_user_id,
			   struct arena *a, struct contact *out);

/* The contact owning number e164 in the workspace: *id and *name (name may be NULL)
 * are arena copies. ERR_NOT_FOUND when nobody owns it. */
enum err store_contact_phone_owner(struct db *db, const char *workspace_id, const char *e164, struct arena *a,
				   const char **id, const char **name);

/* Inserts c (id, workspace, times set by the caller) with its phones (positions
 * in order) and e-mails (c->email first), and indexes it for search.
 * ERR_CONFLICT when a number already belongs to a contact of the workspace. */
enum err store_contact_insert(struct db *db, const struct contact *c);

/* Raises the contact's last_seen_at to at least seen_at. */
enum err store_contact_seen(struct db *db, const char *workspace_id, const char *contact_id, int64_t seen_at);

/* Rebuilds the contact's search row (name, e-mails, phone digits). Every write
 * to a contact's name, e-mails or phones must call this in its transaction. */
enum err store_contact_search_refresh(struct db *db, const char *contact_id);
/* Rebuilds the search rows of every contact of the workspace (after bulk loads
 * that wrote contacts with plain SQL). */
enum err store_contacts_search_rebuild(struct db *db, const char *workspace_id);

/* Sets contact_id on the workspace's inbound calls from e164 that have no
 * contact, except except_call_id, and rebuilds their search rows. *ids gets the arena
 * array of the *n calls changed, *latest their latest started_at (I64_NULL
 * when none). */
enum err store_calls_contact_fill(struct db *db, const char *workspace_id, const char *e164, const char *contact_id,
				  const char *except_call_id, int64_t now, struct arena *a, const char ***ids, int *n,
				  int64_t *latest);

#endif
