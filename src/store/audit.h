/* SQL for the audit trail and the realtime outbox (events). Both are written
 * inside the caller's transaction, next to the change they describe. */
#ifndef SB_STORE_AUDIT_H
#define SB_STORE_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "store/db.h"

struct audit_row {
	const char *id, *workspace_id, *actor_id, *actor, *action, *target, *target_id;
	const char *diff, *metadata; /* JSON text or NULL */
	const char *source;          /* api webhook system bulk */
	int64_t created_at;
};

struct event_row {
	int64_t seq;
	const char *id, *workspace_id, *type, *call_id;
	const char *data;            /* JSON text */
	int64_t at;
};

enum err store_audit_insert(struct db *db, const struct audit_row *a);
/* Inserts n rows in order (multi-row statements). */
enum err store_audit_insert_many(struct db *db, const struct audit_row *rows, size_t n);
/* Audit rows of one target, oldest first; fn gets borrowed rows (valid during the call). */
enum err store_audit_each(struct db *db, const char *workspace_id, const char *target, const char *target_id,
			  bool (*fn)(void *ctx, const struct audit_row *a), void *ctx);

/* Appends an event; *seq (may be NULL) receives its number. */
enum err store_event_insert(struct db *db, const struct event_row *e, int64_t *seq);
/* Appends n events in order (multi-row statements). */
enum err store_event_insert_many(struct db *db, const struct event_row *rows, size_t n);
/* Events after seq (all workspaces when workspace_id is NULL), in order, at most limit. */
enum err store_events_after(struct db *db, const char *workspace_id, int64_t seq, int limit,
			    bool (*fn)(void *ctx, const struct event_row *e), void *ctx);

/* The highest event number so far (0 when none). */
enum err store_events_last_seq(struct db *db, int64_t *seq);

#endif
