/* Tracking numbers: GET/POST /api/numbers, PATCH/DELETE /api/numbers/:id
 * (Admin+, by the route table). Parses and validates bodies into the
 * domain's number_input and writes the Number JSON:
 * { id, workspaceId, e164, label, status, routingMode, hours, afterHours,
 *   forwardTo, recordingOptIn, createdAt, updatedAt }; hours as
 * api/hours_json.h reads and writes them. */
#include "api/handlers.h"
#include "api/hours_json.h"
#include "api/input.h"
#include "core/ids.h"
#include "domain/numbers.h"

static const char *const body_keys[] = {"e164", "label", "status", "routingMode", "hours", "afterHours",
					"forwardTo", "recordingOptIn", NULL};

static void hours_json_object(struct jw *w, const struct business_hours *bh)
{
	jw_obj_begin(w);
	hours_json_write(w, bh);
	jw_obj_end(w);
}

/* The Number JSON; its own hours are decoded in arena a. */
static void number_json(struct jw *w, const struct tracking_number *n, struct arena *a)
{
	struct business_hours bh;
	const struct business_hours *own = numbers_own_hours(a, n, &bh) ? &bh : NULL;
	jw_obj_begin(w);
	jw_kstr(w, "id", n->id);
	jw_kstr(w, "workspaceId", n->workspace_id);
	jw_kstr(w, "e164", n->e164);
	jw_kstr(w, "label", n->label);
	jw_kstr(w, "status", n->status);
	jw_kstr(w, "routingMode", n->routing_mode);
	jw_key(w, "hours");
	if (own)
		hours_json_object(w, own);
	else
		jw_null(w);
	jw_kstr(w, "afterHours", n->after_hours);
	jw_kstr(w, "forwardTo", n->forward_to);
	jw_kbool(w, "recordingOptIn", n->recording_opt_in);
	jw_ktime_ms(w, "createdAt", n->created_at);
	jw_ktime_ms(w, "updatedAt", n->updated_at);
	jw_obj_end(w);
}

static enum err reply_number(struct req *r, const struct tracking_number *n)
{
	struct jw w;
	jw_init(&w, 1024, 64 * 1024);
	jw_obj_begin(&w);
	jw_key(&w, "number");
	number_json(&w, n, r->arena);
	jw_obj_end(&w);
	return reply_jw(r, &w);
}

enum err h_numbers_list(struct req *r)
{
	struct tracking_number *rows;
	int n;
	enum err rc = numbers_list(r->db, r->principal.workspace_id, r->arena, &rows, &n);
	if (rc != ERR_OK)
		return rc;
	struct jw w;
	jw_init(&w, 4096, 16 << 20);
	jw_obj_begin(&w);
	jw_key(&w, "data");
	jw_arr_begin(&w);
	for (int i = 0; i < n; i++)
		number_json(&w, &rows[i], r->arena);
	jw_arr_end(&w);
	jw_obj_end(&w);
	return reply_jw(r, &w);
}

static bool is_null(json_t *b, const char *key)
{
	json_t *v = json_object_get(b, key);
	return v && json_is_null(v);
}

/* hours: the workspace's business-hours format (api/hours_json.h), or null
 * (none of its own: the workspace's hours apply). */
static void body_hours(struct req *r, json_t *b, struct number_input *in)
{
	json_t *v = json_object_get(b, "hours");
	if (!v)
		return;
	in->set_hours = true;
	if (json_is_null(v))
		return;
	struct business_hours *bh = arena_alloc(r->arena, sizeof *bh);
	if (!bh) {
		err_field_add(&r->err, "hours", "could not be read");
		return;
	}
	if (hours_json_parse(r, v, "hours.", bh))
		in->hours = bh;
}

/* The fields create and change share. */
static void body_fields(struct req *r, json_t *b, struct number_input *in)
{
	int i;
	bool flag;
	input_known_keys(r, b, body_keys);
	in->recording_opt_in = -1;
	in->set_label = input_str(r, b, "label", INPUT_OPTIONAL, NUMBER_LABEL_MAX, &in->label) || is_null(b, "label");
	static const char *const not_null[] = {"status", "routingMode", "afterHours", "recordingOptIn", NULL};
	for (int k = 0; not_null[k]; k++)
		if (is_null(b, not_null[k]))
			err_field_add(&r->err, not_null[k], "must not be null");
	if (input_enum(r, b, "status", INPUT_OPTIONAL, number_statuses, &i))
		in->status = number_statuses[i];
	if (input_enum(r, b, "routingMode", INPUT_OPTIONAL, number_routing_modes, &i))
		in->routing_mode = number_routing_modes[i];
	if (input_enum(r, b, "afterHours", INPUT_OPTIONAL, number_after_hours, &i))
		in->after_hours = number_after_hours[i];
	if (input_bool(r, b, "recordingOptIn", INPUT_OPTIONAL, &flag))
		in->recording_opt_in = flag;
	in->set_forward_to = input_str(r, b, "forwardTo", INPUT_OPTIONAL, 40, &in->forward_to) || is_null(b, "forwardTo");
	body_hours(r, b, in);
}

enum err h_numbers_create(struct req *r)
{
	struct number_input in = {0};
	json_t *b = req_body(r);
	body_fields(r, b, &in);
	input_str(r, b, "e164", INPUT_REQUIRED, 40, &in.e164);
	enum err rc = input_result(r);
	if (rc != ERR_OK)
		return rc;
	struct actor actor = actor_of(&r->principal, SRC_API);
	struct tracking_number n;
	if ((rc = numbers_create(r->db, &actor, &in, r->arena, &n, &r->err)) != ERR_OK)
		return rc;
	return reply_number(r, &n);
}

static enum err path_id(struct req *r, const char **out)
{
	const char *id = req_param(r, "id");
	if (!id || !id_valid(id))
		return err_set(&r->err, ERR_NOT_FOUND, "no number %s", id ? id : "");
	*out = id;
	return ERR_OK;
}

enum err h_number_patch(struct req *r)
{
	const char *id = NULL;
	enum err rc = path_id(r, &id);
	if (rc != ERR_OK)
		return rc;
	struct number_input in = {0};
	json_t *b = req_body(r);
	body_fields(r, b, &in);
	if (json_object_get(b, "e164"))
		err_field_add(&r->err, "e164", "cannot change: delete the number and add the new one");
	if ((rc = input_result(r)) != ERR_OK)
		return rc;
	struct actor actor = actor_of(&r->principal, SRC_API);
	struct tracking_number n;
	if ((rc = numbers_update(r->db, &actor, id, &in, r->arena, &n, &r->err)) != ERR_OK)
		return rc;
	return reply_number(r, &n);
}

enum err h_number_delete(struct req *r)
{
	const char *id = NULL;
	enum err rc = path_id(r, &id);
	if (rc != ERR_OK)
		return rc;
	struct actor actor = actor_of(&r->principal, SRC_API);
	if ((rc = numbers_delete(r->db, &actor, id, r->arena, &r->err)) != ERR_OK)
		return rc;
	return reply_none(r);
}
