/* Bulk operations on calls: POST /api/calls/bulk starts a job over the given
 * calls or every call the list filters select; GET /api/bulk-jobs/:jobId
 * follows it. The work itself runs in jobs/bulk_worker.c. */
#include <jansson.h>
#include <string.h>

#include "api/bulk_api.h"
#include "api/handlers.h"
#include "api/input.h"
#include "core/clock.h"
#include "domain/bulk.h"
#include "domain/call_query.h"
#include "domain/export.h"
#include "http/problem.h"
#include "jobs/bulk_data.h"
#include "jobs/bulk_worker.h"

/* callIds: 1..BULK_MAX_IDS strings, duplicates dropped (first kept). */
static bool read_ids(struct req *r, json_t *v, const char ***out, int *n)
{
	size_t count = json_array_size(v);
	if (!json_is_array(v) || count < 1 || count > BULK_MAX_IDS) {
		err_field_add(&r->err, "callIds", "must be an array of 1 to %d call ids", BULK_MAX_IDS);
		return false;
	}
	const char **ids = arena_alloc(r->arena, sizeof *ids * count);
	if (!ids)
		return false;
	json_t *seen = json_object();
	int k = 0;
	for (size_t i = 0; seen && i < count; i++) {
		json_t *e = json_array_get(v, i);
		const char *s = json_string_value(e);
		if (!s || !*s || json_string_length(e) > 64 || strlen(s) != json_string_length(e)) {
			err_field_add(&r->err, "callIds", "must contain only call ids (strings)");
			break;
		}
		if (json_object_get(seen, s))
			continue;
		json_object_set_new(seen, s, json_true());
		ids[k++] = s;
	}
	json_decref(seen);
	*out = ids;
	*n = k;
	return r->err.nfields == 0;
}

enum err api_export_data(struct req *r, json_t *b, bool need_filters, char **data_out, struct export_spec *spec)
{
	static const char *const formats[] = {"csv", "pdf", NULL};
	int fmt = 0;
	if (!input_enum(r, b, "format", INPUT_REQUIRED, formats, &fmt))
		return input_result(r) != ERR_OK ? ERR_INVALID : err_field_add(&r->err, "format", "is required");
	spec->pdf = fmt == 1;
	json_t *cols = json_object_get(b, "columns");
	const char *names[EXPORT_MAX_COLS];
	int n = 0;
	if (cols && !json_is_null(cols)) {
		if (!json_is_array(cols) || json_array_size(cols) > EXPORT_MAX_COLS)
			return err_field_add(&r->err, "columns", "must be an array of at most %d column names",
					     EXPORT_MAX_COLS);
		size_t i;
		json_t *c;
		json_array_foreach(cols, i, c) {
			if (!json_is_string(c))
				return err_field_add(&r->err, "columns", "must contain only column names");
			names[n++] = json_string_value(c);
		}
	}
	enum err rc = export_columns_parse(cols && !json_is_null(cols) ? names : NULL, n, spec, &r->err);
	if (rc != ERR_OK)
		return rc;
	json_t *d = json_object();
	json_t *list = json_array();
	if (!d || !list) {
		json_decref(d);
		json_decref(list);
		return ERR_NOMEM;
	}
	json_object_set_new(d, "format", json_string(formats[fmt]));
	for (int i = 0; i < spec->ncols; i++)
		json_array_append_new(list, json_string(export_cols[spec->cols[i]].name));
	json_object_set_new(d, "columns", list);
	json_t *f = json_object_get(b, "filters");
	if (need_filters)
		json_object_set(d, "filters", f && !json_is_null(f) ? f : json_object());
	*data_out = json_dumps(d, JSON_COMPACT);
	json_decref(d);
	return *data_out ? ERR_OK : ERR_NOMEM;
}

enum err h_calls_bulk(struct req *r)
{
	static const char *const keys[] = {"callIds", "filters", "operation", "data", NULL};
	json_t *b = req_body(r);
	input_known_keys(r, b, keys);
	int opi = -1;
	if (!input_enum(r, b, "operation", INPUT_REQUIRED, bulk_operations, &opi) && !r->err.nfields)
		err_field_add(&r->err, "operation", "is required");
	json_t *ids_v = json_object_get(b, "callIds"), *filters = json_object_get(b, "filters");
	if (ids_v && filters)
		err_field_add(&r->err, "filters", "send callIds or filters, not both");
	else if (!ids_v && !filters)
		err_field_add(&r->err, "callIds", "callIds or filters is required");
	enum err rc = input_result(r);
	if (rc != ERR_OK)
		return rc;

	struct bulk_request req = {.kind = "bulk", .operation = bulk_operations[opi]};
	struct call_query q;
	char *data = NULL;
	call_query_init(&q, r->principal.workspace_id, clock_now_ms());
	if (ids_v) {
		read_ids(r, ids_v, &req.ids, &req.nids);
	} else if (bulk_filters_parse(filters, &q, r->arena, r->principal.user_id, &r->err) == ERR_OK) {
		/* A Tech's filters select only calls of their jobs, as their list does. */
		q.tech_user_id = authz_row_scoped(r->principal.role, ACT_EDIT) ? r->principal.user_id : NULL;
		req.q = &q;
	}
	json_t *dv = json_object_get(b, "data");
	if (opi == BULK_EXPORT) {
		struct export_spec spec;
		if (!dv || !json_is_object(dv))
			err_field_add(&r->err, "data", "must be an object with format and columns");
		else
			api_export_data(r, dv, false, &data, &spec);
	} else {
		struct bulk_op op;
		if (bulk_data_parse((enum bulk_kind)opi, dv, r->arena, &op, &r->err) == ERR_OK) {
			data = dv ? json_dumps(dv, JSON_COMPACT) : strdup("{}");
			if (!data)
				rc = ERR_NOMEM;
		}
	}
	if (rc == ERR_OK)
		rc = input_result(r);
	char id[ID_SIZE];
	int64_t count = 0;
	req.data = data;
	if (rc == ERR_OK)
		rc = bulk_create(r->db, &r->principal, &req, clock_now_ms(), id, &count, &r->err);
	free(data);
	if (rc != ERR_OK)
		return rc;
	bulk_workers_kick();
	struct jw w;
	jw_init(&w, 128, 1024);
	jw_obj_begin(&w);
	jw_kstr(&w, "jobId", id);
	jw_kint(&w, "affectedCount", count);
	jw_kstr(&w, "status", "pending");
	jw_obj_end(&w);
	req_set_status(r, 202);
	return reply_jw(r, &w);
}

static bool on_error(void *ctx, const char *call_id, int64_t code, const char *message)
{
	struct jw *w = ctx;
	jw_obj_begin(w);
	jw_kstr(w, "callId", call_id);
	jw_kint(w, "status", problem_status((enum err)code));
	jw_kstr(w, "error", message);
	jw_obj_end(w);
	return true;
}

enum err h_bulk_job_get(struct req *r)
{
	struct bulk_job j;
	enum err rc = bulk_get(r->db, &r->principal, req_param(r, "jobId"), r->arena, &j, &r->err);
	if (rc != ERR_OK)
		return rc;
	struct jw w;
	jw_init(&w, 1024, 8 << 20);
	jw_obj_begin(&w);
	jw_kstr(&w, "jobId", j.id);
	jw_kstr(&w, "operation", j.operation);
	jw_kstr(&w, "status", j.status);
	int64_t progress = j.total > 0 ? j.processed * 100 / j.total : (strcmp(j.status, "completed") ? 0 : 100);
	jw_kint(&w, "progress", progress);
	jw_kint(&w, "processed", j.processed);
	jw_kint(&w, "total", j.total);
	jw_kint(&w, "errorCount", j.nerrors);
	jw_key(&w, "errors");
	jw_arr_begin(&w);
	rc = store_bulk_errors_each(r->db, j.id, BULK_MAX_IDS, on_error, &w);
	jw_arr_end(&w);
	jw_ktime_ms(&w, "createdAt", j.created_at);
	if (j.finished_at != I64_NULL)
		jw_ktime_ms(&w, "finishedAt", j.finished_at);
	if (j.last_error && strcmp(j.status, "failed") == 0)
		jw_kstr(&w, "failure", j.last_error);
	jw_obj_end(&w);
	if (rc != ERR_OK) {
		jw_cleanup(&w);
		return rc;
	}
	return reply_jw(r, &w);
}
