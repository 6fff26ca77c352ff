/* The do-not-contact list as agents and imports change it:
 *
 * A contact's DNC (POST/PATCH/DELETE /api/contacts/:id/dnc) writes one
 * dnc_entries row per phone of the contact (channels, reason, source,
 * optional expiry) and the contact's do_not_contact flag, which means "never,
 * on any channel": it is set only by a DNC covering both channels with no
 * expiry (a narrower or temporary DNC lives in the entries alone). Every
 * change is audited (contact.dnc_set / contact.dnc_updated /
 * contact.dnc_removed) and announced as call_updated on the contact's latest
 * calls (their doNotContact may have changed), in one transaction.
 *
 * CSV import/export of the workspace list (RFC 4180, header row, columns
 * number,reason,source,channels,expiresAt; channels "call;sms"). An import
 * applies every valid line in one transaction and reports the others with
 * their line number and why; a "registry" import (a national registry
 * snapshot) records its date, and the workspace is warned once the last one
 * is more than DNC_REGISTRY_MAX_AGE_DAYS old. */
#ifndef SB_DOMAIN_DNC_H
#define SB_DOMAIN_DNC_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "domain/audit.h"
#include "domain/authz.h"
#include "store/db.h"

#define DNC_CALL 1
#define DNC_SMS 2
#define DNC_REASON_MAX 500
#define DNC_REGISTRY_MAX_AGE_DAYS 31
#define DNC_IMPORT_MAX_ERRORS 200     /* invalid lines listed (all are counted) */
#define DNC_EXPORT_MAX (64u << 20)    /* bytes of CSV */
#define DNC_CONTACT_EVENTS_MAX 50     /* latest calls announced after a contact's change */

extern const char *const dnc_sources[]; /* manual import registry sms_stop vendor_21610 */

/* A contact DNC request; zero / false fields are "not given". */
struct dnc_input {
	int channels;                 /* DNC_CALL | DNC_SMS; 0: not given */
	const char *reason;
	bool set_reason;              /* reason given (NULL clears) */
	int64_t expires_at;           /* 0: never */
	bool set_expires;
	const char *source;           /* one of dnc_sources; NULL: not given */
};

/* A contact's DNC state as answered. */
struct contact_dnc {
	const char *contact_id;
	bool do_not_contact;          /* the contact's flag */
	bool listed;                  /* at least one of its numbers has an entry */
	int channels;
	const char *reason, *source;
	int64_t expires_at;           /* 0: never */
	const char **numbers;
	int nnumbers;
	int64_t updated_at;
};

/* POST (replace = true: what is not given takes its default, channels both,
 * source manual) or PATCH (replace = false: ERR_NOT_FOUND unless the contact
 * is listed; what is not given is kept). A Tech is refused (ERR_FORBIDDEN). */
enum err dnc_contact_put(struct db *db, const struct principal *p, const char *contact_id,
			 const struct dnc_input *in, bool replace, struct arena *a, struct contact_dnc *out,
			 struct err_detail *d);
/* Removes the contact's entries and clears its flag; ERR_NOT_FOUND when it
 * was not listed. */
enum err dnc_contact_delete(struct db *db, const struct principal *p, const char *contact_id, struct arena *a,
			    struct err_detail *d);

/* Registry freshness and list size, for responses and warnings. */
struct dnc_status {
	int64_t entries;
	int64_t last_import_at;       /* 0: never */
	int64_t last_registry_at;     /* when the last registry import ran (0: never) */
	int64_t registry_date;        /* the snapshot date it declared (0: never) */
	const char *warnings[2];      /* static sentences or arena text */
	int nwarnings;
};
enum err dnc_status_get(struct db *db, const char *workspace_id, int64_t now, struct arena *a,
			struct dnc_status *out);

struct dnc_bad_line {
	int64_t line;                 /* 1-based line of the CSV where the record starts */
	const char *error;            /* arena text */
};

struct dnc_import_result {
	int64_t imported, updated, invalid;
	struct dnc_bad_line *bad;     /* first DNC_IMPORT_MAX_ERRORS invalid lines (arena) */
	int nbad;
	struct dnc_status status;     /* after the import */
};

/* Imports csv (len bytes). registry: the upload is a national registry
 * snapshot taken at registry_date (0: now). Rows whose source column is empty
 * take "registry" or "import". ERR_INVALID (field "file") when the CSV has no
 * number column or is not text; other problems are per line. Audited
 * (dnc.imported). Admin+ by the route. */
enum err dnc_import(struct db *db, const struct principal *p, const char *csv, size_t len, bool registry,
		    int64_t registry_date, struct arena *a, struct dnc_import_result *out, struct err_detail *d);

/* The workspace's list as CSV (header row, CRLF line ends) into out (created
 * with DNC_EXPORT_MAX; ERR_TOO_LARGE past it). */
enum err dnc_export(struct db *db, const char *workspace_id, struct buf *out);

#endif
