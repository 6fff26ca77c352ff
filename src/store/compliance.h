/* SQL for the compliance columns of contacts (do-not-contact flag, time zone,
 * consent), the contact's calls to announce a change on, and the history of
 * DNC list imports (dnc_imports). No rule lives here. */
#ifndef SB_STORE_COMPLIANCE_H
#define SB_STORE_COMPLIANCE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/db.h"

struct contact_compliance {
	bool do_not_contact;
	const char *time_zone;          /* IANA name or NULL (arena) */
	int consent_recording, consent_sms; /* -1 never recorded, 0, 1 */
	int64_t consent_updated_at;     /* DB_NULL_INT when never */
};

/* The contact's compliance columns; ERR_NOT_FOUND outside the workspace. */
enum err store_contact_compliance_get(struct db *db, const char *workspace_id, const char *contact_id,
				      struct arena *a, struct contact_compliance *out);
/* Sets the do-not-contact flag (and updated_at). ERR_NOT_FOUND when no such contact. */
enum err store_contact_dnc_set(struct db *db, const char *workspace_id, const char *contact_id, bool dnc, int64_t now);
/* Sets the time zone (NULL clears). ERR_NOT_FOUND when no such contact. */
enum err store_contact_tz_set(struct db *db, const char *workspace_id, const char *contact_id, const char *tz,
			      int64_t now);
/* Sets the consent columns (-1 writes NULL) stamped at. ERR_NOT_FOUND when no such contact. */
enum err store_contact_consent_set(struct db *db, const char *workspace_id, const char *contact_id, int recording,
				   int sms, int64_t at);
/* Ids of the contact's latest calls (at most max, newest first), arena array of *n. */
enum err store_contact_recent_calls(struct db *db, const char *workspace_id, const char *contact_id, int max,
				    struct arena *a, const char ***ids, int *n);

struct dnc_import {
	const char *id, *workspace_id;
	const char *source;             /* import | registry */
	int64_t registry_date;          /* DB_NULL_INT unless registry */
	int64_t imported, invalid;
	const char *created_by;
	int64_t created_at;
};

enum err store_dnc_import_add(struct db *db, const struct dnc_import *r);
/* The newest import of source; ERR_NOT_FOUND when none. Strings in a. */
enum err store_dnc_import_last(struct db *db, const char *workspace_id, const char *source, struct arena *a,
			       struct dnc_import *out);

/* How many numbers the workspace's DNC list holds (expired ones included). */
enum err store_dnc_count(struct db *db, const char *workspace_id, int64_t *count);

#endif
