/* SQL for call_legs: the outbound legs click-to-call places (agent leg, and the
 * customer leg of a conference bridge). Status fields are written by the
 * inbound status-callback handler; this file writes the rest. Rows are filled
 * into the caller's arena. */
#ifndef SB_STORE_LEGS_H
#define SB_STORE_LEGS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/db.h"

struct leg {
	const char *call_sid;        /* the vendor's once placed; request_sid before */
	const char *request_sid;     /* the sid the client was given */
	const char *workspace_id, *call_id, *user_id;
	const char *to_e164, *from_e164;
	const char *bridge_mode;     /* conference | transfer */
	const char *status;          /* dialing ringing connected ended failed */
	const char *vendor_status, *error;
	const char *idempotency_key; /* NULL when none */
	const char *leg_role;        /* agent | customer */
	const char *parent_sid;      /* customer legs: the agent leg's request_sid */
	int64_t duration_sec;        /* I64_NULL when unknown */
	int64_t created_at, updated_at;
	int64_t attempt_at;          /* first placing request's start (wall clock); I64_NULL before */
};

/* Inserts l (call_sid = request_sid). ERR_CONFLICT when its request sid or
 * (workspace, user, idempotency key) exists. */
enum err store_leg_insert(struct db *db, const struct leg *l);
/* The leg of call_id in workspace_id whose call_sid or request_sid is sid. ERR_NOT_FOUND otherwise. */
enum err store_leg_get(struct db *db, const char *workspace_id, const char *call_id, const char *sid, struct arena *a,
		       struct leg *out);
/* The leg by request_sid alone (jobs). */
enum err store_leg_by_request(struct db *db, const char *request_sid, struct arena *a, struct leg *out);
/* The leg made by user_id's click-to-call with idempotency key key. */
enum err store_leg_by_idem(struct db *db, const char *workspace_id, const char *user_id, const char *key,
			   struct arena *a, struct leg *out);
/* Records the vendor's sid of a placed leg (call_sid := vendor_sid) unless a
 * status callback has already moved it (vendor_status stays as the callbacks left it). */
enum err store_leg_placed(struct db *db, const char *request_sid, const char *vendor_sid, int64_t now);
/* Notes that a placing request for the leg starts at `at` (kept from the first one). */
enum err store_leg_attempt(struct db *db, const char *request_sid, int64_t at);
/* Whether some leg already has vendor sid `sid` as its call_sid. */
enum err store_leg_sid_taken(struct db *db, const char *sid, bool *taken);
/* Marks a leg failed with error (vendor_status untouched). */
enum err store_leg_fail(struct db *db, const char *request_sid, const char *error, int64_t now);
/* Notes the last error of a leg still being retried (status unchanged). */
enum err store_leg_note_error(struct db *db, const char *request_sid, const char *error, int64_t now);

#endif
