/* The call log (GET /api/calls), one call (GET /api/calls/:id), its outcome
 * and fields (PATCH /api/calls/:id) and its tags and notes (PATCH .../tags). */
#include <stdlib.h>
#include <string.h>

#include "api/call_json.h"
#include "api/handlers.h"
#include "api/input.h"
#include "api/page_cache.h"
#include "core/clock.h"
#include "domain/accounts.h"
#include "domain/call_query.h"
#include "domain/calls.h"

#define PAGE_MAX_BYTES (16u << 20)

static bool on_param(void *ctx, const char *key, const char *value)
{
	call_query_param(ctx, key, value);
	return true;
}

enum err call_list_query(struct req *r, struct call_query *q, int default_limit, bool triage)
{
	struct call_query_parser qp;
	call_query_init(q, r->principal.workspace_id, clock_now_ms());
	q->limit = default_limit;
	call_query_parser_init(&qp, q, r->arena, r->principal.user_id, &r->err);
	req_query_each(r, on_param, &qp);
	if (triage)
		q->triage = true;
	return call_query_finish(&qp);
}

void call_list_next_cursor(struct jw *w, const struct call_query *q, const struct call_page *page)
{
	if (page->has_more && page->n > 0) {
		char cursor[200];
		call_query_cursor(q, store_call_page_key(q, page, page->n - 1), page->rows[page->n - 1].id, cursor,
				  sizeof cursor);
		jw_kstr(w, "nextCursor", cursor);
	} else {
		jw_knull(w, "nextCursor");
	}
	jw_kbool(w, "hasMore", page->has_more);
}

static bool key_param(void *ctx, const char *key, const char *value)
{
	struct buf *b = ctx;
	buf_puts(b, "&");
	buf_puts(b, key);
	buf_puts(b, "=");
	buf_puts(b, value);
	return true;
}

/* The cache key of a list request: the route, who may see what, and the exact
 * parameters. NULL when the answer must not be cached: the overdue filter
 * outside triage reads the clock (triage answers say how long they hold,
 * calls_list_valid_until). */
static char *cache_key(struct req *r, const char *route, const struct call_query *q)
{
	if (q->followup == CALLQ_FU_OVERDUE && q->sort != CALLQ_SORT_TRIAGE)
		return NULL;
	struct buf b;
	buf_init(&b, 4096);
	buf_puts(&b, route);
	buf_puts(&b, "|");
	buf_puts(&b, r->principal.workspace_id);
	buf_puts(&b, "|");
	if (authz_row_scoped(r->principal.role, ACT_READ))
		buf_puts(&b, r->principal.user_id);
	req_query_each(r, key_param, &b);
	if (b.len >= b.max) {
		buf_cleanup(&b);
		return NULL;
	}
	return b.data;
}

bool call_list_cached(struct req *r, const char *route, const struct call_query *q, struct list_cache *lc,
		      enum err *rc)
{
	lc->key = cache_key(r, route, q);
	lc->version = 0;
	if (lc->key && calls_data_version(r->db, &lc->version) != ERR_OK) {
		free(lc->key);
		lc->key = NULL;
	}
	size_t len;
	char *hit = lc->key ? page_cache_get(lc->key, lc->version, clock_now_ms(), &len) : NULL;
	if (!hit)
		return false;
	free(lc->key);
	lc->key = NULL;
	*rc = reply_bytes(r, "application/json", hit, len);
	return true;
}

enum err call_list_cache_put(struct req *r, const struct call_query *q, struct list_cache *lc, enum err rc)
{
	int64_t until;
	if (rc == ERR_OK && lc->key && calls_list_valid_until(r->db, q, &until) == ERR_OK)
		page_cache_put(lc->key, lc->version, until, r->resp_data, r->resp_len);
	free(lc->key);
	lc->key = NULL;
	return rc;
}

enum err h_calls_list(struct req *r)
{
	struct call_query q;
	struct call_page page;
	struct list_cache lc;
	enum err rc = call_list_query(r, &q, 20, false);
	if (rc != ERR_OK || call_list_cached(r, "list", &q, &lc, &rc))
		return rc;
	if ((rc = calls_list(r->db, &r->principal, &q, r->arena, &page, &r->err)) != ERR_OK)
		return call_list_cache_put(r, &q, &lc, rc);

	struct jw w;
	jw_init(&w, 64 * 1024, PAGE_MAX_BYTES);
	jw_obj_begin(&w);
	jw_key(&w, "data");
	jw_arr_begin(&w);
	for (int i = 0; i < page.n; i++) {
		jw_obj_begin(&w);
		call_json_fields(&w, &page.rows[i], false);
		if (page.triage)
			triage_json_write(&w, r->arena, &page.triage[i]);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	call_list_next_cursor(&w, &q, &page);
	if (page.total >= 0)
		jw_kint(&w, "total", page.total);
	jw_obj_end(&w);
	return call_list_cache_put(r, &q, &lc, reply_jw(r, &w));
}

/* { call } for the call as it is now. */
static enum err reply_call(struct req *r, const char *id)
{
	struct call c;
	enum err rc = calls_get(r->db, &r->principal, id, r->arena, &c, &r->err);
	if (rc != ERR_OK)
		return rc;
	struct jw w;
	jw_init(&w, 8192, PAGE_MAX_BYTES);
	jw_obj_begin(&w);
	jw_key(&w, "call");
	call_json_write(&w, &c, true);
	jw_obj_end(&w);
	return reply_jw(r, &w);
}

enum err h_call_get(struct req *r)
{
	return reply_call(r, req_param(r, "id"));
}

/* A nullable string field of a PATCH: absent (false), null (*out = NULL) or a string. */
static bool patch_str(struct req *r, json_t *b, const char *key, size_t max, const char **out)
{
	json_t *v = json_object_get(b, key);
	if (!v)
		return false;
	if (json_is_null(v)) {
		*out = NULL;
		return true;
	}
	return input_str(r, b, key, INPUT_OPTIONAL, max, out);
}

static bool patch_enum(struct req *r, json_t *b, const char *key, const char *const *words, const char **out)
{
	json_t *v = json_object_get(b, key);
	if (!v)
		return false;
	if (json_is_null(v)) {
		*out = NULL;
		return true;
	}
	int i;
	if (!input_enum(r, b, key, INPUT_OPTIONAL, words, &i))
		return false;
	*out = words[i];
	return true;
}

static bool patch_int(struct req *r, json_t *b, const char *key, int64_t max, int64_t *out)
{
	json_t *v = json_object_get(b, key);
	if (!v)
		return false;
	if (json_is_null(v)) {
		*out = I64_NULL;
		return true;
	}
	return input_int(r, b, key, INPUT_OPTIONAL, 0, max, out);
}

/* Reads a string array field into the arena; false when absent or invalid (recorded). */
static bool str_array(struct req *r, json_t *b, const char *key, const char ***out, int *n)
{
	json_t *v = json_object_get(b, key);
	if (!v)
		return false;
	if (!json_is_array(v) || json_array_size(v) > 64) {
		err_field_add(&r->err, key, "must be an array of at most 64 strings");
		return false;
	}
	size_t count = json_array_size(v);
	const char **list = arena_alloc(r->arena, sizeof *list * (count ? count : 1));
	if (!list)
		return false;
	for (size_t i = 0; i < count; i++) {
		json_t *e = json_array_get(v, i);
		if (!json_is_string(e)) {
			err_field_add(&r->err, key, "must contain only strings");
			return false;
		}
		list[i] = json_string_value(e);
	}
	*out = list;
	*n = (int)count;
	return true;
}

static enum err set_tags(struct req *r, struct call *after, const char **tags, int n)
{
	return calls_tags_normalize(r->arena, tags, n, &after->tags, &after->ntags, &r->err);
}

enum err h_call_patch(struct req *r)
{
	static const char *const keys[] = {"disposition", "outcomeAt", "valueEstCents", "tags", "notes", "intent",
					   "assignedTo", "priority", "escalationStatus", NULL};
	json_t *b = req_body(r);
	struct call before, after;
	const char **tags = NULL;
	int ntags = 0;
	input_known_keys(r, b, keys);
	enum err rc = input_result(r);
	if (rc != ERR_OK)
		return rc;
	rc = calls_edit_begin(r->db, &r->principal, req_param(r, "id"), r->arena, &before, &r->err);
	if (rc != ERR_OK)
		return rc;
	after = before;
	patch_enum(r, b, "disposition", call_dispositions, &after.disposition);
	patch_enum(r, b, "intent", call_intents, &after.intent);
	/* escalationStatus and priority always have a value: null resets them to the default. */
	if (patch_enum(r, b, "escalationStatus", call_escalations, &after.escalation_status) && !after.escalation_status)
		after.escalation_status = "none";
	if (patch_enum(r, b, "priority", priorities, &after.priority) && !after.priority)
		after.priority = "normal";
	patch_int(r, b, "valueEstCents", (int64_t)1 << 50, &after.value_est_cents);
	patch_str(r, b, "notes", CALL_NOTES_MAX, &after.notes);
	json_t *oa = json_object_get(b, "outcomeAt");
	if (oa && json_is_null(oa))
		after.outcome_at = I64_NULL;
	else if (oa)
		input_time(r, b, "outcomeAt", INPUT_OPTIONAL, &after.outcome_at);
	if (patch_str(r, b, "assignedTo", 64, &after.assigned_to) && after.assigned_to &&
	    !accounts_is_member(r->db, r->principal.workspace_id, after.assigned_to))
		err_field_add(&r->err, "assignedTo", "is not a user of this workspace");
	if (str_array(r, b, "tags", &tags, &ntags))
		set_tags(r, &after, tags, ntags);
	if ((rc = input_result(r)) != ERR_OK) {
		calls_edit_abort(r->db);
		return rc;
	}
	struct actor actor = actor_of(&r->principal, SRC_API);
	rc = calls_edit_commit(r->db, &actor, "call.updated", &before, &after, NULL, NULL, &r->err);
	return rc != ERR_OK ? rc : reply_call(r, before.id);
}

/* { tags } replaces, { add, remove } edits, { notes } sets the notes; any combination. */
enum err h_call_tags(struct req *r)
{
	static const char *const keys[] = {"tags", "add", "remove", "notes", NULL};
	json_t *b = req_body(r);
	struct call before, after;
	const char **tags = NULL, **add = NULL, **rem = NULL;
	int ntags = 0, nadd = 0, nrem = 0;
	input_known_keys(r, b, keys);
	bool has_tags = str_array(r, b, "tags", &tags, &ntags);
	bool has_add = str_array(r, b, "add", &add, &nadd);
	bool has_rem = str_array(r, b, "remove", &rem, &nrem);
	if (has_tags && (has_add || has_rem))
		err_field_add(&r->err, "tags", "send either tags or add/remove, not both");
	if (!has_tags && !has_add && !has_rem && !json_object_get(b, "notes") && !r->err.nfields)
		err_set(&r->err, ERR_INVALID, "send tags, add/remove or notes");
	enum err rc = input_result(r);
	if (rc != ERR_OK || r->err.detail[0])
		return rc != ERR_OK ? rc : ERR_INVALID;
	rc = calls_edit_begin(r->db, &r->principal, req_param(r, "id"), r->arena, &before, &r->err);
	if (rc != ERR_OK)
		return rc;
	after = before;
	patch_str(r, b, "notes", CALL_NOTES_MAX, &after.notes);
	if (has_tags) {
		set_tags(r, &after, tags, ntags);
	} else if (has_add || has_rem) {
		const char **merged = arena_alloc(r->arena, sizeof *merged * (size_t)(before.ntags + nadd + 1));
		int n = 0;
		const char **norm_rem = NULL;
		int nnorm_rem = 0;
		if (!merged) {
			calls_edit_abort(r->db);
			return ERR_NOMEM;
		}
		if (calls_tags_normalize(r->arena, rem, nrem, &norm_rem, &nnorm_rem, &r->err) == ERR_OK) {
			for (int i = 0; i < before.ntags; i++) {
				bool drop = false;
				for (int j = 0; j < nnorm_rem && !drop; j++)
					drop = !strcmp(before.tags[i], norm_rem[j]);
				if (!drop)
					merged[n++] = before.tags[i];
			}
			for (int i = 0; i < nadd; i++)
				merged[n++] = add[i];
			set_tags(r, &after, merged, n);
		}
	}
	if ((rc = input_result(r)) != ERR_OK) {
		calls_edit_abort(r->db);
		return rc;
	}
	struct actor actor = actor_of(&r->principal, SRC_API);
	rc = calls_edit_commit(r->db, &actor, "call.tags_updated", &before, &after, NULL, NULL, &r->err);
	return rc != ERR_OK ? rc : reply_call(r, before.id);
}
