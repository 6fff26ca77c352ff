/* SQL behind vendor webhooks: delivery idempotency rows (one per vendor event
 * applied, and one per transcription signature seen), and the few writes the
 * webhook events make beside the call edit cycle: a call found by its vendor
 * id, recording details, transcripts, and click-to-call legs. No rule about
 * what an event means lives here. */
#ifndef SB_STORE_WEBHOOKS_H
#define SB_STORE_WEBHOOKS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/db.h"

/* Records (source, key) as applied at `now`. *fresh is false when it was
 * already there (a replay): the caller then changes nothing. Call inside the
 * transaction that applies the event. */
enum err store_delivery_claim(struct db *db, const char *source, const char *key, const char *workspace_id,
			      int64_t now, bool *fresh);
/* True when (source, key) is recorded. */
enum err store_delivery_seen(struct db *db, const char *source, const char *key, bool *seen);
/* Forgets rows of source received before `before` (expired replay guards). */
enum err store_deliveries_prune(struct db *db, const char *source, int64_t before);

/* The call with vendor id call_sid: *workspace_id and *call_id are arena
 * copies. ERR_NOT_FOUND when no call has it. */
enum err store_call_by_sid(struct db *db, const char *call_sid, struct arena *a, const char **workspace_id,
			   const char **call_id);
/* How a call was routed: its tracking number (*number_id, an arena copy, NULL
 * when it has none) and whether it came after hours. ERR_NOT_FOUND when absent. */
enum err store_call_routing(struct db *db, const char *call_id, struct arena *a, const char **number_id,
			    bool *after_hours);
/* The workspace of a call by id (any workspace); ERR_NOT_FOUND when absent. */
enum err store_call_workspace(struct db *db, const char *call_id, struct arena *a, const char **workspace_id);
/* Adds the search rows of n calls that have none yet (new calls, inserted
 * with store_call_insert_row), in one statement: the rows
 * store_call_search_refresh would build. call_ids are call ids (UUIDs). */
enum err store_calls_search_add(struct db *db, const char *const *call_ids, int n);
/* The vendor's recording id and length (seconds, I64_NULL unknown) of a call. */
enum err store_call_recording_set(struct db *db, const char *call_id, const char *recording_sid, int64_t duration_sec);

/* Stores (replaces) a call's transcript: body = JSON as received, text = plain
 * text for search, confidence 0..100 or I64_NULL. */
enum err store_transcript_put(struct db *db, const char *workspace_id, const char *call_id, const char *body,
			      const char *text, int64_t confidence, int64_t now);

/* The click-to-call leg call_sid as the status callbacks left it: *status
 * (dialing ringing connected ended failed), *seq (the SequenceNumber of the
 * last callback applied, I64_NULL when none carried one) and the call it
 * belongs to (*call_id, *workspace_id: arena copies). ERR_NOT_FOUND when no
 * leg has that sid. */
enum err store_call_leg_state(struct db *db, const char *call_sid, struct arena *a, const char **status, int64_t *seq,
			      const char **call_id, const char **workspace_id);
/* Updates the click-to-call leg call_sid (status one of dialing ringing
 * connected ended failed; duration and seq I64_NULL = unchanged). */
enum err store_call_leg_update(struct db *db, const char *call_sid, const char *status, const char *vendor_status,
			       int64_t duration_sec, int64_t seq, int64_t now);

#endif
