/* SQL for the do-not-contact list (dnc_entries): one row per number of a
 * workspace, blocking calls and/or SMS, optionally until an expiry time.
 * Numbers are E.164, normalised by the caller. What a DNC hit means (deny,
 * override, audit) is the compliance gate's business, not this file's. */
#ifndef SB_STORE_DNC_H
#define SB_STORE_DNC_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/db.h"

struct dnc_entry {
	const char *workspace_id, *e164;
	const char *contact_id;  /* or NULL */
	bool block_call, block_sms;
	const char *reason;      /* or NULL */
	const char *source;      /* manual import registry sms_stop vendor_21610 */
	int64_t expires_at;      /* 0: never */
	const char *created_by;  /* user id or NULL */
	int64_t created_at, updated_at;
};

/* Inserts e, or replaces every field of the number's existing row except
 * created_at/created_by. *created (when not NULL) tells which happened. */
enum err store_dnc_put(struct db *db, const struct dnc_entry *e, bool *created);
/* The number's row (expired or not), or ERR_NOT_FOUND. */
enum err store_dnc_get(struct db *db, const char *workspace_id, const char *e164, struct arena *a,
		       struct dnc_entry *out);
/* ERR_NOT_FOUND when the number has no row. */
enum err store_dnc_delete(struct db *db, const char *workspace_id, const char *e164);
/* Whether the number is blocked for the channel (sms when sms, else call) at
 * time now (an entry with expires_at <= now no longer counts). When *hit and
 * entry is not NULL, *entry is filled (in a). */
enum err store_dnc_active(struct db *db, const char *workspace_id, const char *e164, bool sms, int64_t now,
			  struct arena *a, bool *hit, struct dnc_entry *entry);
/* Calls fn for every row of the workspace in e164 order (for CSV export),
 * streaming: nothing is kept. fn returning false stops early. */
enum err store_dnc_each(struct db *db, const char *workspace_id, bool (*fn)(void *ctx, const struct dnc_entry *e),
			void *ctx);

#endif
