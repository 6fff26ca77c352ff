/* Who did what: the audit trail and realtime events of every write. Call these
 * inside the write's transaction (nothing is announced that did not commit). */
#ifndef SB_DOMAIN_AUDIT_H
#define SB_DOMAIN_AUDIT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/jw.h"
#include "domain/authz.h"
#include "store/db.h"

enum audit_source { SRC_API, SRC_WEBHOOK, SRC_SYSTEM, SRC_BULK };

/* The actor of a write. */
struct actor {
	const char *workspace_id;
	const char *user_id;  /* NULL for system/webhook */
	const char *label;    /* e-mail, "system", "webhook:twilio" */
	enum audit_source source;
	enum role role;       /* ROLE_NONE for system */
	struct audit_batch *batch; /* NULL: audit rows and events are written at once; else held there */
	bool caller_tx;            /* the call edit cycle runs in the caller's transaction (calls_edit_begin_read) */
};

/* The actor for a signed-in principal acting through the API. */
struct actor actor_of(const struct principal *p, enum audit_source source);
/* A system actor for a workspace. */
struct actor actor_system(const char *workspace_id, enum audit_source source, const char *label);

/* A field-by-field diff {"field": {"from": x, "to": y}, ...} under construction. */
struct diff {
	struct jw w;
	int count;
};
void diff_init(struct diff *d);
void diff_cleanup(struct diff *d);
/* Record a change of a string / integer field (no-op when equal; NULL / I64_NULL are JSON null). */
void diff_str(struct diff *d, const char *field, const char *from, const char *to);
void diff_int(struct diff *d, const char *field, int64_t from, int64_t to);
void diff_bool(struct diff *d, const char *field, bool from, bool to);
void diff_time(struct diff *d, const char *field, int64_t from, int64_t to);
/* Tag lists compare as sets (strs_same_set: the comparison alone). */
bool strs_same_set(const char **from, int nfrom, const char **to, int nto);
void diff_strs(struct diff *d, const char *field, const char **from, int nfrom, const char **to, int nto);
/* The diff as JSON text (borrowed until diff_cleanup); NULL when nothing changed or on error. */
const char *diff_json(struct diff *d);

/* Writes an audit event. diff and metadata are JSON text or NULL. */
enum err audit_record(struct db *db, const struct actor *a, const char *action, const char *target,
		      const char *target_id, const char *diff, const char *metadata);

/* Appends a realtime event (type new_call, call_updated, follow_up_due, sla_breach, …)
 * with a JSON object payload. */
enum err events_emit(struct db *db, const char *workspace_id, const char *type, const char *call_id,
		     const char *data_json);

/* As events_emit, held in actor->batch when the actor has one. */
enum err events_emit_by(struct db *db, const struct actor *actor, const char *workspace_id, const char *type,
			const char *call_id, const char *data_json);

/* Audit rows and events held back to be written together, in order, inside the same
 * transaction (a bulk job's chunk: one multi-row insert each instead of two inserts per
 * call inside its savepoint). Ids and times are taken when a row is held, so the trail
 * reads as if written at once. A unit of work that is rolled back drops what it held
 * with audit_batch_truncate(b, mark taken before it). */
struct audit_batch;
struct audit_batch_mark {
	size_t naudit, nevents;
};
enum err audit_batch_new(struct audit_batch **out);
void audit_batch_free(struct audit_batch *b);
struct audit_batch_mark audit_batch_mark(const struct audit_batch *b);
void audit_batch_truncate(struct audit_batch *b, struct audit_batch_mark m);
/* Writes what is held and empties the batch. */
enum err audit_batch_flush(struct db *db, struct audit_batch *b);

/* The audit trail of one call the principal may see (404 otherwise), oldest first. */
struct audit_row;
struct arena;
enum err audit_each_for_call(struct db *db, const struct principal *p, const char *call_id, struct arena *a,
			     bool (*fn)(void *ctx, const struct audit_row *row), void *ctx, struct err_detail *d);

#endif
